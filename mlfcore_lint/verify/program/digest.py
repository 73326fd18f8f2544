"""What a run keeps of a tensor: the hash of its bits, a few statistics and a sample of its values.

Two runs agree on a tensor when the hashes agree.  Where they disagree, the largest absolute difference is
computed from what was kept: exactly for tensors of up to ``FULL_LIMIT`` elements (every value is kept), and
as a lower bound for larger ones (the largest difference over ``SAMPLE_SIZE`` evenly spaced elements, the
difference of the minima and of the maxima, each of which the largest difference bounds).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

FULL_LIMIT = 4096  # tensors up to this many elements keep every value
SAMPLE_SIZE = 1024  # larger ones keep this many evenly spaced values


@dataclass(frozen=True)
class Digest:
    hash: str
    shape: tuple[int, ...]
    dtype: str
    exact: bool  # the sample holds every value
    minimum: float
    maximum: float
    mean: float

    def to_json(self) -> dict:
        return {"hash": self.hash, "shape": list(self.shape), "dtype": self.dtype, "exact": self.exact,
                "min": _number(self.minimum), "max": _number(self.maximum), "mean": _number(self.mean)}

    @classmethod
    def from_json(cls, data: dict) -> Digest:
        return cls(str(data["hash"]), tuple(int(n) for n in data["shape"]), str(data["dtype"]), bool(data["exact"]),
                   _float(data["min"]), _float(data["max"]), _float(data["mean"]))


def _number(value: float):
    return value if math.isfinite(value) else repr(value)  # JSON has no inf or nan


def _float(value) -> float:
    return float(value)  # float("inf"), float("nan") read the repr back


def digest_tensor(tensor):
    """(Digest, sample as a float64 NumPy array) of a torch tensor, on any device (in the child process)."""
    import torch

    value = tensor.detach()
    if value.layout != torch.strided:
        value = value.to_dense()
    value = value.cpu().contiguous()
    flat = value.reshape(-1)
    raw = flat.view(torch.uint8) if flat.numel() else flat.new_empty(0, dtype=torch.uint8)
    # SHA-1 of the buffer itself (no copy): an equality check, not security; CPUs hash it in hardware.
    hashed = hashlib.sha1(raw.numpy(), usedforsecurity=False).hexdigest()
    numbers = torch.view_as_real(flat).reshape(-1) if flat.is_complex() else flat
    if numbers.dtype == torch.bool:
        numbers = numbers.to(torch.uint8)
    count = numbers.numel()
    if count > FULL_LIMIT:
        positions = torch.linspace(0, count - 1, SAMPLE_SIZE, dtype=torch.float64).round().long()
        sample = numbers[positions].to(torch.float64)
    else:
        sample = numbers.to(torch.float64)
    if count > FULL_LIMIT:
        try:
            low, high = torch.aminmax(numbers)
            minimum, maximum = float(low), float(high)
        except (RuntimeError, TypeError):  # dtypes without a CPU kernel
            minimum, maximum = float(numbers.min()), float(numbers.max())
        mean = math.nan  # a float32 sum's rounding could exceed the differences it should bound
    elif count:
        minimum, maximum, mean = float(sample.min()), float(sample.max()), float(sample.mean())
    else:
        minimum = maximum = mean = 0.0
    return (Digest(hashed, tuple(value.shape), str(value.dtype).removeprefix("torch."), count <= FULL_LIMIT,
                   minimum, maximum, mean), sample.numpy())


def largest_difference(first: Digest, second: Digest, first_sample, second_sample) -> tuple[float, bool]:
    """(largest absolute difference, whether it is exact) of two digests of the same tensor in two runs."""
    from ..compare import array_difference

    if first.hash == second.hash:
        return 0.0, True
    if first.shape != second.shape or first.dtype != second.dtype:
        return math.inf, True
    _, sampled = array_difference(first_sample, second_sample)
    if first.exact:
        return sampled, True
    bounds = [sampled]
    for a, b in ((first.minimum, second.minimum), (first.maximum, second.maximum), (first.mean, second.mean)):
        if math.isfinite(a) and math.isfinite(b):
            bounds.append(abs(a - b))
    return max(bounds), False
