"""Train, check and save the pronoun model of chapter "It -> animal".

    .venv/bin/python scripts/train_it_model.py                        # seeds 0-4, ships seed 1
    .venv/bin/python scripts/train_it_model.py --variant animacy      # the same recipe without random nouns
    .venv/bin/python scripts/train_it_model.py --threads 2 --no-save  # robustness checks: another thread count,
    .venv/bin/python scripts/train_it_model.py --init-noise 1e-6 --no-save  # or a nudged start

Every seed in ``--seeds`` (default 0-4) trains a fresh model with the same recipe (the
defaults of ``ItConfig`` and ``TrainConfig``) for ``--steps`` steps (tqdm bar); the time
includes data generation and is reported both as wall-clock and as CPU time, since the
book's machine is shared. Each run is then measured on held-out sentences (never-seen noun
pairs, noun-adjective combinations and frames): accuracy >= 99 % and minimal-pair flip
rate >= 95 %. All runs are recorded under "runs" in ``weights/it_model.json``, and one of
them, ``--ship-seed`` (default 1), is saved to ``transformer_lib/weights/it_model.*``.
Seed 1 is shipped because it has the widest margin in every robustness check (one or two
threads, initial weights nudged by 1e-6), so ``tests/tasks/test_pronoun.py`` can retrain it
and assert the bars on any CPU. There is no retry: the script exits non-zero (and saves
nothing) unless **every** seed meets both bars.

``--variant animacy`` trains the model without random nouns (the one that cheats on
animacy); it is measured on its own kind of sentences and saved whatever its numbers,
since the chapter shows how it fails.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import asdict

import torch

from transformer_lib import checkpoint
from transformer_lib.data import pronoun as C
from transformer_lib.tasks.pronoun import WEIGHTS, ItConfig, TrainConfig, pronoun_scores, train_it_model

BARS = {"accuracy": 0.99, "flip_rate": 0.95}
SHIP_SEED = 1
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "transformer_lib", "weights")


def one_run(mc: ItConfig, tc: TrainConfig):
    start, cpu_start = time.perf_counter(), time.process_time()
    model, history = train_it_model(mc, tc, progress=True)  # fit's tqdm bar
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    metrics = pronoun_scores(model, C.make_split(tc.split_seed), seed=12345, random_nouns=tc.random_nouns)
    return model, history, metrics, seconds, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--variant", choices=sorted(WEIGHTS), default="shipped")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--ship-seed", type=int, default=SHIP_SEED, help="the seed whose model is saved (default: %(default)s)")
    ap.add_argument("--steps", type=int, default=TrainConfig.steps)
    ap.add_argument("--lr", type=float, default=TrainConfig.lr)
    ap.add_argument("--weight-decay", type=float, default=TrainConfig.weight_decay)
    ap.add_argument("--batch-size", type=int, default=TrainConfig.batch_size)
    ap.add_argument("--n-train", type=int, default=TrainConfig.n_train)
    ap.add_argument("--init-noise", type=float, default=0.0,
                    help="std of noise added to the initial weights (a robustness check; 0 for the shipped runs)")
    ap.add_argument("--d-model", type=int, default=ItConfig.d_model)
    ap.add_argument("--n-heads", type=int, default=ItConfig.n_heads)
    ap.add_argument("--n-layers", type=int, default=ItConfig.n_layers)
    ap.add_argument("--d-ff", type=int, default=ItConfig.d_ff)
    ap.add_argument("--post-norm", action="store_true", help="post-norm layers, as in the paper (default: pre-norm)")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch CPU threads; 1 is fastest for a model this small on a shared 2-core machine")
    ap.add_argument("--no-save", action="store_true")
    ap.add_argument("--out", default=OUT, help="folder for the weights (default: the package's weights/)")
    args = ap.parse_args()
    if args.ship_seed not in args.seeds and not args.no_save:
        ap.error(f"--ship-seed {args.ship_seed} is not among --seeds {args.seeds}")
    torch.set_num_threads(args.threads)

    mc = ItConfig(d_model=args.d_model, n_heads=args.n_heads, n_layers=args.n_layers, d_ff=args.d_ff,
                  norm_first=not args.post_norm)
    animacy = args.variant == "animacy"
    random_nouns = 0.0 if animacy else TrainConfig.random_nouns
    runs, shipped = [], None
    for seed in args.seeds:
        tc = TrainConfig(seed=seed, steps=args.steps, lr=args.lr, weight_decay=args.weight_decay,
                         batch_size=args.batch_size, n_train=args.n_train, init_noise=args.init_noise,
                         random_nouns=random_nouns)
        model, history, metrics, seconds, cpu = one_run(mc, tc)
        ok = all(metrics[k] >= v for k, v in BARS.items())
        runs.append({"seed": seed, "seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1), "meets_bars": ok,
                     "plateau_left_at": next((s for s, l in zip(history["step"], history["loss"]) if l < 0.3), None),
                     **metrics})
        print(f"seed {seed}: {seconds:.1f} s wall, {cpu:.1f} s CPU, " + ", ".join(f"{k} {v:.4f}" for k, v in metrics.items())
              + ("  -> meets the bars" if ok else "  -> MISSES A BAR")
              + (" (measured on its own animacy-only sentences)" if animacy else ""), flush=True)
        if seed == args.ship_seed:
            shipped = {"model": model, "history": history, "metrics": metrics, "seconds": seconds, "cpu": cpu,
                       "train": asdict(tc)}
    failed = [r["seed"] for r in runs if not r["meets_bars"]]
    print(f"{len(runs) - len(failed)} of {len(runs)} seeds meet the bars {BARS}"
          + (f"; missed by seeds {failed}" if failed else ""))
    if failed and not animacy:
        sys.exit(f"the recipe is not robust: seeds {failed} miss a bar; nothing saved")
    if args.no_save:
        return
    meta = {"variant": args.variant, "bars": BARS, "seed": args.ship_seed, "train": shipped["train"],
            "train_seconds": round(shipped["seconds"], 1), "train_cpu_seconds": round(shipped["cpu"], 1),
            "model": {"n_parameters": sum(p.numel() for p in shipped["model"].parameters())},
            "threads": args.threads, "history": shipped["history"], "metrics": shipped["metrics"], "runs": runs}
    stem = os.path.normpath(os.path.join(args.out, WEIGHTS[args.variant]))
    os.makedirs(args.out, exist_ok=True)
    checkpoint.save(shipped["model"], stem, meta)
    print(f"saved {stem}.safetensors / .json (seed {args.ship_seed})")


if __name__ == "__main__":
    main()
