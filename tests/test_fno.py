"""Tests of trustlab.sciml.fno: the spectral convolution against a direct convolution, the FNO."""

from __future__ import annotations

import pytest
import torch

from trustlab.sciml import FNO1d, SpectralConv1d, count_parameters, train_operator


def test_spectral_conv_shapes():
    conv = SpectralConv1d(3, 5, modes=6)
    assert conv(torch.randn(4, 3, 32)).shape == (4, 5, 32)


def test_spectral_conv_equals_direct_circular_convolution():
    torch.manual_seed(0)
    conv = SpectralConv1d(2, 3, modes=5)
    v = torch.randn(4, 2, 16)
    kernel = conv.kernel(16)  # (in, out, n)
    n = 16
    direct = torch.zeros(4, 3, n)
    for x in range(n):  # the slow reference: sum_i sum_y kernel[i, o, x - y] v[b, i, y]
        for y in range(n):
            direct[:, :, x] += torch.einsum("bi,io->bo", v[:, :, y], kernel[:, :, (x - y) % n])
    assert torch.allclose(conv(v), direct, atol=1e-5)


def test_modes_are_counted_per_sign():
    conv = SpectralConv1d(1, 1, modes=4)
    x = torch.arange(32) * 2 * torch.pi / 32
    kept = torch.cos(3 * x).reshape(1, 1, -1)  # wavenumber 3 < modes
    dropped = torch.cos(4 * x).reshape(1, 1, -1)  # wavenumber 4 = modes
    assert conv(kept).abs().max() > 1e-3
    assert conv(dropped).abs().max() < 1e-6


def test_fno_shapes_and_parameter_count():
    model = FNO1d(width=32, modes=16, layers=4)
    assert model(torch.randn(3, 128)).shape == (3, 128)
    # lift 2*32+32, spectral 4*32*32*16 complex, pointwise 4*(32*32+32), projection 32*128+128+128+1
    assert count_parameters(model) == 96 + 4 * 32 * 32 * 16 * 2 + 4 * (32 * 32 + 32) + 32 * 128 + 128 + 129


def test_training_lowers_the_loss():
    torch.manual_seed(0)
    a = torch.randn(64, 32)
    g = torch.roll(a, 1, dims=-1)  # a translation: diagonal in Fourier, FNO's home ground
    model = FNO1d(width=8, modes=8, layers=2, projection=16)
    history = train_operator(model, a, g, steps=60, lr=1e-2, batch_size=16)
    assert len(history) == 60 and sum(history[-10:]) < sum(history[:10])


def test_bad_input():
    with pytest.raises(ValueError, match="channels"):
        SpectralConv1d(3, 2, 4)(torch.randn(1, 2, 16))
    with pytest.raises(ValueError, match="fewer than modes"):
        SpectralConv1d(1, 1, 10)(torch.randn(1, 1, 8))
    with pytest.raises(ValueError, match="dimensions"):
        SpectralConv1d(1, 1, 2)(torch.randn(8))
    with pytest.raises(TypeError, match="modes"):
        SpectralConv1d(1, 1, 2.5)
    with pytest.raises(ValueError, match="width"):
        FNO1d(width=0)
    with pytest.raises(TypeError, match="torch.Tensor"):
        FNO1d(width=4, modes=2, layers=1)([[1.0, 2.0]])
    with pytest.raises(ValueError, match="same shape"):
        train_operator(FNO1d(4, 2, 1), torch.zeros(4, 8), torch.zeros(4, 6), 1, 0.1)
    with pytest.raises(ValueError, match="decay_fraction"):
        train_operator(FNO1d(4, 2, 1), torch.zeros(4, 8), torch.ones(4, 8), 1, 0.1, decay_fraction=1.5)


@pytest.mark.parametrize(
    ("a", "error", "match"),
    [
        (torch.randn(2, 16, dtype=torch.float64), TypeError, "a must have dtype torch.float32"),
        (torch.ones(2, 16, dtype=torch.int64), TypeError, "a must have dtype torch.float32"),
        (torch.randn(2, 16, dtype=torch.complex64), TypeError, "a must have dtype torch.float32"),
        (torch.randn(0, 16), ValueError, "a must not be empty"),
        (torch.full((2, 16), float("nan")), ValueError, "a must be finite"),
        (torch.randn(2, 1, 16), ValueError, "a must have 2 dimensions"),
    ],
)
def test_fno_rejects_bad_inputs_naming_them(a, error, match):
    with pytest.raises(error, match=match):
        FNO1d(width=4, modes=2, layers=1)(a)


def test_fno_follows_its_own_dtype():
    model = FNO1d(width=4, modes=2, layers=1).double()
    assert model(torch.randn(2, 16, dtype=torch.float64)).dtype == torch.float64


def test_spectral_conv_and_training_reject_bad_arguments():
    with pytest.raises(TypeError, match="v must be a real floating-point tensor"):
        SpectralConv1d(1, 1, 2)(torch.ones(1, 1, 8, dtype=torch.int64))
    with pytest.raises(ValueError, match="modes"):
        FNO1d(modes=-1)
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        train_operator("fno", torch.zeros(4, 8), torch.ones(4, 8), 1, 0.1)
    with pytest.raises(ValueError, match="targets must have no all-zero row"):
        train_operator(FNO1d(4, 2, 1), torch.ones(4, 8), torch.zeros(4, 8), 1, 0.1)
    with pytest.raises(TypeError, match="seed"):
        train_operator(FNO1d(4, 2, 1), torch.ones(4, 8), torch.ones(4, 8), 1, 0.1, seed="0")
