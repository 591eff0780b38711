"""MultiHeadAttention forward + backward against torch.nn.MultiheadAttention.

Prints medians and the ratio to torch, all measured in this run on this machine.
Goal (issue "walking skeleton"): the fused path within 1.25x of torch.

Run: .venv/bin/python benchmarks/bench_attention.py [--repeat 30]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from transformer_lib.nn import MultiHeadAttention, causal_mask, to_torch_blocked

B, T, D, H = 32, 128, 256, 8


def fwd_bwd_time(fn, x, repeat: int) -> float:
    for _ in range(3):  # warm-up
        fn(x).sum().backward()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(x).sum().backward()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(repeat: int) -> None:
    torch.manual_seed(0)
    x = torch.randn(B, T, D, requires_grad=True)
    ours = MultiHeadAttention(D, H)
    theirs = torch.nn.MultiheadAttention(D, H, batch_first=True)
    mask = causal_mask(T)
    blocked = to_torch_blocked(mask)
    print(f"B={B} T={T} D={D} H={H}, forward+backward, median of {repeat}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads")
    for label, m_ours, m_theirs in [("no mask", None, None), ("causal mask", mask, blocked)]:
        t_torch = fwd_bwd_time(lambda x: theirs(x, x, x, need_weights=False, attn_mask=m_theirs)[0], x, repeat)
        ours.fused = True
        t_fused = fwd_bwd_time(lambda x: ours(x, x, x, mask=m_ours)[0], x, repeat)
        ours.fused = False
        t_explicit = fwd_bwd_time(lambda x: ours(x, x, x, mask=m_ours)[0], x, repeat)
        print(f"[{label}] torch.nn.MultiheadAttention {t_torch * 1e3:7.2f} ms | "
              f"fused {t_fused * 1e3:7.2f} ms ({t_fused / t_torch:.2f}x) | "
              f"explicit {t_explicit * 1e3:7.2f} ms ({t_explicit / t_torch:.2f}x)   goal: fused <= 1.25x")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=30)
    main(ap.parse_args().repeat)
