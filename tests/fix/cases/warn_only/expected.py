import torch

torch.use_deterministic_algorithms(
    True,
)
torch.use_deterministic_algorithms(True)  # keep this comment
torch.set_deterministic_debug_mode("error")
