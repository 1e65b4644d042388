"""Threads: thread count settings, bit-for-bit results for every count, GIL released."""

from __future__ import annotations

import concurrent.futures
import json
import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import outliers as ol


@pytest.fixture
def restore_threads():
    before = ol.get_num_threads()
    yield before
    ol.set_num_threads(before)


def test_threads_default_at_least_one():
    n = ol.get_num_threads()
    assert isinstance(n, int)
    assert n >= 1


def _run(code: str, *args: str, **env_changes) -> str:
    env = dict(os.environ)
    env.pop("OUTLIERS_NUM_THREADS", None)
    env.update(env_changes)
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_threads_default_is_machine_cores():
    out = _run("import outliers as ol; print(ol.get_num_threads())")
    cores = {os.cpu_count()}
    if hasattr(os, "sched_getaffinity"):
        cores.add(len(os.sched_getaffinity(0)))
    assert int(out) in cores


def test_threads_environment_variable():
    assert (
        _run("import outliers as ol; print(ol.get_num_threads())", OUTLIERS_NUM_THREADS="3") == "3"
    )
    assert (
        _run("import outliers as ol; print(ol.get_num_threads())", OUTLIERS_NUM_THREADS="1") == "1"
    )


def test_threads_set_then_get(restore_threads):
    for n in (1, 2, 3, 4, 7):
        ol.set_num_threads(n)
        assert ol.get_num_threads() == n


# ------------------------------------------------------------ identical for every count

# The core cuts a column into blocks of 2**16 values and runs min(threads, blocks // 2) workers
# (cpp/include/outliers/parallel.hpp: block_size, for_each_block): 4 threads need at least 8
# blocks. 2**20 values make 16 blocks (17 with the partial last one), so 2 and 4 threads both
# run; test_threads_workers_really_start proves it for every case.
BLOCK = 1 << 16
N = 16 * BLOCK + 12_345
CASES = [
    ("zscore", {}),
    ("zscore", {"ddof": 1, "threshold": 2.0}),
    ("mad", {}),
    ("iqr", {}),
    ("quantile", {}),
    ("hampel", {"window": 7}),
    ("hampel", {"window": 51}),
    ("esd", {}),
]


@pytest.fixture(scope="module")
def sprinkled():
    rng = np.random.default_rng(2024)
    x = rng.standard_normal(N) * 3.0 + 10.0
    x += np.sin(np.arange(N) / 500.0) * 5.0
    x[rng.integers(0, N, 3000)] = np.nan
    x[rng.integers(0, N, 300)] = np.inf
    x[rng.integers(0, N, 300)] = -np.inf
    x[rng.integers(0, N, 500)] += rng.normal(0, 40, 500)
    x[1000:1100] = 7.0  # a constant stretch: zero MAD windows
    return x


@pytest.fixture(scope="module")
def sprinkled_file(sprinkled, tmp_path_factory):
    path = tmp_path_factory.mktemp("threads") / "sprinkled.npy"
    np.save(path, sprinkled)
    return path


def _bits(a) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(a, dtype=np.float64)).view(np.uint64)


def _results(x, method, params):
    pos = ol.detect(x, method, **params)
    mask = ol.mask(x, method, **params)
    scores = ol.scores(x, method, **params)
    lo, hi = ol.bounds(x, method, **params)
    return pos, mask, _bits(scores), _bits(lo), _bits(hi)


@pytest.mark.parametrize("method,params", CASES, ids=[f"{m}-{p}" for m, p in CASES])
@pytest.mark.parametrize("layout", ["contiguous", "reversed"])
def test_threads_bit_identical_results(sprinkled, method, params, layout, restore_threads):
    x = sprinkled if layout == "contiguous" else sprinkled[::-1]
    results = {}
    for n in (1, 2, 4):
        ol.set_num_threads(n)
        results[n] = _results(x, method, params)
    names = ("positions", "mask", "scores", "lower", "upper")
    for n in (2, 4):
        for name, a, b in zip(names, results[1], results[n], strict=True):
            assert np.array_equal(a, b), (
                f"{method} {params} {layout}: {name} differ between 1 and {n} threads"
            )
    pos, mask = results[1][0], results[1][1]
    assert pos.size > 0
    np.testing.assert_array_equal(np.flatnonzero(mask), pos)


# Run in a fresh process, whose worker pool starts empty: the pool starts the helper threads a
# loop asks for (threads - 1), keeps them, and runs the loop on them and the caller. The threads
# the process gains during a call are the helpers that call's loops asked for; each helper's
# time on a CPU comes from /proc/self/task/<tid>/schedstat (nanoseconds).
WORKERS_PROBE = """
import json, os, sys
import numpy as np
import outliers as ol

def tasks():
    return set(os.listdir("/proc/self/task"))

def on_cpu(tid):
    with open(f"/proc/self/task/{tid}/schedstat") as f:
        return int(f.read().split()[0])

x = np.load(sys.argv[1])
method, params = json.loads(sys.argv[2])
ol.set_num_threads(1)
ol.mask(x, method, **params)  # one thread: no pool, no helper
before, main = tasks(), str(os.getpid())
out = {}
for n in (2, 4):
    ol.set_num_threads(n)
    start = {t: on_cpu(t) for t in tasks()}
    for verb in (ol.detect, ol.mask, ol.scores, ol.bounds):
        verb(x, method, **params)
    helpers = tasks() - before
    spent = {t: on_cpu(t) - start.get(t, 0) for t in helpers | {main}}
    out[n] = [len(helpers), sum(spent[t] for t in helpers), spent[main]]
print(json.dumps(out))
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="needs Linux's /proc")
@pytest.mark.parametrize("method,params", CASES, ids=[f"{m}-{p}" for m, p in CASES])
def test_threads_workers_really_start(sprinkled_file, method, params):
    """With 2 and 4 threads set, this size makes the core start 1 and 3 helper threads: the
    thread counts of the bit-for-bit tests above are real ones."""
    out = json.loads(_run(WORKERS_PROBE, str(sprinkled_file), json.dumps([method, params])))
    (helpers_2, _, _), (helpers_4, helper_ns, main_ns) = out["2"], out["4"]
    assert (helpers_2, helpers_4) == (1, 3), f"{method} {params}: helper threads {out}"
    # A helper that wakes after the caller has taken every block finds nothing to do: a fast
    # call on a busy machine can end before one runs. Over hampel's ~0.4 s they take a share.
    if method == "hampel" and params["window"] == 51:
        assert helper_ns > 0.2 * main_ns, f"helpers {helper_ns} ns, caller {main_ns} ns"


def test_threads_bit_identical_float32_and_int(sprinkled, restore_threads):
    f32 = sprinkled.astype(np.float32)
    i32 = np.nan_to_num(sprinkled, nan=0.0, posinf=1e6, neginf=-1e6).astype(np.int32)
    for x in (f32, i32, f32[::3]):
        for method, params in CASES:
            ol.set_num_threads(1)
            one = _results(x, method, params)
            ol.set_num_threads(4)
            four = _results(x, method, params)
            for a, b in zip(one, four, strict=True):
                assert np.array_equal(a, b), (x.dtype, method, params)


def test_threads_python_threads_calling_at_once(sprinkled, restore_threads):
    """One call's loops run on the core's worker pool, the others' on threads of their own."""
    ol.set_num_threads(1)
    want = {m: ol.mask(sprinkled, m) for m in ("zscore", "mad", "hampel", "esd")}
    ol.set_num_threads(3)

    def calls(k: int) -> bool:
        method = list(want)[k % len(want)]
        return all(np.array_equal(ol.mask(sprinkled, method), want[method]) for _ in range(5))

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        assert all(pool.map(calls, range(16)))


def test_threads_child_process_after_fork():
    """A forked child inherits the worker pool but not its threads: its calls must not wait."""
    code = """
import os, numpy as np, outliers as ol
x = np.random.default_rng(1).standard_normal(1_000_000)
x[::997] = 40.0
ol.set_num_threads(2)
want = ol.mask(x)  # the parent's pool has a thread from here on
want_esd = ol.mask(x, "esd")
pid = os.fork()
if pid == 0:
    same = np.array_equal(ol.mask(x), want) and np.array_equal(ol.mask(x, "esd"), want_esd)
    os._exit(0 if same else 3)
_, status = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(status), np.array_equal(ol.mask(x), want))
"""
    if not hasattr(os, "fork"):
        pytest.skip("no fork() here")
    assert _run(code) == "0 True"


# ------------------------------------------------------------ the GIL


def test_threads_builtin_kernel_releases_gil(restore_threads):
    ol.set_num_threads(1)  # leave a core for the counting thread
    rng = np.random.default_rng(8)
    x = rng.standard_normal(2_000_000)
    x[::1000] = 30.0
    ol.mask(x[:1000], "hampel", window=101)  # warm up

    counter = [0]
    stop = threading.Event()

    def spin():
        c = 0
        while not stop.is_set():
            c += 1
            counter[0] = c

    t = threading.Thread(target=spin, daemon=True)
    t.start()
    try:
        time.sleep(0.05)
        c0, t0 = counter[0], time.perf_counter()
        time.sleep(0.3)
        rate = (counter[0] - c0) / (time.perf_counter() - t0)  # increments per second, GIL free

        c1, t1 = counter[0], time.perf_counter()
        m = ol.mask(x, "hampel", window=101)
        elapsed = time.perf_counter() - t1
        advance = counter[0] - c1
    finally:
        stop.set()
        t.join()
    assert m.shape == x.shape and m[::1000].all()
    assert rate > 0
    assert elapsed > 0.02, f"the call took only {elapsed * 1000:.1f} ms: too short to judge"
    expected = rate * elapsed
    assert advance > 0.25 * expected, (
        f"counter advanced {advance} during a {elapsed:.3f} s call, "
        f"{advance / expected:.1%} of the "
        f"{expected:.0f} expected with the GIL free"
    )


@pytest.mark.parametrize("value", ["abc", "0", "-3", "1.5", "99999999999999999999", ""])
def test_threads_bad_environment_variable_does_not_break_import(value):
    """A bad OUTLIERS_NUM_THREADS is ignored or reported by name, not an obscure import error."""
    env = dict(os.environ)
    env["OUTLIERS_NUM_THREADS"] = value
    code = (
        "import outliers as ol, numpy as np; print(ol.get_num_threads()); "
        "print(ol.detect(np.r_[np.zeros(50), 9.0]))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    if proc.returncode == 0:
        lines = proc.stdout.split("\n")
        assert int(lines[0]) >= 1
        assert lines[1] == "[50]"
    else:
        assert "OUTLIERS_NUM_THREADS" in proc.stderr, proc.stderr[-2000:]
