"""Applying the fixes of one module: node replacements where findings point, the seeding block, imports."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import libcst as cst
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from ..config import Settings
from ..engine.index import RuleIndex
from ..model import Finding
from ..ruleset.schema import DETERMINISTIC, RuleSet
from ..ruleset.versions import candidate_versions, evaluate
from .codegen import fixed_code
from .codemods import CODEMODS, Codemod
from .codemods.base import Site
from .codemods.declared import DeclaredEdits
from .imports import add_sorted_imports, with_added_names_in_order
from .integrity import keep_untouched_lines, lines_of
from .layout import DEFAULT_LINE_LENGTH, fitted, project_line_length
from .names import References, after_imports_index, module_bindings
from .positions import Positions, spans_any

UNSAFE = "unsafe"
MAX_PASSES = 4  # a fix can make another rule apply (deterministic algorithms ask for the cuBLAS setting)


@dataclass
class FixContext:
    """What every file's fixes share: the rules, the targeted versions, and whether unsafe fixes run."""

    ruleset: RuleSet
    targets: dict[str, SpecifierSet] = field(default_factory=dict)
    unsafe: bool = False
    settings: Settings | None = None  # for the selection of rules a fix may make apply

    def is_selected(self, code: str) -> bool:
        return self.settings is None or self.settings.is_selected(code)

    def applies(self, code: str) -> bool:
        """Whether rule ``code`` is selected and applies to some targeted version."""
        rule = self.ruleset.get(code)
        if rule is None or not self.is_selected(code):
            return False
        return evaluate(rule.versions, self.targets, self.ruleset.releases).status != DETERMINISTIC

    @cached_property
    def line_length(self) -> int:
        """The project's line length (``layout.project_line_length``)."""
        return project_line_length(self.settings.root.resolve()) if self.settings is not None else DEFAULT_LINE_LENGTH

    @cached_property
    def codemods(self) -> dict[str, Codemod]:
        """The fix of each rule fixed at the node it reports: a codemod, or the edits its data declares."""
        declared = {rule.code: DeclaredEdits(rule) for rule in self.ruleset if rule.fix is not None and rule.fix.edits}
        return {**CODEMODS.codemods, **declared}

    @property
    def index(self) -> RuleIndex:
        from ..runner import index_for

        return index_for(self.ruleset)  # the engine's, built once per process

    def is_fixable(self, finding: Finding) -> bool:
        from .seeding import SEEDING_STEPS

        if finding.fix is None or (finding.fix.applicability == UNSAFE and not self.unsafe):
            return False
        return finding.code in self.codemods or finding.code in SEEDING_STEPS

    def targeted_versions(self, distribution: str) -> tuple[Version, ...]:
        releases = self.ruleset.releases.get(distribution, ())
        return tuple(Version(v) for v in candidate_versions(releases, self.targets.get(distribution)))

    def targets_at_least(self, distribution: str, version: str) -> bool:
        """Whether every targeted release of ``distribution`` is ``version`` or newer.

        Without a target for it, the newest release is assumed (as for an installed, up-to-date framework).
        """
        if distribution not in self.targets:
            return True
        versions = self.targeted_versions(distribution)
        return bool(versions) and min(versions) >= Version(version)


@dataclass
class FileEdit:
    """The edits planned for one module, collected before and during the transformation."""

    module: cst.Module
    positions: Positions
    references: References
    context: FixContext
    module_index: int = 0  # where module-level additions go (after the imports)
    module_additions: list[cst.BaseStatement] = field(default_factory=list)
    insert_at_start: dict[int, tuple[int, list[cst.BaseStatement]]] = field(default_factory=dict)
    insert_after: dict[int, list[cst.BaseStatement]] = field(default_factory=dict)
    call_replacements: dict[int, cst.BaseExpression] = field(default_factory=dict)  # call node id -> new callee
    fixed: list[Site] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # fixes left out, and why ("LINE: ...")
    lines: list[str] = field(default_factory=list)  # the lines of the text being fixed (``integrity.lines_of``)
    touched_lines: set[int] = field(default_factory=set)  # where an insertion or a replacement is planned
    scan: object = None  # the module's calls and functions (``placement.module_scan``)
    constant_added: bool = False  # the block's new seed constant is planned already (once per module)
    # line -> names: a fix changed what the statement on that line does, so the comment at its end goes, and so
    # do comments right above it that name one of the names (``# cudnn benchmark for speed``)
    stale_comments: dict[int, set[str]] = field(default_factory=dict)

    def touch(self, node: cst.CSTNode) -> None:
        """Note that ``node`` gets an insertion or a replacement: the transformer visits what contains it."""
        self.touched_lines.add(self.positions[node].start.line)

    def made_stale(self, line: int, *names: str) -> None:
        """Note that a fix changed the meaning of the statement on ``line`` (see ``stale_comments``)."""
        self.stale_comments.setdefault(line, set()).update(name for name in names if name)

    def line(self, number: int) -> str:
        """Line ``number`` (1-based) of the text being fixed."""
        return self.lines[number - 1] if 0 < number <= len(self.lines) else ""

    def lines_naming(self, names) -> list[int]:
        """The lines (1-based, ascending) whose text holds one of ``names``."""
        return [number for number, line in enumerate(self.lines, 1) if any(name in line for name in names)]

    def statements(self, code: str) -> list[cst.BaseStatement]:
        """Statements parsed with the module's own newline and indentation."""
        return list(cst.parse_module(code, config=self.module.config_for_parsing).body)

    def add_module_statements(self, statements: list[cst.BaseStatement]) -> None:
        self.module_additions.extend(statements)


@dataclass
class FixOutcome:
    text: str
    fixed: list[Site]
    problem: str = ""  # why nothing was changed although fixes were due
    notes: list[str] = field(default_factory=list)  # fixes left out, and why

    @property
    def changed(self) -> bool:
        return bool(self.fixed)


def sites_for(findings: list[Finding], context: FixContext) -> list[Site]:
    return [Site(f.code, f.line, f.column, f.api, (f.end_line, f.end_column))
            for f in findings if context.is_fixable(f)]


#: End-of-line comments that instruct a tool rather than describe the code: kept when the line changes.
_PRAGMA = re.compile(r"#\s*(noqa|type:|pylint:|pragma|fmt:|isort:|nosec|mypy:|pyright:|ruff:)", re.IGNORECASE)


def _names_any(comment: str, names) -> bool:
    """Whether a comment that is not a pragma names one of ``names`` (``warn_only`` as "warn only" too)."""
    if _PRAGMA.match(comment):
        return False
    def spoken(text: str) -> str:
        return re.sub(r"[_-]+", " ", text.lower())

    words = spoken(comment)
    return any(re.search(rf"\b{re.escape(spoken(name))}\b", words) for name in names)


class _FixTransformer(cst.CSTTransformer):
    def __init__(self, edit: FileEdit, sites: list[Site]):
        super().__init__()
        self.edit = edit
        self.sites: dict[tuple[int, int], list[Site]] = {}
        for site in sites:
            self.sites.setdefault((site.line, site.column), []).append(site)
        self.lines = sorted({site.line for site in sites} | edit.touched_lines)

    def on_visit(self, node) -> bool:
        """Only what holds a site or a planned insertion is visited (a large module costs little to fix)."""
        where = self.edit.positions.known(node)
        if where is not None and not isinstance(node, cst.Module) and not spans_any(where, self.lines):
            return False
        return super().on_visit(node)

    def on_leave(self, original_node, updated_node):
        updated_node = super().on_leave(original_node, updated_node)
        if not self.sites or not isinstance(updated_node, cst.CSTNode):
            return updated_node
        where = self.edit.positions.known(original_node)
        if where is None:
            return updated_node  # outside the statements with a site (the module's header or footer)
        end = (where.end.line, where.end.column + 1)
        for site in self.sites.get((where.start.line, where.start.column + 1), ()):
            codemod = self.edit.context.codemods[site.code]
            if not isinstance(original_node, codemod.node_type) or not codemod.applies_to(original_node, site, end):
                continue
            replacement = codemod.rewrite(updated_node, self.edit, site)
            if replacement is not None:
                if codemod.changes_meaning:
                    self.edit.made_stale(site.line, site.api.rpartition(".")[2])
                updated_node = fitted(self.edit.module, self.edit.line(site.line), site.column, original_node,
                                      replacement, self.edit.context.line_length)
                self.edit.fixed.append(site)
        return updated_node

    def leave_SimpleStatementLine(self, original_node, updated_node):
        """A line whose meaning a fix changed loses the comment at its end, and those right above it that name
        what changed: they described the old code. A pragma for a tool stays."""
        where = self.edit.positions.known(original_node)
        if where is None or not self.edit.stale_comments:
            return updated_node
        first, last = where.start.line, where.end.line
        stale = [named for line, named in self.edit.stale_comments.items() if first <= line <= last]
        if not stale:
            return updated_node
        names = set().union(*stale)
        comment = updated_node.trailing_whitespace.comment
        if comment is not None and not _PRAGMA.match(comment.value):
            updated_node = updated_node.with_changes(trailing_whitespace=updated_node.trailing_whitespace.with_changes(
                whitespace=cst.SimpleWhitespace(""), comment=None))
        leading = list(updated_node.leading_lines)
        above = len(leading)  # the comments right above the statement, with no blank line between
        while above > 0 and leading[above - 1].comment is not None:
            above -= 1
        kept = leading[:above] + [line for line in leading[above:] if not _names_any(line.comment.value, names)]
        return updated_node.with_changes(leading_lines=kept) if len(kept) != len(leading) else updated_node

    def leave_Call(self, original_node, updated_node):
        callee = self.edit.call_replacements.get(id(original_node))
        return updated_node if callee is None else updated_node.with_changes(func=callee)

    # insertions ---------------------------------------------------------------------------------
    def _with_insertions(self, original_body, updated_body, owner_key: int) -> list:
        body = []
        for original, updated in zip(original_body, updated_body, strict=False):
            body.append(updated)
            body.extend(self.edit.insert_after.get(id(original), ()))
        start = self.edit.insert_at_start.get(owner_key)
        if start is not None:
            index, statements = start
            body[index:index] = statements
        return body

    def leave_IndentedBlock(self, original_node, updated_node):
        body = self._with_insertions(original_node.body, updated_node.body, id(original_node))
        return updated_node.with_changes(body=body) if len(body) != len(updated_node.body) else updated_node

    def leave_SimpleStatementSuite(self, original_node, updated_node):
        start = self.edit.insert_at_start.get(id(original_node))
        if start is None:
            return updated_node
        _, statements = start
        kept = cst.SimpleStatementLine(body=updated_node.body, trailing_whitespace=updated_node.trailing_whitespace)
        return cst.IndentedBlock(body=[*statements, kept])

    def leave_Module(self, original_node, updated_node):
        body = self._with_insertions(original_node.body, updated_node.body, id(original_node))
        additions = self.edit.module_additions
        if additions:
            index = self.edit.module_index
            following = body[index] if index < len(body) else None
            if following is not None:
                definitions = (cst.FunctionDef, cst.ClassDef)  # PEP 8: two blank lines around a definition
                body[index] = after_blank_lines(following, 2 if isinstance(additions[-1], definitions)
                                                 or isinstance(following, definitions) else 1)
            body[index:index] = additions
        return updated_node.with_changes(body=body)


def after_blank_lines(statement: cst.BaseStatement, count: int) -> cst.BaseStatement:
    """``statement`` preceded by at least ``count`` blank lines (comments above it stay with it)."""
    leading = list(statement.leading_lines)
    blank = 0
    for line in leading:
        if line.comment is not None:
            break
        blank += 1
    if blank >= count:
        return statement
    return statement.with_changes(leading_lines=[cst.EmptyLine()] * (count - blank) + leading)


def fix_module(text: str, sites: list[Site], context: FixContext, outer_bindings=(), programs=()) -> FixOutcome:
    """Fix one module's source text at ``sites``; the text comes back unchanged when nothing applies.

    ``outer_bindings`` are names bound before the module runs (a notebook's earlier cells); ``programs`` the
    engine's facts about the programs that start in it (:class:`~mlfcore_lint.fix.programs.ProgramFacts`).
    """
    from .seeding import SEEDING_STEPS, plan_seeding

    if not sites:
        return FixOutcome(text, [])
    try:
        module = cst.parse_module(text)
        # exact where a site or a program's start lies (what the fixes look at), computed on demand elsewhere
        positions = Positions(module, text, [site.line for site in sites] + [program.line for program in programs])
    except RecursionError:
        return FixOutcome(text, [], "left alone: expressions nested too deeply for the fixer")
    except (cst.ParserSyntaxError, ValueError, TypeError, MemoryError) as error:
        # the engine parsed it (its findings are here): a limit of libcst's parser, not broken code
        return FixOutcome(text, [], "left alone: libcst, the fixer's parser, cannot read it (CPython's can): "
                                    f"{str(error).splitlines()[0]}")
    bindings = [*outer_bindings, *module_bindings(module, positions, context.index.canonical)]
    references = References(bindings, context.index.canonical)
    edit = FileEdit(module, positions, references, context, module_index=after_imports_index(module.body),
                    lines=lines_of(text))
    seeding_sites = [s for s in sites if s.code in SEEDING_STEPS]
    if seeding_sites:
        plan_seeding(edit, seeding_sites, programs)
    node_sites = [s for s in sites if s.code in context.codemods]
    fixed_module = module.visit(_FixTransformer(edit, node_sites))
    if not edit.fixed:
        return FixOutcome(text, [], notes=edit.notes)
    if references.unused or references.imports:
        fixed_module = with_imports_updated(fixed_module, references)
    new_text = keep_untouched_lines(text, fixed_code(module, fixed_module, edit.lines, positions))
    problem = invalid_result(text, new_text)
    if problem:
        return FixOutcome(text, [], f"internal error, fixes not applied: {problem}")
    return FixOutcome(new_text, edit.fixed, notes=edit.notes)


def with_imports_updated(module: cst.Module, references: References) -> cst.Module:
    """Remove the imports the fixes left unused, then add the ones they need: ``import x`` at its sorted place
    among the file's imports where it can (:mod:`mlfcore_lint.fix.imports`), else with libcst's import visitors.

    ``libcst.codemod`` takes half a second to import, so only fixes that need its visitors pay for it (an
    ``import x`` placed among sorted imports does not).
    """
    if references.unused:
        from libcst.codemod import CodemodContext
        from libcst.codemod.visitors import RemoveImportsVisitor

        context = CodemodContext()
        for request in references.unused:
            RemoveImportsVisitor.remove_unused_import(context, request.module, request.obj)
        module = RemoveImportsVisitor(context).transform_module(module)
        first = module.body[0] if module.body else None
        if first is not None and not module.header and first.leading_lines and all(
                line.comment is None for line in first.leading_lines):
            # the first import went: the blank lines that followed it would open the file
            module = module.with_changes(body=[first.with_changes(leading_lines=[]), *module.body[1:]])
    plain = [request.module for request in references.imports if request.obj is None]
    module, unplaced = add_sorted_imports(module, plain)
    requests = [r for r in references.imports if r.obj is not None or r.module in unplaced]
    if requests:
        from libcst.codemod import CodemodContext
        from libcst.codemod.visitors import AddImportsVisitor

        context = CodemodContext()
        for request in requests:
            AddImportsVisitor.add_needed_import(context, request.module, request.obj)
        module = AddImportsVisitor(context).transform_module(module)
        module = with_added_names_in_order(module, [(r.module, r.obj) for r in requests if r.obj is not None])
    return module


def invalid_result(old: str, new: str) -> str:
    """Why ``new`` cannot replace ``old``: it must compile where the original compiled, and parse otherwise.
    The original is compiled only where the fixed code does not compile (the rare case costs the second compile)."""
    try:
        compile(new, "<fixed>", "exec", dont_inherit=True)
        return ""
    except (SyntaxError, ValueError) as error:
        problem = f"the fixed code does not compile: {error}"
    try:
        compile(old, "<original>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        try:
            cst.parse_module(new)
        except (cst.ParserSyntaxError, RecursionError, ValueError, TypeError, MemoryError) as error:
            return f"the fixed code does not parse: {error}".splitlines()[0]
        return ""
    return problem


def fix_source(source: str, settings, context: FixContext, display: str = "example.py") -> FixOutcome:
    """Lint ``source`` as a program of its own and fix what is reported (examples, tests, editors)."""
    from .programs import snippet_findings

    text, fixed, notes = source, [], []
    for _ in range(MAX_PASSES):
        findings, programs = snippet_findings(text, settings, context.ruleset, display)
        outcome = fix_module(text, sites_for(findings, context), context, programs=programs)
        notes += [note for note in outcome.notes if note not in notes]
        if outcome.problem or not outcome.changed:
            return FixOutcome(text, fixed, outcome.problem, notes)
        text, fixed = outcome.text, fixed + outcome.fixed
    return FixOutcome(text, fixed, notes=notes)
