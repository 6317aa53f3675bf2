"""Invariants of the 2.5D Hall-MHD mini-magnetosphere (trustlab.sciml.plasma)."""

from __future__ import annotations

import numpy as np
import pytest

from trustlab.sciml import FIELDS, PlasmaConfig, divergence_cd, simulate_magnetosphere
from trustlab.sciml.plasma import _Solver, cache_key

SMALL = {"nx": 32, "ny": 32, "t_spin": 0.5, "n_frames": 10}


@pytest.fixture(scope="module")
def long_run() -> dict[str, np.ndarray]:
    """A run of chapter length (200 frames after spin-up) on a small grid."""
    return simulate_magnetosphere(cache=False, nx=32, ny=32, t_spin=2.0, n_frames=200, seed=3)


def test_div_b_is_zero_by_construction() -> None:
    cfg = PlasmaConfig(**SMALL)
    solver = _Solver(cfg)
    s = solver.initial()
    for k in range(40):
        s = solver.step(s, 0.01 * k, 0.01)
    snap = solver.snapshot(s, 0.4)
    bx, by = snap[FIELDS.index("B_x")], snap[FIELDS.index("B_y")]
    div = divergence_cd(bx, by, solver.dx, solver.dy)
    scale = np.abs(np.roll(bx, -1, 0) - np.roll(bx, 1, 0)).max() / (2 * solver.dx)
    assert scale > 0.1, scale  # the field is not trivially uniform
    assert np.abs(div).max() < 1e-12 * scale, np.abs(div).max()


def test_div_b_of_stored_float32_snapshots(long_run: dict[str, np.ndarray]) -> None:
    f = long_run["fields"].astype(np.float64)
    dx = long_run["x"][1] - long_run["x"][0]
    bx, by = f[:, FIELDS.index("B_x")], f[:, FIELDS.index("B_y")]
    div = divergence_cd(bx, by, dx, dx)
    grad = np.abs(np.roll(bx, -1, -2) - np.roll(bx, 1, -2)).max() / (2 * dx)
    assert np.abs(div).max() < 1e-5 * grad, (np.abs(div).max(), grad)


def test_long_run_finite_and_energy_bounded(long_run: dict[str, np.ndarray]) -> None:
    assert long_run["fields"].shape == (200, len(FIELDS), 32, 32)
    assert np.isfinite(long_run["fields"]).all()
    e = long_run["energy"]
    assert np.isfinite(e).all()
    assert 0.25 * e[0] < e.min() and e.max() < 4.0 * e[0], (e[0], e.min(), e.max())
    # no late growth: the last quarter is no more energetic than the run's first half allows
    assert e[150:].max() < 1.5 * e[:100].max(), (e[150:].max(), e[:100].max())


def test_uniform_flow_stays_uniform() -> None:
    run = simulate_magnetosphere(cache=False, dipole=0.0, obstacle_radius=0.0, variability=0.0, **SMALL)
    f = run["fields"]
    spread = (f.max(axis=(2, 3)) - f.min(axis=(2, 3))).max()
    assert spread < 1e-6, spread
    expected = {
        "rho": 1.0,
        "v_x": -1.0,
        "v_y": 0.0,
        "v_z": 0.0,
        "B_x": 0.0,
        "B_y": -0.6,
        "B_z": 0.0,
        "P": 1.0,
    }
    for name, value in expected.items():
        assert np.allclose(f[:, FIELDS.index(name)], value, atol=1e-6), name


def test_upstream_density_reaches_the_domain(long_run: dict[str, np.ndarray]) -> None:
    x, y = long_run["x"], long_run["y"]
    probe = (np.abs(x - 0.7 * x[-1]).argmin(), np.abs(y - 0.85 * y[-1]).argmin())
    assert not long_run["fringe"][probe] and not long_run["obstacle"][probe]
    rho = long_run["fields"][:, FIELDS.index("rho"), probe[0], probe[1]].astype(np.float64)
    n_sw = long_run["forcing"][:, 1]
    corrs = [np.corrcoef(rho[lag:], n_sw[: len(n_sw) - lag])[0, 1] for lag in range(30)]
    best = int(np.argmax(corrs))
    assert corrs[best] > 0.8, corrs[best]
    # the best lag is the advection time from the fringe edge (x = 0.85 lx) to the probe
    travel = (0.85 * (x[-1] + x[1]) - x[probe[0]]) / PlasmaConfig().v0 / (long_run["t"][1] - long_run["t"][0])
    assert 0.5 * travel < best < 1.5 * travel, (best, travel)
    steady = simulate_magnetosphere(
        cache=False, nx=32, ny=32, t_spin=2.0, n_frames=200, seed=3, variability=0.0
    )
    assert np.ptp(steady["forcing"][:, 1]) == 0.0
    assert np.ptp(rho) > 10 * np.ptp(steady["fields"][:, FIELDS.index("rho"), probe[0], probe[1]])


def test_seeded_runs_reproduce() -> None:
    a = simulate_magnetosphere(cache=False, seed=5, **SMALL)
    b = simulate_magnetosphere(cache=False, seed=5, **SMALL)
    c = simulate_magnetosphere(cache=False, seed=6, **SMALL)
    assert np.array_equal(a["fields"], b["fields"])
    assert not np.array_equal(a["fields"], c["fields"])


def test_whistler_limit_sets_the_step() -> None:
    slow = _Solver(PlasmaConfig(**SMALL, d_ref=0.1))
    fast = _Solver(PlasmaConfig(**SMALL, d_ref=0.4))
    s = slow.initial()
    assert fast.time_step(s, 0.0) == pytest.approx(slow.time_step(s, 0.0) / 4, rel=1e-9)


def test_cache_round_trip(tmp_path) -> None:
    a = simulate_magnetosphere(data_home_dir=tmp_path, **SMALL)
    files = list((tmp_path / "plasma").iterdir())
    assert len(files) == 1 and files[0].suffix == ".npz", files
    b = simulate_magnetosphere(data_home_dir=tmp_path, **SMALL)
    assert set(a) == set(b)
    assert all(np.array_equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize(
    ("params", "error", "name"),
    [
        ({"nx": 7}, ValueError, "nx"),
        ({"nx": 33}, ValueError, "nx"),
        ({"ny": "64"}, TypeError, "ny"),
        ({"density": -1.0}, ValueError, "density"),
        ({"eta": float("nan")}, ValueError, "eta"),
        ({"cfl": 1.5}, ValueError, "cfl"),
        ({"seed": 1.5}, TypeError, "seed"),
        ({"obstacle_radius": 5.0}, ValueError, "obstacle_radius"),
        ({"n_frames": 0}, ValueError, "n_frames"),
        ({"grid": 32}, TypeError, "grid"),
    ],
)
def test_bad_input(params: dict, error: type, name: str) -> None:
    with pytest.raises(error, match=name):
        simulate_magnetosphere(cache=False, **params)


def test_bad_config_and_cache_types() -> None:
    with pytest.raises(TypeError, match="config"):
        simulate_magnetosphere({"nx": 32})
    with pytest.raises(TypeError, match="cache"):
        simulate_magnetosphere(cache=1, **SMALL)


def test_numpy_scalars_in_the_config_give_the_same_cache_key() -> None:
    # np.int64 passed the integer checks and then crashed json.dumps in cache_key
    config = PlasmaConfig(nx=np.int64(16), lx=np.float32(8.0), seed=np.int64(3))
    assert type(config.nx) is int and type(config.lx) is float
    assert cache_key(config) == cache_key(PlasmaConfig(nx=16, lx=8.0, seed=3))
    with pytest.raises(TypeError, match="nx"):
        PlasmaConfig(nx=np.bool_(True))


def test_spin_up_frame_count_is_not_inflated_by_rounding() -> None:
    # 2.1 / 0.3 evaluates to 7.000000000000001: the spin-up is 7 frames, not 8
    run = simulate_magnetosphere(cache=False, nx=16, ny=16, t_spin=2.1, dt_out=0.3, n_frames=1)
    assert run["t"][0] == pytest.approx(8 * 0.3)


def test_obstacle_mask_is_centred_on_obstacle_center() -> None:
    cfg = PlasmaConfig(nx=40, ny=24, lx=10.0, ly=6.0, obstacle_radius=1.0)
    assert cfg.obstacle_center == pytest.approx((3.5, 3.0))
    solver = _Solver(cfg)
    inside = solver.obstacle > 0.5
    centroid = (solver.X[inside].mean(), solver.Y[inside].mean())
    assert centroid == pytest.approx(cfg.obstacle_center, abs=0.5 * 10.0 / 40)
