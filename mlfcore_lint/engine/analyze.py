"""One file in, its facts out: pre-filter, one parse, one traversal."""

from __future__ import annotations

import ast
import re
import sys
import warnings

from .facts import SEED_NAME, FileFacts, ImportLedger, problem_facts
from .index import RuleIndex
from .noqa import noqa_lines
from .notebook import notebook_source
from .source import SYNTAX_ERROR, TOO_COMPLEX, SourceProblem, check_size_and_content, decode_source
from .walker import Walker

# CPython's parser refuses code it cannot hold: brackets nested more than 200 deep, expressions nested
# past its recursion limit. Such a file is reported as too complex, not as broken.
_TOO_COMPLEX_MESSAGES = ("too many nested parentheses", "too complex", "too many statically nested blocks")
# CPython builds the tree's Python objects under the interpreter's recursion limit (1,000 by default), which a
# chain of a few thousand ``+`` exceeds; such a file is parsed again under this limit.
DEEP_RECURSION_LIMIT = 20000

_IMPORT_LINE = re.compile(
    r"^(?P<indent>[ \t]*)(?:from[ \t]+(?P<dots>\.*)(?P<module>[\w.]*)[ \t]+import[ \t]+"
    r"(?:\((?P<group>[^)]*)\)|(?P<names>[\w., \t]*))"
    r"|import[ \t]+(?P<modules>[\w., \t]+))",
    re.MULTILINE,
)


#: A module-level ``SEED = 42`` line (what the walker records as ``seed_constant``), for skipped files.
_SEED_LINE = re.compile(rf"^({SEED_NAME.pattern.strip('^$')})[ \t]*=[ \t]*\d+[ \t]*(?:#.*)?$",
                        re.MULTILINE | re.IGNORECASE)


def scan_imports(source: str, index: RuleIndex) -> FileFacts:
    """Facts of a file the pre-filter skips: only its imports, read line by line without parsing.

    Such a file can match no rule, but the modules it imports still make an entry point that imports it
    need seeds (``import torch`` in a model module) and link it to other project modules. An indented import
    is below the top level (a function, an ``if`` or ``try`` block): it is recorded as deferred, as the walker
    records it.
    """
    facts = FileFacts(skipped=True, noqa=noqa_lines(source))
    ledger = ImportLedger()
    for match in _IMPORT_LINE.finditer(source):
        relative = None
        if match.group("modules") is not None:
            modules = [part.split()[0] for part in match.group("modules").split(",") if part.split()]
        else:
            listed = match.group("group") if match.group("group") is not None else match.group("names")
            listed = re.sub(r"#[^\n]*", "", listed)  # comments inside a parenthesised list
            names = [part.split()[0] for part in listed.split(",") if part.split()]
            module, level = match.group("module"), len(match.group("dots"))
            modules = [module] + [f"{module}.{name}" for name in names] if module and not level else []
            if level:
                relative = [level, module, names]
                facts.relative_imports.append(relative)
        facts.imports.extend(modules)
        ledger.add(modules, relative, deferred=bool(match.group("indent")))
    ledger.record(facts, index)
    seed = _SEED_LINE.search(source)
    if seed is not None:
        facts.seed_constant = seed.group(1)
    return facts


def parse_module(source: str) -> ast.Module | SourceProblem:
    """CPython's syntax tree of ``source``, or the problem that keeps it from being parsed."""
    try:
        with warnings.catch_warnings():  # invalid escape sequences and the like are not this linter's business
            warnings.simplefilter("ignore")
            try:
                return ast.parse(source)
            except RecursionError:
                limit = sys.getrecursionlimit()
                sys.setrecursionlimit(max(limit, DEEP_RECURSION_LIMIT))
                try:
                    return ast.parse(source)
                finally:
                    sys.setrecursionlimit(limit)
    except SyntaxError as error:
        message = error.msg or "invalid syntax"
        if any(part in message for part in _TOO_COMPLEX_MESSAGES):
            return SourceProblem(TOO_COMPLEX, f"cannot parse: {message}; not checked", error.lineno or 1)
        return SourceProblem(SYNTAX_ERROR, f"cannot parse: {message}", error.lineno or 1, error.offset or 1)
    except (RecursionError, MemoryError):
        return SourceProblem(TOO_COMPLEX, "cannot parse: expressions nested too deeply; not checked")
    except ValueError as error:  # e.g. NUL bytes, which decoding already refuses
        return SourceProblem(SYNTAX_ERROR, f"cannot parse: {error}".splitlines()[0])


def analyze_source(source: str, index: RuleIndex, tree: ast.Module | None = None,
                   imports_only: bool = False) -> FileFacts:
    """Facts of one module's source text (never raises for bad code: problems become MLF9xx facts).

    ``tree``: the module's syntax tree where the caller already parsed ``source`` (flake8 hands one over).
    ``imports_only``: only its imports are needed (test code in a test folder, see ``reads_imports_only``), read
    as the pre-filter's skipped files are.
    """
    if imports_only or (index.prefilter is not None and not index.prefilter.search(source)):
        return scan_imports(source, index)
    module = tree if tree is not None else parse_module(source)
    if isinstance(module, SourceProblem):
        return problem_facts(module)
    try:
        facts = Walker(index, module, source).run()
    except RecursionError:
        return problem_facts(SourceProblem(TOO_COMPLEX, "cannot analyse: expressions nested too deeply"))
    facts.noqa = noqa_lines(source)
    return facts


def analyze_bytes(raw: bytes, index: RuleIndex, notebook: bool = False, tree: ast.Module | None = None,
                  imports_only: bool = False) -> FileFacts:
    """Facts of a file's bytes: a ``.py`` module or a notebook, whose lines map back to its cells.

    ``tree``: the syntax tree of a module's text where the caller already parsed it (not for notebooks);
    ``imports_only``: see ``analyze_source``.
    """
    try:
        if notebook:
            source, cells = notebook_source(raw)
        else:
            source, cells = decode_source(raw), []
    except SourceProblem as problem:
        return problem_facts(problem).freeze()
    facts = analyze_source(source, index, None if notebook else tree, imports_only)
    if cells:
        facts.cells = cells
    return facts.freeze()


def analyze_text(text: str, index: RuleIndex, notebook: bool = False, tree: ast.Module | None = None,
                 imports_only: bool = False) -> FileFacts:
    """Facts of text a front end has already decoded (an editor buffer, flake8's standard input): as
    :func:`analyze_bytes` of the file it stands for, without decoding it again (a coding cookie in the text
    names the encoding of bytes that are no longer there)."""
    if notebook:
        return analyze_bytes(text.encode("utf-8", "surrogatepass"), index, notebook=True, imports_only=imports_only)
    try:
        check_size_and_content(text)
    except SourceProblem as problem:
        return problem_facts(problem).freeze()
    return analyze_source(text.removeprefix("\ufeff"), index, tree, imports_only).freeze()
