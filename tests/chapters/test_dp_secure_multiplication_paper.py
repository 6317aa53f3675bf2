"""Paper scale of book/privacy/dp-secure-multiplication.md: its configuration builds and one step runs."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from trustlab.privacy import (
    PRIME,
    LayeredMultiplication,
    bgw_multiply,
    field_points,
    field_reconstruct,
    field_share,
    lmse_bound,
)

CHAPTER = "book/privacy/dp-secure-multiplication.md"


def test_paper_configuration_differs_from_cpu(paper_cfg, chapter_config):
    cpu_cfg = chapter_config(CHAPTER, "cpu")
    assert paper_cfg["scale"] == "paper" and cpu_cfg["scale"] == "cpu"
    assert paper_cfg["n_products"] > cpu_cfg["n_products"]
    assert len(paper_cfg["sigmas"]) > len(cpu_cfg["sigmas"])
    assert len(paper_cfg["precision_h"]) > len(cpu_cfg["precision_h"])


def test_paper_schemes_build_for_every_sigma(paper_cfg):
    """Every (t, N, sigma) of the paper grid calibrates so that the worst coalition sees sigma."""
    for t in (1, 2, 3):
        for n_nodes, sigma in itertools.product(range(t + 1, 2 * t + 1), paper_cfg["sigmas"]):
            scheme = LayeredMultiplication(t, n_nodes, sigma=sigma, h=paper_cfg["h"])
            assert scheme.coalitions().sigma_eff.min() >= sigma


def test_paper_one_monte_carlo_point(paper_cfg):
    """One point of the trade-off at the paper's number of products."""
    sigma = paper_cfg["sigmas"][0]
    scheme = LayeredMultiplication(3, 6, sigma=sigma, h=paper_cfg["h"])
    mse = scheme.monte_carlo_mse(paper_cfg["n_products"], np.random.default_rng(0))
    assert mse == pytest.approx(float(lmse_bound(scheme.snr_p())), rel=0.05)


# the precision map goes below the working precision on purpose
@pytest.mark.filterwarnings("ignore:h\\*\\*t = .* machine epsilon:RuntimeWarning")
def test_paper_precision_grid_runs(paper_cfg):
    rng = np.random.default_rng(1)
    h = min(paper_cfg["precision_h"])
    scheme = LayeredMultiplication(1, sigma=1.0, h=float(h))
    for dtype in (np.float32, np.float64):
        assert np.isfinite(scheme.monte_carlo_mse(1000, rng, dtype))


def test_paper_bgw_batch(paper_cfg):
    rng = np.random.default_rng(2)
    n = paper_cfg["bgw_secrets"]
    a, b = rng.integers(0, PRIME, size=n), rng.integers(0, PRIME, size=n)
    shares = bgw_multiply(field_share(a, 2, 5, rng), field_share(b, 2, 5, rng), 2, rng)
    product = field_reconstruct(shares[:3], field_points(5)[:3])
    np.testing.assert_array_equal(product, (a.astype(object) * b % PRIME).astype(np.int64))
