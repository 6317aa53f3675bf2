"""Tests of trustlab.sciml.kan and .kano: B-splines, KAN layers, KN quantisation, KANO, Q-KANO, read-out."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.interpolate import BSpline
from torch import nn

from trustlab.sciml import (
    KANO,
    QKANO,
    KANLayer,
    KANOLayer,
    bspline_basis,
    effective_symbol,
    fit_symbol,
    kan,
    kn_quantize,
    kn_quantize_naive,
    linearise_activation,
    make_grid,
    make_kano,
    wavenumbers,
)

X = make_grid(32, 4.0)
XT = torch.as_tensor(X)


def _random_symbol(rows: int, cols: int, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.complex(
        torch.randn(rows, cols, generator=g, dtype=torch.float64),
        torch.randn(rows, cols, generator=g, dtype=torch.float64),
    )


def test_bspline_basis_partition_of_unity_and_scipy():
    u = torch.linspace(-1, 0.999, 50, dtype=torch.float64)
    basis = bspline_basis(u, grid=5, k=3)
    assert basis.shape == (50, 8)
    assert torch.allclose(basis.sum(-1), torch.ones(50, dtype=torch.float64))
    knots = np.linspace(-1 - 3 * 0.4, 1 + 3 * 0.4, 12)
    for g in range(8):
        reference = BSpline.basis_element(knots[g : g + 5], extrapolate=False)(u.numpy())
        assert np.allclose(basis[:, g].numpy(), np.nan_to_num(reference), atol=1e-12)


def test_kan_layer_shapes_edges_and_linear_extrapolation():
    torch.manual_seed(0)
    layer = KANLayer(2, 1, grid=4)
    u = torch.randn(7, 2)
    edges = layer.edge(0, 0, u[:, 0]) + layer.edge(1, 0, u[:, 1])
    assert torch.allclose(layer(u)[:, 0], edges + layer.bias, atol=1e-6)
    far = torch.tensor([[10.0, 0.0], [20.0, 0.0]])  # beyond the extended grid the edge is linear
    out = layer(far)[:, 0]
    assert torch.isclose(out[1] - out[0], 10 * layer.weight[0, 0], atol=1e-4)
    assert kan([2, 3, 2])(torch.randn(5, 2)).shape == (5, 2)


@pytest.mark.parametrize("real", [True, False])
def test_kn_quantize_matches_the_dense_triple_sum(real):
    modes = 10 if real else 32
    P = _random_symbol(32, modes)
    g = torch.Generator().manual_seed(1)
    a = torch.randn(3, 32, generator=g, dtype=torch.float64)
    if not real:
        a = torch.complex(a, torch.randn(3, 32, generator=g, dtype=torch.float64))
    fast, slow = kn_quantize(P, a, XT, real=real), kn_quantize_naive(P, a, XT, real=real)
    assert fast.shape == (3, 32)
    assert torch.allclose(fast, slow, atol=1e-10)


def test_kn_quantize_of_a_fourier_multiplier_and_of_a_multiplication():
    a = torch.randn(2, 32, dtype=torch.float64)
    xi = torch.as_tensor(wavenumbers(X))
    multiplier = (xi**2)[:16].expand(32, 16).to(torch.complex128)  # p = xi^2: -a'' on 16 modes
    reference = torch.fft.irfft(torch.fft.rfft(a)[:, :16] * xi[:16] ** 2, n=32)
    assert torch.allclose(kn_quantize(multiplier, a, XT), reference, atol=1e-10)
    band = torch.fft.irfft(torch.fft.rfft(a)[:, :16], n=32)  # p = x^2: x^2 times the band-limited a
    position = (XT**2)[:, None].expand(32, 16).to(torch.complex128)
    assert torch.allclose(kn_quantize(position, a, XT), XT**2 * band, atol=1e-10)


def test_kano_layer_applies_its_own_symbol_and_shapes():
    torch.manual_seed(0)
    model = make_kano(X, 8, symbol_widths=(2, 3, 2))
    layer = model.layers[0]
    a = torch.randn(4, 32)
    assert model(a).shape == (4, 32)
    assert torch.allclose(layer.apply_symbol(a), kn_quantize(layer.symbol(), a, XT.float()), atol=1e-4)
    u = layer.apply_symbol(a)  # the activation starts as Phi(u, a) ~ u
    assert torch.allclose(model(a), u, atol=0.1 * u.abs().max().item())
    assert isinstance(model, KANO) and layer.symbol().shape == (32, 8) and layer.symbol().is_complex()


def test_linearise_and_effective_symbol_read_out_a_known_layer():
    class Linear(nn.Module):
        def forward(self, z):
            return (2.0 * z[..., 0] + 0.5 * z[..., 1])[..., None]

    class Symbol(nn.Module):  # p = (x/L)^2 + (xi/xi_max)^2, times symbol_scale
        def forward(self, z):
            return (z[..., 0] ** 2 + z[..., 1] ** 2)[..., None]

    layer = KANOLayer(X, 8, Symbol(), Linear(), symbol_scale=3.0)
    a = torch.randn(6, 32)
    alpha, beta, c = linearise_activation(layer.activation, layer.apply_symbol(a), a)
    assert np.allclose([alpha, beta, c], [2.0, 0.5, 0.0], atol=1e-5)
    P = effective_symbol(layer, a)  # 2 * 3 ((x/4)^2 + (xi/xi_7)^2) + 0.5
    xi = wavenumbers(X)[:8]
    coef = fit_symbol(P, X, xi, {"1": (0, 0), "x^2": (2, 0), "xi^2": (0, 2)})
    assert np.allclose([coef["1"], coef["x^2"], coef["xi^2"]], [0.5, 6 / 16, 6 / xi[-1] ** 2], atol=1e-5)


def test_fit_symbol_recovers_complex_coefficients_with_weights():
    xi = wavenumbers(X)[:10]
    Xg, K = np.meshgrid(X, xi, indexing="ij")
    P = 1j * Xg * K - K**2
    w = np.random.default_rng(0).uniform(0.1, 1.0, P.shape)
    coef = fit_symbol(P, X, xi, {"x xi": (1, 1), "xi^2": (0, 2), "1": (0, 0)}, w)
    assert np.allclose([coef["x xi"], coef["xi^2"], coef["1"]], [1j, -1, 0], atol=1e-10)


def test_qkano_with_a_separable_symbol_is_a_lie_trotter_step():
    class Hamiltonian(nn.Module):
        def forward(self, z):  # x = 4 z0, xi = xi_max z1
            return (0.5 * (4 * z[..., 0]) ** 2 + 0.5 * (np.pi / (8 / 32) * z[..., 1]) ** 2)[..., None]

    model = QKANO(X, 0.1, Hamiltonian())
    psi = torch.exp(-(torch.as_tensor(X) ** 2)).to(torch.complex64)[None]
    psi = psi / psi.abs().pow(2).sum().sqrt()
    xi = torch.as_tensor(wavenumbers(X, real=False))
    expected = torch.exp(-0.1j * 0.5 * XT**2) * torch.fft.ifft(
        torch.exp(-0.1j * 0.5 * xi**2) * torch.fft.fft(psi.to(torch.complex128))
    )
    assert torch.allclose(model(psi).to(torch.complex128), expected, atol=1e-5)
    roll = model.rollout(psi, 5)
    assert roll.shape == (1, 6, 32)
    assert torch.allclose(roll.abs().pow(2).sum(-1), torch.ones(1, 6), atol=1e-5)  # unitary


def test_bad_input():
    P = _random_symbol(32, 8)
    with pytest.raises(ValueError, match="P must be a tensor of shape"):
        kn_quantize(P[:10], torch.randn(2, 32, dtype=torch.float64), XT)
    with pytest.raises(ValueError, match="at most N // 2"):
        kn_quantize(_random_symbol(32, 20), torch.randn(2, 32, dtype=torch.float64), XT)
    with pytest.raises(ValueError, match="full spectrum"):
        kn_quantize(P, torch.randn(2, 32, dtype=torch.complex128), XT, real=False)
    with pytest.raises(ValueError, match="modes must be at most"):
        make_kano(X, 17)
    with pytest.raises(TypeError, match="activation"):
        KANOLayer(X, 4, KANLayer(2, 1), "relu")
    with pytest.raises(ValueError, match="last dimension 2"):
        KANLayer(2, 1)(torch.randn(3, 3))
    with pytest.raises(ValueError, match="grid_range"):
        KANLayer(2, 1, grid_range=(1.0, -1.0))
    with pytest.raises(ValueError, match="symbol_widths"):
        make_kano(X, 4, symbol_widths=(3, 1))
    with pytest.raises(ValueError, match="terms"):
        fit_symbol(np.zeros((32, 4)), X, np.arange(4.0), {})
    with pytest.raises(ValueError, match="P must have shape"):
        fit_symbol(np.zeros((32, 5)), X, np.arange(4.0), {"1": (0, 0)})
    with pytest.raises(ValueError, match="last dimension 32"):
        QKANO(X, 0.1, KANLayer(2, 1))(torch.zeros(2, 16, dtype=torch.complex64))
    with pytest.raises(ValueError, match="dT"):
        QKANO(X, -0.1, KANLayer(2, 1))


def test_kano_rejects_bad_inputs_naming_them():
    model = make_kano(X, 4)
    for a, error, match in (
        (torch.randn(2, 32, dtype=torch.float64), TypeError, "a must have dtype torch.float32"),
        (torch.ones(2, 32, dtype=torch.int64), TypeError, "a must have dtype torch.float32"),
        (torch.randn(0, 32), ValueError, "a must not be empty"),
        (torch.full((2, 32), float("nan")), ValueError, "a must be finite"),
        (torch.randn(2, 16), ValueError, "a must have last dimension 32"),
    ):
        with pytest.raises(error, match=match):
            model(a)


def test_kano_constructors_reject_bad_grids_and_networks():
    shifted = np.linspace(0.0, 1.0, 32, endpoint=False)  # not a grid of [-L, L): x / L would be NaN
    with pytest.raises(ValueError, match="uniform grid"):
        make_kano(shifted, 4)
    with pytest.raises(ValueError, match="uniform grid"):
        QKANO(shifted, 0.1, KANLayer(2, 1))
    with pytest.raises(ValueError, match="uniform grid"):
        make_kano(X**3, 4)
    with pytest.raises(ValueError, match="modes"):
        make_kano(X, -1)
    with pytest.raises(TypeError, match="symbol_widths"):
        make_kano(X, 4, symbol_widths=5)
    with pytest.raises(ValueError, match="symbol must map"):
        KANOLayer(X, 4, KANLayer(2, 3), KANLayer(2, 1))
    with pytest.raises(ValueError, match="activation must map"):
        KANOLayer(X, 4, KANLayer(2, 1), KANLayer(2, 3))
    with pytest.raises(ValueError, match="symbol must map"):
        QKANO(X, 0.1, KANLayer(2, 2))
    with pytest.raises(ValueError, match="init_scale"):
        KANLayer(2, 1, init_scale=float("nan"))
    with pytest.raises(ValueError, match="grid_range"):
        KANLayer(2, 1, grid_range=(0.0, float("inf")))
    with pytest.raises(TypeError, match="grid_range"):
        KANLayer(2, 1, grid_range=(0.0, 1.0, 2.0))
    with pytest.raises(TypeError, match="u must have dtype"):
        KANLayer(2, 1)(torch.zeros(3, 2, dtype=torch.float64))
    with pytest.raises(TypeError, match="i must be an integer"):
        KANLayer(2, 1).edge(0.5, 0, torch.zeros(3))
    with pytest.raises(TypeError, match="terms"):
        fit_symbol(np.zeros((32, 4)), X, np.arange(4.0), {"x": 2})


def test_kn_quantize_rejects_bad_grids_and_symbols():
    a = torch.randn(2, 32, dtype=torch.float64)
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        kn_quantize(_random_symbol(32, 4), a, X)
    with pytest.raises(ValueError, match="x must have last dimension 32"):
        kn_quantize(_random_symbol(32, 4), a, XT[:16])
    with pytest.raises(TypeError, match="x must be a real floating tensor of a's precision"):
        kn_quantize(_random_symbol(32, 4), a.float(), XT)
    with pytest.raises(ValueError, match="P must be finite"):
        kn_quantize(torch.full((32, 4), float("nan"), dtype=torch.complex128), a, XT)
