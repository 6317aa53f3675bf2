"""Trade-off curves of the fair-tree chapter: imputation pipelines and the fair MIA tree.

The baselines of Jeong, Wang and Calmon (2022): impute (mean, k-NN or iterative), then fit a
depth-``D`` decision tree, alone or inside fairlearn's ``ExponentiatedGradient`` (the
reductions approach of Agarwal et al., 2018) at several constraint values; plus
scikit-learn's own tree with native missing-value support (greedy MIA, no fairness). Each
runner returns one row per model with test accuracy, the four gaps of
:func:`~trustlab.fairness.binary_group_gaps` and the fit time.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import TransformerMixin
from sklearn.experimental import enable_iterative_imputer  # noqa: F401
from sklearn.impute import IterativeImputer, KNNImputer, SimpleImputer
from sklearn.tree import DecisionTreeClassifier

from trustlab.fairness.mia_tree import FairMIATreeClassifier, binary_group_gaps
from trustlab.fairness.missingness import MissingData

__all__ = [
    "IMPUTERS",
    "compare_on_missing_data",
    "dominance_margin",
    "imputation_tradeoff",
    "make_imputer",
    "mia_tradeoff",
    "native_tree",
    "select_lam",
]

IMPUTERS: tuple[str, ...] = ("mean", "knn", "iterative")
# fairlearn's moment for each gap (fairlearn is in the ``book`` extra, imported on use)
_MOMENTS = {
    "fpr": "FalsePositiveRateParity",
    "fnr": "TruePositiveRateParity",
    "acc": "ErrorRateParity",
    "eqodds": "EqualizedOdds",
}
# fairlearn's post-processing constraint for each gap (none for the error-rate gap)
_POSTPROCESS = {
    "fpr": "false_positive_rate_parity",
    "fnr": "false_negative_rate_parity",
    "eqodds": "equalized_odds",
}


def make_imputer(kind: str, random_state: int | None = 0) -> TransformerMixin:
    """``"mean"``: column means; ``"knn"``: mean of the 5 nearest rows (NaN-aware Euclidean);
    ``"iterative"``: each column regressed on the others in turn (Bayesian ridge, 10 rounds)."""
    if kind == "mean":
        return SimpleImputer(strategy="mean", keep_empty_features=True)
    if kind == "knn":
        return KNNImputer(n_neighbors=5, keep_empty_features=True)
    if kind == "iterative":
        return IterativeImputer(max_iter=10, random_state=random_state, keep_empty_features=True)
    raise ValueError(f"kind must be one of {IMPUTERS}, got {kind!r}")


def _row(method: str, param: float | None, y, p, s, seconds: float) -> dict:
    return {"method": method, "param": param, **binary_group_gaps(y, p, s), "fit_seconds": seconds}


def imputation_tradeoff(
    train: MissingData,
    test: MissingData,
    imputer: str,
    fairness: str = "fpr",
    eps: Sequence[float] = (0.01, 0.05),
    *,
    max_depth: int = 3,
    random_state: int = 0,
) -> pd.DataFrame:
    """Impute, then a depth-``max_depth`` tree alone, inside ``ExponentiatedGradient`` and
    post-processed by ``ThresholdOptimizer``.

    The imputer is fitted on the training features and applied to both sets. Rows:
    ``method = "<imputer> + tree"`` (``param`` NaN), ``"<imputer> + expgrad"`` for each
    constraint bound ``eps`` on the gap ``fairness`` (fairlearn's moment: FPR parity,
    TPR parity, error-rate parity or equalized odds) and, except for ``"acc"``,
    ``"<imputer> + threshold"``: the tree post-processed to equal group FPR, FNR or both
    (Hardt et al., 2016; it needs the group at prediction time). Both fair methods return
    randomised classifiers, scored by their exact expected rates.
    """
    if fairness not in _MOMENTS:
        raise ValueError(f"fairness must be one of {tuple(_MOMENTS)}, got {fairness!r}")
    try:
        from fairlearn import reductions
        from fairlearn.postprocessing import ThresholdOptimizer
    except ImportError as err:  # pragma: no cover - depends on the installed extras
        raise ImportError("imputation_tradeoff needs fairlearn: pip install 'trustlab[book]'") from err
    start = time.perf_counter()
    imp = make_imputer(imputer, random_state).fit(train.X)
    X_tr, X_te = imp.transform(train.X), imp.transform(test.X)
    t_imp = time.perf_counter() - start
    rows = []
    start = time.perf_counter()
    tree = DecisionTreeClassifier(max_depth=max_depth, random_state=random_state).fit(X_tr, train.y)
    rows.append(
        _row(
            f"{imputer} + tree", None, test.y, tree.predict(X_te), test.s, t_imp + time.perf_counter() - start
        )
    )
    for e in eps:
        start = time.perf_counter()
        model = reductions.ExponentiatedGradient(
            DecisionTreeClassifier(max_depth=max_depth, random_state=random_state),
            constraints=getattr(reductions, _MOMENTS[fairness])(),
            eps=float(e),
        )
        model.fit(X_tr, train.y, sensitive_features=train.s)
        p = model._pmf_predict(X_te)[:, 1]
        rows.append(
            _row(f"{imputer} + expgrad", float(e), test.y, p, test.s, t_imp + time.perf_counter() - start)
        )
    if fairness in _POSTPROCESS:
        start = time.perf_counter()
        post = ThresholdOptimizer(
            estimator=tree, constraints=_POSTPROCESS[fairness], prefit=True, predict_method="predict_proba"
        ).fit(X_tr, train.y, sensitive_features=train.s)
        p = post._pmf_predict(X_te, sensitive_features=test.s)[:, 1]
        rows.append(
            _row(f"{imputer} + threshold", None, test.y, p, test.s, t_imp + time.perf_counter() - start)
        )
    return pd.DataFrame(rows)


def native_tree(
    train: MissingData, test: MissingData, *, max_depth: int = 3, random_state: int = 0
) -> pd.DataFrame:
    """scikit-learn's greedy tree with native NaN support (its own MIA rule), no fairness."""
    start = time.perf_counter()
    tree = DecisionTreeClassifier(max_depth=max_depth, random_state=random_state).fit(train.X, train.y)
    seconds = time.perf_counter() - start
    return pd.DataFrame([_row("sklearn NaN tree", None, test.y, tree.predict(test.X), test.s, seconds)])


def mia_tradeoff(
    train: MissingData,
    test: MissingData,
    lams: Sequence[float],
    fairness: str = "fpr",
    *,
    max_depth: int = 3,
    random_state: int = 0,
    **tree_params,
) -> pd.DataFrame:
    """The fair MIA tree at each ``lam`` (no imputation); ``param`` = lam, plus the
    training ``objective``, ``train_gap`` and ``train_error``."""
    rows = []
    for lam in lams:
        start = time.perf_counter()
        clf = FairMIATreeClassifier(
            max_depth=max_depth, fairness=fairness, lam=float(lam), random_state=random_state, **tree_params
        ).fit(train.X, train.y, train.s)
        row = _row(
            "fair MIA tree", float(lam), test.y, clf.predict(test.X), test.s, time.perf_counter() - start
        )
        rows.append(
            {**row, "objective": clf.objective_, "train_gap": clf.train_gap_, "train_error": clf.train_error_}
        )
    return pd.DataFrame(rows)


def compare_on_missing_data(
    train: MissingData,
    test: MissingData,
    fairness: str,
    *,
    imputers: Sequence[str] = ("mean", "knn"),
    eps: Sequence[float] = (0.01, 0.05),
    lams: Sequence[float] = (0.0, 0.5),
    max_depth: int = 3,
    random_state: int = 0,
    **tree_params,
) -> pd.DataFrame:
    """Every model of the chapter on one split: imputation + tree / ExponentiatedGradient for
    each imputer, scikit-learn's NaN-native tree, and the fair MIA tree at each ``lam``."""
    parts = [
        imputation_tradeoff(train, test, imp, fairness, eps, max_depth=max_depth, random_state=random_state)
        for imp in imputers
    ]
    parts.append(native_tree(train, test, max_depth=max_depth, random_state=random_state))
    parts.append(
        mia_tradeoff(
            train, test, lams, fairness, max_depth=max_depth, random_state=random_state, **tree_params
        )
    )
    return pd.concat(parts, ignore_index=True)


def dominance_margin(curve: pd.DataFrame, baseline: pd.DataFrame, gap: str) -> float:
    """How far the best point of ``curve`` dominates some point of ``baseline``.

    ``max over (m, b) of min(acc_m - acc_b, gap_b - gap_m)``: non-negative exactly when a
    point of ``curve`` has accuracy at least and gap at most those of a point of
    ``baseline``.
    """
    acc = curve["accuracy"].to_numpy()[:, None] - baseline["accuracy"].to_numpy()[None, :]
    fair = baseline[gap].to_numpy()[None, :] - curve[gap].to_numpy()[:, None]
    return float(np.max(np.minimum(acc, fair)))


def select_lam(curve: pd.DataFrame, factor: float = 0.5) -> float:
    """Smallest ``lam`` of a :func:`mia_tradeoff` curve whose *training* gap is at most
    ``factor`` times the training gap at the smallest ``lam`` (chosen without test data);
    the largest ``lam`` if none is."""
    curve = curve.sort_values("param")
    target = factor * curve["train_gap"].iloc[0]
    hit = curve[curve["train_gap"] <= target + 1e-12]
    return float(hit["param"].iloc[0] if len(hit) else curve["param"].iloc[-1])
