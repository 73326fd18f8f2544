#!/usr/bin/env python
import torch

if __name__ == "__main__":
    model = torch.nn.Linear(2, 2)
    print(model(torch.ones(2)))
    loss.cuda().backward()  # trains on a GPU
