"""Data loading."""
import random

import numpy as np
import torch
from torch.utils.data import DataLoader


def seed_worker(worker_id):
    """Seed a DataLoader worker from its torch seed (added by mlfcore-fix)."""
    worker_seed = torch.initial_seed() % 2**32
    np.random.seed(worker_seed)
    random.seed(worker_seed)


def loaders(dataset, g):
    train = DataLoader(
        dataset,
        batch_size=32,
        num_workers=4,
        generator=torch.Generator().manual_seed(torch.initial_seed()),
        worker_init_fn=seed_worker,
    )
    val = DataLoader(dataset, num_workers=2, generator=g)
    return train, val
