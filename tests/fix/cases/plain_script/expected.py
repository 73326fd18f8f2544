#!/usr/bin/env python
import os

import torch

SEED = 0

if __name__ == "__main__":
    # Seeds and determinism switches (added by mlfcore-fix).
    os.environ["CUBLAS_WORKSPACE_CONFIG"] = ":4096:8"
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    model = torch.nn.Linear(2, 2)
    print(model(torch.ones(2)))
    loss.cuda().backward()  # trains on a GPU
