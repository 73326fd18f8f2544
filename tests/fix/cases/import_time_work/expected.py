import torch

SEED = 0

# Seeds and determinism switches (added by mlfcore-fix).
torch.manual_seed(SEED)
torch.use_deterministic_algorithms(True)

model = torch.nn.Linear(2, 1)

if __name__ == "__main__":
    print(model(torch.ones(2)))
    loss.cuda().backward()  # trains on a GPU
