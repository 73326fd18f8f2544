"""The training loop the test programs share: a tiny regression, a few SGD steps (imported like user code)."""

import torch


def train(model, steps=4, width=3):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    inputs = torch.linspace(-1.0, 1.0, 8 * width).reshape(8, width)
    targets = inputs.sum(dim=1, keepdim=True)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(inputs), targets)
        loss.backward()
        optimizer.step()
    return model


def train_between_linears(layer, steps=4):
    """Train ``Linear(3, 4) -> layer -> Linear(4, 1)``."""
    return train(torch.nn.Sequential(torch.nn.Linear(3, 4), layer, torch.nn.Linear(4, 1)), steps)
