"""Encode + decode cost of the (2,2,2) GPD code against the uncoded matmul, and straggler latency over gloo.

Part 1: for S x S matrices, the master's work in a coded run (encoding A and B for N = 12
workers, decoding C from K = 9 results) against the product A @ B a user would compute on one
machine, in the same library and precision: numpy and torch, float64 and float32. The worker
products themselves are not the master's work and are replaced by random results of the
right shape (decoding time does not depend on the values). Medians of 3 runs, one torch
thread (numpy uses its BLAS threads). Goal from the issue: encode + decode <= 0.3x the matmul at 4096.

Part 2: median latency of a coded run (GPD (2,2,1), first 5 of 7 gloo workers, 2 of them
delayed) and of the uncoded run (2 blocks, one delayed) as the injected delay grows.

Run: ``TRUSTLAB_THREADS=1 .venv/bin/python benchmarks/bench_polydot.py`` (about 3-5 minutes).
Set ``BENCH_POLYDOT_SIZES=512,1024`` to run fewer sizes.
"""

from __future__ import annotations

import os
import statistics
import time

import numpy as np
import torch
from _common import write_result

from trustlab.book import set_threads
from trustlab.coded import GPDCode
from trustlab.coded.distributed import GlooCluster, latency_sweep


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def overhead_rows(sizes: list[int]) -> list[list]:
    code = GPDCode(2, 2, 2, 12)
    rng = np.random.default_rng(0)
    workers = rng.choice(12, code.threshold, replace=False)
    rows = []
    for size in sizes:
        repeats = 3
        for lib in ("numpy", "torch"):
            for dtype in ("float64", "float32"):
                A = rng.standard_normal((size, size)).astype(dtype)
                B = rng.standard_normal((size, size)).astype(dtype)
                cdt = np.complex128 if dtype == "float64" else np.complex64
                half = size // 2
                results = (rng.standard_normal((9, half, half)) + 1j).astype(cdt)
                if lib == "torch":
                    A, B, results = torch.from_numpy(A), torch.from_numpy(B), torch.from_numpy(results)
                matmul = median_time(lambda A=A, B=B: A @ B, repeats)
                encode = median_time(lambda A=A, B=B: code.encode(A, B), repeats)
                decode = median_time(lambda r=results: code.decode(r, workers), repeats)
                ratio = (encode + decode) / matmul
                rows.append([size, lib, dtype, matmul, encode, decode, ratio])
                print(
                    f"S={size} {lib} {dtype}: matmul {matmul:.3f} s, encode {encode:.3f} s, "
                    f"decode {decode:.3f} s, (encode+decode)/matmul {ratio:.2f}",
                    flush=True,
                )
                del A, B, results
    return rows


def main() -> None:
    set_threads(1)
    sizes = [int(s) for s in os.environ.get("BENCH_POLYDOT_SIZES", "512,1024,2048,4096").split(",")]
    rows = overhead_rows(sizes)
    rng = np.random.default_rng(1)
    A, B = rng.standard_normal((512, 512)), rng.standard_normal((512, 512))
    with GlooCluster(7, timeout=60) as cluster:
        sweep = latency_sweep(cluster, GPDCode(2, 2, 1, 7), A, B, [0.0, 0.25, 0.5, 1.0], repeats=5, rng=0)
    for r in sweep:
        print(f"delay {r['delay']:.2f} s: coded {r['coded']:.3f} s, uncoded {r['uncoded']:.3f} s")
        rows.append(
            [
                512,
                "gloo latency",
                f"delay {r['delay']:.2f} s",
                r["uncoded"],
                None,
                None,
                r["coded"] / r["uncoded"],
            ]
        )
    largest = max(sizes)
    at_largest = [r[6] for r in rows if r[0] == largest and r[1] in ("numpy", "torch")]
    goal_met = largest >= 4096 and max(at_largest) <= 0.3
    summary = (
        f"(encode + decode) / matmul at S={largest}: "
        + ", ".join(
            f"{r[1]} {r[2]} {r[6]:.2f}x" for r in rows if r[0] == largest and r[1] in ("numpy", "torch")
        )
        + f"; gloo, 1 s stragglers: coded {sweep[-1]['coded']:.3f} s vs uncoded {sweep[-1]['uncoded']:.3f} s"
    )
    print(summary)
    write_result(
        "bench_polydot",
        {
            "title": "Generalized PolyDot: master's encode + decode cost, and straggler latency over gloo",
            "description": (
                "(2,2,2) GPD code, N = 12, K = 9, complex roots of unity. Time to encode A and B and to "
                "decode C from 9 results, against the uncoded single-machine A @ B in the same library and "
                "dtype (median of 3 runs; one torch thread, numpy with its BLAS threads). Last rows: median latency over gloo "
                "(7 forked workers, 512 x 512, GPD (2,2,1)); 'anchor (s)' is the uncoded latency and the "
                "ratio is coded / uncoded."
            ),
            "goal": "encode + decode <= 0.3x the uncoded matmul at S = 4096",
            "goal_met": goal_met,
            "summary": summary,
            "columns": ["S", "library", "dtype", "anchor (s)", "encode (s)", "decode (s)", "ratio"],
            "rows": rows,
        },
    )


if __name__ == "__main__":
    main()
