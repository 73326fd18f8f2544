"""Sphinx configuration. The rule pages are generated from the rule data when the build starts."""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS))
sys.path.insert(0, str(DOCS.parent))

import generate_rule_pages  # noqa: E402

from mlfcore_lint import __version__  # noqa: E402

project = "mlfcore-lint"
author = "mlfcore-lint developers"
copyright = "mlfcore-lint developers"
version = release = __version__

extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
html_theme = "alabaster"
html_title = f"mlfcore-lint {__version__}"
html_static_path: list[str] = []
# Quotes and ellipses only: "--" must stay two hyphens (command-line options such as --unsafe-fixes).
smartquotes_action = "qe"
suppress_warnings = ["myst.header"]  # rule pages may skip levels in embedded documentation

generate_rule_pages.generate(DOCS / "rules")
