"""Fair MIA trees: exact solver vs brute force, fast solver vs exact, NaN routing, bad input."""

from __future__ import annotations

import itertools
import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.tree import DecisionTreeClassifier

from trustlab.fairness import (
    FAIRNESS_GAPS,
    FairMIATreeClassifier,
    MIATree,
    bin_features,
    binary_group_gaps,
    mia_route,
    solve_coordinate_descent,
    solve_exact,
    tree_objective,
)


def toy(n=30, d=3, seed=0, levels=5):
    """Small problem with group-dependent missingness and few distinct values."""
    rng = np.random.default_rng(seed)
    s = rng.integers(0, 2, n)
    Z = rng.normal(size=(n, d)) + s[:, None] * 0.5
    y = (Z[:, 0] + 0.5 * Z[:, -1] + rng.normal(size=n) > 0.3).astype(int)
    X = np.clip(np.round(Z + levels // 2), 0, levels - 1)
    X[rng.random((n, d)) < np.where(s[:, None] == 1, 0.3, 0.05)] = np.nan
    return X, y, s


def all_trees(X, depth):
    """Every tree over the distinct thresholds (brute force, tiny problems only)."""
    _, edges = bin_features(X, None)
    splits = [(j, t, m) for j in range(X.shape[1]) for t in [-np.inf, *edges[j]] for m in (False, True)]
    for combo in itertools.product(splits, repeat=2**depth - 1):
        f, t, m = zip(*combo, strict=True)
        yield MIATree(np.array(f), np.array(t, float), np.array(m))


def brute_force(X, y, s, depth, lam, fairness):
    return min(tree_objective(X, y, s, tree, lam, fairness)["objective"] for tree in all_trees(X, depth))


# ---------------------------------------------------------------- routing


def test_route_sends_missing_by_direction_and_thresholds_observed():
    X = np.array([[0.0], [1.0], [2.0], [np.nan]])
    left = MIATree(np.array([0]), np.array([1.0]), np.array([True]))
    right = MIATree(np.array([0]), np.array([1.0]), np.array([False]))
    assert mia_route(X, left).tolist() == [0, 0, 1, 0]
    assert mia_route(X, right).tolist() == [0, 0, 1, 1]


def test_minus_infinity_threshold_separates_missing_from_observed():
    X = np.array([[-5.0], [3.0], [np.nan]])
    tree = MIATree(np.array([0]), np.array([-np.inf]), np.array([True]))
    assert mia_route(X, tree).tolist() == [1, 1, 0]


def test_route_depth_two_follows_bfs_layout():
    tree = MIATree(np.array([0, 1, 1]), np.array([0.5, 0.5, 0.5]), np.array([True, False, True]))
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, np.nan], [np.nan, np.nan]])
    assert mia_route(X, tree).tolist() == [0, 1, 2, 2, 1]


def test_stump_routing_matches_sklearn_native_missing_support():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(400, 1))
    y = (X[:, 0] > 0.2).astype(int)
    X[rng.random(400) < 0.3, 0] = np.nan
    y[np.isnan(X[:, 0])] = 1
    sk = DecisionTreeClassifier(max_depth=1).fit(X, y)
    ours = MIATree(
        np.array([sk.tree_.feature[0]]),
        np.array([sk.tree_.threshold[0]]),
        np.array([bool(sk.tree_.missing_go_to_left[0])]),
    )
    X_new = np.array([[-1.0], [1.0], [np.nan], [0.0]])
    sk_left = sk.apply(X_new) == sk.tree_.children_left[0]
    assert (mia_route(X_new, ours) == 0).tolist() == sk_left.tolist()


def test_binning_codes_match_thresholds():
    X = np.array([[3.0], [1.0], [np.nan], [2.0], [1.0]])
    codes, edges = bin_features(X, None)
    assert edges[0].tolist() == [1.0, 2.0, 3.0]
    assert codes[:, 0].tolist() == [2, 0, -1, 1, 0]


# ---------------------------------------------------------------- objective


def test_objective_counts_match_a_hand_computation():
    X = np.array([[0.0], [0.0], [1.0], [1.0], [np.nan], [1.0]])
    y = np.array([0, 1, 1, 1, 0, 0])
    s = np.array([0, 1, 0, 1, 0, 1])
    tree = MIATree(np.array([0]), np.array([0.5]), np.array([True]))
    # left leaf {0, 1, 4}: labels 0, 1, 0 -> majority 0; right leaf {2, 3, 5}: 1, 1, 0 -> 1
    out = tree_objective(X, y, s, tree, lam=1.0, fairness="fpr")
    assert out["leaf_label"].tolist() == [0, 1]
    assert out["error"] == pytest.approx(2 / 6)
    # negatives: group 0 rows {0, 4} (no false positive), group 1 row {5} (false positive)
    assert out["gap"] == pytest.approx(1.0)
    assert out["objective"] == pytest.approx(2 / 6 + 1.0)


def test_binary_group_gaps_hard_and_soft():
    y = np.array([0, 0, 1, 1, 0, 1])
    s = np.array(["a", "b", "a", "b", "a", "b"])
    hard = binary_group_gaps(y, [1, 0, 1, 0, 0, 1], s)
    assert hard["fpr"] == pytest.approx(0.5) and hard["fnr"] == pytest.approx(0.5)
    assert hard["eqodds"] == pytest.approx(0.5)
    soft = binary_group_gaps(y, [0.5, 0.0, 1.0, 0.5, 0.0, 1.0], s)
    assert soft["fpr"] == pytest.approx(0.25) and soft["accuracy"] == pytest.approx(1 - 1.0 / 6)


# ---------------------------------------------------------------- exact solver


@pytest.mark.parametrize("fairness", FAIRNESS_GAPS)
def test_exact_depth_one_equals_brute_force(fairness):
    X, y, s = toy(n=30, d=2, seed=3)
    exact = solve_exact(X, y, s, 1, 1.0, fairness)
    assert exact.optimal
    assert exact.objective == pytest.approx(brute_force(X, y, s, 1, 1.0, fairness), abs=1e-9)


def test_exact_depth_two_equals_brute_force():
    X, y, s = toy(n=14, d=1, seed=4, levels=4)
    exact = solve_exact(X, y, s, 2, 0.7, "eqodds")
    assert exact.optimal
    assert exact.objective == pytest.approx(brute_force(X, y, s, 2, 0.7, "eqodds"), abs=1e-9)


@pytest.mark.parametrize("fairness", FAIRNESS_GAPS)
def test_exact_milp_value_equals_reevaluated_tree(fairness):
    X, y, s = toy(n=30, d=3, seed=1)
    exact = solve_exact(X, y, s, 2, 1.0, fairness)
    assert exact.optimal
    assert exact.history[0] == pytest.approx(exact.objective, abs=1e-7)
    assert tree_objective(X, y, s, exact.tree, 1.0, fairness)["objective"] == pytest.approx(exact.objective)


# ---------------------------------------------------------------- fast solver


@pytest.mark.parametrize("fairness", ["fpr", "acc"])
def test_coordinate_descent_with_every_root_start_is_exact_at_depth_two(fairness):
    X, y, s = toy(n=30, d=3, seed=2)
    exact = solve_exact(X, y, s, 2, 1.0, fairness)
    fast = solve_coordinate_descent(X, y, s, 2, 1.0, fairness, max_bins=None, n_restarts=200, random_state=0)
    assert fast.objective == pytest.approx(exact.objective, abs=1e-9)


def test_coordinate_descent_depth_one_is_exact_with_one_start():
    X, y, s = toy(n=30, d=3, seed=5)
    fast = solve_coordinate_descent(X, y, s, 1, 0.5, "fnr", max_bins=None, n_restarts=1)
    assert fast.objective == pytest.approx(brute_force(X, y, s, 1, 0.5, "fnr"), abs=1e-12)


def test_coordinate_descent_never_increases_and_reports_its_tree():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 5))
    s = rng.integers(0, 2, 2000)
    y = (X[:, 0] + 0.5 * s + rng.normal(size=2000) > 0).astype(int)
    X[rng.random(X.shape) < 0.2] = np.nan
    fast = solve_coordinate_descent(X, y, s, 3, 1.0, "fpr", n_restarts=2, random_state=0)
    assert np.all(np.diff(fast.history) <= 1e-12)
    assert tree_objective(X, y, s, fast.tree, 1.0, "fpr")["objective"] == pytest.approx(fast.objective)


def test_unregularised_tree_fits_train_no_worse_than_greedy_stump():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1000, 3))
    y = (X[:, 1] > 0.3).astype(int)
    s = rng.integers(0, 2, 1000)
    clf = FairMIATreeClassifier(max_depth=1, lam=0.0, max_bins=2000, random_state=0).fit(X, y, s)
    greedy = DecisionTreeClassifier(max_depth=1).fit(X, y)
    assert clf.train_error_ <= 1 - greedy.score(X, y) + 1e-12


# ---------------------------------------------------------------- estimator


def test_classifier_never_imputes_and_predicts_original_labels():
    X, y, s = toy(n=60, d=3, seed=6)
    labels = np.where(y == 1, "yes", "no")
    clf = FairMIATreeClassifier(max_depth=2, fairness="fnr", lam=0.5, random_state=0).fit(X, labels, s)
    assert set(clf.predict(X)) <= {"no", "yes"}
    assert clf.predict_proba(X).shape == (60, 2)
    assert np.allclose(clf.predict_proba(X).sum(1), 1.0)
    all_missing = np.full((1, 3), np.nan)
    assert clf.predict(all_missing).shape == (1,)
    assert clf.apply(X).max() < 4


def test_classifier_is_deterministic_clonable_and_pickles():
    X, y, s = toy(n=80, d=3, seed=7)
    clf = FairMIATreeClassifier(max_depth=2, lam=1.0, random_state=3).fit(X, y, s)
    again = clone(clf).fit(X, y, s)
    assert np.array_equal(clf.predict(X), again.predict(X))
    restored = pickle.loads(pickle.dumps(clf))
    assert np.array_equal(restored.predict(X), clf.predict(X))


def test_exact_solver_through_the_estimator():
    X, y, s = toy(n=30, d=2, seed=8)
    clf = FairMIATreeClassifier(max_depth=1, lam=1.0, solver="exact").fit(X, y, s)
    assert clf.result_.optimal
    assert clf.objective_ == pytest.approx(brute_force(X, y, s, 1, 1.0, "fpr"))


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"fairness": "dp"}, ValueError, "fairness must be one of"),
        ({"lam": -1.0}, ValueError, "lam must be a finite number >= 0"),
        ({"lam": "big"}, TypeError, "lam must be a real number"),
        ({"max_depth": 0}, ValueError, "max_depth must be between 1 and 8"),
        ({"max_depth": 2.5}, TypeError, "max_depth must be an int"),
        ({"solver": "gurobi"}, ValueError, "solver must be 'cd' or 'exact'"),
        ({"n_restarts": 0}, ValueError, "n_restarts must be an int >= 1"),
        ({"max_bins": 1}, ValueError, "max_bins must be >= 2"),
        ({"n_restarts": 2.0}, TypeError, "n_restarts must be an int"),
        ({"max_sweeps": 0}, ValueError, "max_sweeps must be an int >= 1"),
        # an invalid time limit used to reach HiGHS, which warned and then ran without limit
        ({"solver": "exact", "time_limit": -1.0}, ValueError, "time_limit must be a finite number"),
        ({"solver": "exact", "time_limit": "1m"}, TypeError, "time_limit must be a number"),
    ],
)
def test_bad_parameters_are_named(kwargs, error, match):
    X, y, s = toy(n=30, d=2)
    with pytest.raises(error, match=match):
        FairMIATreeClassifier(**kwargs).fit(X, y, s)


def test_bad_data_is_named():
    X, y, s = toy(n=30, d=2)
    clf = FairMIATreeClassifier(max_depth=1)
    with pytest.raises(ValueError, match="X must be 2-D"):
        clf.fit(X[:, 0], y, s)
    with pytest.raises(ValueError, match="X must not contain infinities"):
        clf.fit(np.where(np.isnan(X), np.inf, X), y, s)
    with pytest.raises(TypeError, match="X must be a numeric matrix"):
        clf.fit(np.array([["a", "b"]] * 30), y, s)
    with pytest.raises(ValueError, match="y must take exactly two distinct values"):
        clf.fit(X, np.zeros(30), s)
    with pytest.raises(ValueError, match="sensitive_features must have the same length"):
        clf.fit(X, y, s[:-1])
    with pytest.raises(ValueError, match="sensitive_features must take exactly two distinct values"):
        clf.fit(X, y, np.arange(30) % 3)
    with pytest.raises(ValueError, match="sensitive_features must not contain missing"):
        clf.fit(X, y, np.where(np.arange(30) == 0, None, s).astype(object))
    with pytest.raises(AttributeError, match="not fitted"):
        FairMIATreeClassifier().predict(X)
    fitted = clf.fit(X, y, s)
    with pytest.raises(ValueError, match="X must have 2 features"):
        fitted.predict(X[:, :1])


def test_exact_solver_refuses_large_problems():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, 2))
    with pytest.raises(ValueError, match="solve_exact is meant for tiny problems"):
        solve_exact(X, rng.integers(0, 2, 500), rng.integers(0, 2, 500), 2, 1.0)


@pytest.mark.parametrize("solver", [solve_coordinate_descent, solve_exact])
def test_solvers_name_bad_codes(solver):
    X, y, s = toy(n=30, d=2)
    with pytest.raises(ValueError, match="y must have the same length as X"):
        solver(X, y[:-1], s, 1, 0.0)
    with pytest.raises(ValueError, match="y must hold 0/1 codes"):
        solver(X, 2 * y, s, 1, 0.0)
    with pytest.raises(ValueError, match="s must hold 0/1 codes"):
        solver(X, y, np.where(s == 1, "a", "b"), 1, 0.0)


def test_empty_rate_of_the_penalised_gap_is_refused():
    X, y, s = toy(n=30, d=2)
    y = np.where(s == 1, 1, y)  # group 1 has no negatives: its FPR is undefined
    with pytest.raises(ValueError, match="needs rows with label code 0 in both groups"):
        FairMIATreeClassifier(max_depth=1, fairness="fpr", lam=1.0).fit(X, y, s)
    FairMIATreeClassifier(max_depth=1, fairness="fnr", lam=1.0).fit(X, y, s)  # FNR is defined
    FairMIATreeClassifier(max_depth=1, fairness="fpr", lam=0.0).fit(X, y, s)  # no penalty
