"""The pipeline of book/sciml/space-weather.md as one function, shared by its benchmark and its
seed calibration: simulate (cached), build the graph, standardise, train Graph-FM, forecast the
test period and score it against persistence.

SIZES must equal the chapter's `cpu` sizes; the chapter checks the calibration's copy.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import torch

from trustlab.book import seed_everything
from trustlab.sciml import (
    FIELDS,
    FieldStats,
    GraphFM,
    PlasmaConfig,
    build_graph,
    emulator_boundary,
    emulator_forecasts,
    forecast_windows,
    grid_states,
    pearson_by_lead,
    persistence,
    rmse_by_lead,
    simulate_magnetosphere,
    targets,
    train_graph_fm,
)

SIZES = {
    "grid": 64,
    "box": 8.0,
    "levels": 3,
    "coarsen_factor": 2,
    "batch_size": 4,
    "lr": 1e-3,
    "n_frames": 300,
    "mesh_size": 16,
    "hidden": 32,
    "processor_layers": 4,
    "schedule": [[200, 1], [100, 2], [50, 4]],
    "n_lead": 10,
}
IN_PLANE = [FIELDS.index(f) for f in ("v_x", "v_y", "B_x", "B_y")]


def run_pipeline(
    seed: int,
    kind: str = "multiscale",
    schedule: list[list[int]] | None = None,
    sizes: dict[str, Any] = SIZES,
) -> dict[str, Any]:
    """Train one Graph-FM on the run of ``seed`` and score its test-period forecasts.

    Forecasts run to twice ``n_lead``; the scores returned cover the first ``n_lead`` leads
    (the claims' horizon), plus the first lead at which persistence beats Graph-FM on some
    field over the whole range (None if never). Returns per-lead RMSE ratios to persistence
    (with and without the boundary forcing), raw and anomaly Pearson correlations, and the
    timings (training, emulator per frame).
    """
    plasma_cfg = PlasmaConfig(
        nx=sizes["grid"],
        ny=sizes["grid"],
        lx=sizes["box"],
        ly=sizes["box"],
        n_frames=sizes["n_frames"],
        seed=seed,
    )
    run = simulate_magnetosphere(plasma_cfg, cache=True)
    graph = build_graph(
        run["x"],
        run["y"],
        kind=kind,
        obstacle_center=plasma_cfg.obstacle_center,
        obstacle_radius=plasma_cfg.obstacle_radius,
        mesh_size=sizes["mesh_size"],
        levels=sizes["levels"],
        coarsen_factor=sizes["coarsen_factor"],
    )
    states = grid_states(run)
    boundary = emulator_boundary(run)
    interior = ~boundary
    n_train = int(0.75 * len(states))
    stats = FieldStats.from_states(states[:n_train], interior)
    z = stats.standardize(states)
    wind = run["forcing"]
    forcing = torch.as_tensor((wind - wind[:n_train].mean(0)) / wind[:n_train].std(0), dtype=torch.float32)

    seed_everything(seed)
    model = GraphFM(
        graph,
        n_vars=len(FIELDS),
        n_forcing=forcing.shape[1],
        hidden=sizes["hidden"],
        processor_layers=sizes["processor_layers"],
        diff_mean=stats.diff_mean,
        diff_std=stats.diff_std,
    )
    history = train_graph_fm(
        model,
        z[:n_train],
        boundary,
        schedule=[tuple(p) for p in (schedule or sizes["schedule"])],
        batch_size=sizes["batch_size"],
        lr=sizes["lr"],
        forcing=forcing[:n_train],
        seed=seed,
    )

    n_lead, n_long = sizes["n_lead"], 2 * sizes["n_lead"]
    starts = forecast_windows(len(states) - n_train, n_long) + n_train
    truth = targets(states, starts, n_long)
    pers = persistence(states, starts, n_long)
    climatology = states[:n_train].mean(axis=0)
    pred = stats.destandardize(
        emulator_forecasts(model, z, starts, n_long, boundary, forcing=forcing)
    ).numpy()
    free = stats.destandardize(emulator_forecasts(model, z, starts, n_long, None, forcing=forcing)).numpy()
    ratio_all = rmse_by_lead(pred, truth, interior) / rmse_by_lead(pers, truth, interior)
    losing = np.flatnonzero((ratio_all >= 1).any(axis=1))

    emulator_forecasts(model, z, starts[:1], n_lead, boundary, forcing=forcing)  # warm-up
    repeats = []
    for _ in range(3):
        start = time.perf_counter()
        emulator_forecasts(model, z, starts[:1], n_lead, boundary, forcing=forcing)
        repeats.append((time.perf_counter() - start) / n_lead)
    return {
        "seed": seed,
        "kind": kind,
        "train_seconds": history["seconds"],
        "final_loss": float(np.mean(history["loss"][-20:])),
        "rmse_ratio": ratio_all[:n_lead],
        "first_losing_lead": int(losing[0] + 1) if losing.size else None,
        "rmse_ratio_unforced": (rmse_by_lead(free, truth, interior) / rmse_by_lead(pers, truth, interior))[
            :n_lead
        ],
        "rmse_normalised": rmse_by_lead(pred, truth, interior)[:n_lead] / stats.std.numpy(),
        "pearson": pearson_by_lead(pred, truth, interior)[:n_lead],
        "pearson_persistence": pearson_by_lead(pers, truth, interior)[:n_lead],
        "anomaly_pearson": pearson_by_lead(pred, truth, interior, reference=climatology)[:n_lead],
        "emulator_per_frame": min(repeats),
        "parameters": sum(p.numel() for p in model.parameters()),
    }
