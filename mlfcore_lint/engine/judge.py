"""Turning one file's candidates into findings: versions, switches, the program model's context, selection.

What a file's findings need from the rest of the project is asked through :meth:`Judge.ask`, one question at a
time ("is the switch on for this file's programs?", "is this scope differentiated?", "what does the program that
starts here lack?"). The project step (:class:`~mlfcore_lint.engine.project.Project`) answers each question from
the whole project and remembers the answer; :class:`RecordedJudge` answers from the answers a previous run
recorded, so that a file whose project facts did not change is judged again without the rest of the project
(see ``project_memo.py``).
"""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import TYPE_CHECKING

from packaging.specifiers import SpecifierSet

from ..config import Settings
from ..environment.outside import settled_codes
from ..model import CERTAIN, INFERRED, Finding, FixInfo
from ..ruleset.schema import DETERMINISTIC, DETERMINISTIC_WITH_SWITCH, Rule, RuleSet
from ..ruleset.versions import Verdict, evaluate, missing_api
from .facts import Candidate
from .noqa import is_suppressed
from .program import NOT_DIFFERENTIATED, UNKNOWN, is_test_code
from .walker import constructs_module

if TYPE_CHECKING:
    from .project import SourceFile

_LOWER = {"error": "warning", "warning": "info", "info": "info"}

#: Why a backward-only call whose differentiation context the program model cannot see is only possible.
UNKNOWN_GRADIENT = "whether a backward pass runs through this call is not visible in the project"

# The questions a file's findings ask of the project, with their argument; answers are JSON.
SWITCH_ON = "switch on: "  # framework -> bool: is its determinism switch on where this file runs?
CONTEXT = "context: "  # scope -> program.py's DIFFERENTIATED, NOT_DIFFERENTIATED or UNKNOWN
NO_TRAINING = "runs in no training program"  # -> bool (False where no program includes the file)
NO_GRADIENT = "runs in no program that computes gradients"  # -> bool
CPU_ONLY = "runs on the CPU only"  # -> bool
MET = "met: "  # requirement code -> bool: do the programs that decide about this file all meet it?
REQUIREMENTS = "requirements"  # -> what the programs starting in this file lack: [[candidate, [blockers]], ...]
RAISING = "raising under the switch: "  # framework -> what raises under its strict switch in the programs that
# run this file (``path:line api (CODE)``, see switch_safety.py)


def rule_verdict(rule: Rule, matcher_index: int | None, targets: dict[str, SpecifierSet],
                 releases: dict[str, tuple[str, ...]]) -> Verdict:
    """The worst status of ``rule`` (of its match form ``matcher_index``, where it has its own ranges) over
    the targeted versions."""
    ranges = rule.versions
    if matcher_index is not None and matcher_index < len(rule.matchers):
        ranges = rule.matchers[matcher_index].versions or ranges
    return evaluate(ranges, targets, releases)


class Judge:
    """Findings of a file from its facts and the answers to its questions about the project."""

    def __init__(self, settings: Settings, ruleset: RuleSet, targets: dict[str, SpecifierSet]):
        self.settings = settings
        self.ruleset = ruleset
        self.targets = targets
        self.honour_noqa = True  # flake8 reads suppression comments itself: its front end turns this off
        # Requirements met, and rules settled, by variables set outside Python (a Dockerfile's ENV, a workflow's
        # env:), for every program: see environment/outside.py.
        self.settled_outside = settled_codes(settings, ruleset)
        self._verdicts: dict[tuple[str, int | None], Verdict] = {}  # the targets are fixed for a project

    def ask(self, source: SourceFile, question: str, argument: str = ""):
        """The answer to ``question`` (one of the names above) about ``source``, for ``argument`` (a framework,
        a scope, a requirement code)."""
        raise NotImplementedError

    def verdict(self, rule: Rule, matcher_index: int | None) -> Verdict:
        key = (rule.code, matcher_index)
        if key not in self._verdicts:
            self._verdicts[key] = rule_verdict(rule, matcher_index, self.targets, self.ruleset.releases)
        return self._verdicts[key]

    def switch_name(self, framework: str | None) -> str:
        rule = self.ruleset.get(self.ruleset.switches.get(framework or "", ""))
        if rule is None or rule.requirement is None:
            return "the determinism switch"
        return missing_api(rule.requirement, self.targets, self.ruleset.releases)

    def findings_in(self, source: SourceFile) -> list[Finding]:
        facts = source.facts
        if facts.error is not None:
            return self._report(source, facts.error, None, None)
        found: list[Finding] = []
        test_code = is_test_code(source.relative, facts.scopes)
        reported: set[tuple] = set()  # one finding per rule and place, however many of its entries match there
        for candidate in facts.candidates:
            rule = self.ruleset.get(candidate.code)
            if rule is None or test_code or candidate.code in self.settled_outside:
                continue
            place = (candidate.code, candidate.line, candidate.column)
            if place in reported:
                continue
            verdict = self.verdict(rule, candidate.matcher)
            if verdict.status == DETERMINISTIC:
                continue
            if verdict.status == DETERMINISTIC_WITH_SWITCH and self.ask(source, SWITCH_ON, rule.framework or ""):
                continue
            candidate = self.in_context(source, candidate, rule)
            if candidate is not None:
                reported.add(place)
                reports = self._report(source, candidate, rule, verdict)
                if reports and rule.fix is not None and rule.fix.strict_switch:
                    reports = _without_fix(reports, self.ask(source, RAISING, rule.framework), "the strict switch")
                found.extend(reports)
        for data, blockers in self.ask(source, REQUIREMENTS):
            candidate = Candidate(**data)
            rule = self.ruleset.get(candidate.code)
            found.extend(_without_fix(self._report(source, candidate, rule, self.verdict(rule, None)), blockers, "it"))
        return found

    def in_context(self, source: SourceFile, candidate: Candidate, rule: Rule) -> Candidate | None:
        """The candidate as the program model sees it: None where it cannot break determinism there (nothing
        differentiated for a backward-only op, no training program for a training setting, a requirement the
        programs meet), "possible" where the model cannot tell."""
        if rule.backward_only and not constructs_module(candidate.api):
            context = self.ask(source, CONTEXT, candidate.scope or "<module>")
            if context == NOT_DIFFERENTIATED:
                return None
            if context == UNKNOWN and not candidate.uncertain:
                candidate = replace(candidate, uncertain=UNKNOWN_GRADIENT)
        if rule.in_training and self.ask(source, NO_TRAINING):
            return None  # only programs that do not train run this code
        if rule.backward_only and self.ask(source, NO_GRADIENT):
            return None  # only programs that compute no gradient run this code
        if rule.gpu_only and self.ask(source, CPU_ONLY):
            return None  # its programs run on the CPU only
        if any(self.ask(source, MET, code) for code in rule.met_by):
            return None  # the programs that decide about it meet a requirement that settles it
        return candidate

    def _report(self, source: SourceFile, candidate: Candidate, rule: Rule | None, verdict: Verdict | None):
        code = candidate.code
        if not self.settings.is_selected(code, source.relative, bool(rule and rule.hint)):
            return []
        if self.honour_noqa and is_suppressed(source.facts.noqa, candidate.line, code):
            return []
        if rule is None:  # a problem with the file itself (MLF9xx)
            rule = self.ruleset.get(code)
            message = candidate.uncertain
            severity = rule.severity if rule else "error"
        else:
            message = describe(rule, verdict, self.targets, candidate, self.switch_name(rule.framework))
            severity = _LOWER[rule.severity] if candidate.uncertain else rule.severity
        line, column, end_line, cell = candidate.line, candidate.column, candidate.end_line, None
        if source.facts.cells and 0 < line <= len(source.facts.cells):
            cell, line = source.facts.cells[line - 1]
            end_line = line + (candidate.end_line - candidate.line)
        # A safe fix is offered only where the finding is certain: a fix of a value the engine could not read
        # (``benchmark = flag()``, ``DataLoader(ds, **options)``) cannot apply.
        fix = (FixInfo(rule.fix.applicability, rule.fix.description)
               if rule and rule.fix and not (candidate.uncertain and rule.fix.applicability == "safe") else None)
        return [Finding(
            path=source.display, line=line, column=column, end_line=end_line,
            end_column=candidate.end_column, code=code, symbol=rule.symbol if rule else "internal-error",
            message=message, severity=severity, api=candidate.api, fix=fix,
            url=rule.url if rule else "", cell=cell,
            certainty=INFERRED if candidate.uncertain else CERTAIN,
        )]


class NotRecorded(LookupError):
    """A question the recorded answers do not hold: the whole project step must answer it."""


class RecordedJudge(Judge):
    """A judge that answers from ``answers`` (relative path -> question -> answer) recorded by a project step
    over the same project facts; any other question raises :class:`NotRecorded`."""

    def __init__(self, settings: Settings, ruleset: RuleSet, targets: dict[str, SpecifierSet],
                 answers: dict[str, dict]):
        super().__init__(settings, ruleset, targets)
        self.answers = answers

    def ask(self, source: SourceFile, question: str, argument: str = ""):
        try:
            return self.answers[source.relative][question + argument]
        except KeyError:
            raise NotRecorded(question) from None


def _without_fix(findings: list[Finding], blockers: list[str], switch: str) -> list[Finding]:
    """``findings`` whose fix would turn on a switch under which ``blockers`` raise: no fix, and the message says
    what to replace first (as they are where there is no blocker)."""
    if not blockers:
        return findings
    shown = ", ".join(blockers[:4]) + (f" and {len(blockers) - 4} more" if len(blockers) > 4 else "")
    return [replace(f, fix=None, message=f"{f.message}; first replace what raises under {switch} in the targeted "
                    f"versions: {shown}") for f in findings]


def requirement_answer(candidate: Candidate, blockers: list[str]) -> list:
    """One entry of the answer to ``REQUIREMENTS``, as JSON."""
    return [asdict(candidate), blockers]


def describe(rule: Rule, verdict: Verdict | None, targets: dict[str, SpecifierSet], candidate: Candidate,
             switch: str = "the determinism switch") -> str:
    """The finding's message: the rule's message, the versions that make it so, and any uncertainty."""
    parts = [rule.summary.rstrip(".")]
    if verdict is not None and verdict.ranges:
        distribution = verdict.ranges[0].distribution
        target = targets.get(distribution)
        targeted = f"{distribution}{target}" if target is not None and str(target) else f"any {distribution}"
        if verdict.status == DETERMINISTIC_WITH_SWITCH:
            parts.append(f"in {verdict.versions_text} (targeted: {targeted}) unless {switch} is on")
        else:
            parts.append(f"in {verdict.versions_text} (targeted: {targeted})")
    message = " ".join(parts)
    if candidate.uncertain:
        message += f" [possible: {candidate.uncertain}]"
    return message
