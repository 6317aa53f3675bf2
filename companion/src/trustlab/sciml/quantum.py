"""A particle in a 1D double well: split-step ground truth, wave packets and measurements.

The Hamiltonian (``hbar = m = 1``) is ``H = -1/2 d^2/dx^2 + V(x)`` with the double well
``V(x) = (x^2 - 2)^2 / 8`` (eq. ``kano-double-well``) on a periodic grid. The ground-truth
dynamics is the Strang split-step propagator (eq. ``kano-split-step``)::

    psi <- e^{-i dt V / 2} F^{-1} e^{-i dt xi^2 / 2} F e^{-i dt V / 2} psi,

applied ``substeps`` times per time step ``dT`` (``dt = dT / substeps``); it is unitary and
second-order accurate, and :func:`exact_propagator` (a matrix exponential) is its reference.
States are normalised as probability mass functions, ``sum_n |psi_n|^2 = 1``; a measurement in
the position basis gives ``P_x = |psi|^2``, in the momentum basis ``P_xi = |F psi|^2 / N``.
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.linalg import expm

from trustlab._checks import positive_float, positive_int
from trustlab.sciml._validation import array
from trustlab.sciml.operators import wavenumbers


def double_well(x: np.ndarray) -> np.ndarray:
    """The double-well potential ``V(x) = (x^2 - 2)^2 / 8`` (eq. ``kano-double-well``).

    Examples
    --------
    >>> double_well(np.array([0.0, 2.0]))
    array([0.5, 0.5])
    """
    x = array(x, "x", (0, 1, 2))
    return (x**2 - 2) ** 2 / 8


def _check_state(psi: np.ndarray, n: int) -> np.ndarray:
    psi = np.asarray(psi)
    if psi.ndim not in (1, 2) or psi.shape[-1] != n:
        raise ValueError(f"psi must have shape (N,) or (batch, N) with N = {n}, got {psi.shape}")
    if not np.all(np.isfinite(psi)):
        raise ValueError("psi must be finite")
    return psi.astype(complex)


def split_step(
    psi: np.ndarray, potential: np.ndarray, x: np.ndarray, dT: float, steps: int, substeps: int = 10
) -> np.ndarray:
    """Roll states forward with the Strang split-step propagator (eq. ``kano-split-step``).

    Parameters
    ----------
    psi : ndarray of shape (n,) or (batch, n)
        Initial states.
    potential : ndarray of shape (n,)
        ``V(x_n)``.
    x : ndarray of shape (n,)
        The periodic grid.
    dT : float
        The time step of the returned trajectory.
    steps : int
        Number of time steps.
    substeps : int, default=10
        Strang steps per ``dT``.

    Returns
    -------
    ndarray of shape (batch, steps + 1, n)
        The trajectory, initial state included (a 1-D ``psi`` counts as a batch of one).
    """
    x = array(x, "x", 1)
    potential = array(potential, "potential", 1)
    if potential.shape != x.shape:
        raise ValueError(f"potential must have the grid's shape {x.shape}, got {potential.shape}")
    psi = np.atleast_2d(_check_state(psi, x.size))
    dt = positive_float(dT, "dT") / positive_int(substeps, "substeps")
    steps = positive_int(steps, "steps")
    half_v = np.exp(-0.5j * dt * potential)
    kinetic = np.exp(-0.5j * dt * wavenumbers(x, real=False) ** 2)
    out = np.empty((psi.shape[0], steps + 1, x.size), dtype=complex)
    out[:, 0] = psi
    for t in range(steps):
        for _ in range(substeps):
            psi = half_v * np.fft.ifft(kinetic * np.fft.fft(half_v * psi, axis=-1), axis=-1)
        out[:, t + 1] = psi
    return out


def exact_propagator(potential: np.ndarray, x: np.ndarray, dT: float) -> np.ndarray:
    """The exact one-step propagator ``expm(-i dT H)`` of the spectral Hamiltonian, ``(N, N)``."""
    x = array(x, "x", 1)
    potential = array(potential, "potential", 1)
    n = x.size
    F = np.fft.fft(np.eye(n), axis=0)
    kinetic = np.linalg.solve(F, np.diag(wavenumbers(x, real=False) ** 2 / 2) @ F)
    return expm(-1j * positive_float(dT, "dT") * (kinetic + np.diag(potential)))


def gaussian_packets(
    n_states: int,
    x: np.ndarray,
    rng: np.random.Generator,
    centre: tuple[float, float] = (-2.0, 2.0),
    width: tuple[float, float] = (0.6, 1.0),
    momentum: tuple[float, float] = (-1.0, 1.0),
) -> np.ndarray:
    """Gaussian wave packets ``exp(-(x - x0)^2 / (4 s^2) + i p0 x)``, normalised, ``(n_states, N)``.

    ``x0``, ``s`` and ``p0`` are drawn uniformly from ``centre``, ``width`` and ``momentum``.
    """
    n_states = positive_int(n_states, "n_states")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    x = array(x, "x", 1)
    x0 = rng.uniform(*centre, (n_states, 1))
    s = rng.uniform(*width, (n_states, 1))
    p0 = rng.uniform(*momentum, (n_states, 1))
    psi = np.exp(-((x - x0) ** 2) / (4 * s**2) + 1j * p0 * x)
    return psi / np.linalg.norm(psi, axis=-1, keepdims=True)


def pmfs(psi: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Position and momentum probability mass functions ``(|psi|^2, |F psi|^2 / N)``.

    Works on the last axis of a complex tensor (or array) of normalised states; both outputs sum
    to one over that axis (Parseval).
    """
    psi = torch.as_tensor(psi)
    if not psi.is_complex():
        raise TypeError(f"psi must be complex, got dtype {psi.dtype}")
    n = psi.shape[-1]
    return psi.abs() ** 2, torch.fft.fft(psi, dim=-1).abs() ** 2 / n


def infidelity(psi: torch.Tensor, phi: torch.Tensor) -> torch.Tensor:
    """State infidelity ``1 - |<psi, phi>|^2 / (||psi||^2 ||phi||^2)`` along the last axis."""
    psi, phi = torch.as_tensor(psi), torch.as_tensor(phi)
    if psi.shape != phi.shape:
        raise ValueError(
            f"psi and phi must have the same shape, got {tuple(psi.shape)} and {tuple(phi.shape)}"
        )
    overlap = (psi.conj() * phi).sum(-1).abs() ** 2
    norms = (psi.abs() ** 2).sum(-1) * (phi.abs() ** 2).sum(-1)
    return 1 - overlap / norms
