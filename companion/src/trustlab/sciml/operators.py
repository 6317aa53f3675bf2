"""Position-dependent operators and the input families KANO and FNO are trained on.

On the periodic grid ``x_n = -L + n h`` (``h = 2L/N``) the three operators of the chapter are
(eq. ``kano-operators``)::

    G1 f = x^2 f - f'',   G2 f = x f' + f'',   G3 f = f^3 + x f' + f'',

with derivatives taken spectrally (exact for band-limited, periodic inputs). The two input
families are the project's own (the paper's are not public): family ``"A"`` is a sum of three
Gaussian bumps, family ``"B"`` single wave packets three times larger, with a different
spectrum (eq. ``kano-families``).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from trustlab._checks import positive_float, positive_int
from trustlab.sciml._validation import array

OPERATORS: tuple[str, ...] = ("G1", "G2", "G3")
FAMILIES: tuple[str, ...] = ("A", "B")


def make_grid(n: int = 128, half_width: float = 8.0) -> np.ndarray:
    """Return the periodic grid ``x_n = -L + 2L n / N``, ``n = 0..N-1``, of ``[-L, L)``.

    Examples
    --------
    >>> make_grid(4, 1.0)
    array([-1. , -0.5,  0. ,  0.5])
    """
    n = positive_int(n, "n")
    half_width = positive_float(half_width, "half_width")
    return -half_width + 2 * half_width * np.arange(n) / n


def wavenumbers(x: np.ndarray, real: bool = True) -> np.ndarray:
    """Angular wavenumbers of the grid ``x``: ``rfft`` order (``real``) or ``fft`` order."""
    x = array(x, "x", 1)
    if x.size < 2:
        raise ValueError(f"x must hold at least 2 points, got {x.size}")
    h = x[1] - x[0]
    freq = np.fft.rfftfreq(x.size, d=h) if real else np.fft.fftfreq(x.size, d=h)
    return 2 * np.pi * freq


def derivative(f: np.ndarray, x: np.ndarray, order: int) -> np.ndarray:
    """Spectral derivative of ``order`` of the periodic samples ``f`` (last axis) on grid ``x``.

    The Nyquist mode is dropped for odd orders, where its derivative is not real.
    """
    f = array(f, "f", (1, 2))
    if f.shape[-1] != np.size(x):
        raise ValueError(f"f must have {np.size(x)} points on its last axis, got shape {f.shape}")
    order = positive_int(order, "order")
    xi = wavenumbers(x)
    multiplier = (1j * xi) ** order
    if order % 2 == 1 and f.shape[-1] % 2 == 0:
        multiplier[-1] = 0.0
    return np.fft.irfft(multiplier * np.fft.rfft(f, axis=-1), n=f.shape[-1], axis=-1)


def apply_operator(name: Literal["G1", "G2", "G3"], f: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Apply ``G1``, ``G2`` or ``G3`` (eq. ``kano-operators``) to samples ``f`` on grid ``x``.

    Parameters
    ----------
    name : {"G1", "G2", "G3"}
        The operator.
    f : ndarray of shape (n,) or (n_samples, n)
        Input functions on the grid.
    x : ndarray of shape (n,)
        The periodic grid (:func:`make_grid`).

    Examples
    --------
    >>> x = make_grid(128, 8.0)
    >>> f = np.exp(-x**2 / 2)  # G1 f = x^2 f - (x^2 - 1) f = f
    >>> bool(np.allclose(apply_operator("G1", f, x), f, atol=1e-10))
    True
    """
    if name not in OPERATORS:
        raise ValueError(f"name must be one of {OPERATORS}, got {name!r}")
    f = array(f, "f", (1, 2))
    x = array(x, "x", 1)
    d2 = derivative(f, x, 2)
    if name == "G1":
        return x**2 * f - d2
    d1 = derivative(f, x, 1)
    out = x * d1 + d2
    return out + f**3 if name == "G3" else out


def sample_family(
    kind: Literal["A", "B"], n_samples: int, x: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Draw ``n_samples`` input functions of family ``"A"`` or ``"B"`` (eq. ``kano-families``).

    ``A``: ``sum_{j=1}^3 c_j exp(-(x - mu_j)^2 / (2 s_j^2))``, ``mu_j ~ U(-3, 3)``,
    ``s_j ~ U(0.8, 1.5)``, ``c_j ~ N(0, 1)``.
    ``B``: ``3 c exp(-(x - mu)^2 / (2 s^2)) cos(kappa x + phi)``, ``mu ~ U(-3, 3)``,
    ``s ~ U(1, 1.5)``, ``kappa ~ U(0, 2)``, ``phi ~ U(0, 2 pi)``, ``c ~ N(0, 1)``.

    Returns
    -------
    ndarray of shape (n_samples, n)
    """
    if kind not in FAMILIES:
        raise ValueError(f"kind must be one of {FAMILIES}, got {kind!r}")
    n_samples = positive_int(n_samples, "n_samples")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    x = array(x, "x", 1)
    if kind == "A":
        mu = rng.uniform(-3, 3, (n_samples, 3, 1))
        s = rng.uniform(0.8, 1.5, (n_samples, 3, 1))
        c = rng.standard_normal((n_samples, 3, 1))
        return (c * np.exp(-((x - mu) ** 2) / (2 * s**2))).sum(axis=1)
    mu = rng.uniform(-3, 3, (n_samples, 1))
    s = rng.uniform(1.0, 1.5, (n_samples, 1))
    kappa = rng.uniform(0, 2, (n_samples, 1))
    phi = rng.uniform(0, 2 * np.pi, (n_samples, 1))
    c = rng.standard_normal((n_samples, 1))
    return 3 * c * np.exp(-((x - mu) ** 2) / (2 * s**2)) * np.cos(kappa * x + phi)


def relative_l2(pred: np.ndarray, true: np.ndarray) -> float:
    """Mean over samples of ``||pred - true|| / ||true||`` (norms along the last axis)."""
    pred, true = np.asarray(pred, dtype=float), np.asarray(true, dtype=float)
    if pred.shape != true.shape:
        raise ValueError(f"pred and true must have the same shape, got {pred.shape} and {true.shape}")
    norms = np.linalg.norm(true, axis=-1)
    if np.any(norms == 0):
        raise ValueError("true must have no all-zero function (its norm divides the error)")
    return float(np.mean(np.linalg.norm(pred - true, axis=-1) / norms))
