"""Tests of trustlab.privacy.gaussian: analytic Gaussian calibration and the discrete Gaussian sampler."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from trustlab.privacy import (
    analytic_delta,
    analytic_epsilon,
    analytic_mu,
    discrete_gaussian_pmf,
    gaussian_delta,
    gaussian_epsilon,
    gaussian_sigma,
    sample_discrete_gaussian,
)

EPSILONS = [0.01, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0]
DELTAS = [1e-2, 1e-5, 1e-10]


def _dp_accounting():
    """Google's dp-accounting: the module layout changed between releases; accept both."""
    pytest.importorskip("dp_accounting")
    try:
        from dp_accounting.pld import common, privacy_loss_mechanism
    except ImportError:
        from dp_accounting import common, privacy_loss_mechanism
    return common, privacy_loss_mechanism


def _slow_delta(mu: float, eps: float) -> float:
    """(dp-analytic-delta) by numerical integration of the privacy-loss distribution.

    The privacy loss of N(0,1) against N(mu,1) is L ~ N(mu^2/2, mu^2) and
    delta(eps) = E[(1 - e^(eps - L))_+].
    """
    from scipy import integrate

    mean, sd = mu**2 / 2, mu

    def integrand(loss: float) -> float:
        return (1 - math.exp(eps - loss)) * stats.norm.pdf(loss, mean, sd)

    value, _ = integrate.quad(integrand, eps, mean + 40 * sd, epsabs=0, epsrel=1e-12, limit=500)
    return value


@pytest.mark.parametrize("eps", EPSILONS)
@pytest.mark.parametrize("delta", DELTAS)
def test_delta_matches_dp_accounting(eps, delta):
    _, plm = _dp_accounting()
    sigma = gaussian_sigma(eps, delta, sensitivity=1.0)
    theirs = plm.GaussianPrivacyLoss(sigma, sensitivity=1.0).get_delta_for_epsilon(eps)
    assert theirs == pytest.approx(delta, rel=1e-6)
    assert gaussian_delta(sigma, eps) == pytest.approx(theirs, rel=1e-6)


@pytest.mark.parametrize("eps", EPSILONS)
@pytest.mark.parametrize("delta", DELTAS)
def test_sigma_matches_dp_accounting_inverse(eps, delta):
    common, plm = _dp_accounting()
    params = common.DifferentialPrivacyParameters(eps, delta)
    theirs = plm.GaussianPrivacyLoss.from_privacy_guarantee(params, sensitivity=2.0).standard_deviation
    assert gaussian_sigma(eps, delta, sensitivity=2.0) == pytest.approx(theirs, rel=1e-6)


@pytest.mark.parametrize("mu, eps", [(0.3, 0.5), (1.0, 1.0), (2.0, 3.0), (4.0, 10.0)])
def test_delta_matches_privacy_loss_integral(mu, eps):
    assert analytic_delta(mu, eps) == pytest.approx(_slow_delta(mu, eps), rel=1e-8)


def test_known_value_from_notes():
    assert analytic_mu(1.0, 1e-5) == pytest.approx(0.268051, abs=1e-6)


def test_classic_formula_overnoises_below_one_and_is_refused_above():
    for eps in (0.1, 0.5, 0.9):
        classic = gaussian_sigma(eps, 1e-5, method="classic")
        assert classic > gaussian_sigma(eps, 1e-5)
        assert gaussian_delta(classic, eps) < 1e-5
    with pytest.raises(ValueError, match="only valid for eps < 1"):
        gaussian_sigma(2.0, 1e-5, method="classic")


def test_classic_formula_underestimates_at_large_eps():
    # the same expression evaluated at eps = 10 (where it is not a theorem) gives too little noise
    eps, delta = 10.0, 1e-5
    formula = math.sqrt(2 * math.log(1.25 / delta)) / eps
    assert gaussian_delta(formula, eps) > delta


@settings(max_examples=60, deadline=None)
@given(
    eps=st.floats(min_value=1e-3, max_value=50.0),
    log_delta=st.floats(min_value=-30.0, max_value=-0.5),
)
def test_calibration_round_trips(eps, log_delta):
    delta = 10.0**log_delta
    mu = analytic_mu(eps, delta)
    assert analytic_delta(mu, eps) == pytest.approx(delta, rel=1e-9)
    assert analytic_epsilon(mu, delta) == pytest.approx(eps, rel=1e-8, abs=1e-10)
    sigma = gaussian_sigma(eps, delta, sensitivity=3.0)
    assert gaussian_epsilon(sigma, delta, sensitivity=3.0) == pytest.approx(eps, rel=1e-8, abs=1e-10)


@settings(max_examples=60, deadline=None)
@given(mu=st.floats(min_value=0.05, max_value=20.0), eps=st.floats(min_value=0.0, max_value=40.0))
def test_delta_monotone(mu, eps):
    base = analytic_delta(mu, eps)
    assert 0.0 <= base <= 1.0
    assert analytic_delta(mu * 1.1, eps) >= base  # less noise, more delta
    assert analytic_delta(mu, eps + 0.1) <= base  # larger eps, less delta


def test_epsilon_zero_when_delta_already_met():
    mu = 0.01
    assert analytic_epsilon(mu, 0.5) == 0.0


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: analytic_mu(0.0, 1e-5), ValueError, "eps"),
        (lambda: analytic_mu(1.0, 1.5), ValueError, "delta"),
        (lambda: analytic_mu(1.0, 0.0), ValueError, "delta"),
        (lambda: analytic_mu("1", 1e-5), TypeError, "eps"),
        (lambda: analytic_mu(float("nan"), 1e-5), ValueError, "eps"),
        (lambda: analytic_delta(-1.0, 1.0), ValueError, "mu"),
        (lambda: analytic_delta(1.0, -1.0), ValueError, "eps"),
        (lambda: gaussian_sigma(1.0, 1e-5, sensitivity=0.0), ValueError, "sensitivity"),
        (lambda: gaussian_sigma(1.0, 1e-5, method="laplace"), ValueError, "method"),
        (lambda: gaussian_epsilon(True, 1e-5), TypeError, "sigma"),
        (lambda: sample_discrete_gaussian(-1.0, 3), ValueError, "sigma2"),
        (lambda: sample_discrete_gaussian(1.0, -3), ValueError, "size"),
        (lambda: sample_discrete_gaussian(1.0, 3, rng="seed"), TypeError, "rng"),
        (lambda: discrete_gaussian_pmf(1.0, np.array([0.5])), TypeError, "support"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize("sigma2", [0.5, 3.0, Fraction(25, 2)])
def test_discrete_gaussian_matches_pmf(sigma2):
    samples = sample_discrete_gaussian(sigma2, 20_000, rng=random.Random(7))
    bound = int(4 * math.sqrt(float(sigma2))) + 1
    support = np.arange(-bound, bound + 1)
    probs = discrete_gaussian_pmf(float(sigma2), support)
    clipped = np.clip(samples, -bound - 1, bound + 1)
    observed = np.array([(clipped == k).sum() for k in support] + [(np.abs(clipped) > bound).sum()])
    expected = np.append(probs, 1 - probs.sum()) * len(samples)
    keep = expected > 5
    chi2 = ((observed[keep] - expected[keep]) ** 2 / expected[keep]).sum()
    assert stats.chi2.sf(chi2, keep.sum() - 1) > 1e-3


def test_discrete_gaussian_reproducible_and_integer():
    a = sample_discrete_gaussian(2.0, 50, rng=np.random.default_rng(3))
    b = sample_discrete_gaussian(2.0, 50, rng=np.random.default_rng(3))
    assert a.dtype == np.int64 and np.array_equal(a, b)
    assert sample_discrete_gaussian(2.0, 0, rng=1).shape == (0,)


def test_discrete_gaussian_refuses_scales_beyond_int64():
    """Review finding: sigma2 = 1e38 raised OverflowError instead of a ValueError."""
    with pytest.raises(ValueError, match="sigma2 must be in \\(0, 2\\*\\*100\\]"):
        sample_discrete_gaussian(1e38, 3, rng=0)
    with pytest.raises(ValueError, match="sigma2 must be in"):
        sample_discrete_gaussian(Fraction(2**101), 3, rng=0)
    assert sample_discrete_gaussian(float(2**100), 3, rng=0).dtype == np.int64


def test_analytic_delta_is_never_negative_zero():
    """Review finding: analytic_delta(1e-8, 1) returned -0.0."""
    value = analytic_delta(1e-8, 1.0)
    assert value == 0.0 and math.copysign(1.0, value) == 1.0
