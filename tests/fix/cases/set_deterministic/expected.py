import torch
from torch import use_deterministic_algorithms

torch.use_deterministic_algorithms(True)
use_deterministic_algorithms(mode=True)
