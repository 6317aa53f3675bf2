"""Exact privacy accounting of linear Gaussian secret sharing against coalitions of nodes.

In every scheme of the chapter *Differentially private secure multiplication*, node :math:`i`
receives :math:`A + g_i^\\top n` with independent Gaussian noise :math:`n \\sim
\\mathcal{N}(0, \\operatorname{diag}(s^2))`. A coalition :math:`S` sees
:math:`A\\mathbf{1} + G_S n`, a Gaussian mechanism in :math:`A` with noise covariance
:math:`K_S = G_S \\operatorname{diag}(s^2) G_S^\\top`. Its sufficient statistic for :math:`A`
has noise variance (equation ``dpm-sigma-eff``)

.. math:: \\sigma_{\\text{eff}}(S)^2 = 1 / (\\mathbf{1}^\\top K_S^{-1} \\mathbf{1}),

so the coalition's view is :math:`\\mu`-GDP with :math:`\\mu = \\Delta / \\sigma_{\\text{eff}}`
for inputs that differ by at most :math:`\\Delta`, and for a Gaussian input of variance
:math:`\\eta^2` it carries :math:`I(A; \\text{view}) = \\tfrac12 \\log(1 + \\eta^2 /
\\sigma_{\\text{eff}}^2)` (``dpm-mi``).
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from numbers import Rational

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from trustlab._checks import check_int, check_real
from trustlab.privacy.gaussian import gaussian_epsilon


def _check_generator(generator: ArrayLike, noise_std: ArrayLike) -> tuple[NDArray, NDArray]:
    G = np.asarray(generator, dtype=np.float64)
    std = np.asarray(noise_std, dtype=np.float64)
    if G.ndim != 2:
        raise ValueError(f"generator must be 2-D (nodes x noise terms), got shape {G.shape}")
    if std.shape != (G.shape[1],):
        raise ValueError(
            f"noise_std must have one entry per column of generator ({G.shape[1]}), got shape {std.shape}"
        )
    if not (np.all(np.isfinite(G)) and np.all(np.isfinite(std))) or np.any(std < 0):
        raise ValueError("generator must be finite and noise_std finite and >= 0")
    return G, std


def _check_members(members: ArrayLike, n_nodes: int) -> NDArray[np.intp]:
    idx = np.asarray(members)
    if idx.ndim != 1 or idx.size == 0 or not np.issubdtype(idx.dtype, np.integer):
        raise ValueError(f"members must be a non-empty 1-D list of node indices, got {members!r}")
    if idx.min() < 0 or idx.max() >= n_nodes or np.unique(idx).size != idx.size:
        raise ValueError(f"members must be distinct node indices in [0, {n_nodes}), got {idx.tolist()}")
    return idx.astype(np.intp)


def coalition_precision(generator: ArrayLike, noise_std: ArrayLike, members: ArrayLike) -> float:
    """Return :math:`\\mathbf{1}^\\top K_S^{-1} \\mathbf{1} = 1/\\sigma_{\\text{eff}}(S)^2` (``dpm-sigma-eff``).

    Computed as :math:`\\|M^+ \\mathbf{1}\\|^2` with :math:`M = G_S \\operatorname{diag}(s)`
    (the minimum-norm noise that explains a unit shift of every share); a square, invertible
    :math:`M` is solved directly, which stays accurate when the noise scales span many orders
    of magnitude (the layered scheme at small :math:`h`). When the coalition can
    cancel the noise entirely (``1`` has a component outside the range of :math:`M`) it learns
    :math:`A` exactly and the result is ``inf``.

    Parameters
    ----------
    generator : array-like of shape (n_nodes, n_noise)
        Row :math:`g_i` of node :math:`i`.
    noise_std : array-like of shape (n_noise,)
        Standard deviations :math:`s` of the independent noise terms.
    members : array-like of int
        The coalition's node indices.

    Examples
    --------
    >>> coalition_precision([[1.0], [2.0]], [1.0], [0])   # one node sees A + Z, sigma_eff = 1
    1.0
    """
    G, std = _check_generator(generator, noise_std)
    idx = _check_members(members, G.shape[0])
    M = G[idx] * std
    ones = np.ones(idx.size)
    if M.shape[0] == M.shape[1]:
        # a square M (t members, t noise terms) is solved directly: partial pivoting is blind
        # to the column scales, whereas a truncated SVD would drop the faintest noise terms,
        # exactly the ones a coalition exploits, and understate the leakage
        try:
            u = np.linalg.solve(M, ones)
            return float(u @ u)
        except np.linalg.LinAlgError:
            pass
    u, *_ = np.linalg.lstsq(M, ones, rcond=None)
    residual = ones - M @ u
    if np.linalg.norm(residual) > 1e-9 * math.sqrt(idx.size):
        return math.inf
    return float(u @ u)


def _solve_fraction(K: list[list[Fraction]], b: list[Fraction]) -> list[Fraction]:
    """Gauss-Jordan elimination in exact rational arithmetic."""
    n = len(b)
    A = [row[:] + [rhs] for row, rhs in zip(K, b, strict=True)]
    for col in range(n):
        pivot = next((r for r in range(col, n) if A[r][col] != 0), None)
        if pivot is None:
            raise ValueError("the coalition's noise covariance is singular; use coalition_precision")
        A[col], A[pivot] = A[pivot], A[col]
        inv = 1 / A[col][col]
        A[col] = [v * inv for v in A[col]]
        for r in range(n):
            if r != col and A[r][col] != 0:
                factor = A[r][col]
                A[r] = [v - factor * p for v, p in zip(A[r], A[col], strict=True)]
    return [row[n] for row in A]


def exact_coalition_precision(generator: ArrayLike, noise_std: ArrayLike, members: ArrayLike) -> Rational:
    """:math:`\\mathbf{1}^\\top K_S^{-1}\\mathbf{1}` in exact rational arithmetic (slow reference).

    Every float of ``generator`` and ``noise_std`` is converted to the rational number it
    represents exactly, :math:`K_S` is formed and solved without rounding, so the result is
    the exact leakage of the scheme as specified in floating point.

    Returns
    -------
    numbers.Rational
        A ``fractions.Fraction``, with no rounding.

    Raises
    ------
    ValueError
        If :math:`K_S` is singular.
    """
    G, std = _check_generator(generator, noise_std)
    idx = _check_members(members, G.shape[0])
    rows = [[Fraction(float(v)) for v in G[i]] for i in idx]
    var = [Fraction(float(s)) ** 2 for s in std]
    K = [
        [sum((a * v * b for a, v, b in zip(ri, var, rj, strict=True)), Fraction(0)) for rj in rows]
        for ri in rows
    ]
    x = _solve_fraction(K, [Fraction(1)] * len(rows))
    return sum(x, Fraction(0))


def coalition_report(
    generator: ArrayLike,
    noise_std: ArrayLike,
    size: int,
    eta: float = 1.0,
    sensitivity: float = 1.0,
    delta: float | None = None,
) -> pd.DataFrame:
    """Privacy of every coalition of ``size`` nodes, one row each (``dpm-sigma-eff``, ``dpm-mi``).

    Parameters
    ----------
    generator, noise_std
        The linear sharing (see :func:`coalition_precision`).
    size : int
        Coalition size, the collusion threshold :math:`t`.
    eta : float, default=1.0
        Standard deviation of the secret, for the SNR and the mutual information.
    sensitivity : float, default=1.0
        :math:`\\Delta`, the largest change of the secret DP protects.
    delta : float, optional
        If given, the column ``epsilon`` holds the exact :math:`(\\varepsilon, \\delta)` of the
        Gaussian mechanism with noise :math:`\\sigma_{\\text{eff}}` (analytic Gaussian).

    Returns
    -------
    pandas.DataFrame
        Columns ``coalition`` (tuple), ``sigma_eff``, ``snr`` (:math:`\\eta^2/\\sigma_{\\text{eff}}^2`),
        ``mi_bits`` (:math:`I(A; \\text{view})` in bits, for one secret), ``mu`` (GDP) and
        optionally ``epsilon``.
    """
    G, std = _check_generator(generator, noise_std)
    size = check_int(size, "size", low=1, high=G.shape[0])
    eta = check_real(eta, "eta", low=0.0)
    sensitivity = check_real(sensitivity, "sensitivity", low=0.0)
    rows = []
    for members in itertools.combinations(range(G.shape[0]), size):
        precision = coalition_precision(G, std, list(members))
        row = {
            "coalition": members,
            "sigma_eff": 1 / math.sqrt(precision) if precision > 0 else math.inf,
            "snr": eta**2 * precision,
            "mi_bits": 0.5 * math.log2(1 + eta**2 * precision),
            "mu": sensitivity * math.sqrt(precision),
        }
        if delta is not None:
            row["epsilon"] = (
                gaussian_epsilon(row["sigma_eff"], delta, sensitivity)
                if math.isfinite(precision)
                else math.inf
            )
        rows.append(row)
    return pd.DataFrame(rows)
