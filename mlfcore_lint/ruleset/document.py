"""A rule's documentation, generated from its data: the same sections for every rule."""

from __future__ import annotations

from .schema import (
    AssignmentMatcher,
    CallMatcher,
    EnvironmentMatcher,
    IterationMatcher,
    MappingMatcher,
    Rule,
    anchor_keys,
)

STATUS_WORDS = {
    "nondeterministic": "non-deterministic (no deterministic implementation)",
    "deterministic-with-switch": "deterministic only when the determinism switch is on",
    "deterministic": "deterministic",
}


def matched_forms(rule: Rule) -> list[str]:
    forms = []
    for matcher in rule.matchers:
        if isinstance(matcher, CallMatcher):
            forms += [f"`{api}(...)`" for api in matcher.apis]
            receiver = "<tensor>" if rule.framework == "torch" else "<object>"
            forms += [f"`{receiver}.{method}(...)`" for method in matcher.methods]
        elif isinstance(matcher, AssignmentMatcher):
            forms += [f"`{target} = ...`" for target in matcher.targets]
        elif isinstance(matcher, EnvironmentMatcher):
            forms += [f"environment variable `{variable}` set in code" for variable in matcher.variables]
        elif isinstance(matcher, MappingMatcher):
            keys = ", ".join(f'"{key}": ...' for key in anchor_keys(matcher))
            forms.append(f"a parameter dict `{{{keys}}}`")
        elif isinstance(matcher, IterationMatcher):
            forms.append(
                "a `for` loop, comprehension, `list`, `tuple`, `enumerate` or `str.join` over a set of strings"
            )
    forms = list(dict.fromkeys(forms))  # match entries that differ only in their arguments name an API once
    if rule.outside and forms:
        forms[-1] += ", in code or where the programs are launched (a Dockerfile's `ENV`, a workflow's `env:`)"
    return forms


def version_lines(rule: Rule) -> list[str]:
    lines = []
    for version_range in rule.versions:
        lines.append(f"- `{version_range.text}`: {STATUS_WORDS[version_range.status]}")
    for position, matcher in enumerate(rule.matchers):
        for version_range in matcher.versions or ():
            lines.append(f"- match entry {position + 1}, `{version_range.text}`: {STATUS_WORDS[version_range.status]}")
    return lines or ["- every version"]


#: What a project file of an example is highlighted as, by its name.
FILE_LANGUAGES = (("Dockerfile", "dockerfile"), (".toml", "toml"), (".lock", "toml"), (".yml", "yaml"),
                  (".yaml", "yaml"), ("MLproject", "yaml"), (".cfg", "ini"), (".ini", "ini"), (".py", "python"))


def option_lines(rule: Rule) -> list[str]:
    """The settings of ``[tool.mlfcore-lint]`` (and their command-line options) that change what the rule reports."""
    lines = [f"- `select`, `extend-select`, `ignore` (`--select`, `--extend-select`, `--ignore`): `{rule.code}` or a "
             f"prefix of it, such as `{rule.code[:4]}`.",
             "- `per-file-ignores` (`--per-file-ignores`): leave the rule out in some files."]
    if rule.versions or any(matcher.versions for matcher in rule.matchers):
        lines.append("- `target` (`--target`): the framework versions checked against (see Versions); without it, "
                     "the project's pins, then the installed versions.")
    if rule.requirement is not None:
        lines.append("- `entry-points`: files that start a program, where the requirement is checked, besides "
                     "those with an `if __name__ == \"__main__\":` block or named as console scripts.")
    return lines


def suppression_lines(rule: Rule) -> list[str]:
    where = ("the line of the entry point's `if __name__ == \"__main__\":` (or line 1)" if rule.requirement is not None
             else "the line the finding is reported on")
    return [
        f"Add `# noqa: {rule.code}` at the end of {where}; flake8 and the command read it alike, and "
        f"`mlfcore-lint check --add-noqa` adds it to every finding at once. With pylint, "
        f"`# pylint: disable={rule.pylint_symbol}`. To turn the rule off in some files, use `per-file-ignores`.",
    ]


def code_block(code: str, language: str = "python") -> list[str]:
    """A fenced example; one with control characters (a binary file) is shown escaped, as plain text."""
    code = code.rstrip()
    if all(character.isprintable() or character in "\n\t" for character in code):
        return [f"```{language}", code, "```"]
    escaped = [line.encode("unicode_escape").decode("ascii") for line in code.split("\n")]
    return ["```text", *escaped, "```"]


def example_blocks(example) -> list[str]:
    """An example's program and project files, each file under its name."""
    if not example.files:
        return code_block(example.code)
    out = []
    if example.code:
        out += ["`train.py`:", "", *code_block(example.code), ""]
    for name, text in example.files:
        language = next((lang for suffix, lang in FILE_LANGUAGES if name.endswith(suffix) or
                         name.split("/")[-1].startswith(suffix)), "text")
        out += [f"`{name}`:", "", *code_block(text, language), ""]
    return out[:-1]


def render_markdown(rule: Rule) -> str:
    """The rule's page as Markdown (``mlfcore-lint explain`` prints it; the docs build one page per rule)."""
    out = [f"# {rule.code} {rule.symbol}", "", f"{rule.summary}", ""]
    out += ["## What it does", ""]
    if rule.inspects:
        out.append("Reports a line of the project's environment files (not its Python code): the command shows "
                   "it in every output format; the flake8 and pylint plugins, which see Python files only, do not.")
    elif rule.requirement is not None:
        out.append(f"Reports an entry point whose program does not call `{rule.requirement.missing_api}` "
                   "(or an equivalent) although it uses what makes it necessary.")
        by_version = [f"`{api}` for `{distribution}{specifier}`"
                      for distribution, specifier, api in rule.requirement.missing_by_version]
        if by_version:
            out += ["", "The finding names the call the targeted release has: " + ", ".join(by_version) + "."]
    else:
        out.append("Reports " + ", ".join(matched_forms(rule)) + ".")
    if rule.condition:
        out += ["", f"Condition: {rule.condition}"]
    if rule.hint:
        out += ["", f"This rule is a hint, not by itself a determinism break: it is reported only where `select` or "
                f"`extend-select` names `{rule.code}` or `HINT`."]
    if rule.settled_outside_by:
        names = sorted({variable for matcher in rule.settled_outside_by for variable in matcher.variables})
        out += ["", "Not reported where the environment the program is launched in sets "
                + ", ".join(f"`{name}`" for name in names)
                + " (a Dockerfile's `ENV`, an MLproject's `docker_env`, conda `variables:`, `.env`, tox or nox, "
                "a GitHub workflow's `env:`, or `set-elsewhere`)."]
    if rule.backward_only:
        out += ["", "Only the backward pass misbehaves, so a function call inside a `torch.no_grad()` or "
                "`torch.inference_mode()` block, or in a function decorated with either, is not reported: "
                "autograd does not record it. Creating a module there still is (it runs later)."]
    out += ["", "## Why is this bad?", "", rule.why, "", "## Example", ""]
    out += [*example_blocks(rule.flagged_examples[0]), ""]
    out += ["## Use instead", "", rule.alternative, ""]
    if rule.clean_examples:
        out += [*example_blocks(rule.clean_examples[0]), ""]
    out += ["## Fix safety", ""]
    if rule.fix is None:
        out.append("There is no automatic fix; change the code by hand as described above.")
    else:
        label = ("safe (applied by `--fix`)" if rule.fix.applicability == "safe"
                 else "unsafe (applied only with `--unsafe-fixes`)")
        out.append(f"The fix is {label}: {rule.fix.description}")
    out += ["", "## Versions", "", *version_lines(rule), ""]
    out += ["## Severity", "", f"`{rule.severity}`", ""]
    out += ["## Added in", "", f"mlfcore-lint {rule.added}", ""]
    out += ["## Options", "", *option_lines(rule), ""]
    out += ["## Suppression", "", *suppression_lines(rule), ""]
    if rule.evidence:
        out += ["## Evidence", "", rule.evidence, ""]
    if rule.references:
        out += ["## References", "", *[f"- <{url}>" for url in rule.references], ""]
    return "\n".join(out)
