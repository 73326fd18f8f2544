import numpy as np
import torch


def main():
    np.random.seed(0)
    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)
    print(torch.nn.Linear(4, 2)(torch.ones(1, 4)))
