"""One file in, its facts out: pre-filter, one parse, one traversal."""

from __future__ import annotations

import re
import sys

import libcst as cst

from .facts import FileFacts, problem_facts
from .index import RuleIndex
from .noqa import noqa_lines
from .notebook import notebook_source
from .source import SYNTAX_ERROR, TOO_COMPLEX, SourceProblem, decode_source
from .walker import Walker

# CPython refuses more than 200 nested brackets; libcst's native parser crashes the process on a few
# thousand, so deeper nesting is reported before the parser sees it.
MAX_NESTING = 200
_NOT_BRACKETS = re.compile(r"[^()\[\]{}]+")
_DEPTH_STEP = {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}

if sys.getrecursionlimit() < 20000:  # positions of very long expression chains recurse deeply
    sys.setrecursionlimit(20000)


def nesting_depth(source: str) -> int:
    depth = deepest = 0
    for character in _NOT_BRACKETS.sub("", source):
        depth += _DEPTH_STEP[character]
        if depth > deepest:
            deepest = depth
    return deepest


_IMPORT_LINE = re.compile(
    r"^[ \t]*(?:from[ \t]+(?P<dots>\.*)(?P<module>[\w.]*)[ \t]+import[ \t]+(?P<names>\(?[\w., \t]*)"
    r"|import[ \t]+(?P<modules>[\w., \t]+))",
    re.MULTILINE,
)


def scan_imports(source: str, index: RuleIndex) -> FileFacts:
    """Facts of a file the pre-filter skips: only its imports, read line by line without parsing.

    Such a file can match no rule, but the modules it imports still make an entry point that imports it
    need seeds (``import torch`` in a model module) and link it to other project modules.
    """
    facts = FileFacts(skipped=True, noqa=noqa_lines(source))
    for match in _IMPORT_LINE.finditer(source):
        if match.group("modules") is not None:
            modules = [part.split()[0] for part in match.group("modules").split(",") if part.split()]
            facts.imports.extend(modules)
            continue
        names = [part.split()[0] for part in match.group("names").strip("( \t").split(",") if part.split()]
        module, level = match.group("module"), len(match.group("dots"))
        if level:
            facts.relative_imports.append([level, module, names])
        elif module:
            facts.imports.extend([module] + [f"{module}.{name}" for name in names])
    facts.triggered = sorted(index.triggered_by_imports(facts.imports))
    return facts


def analyze_source(source: str, index: RuleIndex) -> FileFacts:
    """Facts of one module's source text (never raises for bad code: problems become MLF9xx facts)."""
    if index.prefilter is not None and not index.prefilter.search(source):
        return scan_imports(source, index)
    if nesting_depth(source) > MAX_NESTING:
        return problem_facts(SourceProblem(TOO_COMPLEX, f"brackets nested more than {MAX_NESTING} deep; not checked"))
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        message = f"cannot parse: {error.message}"
        return problem_facts(SourceProblem(SYNTAX_ERROR, message, error.raw_line, error.raw_column + 1))
    except RecursionError:
        return problem_facts(SourceProblem(TOO_COMPLEX, "cannot parse: expressions nested too deeply"))
    except (ValueError, TypeError, MemoryError) as error:  # the native parser's other refusals
        return problem_facts(SourceProblem(SYNTAX_ERROR, f"cannot parse: {error}".splitlines()[0]))
    try:
        facts = Walker(index, module).run()
    except RecursionError:
        return problem_facts(SourceProblem(TOO_COMPLEX, "cannot analyse: expressions nested too deeply"))
    facts.noqa = noqa_lines(source)
    return facts


def analyze_bytes(raw: bytes, index: RuleIndex, notebook: bool = False) -> FileFacts:
    """Facts of a file's bytes: a ``.py`` module or a notebook, whose lines map back to its cells."""
    try:
        if notebook:
            source, cells = notebook_source(raw)
        else:
            source, cells = decode_source(raw), []
    except SourceProblem as problem:
        return problem_facts(problem)
    facts = analyze_source(source, index)
    if cells:
        facts.cells = cells
    return facts
