"""The Fourier neural operator in 1D (Li et al., 2021), the baseline KANO is compared with.

One FNO layer (eq. ``kano-fno``)::

    v_{l+1}(x) = sigma( W v_l(x) + F^{-1}[ R_l(k) (F v_l)(k) ]_{k < k_max}(x) ),

with ``R_l(k)`` a complex ``width x width`` matrix per kept wavenumber: diagonal in ``k``, so
no Fourier mode is ever mixed with another. ``modes`` counts the kept wavenumbers of one sign
(``k = 0..modes-1`` of the real FFT), as in the FNO paper; ``neuraloperator``'s ``n_modes``
counts both signs, so ``modes=16`` here matches ``n_modes=(31,)`` there (16 real-FFT bins).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from trustlab._checks import positive_int
from trustlab.sciml._validation import tensor


class SpectralConv1d(nn.Module):
    """The spectral convolution ``F^{-1}[R(k) F v]`` on the lowest ``modes`` wavenumbers.

    Parameters
    ----------
    in_channels, out_channels : int
        Channel counts.
    modes : int
        Kept real-FFT bins ``k = 0..modes-1`` (per sign, as in the FNO paper).

    Examples
    --------
    >>> conv = SpectralConv1d(3, 2, modes=4)
    >>> conv(torch.randn(5, 3, 16)).shape
    torch.Size([5, 2, 16])
    """

    def __init__(self, in_channels: int, out_channels: int, modes: int) -> None:
        super().__init__()
        self.in_channels = positive_int(in_channels, "in_channels")
        self.out_channels = positive_int(out_channels, "out_channels")
        self.modes = positive_int(modes, "modes")
        scale = 1.0 / (self.in_channels * self.out_channels)
        self.weight = nn.Parameter(
            scale * torch.rand(self.in_channels, self.out_channels, self.modes, dtype=torch.cfloat)
        )

    def forward(self, v: torch.Tensor) -> torch.Tensor:
        """Apply to ``v`` of shape ``(batch, in_channels, N)`` with ``N >= 2 (modes - 1) + 1``."""
        tensor(v, "v", 3)
        if not v.is_floating_point():
            raise TypeError(f"v must be a real floating-point tensor, got {v.dtype}")
        if v.shape[1] != self.in_channels:
            raise ValueError(f"v must have {self.in_channels} channels, got shape {tuple(v.shape)}")
        n = v.shape[-1]
        if n // 2 + 1 < self.modes:
            raise ValueError(f"grid of {n} points holds fewer than modes={self.modes} real-FFT bins")
        v_hat = torch.fft.rfft(v, dim=-1)
        out = torch.zeros(v.shape[0], self.out_channels, n // 2 + 1, dtype=v_hat.dtype, device=v.device)
        out[..., : self.modes] = torch.einsum(
            "bik,iok->bok", v_hat[..., : self.modes], self.weight.to(v_hat.dtype)
        )
        return torch.fft.irfft(out, n=n, dim=-1)

    def kernel(self, n: int) -> torch.Tensor:
        """The layer as a circular convolution kernel on ``n`` points, shape ``(in, out, n)``.

        ``SpectralConv1d(v)[b, o, x] = sum_i sum_y kernel[i, o, (x - y) mod n] v[b, i, y]``;
        this is the slow reference the unit tests check the FFT path against.
        """
        full = torch.zeros(self.in_channels, self.out_channels, n // 2 + 1, dtype=self.weight.dtype)
        full[..., : self.modes] = self.weight.detach()
        return torch.fft.irfft(full, n=n, dim=-1)


class FNO1d(nn.Module):
    """A 1D FNO: lift ``(a(x), x)`` to ``width`` channels, ``layers`` FNO layers, project to 1.

    Parameters
    ----------
    width : int, default=32
        Channels of the hidden layers.
    modes : int, default=16
        Kept wavenumbers per sign (FNO paper convention, see the module docstring).
    layers : int, default=4
        Number of FNO layers (eq. ``kano-fno``); the last has no activation.
    projection : int, default=128
        Hidden width of the two-layer projection ``Q``.

    Notes
    -----
    The coordinate channel is ``x / L = -1 + 2n / N`` on the grid ``[-L, L)``: it does not
    depend on ``L``, so the model needs no grid argument.

    Examples
    --------
    >>> model = FNO1d(width=8, modes=4, layers=2)
    >>> model(torch.randn(3, 32)).shape
    torch.Size([3, 32])
    """

    def __init__(
        self,
        width: int = 32,
        modes: int = 16,
        layers: int = 4,
        projection: int = 128,
    ) -> None:
        super().__init__()
        self.width = positive_int(width, "width")
        self.modes = positive_int(modes, "modes")
        self.n_layers = positive_int(layers, "layers")
        self.lift = nn.Linear(2, self.width)
        self.spectral = nn.ModuleList(
            SpectralConv1d(self.width, self.width, self.modes) for _ in range(self.n_layers)
        )
        self.pointwise = nn.ModuleList(nn.Conv1d(self.width, self.width, 1) for _ in range(self.n_layers))
        self.project = nn.Sequential(
            nn.Linear(self.width, positive_int(projection, "projection")), nn.GELU(), nn.Linear(projection, 1)
        )

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        """Map input functions ``a`` of shape ``(batch, N)`` on ``[-L, L)`` to ``(batch, N)``."""
        tensor(a, "a", 2, dtype=self.lift.weight.dtype)
        n = a.shape[-1]
        x = (-1.0 + 2.0 * torch.arange(n, dtype=a.dtype, device=a.device) / n).expand_as(a)
        v = self.lift(torch.stack([a, x], dim=-1)).transpose(1, 2)
        for layer, (spectral, pointwise) in enumerate(zip(self.spectral, self.pointwise, strict=True)):
            v = spectral(v) + pointwise(v)
            if layer < self.n_layers - 1:
                v = F.gelu(v)
        return self.project(v.transpose(1, 2)).squeeze(-1)


def count_parameters(model: nn.Module) -> int:
    """Number of real trainable parameters (a complex weight counts twice)."""
    return sum(p.numel() * (2 if p.is_complex() else 1) for p in model.parameters() if p.requires_grad)
