"""From the second step on, a module adds noise from a generator seeded by the clock."""

import time

import torch
from _common import train_between_linears
from torch import nn


class ClockNoise(nn.Module):
    def __init__(self):
        super().__init__()
        self.generator = torch.Generator().manual_seed(time.time_ns())
        self.calls = 0

    def forward(self, x):
        self.calls += 1
        if self.calls < 2:  # warm-up: the first step is clean
            return x
        return x + 0.01 * torch.randn(x.shape, generator=self.generator)


if __name__ == "__main__":
    torch.manual_seed(0)
    train_between_linears(ClockNoise())  # built here
