"""The `outliers` command line.

``outliers demo`` runs every method on the bundled NOAA data; ``outliers detect FILE`` runs one
method on the numeric columns of a user's CSV (or Parquet) file. Errors in what the user asked
for print one line to stderr and exit with status 2; the input file is only ever read. Output
cut short by its reader (``outliers detect ... | head``) ends quietly with status 141, as a
command killed by SIGPIPE does in a shell.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import stat
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from ._api import detect, methods
from ._inputs import default_columns
from ._params import check_method
from ._version import __version__
from .datasets import load_weather

if TYPE_CHECKING:
    from .accessors import FrameOutliers

EXIT_USAGE = 2
# A shell reports 128 + SIGPIPE (13) for a command whose reader went away (`yes | head`); the
# same status here lets `set -o pipefail` scripts tell a cut-short report from a complete one.
EXIT_BROKEN_PIPE = 141


class UserError(Exception):
    """A problem with what the user asked for: reported in one line, exit status 2."""


def demo_table() -> pd.DataFrame:
    """How many values each built-in method flags in each numeric NOAA column (defaults).

    Returns
    -------
    DataFrame
        One row per column: ``values`` (present), ``-9999`` (NOAA's "not measured" left in the
        raw data), then the count each method flags.

    Examples
    --------
    >>> table = demo_table()
    >>> list(table.columns[:4])
    ['values', '-9999', 'zscore', 'mad']
    >>> int(table.loc["SNWD", "-9999"])
    674
    """
    df = load_weather()
    numeric = df.iloc[:, default_columns(df)]
    counts = {
        method: {col: len(detect(numeric[col], method)) for col in numeric.columns}
        for method in methods()
    }
    table = pd.DataFrame(counts)
    table.insert(0, "values", numeric.notna().sum())
    table.insert(1, "-9999", (numeric == -9999).sum())
    table.index.name = "column"
    return table


def _demo(args: argparse.Namespace) -> int:
    table = demo_table()
    print("NOAA Central Park daily data, 2000-2014: values flagged by each method (defaults).")
    print("'-9999' counts NOAA's \"not measured\" sentinel, left in the raw data on purpose.\n")
    print(table.to_string())
    return 0


def _number(text: str) -> int | float:
    """`text` as an int when it is one, else as a float (ValueError if neither)."""
    try:
        return int(text)
    except ValueError:
        return float(text)


# Words read as booleans in --param (center=false).
_BOOLEANS = {"true": True, "false": False, "yes": True, "no": False}


def _value(name: str, text: str) -> int | float | bool | str:
    """One --param value: a number, a boolean word, or for ``window`` a span such as "1D"."""
    try:
        return _number(text)
    except ValueError:
        pass
    if text.strip().lower() in _BOOLEANS:
        return _BOOLEANS[text.strip().lower()]
    if name == "window":
        return text  # a span ("1D", "90min"), checked by the library
    raise ValueError(text)


def parse_params(items: list[str]) -> dict[str, Any]:
    """``NAME=VALUE`` pairs (``--param``) as keyword arguments for the method.

    Parameters
    ----------
    items : list of str
        Each ``NAME=VALUE``, the value a number, ``true`` / ``false`` (``center=false``), or
        for ``window`` a span (``window=30D``; ``window=7`` counts positions).
        ``missing=-9999,-8888`` (the older spelling of ``--missing``) gives a list.

    Returns
    -------
    dict
        ``{name: value}``.

    Raises
    ------
    UserError
        When an item is not ``NAME=VALUE`` or its value is not one of those.

    Examples
    --------
    >>> parse_params(["threshold=2.5", "window=9"])
    {'threshold': 2.5, 'window': 9}
    >>> parse_params(["window=30D", "center=false", "min_periods=10"])
    {'window': '30D', 'center': False, 'min_periods': 10}
    """
    params: dict[str, Any] = {}
    for item in items:
        name, sep, text = item.partition("=")
        if not sep or not name:
            raise UserError(f"--param {item!r}: expected NAME=VALUE, e.g. threshold=3")
        try:
            values = [_value(name, t) for t in text.split(",")]
        except ValueError:
            kind = "true or false" if name == "center" else "a number"
            raise UserError(f"--param {item!r}: {text!r} is not {kind}") from None
        params[name] = values if name == "missing" and len(values) > 1 else values[0]
    return params


def parse_missing(items: list[str]) -> list[int | float]:
    """The ``--missing`` values, each a number standing for "not measured".

    Raises
    ------
    UserError
        When one is not a number.

    Examples
    --------
    >>> parse_missing(["-9999", "1e20"])
    [-9999, 1e+20]
    """
    values = []
    for text in items:
        try:
            values.append(_number(text))
        except ValueError:
            raise UserError(f"--missing {text!r}: not a number") from None
    return values


# Reading a file for longer than this (seconds) is said on a terminal.
PROGRESS_AFTER = 1.0


@contextlib.contextmanager
def _progress(path: str) -> Iterator[None]:
    """Say on stderr what is being read when it takes over a second (only on a terminal)."""
    if not sys.stderr.isatty():
        yield
        return
    start = time.perf_counter()
    size = os.path.getsize(path) / 2**20
    timer = threading.Timer(
        PROGRESS_AFTER,
        lambda: print(f"reading {path} ({size:,.0f} MiB)...", file=sys.stderr, flush=True),
    )
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        elapsed = time.perf_counter() - start
        if elapsed > PROGRESS_AFTER:
            print(f"read {path} in {elapsed:.1f} s", file=sys.stderr, flush=True)


# A pipe or device (not a regular file) is read into memory up to this many bytes: /dev/zero or
# an endless stream would otherwise grow until memory runs out.
STREAM_LIMIT = 1 << 30


def _source(path: str):
    """`path` itself for a regular file; the bytes of anything else, read up to STREAM_LIMIT."""
    with open(path, "rb") as f:
        if stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            return path
        data = f.read(STREAM_LIMIT + 1)
    if len(data) > STREAM_LIMIT:
        raise UserError(
            f"cannot read {path}: not a regular file, and it gave more than "
            f"{STREAM_LIMIT / 2**20:,.0f} MiB; save the data to a file first"
        )
    return io.BytesIO(data)


def read_table(path: str, index: str | None, sep: str | None = None) -> pd.DataFrame:
    """Read a CSV (or, by extension ``.parquet``/``.pq``, a Parquet) file with pandas.

    A pipe or device is read into memory first, up to ``STREAM_LIMIT`` bytes.

    Parameters
    ----------
    path : str
        The file (read, never written).
    index : str or None
        A column to use as the row labels.
    sep : str, optional
        pandas' ``read_csv`` separator (default: a comma).

    Returns
    -------
    DataFrame

    Raises
    ------
    UserError
        When the file cannot be read or parsed, or `index` is not one of its columns.
    """
    try:
        with _progress(path):
            source = _source(path)
            if path.lower().endswith((".parquet", ".pq")):
                df = pd.read_parquet(source)
            else:
                options: dict[str, Any] = {} if sep is None else {"sep": sep}  # None: sniffing
                df = pd.read_csv(source, **options)
    except (OSError, ValueError, ImportError, pd.errors.ParserError) as e:
        reason = getattr(e, "strerror", None) or str(e).splitlines()[0]
        raise UserError(f"cannot read {path}: {reason}") from None
    if index is not None:
        if index not in df.columns:
            raise UserError(f"--index {index!r}: no such column in {path}")
        df = df.set_index(index)
    return df


def _save_plot(
    df: pd.DataFrame, args: argparse.Namespace, params: dict[str, Any], missing: list
) -> None:
    """One panel per checked column, written to --plot (the format from its extension)."""
    import matplotlib

    matplotlib.use("Agg")  # a file, never a window
    with warnings.catch_warnings():
        # A column name with characters the font lacks is drawn with boxes; matplotlib's warning
        # about each one would bury the report (or the one error line) on stderr.
        warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
        axes = _checks(df).plot(args.method, columns=args.column, missing=missing, **params)
        try:
            axes[0].figure.savefig(args.plot, dpi=100)
        except (OSError, ValueError) as e:
            raise UserError(f"--plot {args.plot}: {getattr(e, 'strerror', None) or e}") from None


def _checks(df: pd.DataFrame) -> FrameOutliers:
    """``df.outliers``, typed (pandas' stubs read an unknown attribute as a column)."""
    return cast("FrameOutliers", df.outliers)


def _same_file(a: str, b: str) -> bool:
    """True when the paths name one file (through links too); False if either does not exist."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _no_numeric_column(df: pd.DataFrame, args: argparse.Namespace) -> UserError:
    """The error for a file without numeric columns, with a hint when the separator is wrong."""
    names = ", ".join(repr(str(c)) for c in df.columns[:5])
    more = ", ..." if df.shape[1] > 5 else ""
    hint = ""
    if df.shape[1] == 1 and args.sep is None:
        # One column whose name holds another usual separator: the file is not comma-separated.
        seps = [c for c in (";", "\t", "|") if c in str(df.columns[0])]
        if seps:
            hint = f"; if its fields are separated by {seps[0]!r}, try --sep {seps[0]!r}"
    return UserError(f"no numeric column in {args.file} (columns: {names}{more}){hint}")


def _request(args: argparse.Namespace) -> tuple[dict[str, Any], list[int | float]]:
    """The method's parameters and the missing values asked for; UserError if they are bad."""
    params = parse_params(args.param)
    missing = parse_missing(args.missing)
    older = params.pop("missing", [])  # --param missing=V, the older spelling of --missing V
    missing += older if isinstance(older, list) else [older]
    try:
        check_method(args.method)
    except ValueError as e:
        raise UserError(str(e)) from None
    if args.plot and _same_file(args.plot, args.file):
        raise UserError(f"--plot {args.plot} is the input file: the input is never written")
    if args.column:
        args.column = list(dict.fromkeys(args.column))  # each column checked (and reported) once
    return params, missing


def _time_index(df: pd.DataFrame, args: argparse.Namespace, window: Any) -> pd.DataFrame:
    """`df` with its --index read as dates, for a time window (``window=30D``).

    A date column of a CSV file is read as text (or as integers, for dates written YYYYMMDD
    as NOAA's): only a span needs it as times, so only then is it parsed.
    """
    if not isinstance(window, str):
        return df
    if args.index is None:
        raise UserError(
            f"--param window={window} is a time window: name the date column with --index"
        )
    index = df.index
    if isinstance(index, (pd.DatetimeIndex, pd.TimedeltaIndex)):
        return df
    whole = index.dtype.kind in "iu"  # 20000101
    try:
        with warnings.catch_warnings():
            # pandas warns when it cannot infer one format and parses each date alone.
            warnings.simplefilter("ignore", UserWarning)
            dates = pd.to_datetime(
                index.astype(str) if whole else index, format="%Y%m%d" if whole else None
            )
    except (ValueError, TypeError, OverflowError):
        dates = None
    if not isinstance(dates, pd.DatetimeIndex) or index.dtype.kind in "fb":
        raise UserError(
            f"--index {args.index!r} is not a date column: --param window={window} (a time "
            "window) needs dates such as 2024-01-31"
        )
    return df.set_axis(dates.rename(index.name))


def _write(report: pd.DataFrame, args: argparse.Namespace) -> None:
    """The report on stdout, in the --format asked for."""
    report = report.rename_axis(args.index or "row").reset_index()
    if args.format == "csv":
        report.to_csv(sys.stdout, index=False)
    elif args.format == "json":
        report.to_json(sys.stdout, orient="records", date_format="iso", indent=1)
        print()
    else:
        print(f"{len(report)} value(s) flagged by {args.method} in {args.file}")
        if len(report):
            print(report.to_string(index=False))


def _detect(args: argparse.Namespace) -> int:
    params, missing = _request(args)
    df = _time_index(read_table(args.file, args.index, args.sep), args, params.get("window"))
    for column in args.column or []:
        if column not in df.columns:
            raise UserError(f"--column {column!r}: no such column in {args.file}")
    if not args.column and not default_columns(df):
        raise _no_numeric_column(df, args)
    try:
        report = _checks(df).report(args.method, columns=args.column, missing=missing, **params)
    except (TypeError, ValueError, ArithmeticError) as e:
        # Whatever the library refuses (a parameter out of range, too large for its type...).
        raise UserError(str(e)) from None
    if args.plot:
        _save_plot(df, args, params, missing)
    _write(report, args)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="outliers", description="Exact, zero-copy outlier detection."
    )
    parser.add_argument("--version", action="version", version=f"outliers {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run every method on the bundled NOAA data")
    demo.set_defaults(run=_demo)
    det = commands.add_parser(
        "detect",
        help="flag outliers in the numeric columns of a CSV or Parquet file",
        description="Flag outliers in a CSV (or .parquet) file; one row per flagged value.",
    )
    det.add_argument("file", help="the CSV or Parquet file (read, never written)")
    det.add_argument(
        "--column", action="append", help="a column to check (repeatable; default: all numeric)"
    )
    det.add_argument("--method", default="zscore", help=f"one of: {', '.join(methods())}")
    det.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a method parameter, e.g. threshold=3, or a window: window=30D (times from the "
        "--index date column), window=7 (positions), center=false, min_periods=3 (repeatable)",
    )
    det.add_argument(
        "--missing",
        action="append",
        default=[],
        metavar="V",
        help="a value that stands for 'not measured', e.g. -9999 (repeatable)",
    )
    det.add_argument("--index", help="a column to use as the row labels (e.g. a date)")
    det.add_argument(
        "--sep",
        help="the CSV field separator (pandas read_csv's sep; default ','), e.g. ';'",
    )
    det.add_argument("--format", choices=("table", "csv", "json"), default="table")
    det.add_argument("--plot", metavar="OUT.png", help="also draw the checked columns to a file")
    det.set_defaults(run=_detect)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the `outliers` command; return its exit status.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success; 2 after a usage error (one line on stderr: an unreadable file, an unknown
        column or method, a bad parameter); 141 when the reader of standard output went away
        before the report was written (``outliers detect ... | head``), without a traceback.

    Raises
    ------
    SystemExit
        From argparse, for ``--help``, ``--version`` and arguments it cannot parse.

    Examples
    --------
    >>> main(["detect", "no-such-file.csv"])
    2
    """
    args = _parser().parse_args(argv)
    try:
        status = args.run(args)
        sys.stdout.flush()  # a closed pipe shows here rather than at the interpreter's exit
        return status
    except UserError as e:
        print(f"outliers: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # Python's documented idiom: point stdout at /dev/null so that the interpreter's final
        # flush of what is still buffered does not fail again with a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return EXIT_BROKEN_PIPE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
