"""Data preparation and forecast metrics of the plasma emulator (trustlab.sciml.forecasting)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from trustlab.sciml import GraphFM, build_graph
from trustlab.sciml.forecasting import (
    FieldStats,
    emulator_boundary,
    emulator_forecasts,
    forecast_windows,
    grid_states,
    pearson_by_lead,
    persistence,
    rmse_by_lead,
    targets,
    to_grid,
)


@pytest.fixture
def run() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    nx, ny = 6, 4
    obstacle = np.zeros((nx, ny), bool)
    obstacle[2, 1] = True
    fringe = np.zeros((nx, ny), bool)
    fringe[-1] = True
    return {
        "fields": rng.normal(size=(9, 3, nx, ny)).astype(np.float32),
        "obstacle": obstacle,
        "fringe": fringe,
        "x": np.arange(nx) * 0.5,
        "y": np.arange(ny) * 0.5,
    }


def test_grid_states_node_order_and_round_trip(run):
    states = grid_states(run)
    t, v, nx, ny = run["fields"].shape
    assert states.shape == (t, nx * ny, v) and states.dtype == np.float32
    for i, j in [(0, 0), (2, 1), (5, 3), (4, 0)]:
        np.testing.assert_array_equal(states[:, i * ny + j], run["fields"][:, :, i, j])
    np.testing.assert_array_equal(to_grid(states, nx, ny), run["fields"])


def test_boundary_is_obstacle_fringe_and_outflow(run):
    ny = run["fields"].shape[-1]
    mask = emulator_boundary(run, outflow_columns=1)
    grid = mask.reshape(-1, ny)
    assert grid[2, 1] and grid[-1].all() and grid[0].all()
    assert grid.sum() == 1 + ny + ny
    assert emulator_boundary(run, outflow_columns=0).sum() == 1 + ny


def test_field_stats_standardise_interior(run):
    states = grid_states(run)
    interior = ~emulator_boundary(run, outflow_columns=0)
    stats = FieldStats.from_states(states, interior)
    z = stats.standardize(states)[:, torch.as_tensor(interior)].double()
    torch.testing.assert_close(z.mean(dim=(0, 1)), torch.zeros(3, dtype=torch.float64), atol=1e-5, rtol=0)
    torch.testing.assert_close(
        z.std(dim=(0, 1), unbiased=False), torch.ones(3, dtype=torch.float64), atol=1e-5, rtol=0
    )
    d = z[1:] - z[:-1]
    torch.testing.assert_close(d.mean(dim=(0, 1)).float(), stats.diff_mean, atol=1e-5, rtol=0)
    torch.testing.assert_close(d.std(dim=(0, 1), unbiased=False).float(), stats.diff_std, atol=1e-5, rtol=0)
    torch.testing.assert_close(
        stats.destandardize(stats.standardize(states)), torch.as_tensor(states), atol=1e-5, rtol=0
    )


def test_windows_persistence_and_targets(run):
    states = grid_states(run)
    starts = forecast_windows(states.shape[0], n_lead=3, stride=2)
    np.testing.assert_array_equal(starts, [0, 2, 4])
    pers, truth = persistence(states, starts, 3), targets(states, starts, 3)
    assert pers.shape == truth.shape == (3, 3, *states.shape[1:])
    for k, s in enumerate(starts):
        for lead in range(3):
            np.testing.assert_array_equal(pers[k, lead], states[s + 1])
            np.testing.assert_array_equal(truth[k, lead], states[s + 2 + lead])


def test_rmse_and_pearson_match_loops(run):
    rng = np.random.default_rng(1)
    truth = rng.normal(size=(4, 2, 24, 3))
    pred = truth + rng.normal(scale=0.5, size=truth.shape)
    interior = rng.random(24) < 0.7
    rmse, corr = rmse_by_lead(pred, truth, interior), pearson_by_lead(pred, truth, interior)
    ref = rng.normal(size=(24, 3))
    anom = pearson_by_lead(pred, truth, interior, reference=ref)
    for lead in range(2):
        for v in range(3):
            e = pred[:, lead, interior, v] - truth[:, lead, interior, v]
            assert rmse[lead, v] == pytest.approx(np.sqrt(np.mean(e**2)), rel=1e-12)
            cs = [
                np.corrcoef(pred[s, lead, interior, v], truth[s, lead, interior, v])[0, 1] for s in range(4)
            ]
            assert corr[lead, v] == pytest.approx(np.mean(cs), rel=1e-12)
            ca = [
                np.corrcoef(
                    pred[s, lead, interior, v] - ref[interior, v],
                    truth[s, lead, interior, v] - ref[interior, v],
                )[0, 1]
                for s in range(4)
            ]
            assert anom[lead, v] == pytest.approx(np.mean(ca), rel=1e-12)


def test_pearson_of_constant_forecast_is_nan():
    truth = np.random.default_rng(2).normal(size=(1, 1, 10, 1))
    assert np.isnan(pearson_by_lead(np.zeros_like(truth), truth, np.ones(10, bool))).all()


def test_bad_input(run):
    states = grid_states(run)
    with pytest.raises(TypeError, match="run must be"):
        grid_states({"x": 1})
    with pytest.raises(ValueError, match="outflow_columns"):
        emulator_boundary(run, outflow_columns=100)
    with pytest.raises(ValueError, match="interior must be a bool"):
        FieldStats.from_states(states, np.ones(states.shape[1], int))
    with pytest.raises(ValueError, match="selects no node"):
        FieldStats.from_states(states, np.zeros(states.shape[1], bool))
    with pytest.raises(ValueError, match="too short"):
        forecast_windows(5, n_lead=4)
    with pytest.raises(ValueError, match="starts must lie"):
        persistence(states, np.array([7]), 3)
    with pytest.raises(ValueError, match="same shape"):
        rmse_by_lead(np.zeros((1, 1, 4, 1)), np.zeros((1, 2, 4, 1)), np.ones(4, bool))
    with pytest.raises(ValueError, match="reference must have shape"):
        pearson_by_lead(np.zeros((1, 1, 4, 1)), np.zeros((1, 1, 4, 1)), np.ones(4, bool), np.zeros(4))
    with pytest.raises(ValueError, match="nx \\* ny"):
        to_grid(states, 5, 5)


def test_emulator_forecasts_match_rollouts_from_each_start(run):
    torch.manual_seed(0)
    states = torch.as_tensor(grid_states(run))
    graph = build_graph(run["x"], run["y"], kind="simple", mesh_size=3)
    model = GraphFM(graph, n_vars=states.shape[2], n_forcing=2, hidden=8, processor_layers=1)
    forcing = torch.randn(states.shape[0], 2)
    boundary = emulator_boundary(run, outflow_columns=1)
    starts = forecast_windows(states.shape[0], n_lead=3)
    out = emulator_forecasts(model, states, starts, 3, boundary, forcing=forcing, batch_size=2)
    free = emulator_forecasts(model, states, starts, 3, None, forcing=forcing)
    assert out.shape == (len(starts), 3, *states.shape[1:])
    mask = torch.as_tensor(boundary)
    for k, s in enumerate(starts):
        frames = s + 2 + torch.arange(3)
        with torch.no_grad():
            ref = model.rollout(
                states[s : s + 1],
                states[s + 1 : s + 2],
                3,
                boundary_values=states[frames][None],
                boundary_mask=mask,
                forcing=forcing[frames][None],
            )
            ref_free = model.rollout(
                states[s : s + 1], states[s + 1 : s + 2], 3, forcing=forcing[frames][None]
            )
        torch.testing.assert_close(out[k], ref[0], atol=1e-6, rtol=1e-5)
        torch.testing.assert_close(free[k], ref_free[0], atol=1e-6, rtol=1e-5)
        torch.testing.assert_close(out[k][:, mask], states[frames][:, mask], atol=0, rtol=0)
    assert not torch.allclose(out[:, :, mask], free[:, :, mask])
    with pytest.raises(TypeError, match="states must be"):
        emulator_forecasts(model, states.numpy(), starts, 3, boundary, forcing=forcing)
    with pytest.raises(ValueError, match="starts is empty"):
        emulator_forecasts(model, states, starts[:0], 3, boundary, forcing=forcing)
    with pytest.raises(ValueError, match="forcing must be"):
        emulator_forecasts(model, states, starts, 3, boundary, forcing=forcing[:3])


def test_more_bad_input_is_rejected_not_coerced(run):
    states = grid_states(run)
    interior = ~emulator_boundary(run)
    with pytest.raises(TypeError, match="run must be"):
        emulator_boundary(None)
    # 1-D masks used to pass, and the outflow "columns" became the first nodes of the flat mask
    flat = {"obstacle": run["obstacle"].ravel(), "fringe": run["fringe"].ravel()}
    with pytest.raises(ValueError, match="masks of the same shape"):
        emulator_boundary(flat)
    with pytest.raises(ValueError, match="fields"):
        emulator_boundary({**run, "fields": run["fields"][..., :3]})
    with pytest.raises(TypeError, match="real numbers"):
        grid_states({"fields": run["fields"].astype(complex)})
    # NaN/inf frames used to give NaN statistics without a word
    with pytest.raises(ValueError, match="finite"):
        FieldStats.from_states(np.where(states > 2, np.inf, states), interior)
    with pytest.raises(ValueError, match="states must have shape"):
        FieldStats.from_states(states[:, :, :0], interior)
    stats = FieldStats.from_states(states, interior)
    with pytest.raises(ValueError, match="last axis"):
        stats.standardize(states[..., :2])
    with pytest.raises(ValueError, match="last axis"):
        stats.destandardize(np.float32(1.0))
    assert stats == stats and stats != FieldStats.from_states(states, interior)  # used to raise
    pred = truth = np.zeros((0, 1, states.shape[1], 3))
    with pytest.raises(ValueError, match="not be empty"):
        rmse_by_lead(pred, truth, interior)
    with pytest.raises(ValueError, match="not be empty"):
        pearson_by_lead(pred, truth, interior)
    with pytest.raises(TypeError, match="pred must be"):
        rmse_by_lead(np.zeros((1, 1, 4, 1), str), np.zeros((1, 1, 4, 1)), np.ones(4, bool))
    ones = np.ones((1, 1, 4, 1))
    with pytest.raises(ValueError, match="reference must be finite"):
        pearson_by_lead(ones, ones, np.ones(4, bool), reference=np.full((4, 1), np.nan))
    # tensors that require grad are detached, as in _states
    pred = torch.randn(2, 1, 4, 1, requires_grad=True)
    expected = rmse_by_lead(pred.detach().numpy(), ones.repeat(2, 0), np.ones(4, bool))
    np.testing.assert_array_equal(rmse_by_lead(pred, ones.repeat(2, 0), np.ones(4, bool)), expected)


def test_emulator_forecasts_checks_and_all_false_boundary(run):
    torch.manual_seed(0)
    states = torch.as_tensor(grid_states(run))
    graph = build_graph(run["x"], run["y"], kind="simple", mesh_size=3)
    model = GraphFM(graph, n_vars=states.shape[2], hidden=8, processor_layers=1)
    starts = forecast_windows(states.shape[0], n_lead=1)
    free = emulator_forecasts(model, states, starts, 1, None)
    # an all-false mask forces nothing (as in GraphFM.rollout); it used to raise "selects no node"
    none_forced = emulator_forecasts(model, states, starts, 1, np.zeros(states.shape[1], bool))
    torch.testing.assert_close(none_forced, free, atol=0, rtol=0)
    with pytest.raises(TypeError, match="model must have a rollout"):
        emulator_forecasts(None, states, starts, 1, None)
    with pytest.raises(ValueError, match="states must have shape"):
        emulator_forecasts(model, states[0], starts, 1, None)
    with pytest.raises(TypeError, match="forcing must be a torch.Tensor"):
        emulator_forecasts(model, states, starts, 1, None, forcing=np.zeros((states.shape[0], 1)))
    with pytest.raises(ValueError, match="forcing must be"):
        emulator_forecasts(model, states, starts, 1, None, forcing=torch.zeros(states.shape[0]))


def test_narrow_integer_starts_do_not_wrap_around():
    # uint8 starts used to wrap: s + 2 = 256 became frame 0 in targets and persistence
    frames = np.arange(300, dtype=np.float32)[:, None, None] * np.ones((1, 2, 1), np.float32)
    starts = np.array([254, 255], np.uint8)
    assert targets(frames, starts, 1)[:, 0, 0, 0].tolist() == [256.0, 257.0]
    assert persistence(frames, starts, 1)[:, 0, 0, 0].tolist() == [255.0, 256.0]
