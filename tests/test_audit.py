"""Tests of trustlab.privacy.audit: Clopper-Pearson bounds, the epsilon lower bound, the colluders' view."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from trustlab.privacy import (
    CorDPDesign,
    NoiseParams,
    analytic_epsilon,
    analytic_mu,
    audit_cordp,
    clopper_pearson_upper,
    colluder_view,
    cordp_mu,
    cordp_optimal,
    epsilon_lower_bound,
    likelihood_ratio_scores,
)


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 500), frac=st.floats(0, 1), level=st.floats(0.5, 0.999))
def test_clopper_pearson_is_an_exact_upper_bound(n, frac, level):
    k = int(frac * n)
    upper = clopper_pearson_upper(k, n, level)
    assert k / n <= upper <= 1
    if k < n:  # at p = upper, seeing k or fewer successes has probability exactly 1 - level
        assert stats.binom.cdf(k, n, upper) == pytest.approx(1 - level, rel=1e-6, abs=1e-12)


def test_bound_is_valid_for_an_exact_gaussian_mechanism():
    """Scores of a mechanism with known eps: the bound must stay below it (5 independent runs)."""
    eps, delta = 1.0, 1e-5
    mu = analytic_mu(eps, delta)
    rng = np.random.default_rng(0)
    for _ in range(5):
        result = epsilon_lower_bound(rng.standard_normal(50_000), mu + rng.standard_normal(50_000), delta)
        assert 0 <= result.epsilon_lower < eps


def test_bound_detects_a_leaky_mechanism():
    """mu = 3 at delta = 1e-5 is eps ~ 9.6; claiming eps = 1 must be refuted."""
    delta = 1e-5
    rng = np.random.default_rng(1)
    result = epsilon_lower_bound(rng.standard_normal(100_000), 3.0 + rng.standard_normal(100_000), delta)
    assert analytic_epsilon(3.0, delta) > result.epsilon_lower > 1.0
    assert result.fpr <= result.fpr_upper and result.fnr <= result.fnr_upper


def test_identical_distributions_give_zero():
    rng = np.random.default_rng(2)
    result = epsilon_lower_bound(rng.standard_normal(20_000), rng.standard_normal(20_000), 1e-5)
    assert result.epsilon_lower == pytest.approx(0.0, abs=0.05)


def test_colluder_view_has_the_derived_covariance():
    n, T, params = 7, 3, NoiseParams(0.8, 1.7)
    view = colluder_view(n, T, params, 200_000, np.random.default_rng(3))
    m = n - T
    closed = (params.x + m * params.y) * np.eye(m) - params.y * np.ones((m, m))
    np.testing.assert_allclose(np.cov(view.T), closed, atol=0.05 * closed[0, 0])


def test_likelihood_ratio_scores_are_standardised():
    n, T, params = 8, 2, NoiseParams(0.5, 2.0)
    rng = np.random.default_rng(4)
    s0 = likelihood_ratio_scores(colluder_view(n, T, params, 100_000, rng), n, T, params)
    s1 = likelihood_ratio_scores(colluder_view(n, T, params, 100_000, rng, shift=2.0), n, T, params)
    mu = cordp_mu(n, T, params, 2.0)
    assert s0.mean() == pytest.approx(0, abs=0.02) and s0.std() == pytest.approx(1, abs=0.02)
    assert s1.mean() == pytest.approx(mu, abs=0.02)


def test_audit_passes_the_right_design_and_flags_the_colluder_blind_one():
    n, T, eps, delta = 20, 15, 1.0, 1e-5
    good = cordp_optimal(CorDPDesign(n, T, 0, eps, delta))
    blind = cordp_optimal(CorDPDesign(n, 0, 0, eps, delta))  # calibrated as if nobody colluded
    assert analytic_epsilon(cordp_mu(n, T, blind, 2.0), delta) > 2 * eps
    rng = np.random.default_rng(5)
    assert audit_cordp(n, T, good, 2.0, delta, 100_000, rng).epsilon_lower < eps
    assert audit_cordp(n, T, blind, 2.0, delta, 100_000, rng).epsilon_lower > eps


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: clopper_pearson_upper(5, 3, 0.9), ValueError, "k must"),
        (lambda: clopper_pearson_upper(1, 3, 1.0), ValueError, "level"),
        (lambda: epsilon_lower_bound([0.0, 1.0], [0.0, 1.0, 2.0, 3.0], 1e-5), ValueError, "scores0"),
        (lambda: epsilon_lower_bound(np.zeros(8), np.full(8, np.inf), 1e-5), ValueError, "scores1"),
        (lambda: epsilon_lower_bound(np.zeros(8), np.zeros(8), 1.0), ValueError, "delta"),
        (
            lambda: colluder_view(5, 5, NoiseParams(1.0, 1.0), 10, np.random.default_rng()),
            ValueError,
            "T must",
        ),
        (
            lambda: likelihood_ratio_scores(np.zeros((10, 3)), 5, 1, NoiseParams(1.0, 1.0)),
            ValueError,
            "views",
        ),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_epsilon_from_rates_formula():
    from trustlab.privacy.audit import _epsilon_from_rates

    assert _epsilon_from_rates(0.01, 0.5, 0.0) == pytest.approx(math.log(0.5 / 0.01))
    assert _epsilon_from_rates(0.5, 0.5, 0.0) == 0.0


def test_audit_accepts_seeds_and_rejects_other_rng():
    """Review finding: an int or None rng raised AttributeError."""
    params = NoiseParams(4.0, 1.0)
    first = colluder_view(5, 2, params, 10, 3)
    np.testing.assert_array_equal(first, colluder_view(5, 2, params, 10, 3))
    assert audit_cordp(5, 2, params, 2.0, 1e-5, 50, 0).n_eval == 25
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator, an int seed or None"):
        colluder_view(5, 2, params, 10, "seed")
    with pytest.raises(TypeError, match="params must be a NoiseParams"):
        likelihood_ratio_scores(np.zeros((4, 3)), 5, 2, (4.0, 1.0))
