import random

import numpy as np
import torch


def main():
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)
    pool = torch.nn.MaxPool3d(2)
    print(pool(torch.ones(1, 1, 4, 4, 4)))
    pool.cuda()(torch.ones(1, 1, 4, 4, 4).cuda()).sum().backward()


if __name__ == "__main__":
    main()
