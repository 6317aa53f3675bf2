"""Paper scale of book/fairness/fair-trees-missing-values.md: its configuration builds and one
step of each experiment runs."""

from __future__ import annotations

import numpy as np

from trustlab.fairness import (
    FairMIATreeClassifier,
    adult_with_missing,
    imputation_tradeoff,
    solve_exact,
)

CHAPTER = "book/fairness/fair-trees-missing-values.md"


def test_paper_configuration_differs_from_cpu(paper_cfg, chapter_config):
    cpu_cfg = chapter_config(CHAPTER, "cpu")
    assert paper_cfg["scale"] == "paper" and cpu_cfg["scale"] == "cpu"
    assert paper_cfg["n_adult"] > cpu_cfg["n_adult"]
    assert len(paper_cfg["eps"]) > len(cpu_cfg["eps"])
    assert len(paper_cfg["lams"]) > len(cpu_cfg["lams"])


def test_paper_adult_one_step(paper_cfg):
    adult = adult_with_missing()
    n = paper_cfg["n_adult"]
    assert 2 * n <= len(adult.y), f"n_adult={n} needs {2 * n} rows, Adult has {len(adult.y)}"
    pick = np.random.default_rng(paper_cfg["seed"]).choice(len(adult.y), 2 * n, replace=False)
    train, test = adult.subset(pick[:n]), adult.subset(pick[n:])
    clf = FairMIATreeClassifier(
        max_depth=paper_cfg["depth"], fairness="fpr", lam=paper_cfg["lams"][1], n_restarts=1, max_sweeps=1
    ).fit(train.X, train.y, train.s)
    assert np.isfinite(clf.objective_) and clf.predict(test.X).shape == test.y.shape
    row = imputation_tradeoff(train.subset(np.arange(2000)), test, "mean", "fpr", paper_cfg["eps"][:1])
    assert np.isfinite(row[["accuracy", "fpr"]].to_numpy(dtype=float)).all()


def test_paper_tiny_problem_one_solve(paper_cfg):
    rng = np.random.default_rng(paper_cfg["seed"])
    X = np.round(rng.normal(size=(30, 3)) + 2)
    X[rng.random(X.shape) < 0.1] = np.nan
    result = solve_exact(X, rng.integers(0, 2, 30), rng.integers(0, 2, 30), 1, 1.0, "fpr")
    assert result.optimal
