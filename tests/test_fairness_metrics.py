"""Tests of trustlab.fairness.metrics against hand computations and fairlearn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from fairlearn.metrics import equalized_odds_difference as fairlearn_eod
from hypothesis import given, settings
from hypothesis import strategies as st

from trustlab.fairness import (
    GroupConstraints,
    equalized_odds_difference,
    group_rates,
    mean_equalized_odds,
    ratio_violation,
    smooth_probabilities,
    statistical_parity_difference,
)


def test_binary_two_groups_by_hand():
    # group a: TPR = 2/2, FPR = 0/2, P(Ŷ=1) = 2/4;  group b: TPR = 1/2, FPR = 1/2, P(Ŷ=1) = 2/4
    y_true = [1, 1, 0, 0, 1, 1, 0, 0]
    y_pred = [1, 1, 0, 0, 1, 0, 1, 0]
    groups = ["a"] * 4 + ["b"] * 4
    assert mean_equalized_odds(y_true, y_pred, groups) == pytest.approx((0.5 + 0.5) / 2)
    assert equalized_odds_difference(y_true, y_pred, groups) == pytest.approx(0.5)
    assert statistical_parity_difference(y_pred, groups) == pytest.approx(0.0)
    y_pred2 = [
        1,
        1,
        1,
        0,
        1,
        0,
        0,
        0,
    ]  # a: TPR 1, FPR 1/2, SR 3/4;  b: TPR 1/2, FPR 0, SR 1/4
    assert mean_equalized_odds(y_true, y_pred2, groups) == pytest.approx((0.5 + 0.5) / 2)
    assert statistical_parity_difference(y_pred2, groups) == pytest.approx(0.5)


def test_multiclass_by_hand():
    # three classes, two groups; one-vs-rest rates per class
    y_true = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2])
    y_pred = np.array([0, 1, 2, 0, 1, 2, 0, 1, 1, 1, 2, 2])
    groups = np.array([0] * 6 + [1] * 6)
    # group 0 is perfect: TPR_c = 1, FPR_c = 0, SR_c = 1/3 for all c
    # group 1: TPR = (1/2, 1/2, 1/2); FPR_0 = 0/4, FPR_1 = 2/4, FPR_2 = 1/4; SR = (1/6, 1/2, 1/3)
    meo = max((0.5 + 0.0) / 2, (0.5 + 0.5) / 2, (0.5 + 0.25) / 2)
    assert mean_equalized_odds(y_true, y_pred, groups) == pytest.approx(meo)
    assert equalized_odds_difference(y_true, y_pred, groups) == pytest.approx(0.5)
    assert statistical_parity_difference(y_pred, groups) == pytest.approx(1 / 3 - 1 / 6)
    table = group_rates(y_true, y_pred, groups).set_index(["group", "class"])
    np.testing.assert_allclose(table.loc[1, "tpr"], [0.5, 0.5, 0.5])
    np.testing.assert_allclose(table.loc[1, "fpr"], [0.0, 0.5, 0.25])
    np.testing.assert_allclose(table.loc[1, "selection_rate"], [1 / 6, 1 / 2, 1 / 3])
    assert list(table.loc[0, "n_positive"]) == [2, 2, 2]


@settings(max_examples=25, deadline=None)
@given(n=st.integers(20, 300), n_groups=st.integers(2, 4), seed=st.integers(0, 2**31 - 1))
def test_binary_metrics_match_fairlearn(n, n_groups, seed):
    rng = np.random.default_rng(seed)
    groups = np.array(["g0", "g1", "g2", "g3"])[np.arange(n) % n_groups]
    y_true = rng.integers(0, 2, n)
    y_true[:4] = [0, 1, 0, 1]
    y_true[n_groups : 2 * n_groups] = 1 - y_true[:n_groups]  # every group has both labels
    y_pred = rng.integers(0, 2, n)
    frame = MetricFrame(
        metrics={"tpr": true_positive_rate, "fpr": false_positive_rate},
        y_true=y_true,
        y_pred=y_pred,
        sensitive_features=groups,
    )
    gaps = frame.difference(method="between_groups")
    assert mean_equalized_odds(y_true, y_pred, groups) == pytest.approx(
        (gaps["tpr"] + gaps["fpr"]) / 2, abs=1e-12
    )
    assert equalized_odds_difference(y_true, y_pred, groups) == pytest.approx(
        fairlearn_eod(y_true, y_pred, sensitive_features=groups), abs=1e-12
    )
    assert statistical_parity_difference(y_pred, groups) == pytest.approx(
        demographic_parity_difference(y_true, y_pred, sensitive_features=groups),
        abs=1e-12,
    )


def test_multiclass_metrics_match_fairlearn_one_vs_rest():
    rng = np.random.default_rng(3)
    n, C = 3000, 4
    groups = rng.choice(["x", "y", "z"], n)
    y_true = rng.integers(0, C, n)
    y_pred = np.where(rng.random(n) < 0.6, y_true, rng.integers(0, C, n))
    y_pred[groups == "z"] = np.where(rng.random((groups == "z").sum()) < 0.3, 0, y_pred[groups == "z"])
    meo, eod, sp = [], [], []
    for c in range(C):
        frame = MetricFrame(
            metrics={
                "tpr": true_positive_rate,
                "fpr": false_positive_rate,
                "sr": selection_rate,
            },
            y_true=(y_true == c).astype(int),
            y_pred=(y_pred == c).astype(int),
            sensitive_features=groups,
        )
        gaps = frame.difference()
        meo.append((gaps["tpr"] + gaps["fpr"]) / 2)
        eod.append(max(gaps["tpr"], gaps["fpr"]))
        sp.append(gaps["sr"])
    assert mean_equalized_odds(y_true, y_pred, groups) == pytest.approx(max(meo), abs=1e-12)
    assert equalized_odds_difference(y_true, y_pred, groups) == pytest.approx(max(eod), abs=1e-12)
    assert statistical_parity_difference(y_pred, groups) == pytest.approx(max(sp), abs=1e-12)
    table = group_rates(y_true, y_pred, groups)
    by_group = MetricFrame(
        metrics=true_positive_rate,
        y_true=(y_true == 2).astype(int),
        y_pred=(y_pred == 2).astype(int),
        sensitive_features=groups,
    ).by_group
    np.testing.assert_allclose(table[table["class"] == 2]["tpr"].to_numpy(), by_group.to_numpy())


def test_metrics_are_invariant_to_label_encoding():
    rng = np.random.default_rng(4)
    y_true, y_pred = rng.integers(0, 3, 400), rng.integers(0, 3, 400)
    groups = rng.integers(0, 3, 400)
    names = np.array(["cat", "dog", "eel"])
    for fn in (mean_equalized_odds, equalized_odds_difference):
        assert fn(y_true, y_pred, groups) == fn(names[y_true], names[y_pred], names[groups] + "!")
    assert statistical_parity_difference(y_pred, groups) == statistical_parity_difference(
        names[y_pred], groups * 7
    )


def test_undefined_rates_are_skipped():
    # group b has no sample of class 1, so its TPR_1 is undefined and left out
    y_true = [1, 0, 1, 0, 0, 0]
    y_pred = [1, 0, 0, 0, 1, 0]
    groups = ["a", "a", "a", "b", "b", "b"]
    table = group_rates(y_true, y_pred, groups).set_index(["group", "class"])
    assert np.isnan(table.loc[("b", 1), "tpr"])
    # class 1: TPR gap over {a} only = 0; FPR_1: a 0/1, b 1/3 -> 1/3
    # class 0: TPR_0: a 1/1, b 2/3 -> 1/3; FPR_0 over {a} only (b has no class-1 sample) = 0
    assert mean_equalized_odds(y_true, y_pred, groups) == pytest.approx(1 / 6)
    assert isinstance(table, pd.DataFrame)
    assert list(group_rates(None, y_pred, groups).columns) == [
        "group",
        "class",
        "n_group",
        "selection_rate",
    ]


def test_ratio_violation_matches_the_constraint_operator():
    rng = np.random.default_rng(5)
    n, C, S = 2000, 3, 4
    P = smooth_probabilities(rng.dirichlet(np.ones(C), n))
    H = rng.dirichlet(np.ones(C), n)
    s = rng.integers(0, S, n)
    for kind in ("sp", "meo", "eo"):
        G = GroupConstraints(P, s, kind, 0.1)
        ours = ratio_violation(H, s, kind, 0.1, label_probs=P)
        assert ours == pytest.approx(G.ratio_violation(H), abs=1e-12)


def test_ratio_violation_hard_predictions_and_true_labels():
    y_true = np.array([0, 1, 1, 0, 1, 1])
    y_pred = np.array([0, 1, 0, 0, 1, 1])
    groups = np.array([0, 0, 0, 1, 1, 1])
    # MEO with labels: recall_1 overall 3/4, group 0: 1/2, group 1: 2/2; recall_0 = 1 everywhere
    assert ratio_violation(y_pred, groups, "meo", 0.0, y_true=y_true) == pytest.approx(1 / 3)
    assert ratio_violation(y_pred, groups, "meo", 0.5, y_true=y_true) == pytest.approx(1 / 3 - 0.5)
    # SP: P(Ŷ=1) overall 1/2, group 0: 1/3, group 1: 2/3 (class 0 the same) -> 1/3
    assert ratio_violation(y_pred, groups, "sp", 0.0) == pytest.approx(1 / 3)
    # hard predictions = one-hot soft predictions
    assert ratio_violation(np.eye(2)[y_pred], groups, "sp", 0.0) == pytest.approx(1 / 3)
    # EO adds the off-diagonal cells: the miss rate of class 1 is 1/4 overall, 1/2 in group 0
    # and 0 in group 1, so its ratio deviates by 1 (the diagonal cells deviate by at most 1/3)
    assert ratio_violation(y_pred, groups, "eo", 0.0, y_true=y_true) == pytest.approx(1.0)


def test_metric_input_errors():
    with pytest.raises(
        ValueError,
        match=r"sensitive_features must have the same length as y_pred \(3\); got 2",
    ):
        statistical_parity_difference([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="sensitive_features must not contain missing values"):
        mean_equalized_odds([0, 1], [0, 1], [0.0, np.nan])
    with pytest.raises(ValueError, match="y_pred must be 1-D"):
        mean_equalized_odds([0, 1], np.zeros((2, 2, 1)), [0, 1])
    with pytest.raises(ValueError, match="y_pred rows must sum to one"):
        mean_equalized_odds([0, 1], np.zeros((2, 2)), [0, 1])
    with pytest.raises(ValueError, match="y_true must only contain the classes"):
        mean_equalized_odds([0, 2], np.full((2, 2), 0.5), [0, 1])
    with pytest.raises(ValueError, match="MEO needs y_true or label_probs"):
        ratio_violation(np.array([[0.5, 0.5]]), [0], "meo")
    with pytest.raises(ValueError, match="constraint must be one of"):
        ratio_violation(np.array([0, 1]), [0, 1], "equal_odds")
    with pytest.raises(ValueError, match="alpha must be a finite number >= 0"):
        ratio_violation(np.array([0, 1]), [0, 1], "sp", alpha=-1.0)


def test_soft_predictions_with_one_hot_rows_equal_hard_predictions():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 3, 500)
    pred = rng.integers(0, 3, 500)
    s = rng.choice(["a", "b", "c"], 500)
    one_hot = np.eye(3)[pred]
    assert mean_equalized_odds(y, one_hot, s) == pytest.approx(
        mean_equalized_odds(y, pred, s, labels=[0, 1, 2])
    )
    assert statistical_parity_difference(one_hot, s) == pytest.approx(
        statistical_parity_difference(pred, s, labels=[0, 1, 2])
    )
    hard = group_rates(y, pred, s, labels=[0, 1, 2])
    soft = group_rates(y, one_hot, s)
    np.testing.assert_allclose(soft[["selection_rate", "tpr", "fpr"]], hard[["selection_rate", "tpr", "fpr"]])


def test_soft_predictions_give_the_expected_rates_of_the_randomised_classifier():
    # Two groups, binary; P(Yhat=1) per sample. Group 0: y = [1, 1, 0]; group 1: y = [1, 0, 0].
    y = np.array([1, 1, 0, 1, 0, 0])
    s = np.array([0, 0, 0, 1, 1, 1])
    q = np.array([0.9, 0.5, 0.2, 0.6, 0.4, 0.0])
    H = np.column_stack([1 - q, q])
    tpr = (np.mean([0.9, 0.5]), 0.6)
    fpr = (0.2, np.mean([0.4, 0.0]))
    expected = 0.5 * (abs(tpr[0] - tpr[1]) + abs(fpr[0] - fpr[1]))
    assert mean_equalized_odds(y, H, s) == pytest.approx(expected)
    assert statistical_parity_difference(H, s) == pytest.approx(abs(np.mean(q[:3]) - np.mean(q[3:])))
    # ... and they are what sampling Yhat ~ H converges to on a large population
    rng = np.random.default_rng(0)
    reps = 20000
    y_big, s_big, q_big = np.tile(y, reps), np.tile(s, reps), np.tile(q, reps)
    sampled = (rng.random(q_big.shape) < q_big).astype(int)
    assert mean_equalized_odds(y_big, sampled, s_big) == pytest.approx(expected, abs=0.01)


def test_ratio_violation_min_support_skips_thin_cells():
    # group 1 has one sample: its rate (0) is far off, but with min_support=2 it is skipped.
    preds = np.array([1, 1, 0, 1, 0])
    groups = np.array([0, 0, 0, 0, 1])
    full = ratio_violation(preds, groups, "sp", alpha=0.0)
    thin = ratio_violation(preds, groups, "sp", alpha=0.0, min_support=2)
    # class 0: overall rate 0.4, group 1 selects it always (|1/0.4 - 1| = 1.5),
    # group 0 a quarter of the time (|0.25/0.4 - 1| = 0.375)
    assert full == pytest.approx(1.5)
    assert thin == pytest.approx(0.375)
    with pytest.raises(ValueError, match="min_support must be a finite number >= 0"):
        ratio_violation(preds, groups, "sp", min_support=-1)
