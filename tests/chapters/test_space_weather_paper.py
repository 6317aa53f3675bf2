"""Paper scale of book/sciml/space-weather.md: its configuration builds on the larger grid and
mesh, and one simulated frame pair, one training iteration and one forecast step run at that size."""

from __future__ import annotations

import numpy as np
import torch

from trustlab.sciml import (
    FIELDS,
    FieldStats,
    GraphFM,
    PlasmaConfig,
    build_graph,
    emulator_boundary,
    emulator_forecasts,
    grid_states,
    simulate_magnetosphere,
    train_graph_fm,
)

CHAPTER = "book/sciml/space-weather.md"


def test_paper_configuration_is_larger(paper_cfg, chapter_config):
    cpu = chapter_config(CHAPTER, "cpu")
    assert paper_cfg["scale"] == "paper" and cpu["scale"] == "cpu"
    for key in ("grid", "n_frames", "mesh_size", "hidden", "processor_layers", "n_lead"):
        assert paper_cfg[key] > cpu[key], key
    assert sum(n for n, _ in paper_cfg["schedule"]) > sum(n for n, _ in cpu["schedule"])


def test_one_step_at_paper_scale(paper_cfg):
    torch.set_num_threads(1)
    cfg = paper_cfg
    plasma = PlasmaConfig(
        nx=cfg["grid"], ny=cfg["grid"], lx=cfg["box"], ly=cfg["box"], t_spin=0.2, n_frames=4, seed=0
    )
    run = simulate_magnetosphere(plasma, cache=False)
    assert run["fields"].shape == (4, len(FIELDS), cfg["grid"], cfg["grid"])
    assert np.isfinite(run["fields"]).all()
    graphs = {
        kind: build_graph(
            run["x"],
            run["y"],
            kind=kind,
            obstacle_center=plasma.obstacle_center,
            obstacle_radius=plasma.obstacle_radius,
            mesh_size=cfg["mesh_size"],
            levels=cfg["levels"],
            coarsen_factor=cfg["coarsen_factor"],
        )
        for kind in ("simple", "multiscale", "hierarchical")
    }
    assert graphs["hierarchical"].n_mesh[0] > 3 * 16 * 16  # four times the cpu mesh, less the obstacle
    states = grid_states(run)
    boundary = emulator_boundary(run)
    stats = FieldStats.from_states(states, ~boundary)
    z = stats.standardize(states)
    forcing = torch.as_tensor(run["forcing"], dtype=torch.float32)
    model = GraphFM(
        graphs["multiscale"],
        n_vars=len(FIELDS),
        n_forcing=forcing.shape[1],
        hidden=cfg["hidden"],
        processor_layers=cfg["processor_layers"],
        diff_mean=stats.diff_mean,
        diff_std=stats.diff_std,
    )
    history = train_graph_fm(model, z, boundary, schedule=[(1, 2)], batch_size=1, forcing=forcing)
    assert len(history["loss"]) == 1 and np.isfinite(history["loss"][0])
    pred = emulator_forecasts(model, z, np.array([0]), 2, boundary, forcing=forcing)
    assert pred.shape == (1, 2, cfg["grid"] ** 2, len(FIELDS))
    assert torch.isfinite(pred).all()
    hierarchical = GraphFM(
        graphs["hierarchical"],
        n_vars=len(FIELDS),
        n_forcing=forcing.shape[1],
        hidden=cfg["hidden"],
        processor_layers=cfg["processor_layers"],
    )
    with torch.no_grad():
        step = hierarchical(z[:1], z[1:2], forcing[2:3])
    assert step.shape == (1, cfg["grid"] ** 2, len(FIELDS)) and torch.isfinite(step).all()
