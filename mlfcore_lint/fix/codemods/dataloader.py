"""MLF163: a multi-process ``DataLoader`` gets a seeded ``generator`` and a ``worker_init_fn``."""

from __future__ import annotations

import libcst as cst

from ..names import ImportRequest
from .base import (
    CODEMODS,
    Codemod,
    has_unpacking,
    keyword_argument,
    with_keyword_arguments,
)

WORKER_SEEDER = "seed_worker"


@CODEMODS.register
class SeedDataLoaderWorkers(Codemod):
    """Adds ``generator=torch.Generator().manual_seed(torch.initial_seed())`` and ``worker_init_fn=seed_worker``.

    The generator draws the workers' base seed from the program's torch seed; ``seed_worker`` (defined once
    per module, after its imports) seeds Python's ``random`` and, where the module uses it, NumPy in each
    worker from that worker's torch seed.
    """

    code = "MLF163"
    node_type = cst.Call

    def rewrite(self, node: cst.Call, edit, site) -> cst.Call | None:
        if has_unpacking(node):
            return None  # ``**options`` may already hold either argument
        added = []
        if keyword_argument(node, "generator") is None:
            torch = edit.references.reference("torch")
            generator = f"{torch}.Generator().manual_seed({torch}.initial_seed())"
            added.append(("generator", cst.parse_expression(generator)))
        if keyword_argument(node, "worker_init_fn") is None:
            seeder = _worker_seeder(edit)
            if seeder is None:
                return None
            added.append(("worker_init_fn", cst.Name(seeder)))
        if not added:
            return None
        return with_keyword_arguments(node, added)


def _worker_seeder(edit) -> str | None:
    """The name of the module's worker seeding function, defining it on first use."""
    existing = [s for s in edit.module.body if isinstance(s, cst.FunctionDef) and s.name.value == WORKER_SEEDER]
    if existing or getattr(edit, "_worker_seeder_added", False):
        return WORKER_SEEDER
    if any(b.name == WORKER_SEEDER for b in edit.references.bindings):
        return None  # the name is taken by an import
    torch = edit.references.reference("torch")
    indent = edit.module.default_indent
    lines = [
        f"def {WORKER_SEEDER}(worker_id):",
        f'{indent}"""Seed a DataLoader worker from its torch seed (added by mlfcore-fix)."""',
        f"{indent}worker_seed = {torch}.initial_seed() % 2**32",
    ]
    if edit.references.uses("numpy"):
        lines.append(f"{indent}{edit.references.reference('numpy.random.seed')}(worker_seed)")
    edit.references.request(ImportRequest("random"))
    lines.append(f"{indent}random.seed(worker_seed)")
    definition = edit.statements("\n".join(lines) + "\n")
    definition[0] = definition[0].with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])
    edit.add_module_statements(definition)
    edit._worker_seeder_added = True
    return WORKER_SEEDER
