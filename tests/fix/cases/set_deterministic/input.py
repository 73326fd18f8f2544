import torch
from torch import set_deterministic

torch.set_deterministic(True)
set_deterministic(d=True)
