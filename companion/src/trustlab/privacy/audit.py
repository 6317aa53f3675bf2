"""Empirical privacy audit: a statistical lower bound on epsilon from many runs of a mechanism.

If a mechanism is (eps, delta)-DP, every test that tries to tell two neighbouring datasets
apart from its output has a false-positive rate ``alpha`` and false-negative rate ``beta``
with ``alpha + e^eps beta >= 1 - delta`` and ``e^eps alpha + beta >= 1 - delta``
(Kairouz, Oh & Viswanath 2015). Upper confidence bounds on ``alpha`` and ``beta``
(Clopper-Pearson) therefore give a lower confidence bound on eps, equation
``(audit-eps)`` of the chapter ``book/privacy/correlated-dp-mean.md``. A bound above the
claimed eps proves the claim false (at the stated confidence); a bound below it is
consistent with the claim but proves nothing.

For CorDP the adversary is the server plus ``T`` colluding users, who also know the masks
they share with honest users; :func:`colluder_view` produces that view from the explicit
protocol and :func:`likelihood_ratio_scores` is the most powerful test against it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from trustlab._checks import as_generator, check_int, check_real
from trustlab.privacy.cordp import NoiseParams, pair_incidence, pairwise_noise

__all__ = [
    "AuditResult",
    "audit_cordp",
    "clopper_pearson_upper",
    "colluder_view",
    "epsilon_lower_bound",
    "likelihood_ratio_scores",
]


@dataclass(frozen=True)
class AuditResult:
    """Outcome of :func:`epsilon_lower_bound`.

    Attributes
    ----------
    epsilon_lower : float
        Lower confidence bound on the mechanism's epsilon.
    threshold : float
        The threshold of the test "guess the second dataset when score > threshold",
        chosen on the first half of the runs.
    fpr, fnr : float
        Its false-positive and false-negative rates on the second half.
    fpr_upper, fnr_upper : float
        Their Clopper-Pearson upper bounds (each at level ``1 - (1 - confidence) / 2``).
    n_eval : int
        Runs per hypothesis used for the bound.
    confidence : float
        Joint confidence of the bound.
    """

    epsilon_lower: float
    threshold: float
    fpr: float
    fnr: float
    fpr_upper: float
    fnr_upper: float
    n_eval: int
    confidence: float


def clopper_pearson_upper(k: int, n: int, level: float) -> float:
    """One-sided Clopper-Pearson upper bound at ``level`` for ``k`` successes in ``n`` trials.

    Examples
    --------
    >>> round(clopper_pearson_upper(0, 100, 0.95), 4)  # the "rule of three": about 3/n
    0.0295
    """
    n = check_int(n, "n", low=1)
    k = check_int(k, "k", low=0, high=n)
    level = check_real(level, "level", low=0.0, high=1.0)
    if k == n:
        return 1.0
    return float(stats.beta.ppf(level, k + 1, n - k))


def _epsilon_from_rates(fpr: float, fnr: float, delta: float) -> float:
    """``max(0, log((1 - delta - fnr) / fpr), log((1 - delta - fpr) / fnr))``, ``(audit-eps)``."""
    best = 0.0
    for a, b in ((fpr, fnr), (fnr, fpr)):
        if 1 - delta - b > 0 and a > 0:
            best = max(best, math.log((1 - delta - b) / a))
    return best


def epsilon_lower_bound(
    scores0: ArrayLike, scores1: ArrayLike, delta: float, confidence: float = 0.95, n_thresholds: int = 200
) -> AuditResult:
    """Lower confidence bound on epsilon from a threshold test on attack scores.

    The first half of each sample chooses the threshold (the one whose Clopper-Pearson
    bound is largest there); the second half, untouched by that choice, gives the bound.

    Parameters
    ----------
    scores0, scores1 : array-like of shape (runs,)
        The attack's score on independent runs of the mechanism on the first and the second
        neighbouring dataset; larger scores should point to the second.
    delta : float
        The mechanism's claimed delta, in [0, 1).
    confidence : float, default=0.95
        Joint confidence of the two Clopper-Pearson bounds.
    n_thresholds : int, default=200
        Candidate thresholds (quantiles of the pooled first halves).

    Returns
    -------
    AuditResult
    """
    s0 = _as_scores(scores0, "scores0")
    s1 = _as_scores(scores1, "scores1")
    delta = check_real(delta, "delta", low=0.0, low_open=False, high=1.0)
    confidence = check_real(confidence, "confidence", low=0.0, high=1.0)
    n_thresholds = check_int(n_thresholds, "n_thresholds", low=1)
    level = 1 - (1 - confidence) / 2
    h0, h1 = len(s0) // 2, len(s1) // 2
    sel0, ev0 = np.sort(s0[:h0]), s0[h0:]
    sel1, ev1 = np.sort(s1[:h1]), s1[h1:]
    candidates = np.quantile(np.concatenate([sel0, sel1]), np.linspace(0, 1, n_thresholds + 2)[1:-1])

    def bound(t: float, a0: NDArray, a1: NDArray, sorted_: bool) -> tuple[float, float, float, float, float]:
        if sorted_:
            false_pos = len(a0) - int(np.searchsorted(a0, t, side="right"))
            false_neg = int(np.searchsorted(a1, t, side="right"))
        else:
            false_pos, false_neg = int((a0 > t).sum()), int((a1 <= t).sum())
        fpr_u = clopper_pearson_upper(false_pos, len(a0), level)
        fnr_u = clopper_pearson_upper(false_neg, len(a1), level)
        eps = _epsilon_from_rates(fpr_u, fnr_u, delta)
        return eps, false_pos / len(a0), false_neg / len(a1), fpr_u, fnr_u

    best_t = max(candidates, key=lambda t: bound(t, sel0, sel1, True)[0])
    eps, fpr, fnr, fpr_u, fnr_u = bound(best_t, ev0, ev1, False)
    return AuditResult(eps, float(best_t), fpr, fnr, fpr_u, fnr_u, min(len(ev0), len(ev1)), confidence)


def colluder_view(
    n: int,
    T: int,
    params: NoiseParams,
    runs: int,
    rng: np.random.Generator | int | None,
    *,
    shift: float = 0.0,
) -> NDArray[np.float64]:
    """What the server and the last ``T`` users see of the honest users, on one coordinate.

    Runs the explicit protocol ``(cordp-protocol)`` ``runs`` times (one coordinate each; the
    others are independent of the secret). All users hold 0 except user 0, who holds
    ``shift`` (0 and ``Delta`` are the neighbouring datasets). The colluders subtract every
    mask they share with an honest user from that user's message; what is left is the
    honest users' view, shape ``(runs, n - T)``. ``rng`` may be a Generator, an int seed or None.
    """
    n = check_int(n, "n", low=2)
    T = check_int(T, "T", low=0, high=n - 1)
    runs = check_int(runs, "runs", low=1)
    shift = check_real(shift, "shift")
    pairs, B = pair_incidence(n)
    Z, _, S = pairwise_noise(n, runs, params, rng, return_parts=True)
    honest = n - T
    known = pairs[:, 1] >= honest  # pairs with a colluder (j > i, colluders are the last T)
    residual = Z[:honest] - B[:honest][:, known] @ S[known]
    residual[0] += shift
    return residual.T


def likelihood_ratio_scores(views: ArrayLike, n: int, T: int, params: NoiseParams) -> NDArray[np.float64]:
    """Most powerful test statistic for "user 0's value moved up" from :func:`colluder_view`.

    The honest noise covariance ``K_h = x I + y B_h B_h^T`` is computed from the protocol's
    incidence matrix (restricted to honest-honest pairs), not from the closed form, so the
    audit does not rely on the derivation it checks. The score ``a^T v / sqrt(a^T K_h a)``
    with ``a = K_h^{-1} e_0`` is ``N(0, 1)`` on the first dataset and ``N(mu, 1)`` on the second.
    """
    n = check_int(n, "n", low=2)
    T = check_int(T, "T", low=0, high=n - 1)
    if not isinstance(params, NoiseParams):
        raise TypeError(f"params must be a NoiseParams, got {type(params).__name__}")
    honest = n - T
    v = np.asarray(views, dtype=float)
    if v.ndim != 2 or v.shape[1] != honest:
        raise ValueError(f"views must have shape (runs, n - T = {honest}), got {v.shape}")
    pairs, B = pair_incidence(n)
    inside = pairs[:, 1] < honest
    Bh = B[:honest][:, inside]
    K = params.x * np.eye(honest) + params.y * Bh @ Bh.T
    a = np.linalg.solve(K, np.eye(honest)[0])
    return v @ a / math.sqrt(a @ K @ a)


def audit_cordp(
    n: int,
    T: int,
    params: NoiseParams,
    sensitivity: float,
    delta: float,
    runs: int,
    rng: np.random.Generator | int | None,
    confidence: float = 0.95,
) -> AuditResult:
    """Audit CorDP's privacy against the server plus ``T`` colluders.

    ``runs`` protocol runs on each of the neighbouring datasets (user 0 holds 0 or
    ``sensitivity``), scored by :func:`likelihood_ratio_scores`, bounded by
    :func:`epsilon_lower_bound`. ``rng`` may be a Generator, an int seed or None (one
    Generator then serves both datasets).
    """
    sensitivity = check_real(sensitivity, "sensitivity", low=0.0)
    rng = as_generator(rng)
    views0 = colluder_view(n, T, params, runs, rng)
    views1 = colluder_view(n, T, params, runs, rng, shift=sensitivity)
    s0 = likelihood_ratio_scores(views0, n, T, params)
    s1 = likelihood_ratio_scores(views1, n, T, params)
    return epsilon_lower_bound(s0, s1, delta, confidence)


def _as_scores(values: ArrayLike, name: str) -> NDArray[np.float64]:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or len(arr) < 4:
        raise ValueError(f"{name} must be 1-D with at least 4 runs, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return arr
