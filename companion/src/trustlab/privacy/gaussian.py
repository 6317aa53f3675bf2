"""The Gaussian mechanism, calibrated exactly, and an exact discrete Gaussian sampler.

Calibration follows the analytic Gaussian mechanism of Balle & Wang (2018): adding
``N(0, sigma^2)`` to a query of L2 sensitivity ``Delta`` is (eps, delta)-DP exactly when

    delta >= Phi(mu/2 - eps/mu) - e^eps Phi(-mu/2 - eps/mu),   mu = Delta / sigma,

equation ``(dp-analytic-delta)`` of the chapter ``book/privacy/correlated-dp-mean.md``. This is
valid for every eps > 0; the classical ``sigma = Delta sqrt(2 ln(1.25/delta)) / eps`` is only
proved for eps < 1 and over-noises there.

.. warning::
   **Floating-point Gaussian noise is not a safe DP implementation.** Mironov (2012) showed
   that the set of doubles a floating-point sampler can return depends on the noiseless
   value, so an attacker who sees the exact bits of a noisy output can distinguish
   neighbouring inputs, whatever sigma is. The continuous samplers in
   :mod:`trustlab.privacy` (``numpy`` normals) are for *simulation and analysis*: they give
   the right distributions to double precision, which is what the chapter's Monte Carlo
   checks need. A deployment must work on a discretised grid with an exact sampler such as
   :func:`sample_discrete_gaussian` (Canonne, Kamath & Steinke, 2020) and a
   cryptographically secure source of randomness.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, special

from trustlab._checks import check_int, check_real

__all__ = [
    "analytic_delta",
    "analytic_epsilon",
    "analytic_mu",
    "discrete_gaussian_pmf",
    "gaussian_delta",
    "gaussian_epsilon",
    "gaussian_sigma",
    "sample_discrete_gaussian",
]


def analytic_delta(mu: float, eps: float) -> float:
    """Exact delta of a Gaussian mechanism with signal-to-noise ratio ``mu`` at ``eps``.

    Implements ``(dp-analytic-delta)``: ``Phi(mu/2 - eps/mu) - e^eps Phi(-mu/2 - eps/mu)``,
    evaluated in log space so that it keeps full relative precision down to
    ``delta ~ 1e-300``.

    Parameters
    ----------
    mu : float
        Sensitivity over noise standard deviation, ``Delta / sigma`` (> 0).
    eps : float
        Privacy parameter epsilon (>= 0).

    Returns
    -------
    float
        The smallest delta for which the mechanism is (eps, delta)-DP.

    Examples
    --------
    >>> round(analytic_delta(0.26805, 1.0) * 1e5, 3)
    1.0
    """
    mu = check_real(mu, "mu", low=0.0)
    eps = check_real(eps, "eps", low=0.0, low_open=False)
    a = mu / 2 - eps / mu
    b = -mu / 2 - eps / mu
    log_a = special.log_ndtr(a)
    ratio = eps + special.log_ndtr(b) - log_a  # log of the second term over the first, < 0
    # clamp: for tiny mu both terms round to the same value and the difference can be -0.0
    return max(0.0, float(math.exp(log_a) * -math.expm1(ratio)))


def _bracket_root(fun, lo: float, hi: float) -> tuple[float, float]:
    """Widen ``[lo, hi]`` geometrically until ``fun`` changes sign on it."""
    for _ in range(200):
        if fun(lo) < 0 < fun(hi):
            return lo, hi
        if fun(lo) >= 0:
            lo /= 4
        if fun(hi) <= 0:
            hi *= 4
    raise RuntimeError("could not bracket the root; the arguments are outside the supported range")


def analytic_mu(eps: float, delta: float) -> float:
    """Largest ``mu = Delta / sigma`` for which the Gaussian mechanism is (eps, delta)-DP.

    Solves ``analytic_delta(mu, eps) = delta`` (increasing in ``mu``) with Brent's method to
    machine precision: the calibration of ``(dp-analytic-delta)``.

    Parameters
    ----------
    eps : float
        Target epsilon (> 0); any value, including eps > 1.
    delta : float
        Target delta, in (0, 1).

    Returns
    -------
    float
        ``mu*``; the noise is ``sigma = Delta / mu*``.

    Examples
    --------
    >>> round(analytic_mu(1.0, 1e-5), 6)
    0.268051
    """
    eps = check_real(eps, "eps", low=0.0)
    delta = check_real(delta, "delta", low=0.0, high=1.0)
    log_target = math.log(delta)

    def gap(mu: float) -> float:
        value = analytic_delta(mu, eps)
        return (math.log(value) if value > 0 else -math.inf) - log_target

    lo, hi = _bracket_root(gap, 0.5, 2.0)
    return float(optimize.brentq(gap, lo, hi, xtol=1e-300, rtol=4 * np.finfo(float).eps, maxiter=500))


def analytic_epsilon(mu: float, delta: float) -> float:
    """Smallest eps for which a Gaussian mechanism with ratio ``mu`` is (eps, delta)-DP.

    The inverse of :func:`analytic_mu` in its first argument: solves
    ``analytic_delta(mu, eps) = delta`` (decreasing in ``eps``). Returns 0 when even eps = 0
    meets ``delta``, i.e. when ``delta >= 2 Phi(mu/2) - 1``.

    Parameters
    ----------
    mu : float
        ``Delta / sigma`` (> 0).
    delta : float
        Target delta, in (0, 1).

    Examples
    --------
    >>> round(analytic_epsilon(analytic_mu(3.0, 1e-6), 1e-6), 10)
    3.0
    """
    mu = check_real(mu, "mu", low=0.0)
    delta = check_real(delta, "delta", low=0.0, high=1.0)
    if analytic_delta(mu, 0.0) <= delta:
        return 0.0
    log_target = math.log(delta)

    def gap(eps: float) -> float:
        value = analytic_delta(mu, eps)
        return log_target - (math.log(value) if value > 0 else -math.inf)

    lo, hi = _bracket_root(gap, 1e-3, 1.0)
    return float(optimize.brentq(gap, lo, hi, xtol=1e-300, rtol=4 * np.finfo(float).eps, maxiter=500))


def gaussian_sigma(
    eps: float,
    delta: float,
    sensitivity: float = 1.0,
    method: Literal["analytic", "classic"] = "analytic",
) -> float:
    """Noise standard deviation that makes the Gaussian mechanism (eps, delta)-DP.

    Parameters
    ----------
    eps : float
        Target epsilon (> 0).
    delta : float
        Target delta, in (0, 1).
    sensitivity : float, default=1.0
        L2 sensitivity ``Delta`` of the query (> 0).
    method : {"analytic", "classic"}, default="analytic"
        ``"analytic"``: the exact ``Delta / analytic_mu(eps, delta)`` of
        ``(dp-analytic-delta)``. ``"classic"``: ``Delta sqrt(2 ln(1.25/delta)) / eps``
        (Dwork & Roth, Theorem A.1), which is only proved for eps < 1 and is refused above.

    Returns
    -------
    float
        sigma.

    Examples
    --------
    >>> round(gaussian_sigma(1.0, 1e-5, sensitivity=2.0), 4)
    7.4613
    """
    sensitivity = check_real(sensitivity, "sensitivity", low=0.0)
    if method == "analytic":
        return sensitivity / analytic_mu(eps, delta)
    if method == "classic":
        eps = check_real(eps, "eps", low=0.0)
        delta = check_real(delta, "delta", low=0.0, high=1.0)
        if eps >= 1:
            raise ValueError(
                f"the classical Gaussian mechanism is only valid for eps < 1, got eps={eps}; "
                "use method='analytic'"
            )
        return sensitivity * math.sqrt(2 * math.log(1.25 / delta)) / eps
    raise ValueError(f"method must be 'analytic' or 'classic', got {method!r}")


def gaussian_delta(sigma: float, eps: float, sensitivity: float = 1.0) -> float:
    """Exact delta at ``eps`` of the Gaussian mechanism with noise ``sigma``.

    Examples
    --------
    >>> gaussian_delta(gaussian_sigma(2.0, 1e-6), 2.0) == analytic_delta(analytic_mu(2.0, 1e-6), 2.0)
    True
    """
    sigma = check_real(sigma, "sigma", low=0.0)
    sensitivity = check_real(sensitivity, "sensitivity", low=0.0)
    return analytic_delta(sensitivity / sigma, eps)


def gaussian_epsilon(sigma: float, delta: float, sensitivity: float = 1.0) -> float:
    """Exact epsilon at ``delta`` of the Gaussian mechanism with noise ``sigma``.

    The inverse of :func:`gaussian_sigma` (``method="analytic"``).

    Examples
    --------
    >>> round(gaussian_epsilon(gaussian_sigma(0.5, 1e-5, 3.0), 1e-5, 3.0), 10)
    0.5
    """
    sigma = check_real(sigma, "sigma", low=0.0)
    sensitivity = check_real(sensitivity, "sensitivity", low=0.0)
    return analytic_epsilon(sensitivity / sigma, delta)


# ----------------------------------------------------------------------------------------
# Exact discrete Gaussian sampling (Canonne, Kamath & Steinke 2020), rational arithmetic
# ----------------------------------------------------------------------------------------


def _bernoulli(p: Fraction, rnd: random.Random) -> bool:
    """Exact Bernoulli(p) for a rational p in [0, 1]."""
    return rnd.randrange(p.denominator) < p.numerator


def _bernoulli_exp(gamma: Fraction, rnd: random.Random) -> bool:
    """Exact Bernoulli(exp(-gamma)) for a rational gamma >= 0 (CKS 2020, Algorithm 1)."""
    while gamma > 1:  # exp(-gamma) = exp(-1)^floor(gamma) exp(-(gamma - floor(gamma)))
        if not _bernoulli_exp(Fraction(1), rnd):
            return False
        gamma -= 1
    k = 1
    while _bernoulli(gamma / k, rnd):
        k += 1
    return k % 2 == 1


def _discrete_laplace(t: int, rnd: random.Random) -> int:
    """Exact discrete Laplace with P(x) proportional to exp(-|x|/t) (CKS 2020, Algorithm 2)."""
    while True:
        u = rnd.randrange(t)
        if not _bernoulli_exp(Fraction(u, t), rnd):
            continue
        v = 0
        while _bernoulli_exp(Fraction(1), rnd):
            v += 1
        value = u + t * v
        negative = rnd.randrange(2) == 1
        if negative and value == 0:
            continue
        return -value if negative else value


MAX_DISCRETE_SIGMA2: int = 2**100
"""Largest ``sigma2`` for :func:`sample_discrete_gaussian`: samples then stay below ``2**63``
(the int64 output) with a margin of more than ``10**4`` standard deviations."""


def _as_fraction(sigma2: float | Fraction, name: str) -> Fraction:
    if isinstance(sigma2, Fraction):
        out = sigma2
    else:
        out = Fraction(check_real(sigma2, name, low=0.0))
    if not 0 < out <= MAX_DISCRETE_SIGMA2:
        raise ValueError(
            f"{name} must be in (0, 2**100] so that the samples fit in int64, got {float(sigma2)!r}"
        )
    return out


def sample_discrete_gaussian(
    sigma2: float | Fraction,
    size: int,
    rng: random.Random | np.random.Generator | int | None = None,
) -> NDArray[np.int64]:
    """Exact samples of the discrete Gaussian ``N_Z(0, sigma2)`` on the integers.

    ``P(X = k)`` is proportional to ``exp(-k^2 / (2 sigma2))``. The sampler of Canonne,
    Kamath & Steinke (2020, Algorithm 3) uses only exact integer and rational arithmetic:
    a discrete Laplace proposal and a Bernoulli(exp(-gamma)) acceptance, so its output
    distribution is exact given exact uniform integers. It is a Python loop (tens of
    microseconds per sample): meant for deployment-grade noise, not for simulation.

    Parameters
    ----------
    sigma2 : float or Fraction
        The scale parameter, in ``(0, 2**100]`` (the int64 output). A float is converted to the rational it exactly equals.
    size : int
        Number of samples (>= 0).
    rng : random.Random, numpy.random.Generator, int or None
        Source of uniform integers. Pass ``secrets.SystemRandom()`` in a deployment; a
        numpy Generator or an int seeds a ``random.Random`` (reproducible, not secure).

    Returns
    -------
    ndarray of int64, shape (size,)

    Examples
    --------
    >>> x = sample_discrete_gaussian(4.0, 2000, rng=0)
    >>> bool(abs(x.mean()) < 0.3 and 3.0 < x.var() < 5.0)
    True
    """
    s2 = _as_fraction(sigma2, "sigma2")
    size = check_int(size, "size")
    if isinstance(rng, random.Random):
        rnd = rng
    elif isinstance(rng, np.random.Generator):
        rnd = random.Random(int(rng.integers(2**63)))
    elif rng is None or (isinstance(rng, (int, np.integer)) and not isinstance(rng, bool)):
        rnd = random.Random(None if rng is None else int(rng))
    else:
        raise TypeError(
            f"rng must be a random.Random, numpy Generator, int or None, got {type(rng).__name__}"
        )
    t = math.isqrt(math.floor(s2)) + 1  # floor(sigma) + 1, computed exactly
    out = np.empty(size, dtype=np.int64)
    for i in range(size):
        while True:
            y = _discrete_laplace(t, rnd)
            gamma = (abs(y) - s2 / t) ** 2 / (2 * s2)
            if _bernoulli_exp(gamma, rnd):
                out[i] = y
                break
    return out


def discrete_gaussian_pmf(sigma2: float, support: NDArray[np.integer]) -> NDArray[np.float64]:
    """Probabilities of ``support`` under ``N_Z(0, sigma2)`` (normalised over all integers).

    The normaliser ``sum_k exp(-k^2 / (2 sigma2))`` is summed over ``|k| <= 40 sqrt(sigma2) + 40``,
    beyond which the terms are below double precision.

    Examples
    --------
    >>> p = discrete_gaussian_pmf(1.0, np.arange(-20, 21))
    >>> bool(abs(p.sum() - 1) < 1e-12)
    True
    """
    sigma2 = check_real(sigma2, "sigma2", low=0.0)
    bound = int(40 * math.sqrt(sigma2) + 40)
    k = np.arange(-bound, bound + 1)
    norm = np.exp(-(k**2) / (2 * sigma2)).sum()
    support = np.asarray(support)
    if not np.issubdtype(support.dtype, np.integer):
        raise TypeError(f"support must hold integers, got dtype {support.dtype}")
    return np.exp(-(support.astype(float) ** 2) / (2 * sigma2)) / norm
