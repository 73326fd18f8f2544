"""Train a small model."""
from __future__ import annotations

import numpy as np
import torch


def main() -> None:
    data = torch.from_numpy(np.ones((4, 2), dtype="float32"))
    model = torch.nn.Linear(2, 1)
    print(model(data))


if __name__ == "__main__":
    main()
    loss.cuda().backward()  # trains on a GPU
