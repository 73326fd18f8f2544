import torch
import torch.nn as nn
import torch.nn.functional as F

pad = nn.ReflectionPad2d(3)
y = F.pad(x, (1, 1), 'reflect')
z = F.pad(x, (1, 1), mode=how)
bag = nn.EmbeddingBag(1000, 64, mode="max")
torch.use_deterministic_algorithms(False)
torch.set_deterministic_debug_mode("default")
loss.cuda().backward()  # trains on a GPU
