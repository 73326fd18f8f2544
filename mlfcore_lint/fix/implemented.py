"""The rule codes ``mlfcore-fix`` has a fix for, so that the rule schema can refuse a ``fix:`` it would not keep.

Cheap to import (no libcst): the schema reads it while loading rules. ``tests/fix/test_rule_examples.py``
checks it against the codemods, the seeding steps and the environment fixes that exist.
"""

#: One codemod each (``mlfcore_lint.fix.codemods``).
BY_CODEMOD = frozenset({
    "MLF102", "MLF109", "MLF114", "MLF140", "MLF141", "MLF142", "MLF143", "MLF145", "MLF163", "MLF164",
    "MLF210", "MLF211", "MLF241", "MLF242", "MLF301",
})
#: A step of the seeding block of the program (``mlfcore_lint.fix.seeding``).
BY_SEEDING = frozenset({"MLF001", "MLF002", "MLF160", "MLF161", "MLF162", "MLF165", "MLF201", "MLF202", "MLF203"})
#: An edit of an environment file (``mlfcore_lint.environment.fixes``).
IN_ENVIRONMENT_FILES = frozenset({"MLF060"})

IMPLEMENTED = BY_CODEMOD | BY_SEEDING | IN_ENVIRONMENT_FILES
