"""Tests of trustlab.generative.metrics and digits: Frechet distance, feature classifier, pixel traits."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import linalg

from trustlab.generative import (
    DigitFeatures,
    chain_table,
    digit_images,
    frechet_distance,
    hf_energy,
    pixel_stats,
)


def slow_frechet(a, b):
    """Reference: the textbook formula with scipy's general matrix square root."""
    ca, cb = np.atleast_2d(np.cov(a, rowvar=False)), np.atleast_2d(np.cov(b, rowvar=False))
    return float(
        np.sum((a.mean(0) - b.mean(0)) ** 2) + np.trace(ca + cb - 2 * np.real(linalg.sqrtm(ca @ cb)))
    )


def test_frechet_matches_reference_and_closed_form():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(3000, 5)) @ rng.normal(size=(5, 5))
    b = rng.normal(size=(2000, 5)) * 2 + 1
    assert frechet_distance(a, b) == pytest.approx(slow_frechet(a, b), rel=1e-8)
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-8)
    # 1-d: (mu_a - mu_b)^2 + (sigma_a - sigma_b)^2
    x, y = rng.normal(0, 1, (200_000, 1)), rng.normal(2, 3, (200_000, 1))
    assert frechet_distance(x, y) == pytest.approx(4 + 4, rel=0.02)


def test_frechet_singular_covariance_is_finite():
    rng = np.random.default_rng(1)
    a = np.c_[rng.normal(size=(500, 3)), np.zeros((500, 2))]
    b = np.c_[rng.normal(size=(500, 3)) + 0.5, np.zeros((500, 2))]
    d = frechet_distance(a, b)
    assert np.isfinite(d) and d > 0


def test_frechet_bad_input():
    with pytest.raises(ValueError, match="same width"):
        frechet_distance(np.zeros((5, 3)), np.zeros((5, 4)))
    with pytest.raises(TypeError, match="feat_a"):
        frechet_distance([[0.0]], np.zeros((5, 1)))
    with pytest.raises(ValueError, match="finite"):
        frechet_distance(np.full((5, 2), np.nan), np.zeros((5, 2)))


def test_digit_images_domains():
    x, y = digit_images()
    xb, _ = digit_images(blur=0.8, contrast=0.8)
    assert x.shape == (1797, 64) and y.shape == (1797,) and x.min() == -1 and x.max() == 1
    assert hf_energy(xb).mean() < 0.5 * hf_energy(x).mean()
    with pytest.raises(ValueError, match="blur"):
        digit_images(blur=-1)
    with pytest.raises(ValueError, match="contrast"):
        digit_images(contrast=0)
    with pytest.raises(TypeError, match="blur"):
        digit_images(blur="1")


@pytest.mark.parametrize("side", [8, 12, 16, 32])
def test_digit_images_sizes(side):
    x, y = digit_images(side=side)
    xb, _ = digit_images(blur=0.8, contrast=0.8, side=side)
    assert x.shape == (1797, side * side) and x.dtype == torch.float32 and y.shape == (1797,)
    assert x.min() >= -1 and x.max() <= 1 and x.min() == -1 and x.max() == 1
    assert xb.min() >= -0.8 and xb.max() <= 0.8
    # Upsampling keeps the data: corners are interpolation nodes, the ink per image is close.
    native, _ = digit_images()
    img, nat = x.reshape(-1, side, side), native.reshape(-1, 8, 8)
    assert torch.equal(img[:, 0, 0], nat[:, 0, 0]) and torch.equal(img[:, -1, -1], nat[:, -1, -1])
    assert torch.corrcoef(torch.stack([img.mean((1, 2)), nat.mean((1, 2))]))[0, 1] > 0.95


def test_digit_images_bad_size():
    with pytest.raises(ValueError, match="side"):
        digit_images(side=4)
    with pytest.raises(TypeError, match="side"):
        digit_images(side=16.0)
    with pytest.raises(TypeError, match="side"):
        digit_images(side=True)


def test_metrics_at_16x16():
    x, y = digit_images(side=16)
    xb, _ = digit_images(blur=0.8, contrast=0.8, side=16)
    assert hf_energy(x).shape == (1797,) and hf_energy(xb).mean() < 0.5 * hf_energy(x).mean()
    checker = (np.indices((16, 16)).sum(0) % 2 * 2.0 - 1.0).ravel()
    assert pixel_stats(np.stack([checker] * 3))["hf_energy"] == pytest.approx(4.0)
    feats = DigitFeatures(random_state=0).fit(x[:1000].numpy(), y[:1000].numpy())
    assert feats.accuracy(x[1000:].numpy(), y[1000:].numpy()) > 0.9
    assert feats.distance(x[1000:1400], x[1400:].numpy()) < feats.distance(xb[1000:1400], x[1400:].numpy())
    table = chain_table([x[1000:1100]], feats, x[1100:].numpy(), y[1000:1100].numpy())
    assert table.loc[1, "hf_energy"] == pytest.approx(hf_energy(x[1000:1100]).mean())


def test_digit_features_and_distance_order():
    x, y = digit_images()
    xb, _ = digit_images(blur=0.8, contrast=0.8)
    feats = DigitFeatures(random_state=0).fit(x[:1000].numpy(), y[:1000].numpy())
    assert feats.accuracy(x[1000:].numpy(), y[1000:].numpy()) > 0.9
    assert feats.transform(x[:10]).shape == (10, 64)
    same = feats.distance(x[1000:1400], x[1400:].numpy())
    assert same < feats.distance(xb[1000:1400], x[1400:].numpy())
    with pytest.raises(ValueError, match="y must"):
        DigitFeatures().fit(x[:10].numpy(), y[:5].numpy())


def test_pixel_stats_known_values():
    checker = np.indices((8, 8)).sum(0) % 2 * 2.0 - 1.0
    flat = np.zeros((3, 64))
    imgs = np.stack([checker.ravel()] * 3)
    s = pixel_stats(imgs)
    assert s["saturation"] == 1.0 and s["hf_energy"] == pytest.approx(4.0) and s["ink"] == pytest.approx(0.5)
    z = pixel_stats(flat)
    assert z["saturation"] == 0.0 and z["hf_energy"] == 0.0 and z["contrast"] == 0.0
    with pytest.raises(ValueError, match="square"):
        pixel_stats(np.zeros((3, 60)))
    with pytest.raises(ValueError, match="8x8"):
        pixel_stats(np.zeros((3, 60)), side=8)
    assert hf_energy(torch.tensor(imgs)).shape == (3,)


def test_chain_table_columns():
    x, y = digit_images()
    feats = DigitFeatures(random_state=0).fit(x[:800].numpy(), y[:800].numpy())
    table = chain_table([x[800:900], x[900:1000]], feats, x[1000:].numpy(), y[800:900].numpy())
    assert list(table.index) == [1, 2]
    assert {"fd", "accuracy", "saturation", "hf_energy", "ink", "contrast"} <= set(table.columns)
