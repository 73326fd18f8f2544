"""Data loading."""
import numpy as np
from torch.utils.data import DataLoader


def loaders(dataset):
    train = DataLoader(
        dataset,
        batch_size=32,
        num_workers=4,
    )
    val = DataLoader(dataset, batch_size=1, num_workers=2, in_order=False)
    return train, val
