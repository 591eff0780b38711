"""Pretraining then fine-tuning, measured: the learning curve of chapter "One block, three families".

Fine-tunes the shipped tiny GPT (``weights/tiny_gpt.*``, made by ``scripts/train_gpt.py``) to pick
the grammatical sentence of a minimal pair, and trains the same architecture on the same labelled
pairs from random weights, for every number of labelled pairs in ``--sizes`` (and 0: each start
as it is) and every documented seed (:func:`transformer_lib.tasks.acceptability.learning_curve`).
Writes ``transformer_lib/weights/finetune_curve.json``, which the chapter plots.

The bar (checked on every seed, and nothing is written unless it holds): with up to UP_TO labelled
pairs (0 included), the pretrained start's held-out accuracy beats the scratch start's by at least
BAR. With many more pairs the model from scratch catches up, as the chapter shows.

Run: .venv/bin/python scripts/finetune_gpt.py [--workers 2]   (about 8 minutes on 2 cores)
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from transformer_lib.tasks import acceptability as A
from transformer_lib.tasks import gpt as tiny

BAR = 0.08  # the smallest gap (pretrained - scratch) allowed at any size <= UP_TO on any seed
UP_TO = 256


def gaps(curve: dict) -> dict:
    """Per seed and size: pretrained minus scratch test accuracy."""
    acc = {(r["init"], r["n_labelled"], r["seed"]): r["test_accuracy"] for r in curve["runs"]}
    return {(n, s): acc["pretrained", n, s] - acc["scratch", n, s] for n in (0, *curve["sizes"]) for s in curve["seeds"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=2, help="processes, each run on one thread (same numbers)")
    ap.add_argument("--sizes", type=int, nargs="+", default=list(A.SIZES))
    ap.add_argument("--seeds", type=int, nargs="+", default=list(A.DOCUMENTED_SEEDS))
    a = ap.parse_args()
    start = time.perf_counter()
    curve = A.learning_curve(a.sizes, a.seeds, workers=a.workers)
    curve["seconds"] = round(time.perf_counter() - start, 1)
    curve["workers"] = a.workers
    curve["bar"] = f"pretrained - scratch >= {BAR} held-out accuracy with <= {UP_TO} labelled pairs, on every seed"
    print(f"{'labelled':>8} " + " ".join(f"{i:>10}" for i in A.INITS) + "   smallest gap over seeds")
    g = gaps(curve)
    for n in (0, *curve["sizes"]):
        means = [A.mean_accuracy(curve, i, [n])[0] for i in A.INITS]
        print(f"{n:8d} " + " ".join(f"{m:10.3f}" for m in means) + f"   {min(g[n, s] for s in curve['seeds']):+.3f}")
    failing = {k: round(v, 3) for k, v in g.items() if k[0] <= UP_TO and v < BAR}
    curve["meets_bar"] = not failing
    print(f"{len(curve['runs'])} runs in {curve['seconds']} s, {a.workers} worker(s) of one thread each")
    if failing:
        print(f"bar not met (size, seed): gap {failing}; nothing written", file=sys.stderr)
        return 1
    out = tiny.weights_stem().parent / A.CURVE
    out.write_text(json.dumps(curve, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
