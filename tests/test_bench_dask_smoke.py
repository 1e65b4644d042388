"""benchmarks/bench_dask.py runs end to end (--quick: 10^6 values in 8 parquet files).

Nothing is timed or asserted about speed or memory: the figures of a run this small mean
nothing. What must hold: every candidate ran, and each method's flagged count is the same for
dask, dask on a cluster, outliers in memory and the pandas idiom. The full candidate list runs
in one process (--in-process: one set of imports, so that the test stays short); one method
then runs as the real benchmark does, each candidate in a fresh process measuring its memory.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")
pytest.importorskip("pyarrow.parquet")

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_dask.py"
METHODS = ("zscore", "mad", "iqr", "hampel")

pytestmark = pytest.mark.skipif(not BENCH.exists(), reason="benchmarks/ is not beside the tests")


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return tmp_path_factory.mktemp("bench-dask-data")  # written by the first run, then reused


def _run(tmp_path, data, *args):
    out = tmp_path / "dask_results.json"
    cmd = [sys.executable, str(BENCH), "--quick", "--data", str(data), "--output", str(out)]
    p = subprocess.run(
        [*cmd, *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=os.environ.copy(),
        timeout=300,
    )
    assert p.returncode == 0, f"bench_dask.py failed:\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}"
    return p.stdout, json.loads(out.read_text())


def _check(doc, methods, distributed: bool):
    meta = doc["meta"]
    assert doc["schema"] == 1
    assert (meta["n"], meta["partitions"]) == (10**6, 8)
    assert meta["dataset"]["files"] == 8
    assert meta["nproc"] >= 1 and len(meta["loadavg_start"]) == len(meta["loadavg_end"]) == 3
    for dist in ("numpy", "pandas", "dask", "pyarrow", "outliers"):
        assert meta["versions"][dist], dist

    rows = {(r["method"], r["impl"]): r for r in doc["candidates"]}
    expected = {("read only", "dask"), ("read only", "pandas")}
    if distributed:
        expected.add(("mad", "dask distributed"))
    for method in methods:
        expected |= {(method, "dask"), (method, "outliers in memory")}
        if method != "hampel":
            expected.add((method, "pandas"))
    assert set(rows) == expected
    for key, r in rows.items():
        assert "error" not in r, (key, r.get("error"))
        assert r["wall_s"] > 0 and r["peak_mib"] > 0, key
        assert isinstance(r["count"], int), key
    for impl in ("dask", "pandas"):
        assert rows[("read only", impl)]["count"] == 10**6
    assert rows[("read only", "dask")]["npartitions"] == 8

    for method in methods:
        counts = {impl: r["count"] for (m, impl), r in rows.items() if m == method}
        assert len(set(counts.values())) == 1, (method, counts)
        assert counts["outliers in memory"] > 0, method
    assert [c["method"] for c in doc["checks"]] == list(methods)
    assert all(v for c in doc["checks"] for k, v in c.items() if k.endswith(" equal"))
    return rows


def test_every_candidate_flags_the_same_values(tmp_path, data):
    stdout, doc = _run(tmp_path, data, "--in-process")
    assert doc["meta"]["in_process"] is True
    _check(doc, METHODS, distributed=True)
    assert "| mad | dask distributed |" in stdout


def test_each_candidate_runs_and_is_measured_in_a_fresh_process(tmp_path, data):
    stdout, doc = _run(tmp_path, data, "--methods", "zscore", "--no-distributed", "--jobs", "2")
    assert doc["meta"]["in_process"] is False
    rows = _check(doc, ["zscore"], distributed=False)
    for key, r in rows.items():
        (run,) = r["runs"]
        assert run["rss_after_imports_kib"] > 0 and run["processes"][0]["process"] == "main"
        assert r["peak_extra_mib"] >= 0 and r["peak_mib"] >= r["peak_extra_mib"], key
    assert "| zscore | dask |" in stdout
