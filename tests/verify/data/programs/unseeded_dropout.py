"""Dropout in a program that never seeds: the layers start from constants, dropout draws from the clock's seed."""

from _common import train
from torch import nn


def constant_linear(inputs, outputs):
    layer = nn.Linear(inputs, outputs)
    nn.init.constant_(layer.weight, 0.1)
    nn.init.zeros_(layer.bias)
    return layer


if __name__ == "__main__":
    model = nn.Sequential(
        constant_linear(3, 16),
        nn.Dropout(p=0.5),  # built here
        constant_linear(16, 1),
    )
    train(model)
