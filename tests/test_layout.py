"""The package's structure: no import cycle, one importer of the compiled core, short files.

Imports are read from the source with ``ast`` (function-level ones included, since a lazy
import is still a dependency), so the checks see the code as written, not what happened to be
imported at run time.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "outliers"
MAX_LINES = 600


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: Path = PACKAGE) -> dict[str, Path]:
    return {module_name(p, root): p for p in sorted(root.rglob("*.py"))}


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that the module `name` (at `path`) imports, anywhere in it."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            # `from pkg import sub` depends on the submodule `pkg.sub`; `from pkg import name`
            # on pkg's own code (its __init__) for a name that is not a submodule.
            subs = [f"{source}.{alias.name}" for alias in node.names]
            targets = [t for t in subs if t in known or t == "outliers._core"]
            if len(targets) < len(subs):
                targets.append(source)
        else:
            continue
        for target in targets:
            # `import a.b.c` depends on a.b.c (its parents run first as packages, which is
            # how Python imports any submodule, not a dependency of this module's code).
            parts = target.split(".")
            for k in range(len(parts), 0, -1):
                candidate = ".".join(parts[:k])
                if candidate in known or candidate == "outliers._core":
                    if candidate != name:
                        out.add(candidate)
                    break
    return out


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    found = modules(root)
    known = set(found)
    return {name: imported(name, path, known) for name, path in found.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import cycle, each once: strongly connected components (Tarjan) of size > 1."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_layout_no_import_cycle():
    found = cycles(import_graph())
    assert not found, f"import cycles among outliers' modules: {found}"


def test_layout_only_native_imports_core():
    importers = sorted(
        name for name, targets in import_graph().items() if "outliers._core" in targets
    )
    assert importers == ["outliers._native"], importers


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_layout_source_files_are_short(path):
    n = len(path.read_text().splitlines())
    assert n <= MAX_LINES, f"{path.relative_to(PACKAGE.parent)} has {n} lines (> {MAX_LINES})"


# ------------------------------------------------------------ the checks catch what they claim


def write_package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "outliers"
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_layout_sees_a_cycle_through_a_function_level_import(tmp_path):
    root = write_package(
        tmp_path,
        {
            "__init__.py": "from . import _a\n",
            "_a.py": "from . import _b\n",
            "_b.py": "def f():\n    from ._sub.c import g\n    return g\n",
            "_sub/__init__.py": "",
            "_sub/c.py": "from .._a import x\n",
        },
    )
    found = cycles(import_graph(root))
    assert found == [["outliers._a", "outliers._b", "outliers._sub.c"]]


def test_layout_sees_a_second_importer_of_core(tmp_path):
    root = write_package(
        tmp_path,
        {
            "__init__.py": "",
            "_native.py": "from . import _core\n",
            "_api.py": "def f():\n    from outliers._core import run_plain\n",
        },
    )
    graph = import_graph(root)
    assert sorted(n for n, t in graph.items() if "outliers._core" in t) == [
        "outliers._api",
        "outliers._native",
    ]


# ------------------------------------------------------------ the public surface


def test_layout_dir_shows_the_public_names_only():
    import outliers as ol

    assert dir(ol) == sorted(ol.__all__)
    assert not [name for name in dir(ol) if name.startswith("_") and name != "__version__"]
    for name in ol.__all__:
        assert hasattr(ol, name), name


def test_layout_version_has_one_source():
    import re

    import outliers as ol
    from outliers import _version

    assert ol.__version__ == _version.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", ol.__version__)
    written = [
        p.relative_to(PACKAGE.parent)
        for p in PACKAGE.rglob("*.py")
        if p.name != "_version.py" and re.search(r"__version__\s*=", p.read_text())
    ]
    assert not written, f"__version__ assigned outside outliers/_version.py: {written}"


def test_layout_sees_a_cycle_through_a_package_init(tmp_path):
    root = write_package(
        tmp_path,
        {
            "__init__.py": "from . import cli\n__version__ = '1'\n",
            "cli.py": "from . import __version__\n",
            "sub/__init__.py": "",
            "sub/a.py": "from .. import cli\n",  # a submodule through its parent: no cycle
        },
    )
    assert cycles(import_graph(root)) == [["outliers", "outliers.cli"]]


def test_layout_help_of_every_verb_names_the_methods_and_their_parameters():
    import pandas as pd

    import outliers as ol

    s = pd.Series([1.0, 2.0])
    verbs = [ol.detect, ol.mask, ol.scores, ol.bounds, ol.Detector]
    verbs += [getattr(s.outliers, v) for v in ("detect", "mask", "scores", "bounds", "clean")]
    verbs += [getattr(s.outliers, v) for v in ("report", "plot", "explore")]
    verbs += [getattr(s.to_frame().outliers, v) for v in ("detect", "mask", "report", "style")]
    for verb in verbs:
        doc = verb.__doc__
        sections = ["Parameters", "Raises", "Examples"]
        sections += [] if isinstance(verb, type) else ["Returns"]
        for section in sections:
            assert f"{section}\n" in doc, (verb, section)
        for name, params in ol.methods().items():
            row = ", ".join(f"{p}={v!r}" for p, v in params.items())
            assert f"``{name}``" in doc and row in doc, (verb, name, row)
