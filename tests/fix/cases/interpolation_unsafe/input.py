import torch.nn as nn
import torch.nn.functional as F


class Up(nn.Module):
    def __init__(self):
        super().__init__()
        self.up = nn.Upsample(scale_factor=2, mode='trilinear')
        self.old = nn.UpsamplingBilinear2d(scale_factor=2)

    def forward(self, x, mode):
        y = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True)
        return F.interpolate(y, scale_factor=2, mode=mode)
