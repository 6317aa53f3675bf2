"""Paper scale of book/privacy/correlated-dp-mean.md: its configuration builds and one step runs."""

from __future__ import annotations

import numpy as np

from trustlab.privacy import CorDPDesign, colluder_view, cordp_optimal, likelihood_ratio_scores, simulate_mse

CHAPTER = "book/privacy/correlated-dp-mean.md"


def test_paper_configuration_differs_from_cpu(paper_cfg, chapter_config):
    cpu_cfg = chapter_config(CHAPTER, "cpu")
    assert paper_cfg["scale"] == "paper" and cpu_cfg["scale"] == "cpu"
    for key in ("mc_rounds", "mc_dim", "audit_runs", "scratch_d"):
        assert paper_cfg[key] > cpu_cfg[key], key
    assert paper_cfg["speed_n"] * paper_cfg["speed_d"] >= cpu_cfg["speed_n"] * cpu_cfg["speed_d"]


def test_paper_monte_carlo_one_round(paper_cfg):
    params = cordp_optimal(CorDPDesign(100, 10, 10, eps=1.0))
    mse, low, high = simulate_mse(params, 100, paper_cfg["mc_dim"], 10, 1, np.random.default_rng(0))
    assert np.isfinite(mse) and low < mse < high


def test_paper_audit_one_batch(paper_cfg):
    """One batch of the paper-scale audit (the full run repeats it audit_runs / batch times)."""
    batch = min(paper_cfg["audit_runs"], 20_000)
    params = cordp_optimal(CorDPDesign(20, 15, 0, eps=1.0))
    views = colluder_view(20, 15, params, batch, np.random.default_rng(1), shift=2.0)
    scores = likelihood_ratio_scores(views, 20, 15, params)
    assert scores.shape == (batch,) and np.isfinite(scores).all()


def test_paper_speed_one_row_block(paper_cfg):
    """The speed check's noise for a 1/100 slice of the paper-scale users."""
    from trustlab.privacy import correlated_noise

    n = paper_cfg["speed_n"] // 100
    params = cordp_optimal(CorDPDesign(paper_cfg["speed_n"], paper_cfg["speed_n"] // 100, 0, eps=1.0))
    Z = correlated_noise(n, paper_cfg["speed_d"], params, np.random.default_rng(2))
    assert Z.shape == (n, paper_cfg["speed_d"]) and np.isfinite(Z).all()
