"""``mlfcore-fix``: rewrites what the linter reports, one CST node replacement per finding.

The linter decides where a fix runs (its findings carry the rule code and the position); each rule code
has one codemod in :mod:`mlfcore_lint.fix.codemods`, and the seeding block of an entry point is planned by
:mod:`mlfcore_lint.fix.seeding`.
"""

from .apply import FixContext, FixOutcome, fix_source

__all__ = ["FixContext", "FixOutcome", "fix_source"]
