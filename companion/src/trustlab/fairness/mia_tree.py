"""Fair decision trees with Missing Incorporated in Attribute (MIA) splits.

Jeong, Wang and Calmon (AAAI 2022) train a depth-``D`` tree whose every split ``(j, q, c)``
sends an observed ``x_j <= q`` left, an observed ``x_j > q`` right and a *missing* ``x_j``
left if ``c = 1`` else right (eq. ``mia-split`` of the chapter), so missing values are never
imputed. Leaf labels are the leaf's majority class, and the tree minimises the training error
plus ``lam`` times a group-fairness gap (eq. ``mia-objective``)::

    J(T) = (1/n) sum_l err_l(T) + lam * gap(T),

with ``gap`` the absolute difference between the two groups of the false-positive rate
(``"fpr"``), false-negative rate (``"fnr"``), error rate (``"acc"``) or the mean of the
first two (``"eqodds"``). The paper solves this as a mixed-integer program with Gurobi; here

- :func:`solve_exact` solves it exactly with the open MILP solver HiGHS
  (:func:`scipy.optimize.milp`) in our own formulation over the finite set of distinct splits
  (eq. ``mia-milp``), practical for about 30 rows and depth at most 2;
- :func:`solve_coordinate_descent` minimises the same objective by coordinate descent over the
  branch nodes: each step evaluates *every* split of one node (all features, thresholds and
  missing directions) at once with prefix sums of per-leaf ``(y, s)`` counts.

:class:`FairMIATreeClassifier` wraps both in a scikit-learn estimator.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, sparse
from sklearn.base import BaseEstimator, ClassifierMixin

from trustlab.fairness._validation import as_label_vector

__all__ = [
    "FAIRNESS_GAPS",
    "FairMIATreeClassifier",
    "MIATree",
    "SolverResult",
    "binary_group_gaps",
    "bin_features",
    "mia_route",
    "solve_coordinate_descent",
    "solve_exact",
    "tree_objective",
]

Fairness = Literal["fpr", "fnr", "acc", "eqodds"]
FAIRNESS_GAPS: tuple[str, ...] = ("fpr", "fnr", "acc", "eqodds")
# Category of a sample: 2 * y + s, so column c of a count table holds (y, s) = divmod(c, 2).
_N_CAT = 4


@dataclass(frozen=True)
class MIATree:
    """A complete binary tree of MIA splits in breadth-first order.

    Node ``v`` has children ``2v + 1`` (left) and ``2v + 2`` (right); the ``2**depth`` leaves
    are numbered left to right. A threshold of ``-inf`` sends every observed value right
    (the split "missing vs observed" when ``missing_left`` is true).

    Parameters
    ----------
    feature : numpy.ndarray
        Feature index of each branch node (int, length ``2**depth - 1``).
    threshold : numpy.ndarray
        Threshold of each branch node (float, same length).
    missing_left : numpy.ndarray
        Whether missing values go left at each branch node (bool, same length).
    """

    feature: NDArray[np.intp]
    threshold: NDArray[np.float64]
    missing_left: NDArray[np.bool_]

    @property
    def depth(self) -> int:
        """Depth ``D`` (number of splits on every root-to-leaf path)."""
        return int(np.log2(len(self.feature) + 1))


def _check_fairness(fairness: object) -> str:
    if not isinstance(fairness, str) or fairness not in FAIRNESS_GAPS:
        raise ValueError(f"fairness must be one of {FAIRNESS_GAPS}, got {fairness!r}")
    return fairness


def _check_lam(lam: object) -> float:
    if isinstance(lam, bool) or not isinstance(lam, (int, float, np.number)):
        raise TypeError(f"lam must be a real number, got {type(lam).__name__}")
    if not np.isfinite(lam) or lam < 0:
        raise ValueError(f"lam must be a finite number >= 0, got {lam}")
    return float(lam)


def _check_depth(depth: object) -> int:
    if isinstance(depth, bool) or not isinstance(depth, (int, np.integer)):
        raise TypeError(f"max_depth must be an int, got {type(depth).__name__}")
    if not 1 <= depth <= 8:
        raise ValueError(f"max_depth must be between 1 and 8, got {depth}")
    return int(depth)


def _check_count(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int >= 1, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be an int >= 1, got {value}")
    return int(value)


def _check_time_limit(time_limit: object) -> float:
    if isinstance(time_limit, bool) or not isinstance(time_limit, (int, float, np.number)):
        raise TypeError(f"time_limit must be a number of seconds, got {type(time_limit).__name__}")
    if not np.isfinite(time_limit) or time_limit <= 0:
        raise ValueError(f"time_limit must be a finite number of seconds > 0, got {time_limit}")
    return float(time_limit)


def _as_codes(values: ArrayLike, name: str, n: int) -> NDArray[np.intp]:
    """A length-``n`` vector of 0/1 codes (labels or groups of the solvers)."""
    arr = as_label_vector(values, name, n, length_of="X")
    if not np.isin(arr, (0, 1)).all():
        raise ValueError(f"{name} must hold 0/1 codes, got values {np.unique(arr)[:5]!r}")
    return arr.astype(np.intp)


def _check_cells(cat: NDArray[np.intp], fairness: str, lam: float) -> None:
    """The penalised gap needs every group to have rows of the label(s) its rates condition on;
    otherwise the empty rate would silently count as 0."""
    if lam == 0:
        return
    n_cat = np.bincount(cat, minlength=_N_CAT)
    needed = {"fpr": (0,), "fnr": (1,), "eqodds": (0, 1), "acc": ()}[fairness]
    for label in needed:
        for group in (0, 1):
            if n_cat[2 * label + group] == 0:
                raise ValueError(
                    f"fairness={fairness!r} needs rows with label code {label} in both groups; "
                    f"group code {group} (sensitive_features) has none"
                )


def _as_features(X: ArrayLike, name: str = "X") -> NDArray[np.float64]:
    """A 2-D float matrix; NaN marks a missing entry, infinities are rejected."""
    try:
        arr = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a numeric matrix (NaN for missing), got {type(X).__name__}") from err
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_samples, n_features), got shape {arr.shape}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} must have at least one row and one column, got shape {arr.shape}")
    if np.isinf(arr).any():
        raise ValueError(
            f"{name} must not contain infinities (use NaN for missing), got {int(np.isinf(arr).sum())}"
        )
    return arr


def _binary_codes(values: ArrayLike, name: str, n: int) -> tuple[NDArray[np.intp], NDArray]:
    """Encode a vector with exactly two distinct labels as 0/1 (sorted order)."""
    arr = as_label_vector(values, name, n, length_of="X")
    labels, codes = np.unique(arr, return_inverse=True)
    if len(labels) != 2:
        raise ValueError(f"{name} must take exactly two distinct values, got {len(labels)}: {labels[:5]!r}")
    return codes.astype(np.intp), labels


# --------------------------------------------------------------------------------------------
# Routing and the objective
# --------------------------------------------------------------------------------------------


def mia_route(X: ArrayLike, tree: MIATree) -> NDArray[np.intp]:
    """Leaf index of every row under the MIA rule (eq. ``mia-split``).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Features; NaN marks a missing value.
    tree : MIATree

    Returns
    -------
    ndarray of int, shape (n_samples,)
        Leaf indices in ``range(2**depth)``, numbered left to right.

    Examples
    --------
    >>> tree = MIATree(np.array([0]), np.array([0.5]), np.array([True]))
    >>> mia_route([[0.0], [1.0], [np.nan]], tree).tolist()
    [0, 1, 0]
    """
    X = _as_features(X)
    node = np.zeros(X.shape[0], dtype=np.intp)
    for _ in range(tree.depth):
        x = X[np.arange(X.shape[0]), tree.feature[node]]
        missing = np.isnan(x)
        left = np.where(missing, tree.missing_left[node], x <= tree.threshold[node])
        node = 2 * node + np.where(left, 1, 2)
    return node - (2**tree.depth - 1)


def _confusion_gaps(
    fp: NDArray, fn: NDArray, n_cat: NDArray, fairness: str
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Error rate and gap from per-group false positives/negatives (last axis = group).

    ``n_cat`` holds the counts of the four ``(y, s)`` categories, ``2 * y + s``.
    """
    n0 = np.maximum(n_cat[:2], 1.0)  # negatives of groups 0, 1
    n1 = np.maximum(n_cat[2:], 1.0)  # positives of groups 0, 1
    error = (fp.sum(-1) + fn.sum(-1)) / n_cat.sum()
    fpr, fnr = fp / n0, fn / n1
    d_fpr = np.abs(fpr[..., 0] - fpr[..., 1])
    d_fnr = np.abs(fnr[..., 0] - fnr[..., 1])
    if fairness == "fpr":
        gap = d_fpr
    elif fairness == "fnr":
        gap = d_fnr
    elif fairness == "eqodds":
        gap = 0.5 * (d_fpr + d_fnr)
    else:
        err_s = (fp + fn) / np.maximum(n0 + n1, 1.0)
        gap = np.abs(err_s[..., 0] - err_s[..., 1])
    return error, gap


def _leaf_stats(counts: NDArray) -> NDArray[np.float64]:
    """Sum over leaves ``(..., L, 4)`` -> ``(..., 4)``: false positives and false negatives
    of groups 0 and 1 under majority leaf labels (ties and empty leaves: 1, as in the
    paper's MIP). The objective depends on a tree only through these four sums."""
    label = counts[..., 2] + counts[..., 3] >= counts[..., 0] + counts[..., 1]
    fp = np.where(label[..., None], counts[..., :2], 0.0).sum(-2)
    fn = np.where(label[..., None], 0.0, counts[..., 2:]).sum(-2)
    return np.concatenate([fp, fn], axis=-1)


def _objective_from_stats(
    stats: NDArray, n_cat: NDArray, lam: float, fairness: str
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Objective, error and gap from ``(..., 4)`` sums ``(FP_0, FP_1, FN_0, FN_1)``."""
    error, gap = _confusion_gaps(stats[..., :2], stats[..., 2:], n_cat, fairness)
    return error + lam * gap, error, gap


def _leaf_counts(leaf: NDArray[np.intp], cat: NDArray[np.intp], n_leaves: int) -> NDArray[np.float64]:
    return (
        np.bincount(leaf * _N_CAT + cat, minlength=n_leaves * _N_CAT).reshape(n_leaves, _N_CAT).astype(float)
    )


def tree_objective(
    X: ArrayLike, y: ArrayLike, s: ArrayLike, tree: MIATree, lam: float, fairness: Fairness = "fpr"
) -> dict[str, float | NDArray]:
    """Training objective ``J(T) = error + lam * gap`` of a tree (eq. ``mia-objective``).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Features with NaN for missing.
    y, s : array-like of shape (n_samples,)
        Labels and groups, coded 0/1.
    tree : MIATree
    lam : float
    fairness : {"fpr", "fnr", "acc", "eqodds"}

    Returns
    -------
    dict
        ``objective``, ``error``, ``gap`` and ``leaf_label`` (majority labels).
    """
    X = _as_features(X)
    y = _as_codes(y, "y", X.shape[0])
    s = _as_codes(s, "s", X.shape[0])
    cat = 2 * y + s
    counts = _leaf_counts(mia_route(X, tree), cat, 2**tree.depth)
    n_cat = np.bincount(cat, minlength=_N_CAT).astype(float)
    obj, err, gap = _objective_from_stats(
        _leaf_stats(counts), n_cat, _check_lam(lam), _check_fairness(fairness)
    )
    label = (counts[:, 2] + counts[:, 3] >= counts[:, 0] + counts[:, 1]).astype(np.intp)
    return {"objective": float(obj), "error": float(err), "gap": float(gap), "leaf_label": label}


def binary_group_gaps(
    y_true: ArrayLike, y_pred: ArrayLike, sensitive_features: ArrayLike
) -> dict[str, float]:
    """Accuracy and the four gaps of binary predictions between two groups.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Labels coded 0/1.
    y_pred : array-like of shape (n_samples,)
        Predictions coded 0/1, or probabilities ``P(Ŷ=1)`` of a randomised classifier
        (scored by its exact expected rates).
    sensitive_features : array-like of shape (n_samples,)
        Exactly two group labels.

    Returns
    -------
    dict
        ``accuracy``, ``fpr``, ``fnr``, ``acc`` (error-rate gap) and ``eqodds``
        (mean of the FPR and FNR gaps), as absolute differences.

    Examples
    --------
    >>> g = binary_group_gaps([0, 0, 1, 1], [1, 0, 1, 1], ["a", "b", "a", "b"])
    >>> g["fpr"], g["fnr"]
    (1.0, 0.0)
    """
    y_true = as_label_vector(y_true, "y_true")
    n = len(y_true)
    y_pred = as_label_vector(y_pred, "y_pred", n, length_of="y_true")
    s, _ = _binary_codes(sensitive_features, "sensitive_features", n)
    if not np.isin(y_true, (0, 1)).all():
        raise ValueError(f"y_true must hold 0/1 labels, got values {np.unique(y_true)[:5]!r}")
    p = np.asarray(y_pred, dtype=np.float64)
    if np.any((p < -1e-9) | (p > 1 + 1e-9)):
        raise ValueError(
            f"y_pred must hold 0/1 labels or probabilities in [0, 1], got range [{p.min()}, {p.max()}]"
        )
    p = np.clip(p, 0.0, 1.0)
    y_true = y_true.astype(np.intp)
    n_cat = np.bincount(2 * y_true + s, minlength=_N_CAT).astype(float)
    fp = np.bincount(s, weights=np.where(y_true == 0, p, 0.0), minlength=2)
    fn = np.bincount(s, weights=np.where(y_true == 1, 1.0 - p, 0.0), minlength=2)
    out = {"accuracy": float(1.0 - (fp.sum() + fn.sum()) / n)}
    for kind in FAIRNESS_GAPS:
        out[kind] = float(_confusion_gaps(fp, fn, n_cat, kind)[1])
    return out


# --------------------------------------------------------------------------------------------
# Candidate splits: binned features
# --------------------------------------------------------------------------------------------


def bin_features(
    X: ArrayLike, max_bins: int | None = 32
) -> tuple[NDArray[np.intp], list[NDArray[np.float64]]]:
    """Bin every feature on its observed values; the bin edges are the candidate thresholds.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        NaN marks a missing value.
    max_bins : int or None, default=32
        At most this many thresholds per feature: all distinct observed values when there
        are few enough (or ``None``), else that many quantiles of them.

    Returns
    -------
    codes : ndarray of int, shape (n_samples, n_features)
        ``codes[i, j] = b`` is the smallest ``b`` with ``x_ij <= edges[j][b]``; ``-1`` if
        missing. So ``x_ij <= edges[j][b]`` exactly when ``0 <= codes[i, j] <= b``.
    edges : list of ndarray
        Sorted thresholds of each feature (empty for a feature that is always missing).
    """
    X = _as_features(X)
    if max_bins is not None and (isinstance(max_bins, bool) or not isinstance(max_bins, (int, np.integer))):
        raise TypeError(f"max_bins must be an int or None, got {type(max_bins).__name__}")
    if max_bins is not None and max_bins < 2:
        raise ValueError(f"max_bins must be >= 2, got {max_bins}")
    codes = np.full(X.shape, -1, dtype=np.intp)
    edges = []
    for j in range(X.shape[1]):
        col = X[:, j]
        observed = ~np.isnan(col)
        values = np.unique(col[observed])
        if max_bins is not None and len(values) > max_bins:
            values = np.unique(
                np.quantile(col[observed], np.linspace(0, 1, max_bins + 1)[1:], method="lower")
            )
        edges.append(values)
        if len(values):
            codes[observed, j] = np.minimum(
                np.searchsorted(values, col[observed], side="left"), len(values) - 1
            )
    return codes, edges


def _tree_from_choice(
    feature: NDArray, bin_index: NDArray, missing_left: NDArray, edges: list[NDArray]
) -> MIATree:
    threshold = np.array(
        [
            edges[j][b] if b >= 0 and len(edges[j]) else -np.inf
            for j, b in zip(feature, bin_index, strict=True)
        ],
        dtype=np.float64,
    )
    return MIATree(np.asarray(feature, np.intp).copy(), threshold, np.asarray(missing_left, bool).copy())


def _descend(
    codes: NDArray[np.intp], start: NDArray[np.intp], feature, bin_index, missing_left, depth: int
) -> NDArray[np.intp]:
    """Route rows from the nodes ``start`` down to the leaves (binned version of mia_route)."""
    node = start.copy()
    first_leaf = 2**depth - 1
    rows = np.arange(codes.shape[0])
    while True:
        inner = node < first_leaf
        if not inner.any():
            return node - first_leaf
        v = node[inner]
        c = codes[rows[inner], feature[v]]
        left = np.where(c < 0, missing_left[v], c <= bin_index[v])
        node[inner] = 2 * v + np.where(left, 1, 2)


# --------------------------------------------------------------------------------------------
# Fast solver: coordinate descent over branch nodes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SolverResult:
    """Outcome of a solver: the tree, its training objective and bookkeeping."""

    tree: MIATree
    objective: float
    error: float
    gap: float
    n_sweeps: int
    history: tuple[float, ...]
    optimal: bool | None
    seconds: float


def _node_depth(v: int) -> int:
    return int(np.floor(np.log2(v + 1)))


@dataclass(frozen=True)
class _Problem:
    """Binned training data and the objective's settings, shared by the CD steps."""

    codes: NDArray[np.intp]
    cat: NDArray[np.intp]
    n_bins: NDArray[np.intp]
    n_cat: NDArray[np.float64]
    depth: int
    lam: float
    fairness: str

    def objective(self, stats: NDArray) -> NDArray[np.float64]:
        return _objective_from_stats(stats, self.n_cat, self.lam, self.fairness)[0]

    def route(self, state: tuple[NDArray, NDArray, NDArray], rows=None, start=None) -> NDArray[np.intp]:
        codes = self.codes if rows is None else self.codes[rows]
        begin = (
            np.zeros(codes.shape[0], np.intp) if start is None else np.full(codes.shape[0], start, np.intp)
        )
        return _descend(codes, begin, *state, self.depth)


def _subtree(v: int, depth: int) -> tuple[int, int]:
    """First leaf and number of leaves under node ``v``."""
    dv = _node_depth(v)
    sub = 2 ** (depth - dv)
    return (v - (2**dv - 1)) * sub, sub


def _candidate_stats(
    P: _Problem, v: int, rows: NDArray[np.intp], state: tuple[NDArray, NDArray, NDArray]
) -> NDArray[np.float64]:
    """Sums ``(FP_0, FP_1, FN_0, FN_1)`` over the leaves under ``v`` of the rows ``rows``
    (those reaching ``v``) for *every* split of ``v``, its subtrees fixed (eq. ``mia-cd-step``).

    The rows are routed through the fixed left and right subtrees once; their per-leaf
    ``(y, s)`` counts are histogrammed per feature and threshold bin and accumulated by prefix
    sums. Returns shape ``(n_features, max_bins + 1, 2)`` + ``(4,)`` over
    ``(feature, threshold bin -1..B-1, missing_left)``; padding bins hold NaN.
    """
    d = P.codes.shape[1]
    first, sub = _subtree(v, P.depth)
    half = sub // 2
    B = max(int(P.n_bins.max()), 1)
    slots = B + 1  # slot 0: missing, slot b + 1: bin b
    key_shape = half * _N_CAT
    blocks = []
    for side, child in enumerate((2 * v + 1, 2 * v + 2)):
        if len(rows):
            local = P.route(state, rows, child) - first - side * half
            key = local * _N_CAT + P.cat[rows]
            idx = (np.arange(d)[None, :] * slots + P.codes[rows] + 1) * key_shape + key[:, None]
            hist = np.bincount(idx.ravel(), minlength=d * slots * key_shape).astype(float)
        else:
            hist = np.zeros(d * slots * key_shape)
        blocks.append(hist.reshape(d, slots, half, _N_CAT))
    hist_l, hist_r = blocks
    zero = np.zeros((d, 1, half, _N_CAT))
    cum_l = np.concatenate([zero, np.cumsum(hist_l[:, 1:], axis=1)], axis=1)  # observed bin <= b
    cum_r = np.concatenate([zero, np.cumsum(hist_r[:, 1:], axis=1)], axis=1)
    counts = np.empty((d, B + 1, 2, sub, _N_CAT))
    for m, miss_left in enumerate((False, True)):
        counts[:, :, m, :half] = cum_l + (hist_l[:, :1] if miss_left else 0.0)
        counts[:, :, m, half:] = cum_r[:, -1:] - cum_r + (0.0 if miss_left else hist_r[:, :1])
    stats = _leaf_stats(counts)
    valid = np.arange(-1, B)[None, :] < P.n_bins[:, None]  # past a feature's edges: padding
    stats[~valid] = np.nan
    return stats


def _rows_and_base(
    P: _Problem, v: int, state: tuple[NDArray, NDArray, NDArray]
) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """Rows reaching ``v`` and the stats of all other rows (their leaves do not change)."""
    leaf = P.route(state)
    first, sub = _subtree(v, P.depth)
    at_v = (leaf >= first) & (leaf < first + sub)
    outside = _leaf_stats(_leaf_counts(leaf[~at_v], P.cat[~at_v], 2**P.depth))
    return np.flatnonzero(at_v), outside


def _flat_choices(stats: NDArray) -> tuple[NDArray[np.float64], NDArray[np.intp]]:
    """Distinct valid rows of a ``(d, B+1, 2, 4)`` table and a flat index for each."""
    flat = stats.reshape(-1, 4)
    ok = np.flatnonzero(~np.isnan(flat[:, 0]))
    _, keep = np.unique(flat[ok], axis=0, return_index=True)
    index = ok[np.sort(keep)]
    return flat[index], index


def _unflat(shape: tuple[int, ...], flat_index: int) -> tuple[int, int, bool]:
    j, b, m = np.unravel_index(int(flat_index), shape[:3])
    return int(j), int(b) - 1, bool(m)


def _single_move(P: _Problem, v: int, state) -> tuple[float, tuple[int, int, bool], NDArray]:
    """Best split of node ``v`` alone; also returns the node's objective table."""
    rows, base = _rows_and_base(P, v, state)
    table = P.objective(base + _candidate_stats(P, v, rows, state))
    table = np.where(np.isnan(table), np.inf, table)
    flat = int(np.argmin(table))
    return float(table.ravel()[flat]), _unflat(table.shape, flat), table


def _pair_move(
    P: _Problem, v: int, state, max_pairs: int
) -> tuple[float, tuple[int, int, bool], tuple[int, int, bool]]:
    """Best splits of the two children of ``v`` jointly (eq. ``mia-pair-step``).

    The objective is a function of the sum of the two children's stats and of the rest's, so
    all pairs are scored by an outer sum; beyond ``max_pairs`` pairs only the best
    ``sqrt(max_pairs)`` splits of each child (scored alone) are paired.
    """
    rows_v, base = _rows_and_base(P, v, state)
    feature, bin_index, missing_left = state
    left = np.zeros(len(rows_v), bool)
    if len(rows_v):
        c = P.codes[rows_v, feature[v]]
        left = np.where(c < 0, missing_left[v], c <= bin_index[v])
    tables, choices, current = [], [], []
    for side, child in enumerate((2 * v + 1, 2 * v + 2)):
        rows = rows_v[left] if side == 0 else rows_v[~left]
        stats = _candidate_stats(P, child, rows, state)
        j, b, m = feature[child], bin_index[child], missing_left[child]
        current.append(stats[j, b + 1, int(m)])
        flat, index = _flat_choices(stats)
        tables.append(flat)
        choices.append(index)
    cap = max(int(np.sqrt(max_pairs)), 1)
    for side in (0, 1):
        if len(tables[0]) * len(tables[1]) > max_pairs and len(tables[side]) > cap:
            alone = P.objective(base + tables[side] + current[1 - side])
            keep = np.argsort(alone, kind="stable")[:cap]
            tables[side], choices[side] = tables[side][keep], choices[side][keep]
    total = P.objective(base + tables[0][:, None, :] + tables[1][None, :, :])
    i, k = np.unravel_index(int(np.argmin(total)), total.shape)
    shape = (P.codes.shape[1], max(int(P.n_bins.max()), 1) + 1, 2)
    return float(total[i, k]), _unflat(shape, choices[0][i]), _unflat(shape, choices[1][k])


def solve_coordinate_descent(
    X: ArrayLike,
    y: ArrayLike,
    s: ArrayLike,
    depth: int,
    lam: float,
    fairness: Fairness = "fpr",
    *,
    max_bins: int | None = 32,
    n_restarts: int = 4,
    max_sweeps: int = 20,
    max_pairs: int = 250_000,
    random_state: int | np.random.Generator | None = None,
) -> SolverResult:
    """Minimise ``error + lam * gap`` by block coordinate descent over the branch nodes.

    A sweep replaces each node's split by the best one given all other nodes (eq.
    ``mia-cd-step``), then each pair of sibling nodes by the best *pair* (eq.
    ``mia-pair-step``): the objective never increases, and a sweep without improvement ends a
    run. Starts: the tree that sends everything right (its first sweep builds a tree top-down),
    then trees whose root is the 2nd, 3rd, ... best root split of that first step, then, if
    ``n_restarts`` exceeds the number of root splits, random trees. The best tree of
    all starts is returned. At depth 2 with every root split as a start this is exact.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        NaN for missing.
    y, s : array-like of shape (n_samples,)
        Labels and groups coded 0/1.
    depth : int
    lam : float
    fairness : {"fpr", "fnr", "acc", "eqodds"}
    max_bins : int or None
        Thresholds per feature (:func:`bin_features`); ``None`` tries every distinct value.
    n_restarts : int
        Number of starts.
    max_sweeps : int
    max_pairs : int
        Most sibling pairs scored in one pair step.
    random_state : int, Generator or None
        Seeds the random starts.

    Returns
    -------
    SolverResult
    """
    start = time.perf_counter()
    depth, lam, fairness = _check_depth(depth), _check_lam(lam), _check_fairness(fairness)
    n_restarts = _check_count("n_restarts", n_restarts)
    max_sweeps = _check_count("max_sweeps", max_sweeps)
    max_pairs = _check_count("max_pairs", max_pairs)
    codes, edges = bin_features(X, max_bins)
    y = _as_codes(y, "y", codes.shape[0])
    s = _as_codes(s, "s", codes.shape[0])
    cat = 2 * y + s
    _check_cells(cat, fairness, lam)
    P = _Problem(
        codes=codes,
        cat=cat,
        n_bins=np.array([len(e) for e in edges], dtype=np.intp),
        n_cat=np.bincount(cat, minlength=_N_CAT).astype(float),
        depth=depth,
        lam=lam,
        fairness=fairness,
    )
    rng = np.random.default_rng(random_state)
    n_nodes = 2**depth - 1
    n_pair_parents = 2 ** (depth - 1) - 1  # nodes whose children are branch nodes
    best: tuple[float, tuple, list[float], int] | None = None
    root_order: NDArray[np.intp] = np.zeros(0, np.intp)
    root_table: NDArray[np.float64] = np.zeros(0)
    for restart in range(n_restarts):
        state = (np.zeros(n_nodes, np.intp), np.full(n_nodes, -1, np.intp), np.zeros(n_nodes, bool))
        feature, bin_index, missing_left = state
        if 0 < restart < len(root_order):  # start from the restart-th best root split
            feature[0], bin_index[0], missing_left[0] = _unflat(root_table.shape, root_order[restart])
        elif restart > 0:
            feature[:] = rng.integers(0, codes.shape[1], n_nodes)
            bin_index[:] = [rng.integers(-1, max(P.n_bins[j], 1)) for j in feature]
            missing_left[:] = rng.random(n_nodes) < 0.5
        current = float(P.objective(_leaf_stats(_leaf_counts(P.route(state), cat, 2**depth))))
        history = [current]
        sweeps = 0
        for sweeps in range(1, max_sweeps + 1):  # noqa: B007
            improved = False
            for v in range(n_nodes):
                if restart > 0 and v == 0 and sweeps == 1 and restart < len(root_order):
                    continue  # keep the seeded root for one sweep
                obj, (j, b, m), table = _single_move(P, v, state)
                if restart == 0 and v == 0 and sweeps == 1:
                    flat = table.ravel()
                    valid = np.flatnonzero(np.isfinite(flat))
                    root_order = valid[np.argsort(flat[valid], kind="stable")]
                    root_table = table
                if obj < current - 1e-12:
                    feature[v], bin_index[v], missing_left[v] = j, b, m
                    current, improved = obj, True
            for v in range(n_pair_parents):
                obj, (ja, ba, ma), (jb, bb, mb) = _pair_move(P, v, state, max_pairs)
                if obj < current - 1e-12:
                    a, c = 2 * v + 1, 2 * v + 2
                    feature[a], bin_index[a], missing_left[a] = ja, ba, ma
                    feature[c], bin_index[c], missing_left[c] = jb, bb, mb
                    current, improved = obj, True
            history.append(current)
            if not improved:
                break
        if best is None or current < best[0] - 1e-12:
            best = (current, tuple(a.copy() for a in state), history, sweeps)
    assert best is not None
    objective, state, history, sweeps = best
    _, error, gap = _objective_from_stats(
        _leaf_stats(_leaf_counts(P.route(state), cat, 2**depth)), P.n_cat, lam, fairness
    )
    return SolverResult(
        tree=_tree_from_choice(*state, edges),
        objective=objective,
        error=float(error),
        gap=float(gap),
        n_sweeps=sweeps,
        history=tuple(history),
        optimal=None,
        seconds=time.perf_counter() - start,
    )


# --------------------------------------------------------------------------------------------
# Exact solver: a MILP over the distinct splits, solved by HiGHS
# --------------------------------------------------------------------------------------------


def _distinct_splits(codes: NDArray[np.intp], n_bins: NDArray[np.intp]) -> tuple[NDArray, NDArray]:
    """All splits ``(j, b, missing_left)`` and their go-left indicators, one per distinct
    partition of the rows. Returns ``splits`` (K, 3) and ``goes_left`` (n, K)."""
    splits, columns = [], []
    for j in range(codes.shape[1]):
        c = codes[:, j]
        for b in range(-1, int(n_bins[j])):
            for m in (False, True):
                splits.append((j, b, int(m)))
                columns.append(np.where(c < 0, m, (c >= 0) & (c <= b)))
    goes_left = np.array(columns, dtype=bool).T
    _, keep = np.unique(goes_left, axis=1, return_index=True)
    keep = np.sort(keep)
    return np.array(splits, dtype=np.intp)[keep], goes_left[:, keep]


def solve_exact(
    X: ArrayLike,
    y: ArrayLike,
    s: ArrayLike,
    depth: int,
    lam: float,
    fairness: Fairness = "fpr",
    *,
    time_limit: float = 60.0,
    max_rows: int = 200,
) -> SolverResult:
    """Minimise ``error + lam * gap`` exactly: a MILP solved by HiGHS (eq. ``mia-milp``).

    Our formulation (not the paper's big-M threshold model, which it solves with Gurobi):
    binary ``beta[v, k]`` picks one of the ``K`` distinct splits of the training rows at
    node ``v``; whether row ``i`` goes left is then the *linear* expression
    ``w[i, v] = sum_k G[i, k] beta[v, k]`` with the constant indicator ``G``. The leaf
    assignment ``z[i, leaf_id] <= w[i, v]`` (or ``1 - w``) for the ancestors ``v`` of ``leaf_id``,
    ``sum_l z[i, leaf_id] = 1``; the majority label ``u[leaf_id]`` is pinned by
    ``-n (1 - u) <= sum_i (2 y_i - 1) z[i, leaf_id] <= -1 + (n + 1) u``; the products
    ``a[leaf_id, c] = u[leaf_id] N[leaf_id, c]`` of the label and the leaf's ``(y, s)`` counts are linearised
    exactly (McCormick with integer bounds); the gap is an absolute value. Since only the
    partition of the training rows matters, this is the same problem as the paper's MIP with
    continuous thresholds.

    Parameters
    ----------
    X, y, s, depth, lam, fairness
        As in :func:`solve_coordinate_descent`; every distinct observed value is a threshold.
    time_limit : float
        Seconds given to HiGHS; ``optimal`` in the result says whether it proved optimality.
    max_rows : int
        Refuse larger problems (the MILP grows as ``n * 2**depth``).

    Returns
    -------
    SolverResult
    """
    start = time.perf_counter()
    depth, lam, fairness = _check_depth(depth), _check_lam(lam), _check_fairness(fairness)
    time_limit = _check_time_limit(time_limit)
    codes, edges = bin_features(X, None)
    n = codes.shape[0]
    if n > max_rows or depth > 3:
        raise ValueError(
            f"solve_exact is meant for tiny problems (n_samples <= max_rows={max_rows}, depth <= 3); "
            f"got n_samples={n}, depth={depth}: use solve_coordinate_descent"
        )
    y = _as_codes(y, "y", n)
    s = _as_codes(s, "s", n)
    cat = 2 * y + s
    _check_cells(cat, fairness, lam)
    n_bins = np.array([len(e) for e in edges], dtype=np.intp)
    splits, G = _distinct_splits(codes, n_bins)
    K, V, L = G.shape[1], 2**depth - 1, 2**depth
    n_cat = np.bincount(cat, minlength=_N_CAT).astype(float)

    # variable layout
    off_beta = 0
    off_z = off_beta + V * K
    off_u = off_z + n * L
    off_a = off_u + L
    off_f = off_a + L * _N_CAT
    n_f = 2 if fairness == "eqodds" else 1
    n_var = off_f + n_f

    def beta(v, k):
        return off_beta + v * K + k

    def z(i, leaf_id):
        return off_z + i * L + leaf_id

    rows, cols, vals, lo, hi = [], [], [], [], []
    r = 0

    def add(coeffs: list[tuple[int, float]], lb: float, ub: float) -> None:
        nonlocal r
        for c, a in coeffs:
            rows.append(r)
            cols.append(c)
            vals.append(a)
        lo.append(lb)
        hi.append(ub)
        r += 1

    for v in range(V):  # one split per node
        add([(beta(v, k), 1.0) for k in range(K)], 1.0, 1.0)
    for i in range(n):  # one leaf per row
        add([(z(i, leaf_id), 1.0) for leaf_id in range(L)], 1.0, 1.0)
    for leaf_id in range(L):  # routing: z[i, leaf_id] <= w[i, v] or 1 - w[i, v] for each ancestor v
        node = leaf_id + V
        while node > 0:
            parent = (node - 1) // 2
            went_left = node == 2 * parent + 1
            for i in range(n):
                ks = np.flatnonzero(G[i])
                coeffs = [(z(i, leaf_id), 1.0)] + [
                    (beta(parent, k), 1.0 if not went_left else -1.0) for k in ks
                ]
                add(coeffs, -np.inf, 0.0 if went_left else 1.0)
            node = parent
    sign = 2.0 * y - 1.0
    for leaf_id in range(L):  # majority label
        terms = [(z(i, leaf_id), sign[i]) for i in range(n)]
        add(terms + [(off_u + leaf_id, -float(n))], -float(n), np.inf)  # sum >= -n (1 - u)
        add(terms + [(off_u + leaf_id, -float(n + 1))], -np.inf, -1.0)  # sum <= -1 + (n + 1) u
        for c in range(_N_CAT):  # a = u * N exactly, N = sum_{i in c} z[i, leaf_id] in [0, n_c]
            members = [(z(i, leaf_id), 1.0) for i in np.flatnonzero(cat == c)]
            a = off_a + leaf_id * _N_CAT + c
            add([(a, 1.0)] + [(t, -w) for t, w in members], -np.inf, 0.0)  # a <= N
            add([(a, 1.0), (off_u + leaf_id, -n_cat[c])], -np.inf, 0.0)  # a <= n_c u
            add([(a, 1.0), (off_u + leaf_id, -n_cat[c])] + [(t, -w) for t, w in members], -n_cat[c], np.inf)

    # linear forms: n * error, false positives and negatives per group
    obj = np.zeros(n_var)
    fp_terms = {g: [(off_a + leaf_id * _N_CAT + g, 1.0) for leaf_id in range(L)] for g in (0, 1)}
    fn_terms = {}
    for g in (0, 1):
        c = 2 + g
        terms = [(z(i, leaf_id), 1.0) for leaf_id in range(L) for i in np.flatnonzero(cat == c)]
        fn_terms[g] = terms + [(off_a + leaf_id * _N_CAT + c, -1.0) for leaf_id in range(L)]
    for terms in (*fp_terms.values(), *fn_terms.values()):
        for t, w in terms:
            obj[t] += w / n
    n0 = np.maximum(n_cat[:2], 1.0)
    n1 = np.maximum(n_cat[2:], 1.0)

    def difference(kind: str) -> list[tuple[int, float]]:
        if kind == "fpr":
            return [(t, w / n0[0]) for t, w in fp_terms[0]] + [(t, -w / n0[1]) for t, w in fp_terms[1]]
        if kind == "fnr":
            return [(t, w / n1[0]) for t, w in fn_terms[0]] + [(t, -w / n1[1]) for t, w in fn_terms[1]]
        ns = n0 + n1
        return [(t, w / ns[0]) for t, w in fp_terms[0] + fn_terms[0]] + [
            (t, -w / ns[1]) for t, w in fp_terms[1] + fn_terms[1]
        ]

    kinds = ("fpr", "fnr") if fairness == "eqodds" else (fairness,)
    weight = 0.5 if fairness == "eqodds" else 1.0
    for q, kind in enumerate(kinds):  # F_q >= |difference|
        diff = difference(kind)
        add([(off_f + q, 1.0)] + [(t, -w) for t, w in diff], 0.0, np.inf)
        add([(off_f + q, 1.0)] + [(t, w) for t, w in diff], 0.0, np.inf)
        obj[off_f + q] = lam * weight

    A = sparse.csr_array((vals, (rows, cols)), shape=(r, n_var))
    integrality = np.zeros(n_var)
    integrality[off_beta : off_beta + V * K] = 1
    integrality[off_u : off_u + L] = 1
    upper = np.ones(n_var)
    upper[off_a:] = np.inf
    result = optimize.milp(
        obj,
        constraints=optimize.LinearConstraint(A, lo, hi),
        integrality=integrality,
        bounds=optimize.Bounds(np.zeros(n_var), upper),
        options={"time_limit": float(time_limit), "mip_rel_gap": 0.0},
    )
    if result.x is None:
        raise RuntimeError(f"HiGHS found no feasible tree within time_limit={time_limit} s: {result.message}")
    choice = splits[np.argmax(result.x[: V * K].reshape(V, K), axis=1)]
    tree = _tree_from_choice(choice[:, 0], choice[:, 1], choice[:, 2].astype(bool), edges)
    leaf = _descend(codes, np.zeros(n, np.intp), choice[:, 0], choice[:, 1], choice[:, 2].astype(bool), depth)
    objective, error, gap = _objective_from_stats(
        _leaf_stats(_leaf_counts(leaf, cat, L)), n_cat, lam, fairness
    )
    return SolverResult(
        tree=tree,
        objective=float(objective),
        error=float(error),
        gap=float(gap),
        n_sweeps=0,
        history=(float(result.fun),),
        optimal=bool(result.status == 0),
        seconds=time.perf_counter() - start,
    )


# --------------------------------------------------------------------------------------------
# Estimator
# --------------------------------------------------------------------------------------------


class FairMIATreeClassifier(ClassifierMixin, BaseEstimator):
    """Fairness-regularised MIA decision tree (Jeong, Wang and Calmon, 2022).

    A complete tree of depth ``max_depth`` whose splits route missing values (NaN) to a
    learned side, with majority leaf labels, minimising the training error plus ``lam`` times
    the chosen group gap (eq. ``mia-objective``). Missing values are never imputed; the group
    is needed only at ``fit``.

    Parameters
    ----------
    max_depth : int, default=3
    fairness : {"fpr", "fnr", "acc", "eqodds"}, default="fpr"
        The gap regularised: false-positive rate, false-negative rate, error rate, or the mean
        of the FPR and FNR gaps.
    lam : float, default=0.0
        Weight of the gap; ``0`` gives an (optimised, not greedy) MIA tree.
    solver : {"cd", "exact"}, default="cd"
        Coordinate descent (:func:`solve_coordinate_descent`) or the exact MILP
        (:func:`solve_exact`, tiny problems only).
    max_bins : int or None, default=32
        Thresholds per feature for ``solver="cd"`` (``None``: every distinct value).
    n_restarts : int, default=4
    max_sweeps : int, default=20
    time_limit : float, default=60.0
        Seconds for ``solver="exact"``.
    random_state : int or None

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
    groups_ : ndarray of shape (2,)
    tree_ : MIATree
    leaf_label_ : numpy.ndarray
        Majority class code of each leaf on the training data.
    leaf_proba_ : numpy.ndarray
        Share of class ``classes_[1]`` among the training rows of each leaf (0.5 if empty).
    objective_, train_error_, train_gap_ : float
    result_ : SolverResult

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [np.nan], [3.0]])
    >>> clf = FairMIATreeClassifier(max_depth=1).fit(X, [0, 1, 1, 1], ["a", "b", "a", "b"])
    >>> clf.predict(X).tolist()
    [0, 1, 1, 1]
    """

    def __init__(
        self,
        max_depth: int = 3,
        fairness: Fairness = "fpr",
        lam: float = 0.0,
        solver: Literal["cd", "exact"] = "cd",
        max_bins: int | None = 32,
        n_restarts: int = 4,
        max_sweeps: int = 20,
        time_limit: float = 60.0,
        random_state: int | None = None,
    ) -> None:
        self.max_depth = max_depth
        self.fairness = fairness
        self.lam = lam
        self.solver = solver
        self.max_bins = max_bins
        self.n_restarts = n_restarts
        self.max_sweeps = max_sweeps
        self.time_limit = time_limit
        self.random_state = random_state

    def fit(self, X: ArrayLike, y: ArrayLike, sensitive_features: ArrayLike) -> FairMIATreeClassifier:
        """Fit the tree on ``X`` (NaN = missing), binary ``y`` and two groups."""
        X = _as_features(X)
        n = X.shape[0]
        y_code, self.classes_ = _binary_codes(y, "y", n)
        s_code, self.groups_ = _binary_codes(sensitive_features, "sensitive_features", n)
        if self.solver == "cd":
            result = solve_coordinate_descent(
                X,
                y_code,
                s_code,
                self.max_depth,
                self.lam,
                self.fairness,
                max_bins=self.max_bins,
                n_restarts=self.n_restarts,
                max_sweeps=self.max_sweeps,
                random_state=self.random_state,
            )
        elif self.solver == "exact":
            result = solve_exact(
                X, y_code, s_code, self.max_depth, self.lam, self.fairness, time_limit=self.time_limit
            )
        else:
            raise ValueError(f"solver must be 'cd' or 'exact', got {self.solver!r}")
        self.result_ = result
        self.tree_ = result.tree
        self.n_features_in_ = X.shape[1]
        leaf = mia_route(X, self.tree_)
        counts = _leaf_counts(leaf, 2 * y_code + s_code, 2**self.tree_.depth)
        pos, tot = counts[:, 2:].sum(1), counts.sum(1)
        self.leaf_label_ = (pos >= tot - pos).astype(np.intp)
        self.leaf_proba_ = np.where(tot > 0, pos / np.maximum(tot, 1.0), 0.5)
        self.objective_, self.train_error_, self.train_gap_ = result.objective, result.error, result.gap
        return self

    def _leaves(self, X: ArrayLike) -> NDArray[np.intp]:
        if not hasattr(self, "tree_"):
            raise AttributeError("this FairMIATreeClassifier is not fitted yet: call fit first")
        X = _as_features(X)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X must have {self.n_features_in_} features, as at fit; got {X.shape[1]}")
        return mia_route(X, self.tree_)

    def apply(self, X: ArrayLike) -> NDArray[np.intp]:
        """Leaf index of every row."""
        return self._leaves(X)

    def predict(self, X: ArrayLike) -> NDArray:
        """Majority label of each row's leaf."""
        leaves = self._leaves(X)
        return self.classes_[self.leaf_label_[leaves]]

    def predict_proba(self, X: ArrayLike) -> NDArray[np.float64]:
        """Training class shares of each row's leaf, columns in ``classes_`` order."""
        p = self.leaf_proba_[self._leaves(X)]
        return np.column_stack([1.0 - p, p])
