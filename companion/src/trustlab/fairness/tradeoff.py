"""Accuracy-fairness trade-offs of a post-processor: base models and alpha sweeps.

These are the building blocks of the fairness chapters' experiments and of their seed
calibrations (``benchmarks/calibrate_fair_projection.py``), kept here so that both run the
same code.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import ClassifierMixin
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from .metrics import mean_equalized_odds, statistical_parity_difference
from .projection import FairProjection

BASE_MODELS: tuple[str, ...] = ("logistic", "gbm")


def make_base_model(kind: str, random_state: int | None = None) -> ClassifierMixin:
    """Return an unfitted base classifier of the kind the paper uses.

    Parameters
    ----------
    kind : {"logistic", "gbm"}
        ``"logistic"``: standardised features and an L2-regularised logistic (multinomial)
        regression. ``"gbm"``: scikit-learn's histogram gradient boosting with default
        settings (the paper uses the older, much slower ``GradientBoostingClassifier``;
        on Adult both reach 0.861 test accuracy).
    random_state : int, optional
        Seed of the gradient-boosting model.

    Returns
    -------
    sklearn classifier
        With ``fit`` and ``predict_proba``.
    """
    if kind == "logistic":
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
    if kind == "gbm":
        return HistGradientBoostingClassifier(random_state=random_state)
    raise ValueError(f"kind must be one of {BASE_MODELS}, got {kind!r}")


def fairness_summary(y_true, y_pred, sensitive_features) -> dict[str, float]:
    """Accuracy, mean equalized odds and statistical parity difference of predictions.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Labels (class codes ``0..n_classes-1`` when ``y_pred`` is soft).
    y_pred : array-like of shape (n_samples,) or (n_samples, n_classes)
        Hard predictions, or the class probabilities of a randomised classifier
        (``Ŷ_i ~ y_pred[i]``), scored by its exact expected accuracy and gaps.
    sensitive_features : array-like of shape (n_samples,)
        Group labels.

    Returns
    -------
    dict
        ``{"accuracy", "meo", "sp"}``; the gaps are the absolute ones of
        :func:`mean_equalized_odds` and :func:`statistical_parity_difference`.
    """
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if y_pred.shape[:1] != y_true.shape or y_pred.ndim not in (1, 2):
        raise ValueError(
            f"y_pred must have shape (n,) or (n, n_classes) with n = len(y_true) = {len(y_true)}, "
            f"got {y_pred.shape}"
        )
    if y_pred.ndim == 2:
        accuracy = float(np.mean(y_pred[np.arange(len(y_true)), y_true.astype(np.intp)]))
    else:
        accuracy = float(np.mean(y_true == y_pred))
    return {
        "accuracy": accuracy,
        "meo": float(mean_equalized_odds(y_true, y_pred, sensitive_features)),
        "sp": float(statistical_parity_difference(y_pred, sensitive_features)),
    }


def scored(y_true, probs: np.ndarray, sensitive_features) -> dict[str, float]:
    """Score a probabilistic classifier twice: as the randomised classifier ``Ŷ ~ probs`` it
    defines (exact expected accuracy and gaps) and by the ``argmax`` of its probabilities.

    Returns
    -------
    dict
        ``accuracy, meo, sp`` (randomised) and ``argmax_accuracy, argmax_meo, argmax_sp``.
    """
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim != 2:
        raise ValueError(f"probs must be a 2-D matrix of class probabilities, got shape {probs.shape}")
    expected = fairness_summary(y_true, probs, sensitive_features)
    hard = fairness_summary(y_true, np.argmax(probs, axis=1), sensitive_features)
    return {**expected, **{f"argmax_{key}": value for key, value in hard.items()}}


def projection_tradeoff(
    probs_fit: np.ndarray,
    s_fit,
    probs_eval: np.ndarray,
    s_eval,
    y_eval,
    alphas: Sequence[float],
    *,
    constraint: str = "meo",
    divergence: str = "kl",
    y_fit=None,
    solver: str = "dual",
) -> pd.DataFrame:
    """Fit :class:`FairProjection` at every tolerance and evaluate it: one row per alpha.

    Parameters
    ----------
    probs_fit, s_fit : array-like
        Base-model probabilities and groups the projection is fitted on (the training split).
    probs_eval, s_eval, y_eval : array-like
        Base-model probabilities, groups and labels it is evaluated on (the test split).
    alphas : array-like of float
        Relative tolerances (see :class:`FairProjection`).
    constraint, divergence, solver : str
        Passed to :class:`FairProjection`.
    y_fit : array-like, optional
        Training labels, for the empirical label marginals.

    Returns
    -------
    pandas.DataFrame
        One row per alpha, plus a first row with ``alpha = inf`` for the base model; columns
        ``alpha``, the scores of :func:`scored` (randomised and argmax), ``fit_seconds``,
        ``n_iter``, ``converged`` and ``train_violation``.
    """
    if len(alphas) == 0:
        raise ValueError("alphas must contain at least one tolerance, got an empty sequence")
    base = scored(y_eval, probs_eval, s_eval)
    rows = [
        {
            "alpha": np.inf,
            **base,
            "fit_seconds": 0.0,
            "n_iter": 0,
            "converged": True,
            "train_violation": np.nan,
        }
    ]
    for alpha in alphas:
        projection = FairProjection(constraint=constraint, alpha=alpha, divergence=divergence, solver=solver)
        start = time.perf_counter()
        projection.fit(probs_fit, s_fit, y=y_fit)
        seconds = time.perf_counter() - start
        rows.append(
            {
                "alpha": float(alpha),
                **scored(y_eval, projection.predict_proba(probs_eval, s_eval), s_eval),
                "fit_seconds": seconds,
                "n_iter": int(projection.n_iter_),
                "converged": bool(projection.converged_),
                "train_violation": float(projection.train_violation_),
            }
        )
    return pd.DataFrame(rows)
