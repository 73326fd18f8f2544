"""What each function of a module does, for the program model: whom it calls, whether it trains, whether it
differentiates, and which generators it draws from.

The walker mixes this in and calls ``note_call`` for every call it walks; the facts it leaves
(``FileFacts.scopes`` and ``FileFacts.classes``) are plain data, resolved across the project by
:mod:`mlfcore_lint.engine.program`. A scope is named by its place in the module: ``<module>`` for the top
level, ``<main>`` for the ``if __name__ == "__main__":`` block, ``f`` for a function, ``C.m`` for a method and
``f.g`` for a function defined in another. Code in a class body or a lambda belongs to the enclosing scope.

A call is recorded as a reference the project step can resolve without this module's tree:

- ``q:pkg.mod.func``   a qualified name (an absolute import);
- ``@name``            a name bound in this module (a ``def`` or ``class`` here, looked up from the caller out);
- ``r:2:pkg.mod:name`` a name bound by a relative import (level, module, name), maybe followed by ``.attr``;
- ``s:method``         ``self.method()`` or ``cls.method()``: a method of the enclosing class or its bases;
- ``S:method``         ``super().method()``: a method of the enclosing class's bases;
- ``.method``          a method called on any other object: any project method of that name.
"""

from __future__ import annotations

import ast

from .facts import SCOPE_LISTS, ScopeFacts

MODULE_SCOPE, MAIN_SCOPE = "<module>", "<main>"
TRAINS, DIFFERENTIATES = "trains", "differentiates"

#: Module roots whose functions are never the project's own: their calls are not recorded as references.
_LIBRARY_ROOTS = frozenset({
    "torch", "tensorflow", "keras", "tf_keras", "numpy", "jax", "flax", "xgboost", "sklearn", "lightning",
    "pytorch_lightning", "transformers", "scipy", "pandas", "os", "sys", "re", "json", "math", "random",
    "time", "logging", "warnings", "argparse", "pathlib", "shutil", "subprocess", "collections", "itertools",
    "functools", "typing", "copy", "pickle", "glob", "datetime", "matplotlib", "PIL", "cv2", "tqdm",
    "torchvision", "torchaudio", "torchmetrics", "timm", "wandb", "mlflow", "yaml", "csv", "io", "abc",
    "dataclasses", "enum", "contextlib", "inspect", "threading", "multiprocessing", "socket", "hashlib",
    "string", "struct", "tempfile", "textwrap", "traceback", "types", "unittest", "uuid", "zipfile", "h5py",
    "seaborn", "statsmodels", "lightgbm", "catboost", "optuna", "hydra", "omegaconf", "fire", "click",
    "typer", "requests", "urllib", "tarfile", "gzip", "platform", "signal", "queue", "heapq", "bisect",
    "operator", "numbers", "decimal", "fractions", "statistics", "pprint", "builtins", "torchtext",
    "tensorboard", "tensorboardX", "einops", "accelerate", "datasets", "huggingface_hub", "sentencepiece",
    "tokenizers", "nltk", "spacy", "gym", "gymnasium", "albumentations", "skimage", "imageio", "nibabel",
    "SimpleITK", "monai", "networkx", "sympy", "plotly", "rich", "psutil", "GPUtil", "joblib", "dask",
})

#: Method names whose call trains a model: an optimiser step, a backward pass, a framework's training loop.
#: ``tape.gradient`` alone does not: a script that prints one gradient trains nothing; it trains when the same
#: function applies the gradients (``apply_gradients``, or ``w.assign_sub(lr * grads[0])`` by hand).
_TRAINING_METHODS = frozenset({
    "backward", "fit", "fit_generator", "train_on_batch", "train", "apply_gradients", "minimize",
    "partial_fit", "learn", "run",
})
#: Variable updates that train where the same function differentiates (a hand-written gradient step).
_UPDATE_METHODS = frozenset({"assign_sub", "assign_add", "assign"})
#: Training methods handed over to be called (``retry_call(model.train, tries=3)``).
_HANDED_TRAINING_METHODS = frozenset({"train", "fit", "fit_generator", "learn"})
#: Method names whose call differentiates: what runs before it in the same function is recorded by autograd.
_DIFFERENTIATING_METHODS = frozenset({"backward", "gradient", "minimize"})
#: The last name of a library's training entry point: ``xgb.train``, ``lgb.train``, ``catboost.train``.
_TRAINING_FUNCTION_NAMES = frozenset({"train", "fit", "cv", "train_on_batch", "create_supervised_trainer"})
_TRAINING_FUNCTIONS = frozenset({
    "torch.autograd.backward", "torch.autograd.grad", "xgboost.train", "xgboost.cv", "lightgbm.train",
    "sklearn.model_selection.cross_val_score", "sklearn.model_selection.cross_validate",
    "sklearn.model_selection.cross_val_predict", "tensorflow.keras.Model.fit", "keras.Model.fit",
})
#: Calls that differentiate, or that build a functional Keras model: what the same function computes on the
#: symbolic tensors (``tf.image.resize(x, ...)`` between ``keras.Input`` and ``keras.Model``) runs in training.
_DIFFERENTIATING_FUNCTIONS = frozenset({
    "torch.autograd.backward", "torch.autograd.grad", "tensorflow.keras.Model", "tensorflow.keras.models.Model",
    "tensorflow.keras.Input", "tensorflow.keras.layers.Input", "keras.Model", "keras.models.Model", "keras.Input",
    "keras.layers.Input", "tf_keras.Model", "tf_keras.Input",
})
_GRADIENT_TAPES = frozenset({"tensorflow.GradientTape", "tensorflow.autodiff.GradientTape"})
#: Calls whose function arguments run in a data pipeline: those functions are not differentiated.
_DATA_PIPELINE_METHODS = frozenset({"map", "flat_map", "filter", "interleave", "from_generator"})
_DATA_PIPELINE_FUNCTIONS = frozenset({"torch.utils.data.DataLoader", "tensorflow.data.Dataset.from_generator"})

#: Keywords that choose the device a framework trains on (Lightning, Hugging Face, XGBoost, SB3).
_DEVICE_KEYWORDS = ("accelerator", "gpus", "device")
#: Calls that only make sense on a GPU.
#: (``DistributedDataParallel`` is not one of them: it runs on the CPU too, with the gloo backend.)
_GPU_APIS = ("torch.cuda.", "tensorflow.test.is_gpu", "torch.nn.DataParallel", "torch.nn.parallel.DataParallel")
#: Names of what ``.to(...)`` moves a tensor to when it is a device the user picks (``dev``, ``local_rank``).
_DEVICE_WORDS = ("device", "dev", "rank", "gpu", "cuda")
_CHOSEN_ACCELERATOR = ("accelerator", "gpus")  # a value that cannot be read may be a GPU

#: Words the pre-filter must find for a file to be parsed: a file that trains is part of the program model.
PREFILTER_METHODS = _TRAINING_METHODS | _DIFFERENTIATING_METHODS | {"step"}


class CallRecorder:
    """Mixed into the walker, which provides ``scope``, ``module_scope``, ``lookup``, ``qualify`` and ``index``."""

    def init_calls(self) -> None:
        self.scopes: dict[str, dict] = {}  # while walking: each scope's lists, as ``ScopeFacts`` names them
        self.classes: dict[str, list[str]] = {}
        self.relative_names: dict[str, str] = {}  # module-level names bound by relative imports -> r:... refs
        self.first_statement = 0  # line of the first top-level statement that runs code (0: none)
        self.local_functions: set[str] = set()  # names of every def and class in the module
        self.project_star_import = False  # ``from <a project module> import *``
        self.devices: set[str] = set()  # "gpu", "cpu": the devices the module's code names; "chosen": a device
        # the caller picks (``.to(device)``), a GPU unless the CPU is named

    def scope_facts(self, key: str, line: int = 0) -> dict:
        """The lists of the scope ``key`` (created at ``line`` on first use), filled while walking."""
        found = self.scopes.get(key)
        if found is None:
            found = self.scopes[key] = {"line": line, **{name: [] for name in SCOPE_LISTS}}
        return found

    def recorded_scopes(self) -> dict[str, ScopeFacts]:
        return {key: ScopeFacts(scope["line"], *[tuple(scope[name]) for name in SCOPE_LISTS])
                for key, scope in self.scopes.items()}

    def note_relative_import(self, node: ast.ImportFrom) -> None:
        if self.scope is not self.module_scope:
            return
        for alias in node.names:
            if alias.name != "*":
                self.relative_names[alias.asname or alias.name] = f"r:{node.level}:{node.module or ''}:{alias.name}"

    def note_statement(self, statement: ast.stmt) -> None:
        """A top-level statement: the first one that runs code makes a module a script (if nobody imports it)."""
        if self.first_statement or not _runs_code(statement):
            return
        self.first_statement = statement.lineno

    # ------------------------------------------------------------------ references

    def reference(self, func: ast.expr, qualified: str | None) -> str | None:
        """How the project step finds the function ``func`` names (see the module's docstring), if it can."""
        if qualified is not None:
            root = qualified.partition(".")[0]
            return None if root in _LIBRARY_ROOTS or root in self.index.roots else f"q:{qualified}"
        parts = []
        node = func
        while node.__class__ is ast.Attribute:
            parts.append(node.attr)
            node = node.value
        parts.reverse()
        if node.__class__ is ast.Name:
            if node.id in ("self", "cls") and len(parts) == 1:
                return f"s:{parts[0]}"
            if self._bound_in_module(node.id):
                relative = self.relative_names.get(node.id)
                if relative is not None:
                    return relative + "".join("." + part for part in parts)
                return "@" + ".".join([node.id, *parts]) if node.id in self.local_functions else None
            if parts:
                return "." + parts[-1]
            return None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super" and parts:
            return f"S:{parts[-1]}"
        return "." + parts[-1] if parts else None

    def _bound_in_module(self, name: str) -> bool:
        """Whether ``name`` is bound by this module (a def, class or import), not by the enclosing function."""
        scope = self.scope
        while scope is not None and scope is not self.module_scope:
            if name in scope.parameters:
                return False
            if not scope.is_class and name in scope.names:
                return name in self.local_functions  # a nested def, not a local variable
            scope = scope.parent
        return name in self.final_module_names or name in self.module_scope.names

    # ------------------------------------------------------------------ calls

    def note_call(self, node: ast.Call, qualified: str | None, named: list[tuple[ast.expr, str | None]]) -> None:
        """``named``: the call's arguments that are names or attributes, with their qualified names."""
        scope = self.scope
        facts = self.scope_facts(scope.owner)
        func = node.func
        method = func.attr if func.__class__ is ast.Attribute else None
        does = facts["does"]
        if qualified is not None:
            trains = qualified in _TRAINING_FUNCTIONS or (
                qualified.rpartition(".")[2] in _TRAINING_FUNCTION_NAMES
                and qualified.partition(".")[0] not in ("os", "sys", "subprocess"))
            differentiates = qualified in _DIFFERENTIATING_FUNCTIONS
        else:
            trains = method is not None and self._trains_by_method(node, method, func.value)
            differentiates = method in _DIFFERENTIATING_METHODS
        if trains and TRAINS not in does:
            does.append(TRAINS)
        if differentiates and DIFFERENTIATES not in does:
            does.append(DIFFERENTIATES)
        quiet = bool(scope.gradients_off[-1])
        target = facts["quiet_calls"] if quiet else facts["calls"]
        self.note_devices(node, qualified, method)
        found = self.reference(func, qualified)
        if method in ("fit", "partial_fit") and qualified is None and not trains:
            found = None  # ``scaler.fit(x)``: visibly a preprocessor, not a project estimator
        if found is not None and found not in target:
            target.append(found)
        # Functions handed over as arguments run too: ``mp.spawn(train, ...)``, ``fire.Fire(main)``; those a
        # data pipeline runs (``dataset.map(preprocess)``) are not differentiated.
        pipeline = method in _DATA_PIPELINE_METHODS or qualified in _DATA_PIPELINE_FUNCTIONS
        for argument, argument_name in named:
            handed = self.reference(argument, argument_name)
            if handed is None:
                continue
            if handed.startswith(".") and handed[1:] in _HANDED_TRAINING_METHODS:  # retry(model.train)
                if TRAINS not in does:
                    does.append(TRAINS)
            into = facts["quiet_calls"] if quiet or pipeline else facts["calls"]
            if handed not in into:
                into.append(handed)

    def note_devices(self, node: ast.Call, qualified: str | None, method: str | None) -> None:
        """``.cuda()``, ``torch.cuda.*``, ``"cuda:0"``, ``accelerator="gpu"`` name a GPU; ``torch.device("cpu")``,
        ``accelerator="cpu"`` the CPU; a device or accelerator the caller chooses may be a GPU."""
        if method == "cuda" or (qualified is not None and qualified.startswith(_GPU_APIS)):
            self.devices.add("gpu")
        elif method == "to" and node.args and any(word in _receiver_name(node.args[0]) for word in _DEVICE_WORDS):
            self.devices.add("chosen")  # ``.to(args.device)``, ``.to(rank)``: a GPU unless the CPU is named
        chosen = []
        texts = "gpu" not in self.devices  # a string that names a GPU adds nothing once one is named
        if texts:
            for argument in node.args:
                if argument.__class__ is ast.Constant and argument.value.__class__ is str:
                    self._note_device_text(argument.value)
        for keyword in node.keywords:
            if keyword.arg is None:  # ``**options``
                continue
            value = keyword.value
            if texts and value.__class__ is ast.Constant and value.value.__class__ is str:
                self._note_device_text(value.value)
            if keyword.arg in _DEVICE_KEYWORDS:
                chosen.append((keyword.arg, value))
        if qualified == "torch.device" and node.args:
            chosen.append(("device", node.args[0]))
        for name, value in chosen:
            text = value.value.lower() if isinstance(value, ast.Constant) and isinstance(value.value, str) else None
            if text in ("cpu", "mps"):
                self.devices.add("cpu")
            elif text is not None or name in _CHOSEN_ACCELERATOR:  # a GPU, or an accelerator the user picks
                self.devices.add("gpu")
            else:  # ``device=args.device``, ``torch.device(name)``: a GPU unless the program names the CPU
                self.devices.add("chosen")

    def _note_device_text(self, value: str) -> None:
        text = value.lower()
        if "cuda" in text or "gpu" in text or text == "nccl":  # NCCL: the GPUs' collective backend
            self.devices.add("gpu")

    def note_scope_imports(self, codes) -> None:
        """Requirement codes that an import inside a function triggers: they count where a program calls it."""
        imports = self.scope_facts(self.scope.owner)["imports"]
        imports.extend(code for code in sorted(codes) if code not in imports)

    def note_draw(self, code: str) -> None:
        draws = self.scope_facts(self.scope.owner)["draws"]
        if code not in draws:
            draws.append(code)

    def note_gradient_tape(self, context: ast.expr) -> None:
        call = context.func if isinstance(context, ast.Call) else context
        if self.qualify(call) in _GRADIENT_TAPES:
            does = self.scope_facts(self.scope.owner)["does"]
            if DIFFERENTIATES not in does:
                does.append(DIFFERENTIATES)

    def note_class(self, node: ast.ClassDef, key: str) -> None:
        bases = []
        for base in node.bases:
            qualified = self.qualify(base)
            if qualified is not None:
                bases.append(f"q:{qualified}")
            else:
                found = self.reference(base, None)
                if found is not None and not found.startswith("."):
                    bases.append(found)
        self.classes[key] = bases


    def _trains_by_method(self, node: ast.Call, method: str, receiver: ast.expr) -> bool:
        """``loss.backward()``, ``optimizer.step()``, ``trainer.fit(model)``, ``model.fit(x, y)``, ``xgb.train(...)``;
        not ``model.train()`` (a mode switch) nor ``scaler.fit(x)`` (preprocessing)."""
        if method == "step":
            return _is_optimiser(receiver)
        if method in _UPDATE_METHODS:
            return DIFFERENTIATES in self.scope_facts(self.scope.owner)["does"]
        if method not in _TRAINING_METHODS:
            return False
        name = _receiver_name(receiver)
        if method == "train":
            return bool(node.args or node.keywords) or "trainer" in name
        if method == "run":  # an Ignite engine; a TensorFlow 1 session running a training op
            return "trainer" in name or bool(node.args) and "train" in _receiver_name(node.args[0])
        if method in ("fit", "partial_fit"):
            value, _ = self._followed(receiver, 0)
            made_by = self.qualify(value.func) if isinstance(value, ast.Call) else None
            return not (any(word in name for word in _PREPROCESSOR_WORDS)
                        or (made_by is not None and made_by.startswith(_PREPROCESSING_MODULES)))
        return True


#: Receivers whose ``fit`` prepares data rather than trains a model.
_PREPROCESSOR_WORDS = ("scaler", "normaliz", "normalis", "tokeniz", "tokenis", "vectoriz", "vectoris", "imputer",
                       "encoder", "binarizer", "pca", "tfidf", "calibrat")  # calibrators: post-hoc, no gradient
_PREPROCESSING_MODULES = ("sklearn.preprocessing.", "sklearn.feature_extraction.", "sklearn.impute.",
                          "sklearn.decomposition.", "sklearn.feature_selection.")


def _receiver_name(receiver: ast.expr) -> str:
    while isinstance(receiver, ast.Subscript):
        receiver = receiver.value
    name = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", "")
    return name.lower()


def _is_optimiser(receiver: ast.expr) -> bool:
    """``optimizer.step()``, ``self.opt.step()``, ``optimizers[0].step()``: named like an optimiser."""
    name = _receiver_name(receiver)
    return "optim" in name or name in ("opt", "scaler") or name.startswith("opt_")


def _runs_code(statement: ast.stmt) -> bool:
    """A top-level statement that does work when the module runs: a call, a loop, a ``with`` block."""
    if isinstance(statement, ast.Expr):
        return isinstance(statement.value, (ast.Call, ast.Await))
    return isinstance(statement, (ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith))
