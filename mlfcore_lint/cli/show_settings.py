"""``check --show-settings``: the settings in force for the paths, after the configuration and the options."""

from __future__ import annotations

from ..runner import discover
from ..targets import resolve_targets
from .terminal import printable


def format_settings(settings, ruleset, paths, args) -> str:
    from ..config import DEFAULT_EXCLUDES

    targets = resolve_targets(settings, ruleset.framework_modules)
    selected = sorted(code for code in ruleset.rules if settings.is_selected(code))
    files = [display for _, display in discover(paths, settings)] if paths else []

    def listed(values) -> str:
        return ", ".join(values) if values else "(none)"

    lines = [
        f"Configuration file: {settings.config_file or '(none: defaults)'}",
        f"Project root: {settings.root}",
        f"select: {listed(settings.select)}",
        f"extend-select: {listed(settings.extend_select)}",
        f"ignore: {listed(settings.ignore)}",
        "per-file-ignores:" + ("" if settings.per_file_ignores else " (none)"),
        *(f"    {glob}: {', '.join(codes)}" for glob, codes in sorted(settings.per_file_ignores.items())),
        f"exclude: {listed(settings.exclude)}",
        f"extend-exclude: {listed(settings.extend_exclude)}",
        f"always excluded: {listed(DEFAULT_EXCLUDES)}",
        f"force-exclude: {'yes' if args.force_exclude else 'no'}",
        f"respect-gitignore: {'yes' if settings.respect_gitignore else 'no'}",
        f"entry-points: {listed(settings.entry_points)}",
        f"extend-rules: {listed(settings.extend_rules)}",
        "target:" + ("" if targets else " (none: the newest release of each framework)"),
        *(f"    {name}{specifier or ' (any version)'}" for name, specifier in sorted(targets.items())),
        f"Rules selected: {len(selected)} of {len(ruleset.rules)}",
        f"Files to check: {len(files)}",
        *(f"    {printable(name)}" for name in files),
    ]
    return "\n".join(lines) + "\n"
