"""Max-unpooling, which has no deterministic implementation: it raises under the determinism switch."""

import torch
from torch import nn


class PoolUnpool(nn.Module):
    def __init__(self):
        super().__init__()
        self.pool = nn.MaxPool2d(2, return_indices=True)
        self.unpool = nn.MaxUnpool2d(2)  # built here
        self.scale = nn.Parameter(torch.ones(1))

    def forward(self, x):
        pooled, indices = self.pool(x * self.scale)
        return self.unpool(pooled, indices)


if __name__ == "__main__":
    torch.manual_seed(0)
    model = PoolUnpool()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    images = torch.rand(2, 1, 4, 4)
    for _ in range(3):
        optimizer.zero_grad()
        model(images).square().mean().backward()
        optimizer.step()
