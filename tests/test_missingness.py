"""Seeded, group-dependent missingness injection and the data sets with missing values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from trustlab.fairness import (
    MECHANISMS,
    adult_with_missing,
    compare_on_missing_data,
    compas_with_missing,
    dominance_margin,
    imputation_tradeoff,
    inject_missing,
    make_imputer,
    make_missing_population,
    select_lam,
)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    s = (rng.random(40_000) < 0.5).astype(int)
    X = rng.normal(size=(40_000, 3))
    return X, s


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_group_rates_are_met_on_average(data, mechanism):
    X, s = data
    Xm = inject_missing(X, s, {0: (0.4, 0.1)}, mechanism, driver=2, random_state=1)
    miss = np.isnan(Xm[:, 0])
    assert miss[s == 0].mean() == pytest.approx(0.4, abs=0.015)
    assert miss[s == 1].mean() == pytest.approx(0.1, abs=0.015)
    assert not np.isnan(Xm[:, 1:]).any()
    observed = ~np.isnan(Xm)
    assert np.array_equal(Xm[observed], X[observed])


def test_mechanisms_differ_in_what_drives_missingness(data):
    X, s = data
    mcar = np.isnan(inject_missing(X, s, {0: (0.3, 0.3)}, "mcar", random_state=2)[:, 0])
    mar = np.isnan(inject_missing(X, s, {0: (0.3, 0.3)}, "mar", driver=2, random_state=2)[:, 0])
    mnar = np.isnan(inject_missing(X, s, {0: (0.3, 0.3)}, "mnar", random_state=2)[:, 0])
    # MCAR: independent of the values; MAR: of the driver; MNAR: of the value itself
    assert abs(X[mcar, 0].mean() - X[~mcar, 0].mean()) < 0.05
    assert X[mar, 2].mean() - X[~mar, 2].mean() > 0.5
    assert X[mnar, 0].mean() - X[~mnar, 0].mean() > 0.5
    assert abs(X[mar, 0].mean() - X[~mar, 0].mean()) < 0.05


def test_injection_is_seeded(data):
    X, s = data
    a = inject_missing(X, s, {1: (0.2, 0.5)}, "mnar", random_state=7)
    b = inject_missing(X, s, {1: (0.2, 0.5)}, "mnar", random_state=7)
    c = inject_missing(X, s, {1: (0.2, 0.5)}, "mnar", random_state=8)
    assert np.array_equal(np.isnan(a), np.isnan(b)) and not np.array_equal(np.isnan(a), np.isnan(c))


def test_bad_input_is_named(data):
    X, s = data
    with pytest.raises(ValueError, match="mechanism must be one of"):
        inject_missing(X, s, {0: (0.1, 0.1)}, "nmar")
    with pytest.raises(ValueError, match="MAR needs driver"):
        inject_missing(X, s, {0: (0.1, 0.1)}, "mar")
    with pytest.raises(ValueError, match=r"columns\[0\] must be two rates"):
        inject_missing(X, s, {0: (0.1, 1.5)})
    with pytest.raises(ValueError, match="columns keys must be column indices"):
        inject_missing(X, s, {9: (0.1, 0.1)})
    with pytest.raises(TypeError, match="columns must be a non-empty dict"):
        inject_missing(X, s, {})
    with pytest.raises(ValueError, match="s must hold one 0/1 group code"):
        inject_missing(X, s[:-1], {0: (0.1, 0.1)})
    with pytest.raises(ValueError, match="n must be an int >= 10"):
        make_missing_population(5)


def test_synthetic_population_keeps_the_truth():
    pop = make_missing_population(5000, "mnar", random_state=0)
    observed = ~np.isnan(pop.X)
    assert np.array_equal(pop.X[observed], pop.X_complete[observed])
    rates = pop.missing_rates()
    assert rates.loc["x1", "group 0"] > 3 * rates.loc["x1", "group 1"]
    again = make_missing_population(5000, "mnar", random_state=0)
    assert np.array_equal(np.isnan(pop.X), np.isnan(again.X))


def test_adult_keeps_its_own_missing_entries():
    adult = adult_with_missing()
    assert adult.X.shape[0] == 48_842
    rows_missing = np.isnan(adult.X).any(axis=1)
    assert rows_missing.sum() == 48_842 - 45_222  # exactly the rows with '?' in the files
    assert set(adult.group_names) == {"Female", "Male"}


def test_compas_injection_follows_the_paper_rates():
    compas = compas_with_missing("mcar", random_state=0)
    rates = compas.missing_rates()
    assert rates.loc["priors_count", "African-American"] == pytest.approx(0.6, abs=0.03)
    assert rates.loc["priors_count", "Caucasian"] == pytest.approx(0.2, abs=0.03)
    assert not any(name.startswith("race_") for name in compas.feature_names)


# ---------------------------------------------------------------- baselines and helpers


def test_dominance_margin_signs():
    curve = pd.DataFrame({"accuracy": [0.80, 0.78], "fpr": [0.05, 0.01]})
    dominated = pd.DataFrame({"accuracy": [0.77], "fpr": [0.03]})
    dominating = pd.DataFrame({"accuracy": [0.85], "fpr": [0.0]})
    assert dominance_margin(curve, dominated, "fpr") == pytest.approx(0.01)
    assert dominance_margin(curve, dominating, "fpr") < 0


def test_select_lam_uses_training_gap_only():
    curve = pd.DataFrame({"param": [0.0, 0.1, 0.5], "train_gap": [0.2, 0.15, 0.05], "fpr": [9.0, 9.0, 9.0]})
    assert select_lam(curve) == 0.5
    assert select_lam(curve, factor=0.8) == 0.1
    never = curve.assign(train_gap=[0.2, 0.2, 0.2])
    assert select_lam(never) == 0.5


def test_comparison_runs_every_model_and_never_imputes_for_mia():
    pop = make_missing_population(1200, "mcar", random_state=0)
    train, test = pop.split(0.5, random_state=0)
    table = compare_on_missing_data(train, test, "fpr", eps=(0.05,), lams=(0.0, 1.0), max_depth=2)
    assert set(table.method) == {
        "mean + tree",
        "mean + expgrad",
        "knn + tree",
        "knn + expgrad",
        "mean + threshold",
        "knn + threshold",
        "sklearn NaN tree",
        "fair MIA tree",
    }
    assert table[["accuracy", "fpr", "fnr", "acc", "eqodds"]].apply(lambda c: c.between(0, 1)).all().all()
    mia = table[table.method == "fair MIA tree"].set_index("param")
    assert mia.loc[1.0, "train_gap"] <= mia.loc[0.0, "train_gap"] + 1e-12
    with pytest.raises(ValueError, match="fairness must be one of"):
        imputation_tradeoff(train, test, "mean", "dp")
    with pytest.raises(ValueError, match="kind must be one of"):
        make_imputer("median")
