"""Tests of trustlab.sciml.quantum and the Q-KANO training loop."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from trustlab.sciml import (
    QKANO,
    KANLayer,
    double_well,
    exact_propagator,
    gaussian_packets,
    infidelity,
    make_grid,
    pmf_loss,
    pmfs,
    split_step,
    train_qkano,
    wavenumbers,
)

X = make_grid(64, 6.0)
V = double_well(X)


def test_double_well_closed_form():
    assert np.allclose(double_well(np.array([0.0, np.sqrt(2), 2.0])), [0.5, 0.0, 0.5])
    assert np.argmin(V) in (np.argmin(np.abs(X + np.sqrt(2))), np.argmin(np.abs(X - np.sqrt(2))))


def test_split_step_is_exact_for_a_free_particle():
    psi = gaussian_packets(3, X, np.random.default_rng(0))
    out = split_step(psi, np.zeros_like(X), X, dT=0.3, steps=2, substeps=1)
    xi = wavenumbers(X, real=False)
    exact = np.fft.ifft(np.exp(-0.5j * 0.6 * xi**2) * np.fft.fft(psi))
    assert out.shape == (3, 3, 64) and np.allclose(out[:, 2], exact, atol=1e-12)


def test_split_step_converges_to_the_matrix_exponential():
    psi = gaussian_packets(2, X, np.random.default_rng(1))
    exact = psi @ exact_propagator(V, X, 0.05).T
    errors = [np.abs(split_step(psi, V, X, 0.05, 1, substeps=s)[:, 1] - exact).max() for s in (1, 2, 4)]
    assert errors[0] < 1e-3
    assert errors[1] < errors[0] / 3 and errors[2] < errors[1] / 3  # second order in dt


def test_split_step_preserves_the_norm():
    psi = gaussian_packets(4, X, np.random.default_rng(2))
    norms = np.linalg.norm(split_step(psi, V, X, 0.05, 20), axis=-1)
    assert np.allclose(norms, 1.0, atol=1e-12)


def test_pmfs_and_infidelity():
    psi = torch.as_tensor(gaussian_packets(5, X, np.random.default_rng(3)))
    px, pk = pmfs(psi)
    assert torch.allclose(px.sum(-1), torch.ones(5, dtype=px.dtype)) and torch.allclose(
        pk.sum(-1), torch.ones(5, dtype=pk.dtype)
    )
    assert infidelity(psi, psi * np.exp(0.7j)).abs().max() < 1e-12  # a global phase is invisible
    a = torch.zeros(64, dtype=torch.complex128)
    b = a.clone()
    a[0], b[1] = 1, 1
    assert infidelity(a, b).item() == pytest.approx(1.0)


def test_qkano_training_lowers_the_pmf_loss():
    torch.manual_seed(0)
    states = torch.as_tensor(
        split_step(gaussian_packets(8, X, np.random.default_rng(4)), V, X, 0.05, 4), dtype=torch.complex64
    )
    model = QKANO(X, 0.05, KANLayer(2, 1, grid=6), symbol_scale=10.0)
    before = pmf_loss(model, states, 4).item()
    history = train_qkano(model, states, steps=40, lr=0.02)
    assert len(history) == 40 and pmf_loss(model, states, 4).item() < 0.5 * before


def test_bad_input():
    with pytest.raises(ValueError, match="psi must have shape"):
        split_step(np.zeros(10, complex), V, X, 0.05, 1)
    with pytest.raises(ValueError, match="potential"):
        split_step(np.ones(64, complex), V[:10], X, 0.05, 1)
    with pytest.raises(ValueError, match="dT"):
        split_step(np.ones(64, complex), V, X, 0.0, 1)
    with pytest.raises(TypeError, match="steps"):
        split_step(np.ones(64, complex), V, X, 0.05, 1.5)
    with pytest.raises(TypeError, match="rng"):
        gaussian_packets(2, X, 3)
    with pytest.raises(TypeError, match="complex"):
        pmfs(torch.ones(3, 64))
    with pytest.raises(ValueError, match="same shape"):
        infidelity(torch.ones(3, dtype=torch.complex64), torch.ones(4, dtype=torch.complex64))
    model = QKANO(X, 0.05, KANLayer(2, 1))
    with pytest.raises(ValueError, match="states must be a complex tensor"):
        train_qkano(model, torch.ones(2, 3, 64), 1, 0.1)
