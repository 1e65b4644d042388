"""The package people install: the wheel runs in a fresh venv; environment.yml agrees.

The distribution is `outliers-toolkit` (the name `outliers` on PyPI belongs to another project);
the import name and the command are `outliers`. Files are named outliers_toolkit-<version>.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python >= 3.11

ROOT = Path(__file__).resolve().parents[1]
DIST = "outliers-toolkit"
FILE_STEM = "outliers_toolkit-*"  # wheel and sdist file names (PEP 427, PEP 625)
in_source_tree = pytest.mark.skipif(
    not (ROOT / "pyproject.toml").exists(), reason="needs the source tree (pyproject.toml)"
)


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


@in_source_tree
def test_packaging_environment_yml_lists_the_pyproject_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wanted = {_name(r) for r in project["project"]["dependencies"]}
    for extra in ("test", "bench", "lint", "docs"):
        wanted |= {_name(r) for r in project["project"]["optional-dependencies"][extra]}
    wanted |= {_name(r) for r in project["build-system"]["requires"]}
    text = (ROOT / "environment.yml").read_text()
    dependencies = text.split("dependencies:", 1)[1]  # the channels come before
    listed = {
        _name(line.strip()[2:])
        for line in dependencies.splitlines()
        if line.strip().startswith("- ")
    }
    conda_names = {"build": "python-build"}  # where conda-forge spells a package otherwise
    wanted = {conda_names.get(n, n) for n in wanted}
    assert wanted <= listed, f"missing from environment.yml: {sorted(wanted - listed)}"
    extra = listed - wanted - {"python", "cmake", "ninja", "cxx-compiler", "pip", "pip:"}
    assert not extra, f"in environment.yml but not in pyproject.toml: {sorted(extra)}"


@in_source_tree
def test_packaging_the_version_is_written_once():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["name"] == DIST
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    provider = project["tool"]["scikit-build"]["metadata"]["version"]
    assert provider["input"] == "outliers/_version.py"
    assert re.fullmatch(
        r'(?s)""".*"""\n\n__version__ = "\d+\.\d+\.\d+[^"]*"\n',
        (ROOT / "outliers" / "_version.py").read_text(),
    )
    literal = re.compile(r"^__version__\s*=", re.M)
    others = [p for p in (ROOT / "outliers").rglob("*.py") if p.name != "_version.py"]
    assert not [p for p in others if literal.search(p.read_text())]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(ROOT)],
        check=True, timeout=900,
    )  # fmt: skip
    (path,) = out.glob(f"{FILE_STEM}.whl")
    return path


@in_source_tree
def test_packaging_wheel_holds_the_package_the_core_and_the_data(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert any(re.fullmatch(r"outliers/_core\..*\.so", n) for n in names), names
    for needed in ("outliers/__init__.py", "outliers/py.typed", "outliers/_core.pyi",
                   "outliers/datasets/noaa_central_park_daily.csv",
                   "outliers/datasets/DATA-README.md"):  # fmt: skip
        assert needed in names
    assert not [n for n in names if n.startswith(("tests/", "cpp/", "benchmarks/"))]


@in_source_tree
def test_packaging_wheel_installs_and_runs_in_a_fresh_venv(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(wheel)], check=True, timeout=900
    )
    code = (
        "import numpy as np, outliers as ol, pandas as pd\n"
        "assert 'site-packages' in ol.__file__, ol.__file__\n"
        "x = np.random.default_rng(42).random(1000)\n"
        "x[[7, 113, 835]] = [97.3, 92.1, 93.2]\n"
        "assert ol.Detector('zscore', threshold=2.0).detect(x).tolist() == [7, 113, 835]\n"
        "df = ol.datasets.load_weather()\n"
        "assert int(df['SNWD'].outliers.mask('mad').sum()) == 674\n"
        "from importlib.metadata import version\n"
        f"assert version({DIST!r}) == ol.__version__, (version({DIST!r}), ol.__version__)\n"
        "print('ok', ol.__version__)\n"
    )
    clean_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    proc = subprocess.run(
        [str(python), "-c", code], cwd=tmp_path, env=clean_env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ok")
    cli = subprocess.run(
        [str(env_dir / "bin" / "outliers"), "--version"], capture_output=True, text=True
    )
    assert cli.returncode == 0 and cli.stdout.startswith("outliers ")


@in_source_tree
def test_packaging_sdist_holds_what_a_build_needs_and_nothing_more(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--no-isolation",
         "-o", str(tmp_path), str(ROOT)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    (sdist,) = tmp_path.glob(f"{FILE_STEM}.tar.gz")
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
        tar.extractall(tmp_path / "src", filter="data")
    top = {n.split("/")[0] for n in names}
    assert top == {"pyproject.toml", "README.md", "LICENSE", "PKG-INFO", "cpp", "outliers"}, top
    assert "outliers/datasets/noaa_central_park_daily.csv" in names
    assert not [n for n in names if n.startswith(("cpp/tests", "cpp/examples"))]
    (unpacked,) = (tmp_path / "src").iterdir()
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "wheel"), str(unpacked)],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-3000:]
    assert list((tmp_path / "wheel").glob(f"{FILE_STEM}.whl"))


# What users read: the README, the docs' sources, the notebooks, the package's own messages.
USER_TEXT = ["README.md", "CONTRIBUTING.md", "CHANGELOG.md", "docs", "notebooks", "outliers"]
SUFFIXES = {".md", ".rst", ".ipynb", ".py", ".pyi", ".txt"}


def _user_text() -> list[tuple[Path, str]]:
    files = []
    for name in USER_TEXT:
        path = ROOT / name
        found = [path] if path.is_file() else sorted(path.rglob("*"))
        files += [
            (p, p.read_text(encoding="utf-8"))
            for p in found
            if p.suffix in SUFFIXES and "_build" not in p.parts and "generated" not in p.parts
        ]
    return files


@in_source_tree
def test_packaging_install_instructions_name_the_distribution():
    wrong = re.compile(r"pip install [\"']?outliers(?!-toolkit)\b|(?<![-\w])outliers\[\w+\]")
    offenders = [
        f"{p.relative_to(ROOT)}: {m.group(0)}"
        for p, text in _user_text()
        for m in wrong.finditer(text)
    ]
    assert not offenders, offenders
    readme = (ROOT / "README.md").read_text()
    assert "pip install outliers-toolkit" in readme and "outliers-toolkit[dask]" in readme


@in_source_tree
def test_packaging_user_text_cites_no_internal_documents():
    internal = re.compile(r"§|\bSPEC\b|\b[Ii]ssue #?\d+")
    docs = [(p, t) for p, t in _user_text() if p.suffix in {".md", ".rst", ".ipynb"}]
    offenders = [
        f"{p.relative_to(ROOT)}: {m.group(0)}" for p, t in docs for m in internal.finditer(t)
    ]
    assert not offenders, offenders


@in_source_tree
def test_packaging_readme_is_short_and_its_links_resolve():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 200
    for name in ("README.md", "CONTRIBUTING.md", "CHANGELOG.md"):
        text = (ROOT / name).read_text()
        links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
        local = [link for link in links if not re.match(r"[a-z]+:", link)]
        missing = [link for link in local if not (ROOT / link).exists()]
        assert not missing, f"{name}: {missing}"


@in_source_tree
def test_packaging_api_reference_lists_every_public_name_and_verb():
    import pandas as pd

    import outliers as ol

    index = (ROOT / "docs" / "api" / "index.rst").read_text()
    entries = set(re.findall(r"^   (\S+)$", index, re.M))
    public = set(ol.__all__) - {"__version__", "datasets"}
    assert public <= entries, sorted(public - entries)
    assert {f"datasets.{n}" for n in ol.datasets.__all__} <= entries
    for kind in (pd.Series, pd.DataFrame):
        verbs = {n for n in dir(kind.outliers) if not n.startswith("_")}
        listed = {e.split(".")[-1] for e in entries if e.startswith(f"{kind.__name__}.outliers.")}
        assert verbs == listed, (kind.__name__, sorted(verbs ^ listed))


def _layout_tree() -> set[str]:
    """The paths CONTRIBUTING.md's layout names (indented entries are under the last folder)."""
    text = (ROOT / "CONTRIBUTING.md").read_text()
    block = text.split("## Layout", 1)[1].split("```", 2)[1]
    listed, folder = set(), ""
    for line in block.splitlines():
        m = re.match(r"^( *)(\S+)", line)
        if not m:
            continue
        name = m.group(2) if not m.group(1) else folder + m.group(2)
        listed.add(name)
        if not m.group(1) and name.endswith("/"):
            folder = name
    return listed


@in_source_tree
def test_packaging_contributing_layout_matches_the_tree():
    listed = _layout_tree()
    # Folders whose files each have a line; other listed folders are described in one line.
    per_file = {"cpp/include/outliers/", "cpp/python/", "outliers/dask/", "benchmarks/"}
    whole = {p for p in listed if p.endswith("/")} - per_file
    suffixes = {".py", ".pyi", ".hpp", ".cpp", ".inc", ".json"}
    roots = ["cpp/include", "cpp/python", "cpp/embed", "outliers", "benchmarks"]
    files = {
        str(p.relative_to(ROOT))
        for root in roots
        for p in (ROOT / root).rglob("*")
        if p.suffix in suffixes and "__pycache__" not in p.parts
    }
    unlisted = [f for f in files if f not in listed and not f.startswith(tuple(whole))]
    assert not unlisted, f"not in CONTRIBUTING.md's layout: {sorted(unlisted)}"
    gone = [p for p in listed if not p.endswith("/") and not (ROOT / p).exists()]
    assert not gone, f"in CONTRIBUTING.md's layout but not in the tree: {sorted(gone)}"
