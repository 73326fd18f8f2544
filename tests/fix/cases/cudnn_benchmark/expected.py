import torch

# Let cuDNN pick the fastest kernels.
torch.backends.cudnn.benchmark = False
