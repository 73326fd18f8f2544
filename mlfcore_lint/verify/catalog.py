"""The fixture catalogue: which rules need a fixture, which fixtures exist, and what each one expects.

Layout: ``fixtures/<framework>/<CODE>_<name>.py`` runs the op the rule flags and
``fixtures/<framework>/<CODE>_<name>_alternative.py`` the deterministic alternative the rule recommends.
Each module has a docstring (its first line names the op), ``SIZES = {"small": n, "full": n}`` (the size
handed to ``run`` on a CPU smoke run and on a GPU), optionally ``REQUIRES = ("torch>=2.13",)`` (the
framework versions the fixture is meant for), and ``def run(device, size) -> dict`` returning named
tensors or arrays.  A line that calls a flagged op ends with ``# expect: MLF101``; an alternative has no
such line.  The catalogue reads all of this with :mod:`ast`, so listing fixtures never imports a framework.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

from ..ruleset.schema import CallMatcher, MappingMatcher, Rule, RuleSet

#: The folder under ``fixtures/`` for each framework a rule file names.
FIXTURE_DIRECTORIES = {"torch": "torch", "tensorflow": "tensorflow", "keras": "tensorflow", "xgboost": "xgboost"}
#: A call rule with this tag configures something (a seed, a switch, a data loader) rather than running an
#: op, and needs no fixture.
SETTING_TAG = "setting"
ALTERNATIVE_SUFFIX = "_alternative"
FLAGGED, ALTERNATIVE = "flagged", "alternative"
SIZE_NAMES = ("small", "full")

_FILE_NAME = re.compile(r"^(MLF\d{3})_[a-z0-9_]+\.py$")
_EXPECT = re.compile(r"#\s*expect:\s*(MLF\d{3}(?:\s*,\s*MLF\d{3})*)\s*$")


class FixtureError(ValueError):
    """A fixture file that does not follow the layout; the message names the file."""


@dataclass(frozen=True)
class Fixture:
    path: Path
    directory: str  # torch, tensorflow or xgboost
    rule: str
    variant: str  # FLAGGED or ALTERNATIVE
    op: str  # the first line of the module docstring
    sizes: dict[str, int]
    requires: tuple[str, ...] = ()

    @property
    def module(self) -> str:
        return self.path.stem

    @property
    def name(self) -> str:
        """The pair's name: the flagged module's name, for both halves."""
        return self.module.removesuffix(ALTERNATIVE_SUFFIX)

    @property
    def relative(self) -> str:
        return f"{self.directory}/{self.path.name}"


def default_fixtures_dir() -> Path:
    """``fixtures/`` shipped inside the package, or the checkout's ``fixtures/``."""
    package = Path(__file__).resolve().parent.parent
    packaged = package / "_fixtures"
    return packaged if packaged.is_dir() else package.parent / "fixtures"


def needs_fixture(rule: Rule) -> bool:
    """An op rule: its match entries are calls (or the parameter mappings handed to one, as in
    ``xgboost.train(params)``), in a framework the suite runs, and it is not tagged a setting."""
    kinds = {type(matcher) for matcher in rule.matchers}
    return (rule.requirement is None and CallMatcher in kinds and kinds <= {CallMatcher, MappingMatcher}
            and rule.framework in FIXTURE_DIRECTORIES and SETTING_TAG not in rule.tags)


def _literal(tree: ast.Module, name: str, path: Path):
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == name for t in targets) and node.value is not None:
            try:
                return ast.literal_eval(node.value)
            except (ValueError, TypeError, SyntaxError):
                raise FixtureError(f"{path}: {name} must be a literal") from None
    return None


def read_fixture(path: Path) -> Fixture:
    """The fixture in ``path``; raises FixtureError naming the file and the problem."""
    match = _FILE_NAME.match(path.name)
    if match is None:
        raise FixtureError(f"{path}: a fixture is named MLF<code>_<name>.py (lower case), e.g. MLF101_max_pool3d.py")
    try:
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source, filename=str(path))
    except (OSError, UnicodeDecodeError, SyntaxError) as error:
        raise FixtureError(f"{path}: cannot read fixture: {error}") from None
    docstring = ast.get_docstring(tree)
    if not docstring:
        raise FixtureError(f"{path}: a fixture starts with a docstring whose first line names the op")
    sizes = _literal(tree, "SIZES", path)
    if not (isinstance(sizes, dict) and set(sizes) == set(SIZE_NAMES)
            and all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in sizes.values())):
        raise FixtureError(f'{path}: SIZES must be {{"small": <int>, "full": <int>}} with positive sizes')
    requires = _literal(tree, "REQUIRES", path) or ()
    if not (isinstance(requires, tuple) and all(isinstance(r, str) for r in requires)):
        raise FixtureError(f'{path}: REQUIRES must be a tuple of requirement strings such as ("torch>=2.13",)')
    if not any(isinstance(node, ast.FunctionDef) and node.name == "run" for node in tree.body):
        raise FixtureError(f"{path}: a fixture defines run(device, size) -> dict")
    variant = ALTERNATIVE if path.stem.endswith(ALTERNATIVE_SUFFIX) else FLAGGED
    return Fixture(path, path.parent.name, match.group(1), variant, docstring.splitlines()[0].strip(),
                   dict(sizes), requires)


def discover_fixtures(root: Path) -> list[Fixture]:
    """Every fixture below ``root``, sorted by framework and name."""
    if not root.is_dir():
        raise FixtureError(f"{root}: no fixtures folder")
    found = []
    for directory in sorted(set(FIXTURE_DIRECTORIES.values())):
        found.extend(read_fixture(path) for path in sorted((root / directory).glob("*.py")))
    return found


def expected_findings(source: str) -> set[tuple[int, str]]:
    """(line, code) for every ``# expect: CODE[, CODE]`` comment (comments only, never strings)."""
    expected = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            match = _EXPECT.search(token.string)
            if match:
                expected.update((token.start[0], code.strip()) for code in match.group(1).split(","))
    return expected


def coverage_problems(ruleset: RuleSet, fixtures: list[Fixture]) -> list[str]:
    """Every disagreement between rules and fixtures, one line each (empty when they agree)."""
    problems = []
    by_rule: dict[str, list[Fixture]] = {}
    for fixture in fixtures:
        by_rule.setdefault(fixture.rule, []).append(fixture)
    for rule in sorted(ruleset, key=lambda r: r.code):
        if needs_fixture(rule) and not any(f.variant == FLAGGED for f in by_rule.get(rule.code, [])):
            directory = FIXTURE_DIRECTORIES[rule.framework]
            problems.append(f"{rule.code} ({rule.symbol}, {Path(rule.source_file).name}): no fixture "
                            f"fixtures/{directory}/{rule.code}_<name>.py")
    names = {(f.directory, f.module) for f in fixtures}
    for fixture in fixtures:
        rule = ruleset.get(fixture.rule)
        if rule is None:
            problems.append(f"fixtures/{fixture.relative}: no rule {fixture.rule}")
        elif not needs_fixture(rule):
            problems.append(f"fixtures/{fixture.relative}: {fixture.rule} is not an op rule "
                            f"(it has no call match, or is tagged {SETTING_TAG})")
        elif FIXTURE_DIRECTORIES[rule.framework] != fixture.directory:
            problems.append(f"fixtures/{fixture.relative}: {fixture.rule} belongs in "
                            f"fixtures/{FIXTURE_DIRECTORIES[rule.framework]}/")
        partner = fixture.name if fixture.variant == ALTERNATIVE else fixture.name + ALTERNATIVE_SUFFIX
        if (fixture.directory, partner) not in names:
            problems.append(f"fixtures/{fixture.relative}: no {partner}.py beside it")
    return problems


def select_fixtures(fixtures: list[Fixture], codes: list[str] | None, directories: list[str] | None) -> list[Fixture]:
    """The fixtures whose rule code starts with one of ``codes`` and whose framework is in ``directories``."""
    return [
        f for f in fixtures
        if (not codes or any(f.rule.startswith(code) for code in codes))
        and (not directories or f.directory in directories)
    ]
