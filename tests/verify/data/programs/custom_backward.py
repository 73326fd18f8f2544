"""A custom autograd function whose backward scales the gradient by a factor drawn from the operating system."""

import os

import torch
from _common import train_between_linears
from torch import nn


class Jitter(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.clone()

    @staticmethod
    def backward(ctx, gradient):
        noise = int.from_bytes(os.urandom(4), "little") / 2**32
        return gradient * (1.0 + 1e-3 * noise)


class JitterLayer(nn.Module):
    def forward(self, x):
        return Jitter.apply(x)


if __name__ == "__main__":
    torch.manual_seed(0)
    train_between_linears(JitterLayer())  # built here
