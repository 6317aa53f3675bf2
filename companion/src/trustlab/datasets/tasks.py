"""Model-ready fairness tasks (features, labels, groups) that several chapters share."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from trustlab.datasets.adult import load_adult
from trustlab.datasets.compas import SCORE_CATEGORIES, load_compas

__all__ = ["FairnessTask", "adult_task", "compas_task"]

ADULT_GROUPS = ("sex", "race")
COMPAS_TARGETS = ("score_text", "two_year_recid")
COMPAS_GROUPINGS = ("race_sex", "race")
COMPAS_RACES = ("African-American", "Caucasian", "Hispanic")
SEXES = ("Female", "Male")


@dataclass(frozen=True, eq=False)
class FairnessTask:
    """A classification task with group membership: ``X``, ``y`` and ``s``.

    Parameters
    ----------
    X : numpy.ndarray
        Feature matrix, shape ``(n, d)``, float64, no missing values.
    y : numpy.ndarray
        Integer class labels in ``range(len(class_names))``, shape ``(n,)``, int64.
    s : numpy.ndarray
        Integer group codes in ``range(len(group_names))``, shape ``(n,)``, int64.
    group_names : tuple of str
        ``group_names[k]`` names the group with code ``k``.
    class_names : tuple of str
        ``class_names[c]`` names the class with label ``c``.
    feature_names : tuple of str
        One name per column of ``X``.
    name : str
        Short description, e.g. ``"adult/race"``.

    Notes
    -----
    The dataclass is frozen (its fields cannot be rebound); the arrays are copies owned by
    the task. Equality is identity.

    Examples
    --------
    >>> import numpy as np
    >>> task = FairnessTask(
    ...     X=np.zeros((4, 1)), y=np.array([0, 1, 0, 1]), s=np.array([0, 0, 1, 1]),
    ...     group_names=("a", "b"), class_names=("no", "yes"), feature_names=("x",),
    ...     name="toy",
    ... )
    >>> task.n_samples, task.n_features, task.n_groups, task.n_classes
    (4, 1, 2, 2)
    """

    X: np.ndarray
    y: np.ndarray
    s: np.ndarray
    group_names: tuple[str, ...]
    class_names: tuple[str, ...]
    feature_names: tuple[str, ...]
    name: str = field(default="task")

    def __post_init__(self) -> None:
        X = _as_array("X", self.X, np.float64, ndim=2)
        y = _as_array("y", self.y, np.int64, ndim=1)
        s = _as_array("s", self.s, np.int64, ndim=1)
        group_names = _as_names("group_names", self.group_names)
        class_names = _as_names("class_names", self.class_names)
        feature_names = _as_names("feature_names", self.feature_names)
        if not isinstance(self.name, str):
            raise TypeError(f"name must be a str, got {type(self.name).__name__}")
        if not (len(y) == len(s) == X.shape[0]):
            raise ValueError(
                f"X, y and s must have the same number of rows, got {X.shape[0]}, {len(y)} and {len(s)}"
            )
        if len(feature_names) != X.shape[1]:
            raise ValueError(
                f"feature_names must name the {X.shape[1]} columns of X, got {len(feature_names)} names"
            )
        if not np.isfinite(X).all():
            raise ValueError("X must contain only finite values (no NaN or inf)")
        _check_codes("y", y, len(class_names))
        _check_codes("s", s, len(group_names))
        for attr, value in (
            ("X", X),
            ("y", y),
            ("s", s),
            ("group_names", group_names),
            ("class_names", class_names),
            ("feature_names", feature_names),
        ):
            object.__setattr__(self, attr, value)

    @property
    def n_samples(self) -> int:
        """Number of rows."""
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        """Number of feature columns."""
        return int(self.X.shape[1])

    @property
    def n_groups(self) -> int:
        """Number of groups."""
        return len(self.group_names)

    @property
    def n_classes(self) -> int:
        """Number of classes."""
        return len(self.class_names)

    def subset(self, index: np.ndarray, *, name: str | None = None) -> FairnessTask:
        """Return the task restricted to the rows ``index`` (integer or boolean array)."""
        index = np.asarray(index)
        if index.dtype != bool and not np.issubdtype(index.dtype, np.integer):
            raise TypeError(f"index must be an integer or boolean array, got {index.dtype}")
        return FairnessTask(
            X=self.X[index],
            y=self.y[index],
            s=self.s[index],
            group_names=self.group_names,
            class_names=self.class_names,
            feature_names=self.feature_names,
            name=self.name if name is None else name,
        )

    def split(
        self,
        test_size: float = 0.3,
        random_state: int | np.random.RandomState | None = 0,
    ) -> tuple[FairnessTask, FairnessTask]:
        """Split into train and test tasks, stratified on the (label, group) pairs.

        A (label, group) pair with fewer than two rows cannot be stratified; such rows are
        pooled into one stratum of their own (or, if only one such row exists, into the
        largest stratum).

        Parameters
        ----------
        test_size : float or int
            Fraction of rows (in ``(0, 1)``) or number of rows for the test task.
        random_state : int or numpy.random.RandomState or None
            Seed of :func:`sklearn.model_selection.train_test_split`; the default ``0``
            makes the split reproducible.

        Returns
        -------
        train, test : FairnessTask
            Disjoint tasks whose rows cover this task's rows.
        """
        _check_test_size(test_size, self.n_samples)
        strata = self.y * self.n_groups + self.s
        counts = np.bincount(strata, minlength=self.n_classes * self.n_groups)
        rare = counts[strata] < 2
        strata = np.where(rare, -1, strata)
        if rare.sum() == 1:
            strata[rare] = np.argmax(counts)
        train_idx, test_idx = train_test_split(
            np.arange(self.n_samples),
            test_size=test_size,
            random_state=random_state,
            stratify=strata,
        )
        train_idx, test_idx = np.sort(train_idx), np.sort(test_idx)
        return (
            self.subset(train_idx, name=f"{self.name} (train)"),
            self.subset(test_idx, name=f"{self.name} (test)"),
        )


def _as_array(argument: str, value: object, dtype: type, *, ndim: int) -> np.ndarray:
    """Convert to an owned array of ``dtype`` with ``ndim`` dimensions, or raise."""
    array = np.asarray(value)
    if array.ndim != ndim:
        raise ValueError(f"{argument} must be {ndim}-dimensional, got shape {array.shape}")
    if dtype is np.int64 and array.size and not _holds_integers(array):
        raise ValueError(f"{argument} must hold integer codes, got dtype {array.dtype}")
    return np.array(array, dtype=dtype, copy=True)


def _holds_integers(array: np.ndarray) -> bool:
    """Whether ``array`` is boolean, integer, or real with only integral values."""
    if array.dtype == bool or np.issubdtype(array.dtype, np.integer):
        return True
    if not np.issubdtype(array.dtype, np.floating):
        return False
    return bool(np.all(np.isfinite(array)) and np.all(array == np.round(array)))


def _as_names(argument: str, value: object) -> tuple[str, ...]:
    """Convert to a tuple of strings, or raise."""
    if isinstance(value, str) or not all(isinstance(v, str) for v in value):  # type: ignore[union-attr]
        raise TypeError(f"{argument} must be a sequence of str, got {value!r}")
    return tuple(value)  # type: ignore[arg-type]


def _check_codes(argument: str, codes: np.ndarray, n_levels: int) -> None:
    """Codes must lie in ``range(n_levels)``."""
    if codes.size and (codes.min() < 0 or codes.max() >= n_levels):
        raise ValueError(
            f"{argument} must hold codes in range({n_levels}), got values from {codes.min()} to {codes.max()}"
        )


def _check_test_size(test_size: object, n_samples: int) -> None:
    """``test_size`` is a fraction in (0, 1) or a row count in [1, n_samples)."""
    if isinstance(test_size, bool) or not isinstance(test_size, (int, float, np.number)):
        raise TypeError(f"test_size must be a float or an int, got {type(test_size).__name__}")
    if isinstance(test_size, (int, np.integer)):
        if not 1 <= test_size < n_samples:
            raise ValueError(f"test_size as a count must be in [1, {n_samples}), got {test_size}")
    elif not 0.0 < float(test_size) < 1.0:
        raise ValueError(f"test_size as a fraction must be in (0, 1), got {test_size}")


def _check_choice(argument: str, value: object, allowed: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``allowed``, else raise naming all three."""
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be one of {allowed}, got {value!r} of type {type(value).__name__}")
    if value not in allowed:
        raise ValueError(f"{argument} must be one of {allowed}, got {value!r}")
    return value


def _indicator(values: pd.Series, positive: str, name: str) -> pd.DataFrame:
    """A single 0/1 column ``name`` that is 1 where ``values == positive``."""
    return pd.DataFrame({name: (values == positive).astype(np.float64)}, index=values.index)


def _one_hot(values: pd.Series, prefix: str) -> pd.DataFrame:
    """Full one-hot encoding of the categories present, in category order."""
    cats = values.astype("category").cat.remove_unused_categories()
    return pd.get_dummies(cats, prefix=prefix, prefix_sep="_", dtype=np.float64)


def _encode(values: pd.Series, prefix: str, positive: str | None = None) -> pd.DataFrame:
    """Binary attributes become one indicator column, others a full one-hot block."""
    present = values.astype("category").cat.remove_unused_categories().cat.categories
    if len(present) == 2:
        level = positive if positive is not None else str(present[-1])
        return _indicator(values, level, f"{prefix}_{level}")
    return _one_hot(values, prefix)


def _task_from_frame(
    features: pd.DataFrame,
    y: np.ndarray,
    s: np.ndarray,
    *,
    group_names: tuple[str, ...],
    class_names: tuple[str, ...],
    name: str,
) -> FairnessTask:
    """Assemble a :class:`FairnessTask` from a numeric feature frame."""
    return FairnessTask(
        X=features.to_numpy(dtype=np.float64),
        y=y,
        s=s,
        group_names=group_names,
        class_names=class_names,
        feature_names=tuple(str(c) for c in features.columns),
        name=name,
    )


def adult_task(
    group: str = "sex",
    *,
    data_home: str | os.PathLike[str] | None = None,
    complete_cases: bool = False,
) -> FairnessTask:
    """UCI Adult as a binary fairness task, preprocessed as in FairProjection's code.

    Parameters
    ----------
    group : {"sex", "race"}
        The group attribute ``s``. ``"sex"``: 0 = Female, 1 = Male, all rows.
        ``"race"``: only White and Black rows are kept; 0 = Black, 1 = White.
    data_home : str or os.PathLike or None
        Cache directory passed to :func:`trustlab.datasets.load_adult`.
    complete_cases : bool
        Drop every row with a missing value in the raw data first (45,222 of 48,842
        rows remain). The default ``False`` follows the paper's code, which keeps those
        rows: all of Adult's missing values lie in ``workclass``, ``occupation`` and
        ``native_country``, columns that are dropped anyway.

    Returns
    -------
    FairnessTask
        ``y`` = income above 50K (1) or not (0); class names ``("<=50K", ">50K")``.
        Features, as in ``baseline-methods/DataLoader.py`` of the FairProjection
        repository (Alghamdi et al., 2022): ``age``, ``education_num``,
        ``capital_gain``, ``capital_loss``, ``hours_per_week`` (raw, unscaled); one-hot
        ``marital_status_*`` and ``relationship_*``; the protected attributes as
        features too (the paper's ``use_protected=True``): ``sex_Male`` (0/1) and
        race as ``race_White`` (0/1) when only White and Black remain, else one-hot
        ``race_*``. Dropped: ``fnlwgt``, ``workclass``, ``occupation``, ``education``
        (``education_num`` carries it) and ``native_country``. With ``group="race"``
        and all rows there are 46,447 rows; with ``group="sex"``, 48,842.

    Examples
    --------
    >>> from trustlab.datasets import adult_task
    >>> task = adult_task("race")  # doctest: +SKIP
    >>> task.group_names, task.class_names  # doctest: +SKIP
    (('Black', 'White'), ('<=50K', '>50K'))
    """
    group = _check_choice("group", group, ADULT_GROUPS)
    if not isinstance(complete_cases, bool):
        raise TypeError(f"complete_cases must be a bool, got {type(complete_cases).__name__}")
    frame = load_adult(data_home=data_home)
    if complete_cases:
        frame = frame.dropna()
    if group == "race":
        frame = frame.loc[frame["race"].isin(["White", "Black"])]
        group_names: tuple[str, ...] = ("Black", "White")
        s = (frame["race"] == "White").to_numpy(dtype=np.int64)
    else:
        group_names = SEXES
        s = (frame["sex"] == "Male").to_numpy(dtype=np.int64)
    numeric = frame[["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]]
    features = pd.concat(
        [
            numeric.astype(np.float64),
            _encode(frame["sex"], "sex", positive="Male"),
            _encode(frame["race"], "race", positive="White"),
            _one_hot(frame["marital_status"], "marital_status"),
            _one_hot(frame["relationship"], "relationship"),
        ],
        axis=1,
    )
    return _task_from_frame(
        features,
        frame["income"].to_numpy(dtype=np.int64),
        s,
        group_names=group_names,
        class_names=("<=50K", ">50K"),
        name=f"adult/{group}" + ("/complete" if complete_cases else ""),
    )


def compas_task(
    target: str = "score_text",
    groups: str = "race_sex",
    *,
    data_home: str | os.PathLike[str] | None = None,
) -> FairnessTask:
    """COMPAS as a (multi-class) fairness task with race or race x sex groups.

    Rows: ProPublica's filter (6,172 rows), then race in African-American, Caucasian or
    Hispanic (5,787 rows).

    Parameters
    ----------
    target : {"score_text", "two_year_recid"}
        ``"score_text"``: the COMPAS tool's own risk category, three classes
        Low = 0, Medium = 1, High = 2 (predicting it imitates the tool, it does not
        predict re-offending). ``"two_year_recid"``: recorded re-arrest within two years,
        0 or 1 (a biased proxy of re-offending).
    groups : {"race_sex", "race"}
        ``"race_sex"``: six intersections, code ``2 * race + sex`` with races in the order
        African-American, Caucasian, Hispanic and sexes Female, Male (names such as
        ``"African-American/Female"``). ``"race"``: three groups in that order.
    data_home : str or os.PathLike or None
        Cache directory passed to :func:`trustlab.datasets.load_compas`.

    Returns
    -------
    FairnessTask
        Features: ``age``, ``priors_count``, ``juv_fel_count``, ``juv_misd_count``,
        ``juv_other_count``, ``log1p_length_of_stay_days`` (``log1p`` of the length of
        stay clipped at 0: a few raw values are slightly negative), ``c_charge_degree_F``
        (0/1), ``sex_Male`` (0/1) and one-hot ``race_*`` (the protected attributes are
        features, as in the paper). ``decile_score`` is never a feature: it is the source
        of ``score_text``.

    Examples
    --------
    >>> from trustlab.datasets import compas_task
    >>> task = compas_task("score_text", "race_sex")  # doctest: +SKIP
    >>> task.n_classes, task.n_groups  # doctest: +SKIP
    (3, 6)
    """
    target = _check_choice("target", target, COMPAS_TARGETS)
    groups = _check_choice("groups", groups, COMPAS_GROUPINGS)
    frame = load_compas(data_home=data_home, propublica_filter=True)
    frame = frame.loc[frame["race"].isin(COMPAS_RACES)]
    race = frame["race"].cat.set_categories(COMPAS_RACES)
    race_code = race.cat.codes.to_numpy(dtype=np.int64)
    sex_code = frame["sex"].cat.set_categories(SEXES).cat.codes.to_numpy(dtype=np.int64)
    if groups == "race_sex":
        s = 2 * race_code + sex_code
        group_names = tuple(f"{r}/{x}" for r in COMPAS_RACES for x in SEXES)
    else:
        s = race_code
        group_names = COMPAS_RACES
    if target == "score_text":
        y = frame["score_text"].cat.codes.to_numpy(dtype=np.int64)
        class_names: tuple[str, ...] = SCORE_CATEGORIES
    else:
        y = frame["two_year_recid"].to_numpy(dtype=np.int64)
        class_names = ("not_rearrested", "rearrested")
    counts = frame[["age", "priors_count", "juv_fel_count", "juv_misd_count", "juv_other_count"]].astype(
        np.float64
    )
    stay = np.log1p(frame["length_of_stay_days"].clip(lower=0.0)).rename("log1p_length_of_stay_days")
    features = pd.concat(
        [
            counts,
            stay,
            _encode(frame["c_charge_degree"], "c_charge_degree", positive="F"),
            _encode(frame["sex"], "sex", positive="Male"),
            _one_hot(race, "race"),
        ],
        axis=1,
    )
    return _task_from_frame(
        features,
        y,
        s,
        group_names=group_names,
        class_names=class_names,
        name=f"compas/{target}/{groups}",
    )
