"""KANO, the Kolmogorov-Arnold neural operator (Lee, Liu, Yu et al., 2025), and its quantum variant.

One KANO layer (eq. ``kano-layer``; reconstructed from reviews and notes, no official code)::

    L(a)(x) = Phi( Op_m(p)[a](x), a(x) ),
    Op_m(p)[a](x) = sum_{xi in Xi_m} e^{i (x - x_0) xi} p(x, xi) a_hat(xi),            (kano-kn)

the Kohn-Nirenberg quantisation of a *dual-domain* symbol ``p(x, xi)`` on the lowest ``m``
wavenumbers, followed by a learned activation ``Phi`` that also sees the input; ``p`` and
``Phi`` are small KANs (:mod:`trustlab.sciml.kan`). Because ``p`` depends on position and
frequency at once, one layer represents ``x^2 f - f''`` exactly (symbol ``x^2 + xi^2``),
which an FNO layer (diagonal in ``xi``) cannot.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from trustlab._checks import positive_float, positive_int
from trustlab.sciml._validation import array, periodic_grid, tensor
from trustlab.sciml.kan import KANLayer, kan
from trustlab.sciml.operators import wavenumbers


def _phases(x: torch.Tensor, xi: torch.Tensor) -> torch.Tensor:
    """``e^{i (x_n - x_0) xi_k}``, shape ``(N, K)``, complex of ``x``'s precision."""
    angle = torch.outer(x.double() - x[0].double(), xi.double())
    dtype = torch.complex128 if x.dtype == torch.float64 else torch.complex64
    return torch.polar(torch.ones_like(angle), angle).to(dtype)


def _contract(kernel: torch.Tensor, a: torch.Tensor, real: bool) -> torch.Tensor:
    """``sum_k kernel[n, k] a_hat[b, k]`` with the FFT normalisation of eq. ``kano-kn``."""
    n, m = a.shape[-1], kernel.shape[1]
    if real:
        weights = torch.full((m,), 2.0, dtype=a.dtype, device=a.device)
        weights[0] = 1.0
        a_hat = torch.fft.rfft(a, dim=-1)[:, :m] * (weights / n)
        return (a_hat @ kernel.T).real
    return (torch.fft.fft(a, dim=-1) / n) @ kernel.T


def _check_symbol(P: torch.Tensor, a: torch.Tensor, x: torch.Tensor, real: bool) -> None:
    tensor(a, "a", 2)
    n = a.shape[-1]
    tensor(x, "x", 1, last=n)
    if not x.is_floating_point() or (a.is_floating_point() and a.dtype != x.dtype):
        raise TypeError(f"x must be a real floating tensor of a's precision, got {x.dtype} and a {a.dtype}")
    if not isinstance(P, torch.Tensor) or P.ndim != 2 or P.shape[0] != n:
        raise ValueError(
            f"P must be a tensor of shape (N, modes) with N = {n}, got "
            f"{tuple(P.shape) if isinstance(P, torch.Tensor) else type(P).__name__}"
        )
    tensor(P, "P", 2)
    if real and P.shape[1] > n // 2:
        raise ValueError(f"real inputs allow at most N // 2 = {n // 2} modes, got {P.shape[1]}")
    if not real and P.shape[1] != n:
        raise ValueError(
            f"complex inputs need the full spectrum, P of shape ({n}, {n}); got {tuple(P.shape)}"
        )


def kn_quantize(P: torch.Tensor, a: torch.Tensor, x: torch.Tensor, real: bool = True) -> torch.Tensor:
    """Apply the Kohn-Nirenberg quantised symbol ``P`` to the functions ``a`` (eq. ``kano-kn``).

    Parameters
    ----------
    P : torch.Tensor of shape (n, m)
        The symbol on the grid: ``P[n, k] = p(x_n, xi_k)``. For ``real`` inputs the columns are
        the real-FFT wavenumbers ``xi_k``, ``k = 0..m-1``, and the symbol is taken Hermitian,
        ``p(x, -xi) = conj p(x, xi)`` (the symbol of any real operator); otherwise ``m = N``
        and the columns are in ``torch.fft.fft`` order.
    a : torch.Tensor of shape (batch, n)
        Input functions (real, or complex when ``real=False``).
    x : torch.Tensor of shape (n,)
        The periodic grid.
    real : bool, default=True
        Real input and output (the real part is returned).

    Returns
    -------
    torch.Tensor of shape (batch, n)

    Notes
    -----
    Cost ``O(B N log N + B N m)``: an FFT and one ``(N x m)`` contraction per function, against
    ``O(B N^2 m)`` for the dense double sum (:func:`kn_quantize_naive`).
    """
    _check_symbol(P, a, x, real)
    xi = torch.as_tensor(wavenumbers(x.detach().cpu().numpy(), real=real)[: P.shape[1]], dtype=x.dtype)
    phases = _phases(x, xi.to(x.device))
    return _contract(phases * P.to(phases.dtype), a, real)


def kn_quantize_naive(P: torch.Tensor, a: torch.Tensor, x: torch.Tensor, real: bool = True) -> torch.Tensor:
    """The dense reference ``(1/N) sum_xi sum_y e^{i (x - y) xi} p(x, xi) a(y)`` of eq. ``kano-kn``.

    Builds the ``(N, K, N)`` tensor of the triple sum (``K = 2m - 1`` signed wavenumbers for real
    inputs, ``N`` for complex ones): the naive evaluation, slow, for tests and benchmarks. Same
    arguments as :func:`kn_quantize`.
    """
    _check_symbol(P, a, x, real)
    n, m = a.shape[-1], P.shape[1]
    xi = torch.as_tensor(wavenumbers(x.detach().cpu().numpy(), real=real)[:m], dtype=x.dtype)
    Pc = P.to(torch.complex128 if x.dtype == torch.float64 else torch.complex64)
    if real:  # the negative wavenumbers carry the conjugate symbol
        xi = torch.cat([xi, -xi[1:]])
        Pc = torch.cat([Pc, Pc[:, 1:].conj()], dim=1)
    dx = x[:, None] - x[None, :]
    dense = torch.exp(1j * dx[:, None, :] * xi[None, :, None]) * Pc[:, :, None] / n  # (N, K, N)
    out = torch.einsum("xky,by->bx", dense, a.to(dense.dtype))
    return out.real if real else out


class KANOLayer(nn.Module):
    """One KANO layer ``Phi(Op_m(p) a, a)`` on a fixed grid (eq. ``kano-layer``).

    Parameters
    ----------
    x : array-like of shape (n,)
        The periodic grid ``[-L, L)`` (:func:`trustlab.sciml.make_grid`).
    modes : int
        Kept real-FFT wavenumbers ``m`` (``<= N // 2``).
    symbol : torch.nn.Module
        Maps ``(x / L, xi / xi_max)`` (last axis 2) to 1 (real symbol) or 2 (real, imaginary)
        outputs; a small KAN.
    activation : torch.nn.Module
        Maps ``(u, a)`` (last axis 2) to 1 output; a small KAN.
    symbol_scale : float, default=1.0
        Fixed factor on the symbol network's output (a symbol like ``xi^2`` reaches
        ``xi_max^2``; this keeps the network's own output of order one).
    """

    def __init__(
        self,
        x: np.ndarray,
        modes: int,
        symbol: nn.Module,
        activation: nn.Module,
        symbol_scale: float = 1.0,
    ) -> None:
        super().__init__()
        x = periodic_grid(x)
        self.modes = positive_int(modes, "modes")
        if self.modes > x.size // 2:
            raise ValueError(f"modes must be at most N // 2 = {x.size // 2}, got {modes}")
        for name, module in (("symbol", symbol), ("activation", activation)):
            if not isinstance(module, nn.Module):
                raise TypeError(f"{name} must be a torch.nn.Module, got {type(module).__name__}")
        self.symbol_net, self.activation = symbol, activation
        self.symbol_scale = positive_float(symbol_scale, "symbol_scale")
        xi = wavenumbers(x)[: self.modes]
        self.half_width = float(-x[0])
        self.register_buffer("x", torch.as_tensor(x, dtype=torch.float32))
        self.register_buffer("xi", torch.as_tensor(xi, dtype=torch.float32))
        self.register_buffer("phases", _phases(torch.as_tensor(x), torch.as_tensor(xi)).to(torch.complex64))
        X, K = np.meshgrid(x / self.half_width, xi / max(xi[-1], 1e-12), indexing="ij")
        self.register_buffer("symbol_inputs", torch.as_tensor(np.stack([X, K], -1), dtype=torch.float32))
        with torch.no_grad():  # fail here, not at the first forward, on networks of the wrong shape
            self.symbol()
            self._activate(torch.zeros(1, x.size), torch.zeros(1, x.size))

    def symbol(self) -> torch.Tensor:
        """The learned symbol ``p(x_n, xi_k)`` on the grid, shape ``(N, modes)``, complex."""
        out = self.symbol_net(self.symbol_inputs) * self.symbol_scale
        if out.shape != (*self.symbol_inputs.shape[:2], 1) and out.shape != (
            *self.symbol_inputs.shape[:2],
            2,
        ):
            raise ValueError(
                f"symbol must map (..., 2) to (..., 1) or (..., 2), got output shape {tuple(out.shape)}"
            )
        if out.shape[-1] == 1:
            return torch.complex(out[..., 0], torch.zeros_like(out[..., 0]))
        return torch.complex(out[..., 0], out[..., 1])

    def apply_symbol(self, a: torch.Tensor) -> torch.Tensor:
        """``Op_m(p) a`` for real ``a`` of shape ``(batch, N)``."""
        tensor(a, "a", 2, last=self.x.numel(), dtype=self.x.dtype)
        return _contract(self.phases * self.symbol(), a, real=True)

    def _activate(self, u: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
        out = self.activation(torch.stack([u, a], dim=-1))
        if out.shape != (*a.shape, 1):
            raise ValueError(f"activation must map (..., 2) to (..., 1), got output shape {tuple(out.shape)}")
        return out[..., 0]

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        """Apply the layer to real ``a`` of shape ``(batch, N)``."""
        return self._activate(self.apply_symbol(a), a)


class KANO(nn.Module):
    """A stack of :class:`KANOLayer` with no lifting or projection (they hinder symbolic read-out)."""

    def __init__(self, layers: list[KANOLayer]) -> None:
        super().__init__()
        if not layers or not all(isinstance(layer, KANOLayer) for layer in layers):
            raise TypeError("layers must be a non-empty list of KANOLayer")
        self.layers = nn.ModuleList(layers)

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        """Map real ``a`` of shape ``(batch, N)`` to ``(batch, N)``."""
        for layer in self.layers:
            a = layer(a)
        return a


def make_kano(
    x: np.ndarray,
    modes: int,
    symbol_widths: tuple[int, ...] = (2, 1),
    grid: int = 10,
    symbol_scale: float = 1.0,
    activation_range: float = 1.0,
    n_layers: int = 1,
) -> KANO:
    """A KANO with KAN symbol(s) ``symbol_widths`` and KAN activations ``[2 -> 1]``.

    The activation starts as ``Phi(u, a) = u`` (linear base weight 1 on ``u``, 0 on ``a``, small
    splines on ``[-activation_range, activation_range]``), so training starts from ``Op_m(p)``.
    A last symbol width of 2 makes the symbol complex.
    """
    positive_float(activation_range, "activation_range")
    if not isinstance(symbol_widths, (list, tuple)) or len(symbol_widths) < 2:
        raise TypeError(f"symbol_widths must be a tuple of at least two ints, got {symbol_widths!r}")
    if symbol_widths[0] != 2 or symbol_widths[-1] not in (1, 2):
        raise ValueError(f"symbol_widths must start with 2 and end with 1 or 2, got {symbol_widths!r}")
    layers = []
    for _ in range(positive_int(n_layers, "n_layers")):
        phi = KANLayer(2, 1, grid=grid, grid_range=(-activation_range, activation_range), init_scale=0.01)
        with torch.no_grad():
            phi.weight.copy_(torch.tensor([[1.0, 0.0]]))
        layers.append(KANOLayer(x, modes, kan(list(symbol_widths), grid=grid), phi, symbol_scale))
    return KANO(layers)


def linearise_activation(
    activation: nn.Module, u: torch.Tensor, a: torch.Tensor
) -> tuple[float, float, float]:
    """Least-squares fit ``Phi(u, a) ~ alpha u + beta a + c`` on the given sample of ``(u, a)``.

    Returns ``(alpha, beta, c)``. Only ``alpha p + beta`` is identified by data from a linear
    operator (eq. ``kano-tradeoff``): ``Phi`` and ``p`` trade scale.
    """
    u, a = u.detach().reshape(-1), a.detach().reshape(-1)
    with torch.no_grad():
        target = activation(torch.stack([u, a], -1))[..., 0].double()
    design = torch.stack([u, a, torch.ones_like(u)], -1).double()
    coef = torch.linalg.lstsq(design, target[:, None]).solution[:, 0]
    return float(coef[0]), float(coef[1]), float(coef[2])


def effective_symbol(layer: KANOLayer, a: torch.Tensor) -> torch.Tensor:
    """The combined symbol ``alpha p(x, xi) + beta`` of a trained layer (eq. ``kano-tradeoff``).

    ``alpha`` and ``beta`` come from :func:`linearise_activation` on the layer's own inputs
    ``a`` (shape ``(batch, N)``), i.e. on the range of ``(u, a)`` the training data visits.
    """
    with torch.no_grad():
        u = layer.apply_symbol(a)
        alpha, beta, _ = linearise_activation(layer.activation, u, a)
        return alpha * layer.symbol() + beta


def fit_symbol(
    P: torch.Tensor | np.ndarray,
    x: np.ndarray,
    xi: np.ndarray,
    terms: dict[str, tuple[int, int]],
    weights: np.ndarray | None = None,
) -> dict[str, complex]:
    """Weighted least squares of a symbol on monomials ``x^i xi^j`` (symbolic read-out).

    Parameters
    ----------
    P : ndarray of shape (len(x), len(xi))
        Symbol values, real or complex.
    x, xi : ndarray
        The positions and wavenumbers of ``P``'s rows and columns.
    terms : dict
        Name -> ``(i, j)`` exponents, e.g. ``{"1": (0, 0), "x^2": (2, 0), "xi^2": (0, 2)}``.
    weights : ndarray, optional
        Non-negative weights of shape ``P.shape``: where the training data probes the symbol.

    Returns
    -------
    dict
        Name -> fitted (complex) coefficient.
    """
    P = np.asarray(P.detach().cpu() if isinstance(P, torch.Tensor) else P, dtype=complex)
    x, xi = array(x, "x", 1), array(xi, "xi", 1)
    if P.shape != (x.size, xi.size):
        raise ValueError(f"P must have shape ({x.size}, {xi.size}), got {P.shape}")
    if not terms:
        raise ValueError("terms must name at least one monomial")
    for name, powers in terms.items():
        if not (isinstance(powers, tuple) and len(powers) == 2):
            raise TypeError(f"terms must map names to (i, j) exponent pairs, got {name!r}: {powers!r}")
        for power in powers:
            positive_int(power, f"the exponents of term {name!r}", minimum=0)
    w = np.ones(P.shape) if weights is None else array(weights, "weights", 2)
    if w.shape != P.shape or np.any(w < 0):
        raise ValueError(f"weights must be non-negative with shape {P.shape}")
    X, K = np.meshgrid(x, xi, indexing="ij")
    design = np.stack([X**i * K**j for i, j in terms.values()], -1).reshape(-1, len(terms))
    sw = np.sqrt(w).reshape(-1, 1)
    coef = np.linalg.lstsq(design * sw, P.reshape(-1, 1) * sw, rcond=None)[0][:, 0]
    return dict(zip(terms, coef.tolist(), strict=True))


class QKANO(nn.Module):
    """Q-KANO: one unitary-symbol layer ``psi <- Op(exp(-i dT phi(x, xi))) psi`` (eq. ``kano-qkano``).

    ``phi`` is a small KAN of ``(x / L, xi / xi_max)``, times ``symbol_scale``; it plays the part
    of the Hamiltonian's symbol ``xi^2 / 2 + V(x)``. For a symbol that is a sum of a function of
    ``x`` and one of ``xi`` the layer is exactly a Lie-Trotter split step. The global phase (a
    constant in ``phi``) is unobservable and not modelled.

    Parameters
    ----------
    x : array-like of shape (n,)
        The periodic grid.
    dT : float
        The time step.
    symbol : torch.nn.Module
        Maps ``(..., 2)`` to ``(..., 1)``; a KAN.
    symbol_scale : float, default=1.0
        Fixed factor on the symbol network's output.
    """

    def __init__(self, x: np.ndarray, dT: float, symbol: nn.Module, symbol_scale: float = 1.0) -> None:
        super().__init__()
        x = periodic_grid(x)
        if not isinstance(symbol, nn.Module):
            raise TypeError(f"symbol must be a torch.nn.Module, got {type(symbol).__name__}")
        self.symbol_net = symbol
        self.dT = positive_float(dT, "dT")
        self.symbol_scale = positive_float(symbol_scale, "symbol_scale")
        xi = wavenumbers(x, real=False)
        self.half_width = float(-x[0])
        self.register_buffer("x", torch.as_tensor(x, dtype=torch.float32))
        self.register_buffer("xi", torch.as_tensor(xi, dtype=torch.float32))
        self.register_buffer("phases", _phases(torch.as_tensor(x), torch.as_tensor(xi)).to(torch.complex64))
        X, K = np.meshgrid(x / self.half_width, xi / np.abs(xi).max(), indexing="ij")
        self.register_buffer("symbol_inputs", torch.as_tensor(np.stack([X, K], -1), dtype=torch.float32))
        with torch.no_grad():  # fail here on a symbol network of the wrong shape
            self.symbol()

    def symbol(self) -> torch.Tensor:
        """The learned Hamiltonian symbol ``phi(x_n, xi_k)``, shape ``(N, N)``, ``fft`` order in ``k``."""
        out = self.symbol_net(self.symbol_inputs)
        if out.shape != (*self.symbol_inputs.shape[:2], 1):
            raise ValueError(f"symbol must map (..., 2) to (..., 1), got output shape {tuple(out.shape)}")
        return out[..., 0] * self.symbol_scale

    def _kernel(self) -> torch.Tensor:
        return self.phases * torch.polar(torch.ones_like(self.symbol()), -self.dT * self.symbol())

    def forward(self, psi: torch.Tensor) -> torch.Tensor:
        """One step of complex states ``psi`` of shape ``(batch, N)``."""
        tensor(psi, "psi", 2, last=self.x.numel())
        return _contract(self._kernel(), psi.to(torch.complex64), real=False)

    def rollout(self, psi: torch.Tensor, steps: int) -> torch.Tensor:
        """Trajectories of ``steps`` steps from ``psi`` ``(batch, N)``: ``(batch, steps + 1, N)``."""
        tensor(psi, "psi", 2, last=self.x.numel())
        kernel, states = self._kernel(), [psi.to(torch.complex64)]
        for _ in range(positive_int(steps, "steps")):
            states.append(_contract(kernel, states[-1], real=False))
        return torch.stack(states, dim=1)
