"""Whether turning on a framework's determinism switch is safe for a program: the operations of the program that
raise under it in the targeted versions (they have no deterministic implementation there).

PyTorch raises a ``RuntimeError`` under ``torch.use_deterministic_algorithms(True)`` for an operation it knows to
be non-deterministic and has no deterministic implementation of; TensorFlow's op determinism does the same. The
rules that report such operations are the framework's GPU operation rules (``gpu_only``, a call match, not a
setting); where the targeted versions give one of them the status ``nondeterministic``, the switch raises.
"""

from __future__ import annotations

from ..ruleset.schema import NONDETERMINISTIC, CallMatcher, Rule


def raises_under_switch(rule: Rule, framework: str | None) -> bool:
    """Whether the operations ``rule`` reports raise under ``framework``'s switch where they are non-deterministic."""
    return (framework is not None and rule.framework == framework and rule.gpu_only and "setting" not in rule.tags
            and any(isinstance(matcher, CallMatcher) for matcher in rule.matchers))


def raising_in(project, member, framework: str | None) -> tuple[str, ...]:
    """``path:line api (CODE)`` (path from the project root) for each operation of the file ``member`` that raises
    under ``framework``'s switch, as the engine judges it in context, whatever the selection of rules and ``noqa``
    comments (a suppressed finding still raises). How the engine judges a candidate in context does not depend on
    which program runs the file: the project asks this once per file (``Project.raising_operations``)."""
    found = []
    for candidate in member.facts.candidates:
        rule = project.ruleset.get(candidate.code)
        if rule is None or not raises_under_switch(rule, framework):
            continue
        if project.verdict(rule, candidate.matcher).status != NONDETERMINISTIC:
            continue
        if project.in_context(member, candidate, rule) is not None:
            found.append(f"{member.relative}:{candidate.line} {candidate.api} ({candidate.code})")
    return tuple(found)
