"""Tests of trustlab.sciml.operators: grid, spectral derivatives, operators, input families."""

from __future__ import annotations

import numpy as np
import pytest

from trustlab.sciml import apply_operator, derivative, make_grid, relative_l2, sample_family, wavenumbers

X = make_grid(128, 8.0)
GAUSS = np.exp(-(X**2) / 2)


def test_grid_and_wavenumbers():
    assert X[0] == -8.0 and np.isclose(X[-1], 8.0 - 16 / 128) and X.shape == (128,)
    xi = wavenumbers(X)
    assert xi.shape == (65,) and np.isclose(xi[1], 2 * np.pi / 16) and np.isclose(xi[-1], np.pi / (16 / 128))
    full = wavenumbers(X, real=False)
    assert full.shape == (128,) and np.isclose(full[-1], -2 * np.pi / 16)


def test_derivatives_against_closed_forms():
    assert np.allclose(derivative(GAUSS, X, 1), -X * GAUSS, atol=1e-11)
    assert np.allclose(derivative(GAUSS, X, 2), (X**2 - 1) * GAUSS, atol=1e-11)
    wave = np.sin(3 * np.pi * X / 8)  # periodic on [-8, 8): exact
    assert np.allclose(derivative(wave, X, 2), -((3 * np.pi / 8) ** 2) * wave, atol=1e-11)


@pytest.mark.parametrize(
    "name, expected",
    [("G1", GAUSS), ("G2", -GAUSS), ("G3", GAUSS**3 - GAUSS)],
)
def test_operators_on_a_gaussian(name, expected):
    # f = exp(-x^2/2): f' = -x f, f'' = (x^2 - 1) f, so G1 f = f, G2 f = -f, G3 f = f^3 - f
    assert np.allclose(apply_operator(name, GAUSS, X), expected, atol=1e-10)


def test_operators_are_batched():
    f = np.stack([GAUSS, 2 * GAUSS])
    out = apply_operator("G2", f, X)
    assert out.shape == (2, 128) and np.allclose(out[1], 2 * out[0])


@pytest.mark.parametrize("kind", ["A", "B"])
def test_families_shapes_determinism_and_decay(kind):
    f = sample_family(kind, 50, X, np.random.default_rng(1))
    assert f.shape == (50, 128)
    assert np.array_equal(f, sample_family(kind, 50, X, np.random.default_rng(1)))
    edge = np.abs(f[:, [0, 1, 2, -3, -2, -1]]).max()
    assert edge < 1e-2 * np.abs(f).max()  # decays before the periodic boundary


def test_families_differ_in_amplitude_and_spectrum():
    rng = np.random.default_rng(0)
    fa, fb = sample_family("A", 400, X, rng), sample_family("B", 400, X, rng)
    assert np.abs(fb).max(axis=1).mean() > 1.2 * np.abs(fa).max(axis=1).mean()
    xi = wavenumbers(X)

    def centroid(f):
        power = np.abs(np.fft.rfft(f)) ** 2
        return (power * xi).sum(1) / power.sum(1)

    assert centroid(fb).mean() > 1.5 * centroid(fa).mean()


def test_relative_l2():
    true = np.array([[3.0, 4.0], [1.0, 0.0]])
    assert np.isclose(relative_l2(true * 1.1, true), 0.1)


def test_bad_input():
    with pytest.raises(ValueError, match="name"):
        apply_operator("G4", GAUSS, X)
    with pytest.raises(ValueError, match="f must have 128 points"):
        apply_operator("G1", GAUSS[:10], X)
    with pytest.raises(ValueError, match="kind"):
        sample_family("C", 3, X, np.random.default_rng(0))
    with pytest.raises(ValueError, match="n_samples"):
        sample_family("A", 0, X, np.random.default_rng(0))
    with pytest.raises(TypeError, match="rng"):
        sample_family("A", 3, X, 0)
    with pytest.raises(TypeError, match="n must be a positive integer"):
        make_grid(12.5)
    with pytest.raises(ValueError, match="half_width"):
        make_grid(8, -1.0)
    with pytest.raises(ValueError, match="same shape"):
        relative_l2(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="finite"):
        apply_operator("G1", np.full(128, np.nan), X)


def test_relative_l2_rejects_an_all_zero_truth():
    with pytest.raises(ValueError, match="true must have no all-zero function"):
        relative_l2(np.ones((2, 3)), np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]))
