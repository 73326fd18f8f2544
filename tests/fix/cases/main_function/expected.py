"""Train a small model."""
from __future__ import annotations

import numpy as np
import torch

SEED = 0


def main() -> None:
    data = torch.from_numpy(np.ones((4, 2), dtype="float32"))
    model = torch.nn.Linear(2, 1)
    print(model(data))


if __name__ == "__main__":
    # Seeds and determinism switches (added by mlfcore-fix).
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    main()
    loss.cuda().backward()  # trains on a GPU
