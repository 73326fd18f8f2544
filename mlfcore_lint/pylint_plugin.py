"""The pylint plugin: ``pylint --load-plugins=mlfcore_lint.pylint_plugin``.

Registers one message per rule (ids and symbols: :mod:`mlfcore_lint.frontends.pylint_checker`). Rules come
from the built-in rule files and the ``extend-rules`` of the ``[tool.mlfcore-lint]`` table found from the
current folder; a configuration that cannot be read becomes a message on each module, never a crash.
"""

from __future__ import annotations

from pathlib import Path

from .config import ConfigError, load_settings
from .frontends.pylint_checker import build_checkers
from .ruleset.loader import default_ruleset
from .ruleset.schema import RuleError, RuleSet


def register(linter) -> None:
    setup_error = None
    try:
        ruleset = default_ruleset(load_settings(None, [Path.cwd()]).extend_rules)
    except (ConfigError, RuleError) as error:
        setup_error = str(error)
        try:
            ruleset = default_ruleset()
        except RuleError:  # the built-in rules themselves: register only the plugin's error message
            ruleset = RuleSet()
    for checker in build_checkers(linter, ruleset, setup_error):
        linter.register_checker(checker)
