import torch

model = torch.nn.Linear(2, 1)

if __name__ == "__main__":
    print(model(torch.ones(2)))
    loss.cuda().backward()  # trains on a GPU
