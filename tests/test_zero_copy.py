"""The no-copy promise: peaks of memory during calls, and the custom function's view.

tracemalloc sees what Python and numpy allocate, not what the C++ core does; the peak resident
memory of a fresh process (VmHWM) sees both.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tracemalloc

import numpy as np
import pandas as pd
import pytest

import outliers as ol

MiB = 1 << 20
N = 10**7


def traced_peak(func, *args, **kwargs):
    """Peak bytes allocated through the tracked allocators while func runs, and its result."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = func(*args, **kwargs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, result


@pytest.fixture(scope="module")
def big():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(2 * N)
    x[::1000] = np.nan
    x[12345] = 80.0
    return x


def _warm_up(x):
    ol.mask(x[:1000], "zscore")
    ol.mask(x[:2000:2], "zscore")
    ol.mask(x[1000::-1], "zscore")


@pytest.mark.parametrize("method", ["zscore", "mad", "iqr", "quantile", "hampel", "esd"])
def test_zero_copy_mask_contiguous_peak(big, method):
    x = big[:N]
    assert x.flags.c_contiguous
    _warm_up(big)
    ol.mask(x[:1000], method)
    peak, m = traced_peak(ol.mask, x, method)
    assert m.dtype == np.bool_ and m.shape == (N,)
    assert m[12345]
    assert peak < N + MiB, (
        f"peak {peak / MiB:.1f} MiB during ol.mask(x, {method!r}) of {N} contiguous float64"
    )


def test_zero_copy_mask_strided_peak(big):
    x = big[::2]
    assert x.size == N and not x.flags.c_contiguous
    _warm_up(big)
    peak, m = traced_peak(ol.mask, x, "zscore")
    assert m.shape == (N,)
    assert peak < N + MiB, f"peak {peak / MiB:.1f} MiB during ol.mask of a [::2] view"


def test_zero_copy_mask_reversed_peak(big):
    x = big[:N][::-1]
    assert x.strides == (-8,)
    _warm_up(big)
    peak, m = traced_peak(ol.mask, x, "zscore")
    assert m.shape == (N,)
    assert m[N - 1 - 12345]
    assert peak < N + MiB, f"peak {peak / MiB:.1f} MiB during ol.mask of a reversed view"


def test_zero_copy_mask_read_only_peak(big):
    x = big[:N].view()
    x.setflags(write=False)
    _warm_up(big)
    peak, m = traced_peak(ol.mask, x, "zscore")
    assert peak < N + MiB, f"peak {peak / MiB:.1f} MiB during ol.mask of a read-only array"


def test_zero_copy_custom_function_peak(big):
    x = big[:N]

    def nothing(values):
        return []

    d = ol.Detector(nothing)
    d.detect(x[:10])
    peak, pos = traced_peak(d.detect, x)
    assert pos.size == 0
    assert peak < MiB, f"peak {peak / MiB:.1f} MiB handing {N} float64 to a custom function"


# ------------------------------------------------------------ peak resident memory, C++ included

# Run in a fresh process. Each call's peak is VmHWM after the kernel's peak counter is reset
# (writing 5 to /proc/self/clear_refs) minus VmRSS before the call. glibc's malloc serves blocks
# over MALLOC_MMAP_THRESHOLD_ bytes with their own mappings, returned on free: set low, freed
# memory cannot stay resident and hide a copy that reuses it.
RSS_PROBE = """
import json
import numpy as np
import pandas as pd
import tracemalloc
import outliers as ol

N = 10**7

def kib(key):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(key + ":"))

def peak(func, *args, **kwargs):
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = kib("VmRSS")
    tracemalloc.start()
    func(*args, **kwargs)
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return (kib("VmHWM") - before) * 1024, traced

base = np.random.default_rng(0).standard_normal(2 * N)
base[::1000] = np.nan
missing = np.zeros(N, dtype=bool)
missing[::999] = True
data = {
    "contiguous": base[:N],
    "strided": base[::2],
    "masked Float64 Series": pd.Series(pd.arrays.FloatingArray(base[N:], missing)),
}
methods = list(ol.methods())
for x in data.values():  # code paths and worker threads ready before measuring
    for method in methods:
        ol.mask(x[:3000], method)
peaks = {label: {m: peak(ol.mask, x, m)[0] for m in methods} for label, x in data.items()}
# Checks of the instrument: a copy is seen, and so is memory the C++ core allocates (a hampel
# window spanning 10**6 values primes a ranked window of 28 bytes per value), which tracemalloc
# does not see.
copy = peak(lambda: ol.mask(np.ascontiguousarray(data["strided"]), "zscore"))[0]
core, traced = peak(ol.mask, base[: N // 10], "hampel", window=N // 5 + 1)
print(json.dumps({"peaks": peaks, "copy": copy, "core": core, "core_traced": traced}))
"""


@pytest.mark.skipif(
    not os.path.exists("/proc/self/clear_refs"), reason="needs Linux's /proc peak counters"
)
@pytest.mark.skipif(
    "libasan" in os.environ.get("LD_PRELOAD", ""),
    reason="AddressSanitizer keeps freed memory resident (its quarantine): peaks say nothing",
)
def test_zero_copy_peak_resident_memory_sees_the_core():
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="65536")
    proc = subprocess.run(
        [sys.executable, "-c", RSS_PROBE], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    one_copy = 8 * N  # 80 MB: one float64 copy of the data
    mask = N  # the bool result itself
    assert out["copy"] > one_copy, out["copy"]  # the probe sees a copy...
    assert out["core"] > 2 * mask and out["core_traced"] < mask, out  # ... and C++ memory
    too_much = {
        f"{label} {method}": f"{extra / MiB:.1f} MiB"
        for label, peaks in out["peaks"].items()
        for method, extra in peaks.items()
        if extra > mask + one_copy // 8
    }
    assert not too_much, (
        f"peaks beyond the result + 10 MB during ol.mask of {N} values: {too_much}"
    )


# ------------------------------------------------------------ the custom function's view


def make_probe():
    seen: dict = {}

    def probe(values):
        seen["values"] = values
        seen["type"] = type(values)
        seen["ndim"] = values.ndim
        seen["dtype"] = values.dtype
        seen["writeable"] = values.flags.writeable
        seen["copy"] = np.array(values, copy=True)
        try:
            values[0] = values[0]
        except ValueError:
            seen["write_raised"] = True
        else:
            seen["write_raised"] = False
        return []

    return probe, seen


def _layouts():
    rng = np.random.default_rng(3)
    f = rng.standard_normal(1001)
    yield "contiguous", f.copy()
    yield "strided[::2]", f.copy()[::2]
    yield "strided[::7]", f.copy()[::7]
    yield "reversed", f.copy()[::-1]
    yield "reversed[::-3]", f.copy()[::-3]
    ro = f.copy()
    ro.setflags(write=False)
    yield "read-only", ro
    b = np.ascontiguousarray(f[:999].reshape(333, 3))
    yield "2-D column", b[:, 1]
    yield "float32", f.astype(np.float32)
    yield "int32", (f * 100).astype(np.int32)
    yield "uint8", (f * 10 + 100).astype(np.uint8)
    yield "int64[::-2]", (f * 100).astype(np.int64)[::-2]


LAYOUTS = list(_layouts())


@pytest.mark.parametrize("label,x", LAYOUTS, ids=[c[0] for c in LAYOUTS])
def test_zero_copy_custom_function_gets_read_only_view(label, x):
    probe, seen = make_probe()
    before = x.tobytes()
    pos = ol.Detector(probe).detect(x)
    assert pos.size == 0
    values = seen["values"]
    assert issubclass(seen["type"], np.ndarray), label
    assert seen["ndim"] == 1, label
    assert seen["dtype"] == x.dtype, (label, seen["dtype"])  # the function sees the caller's dtype
    assert np.shares_memory(values, x), label
    assert not seen["writeable"], label
    assert seen["write_raised"], f"{label}: writing into the view did not raise ValueError"
    np.testing.assert_array_equal(seen["copy"], x, err_msg=label)
    assert x.tobytes() == before, label


def test_zero_copy_custom_function_int32_view_dtype():
    x = np.arange(-500, 500, dtype=np.int32)
    x[10] = 1_000_000
    probe, seen = make_probe()
    ol.Detector(probe).detect(x)
    assert seen["dtype"] == np.dtype(np.int32)
    assert np.shares_memory(seen["values"], x)


@pytest.mark.parametrize("dtype", [">f8", ">i4", ">f4", ">u2"])
def test_zero_copy_custom_function_big_endian_gets_native_copy(dtype):
    x = np.arange(200).astype(dtype)
    x[::-1] = x.copy()
    probe, seen = make_probe()
    ol.Detector(probe).detect(x)
    assert seen["dtype"].isnative, seen["dtype"]
    assert seen["dtype"].kind == np.dtype(dtype).kind
    np.testing.assert_array_equal(seen["copy"], x)
    assert not seen["writeable"]
    assert seen["write_raised"]


def test_zero_copy_custom_function_view_write_does_not_reach_caller():
    x = np.arange(50, dtype=np.float64)[::-1].copy()

    def vandal(values):
        try:
            values[:] = -1.0
        except ValueError:
            pass
        try:
            values.sort()
        except ValueError:
            pass
        return []

    ol.Detector(vandal).detect(x)
    np.testing.assert_array_equal(x, np.arange(50, dtype=np.float64)[::-1])


def test_zero_copy_custom_function_view_of_list_is_read_only():
    probe, seen = make_probe()
    ol.Detector(probe).detect([1.0, 2.0, 3.0, 50.0])
    assert not seen["writeable"]
    assert seen["write_raised"]
    np.testing.assert_array_equal(seen["copy"], [1.0, 2.0, 3.0, 50.0])


def _vandal(seen: dict):
    """A function that tries every way back to writable memory through its view."""

    def vandal(values):
        seen["shares"] = np.shares_memory(values, seen["caller"])
        refused = []
        for v in (values, values[::1], values.view()):
            try:
                v.setflags(write=True)
            except ValueError:
                refused.append(True)
            else:
                refused.append(False)
                v[...] = -7
        seen["refused"] = refused
        # Every array on the .base chain: none may be the caller's, none may be writable.
        chain, b = [], values.base
        while b is not None:
            chain.append(b)
            b = getattr(b, "base", None)
        seen["reachable"] = [b for b in chain if isinstance(b, np.ndarray)]
        for b in seen["reachable"]:
            try:
                b.setflags(write=True)
                b[...] = -7
            except ValueError:
                pass
        return []

    return vandal


def _writable_inputs():
    for label, x in LAYOUTS:
        if x.flags.writeable:
            yield label, x, x
    s = pd.Series(np.arange(40.0), index=np.arange(40) * 3, name="s")
    yield "Series", s, s.to_numpy()
    frame = pd.DataFrame(np.arange(60.0).reshape(20, 3))
    yield "frame column", frame[1], frame[1].to_numpy()
    t = pd.Series(pd.date_range("2024-01-01", periods=30, freq="h"))
    yield "datetime Series", t, t.to_numpy()


WRITABLE = list(_writable_inputs())


@pytest.mark.parametrize("label,data,memory", WRITABLE, ids=[c[0] for c in WRITABLE])
@pytest.mark.parametrize("verb", ["detect", "mask"])
def test_zero_copy_custom_function_view_cannot_be_made_writable(label, data, memory, verb):
    # v.setflags(write=True) used to succeed: v.base was the caller's array.
    before = memory.copy()
    seen: dict = {"caller": memory}
    getattr(ol.Detector(_vandal(seen)), verb)(data)
    assert seen["shares"], f"{label}: the view is not the caller's memory (a copy)"
    assert seen["refused"] == [True, True, True], label
    assert not any(b is memory or np.shares_memory(b, memory) for b in seen["reachable"]), label
    np.testing.assert_array_equal(memory, before, err_msg=label)
    if isinstance(data, pd.Series):
        np.testing.assert_array_equal(data.to_numpy(), before, err_msg=label)
