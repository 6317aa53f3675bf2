"""The three meshes of book/sciml/space-weather.md side by side, the rollout curriculum against
single-step training, and the emulator against the simulator per output frame.

Every row trains Graph-FM on the same cached run (seed 0, `cpu` sizes of the chapter) with the
same seed, width and number of iterations; only the mesh (or the schedule) changes. Scores are
on the test period: RMSE relative to persistence averaged over the 8 fields, and the mean raw /
anomaly Pearson correlation of the in-plane fields.
Run: ``TRUSTLAB_THREADS=1 .venv/bin/python benchmarks/bench_space_weather.py`` (about 5 minutes).
"""

from __future__ import annotations

import time
from dataclasses import replace

from _common import write_result
from _space_weather import IN_PLANE, SIZES, run_pipeline

from trustlab.book import set_threads
from trustlab.sciml import PlasmaConfig, simulate_magnetosphere


def simulator_per_frame(seed: int = 0) -> float:
    """Seconds per output frame of an uncached run (spin-up frames and all sub-steps included)."""
    cfg = PlasmaConfig(
        nx=SIZES["grid"], ny=SIZES["grid"], lx=SIZES["box"], ly=SIZES["box"], n_frames=10, seed=seed
    )
    cfg = replace(cfg, t_spin=1.0)
    start = time.perf_counter()
    simulate_magnetosphere(cfg, cache=False)
    return (time.perf_counter() - start) / (cfg.n_frames + round(cfg.t_spin / cfg.dt_out))


def main() -> None:
    set_threads(1)
    total = sum(n for n, _ in SIZES["schedule"])
    configs = [
        ("simple", None),
        ("multiscale", None),
        ("hierarchical", None),
        ("multiscale, single steps only", [[total, 1]]),
    ]
    sim = simulator_per_frame()
    rows = []
    for label, schedule in configs:
        kind = label.split(",")[0]
        r = run_pipeline(0, kind=kind, schedule=schedule)
        ratio = r["rmse_ratio"].mean(axis=1)
        rows.append(
            [
                label,
                int(r["parameters"]),
                round(r["train_seconds"], 1),
                round(r["emulator_per_frame"] * 1e3, 2),
                round(sim / r["emulator_per_frame"], 1),
                round(float(ratio[0]), 3),
                round(float(ratio[len(ratio) // 2 - 1]), 3),
                round(float(ratio[-1]), 3),
                round(float(r["pearson"][0, IN_PLANE].mean()), 3),
                round(float(r["pearson"][-1, IN_PLANE].mean()), 3),
                round(float(r["anomaly_pearson"][-1, IN_PLANE].mean()), 3),
            ]
        )
        print(rows[-1], flush=True)
    n = SIZES["n_lead"]
    best = min(rows, key=lambda row: row[7])
    write_result(
        "bench_space_weather",
        dict(
            title="Graph-FM: three meshes, rollout training, emulator vs simulator per frame",
            description=(
                f"Seed-0 run of the space-weather chapter (64x64 grid, {SIZES['n_frames']} frames, last 25% test), "
                f"Graph-FM width {SIZES['hidden']}, {SIZES['processor_layers']} processor layers, {total} iterations, "
                f"one CPU thread. RMSE ratio: Graph-FM / persistence averaged over the 8 fields (below 1 beats "
                f"persistence). Simulator: {sim * 1e3:.0f} ms per output frame, sub-steps included."
            ),
            columns=[
                "configuration",
                "parameters",
                "training (s)",
                "emulator ms / frame",
                "speed-up vs simulator",
                "RMSE ratio, lead 1",
                f"RMSE ratio, lead {n // 2}",
                f"RMSE ratio, lead {n}",
                "in-plane Pearson, lead 1",
                f"in-plane Pearson, lead {n}",
                f"in-plane anomaly Pearson, lead {n}",
            ],
            rows=rows,
            summary={
                "simulator_ms_per_frame": round(sim * 1e3, 1),
                "lowest_rmse_ratio_at_last_lead": best[0],
            },
            data={"sizes": SIZES},
        ),
    )


if __name__ == "__main__":
    main()
