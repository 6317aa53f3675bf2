"""Paper scale of book/fairness/fair-projection.md: its configuration builds and one step runs."""

from __future__ import annotations

import numpy as np
import pytest
from fairlearn.reductions import EqualizedOdds, ExponentiatedGradient
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from trustlab.datasets import adult_task
from trustlab.fairness import (
    GroupConstraints,
    admm,
    make_base_model,
    projection_tradeoff,
    smooth_probabilities,
)

CHAPTER = "book/fairness/fair-projection.md"


@pytest.fixture(scope="module")
def adult_split(paper_cfg):
    train, test = adult_task(group="sex").split(test_size=0.3, random_state=paper_cfg["seed"])
    model = make_base_model("logistic", random_state=paper_cfg["seed"]).fit(train.X, train.y)
    return train, test, model.predict_proba(train.X), model.predict_proba(test.X)


def test_paper_configuration_differs_from_cpu(paper_cfg, chapter_config):
    cpu_cfg = chapter_config(CHAPTER, "cpu")
    assert paper_cfg["scale"] == "paper" and cpu_cfg["scale"] == "cpu"
    assert paper_cfg["admm_n"] > cpu_cfg["admm_n"]
    assert len(paper_cfg["alphas"]) > len(cpu_cfg["alphas"])
    assert len(paper_cfg["expgrad_eps"]) > len(cpu_cfg["expgrad_eps"])


def test_paper_alpha_sweep_runs(paper_cfg, adult_split):
    train, test, p_train, p_test = adult_split
    curve = projection_tradeoff(p_train, train.s, p_test, test.s, test.y, paper_cfg["alphas"])
    assert np.isfinite(curve[["accuracy", "meo"]].to_numpy()).all()
    assert len(curve) >= len(paper_cfg["alphas"])


def test_paper_admm_one_iteration(paper_cfg, adult_split):
    train, _, p_train, _ = adult_split
    n = paper_cfg["admm_n"]
    assert n <= train.n_samples, f"admm_n={n} exceeds the Adult training split ({train.n_samples})"
    pick = np.random.default_rng(0).choice(train.n_samples, n, replace=False)
    P = smooth_probabilities(p_train[pick])
    result = admm(GroupConstraints(P, train.s[pick], kind="meo", alpha=0.05), P, max_iter=1)
    assert result.n_iter == 1 and np.isfinite(result.lam).all()


def test_paper_scratch_sample_fits_training_split(paper_cfg, adult_split):
    train = adult_split[0]
    assert paper_cfg["scratch_n"] <= train.n_samples


def test_paper_expgrad_one_iteration(paper_cfg, adult_split):
    train = adult_split[0]
    X = StandardScaler().fit_transform(train.X)
    for eps in paper_cfg["expgrad_eps"]:
        reduction = ExponentiatedGradient(
            LogisticRegression(max_iter=5000), EqualizedOdds(difference_bound=eps), max_iter=1
        )
        reduction.fit(X, train.y, sensitive_features=train.s)
        assert len(reduction.predictors_) >= 1
