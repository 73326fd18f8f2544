"""The program model: where each program of a project starts, what it runs, whether it trains, and which code
runs under autograd.

Built once per project step from the per-file facts (``FileFacts.scopes`` and ``classes``, see
:mod:`mlfcore_lint.engine.calls`), shared by the command, the flake8 and pylint plugins and the fixer.

- **Entry points**: an ``if __name__ == "__main__":`` block; a module-level script (a module no other project
  module imports, whose top level runs code; notebooks are such scripts); the function a console script
  names (``pkg.run:main``); a configured ``entry-points`` glob. Tests and build tooling are not programs.
- **Call graph**: each scope's calls resolved to the project's functions and methods: names bound in the
  module, absolute and relative imports, ``self.method()`` through the class and its project bases, and
  other ``x.method()`` calls to every project method of that name.
- **What a program does**: it trains when a scope it reaches trains (``loss.backward()``, ``optimizer.step()``,
  ``trainer.fit(...)``, ``model.fit(...)``, ``tape.gradient(...)``, ``xgb.train(...)``); it draws random
  numbers from the generators its scopes draw from.
- **Differentiation context** of a scope: *differentiated* when it is reached from a scope that
  differentiates (a backward pass, a gradient tape) or from a module's ``forward``/``call``/``training_step``;
  *not differentiated* when it is reached only from data loading (``Dataset`` methods, ``__getitem__``,
  transforms' ``__call__``, functions a data pipeline maps), metrics, ``no_grad`` callers and top-level code
  that differentiates nothing; *unknown* otherwise (nothing in the project calls it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from itertools import chain
from sys import intern
from typing import TYPE_CHECKING

from .calls import DIFFERENTIATES, MAIN_SCOPE, MODULE_SCOPE, TRAINS
from .graph import Summaries

if TYPE_CHECKING:
    from .project import SourceFile

Node = tuple[str, str]  # (relative path of the file, scope key)
Chunks = tuple[tuple[Node, ...], ...]  # the targets of each reference of a scope (see ``ProgramModel._callees_of``)
OPAQUE = "*"  # the functions of a module read without its scopes
#: The file of a hub node (see ``ProgramModel.resolve``): no path holds a NUL character.
HUB = "\0hub"
#: A reference that resolves alike from every caller to this many scopes or more leads to them through a hub.
HUB_FANOUT = 8
TRAINS_BIT = 1
DIFFERENTIATES_BIT = 2  # it computes gradients (applied or not); the generators' bits follow

DIFFERENTIATED, NOT_DIFFERENTIATED, UNKNOWN = "differentiated", "not-differentiated", "unknown"

#: Base classes (qualified-name prefixes) whose subclasses' forward methods autograd records.
_MODULE_BASES = (
    "torch.nn.", "torch.autograd.Function", "lightning.LightningModule", "lightning.pytorch.LightningModule",
    "lightning.pytorch.core.LightningModule", "pytorch_lightning.LightningModule", "tensorflow.keras.Model",
    "tensorflow.keras.layers.", "tensorflow.keras.models.", "tensorflow.Module", "keras.Model",
    "keras.layers.", "keras.models.", "tf_keras.",
)
_FORWARD_METHODS = frozenset({
    "forward", "__call__", "call", "training_step", "train_step", "compute_loss", "backward", "loss",
})
#: Base classes whose subclasses load, transform or measure data: nothing in them is differentiated.
_DATA_BASES = (
    "torch.utils.data.", "tensorflow.keras.utils.Sequence", "tensorflow.keras.utils.PyDataset",
    "keras.utils.Sequence", "keras.utils.PyDataset", "torchmetrics.", "lightning.LightningDataModule",
    "lightning.pytorch.LightningDataModule", "pytorch_lightning.LightningDataModule", "torchvision.transforms.",
    "torchvision.datasets.",
)
_DATA_METHODS = frozenset({"__getitem__", "__iter__", "__next__", "__len__", "collate_fn"})
#: Lightning runs these under ``torch.no_grad()``.
_NO_GRAD_METHODS = frozenset({"validation_step", "test_step", "predict_step"})
_TEST_FOLDERS = frozenset({"tests", "test", "testing"})
#: Scripts that build, test or document a project and never train a model.
TOOLING_SCRIPTS = frozenset({"setup.py", "conftest.py", "noxfile.py", "fabfile.py", "conf.py", "__init__.py"})


#: Frameworks that put the work on a GPU by themselves when one is present (TensorFlow and Keras place ops on it,
#: Lightning's and the Hugging Face trainers' accelerator is "auto", JAX's default backend is the GPU): a program
#: that uses one of them and names no device may run on a GPU. PyTorch, XGBoost and scikit-learn never do.
PLACES_ON_GPU = frozenset({
    "tensorflow", "keras", "tf_keras", "lightning", "pytorch_lightning", "jax", "flax", "transformers", "accelerate",
    "detectron2", "mmengine", "mmcv", "mmdet", "fastai", "deepspeed", "ultralytics", "composer", "horovod", "ray",
    "stable_baselines3", "sb3_contrib",
})


#: A device name for a module that imports a framework which picks a GPU by itself (see ``device_names``).
PICKS_GPU = "picks-gpu"


def device_names(facts) -> list[str]:
    """The devices a module's facts name, and ``PICKS_GPU`` where it imports a framework that picks a GPU."""
    if any(name.partition(".")[0] in PLACES_ON_GPU for name in facts.imports):
        return [*facts.devices, PICKS_GPU]
    return facts.devices


def _uses_gpu(entry: SourceFile, named: set[str]) -> bool:
    """Whether a program may run on a GPU: the devices its entry point names, else those its modules name
    (``named``: ``device_names`` over its modules); it runs on the CPU only where it names the CPU
    (``torch.device("cpu")``, ``accelerator="cpu"``) and no GPU, or where it moves nothing to a device
    (``.to(device)``) and none of its modules uses a framework that picks a GPU by itself."""
    for devices in (set(entry.facts.devices), named):
        if "gpu" in devices:
            return True
        if "cpu" in devices:
            return False
        if "chosen" in devices:
            return True
    return PICKS_GPU in named


def relative_module(module: str, is_package: bool, level: int, imported: str) -> str:
    """The absolute name of ``from <level dots><imported> import ...`` written in ``module`` ("" for the root)."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - (level - 1)] if level > 1 else package
    return ".".join(base + ([imported] if imported else []))


def in_test_folder(relative: str) -> bool:
    """Test code by its place alone: ``conftest.py``, or any file below a folder named ``tests``, ``test`` or
    ``testing`` (``relative``: a POSIX path from the root, as the project step names files)."""
    *folders, name = relative.split("/")
    return name == "conftest.py" or any(part in _TEST_FOLDERS for part in folders)


def is_test_code(relative: str, scopes: Iterable[str] = ()) -> bool:
    """Tests run under a test runner, not as a training program: ``tests/...``, ``conftest.py``, and
    ``test_*.py`` or ``*_test.py`` that hold tests (given its ``scopes``, a script only named so, such as
    ``train_evaluate_test.py`` with no test in it, is a program)."""
    if in_test_folder(relative):
        return True
    name = relative.rpartition("/")[2]
    if name.startswith("test_") or name.endswith("_test.py"):
        return not scopes or any(_is_test(key) for key in scopes)
    return False


def _is_test(scope: str) -> bool:
    """A test function or a test class's scope (``test_forward``, ``TestModel.test_step``)."""
    parts = scope.split(".")
    return parts[-1].startswith("test") or parts[0].startswith("Test")


def _alike_from_every_caller(reference: str) -> bool:
    """Whether a call reference names the same scopes from every caller: ``.method``, a qualified name
    (``q:``), a relative import's name (``r:``, from every caller in one module); not a name looked up from the
    caller's scope outwards (``@name``) or a method of the caller's class (``s:``)."""
    return reference[0] == "." or reference.startswith(("q:", "r:"))


#: Prefix of a bit of ``ProgramModel._does`` for a requirement that a scope's own import triggers.
IMPORTED = "imported: "


@dataclass
class Program:
    entry: SourceFile
    starts: tuple[str, ...]
    line: int
    column: int
    kind: str  # "main", "script", "console-script", "configured"
    # the entry and the project modules it imports, listed on each use (``files``): a project's programs
    # together reach its modules many times over
    members: Callable[[], list[SourceFile]] | None = field(default=None, repr=False, compare=False)
    uses_gpu: bool = True  # False where it visibly runs on the CPU only
    # What the scopes it reaches do, summed on first use (checking one file asks only about its programs).
    does: Callable[[], tuple[bool, bool, set[str], set[str]]] | None = field(default=None, repr=False, compare=False)
    _done: tuple[bool, bool, set[str], set[str]] | None = field(default=None, repr=False, compare=False)

    @property
    def files(self) -> list[SourceFile]:
        return self.members() if self.members is not None else [self.entry]

    def _what(self) -> tuple[bool, bool, set[str], set[str]]:
        if self._done is None:
            self._done = self.does() if self.does is not None else (False, False, set(), set())
        return self._done

    @property
    def trains(self) -> bool:
        return self._what()[0]

    @property
    def differentiates(self) -> bool:
        """Whether it computes gradients, applied or not (a saliency map, a one-gradient demo)."""
        return self._what()[1]

    @property
    def draws(self) -> set[str]:
        """Requirement codes of the generators its scopes draw from."""
        return self._what()[2]

    @property
    def imported_where_called(self) -> set[str]:
        """Requirement codes that imports inside the functions it runs trigger (a helper's lazy ``import torch``):
        the framework is loaded once that function runs."""
        return self._what()[3]


class ProgramModel:
    def __init__(self, files: list[SourceFile], modules: dict[str, SourceFile],
                 imports_of: Callable[[SourceFile, bool], list[SourceFile]]):
        self.files = files
        self.modules = modules
        self.imports_of = imports_of
        self.by_path = {source.relative: source for source in files}
        self.importers: dict[str, int] = {}
        for source in files:
            for target in imports_of(source):
                if target is not source:
                    self.importers[target.relative] = self.importers.get(target.relative, 0) + 1
        self.methods: dict[str, list[Node]] = {}  # method name -> every project method of that name
        for source in files:
            if not self._importable(source):
                continue
            for key in source.facts.scopes:
                owner, _, name = key.rpartition(".")
                if owner in source.facts.classes:
                    self.methods.setdefault(name, []).append((source.relative, key))
        self._resolved: dict[object, tuple[Node, ...]] = {}  # see ``resolve``
        # see ``_callees_of``: what each node calls where autograd records, and (kept only where there is
        # some) what it calls where autograd does not
        self._callees: dict[Node, Chunks] = {}
        self._callees_quiet: dict[Node, Chunks] = {}
        self._hub_targets: dict[str, tuple[Node, ...]] = {}  # see ``resolve``
        self._class_kinds: dict[Node, str] = {}
        self._bases: dict[Node, tuple[tuple[SourceFile, str], ...]] = {}  # see ``_project_bases``
        self._context: dict[Node, str] | None = None
        self._draw_bits: dict[str, int] = {}  # requirement code of a generator -> its bit in ``_does``

    def _importable(self, source: SourceFile) -> bool:
        """A module other code can import: not a notebook, a test, or a script nothing imports."""
        return (source.relative.endswith(".py") and not is_test_code(source.relative, source.facts.scopes)
                and (not source.facts.first_statement or bool(self.importers.get(source.relative))))

    # ------------------------------------------------------------------ resolving references

    def resolve(self, caller: Node, reference: str) -> tuple[Node, ...]:
        """The scopes ``reference`` (a call's target, as ``calls.py`` records it) in ``caller`` may run. A
        reference whose targets do not depend on the caller's scope is resolved once per project (or module);
        any other once per caller, through ``_callees_of``.

        Where a reference resolves alike from every caller to many scopes (``x.forward()``: every ``forward``
        of the project), it resolves to one *hub* node that leads to them: the walks of the call graph then
        pass each such set once, not once per caller (see ``reach``, which leaves hubs out)."""
        if not _alike_from_every_caller(reference):
            return tuple(self._resolve(caller, reference))
        # ``.name`` and a qualified name mean the same wherever they are called from, ``r:`` anywhere in a module
        key = (caller[0], reference) if reference.startswith("r:") else reference
        found = self._resolved.get(key)
        if found is None:
            found = tuple(self._resolve(caller, reference))
            if len(found) >= HUB_FANOUT and isinstance(key, str):  # a hub is named by its reference
                self._hub_targets[key] = found
                found = ((HUB, key),)
            self._resolved[key] = found
        return found

    def _resolve(self, caller: Node, reference: str) -> list[Node]:
        source = self.by_path[caller[0]]
        kind, text = reference[0], reference[1:]
        if kind == "@":
            return self._in_module(source, text.split("."), caller[1])
        if kind == ".":
            return list(self.methods.get(text, ()))
        if reference.startswith("q:"):
            return self._qualified(text[1:].split("."))
        if reference.startswith("r:"):
            return self._relative(source, text[1:])
        if reference.startswith(("s:", "S:")):
            owner = self._enclosing_class(source, caller[1])
            if owner is None:
                return []
            return self._method(source, owner, text[1:], include_own=kind == "s", depth=0)
        return []

    def _in_module(self, source: SourceFile, parts: list[str], caller_key: str) -> list[Node]:
        """``name`` or ``Class.method`` bound in ``source``, looked up from the caller's scope outwards."""
        prefixes = caller_key.split(".") if caller_key not in (MODULE_SCOPE, MAIN_SCOPE) else []
        for end in range(len(prefixes), -1, -1):
            found = self._scope_named(source, prefixes[:end] + parts)
            if found:
                return found
        return []

    def _scope_named(self, source: SourceFile, parts: list[str], depth: int = 0) -> list[Node]:
        key = ".".join(parts)
        scopes, classes = source.facts.scopes, source.facts.classes
        if key in scopes:
            return [(source.relative, intern(key))]  # the scope's own name (facts intern theirs), not a copy
        if key in classes:  # a class called: its constructor runs
            return self._method(source, key, "__init__", include_own=True, depth=0)
        if len(parts) > 1 and ".".join(parts[:-1]) in classes:
            return self._method(source, ".".join(parts[:-1]), parts[-1], include_own=True, depth=0)
        found = self._reexported(source, parts, depth) if depth < 8 else []
        if found is None and source.facts.skipped:  # read without its scopes: whatever it calls, it imports
            return [(source.relative, OPAQUE)]
        return found or []

    def _reexported(self, source: SourceFile, parts: list[str], depth: int) -> list[Node] | None:
        """``name`` where the module imports it from another project module (a package's ``__init__``); None
        where no import of the module names it."""
        name = parts[0]
        for level, module, names in source.facts.relative_imports:
            if name in names:
                prefix = self._relative_module(source, level, module)
                submodule = self.modules.get(f"{prefix}.{name}" if prefix else name)
                if submodule is not None and len(parts) > 1:
                    return self._scope_named(submodule, parts[1:], depth + 1)
                target = self.modules.get(prefix) if prefix else None
                if target is not None and target is not source:
                    return self._scope_named(target, parts, depth + 1)
                return []
        for imported in source.facts.imports:
            module, _, last = imported.rpartition(".")
            if last == name and module:
                target = self.modules.get(module)
                if target is not None and target is not source:
                    return self._scope_named(target, parts, depth + 1)
                return []
        return None

    def _qualified(self, parts: list[str]) -> list[Node]:
        whole = self.modules.get(".".join(parts))
        if whole is not None:  # a module handed over (``worker.main(fixture)``): its functions may run
            return [(whole.relative, key) for key in whole.facts.scopes if key not in (MODULE_SCOPE, MAIN_SCOPE)]
        for end in range(len(parts) - 1, 0, -1):
            target = self.modules.get(".".join(parts[:end]))
            if target is not None:
                return self._scope_named(target, parts[end:])
        return []

    def _relative(self, source: SourceFile, text: str) -> list[Node]:
        level_text, module, rest = text.split(":", 2)
        name, *attributes = rest.split(".")
        prefix = self._relative_module(source, int(level_text), module)
        as_module = self.modules.get(f"{prefix}.{name}" if prefix else name)
        if as_module is not None and attributes:
            return self._scope_named(as_module, attributes)
        target = self.modules.get(prefix) if prefix else None
        return self._scope_named(target, [name, *attributes]) if target is not None else []

    @staticmethod
    def _relative_module(source: SourceFile, level: int, imported: str) -> str:
        return relative_module(source.module, source.relative.endswith("__init__.py"), level, imported)

    def _enclosing_class(self, source: SourceFile, key: str) -> str | None:
        parts = key.split(".")
        for end in range(len(parts) - 1, 0, -1):
            owner = ".".join(parts[:end])
            if owner in source.facts.classes:
                return owner
        return None

    def _method(self, source: SourceFile, owner: str, name: str, include_own: bool, depth: int) -> list[Node]:
        """``name`` in the class ``owner`` of ``source``, or else in its project bases (the first that has it)."""
        key = f"{owner}.{name}"
        if include_own and key in source.facts.scopes:
            return [(source.relative, intern(key))]  # the scope's own name (facts intern theirs), not a copy
        if depth > 8:
            return []
        for base_source, base in self._project_bases(source, owner):
            found = self._method(base_source, base, name, include_own=True, depth=depth + 1)
            if found:
                return found
        return []

    def _project_bases(self, source: SourceFile, owner: str) -> tuple[tuple[SourceFile, str], ...]:
        """The project classes ``owner`` of ``source`` derives from (asked for every call of a method it inherits)."""
        key = (source.relative, intern(owner))
        found = self._bases.get(key)
        if found is None:
            found = self._bases[key] = tuple(
                (self.by_path[path], base) for reference in source.facts.classes.get(owner, ())
                for path, base in self._class_reference(source, reference))
        return found

    def _class_reference(self, source: SourceFile, reference: str) -> list[Node]:
        """The project class a base-class reference names."""
        if reference.startswith("@"):
            key = reference[1:]
            return [(source.relative, key)] if key in source.facts.classes else []
        if reference.startswith("q:"):
            parts = reference[2:].split(".")
            for end in range(len(parts) - 1, 0, -1):
                target = self.modules.get(".".join(parts[:end]))
                if target is not None:
                    key = ".".join(parts[end:])
                    return [(target.relative, key)] if key in target.facts.classes else []
            return []
        if reference.startswith("r:"):
            level_text, module, rest = reference[2:].split(":", 2)
            prefix = self._relative_module(source, int(level_text), module)
            target = self.modules.get(prefix) if prefix else None
            if target is not None and rest in target.facts.classes:
                return [(target.relative, rest)]
        return []

    def class_kind(self, source: SourceFile, owner: str, depth: int = 0) -> str:
        """"module" (autograd records its forward), "data" (loads, transforms or measures data), "plain"
        (no base, or only project bases of neither kind) or "unknown" (a base outside the project)."""
        key = (source.relative, intern(owner))  # the class's own name (facts intern theirs), not a copy
        if key in self._class_kinds:
            return self._class_kinds[key]
        self._class_kinds[key] = "unknown"  # a cycle of bases
        kinds = set()
        for reference in source.facts.classes.get(owner, ()):
            if reference.startswith("q:"):
                name = reference[2:]
                if name.startswith(_MODULE_BASES):
                    kinds.add("module")
                    continue
                if name.startswith(_DATA_BASES):
                    kinds.add("data")
                    continue
                if name in ("object", "abc.ABC", "typing.Generic", "enum.Enum"):
                    continue
            bases = self._class_reference(source, reference)
            if not bases:
                kinds.add("unknown")
            for path, base in bases:
                kinds.add(self.class_kind(self.by_path[path], base, depth + 1) if depth < 8 else "unknown")
        kinds.discard("plain")
        kind = "module" if "module" in kinds else "data" if "data" in kinds else "unknown" if kinds else "plain"
        self._class_kinds[key] = kind
        return kind

    # ------------------------------------------------------------------ reachability

    def callees(self, node: Node, quiet: bool = True) -> Iterable[Node]:
        """What ``node`` calls; ``quiet``: with what it calls where autograd does not record."""
        loud, silent = self._callees_of(node)
        return chain.from_iterable(chain(loud, silent) if quiet else loud)

    def _callees_of(self, node: Node) -> tuple[Chunks, Chunks]:
        """What ``node`` calls where autograd records, and what it calls where autograd does not: the targets of
        each of its references, resolved once per node (every walk of the call graph asks again for each node it
        passes), kept as the tuples ``resolve`` gives (``x.forward()`` may run every ``forward`` of the project:
        one tuple, shared by every caller)."""
        loud = self._callees.get(node)
        if loud is not None:
            return loud, self._callees_quiet.get(node, ())
        loud, silent = self._find_callees(node)
        self._callees[node] = loud
        if silent:
            self._callees_quiet[node] = silent
        return loud, silent

    def _find_callees(self, node: Node) -> tuple[Chunks, Chunks]:
        if node[0] == HUB:
            return (self._hub_targets[node[1]],), ()
        source = self.by_path[node[0]]
        if node[1] == OPAQUE:
            return (tuple(self._opaque_callees(source)),), ()
        facts = source.facts.scopes.get(node[1])
        if facts is None:
            return (), ()
        return self._targets(node, facts.calls), self._targets(node, facts.quiet_calls)

    def _targets(self, node: Node, references: tuple[str, ...]) -> Chunks:
        """What ``resolve`` gives for ``references`` in ``node``: the tuple each reference that resolves alike from
        every caller gives (shared), then one tuple of what the others name in ``node`` (a tuple each would be
        one more object per call of the project)."""
        chunks, own = [], []
        for reference in references:
            if _alike_from_every_caller(reference):
                found = self.resolve(node, reference)
                if found:
                    chunks.append(found)
            else:
                own.extend(self._resolve(node, reference))
        if own:
            chunks.append(tuple(own))
        return tuple(chunks)

    def reach(self, starts: Iterable[Node], quiet: bool = True, loads_modules: bool = True) -> set[Node]:
        """Every scope that runs when ``starts`` run; ``loads_modules``: a module's top level runs when one of its
        functions is first reached (it was imported), and so do the top levels of the modules it imports."""
        seen: set[Node] = set()
        hubs = []
        queue = [node for node in starts if self._runs(node)]
        while queue:
            node = queue.pop()
            if node in seen:
                continue
            seen.add(node)
            if node[0] == HUB:
                hubs.append(node)
            queue.extend(target for target in self._next(node, quiet, loads_modules) if target not in seen)
        seen.difference_update(hubs)  # in place: the set of a large project's scopes is megabytes
        return seen

    def _runs(self, node: Node) -> bool:
        return node[0] == HUB or node[1] in self.by_path[node[0]].facts.scopes or node[1] == MODULE_SCOPE

    def _next(self, node: Node, quiet: bool, loads_modules: bool) -> Iterable[Node]:
        """What runs next after ``node`` runs (see ``reach``)."""
        if not loads_modules or node[0] == HUB:
            return self.callees(node, quiet)
        if node[1] != MODULE_SCOPE:
            found = [(node[0], MODULE_SCOPE)]
        else:  # loading a module loads what it imports at its top
            found = [(target.relative, MODULE_SCOPE) for target in self.imports_of(self.by_path[node[0]], True)]
        found.extend(self.callees(node, quiet))
        return found

    def _does(self, node: Node) -> int:
        """What ``node`` does, as bits: ``TRAINS_BIT`` where it trains, ``DIFFERENTIATES_BIT`` where it trains or
        differentiates, one bit per generator it draws from and per requirement its own imports trigger."""
        if node[0] == HUB:
            return 0
        facts = self.by_path[node[0]].facts.scopes.get(node[1])
        if facts is None:
            return 0
        mask = (TRAINS_BIT if TRAINS in facts.does else 0) | (DIFFERENTIATES_BIT if facts.does else 0)
        for code in (*facts.draws, *(IMPORTED + code for code in facts.imports)):
            bit = self._draw_bits.get(code)
            if bit is None:
                bit = self._draw_bits[code] = DIFFERENTIATES_BIT << (len(self._draw_bits) + 1)
            mask |= bit
        return mask

    def _opaque_callees(self, source: SourceFile) -> list[Node]:
        """What a function of a module read without its scopes (the pre-filter found nothing a rule matches in
        it) may call: every function of the project modules it imports."""
        found = []
        for target in self.imports_of(source, False):
            if target.facts.skipped:
                found.append((target.relative, OPAQUE))
            else:
                found.extend((target.relative, key) for key in target.facts.scopes
                             if key not in (MODULE_SCOPE, MAIN_SCOPE))
        return found

    # ------------------------------------------------------------------ programs

    def programs(self, settings, console_scripts: Iterable[str], closure: Callable[[SourceFile], list[SourceFile]],
                 devices: Callable[[SourceFile], set[str]]) -> list[Program]:
        """Every program of the project; ``closure``: the modules an entry point imports, transitively;
        ``devices``: the devices those modules name (``device_names``)."""
        functions: dict[str, list[str]] = {}
        for script in console_scripts:
            module, _, function = script.partition(":")
            functions.setdefault(module, []).append(function.strip())
        found = []
        for source in self.files:
            found.extend(self._entry_programs(source, settings, functions))
        # What each program does adds up what every scope it reaches does: summarised once per component of
        # the call graph (see graph.py), not walked again from each entry point.
        does = Summaries(lambda node: self._next(node, True, True), self._does)

        def summed(starts: list[Node]) -> tuple[bool, bool, set[str], set[str]]:
            mask = does.union(node for node in starts if self._runs(node))
            named = {code for code, bit in self._draw_bits.items() if mask & bit}
            imported = {code for code in named if code.startswith(IMPORTED)}
            return (bool(mask & TRAINS_BIT), bool(mask & DIFFERENTIATES_BIT), named - imported,
                    {code.removeprefix(IMPORTED) for code in imported})

        for program in found:
            program.members = partial(closure, program.entry)
            # (the program's own nodes, not the program: a program that referred to itself would be a cycle)
            program.does = partial(summed, [(program.entry.relative, key) for key in program.starts])
            program.uses_gpu = _uses_gpu(program.entry, devices(program.entry))
        return found

    def _entry_programs(self, source: SourceFile, settings, functions: dict[str, list[str]]) -> list[Program]:
        facts, relative = source.facts, source.relative
        if facts.error is not None or is_test_code(relative, facts.scopes):
            return []
        found = []
        for module, names in functions.items():
            if source.module == module or source.module.endswith("." + module):
                for name in names:
                    scope = facts.scopes.get(name)
                    line = scope.line if scope else 1
                    found.append(Program(source, (name,) if scope else (MODULE_SCOPE,), line, 1, "console-script"))
        if facts.main_line and source.path.name not in TOOLING_SCRIPTS:
            found.append(Program(source, (MAIN_SCOPE, MODULE_SCOPE), facts.main_line, facts.main_column, "main"))
        elif settings.is_configured_entry_point(relative) and not found:
            line, column = (facts.main_line, facts.main_column) if facts.main_line else (facts.first_statement or 1, 1)
            found.append(Program(source, (MAIN_SCOPE, MODULE_SCOPE), line, column, "configured"))
        elif (facts.first_statement and not found and source.path.name not in TOOLING_SCRIPTS
              and not self.importers.get(relative)):
            found.append(Program(source, (MODULE_SCOPE,), facts.first_statement, 1, "script"))
        return found

    # ------------------------------------------------------------------ differentiation

    def context(self, source: SourceFile, scope: str) -> str:
        """Whether autograd records what runs in ``scope`` of ``source`` (see the module's docstring)."""
        if self._context is None:
            self._context = self._contexts()
        node = (source.relative, scope)
        found = self._context.get(node)
        if found is not None:
            return found
        if scope in (MODULE_SCOPE, MAIN_SCOPE):
            return NOT_DIFFERENTIATED
        return UNKNOWN

    def _contexts(self) -> dict[Node, str]:
        differentiating, quiet_roots = [], []
        for source in self.files:
            for key, facts in source.facts.scopes.items():
                node = (source.relative, key)
                if DIFFERENTIATES in facts.does:
                    differentiating.append(node)
                elif key in (MODULE_SCOPE, MAIN_SCOPE):
                    quiet_roots.append(node)
                if facts.quiet_calls:
                    quiet_roots.extend(chain.from_iterable(self._callees_of(node)[1]))
                owner, _, name = key.rpartition(".")
                if owner not in source.facts.classes:
                    continue
                kind = self.class_kind(source, owner)
                if kind == "module" and name in _FORWARD_METHODS:
                    differentiating.append(node)
                elif kind == "data" or name in _DATA_METHODS or name in _NO_GRAD_METHODS or (
                        kind == "plain" and name == "__call__"):
                    quiet_roots.append(node)
        contexts = {node: NOT_DIFFERENTIATED for node in self.reach(quiet_roots, loads_modules=False)}
        for node in self.reach(differentiating, quiet=False, loads_modules=False):
            contexts[node] = DIFFERENTIATED
        return contexts
