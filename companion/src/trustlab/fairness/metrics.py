"""Group-fairness metrics for multi-class, multi-group predictions.

All gaps are absolute differences of rates between the best- and worst-off group, computed
one-vs-rest per class and maximised over classes. With ``N_s`` the samples of group ``s``:

* selection rate ``SR_c(s) = P(Ŷ=c | S=s)``;
* true-positive rate ``TPR_c(s) = P(Ŷ=c | Y=c, S=s)``;
* false-positive rate ``FPR_c(s) = P(Ŷ=c | Y≠c, S=s)``.

A rate that is undefined for a group (no sample with ``Y=c``, or none with ``Y≠c``, in it) is
left out of that class's max/min. For binary labels ``{0, 1}`` and two groups the
one-vs-rest gaps of class 0 and class 1 coincide, so the definitions reduce to the usual ones:
``|ΔP(Ŷ=1)|`` (statistical parity), ``(|ΔTPR| + |ΔFPR|)/2`` (mean equalized odds, the paper's
MEO) and ``max(|ΔTPR|, |ΔFPR|)`` (fairlearn's ``equalized_odds_difference``).

Every function also accepts **soft predictions**: a matrix ``y_pred`` of shape
``(n_samples, n_classes)`` whose rows are the class probabilities of a randomised classifier
(``Ŷ_i ~ y_pred[i]``), with ``y_true`` as class codes ``0..n_classes-1``. The rates are then
the exact expected rates of that classifier (no sampling): for example
``TPR_c(s) = mean_{i∈s, y_i=c} y_pred[i, c]``. This is how the randomised classifiers of
:class:`~trustlab.fairness.FairProjection`, fairlearn's ``ThresholdOptimizer`` and
``ExponentiatedGradient`` are scored without sampling noise.

The paper's official multi-class metrics have an operator-precedence bug and an extra
``C/|S|`` scaling; these functions use the clean definitions above.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from trustlab.fairness._validation import as_label_vector
from trustlab.fairness.constraints import KINDS, _as_probability_matrix, _check_alpha

__all__ = [
    "equalized_odds_difference",
    "group_rates",
    "mean_equalized_odds",
    "ratio_violation",
    "statistical_parity_difference",
]


def _as_labels(values: ArrayLike, name: str, n: int | None = None) -> NDArray:
    return as_label_vector(values, name, n, length_of="y_pred")


def _encode(
    y_pred: ArrayLike,
    sensitive_features: ArrayLike,
    y_true: ArrayLike | None,
    labels: ArrayLike | None,
) -> tuple[NDArray[np.intp], NDArray[np.intp] | None, NDArray[np.intp], NDArray, NDArray]:
    """Integer codes of predictions, labels and groups, with the class and group labels."""
    yp = _as_labels(y_pred, "y_pred")
    n = yp.shape[0]
    sf = _as_labels(sensitive_features, "sensitive_features", n)
    yt = None if y_true is None else _as_labels(y_true, "y_true", n)
    if labels is None:
        classes = np.unique(yp if yt is None else np.concatenate([yt, yp]))
    else:
        classes = np.unique(np.asarray(labels))
    index = pd.Index(classes)
    p_codes = index.get_indexer(yp)
    t_codes = None if yt is None else index.get_indexer(yt)
    if np.any(p_codes < 0) or (t_codes is not None and np.any(t_codes < 0)):
        raise ValueError(f"y_true and y_pred must only contain values from labels {list(classes)}")
    groups, s_codes = np.unique(sf, return_inverse=True)
    return p_codes.astype(np.intp), t_codes, s_codes.astype(np.intp), classes, groups


def _counts(
    p: NDArray[np.intp], t: NDArray[np.intp], s: NDArray[np.intp], C: int, S: int
) -> NDArray[np.float64]:
    """Per-group confusion counts ``N[s, true, pred]``."""
    return np.bincount((s * C + t) * C + p, minlength=S * C * C).reshape(S, C, C).astype(np.float64)


def _confusion(
    y_true: ArrayLike | None,
    y_pred: ArrayLike,
    sensitive_features: ArrayLike,
    labels: ArrayLike | None,
) -> tuple[NDArray[np.float64], NDArray, NDArray]:
    """Per-group (expected) confusion counts ``N[s, true, pred]``, the classes and the groups.

    Hard predictions are counted; soft predictions (a 2-D probability matrix) add each row's
    class probabilities, so ``N`` holds the expected counts of the randomised classifier.
    Without ``y_true`` every sample is counted under the first class (selection rates only).
    """
    if np.ndim(y_pred) != 2:
        p, t, s, classes, groups = _encode(y_pred, sensitive_features, y_true, labels)
        truth = np.zeros_like(p) if t is None else t
        return _counts(p, truth, s, len(classes), len(groups)), classes, groups
    H = _as_probability_matrix(y_pred, "y_pred")
    n, C = H.shape
    classes = np.arange(C) if labels is None else np.asarray(labels)
    if classes.shape != (C,):
        raise ValueError(f"labels must list the {C} classes of the columns of y_pred; got {classes!r}")
    sf = _as_labels(sensitive_features, "sensitive_features", n)
    groups, s = np.unique(sf, return_inverse=True)
    if y_true is None:
        t = np.zeros(n, dtype=np.intp)
    else:
        t = pd.Index(classes).get_indexer(_as_labels(y_true, "y_true", n))
        if np.any(t < 0):
            raise ValueError(
                f"with soft predictions y_true must only contain the classes {list(classes)} "
                "(one per column of y_pred)"
            )
    index = s * C + t
    S = len(groups)
    N = np.empty((S, C, C))
    for c in range(C):  # a loop over classes; every sample is handled by bincount
        N[:, :, c] = np.bincount(index, weights=H[:, c], minlength=S * C).reshape(S, C)
    return N, classes, groups


def _tpr_fpr(N: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """One-vs-rest ``TPR[s, c]`` and ``FPR[s, c]`` (NaN where undefined)."""
    diag = np.diagonal(N, axis1=1, axis2=2)
    pos = N.sum(axis=2)
    neg = N.sum(axis=(1, 2))[:, None] - pos
    pred = N.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        tpr = np.where(pos > 0, diag / pos, np.nan)
        fpr = np.where(neg > 0, (pred - diag) / neg, np.nan)
    return tpr, fpr


def _gap(R: NDArray[np.float64]) -> NDArray[np.float64]:
    """``max_s R[s, c] − min_s R[s, c]`` per class over the defined (finite) entries."""
    ok = np.isfinite(R)
    hi = np.max(R, axis=0, where=ok, initial=-np.inf)
    lo = np.min(R, axis=0, where=ok, initial=np.inf)
    return np.where(ok.any(axis=0), hi - lo, 0.0)


def _odds_gaps(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    sensitive_features: ArrayLike,
    labels: ArrayLike | None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    tpr, fpr = _tpr_fpr(_confusion(y_true, y_pred, sensitive_features, labels)[0])
    return _gap(tpr), _gap(fpr)


def mean_equalized_odds(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    sensitive_features: ArrayLike,
    *,
    labels: ArrayLike | None = None,
) -> float:
    """Mean equalized-odds gap, multi-class and multi-group.

    .. math::

        \\mathrm{MEO} = \\max_c \\tfrac12\\Big[\\big(\\max_s - \\min_s\\big) TPR_c(s)
        + \\big(\\max_s - \\min_s\\big) FPR_c(s)\\Big].

    For binary labels and two groups this is ``(|ΔTPR| + |ΔFPR|)/2``, the MEO of the paper's
    figures.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted class labels.
    sensitive_features : array-like of shape (n_samples,)
        Group labels.
    labels : array-like, optional
        The classes; default: the values present in ``y_true`` or ``y_pred``.

    Returns
    -------
    float

    Examples
    --------
    >>> mean_equalized_odds([1, 1, 0, 0, 1, 1, 0, 0], [1, 1, 0, 0, 1, 0, 1, 0], [0, 0, 0, 0, 1, 1, 1, 1])
    0.5
    """
    gap_tpr, gap_fpr = _odds_gaps(y_true, y_pred, sensitive_features, labels)
    return float(np.max(0.5 * (gap_tpr + gap_fpr)))


def equalized_odds_difference(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    sensitive_features: ArrayLike,
    *,
    labels: ArrayLike | None = None,
) -> float:
    """Equalized-odds difference ``max_c max(gap TPR_c, gap FPR_c)``.

    For binary labels this equals ``fairlearn.metrics.equalized_odds_difference``.

    Examples
    --------
    >>> equalized_odds_difference([1, 1, 0, 0, 1, 1, 0, 0], [1, 1, 0, 0, 1, 0, 1, 0], [0, 0, 0, 0, 1, 1, 1, 1])
    0.5
    """
    gap_tpr, gap_fpr = _odds_gaps(y_true, y_pred, sensitive_features, labels)
    return float(np.max(np.maximum(gap_tpr, gap_fpr)))


def statistical_parity_difference(
    y_pred: ArrayLike, sensitive_features: ArrayLike, *, labels: ArrayLike | None = None
) -> float:
    """Statistical-parity gap ``max_c (max_s − min_s) P(Ŷ=c | S=s)``.

    For binary predictions this equals ``|P(Ŷ=1|S=a) − P(Ŷ=1|S=b)|`` maximised over group
    pairs, i.e. ``fairlearn.metrics.demographic_parity_difference``.

    Examples
    --------
    >>> statistical_parity_difference([1, 1, 0, 0, 1, 0, 0, 0], [0, 0, 0, 0, 1, 1, 1, 1])
    0.25
    """
    counts = _confusion(None, y_pred, sensitive_features, labels)[0].sum(axis=1)
    rates = counts / counts.sum(axis=1, keepdims=True)
    return float(np.max(_gap(rates)))


def group_rates(
    y_true: ArrayLike | None,
    y_pred: ArrayLike,
    sensitive_features: ArrayLike,
    *,
    labels: ArrayLike | None = None,
) -> pd.DataFrame:
    """Per-group, per-class rates as a tidy table (one row per group and class).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or None
        True labels; without them only selection rates are reported.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    sensitive_features : array-like of shape (n_samples,)
        Group labels.
    labels : array-like, optional
        The classes; default: the values present.

    Returns
    -------
    pandas.DataFrame
        Columns ``group``, ``class``, ``n_group`` (samples in the group), ``selection_rate``
        and, with ``y_true``, ``n_positive`` (samples of the class in the group), ``tpr`` and
        ``fpr`` (NaN where undefined).

    Examples
    --------
    >>> group_rates([1, 0, 1, 0], [1, 0, 0, 0], ["a", "a", "b", "b"])[["group", "class", "tpr"]]
      group  class  tpr
    0     a      0  1.0
    1     a      1  1.0
    2     b      0  1.0
    3     b      1  0.0
    """
    N, classes, groups = _confusion(y_true, y_pred, sensitive_features, labels)
    C, S = len(classes), len(groups)
    n_group = N.sum(axis=(1, 2))
    table = {
        "group": np.repeat(groups, C),
        "class": np.tile(classes, S),
        "n_group": np.repeat(n_group, C).astype(np.int64),
        "selection_rate": (N.sum(axis=1) / n_group[:, None]).ravel(),
    }
    if y_true is not None:
        tpr, fpr = _tpr_fpr(N)
        table["n_positive"] = N.sum(axis=2).ravel().astype(np.int64)
        table["tpr"] = tpr.ravel()
        table["fpr"] = fpr.ravel()
    return pd.DataFrame(table)


def ratio_violation(
    predictions: ArrayLike,
    sensitive_features: ArrayLike,
    constraint: Literal["sp", "meo", "eo"] = "meo",
    alpha: float = 0.0,
    *,
    y_true: ArrayLike | None = None,
    label_probs: ArrayLike | None = None,
    min_support: float = 0.0,
) -> float:
    """The paper's relative-band violation ``max_{c,s} |rate_s(c)/rate(c) − 1| − α``.

    Values ``≤ 0`` mean every group's rate lies in ``[(1−α) rate, (1+α) rate]`` (the
    constraints (fp-constraints) evaluated on the given data).

    * SP: ``rate_s(c) = mean_{i∈s} h_ic``, ``rate(c) = mean_i h_ic``.
    * MEO: ``rate_s(c) = Σ_{i∈s} h_ic m_ic / Σ_{i∈s} m_ic`` and
      ``rate(c) = Σ_i h_ic m_ic / Σ_i m_ic``, with ``m_ic = 1[y_i = c]`` if ``y_true`` is given,
      else ``m_ic = label_probs[i, c]`` (the plug-in ``P(Y=c | x_i)`` the projection uses).
    * EO: every cell of the confusion matrix, ``rate_s(c | y) = Σ_{i∈s} h_ic m_iy / Σ_{i∈s} m_iy``
      against ``rate(c | y)``, maximised over ``(c, y, s)``.

    Parameters
    ----------
    predictions : array-like of shape (n_samples, n_classes) or (n_samples,)
        Soft predictions (rows sum to one) or hard predictions as integer class codes
        ``0..n_classes-1``.
    sensitive_features : array-like of shape (n_samples,)
        Group labels.
    constraint : {"sp", "meo", "eo"}, default="meo"
    alpha : float, default=0.0
        Relative tolerance subtracted from the worst ratio deviation.
    y_true : array-like of int, shape (n_samples,), optional
        True labels as class codes (MEO).
    label_probs : array-like of shape (n_samples, n_classes), optional
        Plug-in label probabilities (MEO without ``y_true``).
    min_support : float, default=0.0
        Skip the pairs ``(c, s)`` whose denominator ``Σ_{i∈s} m_ic`` (the number, or expected
        number, of group-``s`` samples the rate is estimated from) is below this. On a test
        split a rate estimated from a handful of samples is dominated by sampling noise.

    Returns
    -------
    float
        Pairs ``(c, s)`` with ``rate(c) = 0`` or an empty denominator are skipped.

    Examples
    --------
    >>> ratio_violation([1, 1, 0, 1], [0, 0, 1, 1], "sp", alpha=0.5)
    0.5
    """
    if constraint not in KINDS:
        raise ValueError(f"constraint must be one of {KINDS}; got {constraint!r}")
    alpha = _check_alpha(alpha)
    pred = np.asarray(predictions)
    n = pred.shape[0] if pred.ndim >= 1 else 0
    sf = _as_labels(sensitive_features, "sensitive_features", n)
    _, s = np.unique(sf, return_inverse=True)
    t = None
    if y_true is not None:
        t = np.asarray(_as_labels(y_true, "y_true", n))
        if not np.issubdtype(t.dtype, np.integer) or t.min() < 0:
            raise ValueError(f"y_true must hold integer class codes >= 0; got dtype {t.dtype}")
    M = None if label_probs is None else _as_probability_matrix(label_probs, "label_probs")
    if pred.ndim == 2:
        H = _as_probability_matrix(pred, "predictions")
    elif pred.ndim == 1:
        if not np.issubdtype(pred.dtype, np.integer) or pred.min() < 0:
            raise ValueError(f"hard predictions must be integer class codes >= 0; got dtype {pred.dtype}")
        if M is not None:
            C = M.shape[1]
        else:
            C = max(2, int(pred.max()) + 1, 0 if t is None else int(t.max()) + 1)
        if pred.max() >= C:
            raise ValueError(f"hard predictions must be class codes < n_classes = {C}; got {pred.max()}")
        H = np.eye(C)[pred]
    else:
        raise ValueError(f"predictions must be 1-D (labels) or 2-D (probabilities); got shape {pred.shape}")
    C = H.shape[1]
    if constraint == "sp":
        W = np.ones_like(H)
    elif t is not None:
        if t.max() >= C:
            raise ValueError(f"y_true codes must be < n_classes = {C}; got {t.max()}")
        W = np.eye(C)[t]
    elif M is not None:
        if M.shape != H.shape:
            raise ValueError(f"label_probs must have shape {H.shape}; got {M.shape}")
        W = M
    else:
        raise ValueError(
            f"{constraint.upper()} needs y_true or label_probs (the plug-in P(Y|X)); got neither"
        )
    if not (np.isfinite(min_support) and min_support >= 0):
        raise ValueError(f"min_support must be a finite number >= 0; got {min_support!r}")
    S = int(s.max()) + 1
    den = np.stack([np.bincount(s, weights=W[:, c], minlength=S) for c in range(C)])
    if constraint == "eo":  # num[c, y, s] = Σ_{i∈s} h_ic m_iy: every cell of the confusion matrix
        num = np.stack([H[s == g].T @ W[s == g] for g in range(S)], axis=-1)
        den = np.broadcast_to(den, num.shape)
    else:
        num = np.stack([np.bincount(s, weights=(H * W)[:, c], minlength=S) for c in range(C)])
    total = den.sum(axis=-1)
    rate = num.sum(axis=-1) / np.where(total > 0, total, 1.0)
    ok = (den > 0) & (den >= min_support) & (rate[..., None] > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        dev = np.abs(num / den / rate[..., None] - 1.0)
    return float(np.max(dev, where=ok, initial=0.0) - alpha)
