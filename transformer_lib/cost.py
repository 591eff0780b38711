"""Measuring what attention costs: peak memory, time, log-log slopes, and the structural columns of
the paper's Table 1 (chapter "The cost of attention").

Vaswani et al. 2017, Table 1, compares layer types by three numbers: the work per layer
(self-attention O(n^2 d), recurrent O(n d^2), convolutional O(k n d^2), restricted self-attention
O(r n d)), the *sequential operations* (how many steps must run one after another: O(n) for a
recurrent layer, O(1) for the others) and the *maximum path length* between any input and output
position (O(1) for self-attention, O(n) recurrent, O(n/k) contiguous convolution, O(n/r)
restricted). The first is measured here (time, peak memory, and the slope of their log-log plot
against n); the other two are computed from each layer's connection pattern, not copied from the
table. The memory tools also show what FlashAttention (Dao et al. 2022) saves: see
:func:`transformer_lib.ref.flash_attention`.
"""

from __future__ import annotations

import datetime
import math
import os
import platform
import time
import tracemalloc

import numpy as np

from transformer_lib.ref.masks import sliding_window_mask


def numpy_peak_bytes(fn, *args, **kwargs):
    """Run ``fn(*args, **kwargs)`` and return ``(result, peak)``: the most bytes Python/NumPy held at
    once during the call, above what was held before it (``tracemalloc``; NumPy reports its arrays
    to it). Torch tensors are not seen: use :func:`torch_peak_bytes` for those."""
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        result = fn(*args, **kwargs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if started:
            tracemalloc.stop()
    return result, max(peak - before, 0)


def torch_peak_bytes(fn, *args, **kwargs):
    """Run ``fn(*args, **kwargs)`` under ``torch.profiler`` with memory profiling and return
    ``(result, peak)``: the largest sum of CPU tensor bytes allocated and not yet freed during the
    call (from the profiler's allocation and free events, in time order). Memory held before the
    call (weights, inputs) is not counted; the result is, if it is new."""
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        result = fn(*args, **kwargs)
    events = sorted((e.start_ns(), e.nbytes()) for e in prof.profiler.kineto_results.events() if e.name() == "[memory]")
    held = peak = 0
    for _, nbytes in events:  # + for an allocation, - for a free
        held += nbytes
        peak = max(peak, held)
    return result, peak


def fastest_cpu_seconds(cells: dict, rounds: int = 5, progress=None) -> dict:
    """The fastest of ``rounds`` timings of each zero-argument function in ``cells``, in this
    process's CPU seconds, measured in interleaved rounds (one call of every cell per round, after
    one untimed warm-up round).

    Why CPU time and rounds: on a shared machine the wall clock of a long call includes the time
    other processes held the core, which grows with the call's length and would bend a log-log
    slope; and a burst of load then spoils one round of many cells, not every repeat of one cell.
    ``progress``, if given, is called once per call (e.g. a tqdm bar's ``update``).
    """
    if isinstance(rounds, bool) or int(rounds) != rounds or rounds < 1:
        raise ValueError(f"fastest_cpu_seconds needs rounds >= 1, got {rounds!r}")
    best = {name: math.inf for name in cells}
    for round_ in range(int(rounds) + 1):  # round 0 warms up and is not kept
        for name, fn in cells.items():
            t0 = time.process_time()
            fn()
            if round_:
                best[name] = min(best[name], time.process_time() - t0)
            if progress is not None:
                progress()
    return best


def log_log_slope(ns, ys) -> float:
    """The slope of the least-squares line through (log n, log y): the exponent p in y ~ c n^p."""
    ns, ys = np.asarray(ns, dtype=float), np.asarray(ys, dtype=float)
    if ns.shape != ys.shape or ns.ndim != 1 or ns.size < 2:
        raise ValueError(f"log_log_slope needs two 1-D arrays of the same length >= 2, got shapes {ns.shape} and {ys.shape}")
    if np.any(ns <= 0) or np.any(ys <= 0):
        raise ValueError("log_log_slope needs positive values (a logarithm is taken)")
    return float(np.polyfit(np.log(ns), np.log(ys), 1)[0])


# ---------------------------------------------------------------- Table 1's structural columns
def layer_structure(kind: str, n: int, k: int = 3, r: int = 4):
    """The connection pattern of one layer over n positions, as two bool (n, n) matrices.

    ``reads[i, j]``: output i reads input position j directly (one hop). ``waits[i, j]``: output i
    cannot be computed before output j of the same layer (a recurrence).

    kinds: ``"self-attention"`` (every position reads every position), ``"recurrent"``
    (h_i reads x_i and h_{i-1}, so it waits for output i - 1), ``"convolutional"`` (kernel ``k``,
    contiguous: |i - j| <= k // 2) and ``"restricted"`` self-attention (window ``r``:
    |i - j| < r, :func:`transformer_lib.ref.sliding_window_mask`).
    """
    pos = np.arange(n)
    if kind == "self-attention":
        reads = np.ones((n, n), dtype=bool)
    elif kind == "recurrent":
        reads = (pos[None, :] == pos[:, None]) | (pos[None, :] == pos[:, None] - 1)  # (n, n): x_i and h_{i-1}
    elif kind == "convolutional":
        if k < 3 or k % 2 == 0:
            raise ValueError(f"the convolution needs an odd kernel size k >= 3 (a centred window), got {k!r}")
        reads = sliding_window_mask(n, k // 2 + 1)
    elif kind == "restricted":
        if r < 2:
            raise ValueError(f"restricted self-attention needs a window r >= 2 to reach a neighbour, got {r!r}")
        reads = sliding_window_mask(n, r)
    else:
        raise ValueError(f"unknown layer kind {kind!r}; pick one of {LAYER_KINDS}")
    waits = (pos[None, :] == pos[:, None] - 1) if kind == "recurrent" else np.zeros((n, n), dtype=bool)
    return reads, waits


LAYER_KINDS = ("self-attention", "recurrent", "convolutional", "restricted")


def max_path_length(reads) -> int:
    """The longest shortest path, in hops, from an input position to an output position that it
    reaches at all, when layers with the connection pattern ``reads`` (bool (n, n)) are stacked:
    Table 1's "maximum path length". For a recurrent layer a hop is one step along the chain.

    The answer is the least L for which "within L hops" already connects every pair that is ever
    connected; it is found by binary lifting (reachability within 1, 2, 4, ... hops), so it takes
    O(log n) boolean matrix products rather than n.
    """
    reads = np.asarray(reads, dtype=bool)
    n = reads.shape[0]

    def then(a, b):  # within a's hops, then within b's hops
        return (a.astype(np.float32) @ b.astype(np.float32)) > 0

    within = [np.eye(n, dtype=bool) | reads]  # within[j]: within 2**j hops
    while len(within) < max(n, 2).bit_length() + 1:
        within.append(then(within[-1], within[-1]))
    everything = within[-1]  # 2**j >= n hops: every pair that is ever connected
    if np.array_equal(everything, np.eye(n, dtype=bool)):
        return 0
    hops, reach = 0, np.eye(n, dtype=bool)
    for j in reversed(range(len(within))):  # take each power of two that still leaves a pair unreached
        wider = then(reach, within[j])
        if not np.array_equal(wider, everything):
            reach, hops = wider, hops + 2**j
    return hops + 1


def sequential_operations(waits) -> int:
    """How many steps of one layer must run one after another: 1 + the longest chain in ``waits``
    (bool (n, n), output i waits for output j < i). Table 1's "sequential operations"."""
    waits = np.asarray(waits, dtype=bool)
    if np.any(np.triu(waits)):
        raise ValueError("waits[i, j] may only point back (j < i): an output cannot wait for itself or a later one")
    depth = np.ones(waits.shape[0], dtype=int)
    for i in range(waits.shape[0]):
        earlier = np.flatnonzero(waits[i])
        if earlier.size:
            depth[i] = 1 + depth[earlier].max()
    return int(depth.max()) if depth.size else 0


def paper_complexity(kind: str, n: int, d: int, k: int = 3, r: int = 4) -> int:
    """Table 1's complexity per layer, as a number: n^2 d, n d^2, k n d^2 or r n d."""
    table = {"self-attention": n * n * d, "recurrent": n * d * d, "convolutional": k * n * d * d, "restricted": r * n * d}
    if kind not in table:
        raise ValueError(f"unknown layer kind {kind!r}; pick one of {LAYER_KINDS}")
    return table[kind]


def expected_path_length(kind: str, n: int, k: int = 3, r: int = 4) -> int:
    """What the layer patterns of :func:`layer_structure` give exactly (Table 1 states the orders:
    1, n, n/k, n/r)."""
    return {"self-attention": 1, "recurrent": n - 1, "convolutional": math.ceil((n - 1) / (k // 2)),
            "restricted": math.ceil((n - 1) / (r - 1))}[kind]


def load_measurement(name: str = "attention_cost") -> dict:
    """The results a benchmark saved in ``transformer_lib/measurements/<name>.json`` (shipped with
    the package), so that a chapter shows measured numbers without re-measuring them:
    ``attention_cost`` comes from ``benchmarks/bench_attention_cost.py``."""
    import json
    from importlib import resources

    path = resources.files("transformer_lib") / "measurements" / f"{name}.json"
    if not path.is_file():
        raise ValueError(f"no measurement named {name!r} in transformer_lib/measurements/; "
                         "run the benchmark that writes it (benchmarks/bench_attention_cost.py for 'attention_cost')")
    return json.loads(path.read_text(encoding="utf-8"))


def where_measured() -> dict:
    """When and on what a measurement was taken (``date``, ``machine``, ``torch``, ``threads``): the
    fields the benchmarks write beside their numbers, since timings only mean something with them."""
    import torch  # only when measuring: the chapter reads the shipped files with NumPy alone

    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:  # Linux: the CPU's model name
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor() or platform.machine()
    return {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "machine": {"platform": platform.platform(), "processor": cpu, "cpu_count": os.cpu_count(),
                        "python": platform.python_version()},
            "torch": torch.__version__, "threads": torch.get_num_threads()}
