"""The command line: demo, detect, every user error, output formats, file untouched."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

import outliers as ol
from outliers import cli


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "outliers", *args], capture_output=True, text=True, timeout=120
    )


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def csv_file(tmp_path):
    rng = np.random.default_rng(3)
    df = pd.DataFrame(
        {
            "day": pd.date_range("2024-01-01", periods=200, freq="D").strftime("%Y-%m-%d"),
            "temp": rng.normal(10, 2, 200).round(2),
            "rain": rng.exponential(1.0, 200).round(2),
            "site": ["a", "b"] * 100,
        }
    )
    df.loc[17, "temp"] = 60.0
    df.loc[150, "rain"] = -9999.0
    path = tmp_path / "weather.csv"
    df.to_csv(path, index=False)
    return path


def test_cli_demo_prints_a_table_for_every_method():
    proc = run("demo")
    assert proc.returncode == 0, proc.stderr
    for method in ol.methods():
        assert method in proc.stdout
    snwd = next(line for line in proc.stdout.splitlines() if line.startswith("SNWD"))
    assert snwd.split()[1:3] == ["5221", "674"]  # values, then the -9999 count


def test_cli_version_matches_package():
    proc = run("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"outliers {ol.__version__}"


def test_cli_detect_csv_output_parses_back(csv_file):
    before = digest(csv_file)
    proc = run("detect", str(csv_file), "--method", "mad", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    got = pd.read_csv(io.StringIO(proc.stdout))
    df = pd.read_csv(csv_file)
    want = df.outliers.report("mad")
    assert list(got.columns) == ["row", "column", "position", "value", "score", "lower", "upper"]
    np.testing.assert_array_equal(got["position"], want["position"])
    np.testing.assert_array_equal(got["column"], want["column"])
    np.testing.assert_allclose(got["value"], want["value"].astype(float))
    np.testing.assert_allclose(got["score"], want["score"], rtol=1e-12)
    assert {17, 150} <= set(got["position"])
    assert digest(csv_file) == before


def test_cli_detect_json_output_parses_back(csv_file):
    proc = run("detect", str(csv_file), "--column", "temp", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    records = json.loads(proc.stdout)
    want = ol.detect(pd.read_csv(csv_file)["temp"])
    assert [r["position"] for r in records] == want.tolist()
    assert records[0]["value"] == 60.0 and records[0]["column"] == "temp"


def test_cli_detect_table_params_and_index(csv_file):
    proc = run(
        "detect", str(csv_file), "--column", "rain", "--method", "iqr",
        "--param", "k=3", "--param", "missing=-9999", "--index", "day",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    df = pd.read_csv(csv_file, index_col="day")
    want = df["rain"].outliers.detect("iqr", k=3, missing=-9999)
    assert proc.stdout.splitlines()[0].startswith(f"{len(want)} value(s) flagged by iqr")
    assert "2024-05-30" not in proc.stdout  # the -9999 row, declared missing
    for label in want.index:
        assert label in proc.stdout


def test_cli_parse_params_numbers_and_lists():
    assert cli.parse_params(["threshold=2.5", "window=9", "missing=-9999,-8888"]) == {
        "threshold": 2.5,
        "window": 9,
        "missing": [-9999, -8888],
    }


@pytest.mark.parametrize(
    "args, message",
    [
        (["detect", "{missing}"], "cannot read"),
        (["detect", "{dir}"], "cannot read"),
        (["detect", "{csv}", "--column", "nope"], "'nope': no such column"),
        (["detect", "{csv}", "--column", "site"], "'site' has dtype"),
        (["detect", "{csv}", "--method", "median"], "unknown method 'median'"),
        (["detect", "{csv}", "--param", "threshold=-1"], "threshold must be > 0"),
        (["detect", "{csv}", "--param", "threshold=abc"], "is not a number"),
        (["detect", "{csv}", "--param", "threshold"], "expected NAME=VALUE"),
        (["detect", "{csv}", "--param", "windw=5"], "unknown parameter"),
        (["detect", "{csv}", "--index", "nope"], "--index 'nope'"),
        (["detect", "{csv}", "--missing", "abc"], "--missing 'abc': not a number"),
        (["detect", "{empty}"], "cannot read"),
    ],
)
def test_cli_detect_user_errors_exit_2_with_one_line(csv_file, tmp_path, args, message):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    paths = {"missing": str(tmp_path / "absent.csv"), "dir": str(tmp_path),
             "csv": str(csv_file), "empty": str(empty)}  # fmt: skip
    before = digest(csv_file)
    proc = run(*(a.format(**paths) for a in args))
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("outliers: error:") and message in lines[0], lines[0]
    assert proc.stdout == ""
    assert digest(csv_file) == before


def test_cli_detect_parquet_by_extension(tmp_path, csv_file):
    path = tmp_path / "weather.parquet"
    pd.read_csv(csv_file).to_parquet(path)
    proc = run("detect", str(path), "--column", "temp", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    assert pd.read_csv(io.StringIO(proc.stdout))["position"].tolist() == [17]


def test_cli_progress_is_silent_when_stderr_is_not_a_terminal(csv_file):
    proc = run("detect", str(csv_file))
    assert proc.returncode == 0 and proc.stderr == ""


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_cli_progress_on_a_terminal_says_what_is_read_when_slow(csv_file, monkeypatch):
    monkeypatch.setattr(cli, "PROGRESS_AFTER", 0.05)
    monkeypatch.setattr(cli.pd, "read_csv", lambda path: (time.sleep(0.3), pd.DataFrame())[1])
    err = _Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    cli.read_table(str(csv_file), None)
    lines = err.getvalue().splitlines()
    assert lines[0] == f"reading {csv_file} (0 MiB)..."
    assert re.fullmatch(rf"read {re.escape(str(csv_file))} in 0\.\d s", lines[1])


def test_cli_progress_on_a_terminal_is_silent_when_fast(csv_file, monkeypatch):
    err = _Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    assert len(cli.read_table(str(csv_file), None)) == 200
    assert err.getvalue() == ""


def test_cli_detect_plot_writes_an_image(csv_file, tmp_path):
    out = tmp_path / "flags.png"
    proc = run("detect", str(csv_file), "--column", "temp", "--plot", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_detect_plot_to_an_unwritable_place_exits_2(csv_file, tmp_path):
    proc = run("detect", str(csv_file), "--plot", str(tmp_path / "no" / "dir" / "x.png"))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "--plot" in proc.stderr


def test_cli_detect_repeated_column_is_checked_once(csv_file):
    proc = run("detect", str(csv_file), "--column", "temp", "--column", "rain",
               "--column", "temp", "--format", "csv")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    got = pd.read_csv(io.StringIO(proc.stdout))
    df = pd.read_csv(csv_file)
    want = [("temp", p) for p in ol.detect(df["temp"])] + [
        ("rain", p) for p in ol.detect(df["rain"])
    ]
    assert list(zip(got["column"], got["position"], strict=True)) == want


def test_cli_detect_semicolon_file_hints_at_sep(csv_file, tmp_path):
    path = tmp_path / "semi.csv"
    df = pd.read_csv(csv_file)
    df.to_csv(path, sep=";", index=False)
    proc = run("detect", str(path))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert "no numeric column" in proc.stderr and "try --sep ';'" in proc.stderr
    proc = run("detect", str(path), "--sep", ";", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    got = pd.read_csv(io.StringIO(proc.stdout))
    assert got["position"].tolist() == df.outliers.report()["position"].tolist() == [17, 150]


def test_cli_detect_without_numeric_columns_says_so(tmp_path):
    path = tmp_path / "words.csv"
    path.write_text("name,site\nx,a\ny,b\n")
    proc = run("detect", str(path))
    assert proc.returncode == 2 and proc.stdout == ""
    assert (
        proc.stderr == f"outliers: error: no numeric column in {path} (columns: 'name', 'site')\n"
    )


@pytest.mark.parametrize("good_plot", [True, False])
def test_cli_detect_plot_glyph_warnings_stay_off_stderr(tmp_path, good_plot):
    path = tmp_path / "glyphs.csv"
    x = np.r_[np.arange(30.0) % 3, 100.0]
    pd.DataFrame({"温度 \U0001f321": x, "b": x}).to_csv(path, index=False)
    out = tmp_path / "plot.png" if good_plot else tmp_path / "no" / "plot.png"
    proc = run("detect", str(path), "--plot", str(out))
    if good_plot:
        assert proc.returncode == 0 and proc.stderr == ""
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert proc.returncode == 2
        assert proc.stderr.startswith("outliers: error: --plot") and proc.stderr.count("\n") == 1


@pytest.mark.parametrize("how", ["same", "relative", "symlink", "hardlink"])
def test_cli_detect_refuses_to_plot_over_its_input(csv_file, tmp_path, how, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plot = {"same": str(csv_file), "relative": f"../{tmp_path.name}/{csv_file.name}"}.get(how)
    if plot is None:
        link = tmp_path / "out.png"
        (link.symlink_to if how == "symlink" else link.hardlink_to)(csv_file)
        plot = str(link)
    before = digest(csv_file)
    proc = run("detect", str(csv_file), "--plot", plot)
    assert proc.returncode == 2 and proc.stdout == ""
    assert (
        proc.stderr
        == f"outliers: error: --plot {plot} is the input file: the input is never written\n"
    )
    assert digest(csv_file) == before


def test_cli_detect_reads_a_stream_up_to_a_limit(monkeypatch, capsys):
    monkeypatch.setattr(cli, "STREAM_LIMIT", 1 << 16)
    assert cli.main(["detect", "/dev/zero"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("outliers: error: cannot read /dev/zero: not a regular file")
    assert err.count("\n") == 1


def test_cli_detect_reads_a_pipe(csv_file, tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    proc = subprocess.Popen(
        [sys.executable, "-m", "outliers", "detect", str(fifo), "--column", "temp",
         "--format", "csv"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    fifo.write_bytes(csv_file.read_bytes())
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert pd.read_csv(io.StringIO(out))["position"].tolist() == [17]


@pytest.mark.parametrize(
    "method, param, value",
    [
        ("hampel", "window", 2**63 + 1),
        ("hampel", "window", 2**64 + 1),
        ("zscore", "ddof", 2**64),
        ("esd", "max_outliers", 2**64),
        ("esd", "max_outliers", -(2**64)),
    ],
)
def test_cli_detect_huge_integer_params_exit_2_with_one_line(csv_file, method, param, value):
    proc = run("detect", str(csv_file), "--method", method, "--param", f"{param}={value}")
    lines = proc.stderr.splitlines()
    if proc.returncode == 0:  # a value whose meaning is clear, clamped by the library
        assert lines == [] and "flagged by" in proc.stdout
    else:
        assert proc.returncode == 2 and proc.stdout == ""
        assert len(lines) == 1 and lines[0].startswith("outliers: error:"), proc.stderr
        assert param in lines[0]


def test_cli_detect_missing_option(csv_file):
    df = pd.read_csv(csv_file)
    declared = df["rain"].outliers.detect("mad", missing=[-9999, 60.0])
    undeclared = df["rain"].outliers.detect("mad")
    assert 150 in undeclared.index and 150 not in declared.index
    runs = [
        ["--missing", "-9999", "--missing", "60"],
        ["--missing=-9999", "--missing", "60.0"],
        ["--param", "missing=-9999,60"],  # the older spelling still works
        ["--param", "missing=-9999", "--missing", "60"],
    ]
    for extra in runs:
        proc = run("detect", str(csv_file), "--column", "rain", "--method", "mad",
                   "--format", "csv", *extra)  # fmt: skip
        assert proc.returncode == 0, (extra, proc.stderr)
        got = pd.read_csv(io.StringIO(proc.stdout))
        assert got["position"].tolist() == declared.index.tolist(), extra
    both = run("detect", str(csv_file), "--method", "mad", "--format", "csv", "--missing", "60")
    got = pd.read_csv(io.StringIO(both.stdout))
    assert 17 not in got.loc[got["column"] == "temp", "position"].tolist()  # temp's 60.0
    assert 150 in got.loc[got["column"] == "rain", "position"].tolist()  # -9999 not declared


@pytest.mark.parametrize("output", ["table", "csv", "json"])
def test_cli_detect_reader_closing_early_ends_quietly(tmp_path, output):
    """`outliers detect ... | head`: no BrokenPipeError traceback, status 141 (128 + SIGPIPE)."""
    rng = np.random.default_rng(5)
    path = tmp_path / "many.csv"
    pd.DataFrame({"x": rng.normal(size=20_000)}).to_csv(path, index=False)
    args = ["detect", str(path), "--method", "quantile", "--param", "low=0.2",
            "--param", "high=0.8", "--format", output]  # fmt: skip
    full = run(*args)
    assert full.returncode == 0 and len(full.stdout) > 4 * 65536  # more than a pipe holds
    proc = subprocess.Popen(
        [sys.executable, "-m", "outliers", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    with proc:
        first = proc.stdout.readline()
        proc.stdout.close()  # the reader goes away, as head does after its lines
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=120) == 141, err
    assert err == ""
    assert first and full.stdout.startswith(first.decode())
