"""Correlated Gaussian noise for differentially private distributed mean estimation.

``n`` users hold vectors ``x_i`` in R^d (L2 norm at most ``c``; replacing one vector moves
it by at most ``Delta = 2c``) and send ``Y_i = x_i + Z_i`` to an untrusted server that
averages the responses. Three mechanisms, all described by two variances:

- local DP (LDP): independent ``Z_i ~ N(0, tau I)``;
- secure-aggregation DP (SecAgg): the server only learns the sum; each user adds
  ``N(0, tau / (n - D - T) I)`` so that the honest noise left after ``T`` colluders and
  ``D`` dropouts is still ``tau``;
- CorDP (Vithana, Cadambe, Calmon & Jeong 2024), in **our pairwise-mask form** (chapter
  equation ``(cordp-protocol)``): ``Z_i = N_i + sum_{j>i} S_ij - sum_{j<i} S_ji`` with
  independent ``N_i ~ N(0, x I)`` and, per pair, a mask ``S_ij ~ N(0, y I)`` that both
  users derive from a shared seed. The masks cancel in the sum of all users.

``tau`` is the noise of the Gaussian mechanism calibrated exactly
(:func:`trustlab.privacy.gaussian.analytic_mu`). The paper's Section IV protocol was not
available to us; the privacy condition ``(cordp-mu)``, the MSE ``(cordp-mse)`` and the
optimum ``(cordp-opt)`` are derived in the chapter for this form.

The samplers here are floating point: see the warning in :mod:`trustlab.privacy.gaussian`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from trustlab._checks import as_generator, check_int, check_real
from trustlab.privacy.gaussian import analytic_mu

__all__ = [
    "CorDPDesign",
    "NoiseParams",
    "cordp_mu",
    "cordp_optimal",
    "correlated_noise",
    "estimate_mean",
    "ldp_params",
    "mse_per_coordinate",
    "pair_incidence",
    "pairwise_noise",
    "privatize",
    "secagg_params",
    "simulate_mse",
]


@dataclass(frozen=True)
class CorDPDesign:
    """What a deployment promises: n users, privacy against T colluders, utility under D dropouts.

    Parameters
    ----------
    n : int
        Number of users (>= 2).
    T : int, default=0
        Colluding users the privacy guarantee must hold against (0 <= T <= n - 1).
    D : int, default=0
        Dropouts the design optimises the MSE for (0 <= D <= n - T - 1).
    eps, delta : float
        The (eps, delta)-DP target for each honest user's vector (eps > 0, 0 < delta < 1).
    sensitivity : float, default=2.0
        L2 sensitivity ``Delta`` of one user's vector (2c for vectors in the ball of radius c).
    """

    n: int
    T: int = 0
    D: int = 0
    eps: float = 1.0
    delta: float = 1e-5
    sensitivity: float = 2.0

    def __post_init__(self) -> None:
        n = check_int(self.n, "n", low=2)
        T = check_int(self.T, "T", low=0, high=n - 1)
        check_int(self.D, "D", low=0, high=n - T - 1)
        check_real(self.eps, "eps", low=0.0)
        check_real(self.delta, "delta", low=0.0, high=1.0)
        check_real(self.sensitivity, "sensitivity", low=0.0)

    @property
    def honest(self) -> int:
        """Number of honest users ``m = n - T``."""
        return self.n - self.T

    @property
    def tau(self) -> float:
        """Per-coordinate variance of the LDP Gaussian mechanism, ``(Delta / mu*)^2`` ``(dp-tau)``."""
        return (self.sensitivity / analytic_mu(self.eps, self.delta)) ** 2


@dataclass(frozen=True)
class NoiseParams:
    """Per-coordinate variances of the independent noise (``x``) and of each pairwise mask (``y``).

    LDP is ``(tau, 0)``; SecAgg's per-user noise is ``(tau / (n - D - T), 0)`` with masks
    that cancel exactly (modelled as ``y = 0``: the server sees only the sum).

    The guarantee of ``(x, y)`` holds only for the number of users and the sensitivity it was
    calibrated for (``(cordp-mu)`` depends on ``n - T``). :func:`ldp_params`,
    :func:`secagg_params` and :func:`cordp_optimal` record them in ``n`` and ``sensitivity``,
    and :func:`privatize` refuses other row counts and clips the rows to ``sensitivity / 2``.
    Built by hand, ``n`` and ``sensitivity`` are ``None`` and nothing is checked.
    """

    x: float
    y: float
    n: int | None = None
    sensitivity: float | None = None

    def __post_init__(self) -> None:
        check_real(self.x, "x", low=0.0)
        check_real(self.y, "y", low=0.0, low_open=False)
        if self.n is not None:
            check_int(self.n, "n", low=2)
        if self.sensitivity is not None:
            check_real(self.sensitivity, "sensitivity", low=0.0)

    def variance(self, n: int) -> float:
        """Per-coordinate variance of one user's noise, ``sigma^2 = x + (n - 1) y``."""
        return self.x + (n - 1) * self.y

    def correlation(self, n: int) -> float:
        """Correlation ``rho = -y / sigma^2`` between two users' noise (in ``(-1/(n-1), 0]``)."""
        return -self.y / self.variance(n)


def ldp_params(design: CorDPDesign) -> NoiseParams:
    """Local DP: independent noise of variance ``tau`` per user."""
    return NoiseParams(design.tau, 0.0, design.n, design.sensitivity)


def secagg_params(design: CorDPDesign) -> NoiseParams:
    """SecAgg-based distributed DP, per-user variance ``tau / (n - D - T)`` (masks cancel exactly)."""
    return NoiseParams(design.tau / (design.n - design.D - design.T), 0.0, design.n, design.sensitivity)


def cordp_mu(n: int, T: int, params: NoiseParams, sensitivity: float) -> float:
    """Privacy of CorDP against the server plus ``T`` colluders, as a Gaussian-mechanism ratio.

    The colluders subtract the masks they share with honest users; the ``m = n - T`` honest
    users' noise is then equicorrelated (variance ``x + (m - 1) y``, covariance ``-y``) and
    the view is a Gaussian mechanism with ``mu^2 = Delta^2 [K_h^{-1}]_{ii}``:

    ``mu^2 = Delta^2 (x + y) / (x (x + m y))``, equation ``(cordp-mu)``.

    Examples
    --------
    >>> cordp_mu(10, 9, NoiseParams(4.0, 7.0), 2.0)  # one honest user: LDP, mu = Delta / sqrt(x)
    1.0
    """
    n = check_int(n, "n", low=2)
    T = check_int(T, "T", low=0, high=n - 1)
    _check_params(params)
    sensitivity = check_real(sensitivity, "sensitivity", low=0.0)
    m = n - T
    x, y = params.x, params.y
    return sensitivity * math.sqrt((x + y) / (x * (x + m * y)))


def cordp_optimal(design: CorDPDesign, slack: float = 0.05) -> NoiseParams:
    """The CorDP variances that minimise the MSE under ``D`` dropouts at exact (eps, delta)-DP.

    Minimises ``x + D y`` subject to ``cordp_mu(n, T, (x, y)) = mu*`` (equation
    ``(cordp-opt)``). With ``u = m x - tau`` the constraint gives
    ``y = x (tau - x) / (m x - tau)`` and the optimum is ``u = tau sqrt(D (m-1) / (m-D))``.
    For ``D = 0`` the infimum is SecAgg's (``y -> infinity``); the design then takes
    ``x = (1 + slack) tau / m``, which costs exactly a factor ``1 + slack`` over SecAgg
    ``(cordp-slack)``. When the optimum reaches ``x >= tau`` (masks cannot help), LDP.

    Parameters
    ----------
    design : CorDPDesign
    slack : float, default=0.05
        Relative excess MSE over SecAgg accepted when ``D = 0`` (> 0).

    Returns
    -------
    NoiseParams

    Examples
    --------
    >>> d = CorDPDesign(n=50, T=5, D=0, eps=1.0)
    >>> p = cordp_optimal(d, slack=0.05)
    >>> round(cordp_mu(50, 5, p, 2.0) / analytic_mu(1.0, 1e-5), 12)
    1.0
    """
    if not isinstance(design, CorDPDesign):
        raise TypeError(f"design must be a CorDPDesign, got {type(design).__name__}")
    slack = check_real(slack, "slack", low=0.0)
    tau, m, D = design.tau, design.honest, design.D
    if D == 0:
        x = (1 + slack) * tau / m
    else:
        x = (tau + tau * math.sqrt(D * (m - 1) / (m - D))) / m
    if m == 1 or x >= tau:
        return ldp_params(design)
    return NoiseParams(x, x * (tau - x) / (m * x - tau), design.n, design.sensitivity)


def mse_per_coordinate(params: NoiseParams, n: int, dropped: int = 0) -> float:
    """Per-coordinate MSE of the responders' mean when ``dropped`` users do not respond.

    Each responder keeps the ``dropped`` masks it shares with non-responders, so
    ``MSE / d = (x + dropped * y) / (n - dropped)``, equation ``(cordp-mse)``. With ``y = 0``
    this is the LDP and SecAgg error.

    Examples
    --------
    >>> mse_per_coordinate(NoiseParams(2.0, 1.0), n=10, dropped=2)
    0.5
    """
    _check_params(params)
    n = check_int(n, "n", low=2)
    dropped = check_int(dropped, "dropped", low=0, high=n - 1)
    return (params.x + dropped * params.y) / (n - dropped)


def pair_incidence(n: int) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The pairs ``i < j`` and the signed incidence matrix ``B`` of ``(cordp-protocol)``.

    Returns
    -------
    pairs : ndarray of shape (n (n - 1) / 2, 2)
    B : ndarray of shape (n, n (n - 1) / 2)
        ``B[i, p] = +1`` and ``B[j, p] = -1`` for pair ``p = (i, j)``, so ``Z = N + B S``.
    """
    n = check_int(n, "n", low=2)
    i, j = np.triu_indices(n, k=1)
    pairs = np.stack([i, j], axis=1).astype(np.int64)
    B = np.zeros((n, len(pairs)))
    cols = np.arange(len(pairs))
    B[i, cols] = 1.0
    B[j, cols] = -1.0
    return pairs, B


def pairwise_noise(
    n: int, d: int, params: NoiseParams, rng: np.random.Generator | int | None, *, return_parts: bool = False
) -> NDArray[np.float64] | tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Noise of the explicit pairwise-mask protocol ``(cordp-protocol)``: O(n^2 d) work.

    Parameters
    ----------
    n, d : int
        Users and dimension.
    params : NoiseParams
    rng : numpy.random.Generator, int or None
        Source of the noise (an int or None seeds a new Generator).
    return_parts : bool, default=False
        Also return the independent parts ``N`` (n, d) and the masks ``S`` (pairs, d), in the
        order of :func:`pair_incidence` (what colluders know about their own pairs).

    Returns
    -------
    Z : ndarray of shape (n, d)
        ``N + B S``; or ``(Z, N, S)`` with ``return_parts``.
    """
    n = check_int(n, "n", low=2)
    d = check_int(d, "d", low=1)
    _check_params(params)
    rng = as_generator(rng)
    first, second = np.triu_indices(n, k=1)  # the pair order of pair_incidence
    N = math.sqrt(params.x) * rng.standard_normal((n, d))
    S = math.sqrt(params.y) * rng.standard_normal((len(first), d))
    Z = N.copy()
    # Z = N + B S without forming B: user i adds its masks with j > i (a contiguous block of
    # pairs) and subtracts those with j < i (contiguous once the pairs are sorted by j)
    counts = np.arange(n - 1, 0, -1)
    Z[:-1] += np.add.reduceat(S, np.concatenate([[0], np.cumsum(counts[:-1])]), axis=0)
    by_second = np.argsort(second, kind="stable")
    Z[1:] -= np.add.reduceat(S[by_second], np.concatenate([[0], np.cumsum(np.arange(1, n - 1))]), axis=0)
    return (Z, N, S) if return_parts else Z


def correlated_noise(
    n: int, d: int, params: NoiseParams, rng: np.random.Generator | int | None
) -> NDArray[np.float64]:
    """Noise with the same distribution as :func:`pairwise_noise`, in O(n d) work.

    The protocol's covariance across users (per coordinate) is
    ``K = (x + n y) I - y 1 1^T = (x + n y)(I - P) + x P`` with ``P = 1 1^T / n``, equation
    ``(cordp-cov)``; so ``Z = sqrt(x + n y) (G - mean(G)) + sqrt(x) mean(G)`` for standard
    normal ``G``, with the mean taken over users.

    Examples
    --------
    >>> Z = correlated_noise(4, 200_000, NoiseParams(1.0, 0.5), np.random.default_rng(0))
    >>> np.round(np.cov(Z), 1)[0]
    array([ 2.5, -0.5, -0.5, -0.5])
    """
    n = check_int(n, "n", low=2)
    d = check_int(d, "d", low=1)
    _check_params(params)
    Z = as_generator(rng).standard_normal((n, d))
    mean = Z.mean(axis=0)
    Z -= mean
    Z *= math.sqrt(params.x + n * params.y)
    mean *= math.sqrt(params.x)
    Z += mean
    return Z


def privatize(
    X: ArrayLike,
    params: NoiseParams,
    rng: np.random.Generator | int | None,
    method: Literal["covariance", "pairwise"] = "covariance",
    *,
    clip: bool = True,
) -> NDArray[np.float64]:
    """What the users send: ``Y = clip(X) + Z`` for their (n, d) vectors ``X``.

    Parameters
    ----------
    X : array-like of shape (n, d)
        The users' vectors, one row per user.
    params : NoiseParams
        If it records ``n`` (as the design-based constructors do), ``X`` must have ``n`` rows:
        the same variances for fewer users give a weaker guarantee than the design's.
    rng : numpy.random.Generator, int or None
        Source of the noise (an int or None seeds a new Generator).
    method : {"covariance", "pairwise"}, default="covariance"
        O(n d) sampling through the covariance, or the explicit O(n^2 d) protocol.
    clip : bool, default=True
        When ``params`` records a sensitivity ``Delta``, scale every row with L2 norm above
        ``c = Delta / 2`` down to norm ``c`` (the guarantee assumes ``||x_i|| <= c``). With
        ``clip=False`` such a row raises instead.

    Raises
    ------
    ValueError
        If the row count differs from ``params.n``, or a row is too long and ``clip=False``.
    """
    X = _as_matrix(X, "X")
    _check_params(params)
    if not isinstance(clip, bool):
        raise TypeError(f"clip must be a bool, got {type(clip).__name__}")
    n, d = X.shape
    if params.n is not None and n != params.n:
        raise ValueError(
            f"X must have one row per user of the design, params.n = {params.n}, got {n} rows; "
            "the noise of a design for more users is not private for fewer"
        )
    if params.sensitivity is not None:
        radius = params.sensitivity / 2
        norms = np.linalg.norm(X, axis=1)
        if not clip and (norms > radius).any():
            raise ValueError(
                f"every row of X must have L2 norm <= sensitivity / 2 = {radius} (or pass clip=True), "
                f"got a largest norm of {norms.max()}"
            )
        X = X * np.minimum(1.0, radius / np.maximum(norms, np.finfo(float).tiny))[:, None]
    if method == "covariance":
        return X + correlated_noise(n, d, params, rng)
    if method == "pairwise":
        return X + pairwise_noise(n, d, params, rng)
    raise ValueError(f"method must be 'covariance' or 'pairwise', got {method!r}")


def estimate_mean(Y: ArrayLike, responders: ArrayLike | None = None) -> NDArray[np.float64]:
    """The server's decoder: the average of the responders' messages.

    Parameters
    ----------
    Y : array-like of shape (n, d)
    responders : array-like of bool, shape (n,), optional
        Who responded (default: everyone). At least one must.
    """
    Y = _as_matrix(Y, "Y")
    if responders is None:
        return Y.mean(axis=0)
    mask = np.asarray(responders)
    if mask.dtype != bool or mask.shape != (Y.shape[0],):
        raise ValueError(
            f"responders must be a boolean array of shape ({Y.shape[0]},), got dtype {mask.dtype} "
            f"and shape {mask.shape}"
        )
    if not mask.any():
        raise ValueError("responders must include at least one user")
    return Y[mask].mean(axis=0)


def simulate_mse(
    params: NoiseParams,
    n: int,
    d: int,
    dropped: int,
    rounds: int,
    rng: np.random.Generator | int | None,
    *,
    confidence: float = 0.99,
    method: Literal["covariance", "pairwise"] = "covariance",
) -> tuple[float, float, float]:
    """Monte Carlo per-coordinate MSE of the responders' mean, with an exact confidence interval.

    Each round draws the noise of all ``n`` users, drops ``dropped`` users chosen at random
    and averages the rest. The errors are independent ``N(0, v)`` across coordinates and
    rounds, so ``sum e^2 / v`` is chi-square with ``rounds * d`` degrees of freedom and the
    interval for ``v`` is exact.

    Returns
    -------
    mse, low, high : float
        Estimate and the two-sided ``confidence`` interval for the per-coordinate MSE.
    """
    from scipy import stats

    n = check_int(n, "n", low=2)
    d = check_int(d, "d", low=1)
    dropped = check_int(dropped, "dropped", low=0, high=n - 1)
    rounds = check_int(rounds, "rounds", low=1)
    confidence = check_real(confidence, "confidence", low=0.0, high=1.0)
    _check_params(params)
    rng = as_generator(rng)
    sampler = {"covariance": correlated_noise, "pairwise": pairwise_noise}.get(method)
    if sampler is None:
        raise ValueError(f"method must be 'covariance' or 'pairwise', got {method!r}")
    total = 0.0
    for _ in range(rounds):
        Z = sampler(n, d, params, rng)
        keep = np.ones(n, dtype=bool)
        keep[rng.choice(n, dropped, replace=False)] = False
        total += float(np.square(Z[keep].mean(axis=0)).sum())
    dof = rounds * d
    tail = (1 - confidence) / 2
    return total / dof, total / stats.chi2.ppf(1 - tail, dof), total / stats.chi2.ppf(tail, dof)


def _check_params(params: object) -> None:
    if not isinstance(params, NoiseParams):
        raise TypeError(f"params must be a NoiseParams, got {type(params).__name__}")


def _as_matrix(values: ArrayLike, name: str) -> NDArray[np.float64]:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 2 or arr.shape[0] < 2 or arr.shape[1] < 1:
        raise ValueError(f"{name} must be a 2-D array of shape (n >= 2, d >= 1), got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return arr
