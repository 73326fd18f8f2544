"""The rule schema: typed, validated rule data read from ``rules/*.yaml``.

Every rule file is a mapping with an optional ``framework`` (the distribution whose versions the
rules' ``versions`` refer to by default) and a list ``rules``.  Each rule is validated when it is
loaded; a problem raises :class:`RuleError` naming the file, the rule and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from .fixes import Fix, read_fix

CODE_PATTERN = re.compile(r"^MLF\d{3}$")
SYMBOL_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
QUALIFIED_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.([A-Za-z_][A-Za-z0-9_]*|\*))*$")
#: An assignment target: a qualified name, or ``*.attribute`` for the attribute of an object the walker cannot
#: name (``options.deterministic = False`` on a local ``tf.data.Options()``), in a module using the framework.
TARGET_PATTERN = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*(\.([A-Za-z_][A-Za-z0-9_]*|\*))*|\*\.[A-Za-z_][A-Za-z0-9_]*)$")

SEVERITIES = ("error", "warning", "info")
#: What a version range says about a rule's subject.
NONDETERMINISTIC = "nondeterministic"  # no deterministic implementation
DETERMINISTIC_WITH_SWITCH = "deterministic-with-switch"  # deterministic only under the switch
DETERMINISTIC = "deterministic"
STATUSES = (NONDETERMINISTIC, DETERMINISTIC_WITH_SWITCH, DETERMINISTIC)
APPLICABILITIES = ("safe", "unsafe")
UNKNOWN_POLICIES = ("report", "ignore")
#: Kinds of argument expression a condition can exclude with ``unless`` (see engine/conditions.py):
#:   number     a Python number: a numeric literal, arithmetic on numbers, or a parameter whose default is one;
#:   one-dimensional  a 1-D tensor: flattened (``t.view(-1)``, ``t.reshape(-1)``, ``t.flatten()``) or a range
#:              (``torch.arange(n)``), in the call or through a name assigned one in the same function;
#:   passed-in  a parameter of the enclosing function, or an attribute of ``self``: the caller's choice;
#:   no-grad    a tensor autograd does not record: made by a factory such as ``torch.arange`` or ``torch.zeros``
#:              (without ``requires_grad=True``), cast to an integer or boolean dtype, detached, or reshaped or
#:              combined from such tensors and numbers in the same function;
#:   integer    a tensor of an integer or boolean dtype: cast (``.long()``, ``.to(torch.int64)``), compared
#:              (``mask != 0``), or an index (``argmax``, ``argsort``), directly or through a name assigned so;
#:   run-dependent  a value that changes from run to run: computed from the clock, the process id, fresh
#:              entropy or a string hash (see engine/run_dependent.py), directly or through assigned names.
EXPRESSION_KINDS = ("number", "one-dimensional", "passed-in", "no-grad", "integer", "run-dependent", "permutation")
SCALAR_TYPES = (str, int, float, bool, type(None))
#: What a rule with ``inspects`` checks in the project's environment files (see mlfcore_lint/environment/):
#:   framework-pins        each framework the programs import is pinned to one version where the project
#:                         installs from (or locked, or pinned elsewhere by configuration);
#:   container-base-image  a Dockerfile's ``FROM`` (or an MLproject's ``docker_env`` image) names a digest or
#:                         a fixed tag, not ``latest`` or no tag;
#:   container-installs    a Dockerfile's ``pip``/``conda install`` of a framework names one version;
#:   project-files         a project file the environment rules read cannot be read or parsed.
INSPECTIONS = ("framework-pins", "container-base-image", "container-installs", "project-files")


class RuleError(ValueError):
    """A rule file that does not follow the schema."""

    def __init__(self, path: str, rule: str | None, field_name: str | None, problem: str):
        where = path
        if rule:
            where += f": rule {rule}"
        if field_name:
            where += f": field '{field_name}'"
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class ArgumentCondition:
    """A condition on one argument of a call (a keyword, a position, or both)."""

    keyword: str | None = None
    position: int | None = None
    method_position: int | None = None  # position in the method form (``x.f(...)``)
    one_of: tuple | None = None  # value in this set
    none_of: tuple | None = None  # value not in this set
    greater_than: float | None = None
    contains: tuple[str, ...] | None = None  # a string value that contains one of these substrings
    present: bool | None = None  # the argument is (not) given
    default: Any = None  # the value when the argument is absent
    has_default: bool = False
    unknown: str = "report"  # a value that cannot be known statically: report (lower severity) or ignore
    unless: tuple[str, ...] = ()  # kinds of expression (EXPRESSION_KINDS) for which the condition fails
    kinds: tuple[str, ...] = ()  # kinds of expression (EXPRESSION_KINDS) one of which the argument must be

    @property
    def label(self) -> str:
        """How a message names what the condition looks at: ``mode``, ``argument 2`` or the assigned value."""
        if self.keyword:
            return f"`{self.keyword}`"
        if self.position is not None:
            return f"argument {self.position}"
        return "the assigned value"


@dataclass(frozen=True)
class CallMatcher:
    apis: tuple[str, ...] = ()  # qualified names: functions, classes, ``torch.Tensor.index_add_``
    methods: tuple[str, ...] = ()  # method names matched on any receiver in a module using the framework
    arguments: tuple[ArgumentCondition, ...] = ()
    versions: tuple[VersionRange, ...] | None = None  # overrides the rule's versions for this form
    # The call returns items in an order that changes between machines or runs (a directory listing): not
    # reported where the code sorts the result or ignores its order (see engine/ordering.py ListingOrder).
    unordered: bool = False
    # Why every match of this form is only possible (``PCA(n_components=50)``: its solver depends on the data).
    possible: str = ""
    # Methods that seed the call's result: the finding is withdrawn where the name the result is assigned to is
    # given a seed by one of them later in the same function (``rng = random.Random(); rng.seed(0)``).
    seeded_by_method: tuple[str, ...] = ()


@dataclass(frozen=True)
class AssignmentMatcher:
    targets: tuple[str, ...]
    value: ArgumentCondition | None = None
    versions: tuple[VersionRange, ...] | None = None


@dataclass(frozen=True)
class EnvironmentMatcher:
    variables: tuple[str, ...]
    value: ArgumentCondition | None = None
    versions: tuple[VersionRange, ...] | None = None


@dataclass(frozen=True)
class MappingMatcher:
    """A dict display with string keys (``{"booster": "gblinear"}``), in a module using the framework.

    Each condition's ``keyword`` names a key; a key that is not in the display is absent, unless the
    display also unpacks another mapping (``**other``), which makes it unknown.
    """

    keys: tuple[ArgumentCondition, ...]
    versions: tuple[VersionRange, ...] | None = None


@dataclass(frozen=True)
class IterationMatcher:
    """An order-sensitive use (``for``, a comprehension, ``list``/``tuple``/``enumerate``, ``str.join``) of
    a collection whose order changes between runs; ``over`` names the kind (see engine/ordering.py)."""

    over: str
    versions: tuple[VersionRange, ...] | None = None


Matcher = CallMatcher | AssignmentMatcher | EnvironmentMatcher | MappingMatcher | IterationMatcher
ITERATED_KINDS = ("string-set",)  # sets of strings: their order follows the per-process hash seed


@dataclass(frozen=True)
class Requirement:
    """What an entry point must do, when the program uses what ``triggered_by`` names."""

    imports: tuple[str, ...] = ()  # the program imports one of these modules
    calls: tuple[str, ...] = ()  # or calls one of these (``*`` matches one name part)
    calls_except: tuple[str, ...] = ()
    matchers: tuple[Matcher, ...] = ()  # or matches one of these
    satisfied_by: tuple[Matcher, ...] = ()
    missing_api: str = ""  # what the finding names as missing, e.g. ``torch.manual_seed``
    # What it names for some releases instead: (distribution, range, api), see ``versions.missing_api``.
    missing_by_version: tuple[tuple[str, SpecifierSet, str], ...] = ()
    # A seed, triggered by drawing (its ``calls``): needed where the code the program runs draws, not wherever
    # a module it imports could.
    seeds: bool = False


@dataclass(frozen=True)
class VersionRange:
    distribution: str
    specifier: SpecifierSet
    status: str

    @property
    def text(self) -> str:
        return f"{self.distribution}{self.specifier}" if str(self.specifier) else self.distribution


@dataclass(frozen=True)
class Example:
    code: str  # the program (``train.py``); empty where the example is only project files
    target: tuple[str, ...] = ()
    settings: tuple[tuple[str, Any], ...] = ()  # extra config keys for this example
    files: tuple[tuple[str, str], ...] = ()  # other project files: (path below the root, content)
    fixed: str | None = None  # a flagged example of a rule with a fix: the code after ``mlfcore-fix``


@dataclass(frozen=True)
class Rule:
    code: str
    symbol: str
    summary: str  # the finding's message
    severity: str
    framework: str | None
    matchers: tuple[Matcher, ...]
    requirement: Requirement | None
    versions: tuple[VersionRange, ...]
    condition: str  # when the call misbehaves (device, pass, dtype), in words
    why: str
    alternative: str
    references: tuple[str, ...]
    fix: Fix | None
    flagged_examples: tuple[Example, ...]
    clean_examples: tuple[Example, ...]
    source_file: str
    tags: tuple[str, ...] = ()
    evidence: str = ""  # fixture verdict or other proof, written by the verify suite
    # Only the backward pass misbehaves: a function call autograd does not record (in a ``torch.no_grad()`` or
    # ``torch.inference_mode()`` block or function) is not reported; constructing a module there still is.
    backward_only: bool = False
    # Reported only in code that a training program runs (or that no program runs: library code).
    in_training: bool = False
    # Requirements whose being met makes the finding moot (``DataLoader`` workers of a program that seeds torch).
    met_by: tuple[str, ...] = ()
    # Not by itself a determinism break: reported only when selected by its code or ``HINT``.
    hint: bool = False
    # Matters only on a GPU: not reported for programs that visibly run on the CPU only.
    gpu_only: bool = False
    inspects: str = ""  # an environment check (INSPECTIONS) instead of match entries or a requirement
    # Environment variables that, set where the program is launched (a Dockerfile's ``ENV``, a workflow's
    # ``env:``), settle what the rule reports: its findings are dropped (``PYTHONHASHSEED`` for string hashing).
    settled_outside_by: tuple[EnvironmentMatcher, ...] = ()
    # Its environment entries match variables set outside Python too (a Dockerfile's ENV, a workflow's env:),
    # reported on that file's line: a false value is as wrong there as in ``os.environ``.
    outside: bool = False
    added: str = "0.1.0"  # the mlfcore-lint release that first shipped the rule

    @property
    def pylint_symbol(self) -> str:
        """The pylint message symbol: the rule's symbol, with ``mlfcore-`` before the linter's own problems
        (MLF9xx), whose plain symbols (``syntax-error``) pylint has already."""
        return f"mlfcore-{self.symbol}" if self.code.startswith("MLF9") else self.symbol

    @property
    def url(self) -> str:
        return f"https://mlfcore-lint.readthedocs.io/en/latest/rules/{self.code}.html"

    @property
    def kind(self) -> str:
        if self.inspects:
            return "environment-files"
        if self.requirement is not None:
            return "requirement"
        kinds = {type(m) for m in self.matchers}
        if kinds == {CallMatcher}:
            return "call"
        if kinds == {AssignmentMatcher}:
            return "assignment"
        if kinds == {EnvironmentMatcher}:
            return "environment"
        return "mixed"


@dataclass
class RuleSet:
    rules: dict[str, Rule] = field(default_factory=dict)
    reexports: tuple[tuple[str, str], ...] = ()  # (prefix pattern, canonical prefix)
    framework_modules: dict[str, tuple[str, ...]] = field(default_factory=dict)  # dist -> import roots
    releases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # dist -> known releases
    switches: dict[str, str] = field(default_factory=dict)  # dist -> code of its switch requirement
    fingerprint: str = ""

    def __iter__(self):
        return iter(self.rules.values())

    def __len__(self):
        return len(self.rules)

    def get(self, code: str) -> Rule | None:
        return self.rules.get(code)


# --------------------------------------------------------------------------- validation helpers


class _Reader:
    """Reads one mapping of a rule file, turning every schema problem into a RuleError."""

    def __init__(self, path: str, rule: str | None, data: Any, where: str = ""):
        self.path, self.rule, self.where = path, rule, where
        if not isinstance(data, dict):
            self.fail(None, f"expected a mapping, got {type(data).__name__}")
        self.data = data

    def fail(self, key: str | None, problem: str):
        name = ".".join(part for part in (self.where, key) if part) or None
        raise RuleError(self.path, self.rule, name, problem)

    def child(self, key: str, data: Any) -> _Reader:
        return _Reader(self.path, self.rule, data, ".".join(p for p in (self.where, key) if p))

    def check_keys(self, allowed: set[str]):
        unknown = sorted(set(self.data) - allowed)
        if unknown:
            self.fail(unknown[0], f"unknown field (allowed: {', '.join(sorted(allowed))})")

    def str(self, key: str, required: bool = False, default: str = "") -> str:
        if key not in self.data:
            if required:
                self.fail(key, "is required")
            return default
        value = self.data[key]
        if not isinstance(value, str) or (required and not value.strip()):
            self.fail(key, "must be a non-empty string")
        return value

    def str_list(self, key: str, pattern: re.Pattern | None = None) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(key, "must be a string or a list of strings")
        if pattern is not None:
            for item in value:
                if not pattern.match(item):
                    self.fail(key, f"{item!r} is not a dotted name")
        return tuple(value)

    def choice(self, key: str, choices: tuple[str, ...], default: str) -> str:
        value = self.data.get(key, default)
        if value not in choices:
            self.fail(key, f"{value!r} is not one of {', '.join(choices)}")
        return value


def _scalars(reader: _Reader, key: str) -> tuple | None:
    if key not in reader.data:
        return None
    value = reader.data[key]
    if not isinstance(value, list):
        value = [value]
    items = []
    for item in value:
        if isinstance(item, list) and all(isinstance(v, SCALAR_TYPES) for v in item):
            item = tuple(item)  # a tuple argument such as ``output_size=(1, 1)``
        elif not isinstance(item, SCALAR_TYPES):
            reader.fail(key, f"{item!r} is not a literal value")
        items.append(item)
    return tuple(items)


#: The keys of an argument condition (docs/rule-format.md documents each), and those that locate the argument.
CONDITION_KEYS = frozenset({"one_of", "none_of", "greater_than", "contains", "present", "default", "unknown", "unless",
                            "kinds"})
LOCATION_KEYS = frozenset({"keyword", "position", "method_position"})
MATCH_KINDS = ("call", "assignment", "environment", "mapping", "iteration")


def read_condition(reader: _Reader, allow_location: bool = True) -> ArgumentCondition:
    reader.check_keys(CONDITION_KEYS | LOCATION_KEYS if allow_location else CONDITION_KEYS)
    keyword = reader.data.get("keyword")
    position = reader.data.get("position")
    method_position = reader.data.get("method_position")
    if allow_location:
        if keyword is None and position is None:
            reader.fail("keyword", "an argument condition needs a keyword, a position or both")
        if keyword is not None and not (isinstance(keyword, str) and keyword.isidentifier()):
            reader.fail("keyword", f"{keyword!r} is not an identifier")
        for key, value in (("position", position), ("method_position", method_position)):
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                reader.fail(key, f"{value!r} is not a position (0 or more)")
    present = reader.data.get("present")
    if present is not None and not isinstance(present, bool):
        reader.fail("present", "must be true or false")
    greater_than = reader.data.get("greater_than")
    if greater_than is not None and (not isinstance(greater_than, (int, float)) or isinstance(greater_than, bool)):
        reader.fail("greater_than", "must be a number")
    contains = reader.data.get("contains")
    if contains is not None:
        contains = (contains,) if isinstance(contains, str) else contains
        if not isinstance(contains, (list, tuple)) or not contains or not all(isinstance(c, str) for c in contains):
            reader.fail("contains", "must be a string or a list of strings")
        contains = tuple(contains)
    unless = reader.data.get("unless", [])
    unless = [unless] if isinstance(unless, str) else unless
    if not isinstance(unless, list) or any(kind not in EXPRESSION_KINDS for kind in unless):
        reader.fail("unless", f"must be a list of: {', '.join(EXPRESSION_KINDS)}")
    kinds = reader.data.get("kinds", [])
    kinds = [kinds] if isinstance(kinds, str) else kinds
    if not isinstance(kinds, list) or any(kind not in EXPRESSION_KINDS for kind in kinds):
        reader.fail("kinds", f"must be a list of: {', '.join(EXPRESSION_KINDS)}")
    has_default = "default" in reader.data
    default = reader.data.get("default")
    if has_default and not isinstance(default, SCALAR_TYPES):
        reader.fail("default", f"{default!r} is not a literal value")
    return ArgumentCondition(
        keyword=keyword,
        position=position,
        method_position=method_position,
        one_of=_scalars(reader, "one_of"),
        none_of=_scalars(reader, "none_of"),
        greater_than=greater_than,
        contains=contains,
        present=present,
        default=default,
        has_default=has_default,
        unknown=reader.choice("unknown", UNKNOWN_POLICIES, "report"),
        unless=tuple(unless),
        kinds=tuple(kinds),
    )


def read_versions(reader: _Reader, key: str, framework: str | None) -> tuple[VersionRange, ...] | None:
    if key not in reader.data:
        return None
    value = reader.data[key]
    ranges: list[VersionRange] = []
    if not isinstance(value, dict):
        reader.fail(key, "must map a distribution name to a list of {range, status}")
    for distribution, entries in value.items():
        if not isinstance(distribution, str) or not re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", distribution):
            reader.fail(key, f"{distribution!r} is not a distribution name")
        if not isinstance(entries, list) or not entries:
            reader.fail(f"{key}.{distribution}", "must be a non-empty list of {range, status}")
        for index, entry in enumerate(entries):
            sub = reader.child(f"{key}.{distribution}[{index}]", entry)
            sub.check_keys({"range", "status"})
            text = sub.data.get("range", "")
            if not isinstance(text, str):
                sub.fail("range", "must be a PEP 440 specifier string such as '>=2.1,<2.4'")
            try:
                specifier = SpecifierSet(text)
            except InvalidSpecifier:
                sub.fail("range", f"{text!r} is not a PEP 440 specifier")
            status = sub.data.get("status")
            if status not in STATUSES:
                sub.fail("status", f"{status!r} is not one of {', '.join(STATUSES)}")
            ranges.append(VersionRange(distribution.lower(), specifier, status))
    return tuple(ranges)


def _read_missing_by_version(reader: _Reader) -> tuple[tuple[str, SpecifierSet, str], ...]:
    """``missing_by_version``: per distribution, a list of ``{range, api}``: the API to name for those releases."""
    value = reader.data.get("missing_by_version", {})
    if not isinstance(value, dict):
        reader.fail("missing_by_version", "must map a distribution name to a list of {range, api}")
    found = []
    for distribution, entries in value.items():
        if not isinstance(entries, list) or not entries:
            reader.fail(f"missing_by_version.{distribution}", "must be a non-empty list of {range, api}")
        for index, entry in enumerate(entries):
            sub = reader.child(f"missing_by_version.{distribution}[{index}]", entry)
            sub.check_keys({"range", "api"})
            text = sub.str("range", required=True)
            try:
                specifier = SpecifierSet(text)
            except InvalidSpecifier:
                sub.fail("range", f"{text!r} is not a PEP 440 specifier")
            found.append((str(distribution).lower(), specifier, sub.str("api", required=True)))
    return tuple(found)


def _needs_key(condition: ArgumentCondition) -> bool:
    """Whether a mapping without the key fails ``condition`` (so the condition anchors the match)."""
    if condition.present:
        return True
    restricts = condition.one_of is not None or condition.contains is not None
    return restricts and not condition.has_default


def anchor_keys(matcher: MappingMatcher) -> tuple[str, ...]:
    """The keys a dict display must spell out for ``matcher`` to apply to it."""
    return tuple(c.keyword for c in matcher.keys if _needs_key(c))


def read_matcher(reader: _Reader, framework: str | None) -> Matcher:
    kinds = [k for k in MATCH_KINDS if k in reader.data]
    if len(kinds) != 1:
        reader.fail(None, f"each match entry needs exactly one of: {', '.join(MATCH_KINDS)}")
    kind = kinds[0]
    reader.check_keys({kind, "versions"})
    versions = read_versions(reader, "versions", framework)
    body = reader.child(kind, reader.data[kind])
    if kind == "call":
        body.check_keys({"api", "method", "arguments", "unordered", "possible", "seeded_by_method"})
        unordered = body.data.get("unordered", False)
        if not isinstance(unordered, bool):
            body.fail("unordered", "must be true or false")
        seeded_by = body.str_list("seeded_by_method")
        if not all(method.isidentifier() for method in seeded_by):
            body.fail("seeded_by_method", "must be a list of method names")
        apis = body.str_list("api", QUALIFIED_PATTERN)
        methods = body.str_list("method")
        if not apis and not methods:
            body.fail("api", "a call matcher needs api names, method names or both")
        for method in methods:
            if not method.isidentifier():
                body.fail("method", f"{method!r} is not a method name")
        conditions = body.data.get("arguments", [])
        if not isinstance(conditions, list):
            body.fail("arguments", "must be a list of argument conditions")
        arguments = tuple(
            read_condition(body.child(f"arguments[{i}]", c)) for i, c in enumerate(conditions)
        )
        return CallMatcher(apis=apis, methods=methods, arguments=arguments, versions=versions, unordered=unordered,
                           possible=body.str("possible"), seeded_by_method=seeded_by)
    if kind == "assignment":
        body.check_keys({"target", "value"})
        targets = body.str_list("target", TARGET_PATTERN)
        if not targets:
            body.fail("target", "is required")
        value = read_condition(body.child("value", body.data["value"]), False) if "value" in body.data else None
        return AssignmentMatcher(targets=targets, value=value, versions=versions)
    if kind == "iteration":
        body.check_keys({"over"})
        if "over" not in body.data:
            body.fail("over", "is required")
        return IterationMatcher(over=body.choice("over", ITERATED_KINDS, ""), versions=versions)
    if kind == "mapping":
        body.check_keys({"keys"})
        conditions = body.data.get("keys")
        if not isinstance(conditions, list) or not conditions:
            body.fail("keys", "must be a non-empty list of key conditions")
        keys = tuple(read_condition(body.child(f"keys[{i}]", c)) for i, c in enumerate(conditions))
        for position, condition in enumerate(keys):
            if condition.keyword is None or condition.position is not None or condition.method_position is not None:
                body.fail(f"keys[{position}]", "a key condition names its key with `keyword` (no position)")
        if not any(_needs_key(c) for c in keys):
            body.fail("keys", "at least one key condition must need its key (present: true, or one_of or "
                              "contains without a default)")
        return MappingMatcher(keys=keys, versions=versions)
    body.check_keys({"variable", "value"})
    variables = body.str_list("variable")
    if not variables:
        body.fail("variable", "is required")
    value = read_condition(body.child("value", body.data["value"]), False) if "value" in body.data else None
    return EnvironmentMatcher(variables=variables, value=value, versions=versions)


def _read_matchers(reader: _Reader, key: str, framework: str | None) -> tuple[Matcher, ...]:
    entries = reader.data.get(key, [])
    if isinstance(entries, dict):
        entries = [entries]
    if not isinstance(entries, list):
        reader.fail(key, "must be a list of match entries")
    return tuple(read_matcher(reader.child(f"{key}[{i}]", e), framework) for i, e in enumerate(entries))


def read_requirement(reader: _Reader, framework: str | None) -> Requirement:
    reader.check_keys({"triggered_by", "satisfied_by", "missing", "missing_by_version", "seeds"})
    trigger = reader.child("triggered_by", reader.data.get("triggered_by", {}))
    trigger.check_keys({"imports", "calls", "except", "match"})
    requirement = Requirement(
        imports=trigger.str_list("imports", QUALIFIED_PATTERN),
        calls=trigger.str_list("calls", QUALIFIED_PATTERN),
        calls_except=trigger.str_list("except", QUALIFIED_PATTERN),
        matchers=_read_matchers(trigger, "match", framework),
        satisfied_by=_read_matchers(reader, "satisfied_by", framework),
        missing_api=reader.str("missing", required=True),
        missing_by_version=_read_missing_by_version(reader),
        seeds=reader.choice("seeds", (True, False), False),
    )
    if not (requirement.imports or requirement.calls or requirement.matchers):
        trigger.fail(None, "a requirement needs imports, calls or match entries that trigger it")
    if not requirement.satisfied_by:
        reader.fail("satisfied_by", "a requirement needs at least one way to satisfy it")
    return requirement


def _read_examples(reader: _Reader, key: str) -> tuple[Example, ...]:
    entries = reader.data.get(key, [])
    if not isinstance(entries, list):
        reader.fail(key, "must be a list of code snippets")
    examples = []
    for index, entry in enumerate(entries):
        if isinstance(entry, str):
            examples.append(Example(code=entry))
            continue
        sub = reader.child(f"{key}[{index}]", entry)
        sub.check_keys({"code", "target", "settings", "files"} | ({"fixed"} if key == "flagged" else set()))
        settings = sub.data.get("settings", {})
        if not isinstance(settings, dict):
            sub.fail("settings", "must be a mapping of configuration keys")
        files = sub.data.get("files", {})
        if not isinstance(files, dict) or not all(
                isinstance(k, str) and isinstance(v, str) and _is_relative_path(k) for k, v in files.items()):
            sub.fail("files", "must map relative file paths (no '..') to their text")
        examples.append(
            Example(
                code=sub.str("code", required=not files),
                target=sub.str_list("target"),
                settings=tuple(sorted(settings.items())),
                files=tuple(sorted(files.items())),
                fixed=sub.str("fixed") if "fixed" in sub.data else None,
            )
        )
    return tuple(examples)


def _is_relative_path(path: str) -> bool:
    parts = path.split("/")
    return bool(path) and not path.startswith("/") and ".." not in parts and "" not in parts and "\\" not in path


RULE_KEYS = {
    "code", "symbol", "message", "severity", "framework", "match", "requirement", "versions",
    "condition", "why", "alternative", "references", "fix", "examples", "tags", "evidence", "backward_only",
    "in_training", "met_by", "hint", "gpu_only", "inspects", "settled_outside_by", "outside",
    "added",
}
FIRST_RELEASE = "0.1.0"
RELEASE_PATTERN = re.compile(r"^\d+\.\d+\.\d+$")


def read_rule(path: str, data: Any, default_framework: str | None) -> Rule:
    code = data.get("code") if isinstance(data, dict) else None
    reader = _Reader(path, code if isinstance(code, str) else None, data)
    reader.check_keys(RULE_KEYS)
    code = reader.str("code", required=True)
    if not CODE_PATTERN.match(code):
        reader.fail("code", f"{code!r} is not MLF followed by three digits")
    symbol = reader.str("symbol", required=True)
    if not SYMBOL_PATTERN.match(symbol):
        reader.fail("symbol", f"{symbol!r} must be lower-case words joined by hyphens")
    framework = data.get("framework", default_framework)
    if framework is not None and not isinstance(framework, str):
        reader.fail("framework", "must be a distribution name")
    matchers = _read_matchers(reader, "match", framework)
    requirement = None
    if "requirement" in data:
        requirement = read_requirement(reader.child("requirement", data["requirement"]), framework)
    inspects = reader.choice("inspects", INSPECTIONS + ("",), "")
    if inspects and (matchers or requirement):
        reader.fail("inspects", "a rule that inspects environment files has no match entries or requirement")
    if bool(matchers) == bool(requirement) and not code.startswith("MLF9") and not inspects:
        reader.fail("match", "a rule needs either match entries, a requirement or inspects (one of them)")
    if data.get("outside") and not any(isinstance(matcher, EnvironmentMatcher) for matcher in matchers):
        reader.fail("outside", "only a rule with environment match entries can match variables set outside Python")
    settled = _read_matchers(reader, "settled_outside_by", framework)
    if any(not isinstance(matcher, EnvironmentMatcher) for matcher in settled):
        reader.fail("settled_outside_by", "only environment entries can settle a rule outside the program")
    fix = None
    if data.get("fix") is not None:
        fix = read_fix(reader.child("fix", data["fix"]), code, framework, matchers, APPLICABILITIES)
    examples = reader.child("examples", data.get("examples") or {})
    examples.check_keys({"flagged", "clean"})
    flagged = _read_examples(examples, "flagged")
    clean = _read_examples(examples, "clean")
    if not flagged:
        examples.fail("flagged", "every rule needs at least one example that must be flagged")
    if not clean:
        examples.fail("clean", "every rule needs at least one example that must not be flagged")
    if fix is not None and not inspects and any(e.fixed is None and e.code and not e.files for e in flagged):
        examples.fail("flagged", "a rule with a fix gives each flagged example's `fixed:` form (the code after "
                                 "mlfcore-fix)")
    added = reader.str("added", default=FIRST_RELEASE)
    if not RELEASE_PATTERN.match(added):
        reader.fail("added", f"{added!r} is not an mlfcore-lint release such as 0.2.0")
    references = reader.str_list("references")
    for reference in references:
        if not reference.startswith(("https://", "http://")):
            reader.fail("references", f"{reference!r} is not a URL")
    return Rule(
        code=code,
        symbol=symbol,
        summary=reader.str("message", required=True),
        severity=reader.choice("severity", SEVERITIES, "error"),
        framework=framework,
        matchers=matchers,
        requirement=requirement,
        versions=read_versions(reader, "versions", framework) or (),
        condition=reader.str("condition"),
        why=reader.str("why", required=True),
        alternative=reader.str("alternative", required=True),
        references=references,
        fix=fix,
        flagged_examples=flagged,
        clean_examples=clean,
        source_file=path,
        tags=reader.str_list("tags"),
        evidence=reader.str("evidence"),
        backward_only=reader.choice("backward_only", (True, False), False),
        in_training=reader.choice("in_training", (True, False), False),
        met_by=reader.str_list("met_by", CODE_PATTERN),
        hint=reader.choice("hint", (True, False), False),
        gpu_only=reader.choice("gpu_only", (True, False), False),
        inspects=inspects,
        settled_outside_by=settled,
        outside=reader.choice("outside", (True, False), False),
        added=added,
    )
