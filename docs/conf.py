"""Sphinx configuration: pydata-sphinx-theme, numpydoc, autosummary, myst-nb.

The build is offline (no intersphinx inventories are fetched) and strict: `make docs-html` runs
sphinx-build with -W --keep-going -n. The notebooks are executed at build time (they are
committed without outputs), in a kernel running this interpreter.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import outliers

DOCS = Path(__file__).resolve().parent
GENERATED = DOCS / "api" / "generated"

project = "outliers"
author = "The outliers developers"
copyright = "The outliers developers, BSD-3-Clause"
release = version = outliers.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",
]

exclude_patterns = ["_build", "notebooks/README.md", "**.ipynb_checkpoints"]
templates_path = ["_templates"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}

# API reference: one page per public object, rendered by numpydoc from the docstrings.
autosummary_generate = True
autosummary_imported_members = False
autodoc_typehints = "none"  # the numpydoc Parameters sections give the types, as numpy's do
autodoc_default_options = {"members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks = {"GL08"}  # every documented object has a docstring
add_module_names = False

# References to other projects' objects stay plain text: no network, so no inventories.
nitpick_ignore_regex = [
    (r"py:.*", r"(numpy|np|pandas|pd|matplotlib|ipywidgets|dask|distributed|pyarrow)(\..*)?"),
    (r"py:.*", r"(array_like|array-like|ArrayLike|optional|default|callable|Callable)"),
]

# Markdown pages and notebooks.
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = "force"  # the notebooks run against the package being documented
nb_execution_timeout = 600  # seconds per cell; the seven notebooks take about 45 s in all
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
os.environ["MPLBACKEND"] = "Agg"  # the kernel inherits it
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

html_theme = "pydata_sphinx_theme"
html_title = f"outliers {version}"
html_static_path: list[str] = []
html_theme_options = {
    "navigation_depth": 2,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
}
html_sidebars = {"benchmarks": [], "changelog": []}


def _cli_usage() -> None:
    """The command line's --help texts, as the installed command prints them."""
    GENERATED.mkdir(parents=True, exist_ok=True)
    for name, args in (("cli-usage", []), ("cli-demo", ["demo"]), ("cli-detect", ["detect"])):
        text = subprocess.run(
            [sys.executable, "-m", "outliers", *args, "--help"],
            capture_output=True, text=True, check=True, env={**os.environ, "COLUMNS": "88"},
        ).stdout  # fmt: skip
        (GENERATED / f"{name}.txt").write_text(text)


_cli_usage()
