import torch

torch.use_deterministic_algorithms(
    True,
    warn_only=True,
)
torch.use_deterministic_algorithms(True, warn_only=True)  # keep this comment
torch.set_deterministic_debug_mode("warn")
