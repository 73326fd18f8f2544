"""The rule codes ``mlfcore-fix`` has code to fix, so that the rule schema can refuse a ``fix:`` it would not keep.

Cheap to import (no libcst): the schema reads it while loading rules. ``tests/fix/test_rule_examples.py``
checks it against the codemods, the seeding steps and the environment fixes that exist.
"""

#: One codemod each (``mlfcore_lint.fix.codemods``). The rules whose fix is a simple edit (a value, a keyword to
#: add or drop) declare it in their data instead (``fix: edits:``, ``mlfcore_lint.ruleset.fixes``).
BY_CODEMOD = frozenset({"MLF102", "MLF109", "MLF145", "MLF163", "MLF210", "MLF211", "MLF241"})
#: A step of the seeding block of the program (``mlfcore_lint.fix.seeding``).
BY_SEEDING = frozenset({"MLF001", "MLF002", "MLF160", "MLF161", "MLF162", "MLF165", "MLF201", "MLF202", "MLF203"})
#: An edit of an environment file (``mlfcore_lint.environment.fixes``).
IN_ENVIRONMENT_FILES = frozenset({"MLF060"})

IMPLEMENTED = BY_CODEMOD | BY_SEEDING | IN_ENVIRONMENT_FILES
