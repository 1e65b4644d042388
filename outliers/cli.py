"""The `outliers` command line: `outliers demo` runs every method on the bundled NOAA data."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from . import __version__
from ._api import detect, methods
from .datasets import load_weather


def demo_table() -> pd.DataFrame:
    """How many values each built-in method flags in each numeric NOAA column (defaults)."""
    df = load_weather()
    numeric = df.select_dtypes("number")
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="outliers", description=__doc__)
    parser.add_argument("--version", action="version", version=f"outliers {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run every method on the bundled NOAA data")
    demo.set_defaults(run=_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `outliers` command."""
    args = _parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
