import random

import torch

SEED = 1234

if __name__ == "__main__":
    # Seeds and determinism switches (added by mlfcore-fix).
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    main()
loss.cuda().backward()  # trains on a GPU
