"""FairProjection: information projection of a classifier onto group-fairness constraints.

Given base probabilities ``h_base(x_i) = p_i`` and the moment operator ``G`` of
:mod:`trustlab.fairness.constraints`, the projection problem (fp-problem) is

.. math::

    \\min_{h_1,\\dots,h_n \\in \\Delta_C} \\frac1n \\sum_i D(h_i \\,\\|\\, p_i)
    \\quad\\text{s.t.}\\quad \\frac1n \\sum_i G_i^\\top h_i \\le 0,

with ``D = KL(h‖p)`` ("kl") or the cross-entropy ``KL(p‖h)`` ("ce"). The Lagrangian is
separable in ``i``; with ``w_i = G_i λ`` the inner minimisers are the tilts

* (fp-kl-tilt)  ``h_i = softmax(log p_i − w_i)``, inner value ``−LSE(log p_i − w_i)``;
* (fp-ce-tilt)  ``h_ic = p_ic / (γ_i + w_ic)`` with ``γ_i > −min_c w_ic`` fixed by
  ``Σ_c h_ic = 1``, inner value ``φ(w_i) = Σ_c p_ic log(γ_i + w_ic) + 1 − γ_i``.

The dual (fp-dual) is the smooth ``K``-dimensional problem
``min_{λ ≥ 0} Ψ(λ) = −(1/n) Σ_i value_i(G_i λ)`` whose gradient is ``−(1/n) Σ_i G_iᵀ h_i(λ)``
(minus the constraint moments). For KL, ``Ψ(λ) = (1/n) Σ_i LSE(log p_i − G_i λ)``. Strong
duality holds (linear constraints, feasible problem), so at the optimum the primal objective
equals ``−Ψ(λ*)``. :func:`solve_dual` minimises ``Ψ`` by L-BFGS-B with bounds ``λ ≥ 0``.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Real
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize
from scipy.special import xlogy
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from trustlab.fairness._validation import as_label_vector
from trustlab.fairness.constraints import (
    KINDS,
    GroupConstraints,
    _as_codes,
    _as_probability_matrix,
    _check_alpha,
)

__all__ = [
    "DualResult",
    "FairProjection",
    "ce_dual_terms",
    "ce_tilt",
    "kl_tilt",
    "primal_objective",
    "smooth_probabilities",
    "solve_dual",
]

Divergence = Literal["kl", "ce"]
DIVERGENCES: tuple[str, ...] = ("kl", "ce")
SOLVERS: tuple[str, ...] = ("dual", "admm")
_EPS = float(np.finfo(np.float64).eps)
# projected-gradient accuracy of the dual that float64 noise in Ψ lets L-BFGS-B resolve
_GRAD_FLOOR = 1e-7
_MAX_RESTARTS = 20


def _check_divergence(divergence: str) -> str:
    if divergence not in DIVERGENCES:
        raise ValueError(f"divergence must be one of {DIVERGENCES}; got {divergence!r}")
    return divergence


def smooth_probabilities(probs: ArrayLike, eps: float = 1e-4) -> NDArray[np.float64]:
    """Smooth probabilities away from zero: ``(P + eps) / rowsum(P + eps)``.

    The official FairProjection code does this (``eps = 1e-4``) before taking ``log P``.

    Parameters
    ----------
    probs : array-like of shape (n_samples, n_classes)
        Row-stochastic matrix.
    eps : float, default=1e-4
        Additive smoothing, ``≥ 0``.

    Returns
    -------
    ndarray of shape (n_samples, n_classes)

    Examples
    --------
    >>> smooth_probabilities([[1.0, 0.0]], eps=0.5)
    array([[0.75, 0.25]])
    """
    P = _as_probability_matrix(probs)
    if not isinstance(eps, Real) or not np.isfinite(eps) or eps < 0:
        raise ValueError(f"eps must be a finite number >= 0; got {eps!r}")
    Q = P + eps
    return Q / Q.sum(axis=1, keepdims=True)


# ---------------------------------------------------------------------------------------
# tilts, classes-first kernels: arrays of shape (C, n)
# ---------------------------------------------------------------------------------------
def _softmax_lse_cn(
    Z: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Softmax and log-sum-exp over the class axis 0 of ``Z`` (overwritten), max-shifted."""
    m = Z.max(axis=0)
    Z -= m
    np.exp(Z, out=Z)
    total = Z.sum(axis=0)
    Z /= total
    return Z, m + np.log(total)


def _ce_solve_cn(
    PT: NDArray[np.float64],
    WT: NDArray[np.float64],
    tol: float,
    gamma0: NDArray[np.float64] | None = None,
    max_iter: int = 100,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Solve ``Σ_c p_c / (γ + w_c) = 1`` for every column; return ``(H, γ)``.

    With ``S₁(γ) = Σ_c p_c/(γ + w_c)``, the weighted harmonic mean ``M(γ) = 1/S₁(γ)`` of
    ``γ + w`` is concave and increasing in ``γ`` (and exactly ``γ + w`` when ``w`` is constant),
    so Newton's method on ``M(γ) = 1``,
    ``γ ← γ + S₁ (S₁ − 1) / S₂`` with ``S₂ = Σ_c p_c/(γ + w_c)²``, increases monotonically to the
    root from any point left of it and lands left of it from any point right of it. The root
    is bracketed by ``lo = max(max_c(p_c − w_c), 1 − Σ_c p_c w_c)`` (one summand ≥ 1, resp.
    Jensen's inequality) and ``hi = 1 − min_c w_c``; the bracket is updated every step and a
    bisection step replaces any Newton step that leaves it. ``gamma0`` is a warm start.
    Iteration stops at ``|S₁ − 1| ≤ tol`` or at the rounding-error floor of ``S₁``.
    """
    lo = np.maximum((PT - WT).max(axis=0), 1.0 - np.einsum("cn,cn->n", PT, WT))
    hi = np.maximum(1.0 - WT.min(axis=0), lo)
    gamma = lo.copy() if gamma0 is None else np.clip(gamma0, lo, hi)
    wmax = np.abs(WT).max(axis=0)
    for _ in range(max_iter):
        d = gamma + WT
        q = PT / d
        s1 = q.sum(axis=0)
        s2 = np.divide(q, d, out=d).sum(axis=0)
        f = s1 - 1.0
        # stop at tol or at the rounding floor of f (cancellation in γ + w_c)
        done = np.abs(f) <= np.maximum(tol, 4 * _EPS * (np.abs(gamma) + wmax) * s2)
        if done.all():
            break
        left = f > 0
        lo = np.where(left, gamma, lo)
        hi = np.where(left, hi, gamma)
        step = gamma + s1 * f / s2
        bad = ~((step >= lo) & (step <= hi)) | ~np.isfinite(step)
        gamma = np.where(done, gamma, np.where(bad, 0.5 * (lo + hi), step))
    else:
        q = PT / (gamma + WT)
        s1 = q.sum(axis=0)
    H = np.divide(q, s1, out=q)
    return H, gamma


def kl_tilt(log_p: ArrayLike, W: ArrayLike) -> NDArray[np.float64]:
    """KL tilt (fp-kl-tilt): ``h_i = softmax(log p_i − w_i)`` row-wise, max-shifted.

    Parameters
    ----------
    log_p : array-like of shape (n_samples, n_classes)
        Log base probabilities.
    W : array-like of shape (n_samples, n_classes)
        Tilts ``w_i = G_i λ``.

    Returns
    -------
    ndarray of shape (n_samples, n_classes)
        ``h_ic ∝ p_ic exp(−w_ic)``.

    Examples
    --------
    >>> import numpy as np
    >>> kl_tilt(np.log([[0.5, 0.5]]), np.array([[0.0, np.log(3.0)]]))
    array([[0.75, 0.25]])
    """
    L = np.asarray(log_p, dtype=np.float64)
    Wa = np.asarray(W, dtype=np.float64)
    if L.ndim != 2 or Wa.shape != L.shape:
        raise ValueError(f"log_p and W must be 2-D of equal shape; got {L.shape} and {Wa.shape}")
    H, _ = _softmax_lse_cn(np.ascontiguousarray(L.T) - Wa.T)
    return H.T


def ce_dual_terms(
    P: ArrayLike, W: ArrayLike, tol: float = 1e-13
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Cross-entropy tilt (fp-ce-tilt) with its normaliser and inner value.

    Solves ``h_c = p_c / (γ + w_c)``, ``Σ_c h_c = 1``, ``γ > −min_c w_c`` per row by a
    vectorised safeguarded Newton iteration (bisection fallback) and returns the inner value
    ``φ(w) = min_{h∈Δ} [KL(p‖h) + wᵀh] = Σ_c p_c log(γ + w_c) + 1 − γ``, whose gradient in
    ``w`` is ``h``.

    Parameters
    ----------
    P : array-like of shape (n_samples, n_classes)
        Base probabilities (strictly positive, rows sum to one).
    W : array-like of shape (n_samples, n_classes)
        Tilts ``w_i = G_i λ``.
    tol : float, default=1e-13
        Tolerance on ``|Σ_c h_c − 1|`` before the final renormalisation.

    Returns
    -------
    H : ndarray of shape (n_samples, n_classes)
    gamma : ndarray of shape (n_samples,)
    phi : ndarray of shape (n_samples,)
    """
    Pa = _as_probability_matrix(P, "P")
    Wa = np.asarray(W, dtype=np.float64)
    if Wa.shape != Pa.shape:
        raise ValueError(f"W must have the shape of P {Pa.shape}; got {Wa.shape}")
    PT, WT = np.ascontiguousarray(Pa.T), np.ascontiguousarray(Wa.T)
    H, gamma = _ce_solve_cn(PT, WT, tol)
    phi = np.einsum("cn,cn->n", PT, np.log(gamma + WT)) + 1.0 - gamma
    return H.T, gamma, phi


def ce_tilt(P: ArrayLike, W: ArrayLike, tol: float = 1e-13) -> NDArray[np.float64]:
    """Cross-entropy tilt (fp-ce-tilt): ``h_c = p_c / (γ + w_c)`` with ``Σ_c h_c = 1``.

    See :func:`ce_dual_terms`, which also returns ``γ`` and the inner value.

    Examples
    --------
    >>> import numpy as np
    >>> ce_tilt(np.array([[0.5, 0.5]]), np.array([[0.0, 2.0]])).round(6)
    array([[0.809017, 0.190983]])
    """
    return ce_dual_terms(P, W, tol)[0]


def primal_objective(H: ArrayLike, P: ArrayLike, divergence: Divergence = "kl") -> float:
    """Mean divergence ``(1/n) Σ_i D(h_i ‖ p_i)`` of (fp-problem).

    ``"kl"``: ``Σ_c h_c log(h_c / p_c)``; ``"ce"``: ``Σ_c p_c log(p_c / h_c)``.
    """
    _check_divergence(divergence)
    Ha, Pa = np.asarray(H, dtype=np.float64), np.asarray(P, dtype=np.float64)
    if divergence == "kl":
        return float(np.sum(xlogy(Ha, Ha) - xlogy(Ha, Pa)) / Ha.shape[0])
    return float(np.sum(xlogy(Pa, Pa) - xlogy(Pa, Ha)) / Ha.shape[0])


# ---------------------------------------------------------------------------------------
# dual solver
# ---------------------------------------------------------------------------------------
@dataclass
class DualResult:
    """Outcome of a dual solve (:func:`solve_dual` or :func:`trustlab.fairness.admm`).

    Attributes
    ----------
    lam : ndarray of shape (n_constraints,)
        Dual variables ``λ ≥ 0`` (not unique in general: compare tilts ``h``, not ``λ``).
    n_iter : int
        Iterations used.
    converged : bool
        Whether the solver's stopping test was met.
    objective : float
        Dual objective ``Ψ(λ)`` minimised in (fp-dual), e.g. ``(1/n) Σ_i LSE(log p_i − G_i λ)``.
    primal_objective : float
        ``(1/n) Σ_i D(h_i(λ) ‖ p_i)`` at the tilted classifier.
    max_violation : float
        ``max_k (1/n) Σ_i (G_iᵀ h_i(λ))_k``; ``≤ 0`` means the tilt is feasible.
    history : dict of str to ndarray, optional
        Per-iteration traces (ADMM only).
    """

    lam: NDArray[np.float64]
    n_iter: int
    converged: bool
    objective: float
    primal_objective: float
    max_violation: float
    history: dict[str, NDArray[np.float64]] | None = None

    @property
    def duality_gap(self) -> float:
        """``primal_objective + objective``: zero at the optimum (strong duality)."""
        return self.primal_objective + self.objective


def _dual_value_grad(
    G: GroupConstraints,
    PT: NDArray[np.float64],
    logPT: NDArray[np.float64],
    divergence: str,
    lam: NDArray[np.float64],
    tol: float,
    cache: dict[str, NDArray[np.float64]] | None = None,
) -> tuple[float, NDArray[np.float64], NDArray[np.float64]]:
    """``Ψ(λ)``, ``∇Ψ(λ)`` and the classes-first tilt ``H`` at ``λ``.

    For CE, ``cache["gamma"]`` (if a dict is passed) warm-starts and stores the normalisers.
    """
    WT = G._matvec_cn(lam)
    if divergence == "kl":
        np.subtract(logPT, WT, out=WT)
        H, lse = _softmax_lse_cn(WT)
        value = float(lse.mean())
    else:
        H, gamma = _ce_solve_cn(PT, WT, tol, None if cache is None else cache.get("gamma"))
        if cache is not None:
            cache["gamma"] = gamma
        WT += gamma
        np.log(WT, out=WT)
        phi = np.einsum("cn,cn->n", PT, WT) + 1.0 - gamma
        value = -float(phi.mean())
    return value, -G._rmatvec_cn(H), H


def _tilt(
    G: GroupConstraints,
    P: NDArray[np.float64],
    lam: NDArray[np.float64],
    divergence: str,
) -> NDArray[np.float64]:
    """Projected classifier ``h(λ)`` on the samples of ``G`` (fp-kl-tilt / fp-ce-tilt)."""
    WT = G._matvec_cn(lam)
    PT = np.ascontiguousarray(P.T)
    if divergence == "kl":
        H, _ = _softmax_lse_cn(np.log(PT) - WT)
    else:
        H, _ = _ce_solve_cn(PT, WT, 1e-13)
    return H.T


def _finish(
    G: GroupConstraints,
    P: NDArray[np.float64],
    divergence: str,
    lam: NDArray[np.float64],
    n_iter: int,
    converged: bool,
    history: dict[str, NDArray[np.float64]] | None = None,
) -> DualResult:
    """Evaluate objectives and feasibility at ``lam`` and package a :class:`DualResult`."""
    PT = np.ascontiguousarray(P.T)
    value, grad, H = _dual_value_grad(G, PT, np.log(PT), divergence, lam, 1e-13)
    return DualResult(
        lam=lam,
        n_iter=n_iter,
        converged=converged,
        objective=value,
        primal_objective=primal_objective(H.T, P, divergence),
        max_violation=float((-grad).max()),
        history=history,
    )


def _check_problem(G: GroupConstraints, P: ArrayLike) -> NDArray[np.float64]:
    if not isinstance(G, GroupConstraints):
        raise TypeError(f"G must be a GroupConstraints; got {type(G).__name__}")
    Pa = _as_probability_matrix(P, "P")
    if Pa.shape != (G.n_samples, G.n_classes):
        raise ValueError(f"P must have shape ({G.n_samples}, {G.n_classes}) to match G; got {Pa.shape}")
    if Pa.min() <= 0:
        raise ValueError(
            "P must be strictly positive (smooth it with smooth_probabilities); got a zero entry"
        )
    return Pa


def _check_positive_int(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}")
    return int(value)


def solve_dual(
    G: GroupConstraints,
    P: ArrayLike,
    divergence: Divergence = "kl",
    tol: float = 1e-10,
    max_iter: int = 5000,
) -> DualResult:
    """Solve the dual (fp-dual) of the projection (fp-problem) by L-BFGS-B, ``λ ≥ 0``.

    Minimises ``Ψ(λ) = −(1/n) Σ_i value_i(G_i λ)`` where ``value_i`` is the inner minimum of the
    Lagrangian: ``−LSE(log p_i − w_i)`` for KL, ``φ(w_i)`` of :func:`ce_dual_terms` for CE.
    The gradient is ``−(1/n) Σ_i G_iᵀ h_i(λ)``, so a vanishing projected gradient means the
    tilted classifier is feasible and complementary slack. Each evaluation costs ``O(n C)``.

    Parameters
    ----------
    G : GroupConstraints
        Constraint operator built on the same samples as ``P``.
    P : array-like of shape (n_samples, n_classes)
        Strictly positive base probabilities (see :func:`smooth_probabilities`).
    divergence : {"kl", "ce"}, default="kl"
        ``KL(h‖p)`` or the cross-entropy ``KL(p‖h)``.
    tol : float, default=1e-10
        Tolerance on the projected gradient (the constraint violation, in probability units)
        and, scaled by ``1e-5``, on the relative decrease of ``Ψ``. L-BFGS-B can stop on the
        relative-decrease test far from the optimum; it is then restarted from where it
        stopped (fresh curvature memory) until the projected gradient is below
        ``max(tol, 1e-7)``, a restart makes no progress, or ``max_iter`` is used up.
    max_iter : int, default=5000
        Maximum L-BFGS-B iterations, restarts included.

    Returns
    -------
    DualResult
        ``objective = Ψ(λ*)``; ``duality_gap = primal_objective + objective`` is ``≈ 0``.
        ``converged`` means a projected gradient below ``max(tol, 1e-7)``: rounding noise in
        ``Ψ`` (a mean of ``n`` log-sum-exps) stops line searches around ``1e-8``, so smaller
        tolerances are usually not reached and ``converged`` reports the attainable accuracy.

    Examples
    --------
    >>> import numpy as np
    >>> P = smooth_probabilities(np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.2, 0.8]]))
    >>> G = GroupConstraints(P, [0, 0, 1, 1], kind="sp", alpha=0.1)
    >>> res = solve_dual(G, P)
    >>> bool(res.max_violation < 1e-8 and abs(res.duality_gap) < 1e-8)
    True
    """
    Pa = _check_problem(G, P)
    _check_divergence(divergence)
    max_iter = _check_positive_int(max_iter, "max_iter")
    if not isinstance(tol, Real) or not tol > 0:
        raise ValueError(f"tol must be a positive number; got {tol!r}")
    PT = np.ascontiguousarray(Pa.T)
    logPT = np.log(PT)

    cache: dict[str, NDArray[np.float64]] = {}

    def fun(lam: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        value, grad, _ = _dual_value_grad(G, PT, logPT, divergence, lam, 1e-13, cache)
        return value, grad

    bounds = [(0.0, None)] * G.n_constraints
    lam = np.zeros(G.n_constraints)
    n_iter, pgrad, value = 0, np.inf, np.inf
    for _ in range(_MAX_RESTARTS):
        res = minimize(
            fun,
            lam,
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={
                "maxiter": max_iter - n_iter,
                "maxfun": 4 * max_iter,
                "gtol": tol,
                "ftol": 1e-5 * tol,
                "maxcor": 20,
                "maxls": 50,
            },
        )
        lam = np.maximum(np.asarray(res.x, dtype=np.float64), 0.0)
        n_iter += int(res.nit)
        pgrad = float(np.abs(np.where(lam > 0, res.jac, np.minimum(res.jac, 0.0))).max())
        stalled = value - res.fun <= 4 * _EPS * max(1.0, abs(res.fun))
        value = float(res.fun)
        if pgrad <= max(tol, _GRAD_FLOOR) or n_iter >= max_iter or stalled:
            break
    return _finish(G, Pa, divergence, lam, n_iter, pgrad <= max(tol, _GRAD_FLOOR))


# ---------------------------------------------------------------------------------------
# scikit-learn style post-processor
# ---------------------------------------------------------------------------------------
def _as_sensitive(sensitive_features: ArrayLike, n: int) -> NDArray:
    """Validate a 1-D vector of hashable group labels with one entry per sample."""
    return as_label_vector(
        sensitive_features,
        "sensitive_features",
        n,
        length_of="probs",
        shape_hint=(
            " (one group label per sample; combine several columns into one label for intersectional groups)"
        ),
    )


class FairProjection(BaseEstimator):
    """Fair post-processing of a probabilistic classifier by information projection.

    Projects the base model's probabilities ``p(x)`` onto the classifiers satisfying the
    group-fairness constraints (fp-constraints) on the training sample, in KL or
    cross-entropy (fp-problem), by solving the ``K``-dimensional dual (fp-dual). The fitted
    post-processor maps any ``(p(x), s)`` to ``h(x) ∝ p(x) exp(−G(x) λ*)`` (KL, fp-kl-tilt) or
    ``h_c(x) = p_c(x) / (γ(x) + (G(x) λ*)_c)`` (CE, fp-ce-tilt), where ``G(x)`` is built from
    the group of ``x`` and the marginals fitted on the training data: the group is needed at
    prediction time, as in the paper's experiments.

    Parameters
    ----------
    constraint : {"meo", "sp", "eo"}, default="meo"
        Mean equalized odds (the paper's), statistical parity (the paper's) or equalized
        odds over every cell of the confusion matrix (ours; see :class:`GroupConstraints`).
    alpha : float, default=0.05
        Relative tolerance ``α ≥ 0``: every group's rate within ``(1 ± α)`` of the overall
        rate. ``α = 0`` asks for exact equality.
    divergence : {"kl", "ce"}, default="kl"
        ``KL(h‖p)`` or the cross-entropy ``KL(p‖h)``.
    solver : {"dual", "admm"}, default="dual"
        L-BFGS-B on the dual (:func:`solve_dual`) or the paper's ADMM
        (:func:`trustlab.fairness.admm`).
    tol : float, default=1e-9
        Solver tolerance (see the solvers).
    max_iter : int, default=5000
        Maximum solver iterations (the dual typically needs 20-100; the paper runs its
        ADMM for 500, each iteration a pass over the data).
    smoothing : float, default=1e-4
        Additive smoothing of the probabilities (:func:`smooth_probabilities`), at fit and
        predict time.
    rho : float, default=2.0
        ADMM penalty (ignored by ``solver="dual"``).

    Attributes
    ----------
    groups_ : ndarray
        Sorted unique group labels seen at fit.
    n_classes_ : int
        Number of classes ``C``.
    lambda_ : ndarray of shape (n_constraints,)
        Dual solution, ``n_constraints = 2 * n_classes * n_groups`` in the layout
        ``(side, class, group)`` of :class:`GroupConstraints` (for EO
        ``2 * n_classes**2 * n_groups``, layout ``(side, predicted, true, group)``).
    n_iter_ : int
    converged_ : bool
    train_violation_ : float
        Largest training constraint moment (``≤ 0``: feasible).
    train_objective_ : float
        Mean training divergence between the projected and the base probabilities.
    joint_marginals_ : ndarray of shape (n_classes, n_groups)
        ``P(y, s)`` used by the constraints (empirical if ``y`` was given to ``fit``,
        plug-in otherwise).
    class_marginals_ : ndarray of shape (n_classes,)
        ``P(y)``.
    group_marginals_ : ndarray of shape (n_groups,)
        ``P(s)``.
    result_ : DualResult
        The solver's full result (with the ADMM history for ``solver="admm"``).

    Examples
    --------
    >>> from trustlab.fairness import make_multigroup_classification
    >>> probs, y, s = make_multigroup_classification(2000, 3, 2, random_state=0)
    >>> fp = FairProjection(constraint="sp", alpha=0.05).fit(probs, s)
    >>> fp.predict_proba(probs, s).shape
    (2000, 3)
    """

    def __init__(
        self,
        constraint: Literal["meo", "sp", "eo"] = "meo",
        alpha: float = 0.05,
        divergence: Divergence = "kl",
        solver: Literal["dual", "admm"] = "dual",
        tol: float = 1e-9,
        max_iter: int = 5000,
        smoothing: float = 1e-4,
        rho: float = 2.0,
    ) -> None:
        self.constraint = constraint
        self.alpha = alpha
        self.divergence = divergence
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.smoothing = smoothing
        self.rho = rho

    def _check_params(self) -> None:
        if self.constraint not in KINDS:
            raise ValueError(f"constraint must be one of {KINDS}; got {self.constraint!r}")
        _check_alpha(self.alpha)
        _check_divergence(self.divergence)
        if self.solver not in SOLVERS:
            raise ValueError(f"solver must be one of {SOLVERS}; got {self.solver!r}")
        if not isinstance(self.smoothing, Real) or not np.isfinite(self.smoothing) or self.smoothing < 0:
            raise ValueError(f"smoothing must be a finite number >= 0; got {self.smoothing!r}")
        if not isinstance(self.tol, Real) or not self.tol > 0:
            raise ValueError(f"tol must be a positive number; got {self.tol!r}")
        _check_positive_int(self.max_iter, "max_iter")
        if not isinstance(self.rho, Real) or not self.rho > 0:
            raise ValueError(f"rho must be a positive number; got {self.rho!r}")

    def _prepare(self, probs: ArrayLike) -> NDArray[np.float64]:
        P = _as_probability_matrix(probs)
        if self.smoothing > 0:
            P = smooth_probabilities(P, self.smoothing)
        return P

    def fit(
        self,
        probs: ArrayLike,
        sensitive_features: ArrayLike,
        y: ArrayLike | None = None,
    ) -> FairProjection:
        """Solve the projection on training probabilities.

        Parameters
        ----------
        probs : array-like of shape (n_samples, n_classes)
            Base-model probabilities (e.g. ``predict_proba`` of a fitted classifier).
        sensitive_features : array-like of shape (n_samples,)
            Group labels (any sortable hashable values: ints, strings).
        y : array-like of int, shape (n_samples,), optional
            Class labels in ``[0, n_classes)``; if given, the marginals ``P(y, s)`` are their
            empirical frequencies (the official code's choice), otherwise plug-in estimates
            from ``probs``. The MEO and EO constraints always use ``probs`` as ``P(Y | x)``.

        Returns
        -------
        self
        """
        self._check_params()
        P = self._prepare(probs)
        sf = _as_sensitive(sensitive_features, P.shape[0])
        try:
            groups, codes = np.unique(sf, return_inverse=True)
        except TypeError as err:
            raise TypeError(f"sensitive_features labels must be mutually sortable; got {err}") from err
        if y is not None:
            _as_codes(y, P.shape[0], P.shape[1], "y")
        G = GroupConstraints(P, codes, self.constraint, self.alpha, n_groups=len(groups), y=y)
        if self.solver == "dual":
            result = solve_dual(G, P, self.divergence, tol=self.tol, max_iter=self.max_iter)
        else:
            from trustlab.fairness.admm import admm

            result = admm(
                G,
                P,
                self.divergence,
                rho=self.rho,
                max_iter=self.max_iter,
                tol=self.tol,
            )
        self.groups_ = groups
        self.n_classes_ = P.shape[1]
        self.joint_marginals_ = G.joint
        self.class_marginals_ = G.joint.sum(axis=1)
        self.group_marginals_ = G.joint.sum(axis=0)
        self.lambda_ = result.lam
        self.n_iter_ = result.n_iter
        self.converged_ = result.converged
        self.train_violation_ = result.max_violation
        self.train_objective_ = result.primal_objective
        self.result_ = result
        return self

    def predict_proba(self, probs: ArrayLike, sensitive_features: ArrayLike) -> NDArray[np.float64]:
        """Projected probabilities ``h(x)`` for new samples.

        Parameters
        ----------
        probs : array-like of shape (n_samples, n_classes)
            Base-model probabilities.
        sensitive_features : array-like of shape (n_samples,)
            Group labels, all seen at fit.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            If ``lambda_ == 0`` (the base model already satisfies the constraints) these are
            the (smoothed) base probabilities, unchanged.
        """
        check_is_fitted(self, "lambda_")
        P = self._prepare(probs)
        if P.shape[1] != self.n_classes_:
            raise ValueError(
                f"probs must have {self.n_classes_} columns (classes seen at fit); got {P.shape[1]}"
            )
        sf = _as_sensitive(sensitive_features, P.shape[0])
        codes = pd.Index(self.groups_).get_indexer(sf)
        if np.any(codes < 0):
            unseen = pd.unique(sf[codes < 0])
            raise ValueError(
                f"sensitive_features contains groups unseen at fit: {list(unseen)[:10]}; "
                f"fitted groups: {list(self.groups_)}"
            )
        if not np.any(self.lambda_):
            return P.copy()
        G = GroupConstraints(P, codes, self.constraint, self.alpha, joint=self.joint_marginals_)
        return _tilt(G, P, self.lambda_, self.divergence)

    def predict(self, probs: ArrayLike, sensitive_features: ArrayLike) -> NDArray[np.intp]:
        """Class with the largest projected probability (argmax of :meth:`predict_proba`)."""
        return np.argmax(self.predict_proba(probs, sensitive_features), axis=1)
