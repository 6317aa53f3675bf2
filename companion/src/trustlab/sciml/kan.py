"""Kolmogorov-Arnold network layers with cubic B-spline edges (the building block of KANO).

A KAN layer maps ``u in R^{d_in}`` to ``y in R^{d_out}`` by a sum of learned univariate
functions, one per edge (equation ``kano-kan`` of the chapter)::

    y_j = b_j + sum_i phi_{j,i}(u_i),   phi_{j,i}(u) = w_{j,i} u + sum_g c_{j,i,g} B_g(u),

with ``B_g`` the cubic B-splines of a uniform grid on ``grid_range`` (extended by ``k``
intervals on each side, as in pykan). Outside the extended grid every spline vanishes, so an
edge extrapolates linearly: the linear base term is what lets a KAN act sensibly on inputs
larger than those it was trained on.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from trustlab._checks import positive_int
from trustlab.sciml._validation import tensor


def bspline_basis(
    u: torch.Tensor, grid: int, k: int = 3, grid_range: tuple[float, float] = (-1.0, 1.0)
) -> torch.Tensor:
    """Evaluate the ``grid + k`` B-splines of degree ``k`` on a uniform grid (Cox-de Boor).

    Parameters
    ----------
    u : torch.Tensor
        Points, any shape.
    grid : int
        Number of grid intervals on ``grid_range``.
    k : int, default=3
        Spline degree (3: cubic).
    grid_range : (float, float)
        The interval the grid covers; the knots extend ``k`` intervals beyond it.

    Returns
    -------
    torch.Tensor of shape ``u.shape + (grid + k,)``
        ``B_g(u)``; on ``grid_range`` the functions sum to one (partition of unity).
    """
    lo, hi = grid_range
    h = (hi - lo) / grid
    s = (u.unsqueeze(-1) - lo) / h + k  # position in knot units, knot j at s = j
    j = torch.arange(grid + 2 * k, dtype=u.dtype, device=u.device)
    basis = ((s >= j) & (s < j + 1)).to(u.dtype)
    for p in range(1, k + 1):
        jp = j[: grid + 2 * k - p]
        basis = ((s - jp) * basis[..., :-1] + (jp + p + 1 - s) * basis[..., 1:]) / p
    return basis


class KANLayer(nn.Module):
    """One KAN layer with ``d_in * d_out`` spline edges and a linear base (eq. ``kano-kan``).

    Parameters
    ----------
    d_in, d_out : int
        Input and output widths.
    grid : int, default=10
        Spline grid intervals on ``grid_range``.
    k : int, default=3
        Spline degree.
    grid_range : (float, float), optional
        Where the splines live (default ``(-1, 1)``); scale the inputs to this range.
    init_scale : float, default=0.1
        Standard deviation of the initial spline coefficients and linear weights.

    Examples
    --------
    >>> layer = KANLayer(2, 1)
    >>> layer(torch.zeros(5, 2)).shape
    torch.Size([5, 1])
    """

    def __init__(
        self,
        d_in: int,
        d_out: int,
        grid: int = 10,
        k: int = 3,
        grid_range: tuple[float, float] = (-1.0, 1.0),
        init_scale: float = 0.1,
    ) -> None:
        super().__init__()
        self.d_in = positive_int(d_in, "d_in")
        self.d_out = positive_int(d_out, "d_out")
        self.grid = positive_int(grid, "grid")
        self.k = positive_int(k, "k")
        try:
            lo, hi = (float(v) for v in grid_range)
        except (TypeError, ValueError):
            raise TypeError(f"grid_range must be a pair of numbers (lo, hi), got {grid_range!r}") from None
        if not (math.isfinite(lo) and math.isfinite(hi) and hi > lo):
            raise ValueError(f"grid_range must be finite and increasing, got {grid_range!r}")
        if isinstance(init_scale, bool) or not isinstance(init_scale, (int, float)):
            raise TypeError(f"init_scale must be a number, got {type(init_scale).__name__} {init_scale!r}")
        if not (math.isfinite(init_scale) and init_scale >= 0):
            raise ValueError(f"init_scale must be finite and >= 0, got {init_scale!r}")
        self.grid_range = (lo, hi)
        self.coef = nn.Parameter(init_scale * torch.randn(self.d_out, self.d_in, self.grid + self.k))
        self.weight = nn.Parameter(init_scale * torch.randn(self.d_out, self.d_in))
        self.bias = nn.Parameter(torch.zeros(self.d_out))

    def forward(self, u: torch.Tensor) -> torch.Tensor:
        """Apply the layer to ``u`` of shape ``(..., d_in)``; returns ``(..., d_out)``."""
        tensor(u, "u", tuple(range(1, 8)), last=self.d_in, dtype=self.coef.dtype)
        basis = bspline_basis(u, self.grid, self.k, self.grid_range)
        spline = torch.einsum("...ig,oig->...o", basis, self.coef)
        return spline + u @ self.weight.T + self.bias

    def edge(self, i: int, j: int, u: torch.Tensor) -> torch.Tensor:
        """Return the edge function ``phi_{j,i}(u)`` from input ``i`` to output ``j`` (no bias)."""
        i, j = positive_int(i, "i", minimum=0), positive_int(j, "j", minimum=0)
        if not (i < self.d_in and j < self.d_out):
            raise ValueError(f"edge ({i}, {j}) out of range for a {self.d_in}->{self.d_out} layer")
        basis = bspline_basis(u, self.grid, self.k, self.grid_range)
        return basis @ self.coef[j, i] + self.weight[j, i] * u


def kan(widths: list[int] | tuple[int, ...], **kwargs: object) -> nn.Module:
    """A KAN with the given widths, e.g. ``kan([2, 1])`` or ``kan([2, 4, 2])``.

    Keyword arguments go to every :class:`KANLayer`. One layer is returned as itself.
    """
    if not isinstance(widths, (list, tuple)):
        raise TypeError(f"widths must be a list or tuple of ints, got {type(widths).__name__} {widths!r}")
    if len(widths) < 2:
        raise ValueError(f"widths must list at least an input and an output width, got {widths!r}")
    layers = [KANLayer(a, b, **kwargs) for a, b in zip(widths[:-1], widths[1:], strict=False)]
    return layers[0] if len(layers) == 1 else nn.Sequential(*layers)
