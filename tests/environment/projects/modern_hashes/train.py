import random

import numpy as np
import torch


def main():
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)
    model = torch.nn.Linear(4, 2)
    print(model(torch.ones(1, 4)))
    model.cuda()(torch.ones(1, 4).cuda()).sum().backward()


if __name__ == "__main__":
    main()
