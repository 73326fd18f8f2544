import random

import numpy as np
import torch


def main(items):
    noise = np.random.rand(3)
    random.shuffle(items)
    return torch.tensor(noise), items


if __name__ == "__main__":
    main([1, 2, 3])
    loss.cuda().backward()  # trains on a GPU
