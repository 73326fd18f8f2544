"""Values that differ from run to run by construction: the clock, the process, fresh entropy, string hashes.

A seed computed from one of them (``np.random.seed(int(time.time()))``, ``torch.manual_seed(os.getpid())``,
``seed = hash(name) % 2**32``) is no seed: the run cannot be repeated. The walker asks this module whether an
argument is such a value (the ``run-dependent`` kind of ``schema.EXPRESSION_KINDS``), looking through the
names the same function assigned.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

#: Calls whose result changes between runs (qualified names, as the walker resolves them).
RUN_DEPENDENT_CALLS = frozenset({
    "time.time", "time.time_ns", "time.perf_counter", "time.perf_counter_ns", "time.monotonic",
    "time.monotonic_ns", "time.process_time", "time.process_time_ns", "time.thread_time", "time.clock_gettime",
    "time.clock_gettime_ns", "datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.today",
    "datetime.date.today", "os.getpid", "os.getppid", "os.urandom", "os.getrandom", "uuid.uuid1", "uuid.uuid4",
    "secrets.randbits", "secrets.randbelow", "secrets.token_bytes", "secrets.token_hex", "secrets.choice",
    "random.SystemRandom", "threading.get_ident", "threading.get_native_id", "torch.seed", "torch.initial_seed",
})
#: Built-ins whose result changes between runs: ``hash`` of a string is salted per interpreter, ``id`` is an
#: address.
_RUN_DEPENDENT_BUILTINS = frozenset({"hash", "id"})
_MAX_DEPTH = 8


def is_run_dependent(node: ast.expr, qualify: Callable[[ast.expr], str | None],
                     local_value: Callable[[ast.expr], ast.expr | None], is_builtin: Callable[[str], bool],
                     depth: int = 0, explored: dict[int, int] | None = None) -> bool:
    """Whether ``node`` computes its value from a run-dependent call, directly or through assigned names.

    ``explored``: the depth at which each assigned value was looked through already (by ``id``). A value met
    again no shallower is not looked through again: names that recur along a chain of assignments (``x = x +
    y``) would otherwise be followed along every path, exponentially many.
    """
    if depth > _MAX_DEPTH:
        return False
    if explored is None:
        explored = {}
    for part in ast.walk(node):
        if isinstance(part, ast.Call):
            func = part.func
            if isinstance(func, ast.Name) and func.id in _RUN_DEPENDENT_BUILTINS and is_builtin(func.id):
                return True
            if isinstance(func, (ast.Name, ast.Attribute)) and qualify(func) in RUN_DEPENDENT_CALLS:
                return True
        elif isinstance(part, ast.Name):
            value = local_value(part)
            if value is None or explored.get(id(value), _MAX_DEPTH + 1) <= depth + 1:
                continue
            explored[id(value)] = depth + 1
            if is_run_dependent(value, qualify, local_value, is_builtin, depth + 1, explored):
                return True
    return False
