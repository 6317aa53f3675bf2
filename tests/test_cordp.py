"""Tests of trustlab.privacy.cordp: privacy condition, optimum, MSE, the two samplers, bad input."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import optimize, stats

from trustlab.privacy import (
    CorDPDesign,
    NoiseParams,
    analytic_mu,
    cordp_mu,
    cordp_optimal,
    correlated_noise,
    estimate_mean,
    ldp_params,
    mse_per_coordinate,
    pair_incidence,
    pairwise_noise,
    privatize,
    secagg_params,
    simulate_mse,
)


def _slow_mu(n: int, T: int, params: NoiseParams, sensitivity: float) -> float:
    """mu from the protocol itself: honest covariance built pair by pair, then Mahalanobis."""
    m = n - T
    K = params.x * np.eye(m)
    for i in range(m):
        for j in range(i + 1, m):  # honest-honest masks are the colluders' unknowns
            K[i, i] += params.y
            K[j, j] += params.y
            K[i, j] -= params.y
            K[j, i] -= params.y
    return sensitivity * np.sqrt(np.linalg.inv(K)[0, 0])


designs = st.builds(
    lambda n, t_frac, d_frac, eps: CorDPDesign(
        n=n, T=int(t_frac * (n - 1)), D=int(d_frac * (n - int(t_frac * (n - 1)) - 1)), eps=eps
    ),
    n=st.integers(2, 60),
    t_frac=st.floats(0, 1),
    d_frac=st.floats(0, 1),
    eps=st.floats(0.05, 8.0),
)


@settings(max_examples=80, deadline=None)
@given(design=designs, slack=st.floats(0.01, 1.0))
def test_optimum_meets_privacy_exactly(design, slack):
    params = cordp_optimal(design, slack=slack)
    mu = cordp_mu(design.n, design.T, params, design.sensitivity)
    assert mu == pytest.approx(analytic_mu(design.eps, design.delta), rel=1e-9)


@settings(max_examples=80, deadline=None)
@given(design=designs)
def test_cordp_between_secagg_and_ldp(design):
    params = cordp_optimal(design)
    cor = mse_per_coordinate(params, design.n, design.D)
    sa = mse_per_coordinate(secagg_params(design), design.n, design.D)
    ldp = mse_per_coordinate(ldp_params(design), design.n, design.D)
    assert sa * (1 - 1e-12) <= cor <= ldp * (1 + 1e-12)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 9), t=st.integers(0, 8), x=st.floats(0.1, 10), y=st.floats(0, 10))
def test_closed_form_mu_matches_protocol_covariance(n, t, x, y):
    assume(t <= n - 1)
    params = NoiseParams(x, y)
    assert cordp_mu(n, t, params, 2.0) == pytest.approx(_slow_mu(n, t, params, 2.0), rel=1e-9)


@pytest.mark.parametrize("n, T, D", [(20, 3, 1), (20, 3, 2), (50, 5, 5), (50, 10, 10), (30, 0, 3)])
def test_optimum_matches_numerical_minimisation(n, T, D):
    design = CorDPDesign(n, T, D, eps=1.0)
    tau, m = design.tau, design.honest

    def mse(x: float) -> float:  # x in (tau/m, tau]; y from the privacy constraint
        y = x * (tau - x) / (m * x - tau)
        return (x + D * y) / (n - D)

    res = optimize.minimize_scalar(
        mse, bounds=(tau / m * (1 + 1e-9), tau), method="bounded", options={"xatol": 1e-12 * tau}
    )
    ours = mse_per_coordinate(cordp_optimal(design), n, D)
    assert ours == pytest.approx(min(res.fun, tau / (n - D)), rel=1e-6)


def test_slack_formula_at_zero_dropouts():
    design = CorDPDesign(50, 5, 0, eps=1.0)
    for slack in (0.01, 0.05, 0.5):
        ratio = mse_per_coordinate(cordp_optimal(design, slack), 50) / mse_per_coordinate(
            secagg_params(design), 50
        )
        assert ratio == pytest.approx(1 + slack, rel=1e-12)


def test_extremes():
    # one honest user: no one to correlate with, CorDP is LDP
    design = CorDPDesign(10, 9, 0)
    assert cordp_optimal(design) == ldp_params(design)
    # u* = tau sqrt(D (m-1) / (m-D)) reaches (m-1) tau exactly at D = m - 1: LDP
    design = CorDPDesign(10, 2, 7)
    assert cordp_optimal(design) == ldp_params(design)
    assert cordp_optimal(CorDPDesign(10, 2, 6)).y > 0


def test_incidence_covariance_is_closed_form():
    n, params = 7, NoiseParams(1.3, 0.4)
    _, B = pair_incidence(n)
    K = params.x * np.eye(n) + params.y * B @ B.T
    closed = (params.x + n * params.y) * np.eye(n) - params.y * np.ones((n, n))
    np.testing.assert_allclose(K, closed, rtol=0, atol=1e-12)
    assert params.variance(n) == pytest.approx(K[0, 0])
    assert params.correlation(n) == pytest.approx(K[0, 1] / K[0, 0])


@pytest.mark.parametrize("n", [2, 3, 9])
def test_pairwise_noise_is_incidence_times_masks(n):
    Z, N, S = pairwise_noise(n, 4, NoiseParams(1.0, 2.0), np.random.default_rng(n), return_parts=True)
    _, B = pair_incidence(n)
    np.testing.assert_allclose(Z, N + B @ S, atol=1e-12)


def test_masks_cancel_in_the_sum():
    rng = np.random.default_rng(0)
    Z, N, _ = pairwise_noise(6, 5, NoiseParams(1.0, 100.0), rng, return_parts=True)
    np.testing.assert_allclose(Z.sum(axis=0), N.sum(axis=0), atol=1e-10)


@pytest.mark.parametrize("n", [2, 5, 8])
def test_samplers_agree_in_distribution(n):
    """Covariance sampler vs explicit protocol: covariances within 5 SE, KS on projections."""
    params, d = NoiseParams(0.7, 1.9), 40_000
    a = correlated_noise(n, d, params, np.random.default_rng(1))
    b = pairwise_noise(n, d, params, np.random.default_rng(2))
    closed = (params.x + n * params.y) * np.eye(n) - params.y * np.ones((n, n))
    se = np.sqrt((closed**2 + np.outer(np.diag(closed), np.diag(closed))) / d)
    for sample in (a, b):
        assert np.all(np.abs(np.cov(sample) - closed) < 5 * se)
    w = np.random.default_rng(3).standard_normal(n)
    for proj in (w, np.ones(n), np.eye(n)[0]):
        assert stats.ks_2samp(proj @ a, proj @ b).pvalue > 1e-3


def test_monte_carlo_mse_inside_interval():
    design = CorDPDesign(20, 3, 2, eps=1.0)
    params = cordp_optimal(design)
    theory = mse_per_coordinate(params, 20, 2)
    for method in ("covariance", "pairwise"):
        mse, low, high = simulate_mse(params, 20, 200, 2, 200, np.random.default_rng(4), method=method)
        assert low <= theory <= high, (method, mse, theory)


def test_interval_catches_a_wrong_variance():
    params = NoiseParams(1.0, 0.5)
    _, low, high = simulate_mse(params, 10, 500, 3, 100, np.random.default_rng(5))
    wrong = params.x / 7  # ignores the uncancelled masks of the dropouts
    assert not (low <= wrong <= high)


def test_privatize_and_estimate():
    rng = np.random.default_rng(6)
    X = rng.uniform(-1, 1, (30, 4))
    Y = privatize(X, NoiseParams(1e-12, 0.0), rng)
    np.testing.assert_allclose(estimate_mean(Y), X.mean(axis=0), atol=1e-5)
    keep = np.arange(30) < 20
    np.testing.assert_allclose(estimate_mean(Y, keep), X[:20].mean(axis=0), atol=1e-5)
    Y2 = privatize(X, NoiseParams(1.0, 2.0), rng, method="pairwise")
    assert Y2.shape == X.shape


def test_large_scale_runs_in_seconds():
    design = CorDPDesign(10_000, 100, 10, eps=1.0)
    params = cordp_optimal(design)
    X = np.zeros((10_000, 1_000))
    start = time.perf_counter()
    Y = privatize(X, params, np.random.default_rng(7))
    assert time.perf_counter() - start < 5.0
    assert Y.shape == X.shape and np.isfinite(Y).all()


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: CorDPDesign(1), ValueError, "n must be"),
        (lambda: CorDPDesign(10, T=10), ValueError, "T must be"),
        (lambda: CorDPDesign(10, T=3, D=7), ValueError, "D must be"),
        (lambda: CorDPDesign(10.0), TypeError, "n must be an integer"),
        (lambda: CorDPDesign(10, eps=-1.0), ValueError, "eps"),
        (lambda: CorDPDesign(10, delta=1.0), ValueError, "delta"),
        (lambda: NoiseParams(0.0, 1.0), ValueError, "x must"),
        (lambda: NoiseParams(1.0, -1.0), ValueError, "y must"),
        (lambda: cordp_optimal("design"), TypeError, "design must be a CorDPDesign"),
        (lambda: cordp_optimal(CorDPDesign(10), slack=0.0), ValueError, "slack"),
        (lambda: mse_per_coordinate(NoiseParams(1.0, 1.0), 10, dropped=10), ValueError, "dropped"),
        (
            lambda: privatize(np.zeros(5), NoiseParams(1.0, 0.0), np.random.default_rng()),
            ValueError,
            "X must be",
        ),
        (
            lambda: privatize(np.full((3, 2), np.nan), NoiseParams(1.0, 0.0), np.random.default_rng()),
            ValueError,
            "finite",
        ),
        (lambda: privatize(np.zeros((3, 2)), (1.0, 0.0), np.random.default_rng()), TypeError, "params"),
        (
            lambda: privatize(np.zeros((3, 2)), NoiseParams(1.0, 0.0), np.random.default_rng(), method="x"),
            ValueError,
            "method",
        ),
        (lambda: estimate_mean(np.zeros((3, 2)), [1, 0, 1]), ValueError, "responders"),
        (lambda: estimate_mean(np.zeros((3, 2)), np.zeros(3, dtype=bool)), ValueError, "at least one"),
        (
            lambda: simulate_mse(NoiseParams(1.0, 0.0), 5, 2, 0, 1, np.random.default_rng(), method="x"),
            ValueError,
            "method",
        ),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_privatize_refuses_a_design_for_another_number_of_users():
    """Review finding: params for 50 users applied to 10 gave eps 3.4 without an error."""
    params = cordp_optimal(CorDPDesign(50, 5, 0, eps=1.0))
    assert params.n == 50 and params.sensitivity == 2.0
    with pytest.raises(ValueError, match="params.n = 50, got 10 rows"):
        privatize(np.zeros((10, 3)), params, np.random.default_rng(0))
    assert privatize(np.zeros((50, 3)), params, np.random.default_rng(0)).shape == (50, 3)


def test_privatize_clips_rows_to_half_the_sensitivity():
    design = CorDPDesign(4, 1, 0, eps=1.0, sensitivity=2.0)
    params = ldp_params(design)
    X = np.array([[3.0, 4.0], [0.3, 0.4], [0.0, 0.0], [0.0, 2.0]])
    noise = correlated_noise(4, 2, params, np.random.default_rng(1))
    Y = privatize(X, params, np.random.default_rng(1))
    np.testing.assert_allclose(np.linalg.norm(Y - noise, axis=1), [1.0, 0.5, 0.0, 1.0])
    np.testing.assert_allclose(Y[1] - noise[1], X[1])  # short rows are untouched
    with pytest.raises(ValueError, match="L2 norm <= sensitivity / 2 = 1.0"):
        privatize(X, params, np.random.default_rng(1), clip=False)
    with pytest.raises(TypeError, match="clip must be a bool"):
        privatize(X, params, np.random.default_rng(1), clip=1)


def test_hand_built_params_check_nothing_and_seeds_are_accepted():
    params = NoiseParams(1.0, 0.5)
    assert params.n is None and params.sensitivity is None
    Y = privatize(np.full((3, 2), 10.0), params, 5)  # no n, no sensitivity: no check, no clip
    np.testing.assert_allclose(Y, 10.0 + correlated_noise(3, 2, params, 5))
    assert privatize(np.zeros((3, 2)), params, None).shape == (3, 2)
    assert pairwise_noise(3, 2, params, 0).shape == (3, 2)
    assert simulate_mse(params, 3, 2, 0, 2, 0)[0] > 0


@pytest.mark.parametrize("rng", ["seed", 1.5, True, np.random.RandomState(0)])
def test_bad_rng_is_a_type_error(rng):
    params = NoiseParams(1.0, 0.5)
    for call in (
        lambda: privatize(np.zeros((3, 2)), params, rng),
        lambda: correlated_noise(3, 2, params, rng),
        lambda: pairwise_noise(3, 2, params, rng),
        lambda: simulate_mse(params, 3, 2, 0, 2, rng),
    ):
        with pytest.raises(TypeError, match="rng must be a numpy.random.Generator, an int seed or None"):
            call()


def test_params_of_the_wrong_type_are_a_type_error():
    for call in (
        lambda: cordp_mu(5, 1, "x", 2.0),
        lambda: mse_per_coordinate(None, 5),
        lambda: correlated_noise(3, 2, (1.0, 0.5), 0),
        lambda: simulate_mse({"x": 1.0}, 3, 2, 0, 2, 0),
    ):
        with pytest.raises(TypeError, match="params must be a NoiseParams"):
            call()
    with pytest.raises(ValueError, match="n must be >= 2"):
        NoiseParams(1.0, 0.5, n=1)
    with pytest.raises(ValueError, match="sensitivity must be a finite number"):
        NoiseParams(1.0, 0.5, sensitivity=-1.0)
