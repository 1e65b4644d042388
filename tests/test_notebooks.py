"""The notebooks: each runs top to bottom without an error, and is committed clean.

Each notebook is executed by nbclient in a kernel started with this interpreter (a kernelspec
written into a temporary JUPYTER_PATH, so the installed package is the one imported), with the
notebooks folder as its working directory and matplotlib's Agg backend.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest
from ipykernel.kernelspec import write_kernel_spec
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
NAMES = [
    "01-quickstart.ipynb",
    "02-methods.ipynb",
    "03-hampel-time-series.ipynb",
    "04-custom-functions.ipynb",
    "05-explorer.ipynb",
    "06-performance.ipynb",
    "07-dask.ipynb",
]
WIDGET = "application/vnd.jupyter.widget-view+json"
CELL_TIMEOUT = 120  # seconds, per cell

pytestmark = pytest.mark.skipif(
    not NOTEBOOKS.is_dir(), reason="needs the source tree (notebooks/)"
)


def _read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / name, as_version=4)


def _code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory):
    """A `python3` kernelspec running sys.executable, found first on JUPYTER_PATH."""
    jupyter_path = tmp_path_factory.mktemp("jupyter")
    write_kernel_spec(jupyter_path / "kernels" / "python3")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", str(jupyter_path))
        mp.setenv("JUPYTER_PLATFORM_DIRS", "1")  # jupyter_core's own paths, no migration warning
        mp.setenv("MPLBACKEND", "Agg")  # no window; the notebooks' %matplotlib inline still draws
        mp.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # the kernel's debugger stays quiet
        yield sys.executable


def _execute(name: str) -> nbformat.NotebookNode:
    nb = _read(name)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()  # raises CellExecutionError, with the cell and its traceback, on an error
    return nb


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_top_to_bottom_without_errors_or_warnings(kernel_env, name):
    nb = _execute(name)
    problems = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                problems.append(f"cell {i}: {out.ename}: {out.evalue}")
            elif out.output_type == "stream" and out.name == "stderr":
                problems.append(f"cell {i} wrote to stderr: {out.text.strip()[:500]}")
    assert not problems, f"{name}:\n" + "\n".join(problems)
    assert all(c.execution_count is not None for c in _code_cells(nb))

    if name == "05-explorer.ipynb":  # what the browser test relies on
        widgets = [
            i
            for i, c in enumerate(nb.cells)
            for out in c.get("outputs", [])
            if WIDGET in out.get("data", {})
        ]
        assert widgets == [len(nb.cells) - 1], "the explorer must be the last and only widget"
        assert "explore(" in "".join(c.source for c in _code_cells(nb))


def test_notebooks_are_the_listed_ones():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_committed_without_outputs(name):
    nb = _read(name)
    nbformat.validate(nb)
    dirty = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and (c.outputs or c.execution_count is not None)
    ]
    assert not dirty, f"{name}: cells {dirty} hold outputs or execution counts: strip them"
    assert "widgets" not in nb.metadata, f"{name}: saved widget state in the metadata"


@pytest.mark.parametrize("name", NAMES)
def test_notebook_opens_with_a_title_and_installs_nothing(name):
    nb = _read(name)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), name
    assert "You will learn" in first.source, f"{name}: say what the reader will learn"
    for cell in _code_cells(nb):
        for line in cell.source.splitlines():
            assert not line.lstrip().startswith(("!pip", "%pip", "!conda", "%conda")), line
