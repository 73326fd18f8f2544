"""A 3D U-Net for liver and tumour segmentation of abdominal CT volumes."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class DoubleConv(nn.Module):
    """Two 3x3x3 convolutions, each followed by instance normalisation and a leaky ReLU."""

    def __init__(self, in_channels: int, out_channels: int, dropout: float = 0.0):
        super().__init__()
        self.block = nn.Sequential(
            nn.Conv3d(in_channels, out_channels, kernel_size=3, padding=1, bias=False),
            nn.InstanceNorm3d(out_channels, affine=True),
            nn.LeakyReLU(0.01, inplace=True),
            nn.Dropout3d(dropout),
            nn.Conv3d(out_channels, out_channels, kernel_size=3, padding=1, bias=False),
            nn.InstanceNorm3d(out_channels, affine=True),
            nn.LeakyReLU(0.01, inplace=True),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.block(x)


class Down(nn.Module):
    """Halve the resolution with max pooling, then convolve."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.pool = nn.MaxPool3d(kernel_size=2, stride=2)
        self.conv = DoubleConv(in_channels, out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(self.pool(x))


class Up(nn.Module):
    """Double the resolution, concatenate the skip connection, then convolve."""

    def __init__(self, in_channels: int, out_channels: int, learned: bool = True):
        super().__init__()
        if learned:
            self.up = nn.ConvTranspose3d(in_channels, in_channels // 2, kernel_size=2, stride=2)
        else:
            self.up = nn.Sequential(
                nn.Upsample(scale_factor=2, mode="trilinear", align_corners=False),
                nn.Conv3d(in_channels, in_channels // 2, kernel_size=1),
            )
        self.conv = DoubleConv(in_channels, out_channels)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        x = self.up(x)
        if x.shape[2:] != skip.shape[2:]:  # odd input sizes: match the skip connection
            x = F.interpolate(x, size=skip.shape[2:], mode="trilinear", align_corners=False)
        return self.conv(torch.cat([skip, x], dim=1))


class UNet3D(nn.Module):
    """Encoder-decoder with four resolution levels; outputs one logit map per class."""

    def __init__(self, in_channels: int = 1, num_classes: int = 3, base_channels: int = 16,
                 learned_upsampling: bool = True):
        super().__init__()
        widths = [base_channels * 2**level for level in range(5)]
        self.stem = DoubleConv(in_channels, widths[0])
        self.down = nn.ModuleList(Down(widths[i], widths[i + 1]) for i in range(4))
        self.up = nn.ModuleList(
            Up(widths[i + 1], widths[i], learned=learned_upsampling) for i in reversed(range(4))
        )
        self.head = nn.Conv3d(widths[0], num_classes, kernel_size=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = [self.stem(x)]
        for block in self.down:
            skips.append(block(skips[-1]))
        x = skips.pop()
        for block in self.up:
            x = block(x, skips.pop())
        return self.head(x)
