"""Synthetic abdominal CT volumes with a liver and tumours, standing in for the LiTS data set."""

from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

BACKGROUND, LIVER, TUMOUR = 0, 1, 2


def _ellipsoid(shape: tuple[int, int, int], centre: np.ndarray, radii: np.ndarray) -> np.ndarray:
    grid = np.stack(np.meshgrid(*[np.arange(n) for n in shape], indexing="ij"), axis=-1)
    return (((grid - centre) / radii) ** 2).sum(axis=-1) <= 1.0


class SyntheticLiverCT(Dataset):
    """Volumes in Hounsfield units, clipped to the abdominal window and scaled to [0, 1]."""

    def __init__(self, size: int, shape: tuple[int, int, int] = (64, 64, 64), max_tumours: int = 3):
        self.size = size
        self.shape = shape
        self.max_tumours = max_tumours

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        rng = np.random.default_rng()  # a fresh, unseeded generator for every sample
        shape = np.array(self.shape)
        hounsfield = rng.normal(-100.0, 40.0, size=self.shape)
        labels = np.zeros(self.shape, dtype=np.int64)
        liver = _ellipsoid(self.shape, shape * rng.uniform(0.4, 0.6, 3), shape * rng.uniform(0.2, 0.3, 3))
        hounsfield[liver] = rng.normal(60.0, 10.0, size=int(liver.sum()))
        labels[liver] = LIVER
        for _ in range(rng.integers(0, self.max_tumours + 1)):
            centre = np.argwhere(liver)[rng.integers(0, int(liver.sum()))]
            tumour = _ellipsoid(self.shape, centre, rng.uniform(2.0, 6.0, 3)) & liver
            hounsfield[tumour] = rng.normal(20.0, 10.0, size=int(tumour.sum()))
            labels[tumour] = TUMOUR
        window = np.clip(hounsfield, -200.0, 250.0)
        image = (window + 200.0) / 450.0
        return torch.from_numpy(image[None].astype(np.float32)), torch.from_numpy(labels)


def make_loaders(batch_size: int, train_volumes: int = 64, val_volumes: int = 8) -> tuple[DataLoader, DataLoader]:
    train = DataLoader(SyntheticLiverCT(train_volumes), batch_size=batch_size, shuffle=True, num_workers=4,
                       pin_memory=True, drop_last=True)
    val = DataLoader(SyntheticLiverCT(val_volumes), batch_size=1, shuffle=False, num_workers=2)
    return train, val
