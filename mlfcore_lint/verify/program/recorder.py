"""The hooks a run installs before the user's code starts: what each module call and optimizer step did.

Everything here runs in the child process and imports PyTorch.  Global hooks see every module and every
optimizer without a change to the user's code:

* ``torch.nn.Module.__init__`` is wrapped to note where each module was built: the first frame of the call
  stack outside PyTorch and outside the ``__init__`` methods of the module itself, and the arguments its
  class's ``__init__`` received (so that ``Upsample(mode="trilinear")`` can be matched against the rules);
* a global forward pre-hook records the tensors that enter a module call without having come out of
  another recorded call (the batch, the result of functional code), the parameters of a module the first
  time it runs, and puts a view in front of each input that autograd tracks, whose gradient hook records
  what the module's backward computed for that input (its *input gradient*);
* a global forward hook records the module's outputs and hooks their gradients (the *output gradient*,
  computed by whatever used the output), and whether the call drew from the global random generator;
* global optimizer step hooks record the gradient of every parameter before a step and its value after,
  count the steps, and stop the program after the last one by raising :class:`StopTraining`.

Full backward hooks (``register_module_full_backward_hook``) are not used: PyTorch forbids an in-place
operation on a tensor they wrap, which would break every model with ``ReLU(inplace=True)``.  A module that
modifies its input in place gets no input-gradient record (the hook on a tensor modified in place is
dropped); the difference its backward makes shows in the next record.
"""

from __future__ import annotations

import hashlib
import os
import sys
import weakref
from dataclasses import dataclass, field

from .digest import Digest, digest_tensor

FORWARD, BACKWARD, UPDATE = "forward", "backward", "update"
INPUT, PARAMETERS, OUTPUT = "input", "parameters", "output"
OUTPUT_GRADIENT, INPUT_GRADIENT = "output-gradient", "input-gradient"
PARAMETER_GRADIENT, PARAMETER = "parameter-gradient", "parameter"
KINDS = (INPUT, PARAMETERS, OUTPUT, OUTPUT_GRADIENT, INPUT_GRADIENT, PARAMETER_GRADIENT, PARAMETER)
LITERALS = (str, int, float, bool, type(None))
RECENT = 4  # digests kept for tensors digested again at once (a gradient passed up through containers)


class StopTraining(BaseException):
    """Raised from the step hook after the last step; a BaseException, so ``except Exception`` lets it by."""


@dataclass
class ModuleInfo:
    index: int  # order of construction: the same module in every run of a deterministic program
    qualified_class: str  # torch.nn.modules.upsampling.Upsample
    site: str  # path:line where it was built
    arguments: dict  # literal arguments of its class's __init__ (name -> value)
    parameter_names: list[str]  # the names of its class's __init__ parameters, in order

    def to_json(self) -> dict:
        return {"index": self.index, "class": self.qualified_class, "site": self.site,
                "arguments": self.arguments, "parameter_names": self.parameter_names}


@dataclass
class Record:
    step: int  # 1-based: the optimizer step this record belongs to
    phase: str  # forward, backward or update
    kind: str  # one of KINDS
    module: int | None  # ModuleInfo.index; None for a parameter no module owns
    name: str  # the parameter's name, or the position of the tensor among the call's tensors
    digests: list[Digest] = field(default_factory=list)
    samples: list = field(default_factory=list)  # float64 arrays, one per digest
    draws_random: bool = False  # the call drew from the global random generator
    seed: int | None = None  # torch.initial_seed() at the time

    def to_json(self) -> dict:
        data = {"step": self.step, "phase": self.phase, "kind": self.kind, "module": self.module, "name": self.name,
                "tensors": [d.to_json() for d in self.digests], "seed": self.seed}
        if self.draws_random:
            data["draws_random"] = True
        return data


def _literal(value):
    if isinstance(value, LITERALS):
        return value
    if isinstance(value, (tuple, list)) and all(isinstance(v, LITERALS) for v in value):
        return list(value)
    return None


def _tensors(value) -> list:
    """The tensors in a module's output: a tensor, or tensors in (nested) tuples, lists and dict values."""
    import torch

    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for item in value for t in _tensors(item)]
    if isinstance(value, dict):
        return [t for item in value.values() for t in _tensors(item)]
    return []


class Recorder:
    """Collects the records of one run; installed once, before the user's code runs."""

    def __init__(self, steps: int, progress=None, record: bool = True):
        import time

        import torch

        self.torch = torch
        self.steps = steps
        self.step = 1
        self.progress = progress  # called with the number of steps done
        self.record = record  # False: only count and stop the steps (the plain run the benchmark compares with)
        self.clock = time.perf_counter
        self.first_call: float | None = None  # when the first module call started
        self.stopped_at: float | None = None  # when the last step ended
        self.pid = os.getpid()
        self.modules: list[ModuleInfo] = []
        self.records: list[Record] = []
        self.switch_on: list[bool] = []  # per step: torch.are_deterministic_algorithms_enabled()
        self._info: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # module -> ModuleInfo
        self._used: set[int] = set()  # modules whose parameters were recorded
        self._known: dict[int, tuple] = {}  # id(tensor) -> (weakref, version): came out of a recorded call
        self._torch_dir = os.path.dirname(torch.__file__) + os.sep
        self._own_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
        self._handles: list = []
        self._recent: list[tuple] = []  # (tensor, key, (digest, sample)) of the last tensors digested
        self._rng_before: list[bytes] = []  # the generator's state as each open module call started
        self.open_calls: list[int] = []  # modules whose forward is running, outermost first
        self._original_init = None

    # -- where modules are built ------------------------------------------------------------------
    def _note_module(self, module, site: str = "") -> None:
        if os.getpid() != self.pid or module in self._info:
            return
        own_init = {cls.__init__.__code__ for cls in type(module).__mro__
                    if "__init__" in cls.__dict__ and hasattr(cls.__init__, "__code__")}
        frame = sys._getframe(2)
        arguments: dict = {}
        names: list[str] = []
        while frame is not None and not site:
            code = frame.f_code
            if code in own_init and frame.f_locals.get("self") is module:
                if code is getattr(type(module).__init__, "__code__", None):
                    count = code.co_argcount + code.co_kwonlyargcount
                    names = list(code.co_varnames[1:count])
                    values = {n: frame.f_locals.get(n) for n in names}
                    arguments = {n: literal for n, v in values.items() if (literal := _literal(v)) is not None
                                 or v is None}
            elif not (code.co_filename.startswith(self._torch_dir) or code.co_filename.startswith(self._own_dir)):
                site = f"{code.co_filename}:{frame.f_lineno}"
            frame = frame.f_back
        cls = type(module)
        info = ModuleInfo(len(self.modules), f"{cls.__module__}.{cls.__qualname__}", site or "?", arguments, names)
        self.modules.append(info)
        self._info[module] = info

    def _module_index(self, module) -> int:
        info = self._info.get(module)
        if info is None:  # built before the hooks were installed
            self._note_module(module, site="built before the hooks were installed")
            info = self._info[module]
        return info.index

    # -- digests ----------------------------------------------------------------------------------
    def _seed(self) -> int | None:
        try:
            return int(self.torch.initial_seed())
        except RuntimeError:
            return None

    def _record(self, phase: str, kind: str, module: int | None, name: str, tensors, draws_random=False) -> None:
        record = Record(self.step, phase, kind, module, name, draws_random=draws_random, seed=self._seed())
        for tensor in tensors:
            digest, sample = self._digest(tensor)
            record.digests.append(digest)
            record.samples.append(sample)
        self.records.append(record)

    def _is_known(self, tensor) -> bool:
        entry = self._known.get(id(tensor))
        return entry is not None and entry[0]() is tensor and entry[1] == tensor._version

    def _remember(self, tensor) -> None:
        try:
            self._known[id(tensor)] = (weakref.ref(tensor), tensor._version)
        except TypeError:
            pass
        if len(self._known) > 100_000:  # drop entries whose tensors are gone
            self._known = {k: v for k, v in self._known.items() if v[0]() is not None}

    def _rng_state(self) -> bytes:
        state = hashlib.blake2b(self.torch.random.get_rng_state().numpy().tobytes(), digest_size=8).digest()
        if self.torch.cuda.is_available() and self.torch.cuda.is_initialized():
            try:
                offsets = [g.get_offset() for g in self.torch.cuda.default_generators]
            except (RuntimeError, AttributeError):
                offsets = []
            state += repr(offsets).encode()
        return state

    # -- module hooks -----------------------------------------------------------------------------
    def _first_call(self, module, args):
        if self.first_call is None:
            self.first_call = self.clock()

    def _forward_pre(self, module, args):
        if os.getpid() != self.pid:
            return None
        if self.first_call is None:
            self.first_call = self.clock()
        torch = self.torch
        index = self._module_index(module)
        if index not in self._used:
            self._used.add(index)
            parameters = [(n, p) for n, p in module._parameters.items() if p is not None]
            if parameters:
                self._record(FORWARD, PARAMETERS, index, ",".join(n for n, _ in parameters), [p for _, p in parameters])
        external = [(position, t) for position, t in enumerate(args)
                    if isinstance(t, torch.Tensor) and not self._is_known(t)]
        if external:
            self._record(FORWARD, INPUT, index, ",".join(str(p) for p, _ in external), [t for _, t in external])
            for _, tensor in external:
                self._remember(tensor)
        self._rng_before.append(self._rng_state())
        self.open_calls.append(index)
        if not torch.is_grad_enabled():
            return None
        changed = list(args)
        aliases: dict[int, object] = {}  # one alias per tensor: ``query is key`` must stay true in the module
        for position, value in enumerate(args):
            if isinstance(value, torch.Tensor) and value.requires_grad and value.layout == torch.strided:
                if id(value) not in aliases:
                    alias = aliases[id(value)] = value.view_as(value)
                    alias.register_hook(self._gradient_hook(INPUT_GRADIENT, index, str(position)))
                    self._remember(alias)
                changed[position] = aliases[id(value)]
        return tuple(changed) if any(a is not b for a, b in zip(args, changed, strict=True)) else None

    def _gradient_hook(self, kind: str, index: int, name: str):
        def hook(gradient):
            if gradient is not None:
                self._record(BACKWARD, kind, index, name, [gradient])

        return hook

    def _digest(self, tensor):
        """Digest and sample of a tensor; the same gradient handed up through nested modules is hashed once.

        The last few tensors digested are kept (alive, so their memory cannot be reused) with their digests,
        keyed by storage, shape, strides, dtype and version counter.
        """
        try:
            key = (tensor.data_ptr(), tuple(tensor.shape), tensor.stride(), tensor.dtype, tensor.device,
                   tensor._version)
        except RuntimeError:  # no storage (a meta or functional tensor)
            return digest_tensor(tensor)
        for _kept, kept_key, result in self._recent:
            if kept_key == key:
                return result
        result = digest_tensor(tensor)
        self._recent = [(tensor, key, result)] + self._recent[:RECENT - 1]
        return result

    def _forward(self, module, args, output):
        if os.getpid() != self.pid:
            return
        index = self._module_index(module)
        draws = bool(self._rng_before) and self._rng_before.pop() != self._rng_state()
        if self.open_calls:
            self.open_calls.pop()
        fresh = [(position, t) for position, t in enumerate(_tensors(output)) if not self._is_known(t)]
        if not fresh:
            return
        self._record(FORWARD, OUTPUT, index, ",".join(str(p) for p, _ in fresh), [t for _, t in fresh], draws)
        for position, tensor in fresh:
            self._remember(tensor)
            if tensor.requires_grad and self.torch.is_grad_enabled():
                tensor.register_hook(self._gradient_hook(OUTPUT_GRADIENT, index, str(position)))

    # -- optimizer hooks --------------------------------------------------------------------------
    def _owners(self) -> dict[int, tuple[int, str]]:
        owners: dict[int, tuple[int, str]] = {}
        for module, info in list(self._info.items()):
            for name, parameter in module._parameters.items():
                if parameter is not None:
                    owners.setdefault(id(parameter), (info.index, name))
        return owners

    def _parameters(self, optimizer):
        owners = self._owners()
        for group_index, group in enumerate(optimizer.param_groups):
            for position, parameter in enumerate(group["params"]):
                module, name = owners.get(id(parameter), (None, f"param_groups[{group_index}][{position}]"))
                yield module, name, parameter

    def _step_pre(self, optimizer, args, kwargs):
        if os.getpid() != self.pid:
            return
        for module, name, parameter in self._parameters(optimizer):
            if parameter.grad is not None:
                self._record(BACKWARD, PARAMETER_GRADIENT, module, name, [parameter.grad])

    def _step_post(self, optimizer, args, kwargs):
        if os.getpid() != self.pid:
            return
        if self.record:
            for module, name, parameter in self._parameters(optimizer):
                self._record(UPDATE, PARAMETER, module, name, [parameter])
        self.switch_on.append(bool(self.torch.are_deterministic_algorithms_enabled()))
        if self.progress is not None:
            self.progress(self.step)
        if self.step >= self.steps:
            self.stopped_at = self.clock()
            raise StopTraining
        self.step += 1
        self._known.clear()
        self._recent = []

    # -- installing -------------------------------------------------------------------------------
    def install(self) -> None:
        torch = self.torch
        from torch.optim import optimizer as optimizers

        hooks = torch.nn.modules.module
        if not self.record:
            self._handles = [hooks.register_module_forward_pre_hook(self._first_call),
                             optimizers.register_optimizer_step_post_hook(self._step_post)]
            return
        original = torch.nn.Module.__init__
        recorder = self

        def __init__(module, *args, **kwargs):
            recorder._note_module(module)
            original(module, *args, **kwargs)

        __init__.__wrapped__ = original
        torch.nn.Module.__init__ = __init__
        self._original_init = original
        self._handles = [
            hooks.register_module_forward_pre_hook(self._forward_pre),
            hooks.register_module_forward_hook(self._forward),
            optimizers.register_optimizer_step_pre_hook(self._step_pre),
            optimizers.register_optimizer_step_post_hook(self._step_post),
        ]

    def uninstall(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []
        if self._original_init is not None:
            self.torch.nn.Module.__init__ = self._original_init
            self._original_init = None
