"""``mlfcore-fix``: rewrites what the linter reports, one CST node replacement per finding.

The linter decides where a fix runs (its findings carry the rule code and the position); each rule code
has one codemod in :mod:`mlfcore_lint.fix.codemods`, and the seeding block of a program is planned by
:mod:`mlfcore_lint.fix.seeding` where the program model says the program starts.

The names below are imported on first use, so that :mod:`mlfcore_lint.fix.implemented` stays cheap to import.
"""

__all__ = ["FixContext", "FixOutcome", "fix_source"]


def __getattr__(name: str):
    if name in __all__:
        from . import apply

        return getattr(apply, name)
    raise AttributeError(name)
