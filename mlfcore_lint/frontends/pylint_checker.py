"""pylint checkers that report mlfcore-lint findings as pylint messages.

Message ids: pylint's id is a category letter and four digits, the first two naming a checker. This plugin
reserves the checker ids 70 to 79 and derives every id from the rule's code: the letter is the rule's
severity (``E`` error, ``W`` warning, ``I`` info), then ``7`` and the code's three digits. ``MLF101``, an
error, is ``E7101``; ``MLF402``, a warning, is ``W7402``. Symbols are the rules' symbols; the linter's own
problems (``MLF9xx``) take the prefix ``mlfcore-`` because pylint reports its own ``syntax-error``.

pylint wants one checker id per checker, so each hundred of codes has its own raw-file checker. The
engine runs once per module whichever of them asks first; each checker reports its own rules' findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pylint.checkers import BaseRawFileChecker
from pylint.interfaces import HIGH, INFERENCE

from ..model import CERTAIN, Finding
from ..ruleset.schema import Rule, RuleSet
from .context import Overrides, check_module

CHECKER_NAME = "mlfcore-lint"
CHECKER_ID_TENS = "7"
SEVERITY_LETTER = {"error": "E", "warning": "W", "info": "I"}
OWN_PROBLEMS_HUNDRED = "9"  # MLF9xx: the linter's own problems with a file
PLUGIN_ERROR_ID = f"F{CHECKER_ID_TENS}{OWN_PROBLEMS_HUNDRED}00"
PLUGIN_ERROR_SYMBOL = "mlfcore-lint-error"
# pylint options: the [tool.mlfcore-lint] keys a pylint configuration may set (rule files are read when the
# plugin is registered, before pylint's options, so ``extend-rules`` comes from pyproject.toml only).
OPTION_KEYS = ("target", "entry-points")


def message_id(rule: Rule) -> str:
    """The pylint message id of a rule: ``MLF101`` (error) -> ``E7101``."""
    return f"{SEVERITY_LETTER[rule.severity]}{CHECKER_ID_TENS}{rule.code[3:]}"


def message_symbol(rule: Rule) -> str:
    return rule.pylint_symbol


def checker_id(code: str) -> str:
    """The two-digit pylint checker id of the checker reporting ``code``: ``MLF101`` -> ``71``."""
    return CHECKER_ID_TENS + code[3]


def message_definitions(ruleset: RuleSet) -> dict[str, dict[str, tuple[str, str, str]]]:
    """pylint message definitions of every rule, grouped by checker id."""
    groups: dict[str, dict[str, tuple[str, str, str]]] = {checker_id(f"MLF{OWN_PROBLEMS_HUNDRED}00"): {}}
    for rule in sorted(ruleset, key=lambda r: r.code):
        description = f"{rule.summary}. {rule.why} Use instead: {rule.alternative} ({rule.code}, {rule.url})"
        groups.setdefault(checker_id(rule.code), {})[message_id(rule)] = ("%s", message_symbol(rule), description)
    groups[checker_id(f"MLF{OWN_PROBLEMS_HUNDRED}00")][PLUGIN_ERROR_ID] = (
        "mlfcore-lint could not check this module: %s",
        PLUGIN_ERROR_SYMBOL,
        (
            "The mlfcore-lint plugin failed on this module (a configuration problem or an internal error); "
            "its determinism rules were not checked."
        ),
    )
    return groups


@dataclass
class ModuleReport:
    """The engine's answer for one module, shared by the checkers that report parts of it."""

    node: object
    findings: list[Finding]
    error: str | None = None


class EngineRun:
    """Runs the engine once per module for all the plugin's checkers."""

    def __init__(self, ruleset: RuleSet, setup_error: str | None = None):
        self.ruleset = ruleset
        self.setup_error = setup_error
        self._last: ModuleReport | None = None

    def report_for(self, node, overrides: Overrides) -> ModuleReport:
        if self._last is not None and self._last.node is node:
            return self._last
        if self.setup_error is not None:
            report = ModuleReport(node, [], self.setup_error)
        else:
            try:
                with node.stream() as stream:  # the bytes pylint checks: the file or ``--from-stdin`` input
                    raw = stream.read()  # decoded by the engine, as the command decodes them
                report = ModuleReport(node, check_module(Path(node.file), raw, overrides))
            except Exception as error:  # noqa: BLE001 - a plugin failure is a message, never a crash
                report = ModuleReport(node, [], f"{type(error).__name__}: {error}".splitlines()[0])
        self._last = report
        return report


class MlfcoreRawChecker(BaseRawFileChecker):
    """Reports the findings of one hundred of rule codes (one pylint checker id)."""

    name = CHECKER_NAME

    def __init__(self, linter, msgs: dict, engine: EngineRun, options=()):
        self.msgs = msgs
        self.options = options
        self.engine = engine
        # code -> symbol of the rules this checker reports
        self._symbols = {rule.code: message_symbol(rule) for rule in engine.ruleset if message_id(rule) in msgs}
        super().__init__(linter)

    def _overrides(self) -> Overrides:
        config = self.linter.config
        return Overrides.from_values({key: getattr(config, "mlf_" + key.replace("-", "_"), ()) for key in OPTION_KEYS})

    @staticmethod
    def _confidence(finding: Finding):
        """HIGH for a finding seen for certain; INFERENCE for one the engine inferred (a possible match)."""
        return HIGH if finding.certainty == CERTAIN else INFERENCE

    def process_module(self, node) -> None:
        report = self.engine.report_for(node, self._overrides())
        if report.error is not None and PLUGIN_ERROR_ID in self.msgs:
            self.add_message(PLUGIN_ERROR_SYMBOL, line=1, args=(report.error,), confidence=HIGH)
        for finding in report.findings:
            symbol = self._symbols.get(finding.code)
            if symbol is None:
                continue  # another checker's hundred, or a rule file pylint was not told about
            self.add_message(
                symbol, line=finding.line, col_offset=finding.column - 1,
                end_lineno=finding.end_line, end_col_offset=max(finding.end_column - 1, 0),
                args=(finding.message,), confidence=self._confidence(finding),
            )


def pylint_options() -> tuple:
    return tuple(
        (f"mlf-{key}", {"type": "csv", "metavar": "<values>", "default": (),
                        "help": f"mlfcore-lint: the [tool.mlfcore-lint] '{key}' setting for pylint runs "
                                "(comma-separated; overrides pyproject.toml)"})
        for key in OPTION_KEYS
    )


def build_checkers(linter, ruleset: RuleSet, setup_error: str | None = None) -> list[MlfcoreRawChecker]:
    engine = EngineRun(ruleset, setup_error)
    groups = message_definitions(ruleset)
    own = checker_id(f"MLF{OWN_PROBLEMS_HUNDRED}00")
    return [
        MlfcoreRawChecker(linter, msgs, engine, pylint_options() if number == own else ())
        for number, msgs in sorted(groups.items())
    ]


# ------------------------------------------------------------------ the id table in docs/frontends.md

TABLE_START = "<!-- pylint-message-ids: start (generated by `python -m mlfcore_lint.frontends.pylint_checker`) -->"
TABLE_END = "<!-- pylint-message-ids: end -->"


def message_table(ruleset: RuleSet) -> str:
    """The Markdown table of every rule's pylint id and symbol."""
    rows = ["| mlfcore-lint code | pylint id | pylint symbol |", "|---|---|---|"]
    for rule in sorted(ruleset, key=lambda r: r.code):
        rows.append(f"| {rule.code} | {message_id(rule)} | `{message_symbol(rule)}` |")
    rows.append(f"| (the plugin failed on a module) | {PLUGIN_ERROR_ID} | `{PLUGIN_ERROR_SYMBOL}` |")
    return "\n".join(rows) + "\n"


def with_message_table(document: str, ruleset: RuleSet) -> str:
    """``document`` with the text between the table markers replaced by the current table."""
    start, end = document.index(TABLE_START) + len(TABLE_START), document.index(TABLE_END)
    return f"{document[:start]}\n{message_table(ruleset)}{document[end:]}"


def main(argv: list[str] | None = None) -> int:
    """Rewrite the table in the given Markdown files (default: docs/frontends.md)."""
    import sys

    from ..ruleset.loader import load_ruleset

    ruleset = load_ruleset()
    for name in (sys.argv[1:] if argv is None else argv) or ["docs/frontends.md"]:
        path = Path(name)
        path.write_text(with_message_table(path.read_text(encoding="utf-8"), ruleset), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
