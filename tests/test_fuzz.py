# ruff: noqa: E501 - the fuzz program is one string run in a subprocess
"""Nothing crashes the interpreter, whatever the input (SPEC §5 Errors).

A seeded loop in a subprocess throws odd inputs and parameters at every verb and method; Python
exceptions are fine, a segfault or abort is not.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

FUZZ = textwrap.dedent(
    r"""
    import array, faulthandler, math, random, sys, time, warnings
    faulthandler.enable()
    warnings.simplefilter("ignore")
    import numpy as np
    import outliers as ol

    SEED = int(sys.argv[1])
    BUDGET = float(sys.argv[2])
    rng = random.Random(SEED)
    nrng = np.random.default_rng(SEED)

    DTYPES = [
        "?", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8", "g",
        "c8", "c16", "G", "O", "U3", "S3", "V8",
        np.dtype([("a", "f8"), ("b", "i4")]),
        "M8", "M8[Y]", "M8[D]", "M8[s]", "M8[ms]", "M8[us]", "M8[ns]",
        "m8", "m8[W]", "m8[s]", "m8[us]", "m8[ns]",
    ]
    OBJECTS = [None, 1, -1, 2.5, float("nan"), float("inf"), "a", b"b", [], (), {}, 1j, object(), 10**30, True]
    METHODS = ["zscore", "mad", "iqr", "quantile", "hampel", "esd"]
    BAD_METHODS = ["", "ZSCORE", None, 3, "nope", "zscore ", "no_such_module_fuzz:f", ["zscore"], b"zscore", 1.5]
    PARAM_NAMES = ["threshold", "ddof", "window", "k", "low", "high", "alpha", "max_outliers", "foo", "method", "data"]
    VALUES = [
        None, "x", "3", "", -1, 0, 1, 2, 3, 5, 7, 9, 51, 0.5, 0.01, 0.99, -0.5, 1.5,
        float("nan"), float("inf"), -float("inf"), 1e308, -1e308, 5e-324,
        10**18 + 1, -(10**18) - 1, 2**63 - 1, -(2**63), 2**63, 2**64 + 1, 10**100,
        [1, 2], [3], (), {}, np.float32(2), np.float16(3), np.int64(5), np.uint64(2**64 - 1),
        True, False, np.array([3.0]), np.array(3), np.array([[5]]), 1j, object(),
        np.datetime64("NaT"), np.timedelta64(3, "s"),
    ]

    def random_base(dtype, n):
        dt = np.dtype(dtype)
        if dt.kind == "O":
            x = np.empty(n, dtype=object)
            for j in range(n):
                x[j] = rng.choice(OBJECTS)
            return x
        if dt.kind == "U":
            return np.array(["".join(rng.choice("ab1.-") for _ in range(rng.randint(0, 3))) for _ in range(n)], dtype=dt)
        if dt.kind == "f" and rng.random() < 0.6:
            x = nrng.standard_normal(n).astype(dt)
            if n:
                for v in (np.nan, np.inf, -np.inf, 1e30, 0.0):
                    if rng.random() < 0.3:
                        x[rng.randrange(n)] = v
            return x
        if dt.kind in "iu" and rng.random() < 0.4:
            info = np.iinfo(dt)
            x = np.array([rng.choice([info.min, info.max, 0, 1, rng.randint(int(info.min), int(info.max))]) for _ in range(n)], dtype=dt)
            return x
        raw = nrng.integers(0, 256, n * dt.itemsize, dtype=np.uint8).tobytes()
        if dt.itemsize == 0:
            return np.zeros(n, dtype=dt)
        return np.frombuffer(raw, dtype=dt).copy()

    def random_array():
        dtype = rng.choice(DTYPES)
        ndim = rng.choice([0, 1, 1, 1, 1, 1, 2, 3])
        if ndim == 0:
            shape = ()
        else:
            shape = tuple(rng.randint(0, 50 if ndim == 1 else 6) for _ in range(ndim))
        size = int(np.prod(shape)) if shape else 1
        step = 1
        if ndim >= 1 and rng.random() < 0.4:
            step = rng.choice([2, 3, -1, -2, -5, 7])
        base_n = size * abs(step)
        x = random_base(dtype, max(base_n, 1))[:base_n] if base_n else random_base(dtype, 0)
        if ndim == 0:
            x = x[:1].reshape(()) if x.size else random_base(dtype, 1).reshape(())
        else:
            if abs(step) > 1 or step < 0:
                x = x.reshape((abs(step) * shape[0],) + shape[1:]) if shape[0] else x.reshape((0,) + shape[1:])
                x = x[:: step]
            else:
                x = x.reshape(shape)
        if rng.random() < 0.3 and x.dtype.byteorder in "<=" and x.dtype.kind not in "OUSV":
            x = x.astype(x.dtype.newbyteorder(">"))
        if rng.random() < 0.3:
            x.setflags(write=False)
        if ndim == 2 and rng.random() < 0.5 and x.shape[1] > 1:
            x = x[:, 1]
        return x

    def random_data():
        r = rng.random()
        if r < 0.75:
            return random_array()
        if r < 0.80:
            return [rng.choice(OBJECTS + [1.0, 2.0, 3.0]) for _ in range(rng.randint(0, 20))]
        if r < 0.84:
            return tuple(rng.uniform(-5, 5) for _ in range(rng.randint(0, 20)))
        if r < 0.87:
            return array.array(rng.choice("bBhHiIlLqQfd"), [rng.randint(0, 100) for _ in range(rng.randint(0, 20))])
        if r < 0.90:
            a = random_array()
            try:
                return memoryview(a)
            except Exception:
                return a
        if r < 0.95:
            try:
                import pandas as pd
                kind = rng.choice(["float", "Int64", "Float64", "category", "object", "dt", "bool", "string"])
                n = rng.randint(0, 30)
                vals = nrng.standard_normal(n) * 10
                if kind == "float":
                    return pd.Series(vals)
                if kind == "Int64":
                    s = pd.Series(vals.round().astype("int64"), dtype="Int64")
                    if n:
                        s.iloc[rng.randrange(n)] = pd.NA
                    return s
                if kind == "Float64":
                    s = pd.Series(vals, dtype="Float64")
                    if n:
                        s.iloc[rng.randrange(n)] = pd.NA
                    return s
                if kind == "category":
                    return pd.Series(vals.round(), dtype="category")
                if kind == "object":
                    return pd.Series([rng.choice(OBJECTS) for _ in range(n)], dtype=object)
                if kind == "dt":
                    return pd.Series(pd.date_range("2000-01-01", periods=n, freq="D"))
                if kind == "bool":
                    return pd.Series(vals > 0)
                return pd.Series([str(v) for v in vals], dtype="string")
            except ImportError:
                return None
        return rng.choice([None, "abc", 3, 2.5, {}, {"a": 1}, b"\x00\x01", iter([1.0, 2.0]), object(), [[1.0, 2.0], [3.0]]])

    OWN = {
        "zscore": ["threshold", "ddof"], "mad": ["threshold"], "iqr": ["k"], "quantile": ["low", "high"],
        "hampel": ["window", "threshold"], "esd": ["max_outliers", "alpha"],
    }
    GOOD = {
        "threshold": [0.5, 1.0, 2.0, 3.0, 1e-300, 1e300], "ddof": [0, 1, 2, 49, 50, 1000], "k": [0, 0.5, 1.5, 1e300],
        "low": [0.0, 0.1, 0.25], "high": [0.5, 0.9, 1.0], "window": [3, 5, 7, 49, 51, 101, 10001],
        "max_outliers": [1, 2, 10, 48, 49, 50, 1000], "alpha": [1e-300, 0.05, 0.5, 0.999999],
    }

    def random_params(method=None):
        params = {}
        own = OWN.get(method, []) if isinstance(method, str) else []
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
            r = rng.random()
            if own and r < 0.75:
                name = rng.choice(own)
                params[name] = rng.choice(GOOD[name]) if rng.random() < 0.6 else rng.choice(VALUES)
            elif r < 0.97:
                params[rng.choice(PARAM_NAMES[:-2] + ["foo"])] = rng.choice(VALUES)
            else:
                params[rng.choice(PARAM_NAMES)] = rng.choice(VALUES)
        return params

    def random_method():
        return rng.choice(METHODS) if rng.random() < 0.85 else rng.choice(BAD_METHODS)

    def garbage_result(values):
        n = len(values) if hasattr(values, "__len__") else 0
        choices = [
            None, 1.5, [1.5], [0.0], np.array([[1, 2]]), np.array([2**63], dtype=np.uint64),
            np.array([2**64 - 1], dtype=np.uint64), [-1], [n], [10**30], "abc", object(),
            np.ones(n, dtype=bool), np.ones(n + 1, dtype=bool), np.ones(max(n - 1, 0), dtype=bool),
            [[0]], np.float16(1), np.array(["1"]), np.array([np.datetime64("NaT")]),
            list(range(n)), list(range(n))[::-1] * 2, np.arange(n, dtype=np.int8),
            np.array([0], dtype=object), [True, 2], np.zeros((n, 2), dtype=bool), (i for i in range(2)),
            np.array([np.nan]), np.empty(0), [], np.array(5), memoryview(b"ab"),
        ]
        return rng.choice(choices)

    def custom(values, **kwargs):
        if rng.random() < 0.1:
            raise KeyError("from the custom function")
        if rng.random() < 0.05:
            return custom  # a function object
        return garbage_result(values)

    def attempt(fn, *args, **kwargs):
        try:
            fn(*args, **kwargs)
        except Exception:
            pass

    start = time.perf_counter()
    i = 0
    while i < 30000 and time.perf_counter() - start < BUDGET:
        data = random_data()
        desc = f"{type(data).__name__} " + (f"{data.dtype} {data.shape} {data.strides}" if isinstance(data, np.ndarray) else "")
        method = random_method()
        params = random_params(method)
        print(i, desc, repr(method), {k: type(v).__name__ for k, v in params.items()}, flush=True)
        for verb in (ol.detect, ol.mask, ol.scores, ol.bounds):
            attempt(verb, data, method, **params)
        for m in METHODS:
            attempt(rng.choice([ol.detect, ol.mask, ol.scores, ol.bounds]), data, m, **random_params(m))
        if rng.random() < 0.3:
            try:
                d = ol.Detector(method, **params)
                attempt(d.detect, data)
                attempt(d.bounds, data)
                if rng.random() < 0.5:
                    attempt(d.close)
                    attempt(d.scores, data)
            except Exception:
                pass
        if rng.random() < 0.4:
            try:
                with ol.Detector(custom, **(params if rng.random() < 0.3 else {})) as d:
                    attempt(d.detect, data)
                    attempt(d.mask, data)
                    attempt(d.scores, data)
            except Exception:
                pass
        if rng.random() < 0.05:
            attempt(ol.Detector, rng.choice([None, 5, 1.5, "", ":", "a:", ":b", "math:", "math:nope", "no_such_mod_fz:x", object(), [custom]]))
        if rng.random() < 0.03:
            attempt(ol.Detector.load, rng.choice(["", "math", "no_such_mod_fz", None, 3]), rng.choice(["", "sqrt", None, 5]))
        if rng.random() < 0.02:
            attempt(ol.set_num_threads, rng.choice([0, -1, -(2**63), 2**64, 10**30, 1.5, float("nan"), "2", None, [2]]))
            ol.set_num_threads(2)
        i += 1

    # The library still works afterwards.
    x = np.zeros(100)
    x[::2] = 1.0
    x[50] = 1000.0
    assert ol.detect(x, "zscore").tolist() == [50], ol.detect(x, "zscore")
    assert ol.Detector(lambda v: [3, 1]).detect(x).tolist() == [1, 3]
    print("FUZZ-DONE", i, "cases", flush=True)
    """
)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fuzz_nothing_crashes(seed):
    proc = subprocess.run(
        [sys.executable, "-c", FUZZ, str(seed), "12"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    tail = "\n".join(proc.stdout.splitlines()[-15:])
    assert proc.returncode == 0, (
        f"fuzz subprocess (seed {seed}) exited with {proc.returncode}\n"
        f"--- last cases ---\n{tail}\n--- stderr ---\n{proc.stderr[-5000:]}"
    )
    assert "FUZZ-DONE" in proc.stdout
    done = int(proc.stdout.split("FUZZ-DONE")[1].split()[0])
    assert done >= 300, f"only {done} cases ran"
