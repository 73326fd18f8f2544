"""What the last run learnt about a project, so that a re-run judges again only the files that changed.

The project step is a function of every file's facts, the settings, the rule set, the targeted versions, the
console scripts, the environment files (by their size and modification time, as
:func:`~mlfcore_lint.environment.scan.stamp` stamps them) and the engine's own code. Most of a file's facts
matter only to its own findings (where its matches lie, its ``noqa`` comments, notebook cells); the rest, its
*project view* (:func:`~mlfcore_lint.engine.project.project_view`: imports, scopes and calls, what it triggers,
meets, draws and names, which rules it matches, the operations that raise under a switch), decides about the
other files.

One memo per project root, beside the facts cache, holds: a key of everything but the files (the *base*), each
file's facts-cache key, the findings of each file checked, the environment's findings, and the questions each
checked file's findings asked of the project step with their answers (see engine/judge.py). A run whose base is
the memo's, over the same files:

- serves the findings of an unchanged file from the memo: nothing is read but the stat index;
- reads the facts of each changed file, and the facts it had (by its old key, from the facts cache); where their
  project views are equal, every answer of the project step is as before, so the changed file is judged again
  from its new facts and the recorded answers (:class:`~mlfcore_lint.engine.judge.RecordedJudge`), and no other
  file's facts are loaded;
- otherwise (a file added, removed or renamed, a changed import, call or scope, a question not asked before)
  leaves the work to the whole project step, whose answers and findings replace the memo.

The memo is sealed with the user's key like the cache's entries (a planted memo never opens), written to a
temporary name and renamed into place; one of any other shape is no memo.

A re-run that judged only changed files does not write the whole memo again (a cost that grows with the
project): it writes what changed (new facts-cache keys, new findings) to a small file of *changes* beside it,
tied to the memo by a token drawn when the memo was written. Reading the memo applies the changes of its own
token; changes of another token (the memo was written again since) or of any other shape are ignored, which
only makes the files they name count as changed. Once the changes name more than ``MAX_CHANGED_FILES`` files,
the whole memo is written again, with a new token.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from functools import lru_cache
from pathlib import Path

from .cache import read_sealed
from .model import Finding, FixInfo

MEMO_FORMAT = 3
#: Changes naming more files than this make a re-run write the whole memo again (see the module's docstring).
MAX_CHANGED_FILES = 200
_FIELDS = {
    "path": str, "line": int, "column": int, "end_line": int, "end_column": int, "code": str, "symbol": str,
    "message": str, "severity": str, "api": str, "url": str, "certainty": str,
}


@lru_cache(maxsize=1)
def engine_stamp() -> str:
    """The size and modification time of every module of this package: a changed engine is a new key."""
    package = Path(__file__).resolve().parent
    parts = []
    for directory, _, names in sorted(os.walk(package)):
        for name in sorted(names):
            if name.endswith(".py") or name.endswith(".yaml"):
                info = os.stat(os.path.join(directory, name))
                parts.append(f"{directory}/{name}:{info.st_size}:{info.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def memo_key(parts: list) -> str:
    return hashlib.sha256(json.dumps(parts, default=str, separators=(",", ":")).encode()).hexdigest()


class ProjectMemo:
    """The memo of the project that ``context`` (a :class:`~mlfcore_lint.runner.ProjectContext` with a cache)
    checks."""

    def __init__(self, context):
        from .environment.scan import stamp

        self.context = context
        cache = context.cache
        self._cache = cache
        self.path = cache.beside("results", str(context.root))
        self.changes_path = cache.beside("changes", str(context.root))
        self.base = memo_key([
            MEMO_FORMAT, engine_stamp(), cache.salt.hex(), repr(context.settings),
            sorted((name, str(versions)) for name, versions in context.targets.items()),
            sorted(context.console_scripts),
            [list(map(str, entry)) for entry in stamp(context.root, context.module_folders())],
        ])
        self.parsed = 0  # files analysed by ``replay``

    # ------------------------------------------------------------------ reading the memo back

    def _load(self) -> dict | None:
        """The memo, with the changes written since applied (``data["changes"]``: those changes)."""
        data = read_sealed(self._cache.secret, self.path)
        if not (isinstance(data, dict) and data.get("format") == MEMO_FORMAT and data.get("base") == self.base
                and isinstance(data.get("token"), str)):
            return None
        files, findings, answers = data.get("files"), data.get("findings"), data.get("answers")
        if not (_mapping_of(files, str) and _mapping_of(findings, list) and _mapping_of(answers, dict)):
            return None
        environment = data.get("environment")
        if environment is not None and not (isinstance(environment, dict) and isinstance(environment.get("cwd"), str)
                                            and isinstance(environment.get("findings"), list)):
            return None
        changes = read_sealed(self._cache.secret, self.changes_path)
        if not (isinstance(changes, dict) and changes.get("token") == data["token"]
                and _mapping_of(changes.get("files"), str) and _mapping_of(changes.get("findings"), list)
                and isinstance(changes.get("stale"), list) and all(isinstance(name, str) for name in changes["stale"])):
            changes = {"files": {}, "findings": {}, "stale": []}
        _apply(data, changes)
        data["changes"] = changes
        return data

    def replay(self, checked: list[str], shown: dict[str, str], whole: bool,
               every: list[str]) -> list[Finding] | None:
        """The findings of ``checked`` (shown as ``shown`` says) from the memo and the changed files' facts, or
        None where the whole project step must run. ``every``: the files the project step reads (the project's
        modules and ``checked``). Files are named by their absolute paths, as strings (a ``Path`` is made only
        for a changed file). Files are hashed (where the stat index does not know them) only once a memo of
        these files is found: a first run reads each file once, to analyse it."""
        from .engine.judge import NotRecorded, RecordedJudge
        from .engine.project import SourceFile, module_name, project_view
        from .runner import cache_keys, collect_facts

        data = self._load()
        if data is None or set(data["files"]) != set(every):
            return None
        if whole and (data["environment"] is None or data["environment"]["cwd"] != os.getcwd()):
            return None
        context = self.context
        keys = cache_keys(every, context.cache, context.index, context.reads_imports_only)
        if None in keys:
            return None
        stored_keys, stored_findings = data["files"], data["findings"]
        changed = {path: key for path, key in zip(every, keys, strict=True) if stored_keys[path] != key}
        if any(path not in changed and path not in stored_findings for path in checked):
            return None  # checked for the first time since the project step last ran
        ruleset = context.ruleset
        new_facts, self.parsed = collect_facts([Path(path) for path in changed], ruleset, self._cache, 1,
                                               context.index, imports_only=context.reads_imports_only,
                                               ) if changed else ([], 0)
        changed_facts = dict(zip(changed, new_facts, strict=True))
        for path, facts in changed_facts.items():
            old = self._cache.get(stored_keys[path])
            if old is None or project_view(old, ruleset) != project_view(facts, ruleset):
                return None
        judge = RecordedJudge(context.settings, ruleset, context.targets, data["answers"])
        new_findings: dict[str, list[Finding]] = {}
        try:
            for path in checked:
                if path in changed_facts:
                    relative = context.relative(path) or os.path.basename(path)
                    source = SourceFile(Path(path), shown[path], changed_facts[path], relative, module_name(relative))
                    new_findings[path] = judge.findings_in(source)
        except (NotRecorded, TypeError, ValueError, KeyError):  # a question not asked before, or a damaged answer
            return None
        try:
            found = [finding for path in checked for finding in (
                new_findings[path] if path in new_findings
                else [_finding({**item, "path": shown[path]}) for item in stored_findings[path]])]
            if whole:
                found += [_finding(item) for item in data["environment"]["findings"]]
        except (ValueError, TypeError, KeyError):
            return None
        if changed:
            self._write_changes(data, {
                "files": changed,
                "findings": {name: [_stored(finding) for finding in findings]
                             for name, findings in new_findings.items()},
                # judged again above where checked, stale otherwise
                "stale": [path for path in changed if path not in new_findings]})
        return sorted(found, key=lambda f: f.sort_key)

    # ------------------------------------------------------------------ writing it

    def store(self, every: list[str], keys: list[str | None], findings: dict[Path, list[Finding]],
              answers: dict[str, dict], environment: list[Finding] | None) -> None:
        """The memo of a whole project step over ``every`` (with facts-cache ``keys``): the ``findings`` of each
        file checked, the ``answers`` the project step gave, and the ``environment``'s findings (None where the
        run did not judge the environment)."""
        if any(key is None for key in keys):
            return
        self._write({
            "format": MEMO_FORMAT, "base": self.base,
            "files": dict(zip(every, keys, strict=True)),
            "findings": {str(path): [_stored(finding) for finding in found] for path, found in findings.items()},
            "answers": answers,
            "environment": None if environment is None else {
                "cwd": os.getcwd(), "findings": [finding.to_json() for finding in environment]},
        })

    def _write(self, data: dict) -> None:
        """The whole memo, under a new token (the changes written for the last one no longer apply)."""
        data.pop("changes", None)
        self._cache.store(self.path, {**data, "token": secrets.token_hex(16)})

    def _write_changes(self, data: dict, new: dict) -> None:
        """``new`` changes to the memo ``data`` (read by ``_load``, its changes applied): added to the changes
        already written, or the whole memo again where they grow past ``MAX_CHANGED_FILES``."""
        changes = data["changes"]
        changes["files"].update(new["files"])
        for name in new["stale"]:
            changes["findings"].pop(name, None)
        changes["findings"].update(new["findings"])
        changes["stale"] = sorted((set(changes["stale"]) - set(new["findings"])) | set(new["stale"]))
        if len(changes["files"]) > MAX_CHANGED_FILES:
            _apply(data, new)
            self._write(data)
        else:
            self._cache.store(self.changes_path, {**changes, "token": data["token"]})


def _apply(data: dict, changes: dict) -> None:
    """The memo ``data`` with ``changes`` (new keys, new findings, findings no longer valid) applied."""
    data["files"].update(changes["files"])
    for name in changes["stale"]:
        data["findings"].pop(name, None)
    data["findings"].update(changes["findings"])


def _mapping_of(value, kind) -> bool:
    return isinstance(value, dict) and all(isinstance(key, str) and isinstance(item, kind)
                                           for key, item in value.items())


def _stored(finding: Finding) -> dict:
    """A finding of a file as the memo keeps it: without the path, which is how the file is shown in a run."""
    data = finding.to_json()
    data["path"] = ""
    return data


def _finding(item: dict) -> Finding:
    """A finding as ``Finding.to_json`` wrote it; TypeError where its shape differs."""
    if not isinstance(item, dict) or set(item) - {*_FIELDS, "fix", "cell"}:
        raise TypeError("not a finding")
    for name, kind in _FIELDS.items():
        if type(item[name]) is not kind:
            raise TypeError(f"finding field {name}")
    fix, cell = item.get("fix"), item.get("cell")
    if fix is not None:
        if not (isinstance(fix, dict) and set(fix) == {"applicability", "description"}
                and all(isinstance(value, str) for value in fix.values())):
            raise TypeError("finding fix")
        fix = FixInfo(**fix)
    if cell is not None and type(cell) is not int:
        raise TypeError("finding cell")
    return Finding(**{**item, "fix": fix, "cell": cell})
