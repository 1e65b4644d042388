"""What the benchmark scripts record about the machine and measure of their own process.

Shared by bench_methods.py and bench_dask.py (Linux /proc files; None where unavailable).
"""

from __future__ import annotations

import importlib.metadata
import platform
import resource
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent


def git(*args: str) -> str | None:
    """`git args...` in this folder's checkout: its stdout, or None if git fails."""
    try:
        p = subprocess.run(["git", *args], capture_output=True, text=True, cwd=HERE, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return p.stdout.strip() if p.returncode == 0 else None


def versions(names) -> dict[str, str | None]:
    """The installed version of each package, by the name it is imported (or distributed) as.

    An import name is looked up through the distribution that provides it: `outliers` is
    distributed as outliers-toolkit. None if it is not installed.
    """
    provided = importlib.metadata.packages_distributions()
    out = {}
    for name in names:
        dist = provided.get(name, [name])[0]
        try:
            out[name] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[name] = None
    return out


def cpu() -> dict:
    """The CPU model and the vector flags the kernels choose between."""
    info = {"model": platform.processor() or None, "flags": []}
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return info
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name" and info["model"] in (None, "", platform.machine()):
            info["model"] = value.strip()
        if key.strip() == "flags":
            flags = set(value.split())
            info["flags"] = sorted(flags & {"avx2", "avx512f", "avx512bw", "avx512vl", "fma"})
            break
    return info


def memory_total() -> int | None:
    """The machine's memory in bytes."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def status_kib(field: str) -> int | None:
    """A KiB figure of /proc/self/status: "VmRSS" (now) or "VmHWM" (the high-water mark)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def reset_rss_peak() -> bool:
    """Lower this process's RSS high-water mark to its current RSS (Linux >= 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss_kib() -> int:
    """This process's RSS high-water mark (getrusage), KiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
