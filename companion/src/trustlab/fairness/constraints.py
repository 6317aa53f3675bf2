"""Group-fairness constraints as linear moments of a randomised classifier.

FairProjection (Alghamdi et al., 2022) writes every group-fairness criterion it handles as
``K`` linear moment constraints on the projected classifier ``h``,

.. math::

    \\frac1n \\sum_{i=1}^n G_i^\\top h_i \\le 0, \\qquad G_i \\in \\mathbb R^{C\\times K},

equation (fp-constraints) of the chapter. With known (one-hot) group membership ``s_i`` every
column of ``G_i`` is a per-sample weight ``m_{ic}`` times a coefficient that depends only on
``(c, s_i)``:

.. math::

    G_i[c, k] = m_{ic}\\, B[c, s_i, k],

with ``m_{ic} = 1`` for statistical parity (SP) and ``m_{ic} = P(Y=c\\mid x_i)`` (the plug-in label
model, i.e. the smoothed base probabilities) for mean equalized odds (MEO). The table ``B`` has
``C * |S| * K`` entries, so ``G λ`` is a table lookup and ``Σ_i G_i^T h_i`` is a group sum: both
cost ``O(n C)`` and the ``n x C x K`` tensor is never formed.

Constraint index layout: ``k = σ·C·|S| + y·|S| + s`` with ``σ = 0`` for the upper ("+")
and ``σ = 1`` for the lower ("−") side, so ``K = 2·C·|S|`` and ``λ.reshape(2, C, |S|)``
recovers the (side, class, group) grid. For class ``y`` and group ``s``

* SP:  ``(1-α) P(Ŷ=y) ≤ P(Ŷ=y | S=s) ≤ (1+α) P(Ŷ=y)``, i.e.
  ``G⁺[:, y, s] = 1[s_i=s]/P(s) − (1+α)`` and ``G⁻[:, y, s] = −1[s_i=s]/P(s) + (1−α)``
  (only row ``y`` of ``G_i`` is non-zero);
* MEO: ``(1-α) P(Ŷ=y | Y=y) ≤ P(Ŷ=y | Y=y, S=s) ≤ (1+α) P(Ŷ=y | Y=y)``, i.e.
  ``G⁺[:, y, s] = P(y|x_i)(1[s_i=s]/P(y,s) − (1+α)/P(y))`` and
  ``G⁻[:, y, s] = P(y|x_i)(−1[s_i=s]/P(y,s) + (1−α)/P(y))``,

exactly as the official code's ``GroupFair.buildG`` builds them (without the Gaussian noise
that code adds to ``G``). The tolerance ``α`` is *relative*: a band around the overall rate.

Equalized odds (EO, ours: the official code has SP and MEO only) bounds every cell of the
confusion matrix, not only its diagonal: for every predicted class ``c``, true class ``y``
and group ``s``, ``(1-α) P(Ŷ=c | Y=y) ≤ P(Ŷ=c | Y=y, S=s) ≤ (1+α) P(Ŷ=c | Y=y)``. Its
per-sample weight is the plug-in probability of the *true* class ``y``, which is a
constraint index rather than the row ``c``, so the table gains a label axis,

.. math::

    G_i[c, k] = \\sum_y P(Y=y\\mid x_i)\\, B[c, y, s_i, k],

with layout ``k = σ·C²·|S| + c·C·|S| + y·|S| + s`` and ``K = 2·C²·|S|``; ``G λ`` and
``Σ_i G_i^T h_i`` then cost ``O(n C²)``, one ``C x C`` matrix product per group. With two
classes and ``α = 0`` EO and MEO coincide (the diagonal cells determine the off-diagonal
ones); for ``α > 0`` EO also bands the off-diagonal rates (FPR, FNR) *relatively*, which is
tighter wherever those rates are small.

Marginals. ``P(s)``, ``P(y)`` and ``P(y, s)`` come from the joint table returned by
:func:`joint_marginals`: the empirical frequencies of the labels ``y`` when they are given
(as the official code does), otherwise the plug-in ``(1/n) Σ_{i: s_i=s} P(y|x_i)`` computed
from the base probabilities themselves. The plug-in choice makes the MEO moment exactly
``P̂(Ŷ=y|Y=y,S=s) − (1±α) P̂(Ŷ=y|Y=y)`` for the plug-in joint law of ``(Ŷ, Y, S)``; the
empirical choice mixes the plug-in numerator with label-based denominators, as the paper's
code does.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["GroupConstraints", "joint_marginals"]

ConstraintKind = Literal["sp", "meo", "eo"]
KINDS: tuple[str, ...] = ("sp", "meo", "eo")


def _as_probability_matrix(probs: ArrayLike, name: str = "probs") -> NDArray[np.float64]:
    """Validate a row-stochastic matrix and return it as C-contiguous float64."""
    arr = np.asarray(probs)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)):
        raise TypeError(f"{name} must be a numeric array; got dtype {arr.dtype}")
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array of shape (n_samples, n_classes); got an array of shape {arr.shape}"
        )
    if arr.shape[1] < 2:
        raise ValueError(f"{name} must have at least 2 classes (columns); got {arr.shape[1]}")
    if arr.shape[0] < 1:
        raise ValueError(f"{name} must have at least one row; got shape {arr.shape}")
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; got {int(np.sum(~np.isfinite(arr)))} NaN/inf entries")
    if arr.min() < 0:
        raise ValueError(f"{name} must be non-negative; got minimum entry {arr.min():.3g}")
    dev = np.abs(arr.sum(axis=1) - 1.0)
    if dev.max() > 1e-6:
        row = int(np.argmax(dev))
        raise ValueError(
            f"{name} rows must sum to one (tolerance 1e-06); got row {row} summing to {arr[row].sum():.9g}"
        )
    return arr


def _as_codes(codes: ArrayLike, n: int, n_levels: int | None, name: str) -> tuple[NDArray[np.intp], int]:
    """Validate integer codes ``0..n_levels-1`` of length ``n``."""
    arr = np.asarray(codes)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array; got an array of shape {arr.shape}")
    if arr.shape[0] != n:
        raise ValueError(f"{name} must have one entry per row of probs ({n}); got {arr.shape[0]}")
    if not np.issubdtype(arr.dtype, np.integer):
        if (
            np.issubdtype(arr.dtype, np.floating)
            and np.all(np.isfinite(arr))
            and np.all(arr == np.round(arr))
        ):
            arr = arr.astype(np.intp)
        else:
            raise TypeError(f"{name} must hold integer codes; got dtype {arr.dtype}")
    arr = arr.astype(np.intp, copy=False)
    if n_levels is None:
        n_levels = int(arr.max()) + 1
    if arr.min() < 0 or arr.max() >= n_levels:
        raise ValueError(
            f"{name} must hold codes in [0, {n_levels - 1}]; got range [{arr.min()}, {arr.max()}]"
        )
    return arr, n_levels


def _check_alpha(alpha: float) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.integer, np.floating)):
        raise TypeError(f"alpha must be a real number >= 0; got {alpha!r} of type {type(alpha).__name__}")
    if not np.isfinite(alpha) or alpha < 0:
        raise ValueError(f"alpha must be a finite number >= 0; got {alpha!r}")
    return float(alpha)


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"constraint kind must be one of {KINDS}; got {kind!r}")
    return kind


def joint_marginals(
    probs: ArrayLike,
    groups: ArrayLike,
    n_groups: int | None = None,
    y: ArrayLike | None = None,
) -> NDArray[np.float64]:
    """Joint distribution table ``P(y, s)`` of shape ``(n_classes, n_groups)``.

    Parameters
    ----------
    probs : array-like of shape (n_samples, n_classes)
        Base-model probabilities ``P(Y | x_i)`` (rows sum to one).
    groups : array-like of int, shape (n_samples,)
        Group codes in ``[0, n_groups)``.
    n_groups : int, optional
        Number of groups; defaults to ``max(groups) + 1``.
    y : array-like of int, shape (n_samples,), optional
        Class labels in ``[0, n_classes)``. If given, the table holds the empirical
        frequencies ``#{i: y_i = y, s_i = s} / n`` (the official code's choice); otherwise the
        plug-in ``(1/n) Σ_{i: s_i = s} probs[i, y]``.

    Returns
    -------
    ndarray of shape (n_classes, n_groups)
        Non-negative entries summing to one. Column sums are the empirical group
        frequencies ``P(s)`` in both cases.

    Examples
    --------
    >>> import numpy as np
    >>> joint_marginals(np.array([[0.5, 0.5], [1.0, 0.0]]), np.array([0, 1]))
    array([[0.25, 0.5 ],
           [0.25, 0.  ]])
    """
    P = _as_probability_matrix(probs)
    n, C = P.shape
    s, S = _as_codes(groups, n, n_groups, "groups")
    if y is None:
        table = np.stack([np.bincount(s, weights=P[:, c], minlength=S) for c in range(C)])
    else:
        yc, _ = _as_codes(y, n, C, "y")
        table = np.bincount(yc * S + s, minlength=C * S).reshape(C, S).astype(np.float64)
    return table / n


class GroupConstraints:
    """Structured group-fairness operator ``G`` of equation (fp-constraints).

    Parameters
    ----------
    probs : array-like of shape (n_samples, n_classes)
        Smoothed base probabilities ``P(Y | x_i)``; used as the plug-in label model of MEO
        and EO (and, when ``joint`` and ``y`` are absent, for the marginals).
    groups : array-like of int, shape (n_samples,)
        Group codes in ``[0, n_groups)`` (one-hot group membership).
    kind : {"sp", "meo", "eo"}, default="meo"
        Statistical parity, mean equalized odds (the diagonal of the confusion matrix) or
        equalized odds (every cell of it; ours, see the module docstring).
    alpha : float, default=0.05
        Relative tolerance ``α ≥ 0`` of the ratio band.
    n_groups : int, optional
        Number of groups; defaults to ``max(groups) + 1`` (or ``joint.shape[1]``).
    y : array-like of int, shape (n_samples,), optional
        Training labels; if given (and ``joint`` is not), the marginals are empirical.
    joint : array-like of shape (n_classes, n_groups), optional
        Joint table ``P(y, s)`` to use instead of computing one (e.g. the marginals fitted on
        training data, when ``G`` is rebuilt on test data).

    Attributes
    ----------
    n_samples, n_classes, n_groups, n_constraints : int
        ``n``, ``C``, ``|S|`` and ``K = 2 C |S|`` (``2 C² |S|`` for EO).
    joint : ndarray of shape (n_classes, n_groups)
        The joint table ``P(y, s)`` in use.
    table : ndarray of shape (n_classes, n_groups, n_constraints)
        Coefficients ``B[c, s, k]`` with ``G_i[c, k] = m_{ic} B[c, s_i, k]``; for EO of
        shape ``(n_classes, n_classes, n_groups, n_constraints)``, ``B[c, y, s, k]`` with
        ``G_i[c, k] = Σ_y P(y|x_i) B[c, y, s_i, k]``.

    Notes
    -----
    ``matvec`` and ``rmatvec`` cost ``O(n C)`` (``O(n C²)`` for EO). Internally arrays are stored classes-first,
    ``(n_classes, n_samples)``, because reductions over the class axis are then contiguous;
    ``matvec`` returns a transposed view of such an array.

    Examples
    --------
    >>> import numpy as np
    >>> P = np.array([[0.8, 0.2], [0.3, 0.7], [0.6, 0.4], [0.1, 0.9]])
    >>> G = GroupConstraints(P, [0, 0, 1, 1], kind="sp", alpha=0.0)
    >>> G.n_constraints
    8
    >>> bool(np.allclose(G.matvec(np.ones(8)), G.dense() @ np.ones(8)))
    True
    """

    def __init__(
        self,
        probs: ArrayLike,
        groups: ArrayLike,
        kind: ConstraintKind = "meo",
        alpha: float = 0.05,
        *,
        n_groups: int | None = None,
        y: ArrayLike | None = None,
        joint: ArrayLike | None = None,
    ) -> None:
        self.kind = _check_kind(kind)
        self.alpha = _check_alpha(alpha)
        P = _as_probability_matrix(probs)
        n, C = P.shape
        if joint is not None:
            J = np.asarray(joint, dtype=np.float64)
            if J.ndim != 2 or J.shape[0] != C:
                raise ValueError(f"joint must have shape (n_classes={C}, n_groups); got {J.shape}")
            if n_groups is not None and J.shape[1] != n_groups:
                raise ValueError(f"joint must have {n_groups} columns (n_groups); got {J.shape[1]}")
            n_groups = J.shape[1]
        s, S = _as_codes(groups, n, n_groups, "groups")
        if joint is None:
            J = joint_marginals(P, s, S, y)
        p_group = J.sum(axis=0)
        p_class = J.sum(axis=1)
        if self.kind == "sp":
            if np.any(p_group <= 0):
                raise ValueError(f"every group needs positive probability P(s); got P(s) = {p_group}")
            denom_joint = np.broadcast_to(p_group, (C, S))
            denom_class = np.ones(C)
            self._m: NDArray[np.float64] | None = None
        else:
            if np.any(J <= 0):
                c, g = np.argwhere(J <= 0)[0]
                raise ValueError(
                    "MEO needs P(y, s) > 0 for every class and group; "
                    f"got P(y={c}, s={g}) = {J[c, g]:.3g} (is a class absent from a group in y?)"
                )
            denom_joint = J
            denom_class = p_class
            self._m = np.ascontiguousarray(P.T)
        self.n_samples, self.n_classes, self.n_groups = n, C, S
        self.joint = J
        self.groups = s
        if self.kind == "eo":
            self.n_constraints = 2 * C * C * S
            self.table = self._build_eo_table(denom_joint, denom_class)
            self._members = [np.flatnonzero(s == g) for g in range(S)]
        else:
            self.n_constraints = 2 * C * S
            self.table = self._build_table(denom_joint, denom_class)
        self._inv_denom = 1.0 / denom_joint
        self._inv_class = 1.0 / denom_class

    def _build_table(
        self, denom_joint: NDArray[np.float64], denom_class: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """Coefficient table ``B[c, s, k]`` (see the module docstring)."""
        C, S, a = self.n_classes, self.n_groups, self.alpha
        eye_s = np.eye(S)
        # core[y, s, s'] = 1[s = s'] / D[y, s'] ; beta[σ] = 1 + α (upper), 1 − α (lower)
        core = eye_s[None, :, :] / denom_joint[:, None, :]
        B = np.zeros((C, S, 2, C, S))
        for side, (sign, beta) in enumerate(((1.0, 1.0 + a), (-1.0, 1.0 - a))):
            coef = sign * (core - beta / denom_class[:, None, None])
            B[np.arange(C), :, side, np.arange(C), :] = coef
        return B.reshape(C, S, 2 * C * S)

    def _build_eo_table(
        self, denom_joint: NDArray[np.float64], denom_class: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """EO coefficient table ``B[c, y, s', k]`` for ``k = (σ, c, y, s)``.

        ``B[c, y, s', (σ, c, y, s)] = ±(1[s' = s] / P(y, s) − β_σ / P(y))``, zero elsewhere:
        the predicted class ``c`` and the true class ``y`` of the constraint select the row of
        ``G_i`` and the label weight ``P(y|x_i)``.
        """
        C, S, a = self.n_classes, self.n_groups, self.alpha
        core = np.eye(S)[None, :, :] / denom_joint[:, None, :]  # [y, s', s]
        B = np.zeros((C, C, S, 2, C, C, S))
        c, y = np.meshgrid(np.arange(C), np.arange(C), indexing="ij")
        for side, (sign, beta) in enumerate(((1.0, 1.0 + a), (-1.0, 1.0 - a))):
            coef = sign * (core - beta / denom_class[:, None, None])  # [y, s', s]
            B[c, y, :, side, c, y, :] = coef[y]
        return B.reshape(C, C, S, 2 * C * C * S)

    # -- classes-first kernels (used by the solvers) ------------------------------------
    def _matvec_cn(self, lam: NDArray[np.float64]) -> NDArray[np.float64]:
        """``(G λ)`` in classes-first layout, shape ``(C, n)``."""
        T = self.table @ lam
        if self.kind == "eo":  # W[:, i] = T[:, :, s_i] @ P(·|x_i), one product per group
            W = np.empty((self.n_classes, self.n_samples))
            for g, idx in enumerate(self._members):
                W[:, idx] = T[:, :, g] @ self._m[:, idx]
            return W
        W = np.take(T, self.groups, axis=1)
        if self._m is not None:
            W *= self._m
        return W

    def _group_sums_cn(self, HT: NDArray[np.float64]) -> NDArray[np.float64]:
        """``A[c, s] = Σ_{i: s_i = s} m_ic h_ic`` for classes-first ``HT``.

        For EO, ``A[c, y, s] = Σ_{i: s_i = s} h_ic P(y|x_i)``.
        """
        if self.kind == "eo":
            return np.stack([HT[:, idx] @ self._m[:, idx].T for idx in self._members], axis=-1)
        WT = HT * self._m if self._m is not None else HT
        S = self.n_groups
        return np.stack([np.bincount(self.groups, weights=row, minlength=S) for row in WT])

    def _rmatvec_cn(self, HT: NDArray[np.float64]) -> NDArray[np.float64]:
        """``(1/n) Σ_i G_iᵀ h_i`` from classes-first ``HT`` of shape ``(C, n)``."""
        A = self._group_sums_cn(HT)
        return A.ravel() @ self.table.reshape(A.size, -1) / self.n_samples

    # -- public API --------------------------------------------------------------------
    def _check_lam(self, lam: ArrayLike) -> NDArray[np.float64]:
        lam = np.asarray(lam, dtype=np.float64)
        if lam.shape != (self.n_constraints,):
            raise ValueError(f"lam must have shape ({self.n_constraints},); got {lam.shape}")
        return lam

    def _check_h(self, H: ArrayLike) -> NDArray[np.float64]:
        H = np.asarray(H, dtype=np.float64)
        if H.shape != (self.n_samples, self.n_classes):
            raise ValueError(f"H must have shape ({self.n_samples}, {self.n_classes}); got {H.shape}")
        return H

    def matvec(self, lam: ArrayLike) -> NDArray[np.float64]:
        """Per-sample tilts ``w_i = G_i λ``.

        Parameters
        ----------
        lam : array-like of shape (n_constraints,)
            Dual variables ``λ``.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            ``(G λ)_{ic} = m_{ic} Σ_k B[c, s_i, k] λ_k``.
        """
        return self._matvec_cn(self._check_lam(lam)).T

    def rmatvec(self, H: ArrayLike) -> NDArray[np.float64]:
        """Constraint moments ``(1/n) Σ_i G_iᵀ h_i``.

        Parameters
        ----------
        H : array-like of shape (n_samples, n_classes)
            A randomised classifier evaluated on the samples.

        Returns
        -------
        ndarray of shape (n_constraints,)
            The moment of every constraint; ``≤ 0`` means that constraint holds.
        """
        return self._rmatvec_cn(np.ascontiguousarray(self._check_h(H).T))

    def dense(self) -> NDArray[np.float64]:
        """The explicit tensor ``G`` of shape ``(n_samples, n_classes, n_constraints)``.

        Memory is ``n C K`` floats: meant for tests and small reference computations.
        """
        if self.kind == "eo":
            return np.einsum("yi,cyik->ick", self._m, self.table[:, :, self.groups, :])
        G = np.transpose(self.table[:, self.groups, :], (1, 0, 2)).copy()
        if self._m is not None:
            G *= self._m.T[:, :, None]
        return G

    def gram(self) -> NDArray[np.float64]:
        """Gram matrix ``Q = (1/n) Σ_i G_iᵀ G_i`` of shape ``(K, K)`` in ``O(n C + C S K²)``.

        For EO, ``O(n C² + C³ S K²)``: ``Q = (1/n) Σ_{c,y,y',s} M[y, y', s] B[c, y, s] B[c, y', s]ᵀ``
        with ``M[y, y', s] = Σ_{i: s_i = s} P(y|x_i) P(y'|x_i)``.
        """
        if self.kind == "eo":
            M2 = np.stack([self._m[:, idx] @ self._m[:, idx].T for idx in self._members], axis=-1)
            return np.einsum("yzs,cysk,czsl->kl", M2, self.table, self.table, optimize=True) / self.n_samples
        m2 = np.ones((self.n_classes, self.n_samples)) if self._m is None else self._m**2
        M2 = np.stack([np.bincount(self.groups, weights=row, minlength=self.n_groups) for row in m2])
        return np.einsum("cs,csk,csl->kl", M2, self.table, self.table) / self.n_samples

    def rates(self, H: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Per-group and overall rates whose ratio the constraints bound.

        Returns
        -------
        group_rate : ndarray of shape (n_classes, n_groups)
            SP: ``P̂(Ŷ=y | S=s)``; MEO: ``(1/n) Σ_{i: s_i=s} h_iy P(y|x_i) / P(y, s)``;
            EO: shape ``(n_classes, n_classes, n_groups)``, ``[c, y, s]`` is
            ``P̂(Ŷ=c | Y=y, S=s) = (1/n) Σ_{i: s_i=s} h_ic P(y|x_i) / P(y, s)``.
        overall_rate : ndarray of shape (n_classes,)
            SP: ``P̂(Ŷ=y)``; MEO: ``(1/n) Σ_i h_iy P(y|x_i) / P(y)``; EO: shape
            ``(n_classes, n_classes)``, ``P̂(Ŷ=c | Y=y)``.
        """
        A = self._group_sums_cn(np.ascontiguousarray(self._check_h(H).T)) / self.n_samples
        return A * self._inv_denom, A.sum(axis=-1) * self._inv_class

    def violation(self, H: ArrayLike) -> float:
        """Largest constraint moment ``max_k (1/n) Σ_i (G_iᵀ h_i)_k``; ``≤ 0`` means feasible.

        The moments are differences of rates, e.g. ``P̂(Ŷ=y|S=s) − (1+α) P̂(Ŷ=y)`` for SP, so
        the value is in probability units.
        """
        return float(self.rmatvec(H).max())

    def ratio_violation(self, H: ArrayLike) -> float:
        """Relative-band violation ``max_{y,s} |rate_s / rate − 1| − α``; ``≤ 0`` means feasible.

        Pairs whose overall rate is zero are skipped (their group rates are zero too).
        """
        group_rate, rate = self.rates(H)
        ok = rate > 0
        ratio = group_rate[ok] / rate[ok][:, None]
        return float(np.abs(ratio - 1.0).max() - self.alpha) if ratio.size else -self.alpha
