import torch.nn as nn
import torch.nn.functional as F


class Up(nn.Module):
    def __init__(self):
        super().__init__()
        self.up = nn.Upsample(scale_factor=2, mode='nearest')
        self.old = nn.Upsample(scale_factor=2, mode="nearest")

    def forward(self, x, mode):
        y = F.interpolate(x, scale_factor=2, mode="nearest")
        return F.interpolate(y, scale_factor=2, mode=mode)
