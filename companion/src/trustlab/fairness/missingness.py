"""Missing values for the fair-tree chapter: seeded injection mechanisms and data with NaNs.

- :func:`inject_missing` deletes entries with a rate that depends on the group, under
  MCAR (rate depends on the group only), MAR (on the group and an always-observed column)
  or MNAR (on the group and the deleted value itself), seeded;
- :func:`adult_with_missing` keeps UCI Adult's own missing entries (``workclass``,
  ``occupation``, ``native_country``) as NaN in a numeric matrix;
- :func:`compas_with_missing` is COMPAS (African-American vs Caucasian, two-year re-arrest)
  with group-dependent missingness injected, as in Jeong, Wang and Calmon (2022);
- :func:`make_missing_population` is a seeded synthetic population whose complete features
  are known, so imputations can be compared with the truth.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from trustlab.datasets import compas_task, load_adult

__all__ = [
    "MECHANISMS",
    "MissingData",
    "adult_with_missing",
    "compas_with_missing",
    "inject_missing",
    "make_missing_population",
]

Mechanism = Literal["mcar", "mar", "mnar"]
MECHANISMS: tuple[str, ...] = ("mcar", "mar", "mnar")


@dataclass(frozen=True)
class MissingData:
    """Features with NaN for missing, binary labels and two groups.

    Attributes
    ----------
    X : numpy.ndarray
        Features, shape ``(n, d)``, float, NaN where missing.
    y : numpy.ndarray
        Labels 0/1, shape ``(n,)``.
    s : numpy.ndarray
        Group codes 0/1, shape ``(n,)``.
    feature_names, group_names : tuple of str
    X_complete : ndarray or None
        The features before deletion, when known (injected or simulated missingness).
    """

    X: NDArray[np.float64]
    y: NDArray[np.int64]
    s: NDArray[np.int64]
    feature_names: tuple[str, ...]
    group_names: tuple[str, str]
    X_complete: NDArray[np.float64] | None = None

    def missing_rates(self) -> pd.DataFrame:
        """Share of missing entries per feature (rows) and group (columns), features with any."""
        miss = np.isnan(self.X)
        table = pd.DataFrame(
            {name: miss[self.s == g].mean(axis=0) for g, name in enumerate(self.group_names)},
            index=list(self.feature_names),
        )
        return table.loc[miss.any(axis=0)]

    def split(self, test_size: float = 0.3, random_state: int = 0) -> tuple[MissingData, MissingData]:
        """Random train/test split stratified on ``(y, s)``."""
        from sklearn.model_selection import train_test_split

        idx_tr, idx_te = train_test_split(
            np.arange(len(self.y)),
            test_size=test_size,
            random_state=random_state,
            stratify=2 * self.y + self.s,
        )
        return self.subset(np.sort(idx_tr)), self.subset(np.sort(idx_te))

    def subset(self, index: NDArray) -> MissingData:
        """Rows ``index``."""
        return MissingData(
            self.X[index],
            self.y[index],
            self.s[index],
            self.feature_names,
            self.group_names,
            None if self.X_complete is None else self.X_complete[index],
        )


def _group_rank(values: NDArray[np.float64], s: NDArray[np.int64]) -> NDArray[np.float64]:
    """Rank of each value within its group, scaled to (0, 1) (mean 1/2 in every group)."""
    out = np.empty(len(values))
    for g in np.unique(s):
        idx = np.flatnonzero(s == g)
        order = np.argsort(np.argsort(values[idx], kind="stable"), kind="stable")
        out[idx] = (order + 0.5) / len(idx)
    return out


def inject_missing(
    X: ArrayLike,
    s: ArrayLike,
    columns: dict[int, tuple[float, float]],
    mechanism: Mechanism = "mcar",
    *,
    driver: int | None = None,
    random_state: int | None = None,
) -> NDArray[np.float64]:
    """Delete entries of ``X`` with group-dependent rates (eq. ``mia-mechanisms``).

    For column ``j`` with rates ``(p_0, p_1)`` and row ``i`` in group ``s_i``, the entry is
    deleted with probability

    - MCAR: ``p_{s_i}``;
    - MAR: ``min(1, 2 p_{s_i} r_i)``, ``r_i`` the within-group rank (in (0, 1)) of the always
      observed column ``driver``;
    - MNAR: ``min(1, 2 p_{s_i} r_ij)``, ``r_ij`` the within-group rank of ``x_ij`` itself
      (large values go missing more often).

    The mean rate in group ``s`` is ``p_s`` whenever ``p_s <= 1/2``.

    Parameters
    ----------
    X : array-like (n, d)
    s : array-like (n,)
        Group codes 0/1.
    columns : dict
        ``{column: (p_0, p_1)}``.
    mechanism : {"mcar", "mar", "mnar"}
    driver : int, optional
        The column that drives MAR deletion (required for MAR; never deleted).
    random_state : int, optional

    Returns
    -------
    ndarray
        A copy of ``X`` with NaN at the deleted entries.

    Examples
    --------
    >>> X = np.arange(8.0).reshape(4, 2)
    >>> Xm = inject_missing(X, [0, 0, 1, 1], {1: (0.0, 1.0)}, random_state=0)
    >>> np.isnan(Xm).sum(axis=0).tolist()
    [0, 2]
    """
    X = np.array(X, dtype=np.float64, copy=True)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, got shape {X.shape}")
    s = np.asarray(s)
    if s.shape != (X.shape[0],) or not np.isin(s, (0, 1)).all():
        raise ValueError(f"s must hold one 0/1 group code per row of X ({X.shape[0]}), got shape {s.shape}")
    s = s.astype(np.int64)
    if mechanism not in MECHANISMS:
        raise ValueError(f"mechanism must be one of {MECHANISMS}, got {mechanism!r}")
    if not isinstance(columns, dict) or not columns:
        raise TypeError(f"columns must be a non-empty dict {{column: (p_0, p_1)}}, got {columns!r}")
    if mechanism == "mar":
        if driver is None or not 0 <= driver < X.shape[1] or driver in columns:
            raise ValueError(f"MAR needs driver, a column of X not in columns; got driver={driver!r}")
        r_driver = _group_rank(X[:, driver], s)
    rng = np.random.default_rng(random_state)
    for j, rates in columns.items():
        if not 0 <= j < X.shape[1]:
            raise ValueError(f"columns keys must be column indices in [0, {X.shape[1]}), got {j}")
        p = np.asarray(rates, dtype=np.float64)
        if p.shape != (2,) or np.any((p < 0) | (p > 1)):
            raise ValueError(f"columns[{j}] must be two rates (p_0, p_1) in [0, 1], got {rates!r}")
        p_row = p[s]
        if mechanism == "mar":
            p_row = np.minimum(1.0, 2.0 * p_row * r_driver)
        elif mechanism == "mnar":
            p_row = np.minimum(1.0, 2.0 * p_row * _group_rank(X[:, j], s))
        X[rng.random(X.shape[0]) < p_row, j] = np.nan
    return X


def _block(values: pd.Series, prefix: str) -> pd.DataFrame:
    """One-hot block of a categorical with NaN in every column of a missing row."""
    block = pd.get_dummies(values, prefix=prefix, dtype=np.float64)
    block[values.isna().to_numpy()] = np.nan
    return block


# the paper's Adult rates (Female / Male); marital status stands for the whole household block
ADULT_RATES = {"hours_per_week": (0.0, 0.3), "marital_status_Married-civ-spouse": (0.0, 0.4)}
ADULT_BLOCKS = ("marital_status_", "relationship_")


def adult_with_missing(
    mechanism: Mechanism | None = None,
    *,
    random_state: int = 0,
    data_home: str | os.PathLike[str] | None = None,
) -> MissingData:
    """UCI Adult with its own missing entries kept as NaN; group = sex, label = income > 50K.

    With ``mechanism``, group-dependent missingness is injected on top, at the paper's rates
    (Female / Male): ``hours_per_week`` 0 % / 30 % and the household answers 0 % / 40 % by
    :func:`inject_missing` (MAR driven by ``education_num``). The household deletion is drawn
    on ``marital_status_Married-civ-spouse`` (so MNAR hides married men more often) and then
    blanks the whole ``marital_status_*`` and ``relationship_*`` blocks of that row (ours: the
    paper deletes marital status only, and our relationship block would otherwise stand in
    for it).

    Features: ``age``, ``education_num``, ``capital_gain``, ``capital_loss``,
    ``hours_per_week``, one-hot ``marital_status_*``, ``relationship_*``, ``race_*``, and
    one-hot ``workclass_*``, ``occupation_*`` and ``native_country_United-States`` whose
    columns are all NaN where the census answer is missing (``?`` in the file, 7.4 % of rows).
    Sex is the group and not a feature. Group codes: 0 = Female, 1 = Male.
    """
    frame = load_adult(data_home=data_home)
    numeric = frame[["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]].astype(float)
    country = frame["native_country"]
    us = pd.DataFrame(
        {"native_country_United-States": np.where(country.isna(), np.nan, (country == "United-States") * 1.0)}
    )
    parts = [
        numeric.reset_index(drop=True),
        pd.get_dummies(frame["marital_status"], prefix="marital_status", dtype=float).reset_index(drop=True),
        pd.get_dummies(frame["relationship"], prefix="relationship", dtype=float).reset_index(drop=True),
        pd.get_dummies(frame["race"], prefix="race", dtype=float).reset_index(drop=True),
        _block(frame["workclass"], "workclass").reset_index(drop=True),
        _block(frame["occupation"], "occupation").reset_index(drop=True),
        us,
    ]
    features = pd.concat(parts, axis=1)
    X = features.to_numpy(dtype=np.float64)
    s = (frame["sex"] == "Male").to_numpy(dtype=np.int64)
    names = [str(c) for c in features.columns]
    X_complete = None
    if mechanism is not None:
        X_complete = X
        rates = {names.index(k): v for k, v in ADULT_RATES.items()}
        X = inject_missing(
            X, s, rates, mechanism, driver=names.index("education_num"), random_state=random_state
        )
        household = np.isnan(X[:, names.index("marital_status_Married-civ-spouse")])
        block = [j for j, name in enumerate(names) if name.startswith(ADULT_BLOCKS)]
        X[np.ix_(household, block)] = np.nan
    return MissingData(
        X=X,
        y=frame["income"].to_numpy(dtype=np.int64),
        s=s,
        feature_names=tuple(names),
        group_names=("Female", "Male"),
        X_complete=X_complete,
    )


COMPAS_RATES = {"priors_count": (0.6, 0.2), "sex_Male": (0.4, 0.1)}


def compas_with_missing(
    mechanism: Mechanism = "mcar",
    *,
    random_state: int = 0,
    data_home: str | os.PathLike[str] | None = None,
) -> MissingData:
    """COMPAS, African-American (0) vs Caucasian (1), label = two-year re-arrest, with
    injected group-dependent missingness: ``priors_count`` 60 % / 20 % and ``sex_Male``
    40 % / 10 % (the paper's rates), by :func:`inject_missing`; MAR is driven by ``age``.

    Race is the group and not a feature (the ``race_*`` columns are dropped).
    """
    task = compas_task("two_year_recid", "race", data_home=data_home)
    keep = task.s < 2  # African-American = 0, Caucasian = 1
    names = list(task.feature_names)
    cols = [j for j, name in enumerate(names) if not name.startswith("race_")]
    X = task.X[keep][:, cols]
    names = [names[j] for j in cols]
    s = task.s[keep]
    rates = {names.index(k): v for k, v in COMPAS_RATES.items()}
    Xm = inject_missing(X, s, rates, mechanism, driver=names.index("age"), random_state=random_state)
    return MissingData(Xm, task.y[keep], s, tuple(names), ("African-American", "Caucasian"), X_complete=X)


def make_missing_population(
    n: int, mechanism: Mechanism = "mnar", *, random_state: int | None = None
) -> MissingData:
    """A seeded population where the complete features and the label model are known.

    Group ``s ~ Bernoulli(0.5)``; features ``x_1 ~ N(mu_s, 1)`` with ``mu = (-0.5, 0.5)``,
    ``x_2, x_3 ~ N(0, 1)``, ``x_4 ~ N(0.5 s, 1)``; label
    ``y = 1[x_1 + 0.6 x_2 - 0.4 x_3 + 0.3 x_4 + e > 0.2]``, ``e ~ N(0, 0.8^2)``. Then
    ``x_1`` goes missing at rates 50 % (group 0) / 10 % (group 1) and ``x_2`` at 30 % / 5 %
    under ``mechanism`` (MAR driven by ``x_4``).
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 10:
        raise ValueError(f"n must be an int >= 10, got {n!r}")
    rng = np.random.default_rng(random_state)
    s = (rng.random(n) < 0.5).astype(np.int64)
    X = rng.normal(size=(n, 4))
    X[:, 0] += np.where(s == 1, 0.5, -0.5)
    X[:, 3] += 0.5 * s
    y = (X @ np.array([1.0, 0.6, -0.4, 0.3]) + 0.8 * rng.normal(size=n) > 0.2).astype(np.int64)
    seed = int(rng.integers(2**31))
    Xm = inject_missing(X, s, {0: (0.5, 0.1), 1: (0.3, 0.05)}, mechanism, driver=3, random_state=seed)
    return MissingData(Xm, y, s, ("x1", "x2", "x3", "x4"), ("group 0", "group 1"), X_complete=X)
