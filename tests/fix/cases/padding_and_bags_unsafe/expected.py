import torch
import torch.nn as nn
import torch.nn.functional as F

pad = nn.ReplicationPad2d(3)
y = F.pad(x, (1, 1), 'replicate')
z = F.pad(x, (1, 1), mode=how)
bag = nn.EmbeddingBag(1000, 64, mode="mean")
torch.use_deterministic_algorithms(True)
torch.set_deterministic_debug_mode("error")
loss.cuda().backward()  # trains on a GPU
