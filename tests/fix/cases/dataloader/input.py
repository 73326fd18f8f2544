"""Data loading."""
import numpy as np
from torch.utils.data import DataLoader


def loaders(dataset, g):
    train = DataLoader(
        dataset,
        batch_size=32,
        num_workers=4,
    )
    val = DataLoader(dataset, num_workers=2, generator=g, in_order=False)
    return train, val
