import random

import numpy as np
import torch

SEED = 0


def main(items):
    noise = np.random.rand(3)
    random.shuffle(items)
    return torch.tensor(noise), items


if __name__ == "__main__":
    # Seeds and determinism switches (added by mlfcore-fix).
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    main([1, 2, 3])
    loss.cuda().backward()  # trains on a GPU
