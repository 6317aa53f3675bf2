"""Tests of trustlab.privacy.coalition and trustlab.privacy.secure_mult (layered DP multiplication)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from trustlab.privacy import (
    LayeredMultiplication,
    accuracy_snr,
    coalition_precision,
    coalition_report,
    exact_coalition_precision,
    gaussian_epsilon,
    lmmse_weights,
    lmse_bound,
    naive_lmse,
    real_share,
)


def _logdet_precision(G: np.ndarray, std: np.ndarray, members: list[int], eta: float = 1.0) -> float:
    """Independent route: I(A; view) = 1/2 log det(K + eta^2 11^T) / det K = 1/2 log(1 + eta^2 p)."""
    K = (G[members] * std**2) @ G[members].T
    ones = np.ones((len(members), 1))
    _, logdet_k = np.linalg.slogdet(K)
    _, logdet_full = np.linalg.slogdet(K + eta**2 * ones @ ones.T)
    return math.expm1(logdet_full - logdet_k) / eta**2


def test_coalition_precision_agrees_with_exact_and_logdet():
    rng = np.random.default_rng(0)
    for _ in range(20):
        G = rng.standard_normal((5, 4))
        std = rng.uniform(0.2, 2.0, size=4)
        members = sorted(rng.choice(5, size=3, replace=False).tolist())
        fast = coalition_precision(G, std, members)
        exact = float(exact_coalition_precision(G, std, members))
        assert fast == pytest.approx(exact, rel=1e-9)
        assert _logdet_precision(G, std, members) == pytest.approx(exact, rel=1e-7)


@pytest.mark.parametrize("h", [1e-3, 1e-5])
def test_coalition_precision_is_exact_when_noise_scales_span_many_decades(h):
    """At small h the noise scales span ~15 decades; a truncated SVD would understate the leak.

    Tolerance: cond(G_S) * eps, about 1e-10 here (t = 3, h = 1e-3).
    """
    scheme = LayeredMultiplication(3, 5, sigma=1.0, h=h, calibrate=False)
    for members in itertools.combinations(range(5), 3):
        exact = float(exact_coalition_precision(scheme.generator, scheme.noise_std, list(members)))
        assert coalition_precision(scheme.generator, scheme.noise_std, list(members)) == pytest.approx(
            exact, rel=1e-9
        )


def test_real_shamir_coalitions_of_t_leak_finitely_and_t_plus_1_reveal():
    points = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    t = 2
    G = points[:, None] ** np.arange(1, t + 1)
    std = np.array([10.0, 10.0])
    for members in itertools.combinations(range(5), t):
        assert math.isfinite(coalition_precision(G, std, list(members)))
    assert coalition_precision(G, std, [0, 1, 2]) == math.inf


def test_shamir_leakage_matches_a_monte_carlo_regression():
    """The best linear estimate of A from a coalition's shares has the predicted residual variance."""
    rng = np.random.default_rng(1)
    points, t, eta = np.array([1.0, 2.0, 3.0]), 2, 1.0
    std = np.array([2.0, 1.5])
    G = points[:, None] ** np.arange(1, t + 1)
    a = eta * rng.standard_normal(200_000)
    shares = real_share(a, t, points, std, rng)[:t]
    X = shares.T
    coef, *_ = np.linalg.lstsq(X, a, rcond=None)
    residual = np.mean((a - X @ coef) ** 2)
    snr = eta**2 * coalition_precision(G, std, [0, 1])
    assert residual == pytest.approx(eta**2 / (1 + snr), rel=0.02)


def test_coalition_report_columns_and_formulas():
    G = np.array([[1.0], [2.0], [4.0]])
    report = coalition_report(G, [1.0], 1, eta=2.0, sensitivity=0.5, delta=1e-5)
    assert list(report.coalition) == [(0,), (1,), (2,)]
    np.testing.assert_allclose(report.sigma_eff, [1.0, 2.0, 4.0])
    np.testing.assert_allclose(report.snr, 4.0 / np.array([1.0, 4.0, 16.0]))
    np.testing.assert_allclose(report.mi_bits, 0.5 * np.log2(1 + report.snr))
    np.testing.assert_allclose(report.mu, 0.5 / report.sigma_eff)
    assert report.epsilon[0] == pytest.approx(gaussian_epsilon(1.0, 1e-5, 0.5))


@pytest.mark.parametrize(("t", "n_nodes"), [(1, 2), (2, 3), (2, 4), (3, 4), (3, 5), (3, 6)])
def test_every_coalition_meets_the_privacy_target_exactly(t, n_nodes):
    sigma = 0.8
    scheme = LayeredMultiplication(t, n_nodes, sigma=sigma)
    for members in itertools.combinations(range(n_nodes), t):
        precision = exact_coalition_precision(scheme.generator, scheme.noise_std, list(members))
        assert precision <= 1 / sigma**2, f"coalition {members} sees sigma_eff below {sigma}"
    assert scheme.snr_p() == pytest.approx(1 / sigma**2, rel=1e-8)


def test_without_calibration_some_coalition_sees_less_than_sigma():
    scheme = LayeredMultiplication(2, 4, sigma=1.0, h=1e-2, calibrate=False)
    assert scheme.coalitions().sigma_eff.min() < 1.0
    assert np.all(scheme.noise_std[0] == 1.0)


def _slow_layered_shares(scheme: LayeredMultiplication, x: float, noise: np.ndarray) -> list[float]:
    """Equation (dpm-layered) written out node by node."""
    t, out = scheme.t, []
    for xi in scheme.points:
        value = x + noise[0] * (1 + xi**t)
        for j in range(1, t):
            value += noise[j] * xi**j
        out.append(value)
    return out


def test_shares_follow_the_layered_formula():
    scheme = LayeredMultiplication(3, 5, sigma=1.0, h=1e-2)
    rng = np.random.default_rng(2)
    shares = scheme.share(np.array([0.7]), np.random.default_rng(2))[:, 0]
    noise = rng.standard_normal((3, 1))[:, 0] * scheme.noise_std
    np.testing.assert_allclose(shares, _slow_layered_shares(scheme, 0.7, noise), rtol=1e-13)


def test_taylor_coefficients_are_the_product_and_its_cross_term():
    scheme = LayeredMultiplication(2, 3, sigma=1.0)
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal(1000), rng.standard_normal(1000)
    gen = np.random.default_rng(4)
    sa, sb = scheme.share(a, gen), scheme.share(b, gen)
    replay = np.random.default_rng(4)
    z = replay.standard_normal((2, 1000))[0] * scheme.noise_std[0]
    w = replay.standard_normal((2, 1000))[0] * scheme.noise_std[0]
    e0, et = scheme.taylor_coefficients(sa * sb)
    np.testing.assert_allclose(e0, (a + z) * (b + w), atol=1e-3)
    np.testing.assert_allclose(et, (a + z) * w + z * (b + w), atol=1e-2)


@pytest.mark.parametrize(("t", "n_nodes", "sigma"), [(1, 2, 1.0), (2, 3, 0.5), (2, 4, 2.0), (3, 4, 1.0)])
def test_monte_carlo_mse_matches_the_bound(t, n_nodes, sigma):
    scheme = LayeredMultiplication(t, n_nodes, sigma=sigma)
    mse = scheme.monte_carlo_mse(100_000, np.random.default_rng(5))
    snr = scheme.snr_p()
    assert mse == pytest.approx(float(lmse_bound(snr)), rel=0.05)
    assert mse < float(naive_lmse(snr))


def test_no_linear_combination_of_the_coefficients_beats_the_decoder():
    scheme = LayeredMultiplication(2, 3, sigma=1.0)
    rng = np.random.default_rng(6)
    a, b = rng.standard_normal(200_000), rng.standard_normal(200_000)
    e0, et = scheme.taylor_coefficients(scheme.share(a, rng) * scheme.share(b, rng))
    X = np.column_stack([e0, et])
    coef, *_ = np.linalg.lstsq(X, a * b, rcond=None)
    best = np.mean((a * b - X @ coef) ** 2)
    assert best >= scheme.theory_mse() * 0.97
    gamma, kappa = lmmse_weights(1.0, scheme.sigma_z)
    np.testing.assert_allclose(coef, [gamma, -gamma * kappa], atol=0.02)


def test_lmmse_weights_minimise_the_noise_variance():
    eta, sigma = 1.3, 0.7

    def variance(kappa: float) -> float:
        return (1 - kappa) ** 2 * 2 * eta**2 * sigma**2 + (1 - 2 * kappa) ** 2 * sigma**4

    _, kappa = lmmse_weights(eta, sigma)
    assert kappa == pytest.approx(minimize_scalar(variance).x, rel=1e-6)


def test_tradeoff_identities():
    snr = np.array([0.0, 0.25, 1.0, 4.0])
    np.testing.assert_allclose(1 + accuracy_snr(lmse_bound(snr)), (1 + snr) ** 2)
    np.testing.assert_allclose(naive_lmse(snr), (1 + 2 * snr) / (1 + snr) ** 2)
    assert np.all(naive_lmse(snr[1:]) > lmse_bound(snr[1:]))


def test_float32_breaks_where_float64_holds():
    scheme = LayeredMultiplication(3, sigma=1.0, h=1e-3)
    mse64 = scheme.monte_carlo_mse(20_000, np.random.default_rng(7), np.float64)
    with pytest.warns(RuntimeWarning, match="machine epsilon of float32"):
        mse32 = scheme.monte_carlo_mse(20_000, np.random.default_rng(7), np.float32)
    assert mse64 == pytest.approx(scheme.theory_mse(), rel=0.1)
    assert mse32 > float(naive_lmse(scheme.snr_p()))


def test_matmul_entries_are_on_the_scalar_curve():
    """Scalar-matrix equivalence: per-entry MSE / (k eta^4) equals the scalar bound."""
    scheme = LayeredMultiplication(2, 4, sigma=1.0)
    rng = np.random.default_rng(9)
    k, errors = 8, []
    for _ in range(400):
        a, b = rng.standard_normal((20, k)), rng.standard_normal((k, 20))
        errors.append(((scheme.matmul(a, b, rng) - a @ b) ** 2).ravel())
    mse = np.mean(np.concatenate(errors)) / k
    assert mse == pytest.approx(float(lmse_bound(scheme.snr_p())), rel=0.05)


def test_from_dp_meets_epsilon_for_every_coalition():
    scheme = LayeredMultiplication.from_dp(3, eps=2.0, delta=1e-6, sensitivity=0.5, n_nodes=5)
    report = scheme.coalitions(sensitivity=0.5, delta=1e-6)
    assert report.epsilon.max() <= 2.0 + 1e-9
    assert report.epsilon.max() == pytest.approx(2.0, abs=1e-6)


def test_decode_keeps_the_dtype_and_matrix_shapes():
    scheme = LayeredMultiplication(2, sigma=1.0)
    rng = np.random.default_rng(8)
    out = scheme.multiply(np.ones((3, 4)), np.ones((3, 4)), rng, dtype=np.float32)
    assert out.shape == (3, 4) and out.dtype == np.float32


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"t": 2, "n_nodes": 5}, ValueError, "BGW multiplies exactly"),
        ({"t": 2, "n_nodes": 2}, ValueError, "t \\+ 1 <= n_nodes <= 2t"),
        ({"t": 0}, ValueError, "t must be >= 1"),
        ({"t": 1, "sigma": 0.0}, ValueError, "sigma must be a finite number"),
        ({"t": 1, "sigma": "1"}, TypeError, "sigma must be a real number"),
        ({"t": 1, "h": 1.5}, ValueError, "h must be a finite number in \\(0.0, 1.0\\)"),
        ({"t": 1, "calibrate": 1}, TypeError, "calibrate must be a bool"),
    ],
)
def test_layered_rejects_bad_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        LayeredMultiplication(**kwargs)


def test_layered_rejects_bad_calls():
    scheme = LayeredMultiplication(2)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="one row per node \\(3\\)"):
        scheme.decode(np.ones((2, 5)))
    with pytest.raises(TypeError, match="dtype must be numpy.float32 or numpy.float64"):
        scheme.share([1.0], rng, dtype=np.int32)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        scheme.share([1.0], 0)
    with pytest.raises(ValueError, match="a and b must have the same shape"):
        scheme.multiply([1.0, 2.0], [1.0], rng)
    with pytest.raises(ValueError, match="a.shape\\[1\\] == b.shape\\[0\\]"):
        scheme.matmul(np.ones((2, 3)), np.ones((2, 3)), rng)
    with pytest.raises(ValueError, match="snr_p must be finite and >= 0"):
        lmse_bound(-1.0)
    with pytest.raises(ValueError, match="normalized_mse must be finite and > 0"):
        accuracy_snr(0.0)


def test_coalition_functions_reject_bad_input():
    with pytest.raises(ValueError, match="generator must be 2-D"):
        coalition_precision([1.0, 2.0], [1.0], [0])
    with pytest.raises(ValueError, match="noise_std must have one entry per column"):
        coalition_precision([[1.0, 2.0]], [1.0], [0])
    with pytest.raises(ValueError, match="members must be distinct node indices in \\[0, 2\\)"):
        coalition_precision([[1.0], [2.0]], [1.0], [0, 2])
    with pytest.raises(ValueError, match="size must be >= 1 and <= 2"):
        coalition_report([[1.0], [2.0]], [1.0], 3)
    with pytest.raises(ValueError, match="singular"):
        exact_coalition_precision([[1.0], [1.0]], [1.0], [0, 1])


def test_share_warns_when_h_to_the_t_reaches_rounding_noise():
    """Review finding: a too-small h silently left the curve; now float32/float64 warn."""
    import warnings

    with pytest.warns(RuntimeWarning, match="machine epsilon of float64"):
        LayeredMultiplication(3, h=1e-6).share([1.0], np.random.default_rng(0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # h**t = 1e-6 is fine in float32: no warning
        LayeredMultiplication(2, h=1e-3).share([1.0], np.random.default_rng(0), dtype=np.float32)


def test_default_h_keeps_large_t_on_the_curve_in_float64():
    """Review finding: t = 6 at h = 1e-3 was 136x off; the default h now grows with t."""
    import warnings

    assert LayeredMultiplication(2).h == 1e-3
    scheme = LayeredMultiplication(6)
    assert scheme.h**6 >= 1e3 * np.finfo(np.float64).eps
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mse = scheme.monte_carlo_mse(20_000, np.random.default_rng(3))
    assert mse == pytest.approx(scheme.theory_mse(), rel=0.1)
