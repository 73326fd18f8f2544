"""The rule set compiled into lookup tables for one traversal: qualified name -> what it can trigger."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..ruleset.schema import (
    AssignmentMatcher,
    CallMatcher,
    EnvironmentMatcher,
    IterationMatcher,
    MappingMatcher,
    Matcher,
    RuleSet,
    anchor_keys,
)
from .calls import PREFILTER_METHODS

FINDING, SATISFIES, TRIGGERS = "finding", "satisfies", "triggers"


@dataclass(frozen=True)
class Entry:
    purpose: str  # FINDING, SATISFIES or TRIGGERS
    code: str
    matcher_index: int
    matcher: Matcher
    framework_roots: tuple[str, ...] = ()  # method forms count only where one of these is imported
    backward_only: bool = False  # the rule's ``backward_only``: calls autograd does not record do not count


@dataclass(frozen=True)
class Prefilter:
    """Whether a text mentions a word the rules need: any of ``patterns`` found in it."""

    patterns: tuple[re.Pattern, ...]

    def search(self, text: str) -> re.Match | None:
        for pattern in self.patterns:
            found = pattern.search(text)
            if found is not None:
                return found
        return None


@dataclass
class RuleIndex:
    calls: dict[str, list[Entry]] = field(default_factory=dict)
    methods: dict[str, list[Entry]] = field(default_factory=dict)
    assignments: dict[str, list[Entry]] = field(default_factory=dict)
    environment: dict[str, list[Entry]] = field(default_factory=dict)
    mappings: dict[str, list[Entry]] = field(default_factory=dict)  # first anchor key -> dict-display matchers
    mapping_roots: set[str] | None = field(default_factory=set)  # modules one must import (None: any module)
    iterations: list[Entry] = field(default_factory=list)  # order-sensitive uses of unordered collections
    trigger_imports: dict[str, list[str]] = field(default_factory=dict)  # module -> requirement codes
    trigger_calls: list[tuple[str, bool, str, tuple[str, ...]]] = field(default_factory=list)
    reexports: tuple[tuple[tuple[str, ...], str], ...] = ()
    prefilter: Prefilter | None = None
    roots: frozenset[str] = frozenset()  # top-level modules of every name a rule matches (``torch``, ``numpy``)
    _canonical: dict[str, str] = field(default_factory=dict)
    # what ``_triggered_by_import`` and ``triggered_by_call`` gave for each name (asked for every import and call)
    _by_import: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)
    _by_call: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    def canonical(self, name: str) -> str:
        """The public path of ``name``: ``torch.nn.modules.pooling.MaxPool3d`` -> ``torch.nn.MaxPool3d``."""
        cached = self._canonical.get(name)
        if cached is not None:
            return cached
        result = name
        parts = name.split(".")
        for pattern, replacement in self.reexports:
            if len(parts) > len(pattern) and all(p == "*" or p == q for p, q in zip(pattern, parts, strict=False)):
                result = ".".join([replacement] + parts[len(pattern):])
                break
        self._canonical[name] = result
        return result

    def triggered_by_imports(self, modules) -> set[str]:
        codes = set()
        memo = self._by_import
        for module in modules:
            found = memo.get(module)
            if found is None:
                found = memo[module] = self._triggered_by_import(module)
            codes.update(found)
        return codes

    def _triggered_by_import(self, module: str) -> tuple[str, ...]:
        parts = module.split(".")
        return tuple(code for end in range(1, len(parts) + 1)
                     for code in self.trigger_imports.get(".".join(parts[:end]), ()))

    def triggered_by_call(self, name: str) -> tuple[str, ...]:
        found = self._by_call.get(name)
        if found is None:
            found = self._by_call[name] = tuple(
                code for pattern, is_prefix, code, exceptions in self.trigger_calls
                if (name.startswith(pattern) if is_prefix else name == pattern) and name not in exceptions)
        return found


def _roots(ruleset: RuleSet, framework: str | None) -> tuple[str, ...]:
    if framework is None:
        return ()
    return ruleset.framework_modules.get(framework, (framework,))


def _alternation(words: set[str]) -> str:
    """A regular expression matching any of ``words``, as a trie (``max_pool(?:1d|2d|3d)?``).

    Python's engine tries a flat alternation word by word at every position of the text; shared prefixes
    factored out make it reject a position after a character or two (about four times faster on real code).
    """
    trie: dict = {}
    for word in words:
        node = trie
        for character in word:
            node = node.setdefault(character, {})
        node[""] = {}  # a word ends here
    return _trie_pattern(trie)


def _trie_pattern(node: dict) -> str:
    branches = [re.escape(character) + _trie_pattern(child) for character, child in sorted(node.items()) if character]
    if not branches:
        return ""
    pattern = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{pattern})?" if "" in node else pattern


def build_index(ruleset: RuleSet) -> RuleIndex:
    index = RuleIndex()
    index.reexports = tuple((tuple(prefix.split(".")), canonical) for prefix, canonical in ruleset.reexports)
    words: set[str] = set()
    method_words: set[str] = set()  # matched only after a dot: ``x.batch(`` but not ``batch_size``

    def add(purpose: str, code: str, position: int, matcher: Matcher, roots: tuple[str, ...],
            backward_only: bool = False):
        entry = Entry(purpose, code, position, matcher, roots, backward_only)
        if isinstance(matcher, CallMatcher):
            for api in matcher.apis:
                index.calls.setdefault(index.canonical(api), []).append(entry)
                words.add(api.split(".")[-1])
            for method in matcher.methods:
                index.methods.setdefault(method, []).append(entry)
                method_words.add(method)
        elif isinstance(matcher, AssignmentMatcher):
            for target in matcher.targets:
                index.assignments.setdefault(index.canonical(target), []).append(entry)
                words.add(target.split(".")[-1])
        elif isinstance(matcher, EnvironmentMatcher):
            for variable in matcher.variables:
                index.environment.setdefault(variable, []).append(entry)
            words.update(("environ", "putenv"))
        elif isinstance(matcher, MappingMatcher):
            anchor = anchor_keys(matcher)[0]
            index.mappings.setdefault(anchor, []).append(entry)
            if not roots:
                index.mapping_roots = None
            elif index.mapping_roots is not None:
                index.mapping_roots.update(roots)
            words.add(anchor)
        elif isinstance(matcher, IterationMatcher):
            # No pre-filter word: such a collection counts only in files parsed for another rule.
            index.iterations.append(entry)

    for rule in ruleset:
        roots = _roots(ruleset, rule.framework)
        for position, matcher in enumerate(rule.matchers):
            add(FINDING, rule.code, position, matcher, roots, rule.backward_only)
        requirement = rule.requirement
        if requirement is None:
            continue
        for position, matcher in enumerate(requirement.satisfied_by):
            add(SATISFIES, rule.code, position, matcher, roots)
        for position, matcher in enumerate(requirement.matchers):
            add(TRIGGERS, rule.code, position, matcher, roots)
        for module in requirement.imports:
            # Imports are read from unparsed files too (see ``scan_imports``): no pre-filter word needed.
            index.trigger_imports.setdefault(module, []).append(rule.code)
        for pattern in requirement.calls:
            is_prefix = pattern.endswith(".*")
            index.trigger_calls.append(
                (pattern[:-1] if is_prefix else pattern, is_prefix, rule.code, requirement.calls_except)
            )
            words.add([part for part in pattern.split(".") if part != "*"][-1])
    # A file is parsed only when it mentions one of these words (a name a rule matches, the last part of
    # a call that triggers a requirement) or has a ``__main__`` block: an entry point must be checked for
    # missing requirements even when it calls nothing the rules know.
    index.roots = frozenset(name.split(".", 1)[0] for table in (index.calls, index.assignments) for name in table)
    words.add("__main__")
    # The program model needs every scope that trains: a training call's method names are words too.
    method_words.update(PREFILTER_METHODS)
    words.discard("*")
    method_words -= words
    patterns = [r"\b(?:" + _alternation(words) + r")\b"]
    if method_words:  # searched first: its leading ``.`` lets the regex engine skip ahead, the words' ``\b`` not
        patterns.insert(0, r"\.\s*(?:" + _alternation(method_words) + r")\b")
    index.prefilter = Prefilter(tuple(map(re.compile, patterns)))
    return index
