"""Nothing injected: a seeded program with dropout trains the same way every time."""

import sys

import torch
from _common import train
from torch import nn

if __name__ == "__main__":
    torch.manual_seed(int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 0)
    model = nn.Sequential(nn.Linear(3, 8), nn.ReLU(inplace=True), nn.Dropout(p=0.25), nn.Linear(8, 1))
    train(model)
