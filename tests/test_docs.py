"""The documentation: it builds with warnings as errors, and every rule has a complete page."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mlfcore_lint.ruleset import load_ruleset
from mlfcore_lint.ruleset.document import example_blocks

from .conftest import REPO

DOCS = REPO / "docs"


def _load_generator():
    spec = importlib.util.spec_from_file_location("generate_rule_pages", DOCS / "generate_rule_pages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generate_rule_pages = _load_generator()

RULESET = load_ruleset()
RULE_SECTIONS = ("What it does", "Why", "Example", "Use instead", "Fix safety", "Versions", "Added in", "Options",
                 "Suppression")


def _headings(markdown: str) -> list[str]:
    return [line[3:].strip() for line in markdown.splitlines() if line.startswith("## ")]


@pytest.fixture(scope="module")
def rule_pages(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("rules")
    generate_rule_pages.generate(output)
    return output


def test_every_rule_has_a_page_with_every_section(rule_pages):
    for rule in RULESET:
        page = (rule_pages / f"{rule.code}.md").read_text(encoding="utf-8")
        assert page.startswith(f"# {rule.code} {rule.symbol}\n")
        headings = _headings(page)
        for section in RULE_SECTIONS:
            assert any(heading.startswith(section) for heading in headings), (rule.code, section, headings)
        if rule.references:
            assert "References" in headings, rule.code
        assert f"\n## Added in\n\nmlfcore-lint {rule.added}\n" in page
        assert f"`# noqa: {rule.code}`" in page and f"`# pylint: disable={rule.pylint_symbol}`" in page


def test_each_matched_form_is_listed_once(rule_pages):
    for rule in RULESET:
        page = (rule_pages / f"{rule.code}.md").read_text(encoding="utf-8")
        reports = next(line for line in page.splitlines() if line.startswith("Reports ")) \
            if rule.requirement is None else ""
        forms = re.findall(r"`[^`]+`(?: set in code)?", reports)
        assert len(forms) == len(set(forms)), (rule.code, reports)
    mlf305 = (rule_pages / "MLF305.md").read_text(encoding="utf-8")
    assert mlf305.count("`xgboost.XGBClassifier(...)`") == 1


def test_a_rule_that_names_its_release(tmp_path):
    from mlfcore_lint.ruleset.document import render_markdown
    from mlfcore_lint.ruleset.loader import load_ruleset as load
    from mlfcore_lint.ruleset.schema import RuleError

    rule_file = tmp_path / "ours.yaml"
    body = ("rules:\n  - code: MLF801\n    symbol: ours\n    message: m\n    why: w\n    alternative: a\n"
            "    match: [{{call: {{api: [torch.ours]}}}}]\n    added: {added}\n"
            "    examples: {{flagged: ['import torch\\ntorch.ours()\\n'], clean: ['import torch\\n']}}\n")
    rule_file.write_text(body.format(added='"0.2.0"'))
    assert "\n## Added in\n\nmlfcore-lint 0.2.0\n" in render_markdown(load((str(rule_file),)).get("MLF801"))
    rule_file.write_text(body.format(added="soon"))
    with pytest.raises(RuleError, match="'added': 'soon' is not an mlfcore-lint release"):
        load((str(rule_file),))


def test_rule_page_shows_the_rules_own_examples_and_references(rule_pages):
    for rule in RULESET:
        page = (rule_pages / f"{rule.code}.md").read_text(encoding="utf-8")
        assert "\n".join(example_blocks(rule.flagged_examples[0])) in page, rule.code
        for reference in rule.references:
            assert reference in page, (rule.code, reference)


def test_index_lists_every_rule_once(rule_pages):
    index = (rule_pages / "index.md").read_text(encoding="utf-8")
    linked = re.findall(r"\[(MLF\d{3})\]\(\1\.md\)", index)
    assert sorted(linked) == sorted(RULESET.rules)
    assert {path.stem for path in rule_pages.glob("MLF*.md")} == set(RULESET.rules)


def test_rule_urls_point_at_the_generated_pages():
    for rule in RULESET:
        assert rule.url.endswith(f"/rules/{rule.code}.html")


def test_verdicts_are_linked_from_rule_pages(tmp_path):
    verdicts = tmp_path / "verdicts.json"
    verdicts.write_text('{"MLF101": {"verdict": "differs between runs on the GPU", "gpu_confirmed": true, '
                        '"link": "index.md#mlf101", "results": []}}', encoding="utf-8")
    loaded = generate_rule_pages.load_verdicts(verdicts)
    page = generate_rule_pages.rule_page(RULESET.get("MLF101"), loaded)
    assert "## Measured verdict" in page
    assert "differs between runs on the GPU" in page
    assert 'href="../evidence/index.html#mlf101"' in page
    assert "Measured verdict" not in generate_rule_pages.rule_page(RULESET.get("MLF102"), loaded)


def test_configuration_reference_names_every_key_and_option():
    from mlfcore_lint.cli.main import build_parser
    from mlfcore_lint.config import CONFIG_KEYS

    reference = (DOCS / "configuration.md").read_text(encoding="utf-8")
    for key in CONFIG_KEYS:
        assert f"`{key}`" in reference, key
    check = build_parser()._subparsers._group_actions[0].choices["check"]
    for action in check._actions:
        for option in action.option_strings:
            if option not in ("-h", "--help"):
                assert f"`{option}" in reference, option


def test_json_contract_names_every_field():
    from dataclasses import fields

    from mlfcore_lint.model import Finding

    contract = (DOCS / "output.md").read_text(encoding="utf-8")
    for field in fields(Finding):
        assert f"| `{field.name}` |" in contract, field.name


@pytest.mark.slow
def test_sphinx_build_has_no_warnings(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", "-d", str(tmp_path / "doctrees"),
         str(DOCS), str(tmp_path / "html")],
        check=False, capture_output=True, text=True, timeout=600, cwd=REPO,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for rule in RULESET:
        assert (tmp_path / "html" / "rules" / f"{rule.code}.html").is_file(), rule.code
    # command-line options keep their two hyphens (no "smart" en dash)
    pages = list((tmp_path / "html").rglob("*.html"))
    assert not [page.name for page in pages if "\u2013unsafe-fixes" in page.read_text(encoding="utf-8")]
    unsafe = sum(1 for rule in RULESET if rule.fix is not None and rule.fix.applicability == "unsafe")
    assert sum("--unsafe-fixes" in page.read_text(encoding="utf-8") for page in pages) >= unsafe + 3


def test_rule_format_page_documents_every_key():
    from mlfcore_lint.ruleset.schema import CONDITION_KEYS, EXPRESSION_KINDS, LOCATION_KEYS, MATCH_KINDS, RULE_KEYS

    page = (DOCS / "rule-format.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z_-]+)`", page))
    missing = (set(RULE_KEYS) | CONDITION_KEYS | LOCATION_KEYS | set(MATCH_KINDS) | set(EXPRESSION_KINDS)) - documented
    assert not missing, f"docs/rule-format.md does not name: {sorted(missing)}"
