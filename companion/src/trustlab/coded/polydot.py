"""Polynomial, MatDot and Generalized PolyDot (GPD) codes for :math:`C = AB`, with error correction.

:math:`A` (``R x S``) is split into ``m x n`` blocks :math:`A_{ij}` and :math:`B` (``S x Q``)
into ``n x p`` blocks :math:`B_{kl}`. Worker :math:`w` holds the evaluations at a point
:math:`x_w` of (chapter *Generalized PolyDot codes*, equations ``gpd-encode``)

.. math:: p_A(x) = \\sum_{i,j} A_{ij} x^{j + n i}, \\qquad
          p_B(x) = \\sum_{k,l} B_{kl} x^{n - 1 - k + n m l},

and returns :math:`p_A(x_w) p_B(x_w)`. Block :math:`C_{il} = \\sum_j A_{ij} B_{jl}` is the
coefficient of :math:`x^{n - 1 + n(i + m l)}` in the product (``gpd-product``), which has
degree :math:`mnp + n - 2`, so any :math:`K = mnp + n - 1` workers determine it
(``gpd-threshold``). ``n = 1`` is the Polynomial code (:math:`K = mp`), ``m = p = 1`` is MatDot
(:math:`K = 2n - 1`).

Decoding solves only for the :math:`mp` wanted coefficients (``gpd-decode``): the wanted rows
of the inverse Vandermonde matrix come from one small ``K x K`` solve, and the blocks from one
``(mp x K)`` by ``(K x block)`` product. With the default evaluation points, the ``N``-th
complex roots of unity, the decoding matrix stays well conditioned; real equispaced or
Chebyshev points with the monomial basis are provided to show how they fail.

The worker results form a real-or-complex ``(P, Q)`` MDS code (``P`` results, ``Q = K``
coefficients). :func:`locate_errors` is the syndrome-subspace decoder (``gpd-syndrome``):
under continuous random errors it locates up to ``P - Q - 1`` erroneous workers and detects
``P - Q``; any pattern of up to ``(P - Q) // 2`` errors is corrected (a Berlekamp-Welch
fallback); adversarial errors defeat any decoder beyond ``(P - Q) // 2``.

Arrays may be NumPy arrays or torch tensors; the arithmetic runs in the input's library.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import numpy as np

from trustlab._checks import check_int, check_real

PointKind = Literal["unit_circle", "chebyshev", "equispaced"]
POINT_KINDS: tuple[str, ...] = ("unit_circle", "chebyshev", "equispaced")


class UndecodableError(RuntimeError):
    """Raised when the worker results cannot be decoded: too few of them, or too many errors."""


def recovery_threshold(m: int, n: int, p: int) -> int:
    """The recovery threshold :math:`K = mnp + n - 1` of the GPD code (``gpd-threshold``).

    >>> recovery_threshold(2, 2, 2), recovery_threshold(4, 1, 4), recovery_threshold(1, 4, 1)
    (9, 16, 7)
    """
    m, n, p = (check_int(v, name, low=1) for v, name in ((m, "m"), (n, "n"), (p, "p")))
    return m * n * p + n - 1


def original_polydot_threshold(t: int, s: int) -> int:
    """The threshold :math:`t^2 (2s - 1)` of the original PolyDot code (A split ``t x s``).

    >>> original_polydot_threshold(2, 2)
    12
    """
    t, s = check_int(t, "t", low=1), check_int(s, "s", low=1)
    return t * t * (2 * s - 1)


def evaluation_points(n_workers: int, kind: PointKind = "unit_circle") -> np.ndarray:
    """``n_workers`` distinct evaluation points.

    Parameters
    ----------
    n_workers : int
        Number of workers ``N``.
    kind : {"unit_circle", "chebyshev", "equispaced"}
        ``unit_circle``: :math:`x_w = e^{2\\pi i w / N}` (complex; stable). ``chebyshev``:
        Chebyshev points of the first kind in :math:`(-1, 1)`. ``equispaced``: ``N`` points
        evenly spaced in :math:`[-1, 1]`. The real kinds are ill conditioned with the monomial
        basis for large ``K``.

    Returns
    -------
    numpy.ndarray
        Shape ``(N,)``, complex128 for ``unit_circle``, float64 otherwise.
    """
    n_workers = check_int(n_workers, "n_workers", low=1)
    w = np.arange(n_workers)
    if kind == "unit_circle":
        return np.exp(2j * np.pi * w / n_workers)
    if kind == "chebyshev":
        return np.cos((2 * w + 1) * np.pi / (2 * n_workers))
    if kind == "equispaced":
        return np.linspace(-1.0, 1.0, n_workers) if n_workers > 1 else np.zeros(1)
    raise ValueError(f"kind must be one of {POINT_KINDS}, got {kind!r}")


def _is_torch(x: Any) -> bool:
    return type(x).__module__.startswith("torch")


def _like(matrix: np.ndarray, ref: Any, complex_out: bool) -> Any:
    """``matrix`` (NumPy) converted to the library and precision of ``ref``."""
    single = str(ref.dtype).endswith(("float32", "complex64"))
    if complex_out or np.iscomplexobj(matrix):
        dtype = np.complex64 if single else np.complex128
    else:
        dtype = np.float32 if single else np.float64
    out = np.ascontiguousarray(matrix, dtype=dtype)
    if _is_torch(ref):
        import torch

        return torch.from_numpy(out).to(ref.device)
    return out


def _as_matrix(x: Any, name: str) -> Any:
    """``x`` as an array of the library it came in (lists become NumPy), checked to be finite."""
    if not _is_torch(x):
        x = np.asarray(x)
        if not (np.issubdtype(x.dtype, np.number) and not np.issubdtype(x.dtype, np.bool_)):
            raise TypeError(f"{name} must be a numeric array or tensor, got dtype {x.dtype}")
        finite = bool(np.isfinite(x).all())
    else:
        import torch

        finite = bool(torch.isfinite(x).all())
    if not finite:
        raise ValueError(f"{name} must be finite, got NaN or infinite entries")
    return x


def _combine(matrix: np.ndarray, data: Any) -> Any:
    """``matrix @ data`` for a small (complex or real) ``matrix`` and a tall real-or-complex ``data``.

    NumPy does a complex-by-real product without a complex copy of ``data``; CPU tensors are
    therefore multiplied through NumPy (zero-copy views), which is two to three times faster
    than torch's complex-by-real route; tensors on other devices use torch.
    """
    if _is_torch(data):
        import torch

        if data.device.type == "cpu":
            return torch.from_numpy(np.asarray(_combine(matrix, data.detach().resolve_conj().numpy())))
        if np.iscomplexobj(matrix) and not data.is_complex():
            data = data.to(torch.complex64 if data.dtype == torch.float32 else torch.complex128)
        return _like(matrix, data, data.is_complex()) @ data
    return _like(matrix, data, np.iscomplexobj(data)) @ data


def interpolation_rows(points: np.ndarray, n_coeffs: int, wanted: np.ndarray) -> np.ndarray:
    """Rows ``wanted`` of the inverse of the ``K x K`` Vandermonde matrix at ``points`` (``gpd-decode``).

    Parameters
    ----------
    points : numpy.ndarray
        ``K = n_coeffs`` distinct points.
    n_coeffs : int
        Number of polynomial coefficients ``K``.
    wanted : numpy.ndarray
        Indices (exponents) of the coefficients to recover.

    Returns
    -------
    numpy.ndarray
        ``M`` of shape ``(len(wanted), K)`` with ``coefficients[wanted] = M @ values``.
    """
    points = np.asarray(points)
    if points.shape != (n_coeffs,):
        raise ValueError(f"points must have shape ({n_coeffs},), got {points.shape}")
    vander = np.vander(points, n_coeffs, increasing=True)
    unit = np.zeros((n_coeffs, len(wanted)), dtype=vander.dtype)
    unit[np.asarray(wanted), np.arange(len(wanted))] = 1.0
    return np.linalg.solve(vander.T, unit).T


def interpolate(values: Any, points: np.ndarray, n_coeffs: int, wanted: np.ndarray) -> Any:
    """Coefficients ``wanted`` of the degree-``(K-1)`` polynomial whose values at ``points`` are ``values``.

    Uses the first ``K = n_coeffs`` points only. ``values`` has shape ``(len(points), ...)``;
    the result has shape ``(len(wanted), ...)``.
    """
    if len(points) < n_coeffs:
        raise UndecodableError(f"need at least K={n_coeffs} results to decode, got {len(points)}")
    rows = interpolation_rows(np.asarray(points)[:n_coeffs], n_coeffs, wanted)
    flat = values[:n_coeffs].reshape(n_coeffs, -1)
    return _combine(rows, flat).reshape((len(wanted), *values.shape[1:]))


def evaluate(coeffs: Any, points: np.ndarray, exponents: np.ndarray) -> Any:
    """Evaluate :math:`\\sum_k c_k x^{e_k}` at every point: the encoder (``gpd-encode``).

    ``coeffs`` has shape ``(len(exponents), ...)``; the result ``(len(points), ...)``.
    """
    gen = np.asarray(points)[:, None] ** np.asarray(exponents)[None, :]
    flat = coeffs.reshape(len(exponents), -1)
    return _combine(gen, flat).reshape((len(points), *coeffs.shape[1:]))


def split_blocks(x: Any, rows: int, cols: int, name: str) -> Any:
    """Split a matrix into ``rows x cols`` equal blocks, returned as ``(rows * cols, r, c)`` (row-major)."""
    if x.ndim != 2:
        raise ValueError(f"{name} must be a 2-D matrix, got shape {tuple(x.shape)}")
    r, c = x.shape
    if r % rows or c % cols:
        raise ValueError(
            f"{name} of shape {tuple(x.shape)} does not split into {rows} x {cols} equal blocks: "
            f"its dimensions must be divisible by ({rows}, {cols})"
        )
    blocks = x.reshape(rows, r // rows, cols, c // cols)
    blocks = blocks.permute(0, 2, 1, 3) if _is_torch(x) else blocks.transpose(0, 2, 1, 3)
    return blocks.reshape(rows * cols, r // rows, c // cols)


def join_blocks(blocks: Any, rows: int, cols: int) -> Any:
    """Inverse of :func:`split_blocks`."""
    _, r, c = blocks.shape
    grid = blocks.reshape(rows, cols, r, c)
    grid = grid.permute(0, 2, 1, 3) if _is_torch(blocks) else grid.transpose(0, 2, 1, 3)
    return grid.reshape(rows * r, cols * c)


def _real_if_real(x: Any, real: bool | None) -> Any:
    """``x.real`` if ``real``; for ``real=None``, only if the imaginary part is at rounding level.

    Rounding level is :math:`\\sqrt{\\epsilon}\\,\\|x\\|_F` for the precision of ``x``: real
    inputs decoded on the unit circle leave an imaginary part far below it, a complex product
    far above it.
    """
    if real is None:
        xn = _to_numpy(x)
        if not np.iscomplexobj(xn):
            return x
        flat = np.ascontiguousarray(xn).reshape(-1)
        imag = flat.view(xn.real.dtype)[1::2]
        # BLAS dot products: several times faster than np.linalg.norm on a strided view
        real = bool(np.dot(imag, imag) <= np.finfo(xn.dtype).eps * np.vdot(flat, flat).real)
    return x.real if real else x


@dataclass(frozen=True)
class GPDCode:
    """A Generalized PolyDot code with ``N`` workers (``gpd-encode``, ``gpd-product``).

    Parameters
    ----------
    m, n, p : int
        ``A`` is split into ``m x n`` blocks and ``B`` into ``n x p`` blocks.
    n_workers : int
        Number of workers ``N >= K``.
    points : {"unit_circle", "chebyshev", "equispaced"}
        Evaluation points (see :func:`evaluation_points`).

    Examples
    --------
    >>> import numpy as np
    >>> code = GPDCode(2, 2, 2, n_workers=12)
    >>> code.threshold
    9
    >>> rng = np.random.default_rng(0)
    >>> A, B = rng.standard_normal((8, 6)), rng.standard_normal((6, 4))
    >>> results = code.worker_products(*code.encode(A, B))
    >>> workers = [11, 0, 5, 7, 2, 9, 3, 8, 4]
    >>> bool(np.allclose(code.decode(results[workers], workers), A @ B))
    True
    """

    m: int
    n: int
    p: int
    n_workers: int
    points_kind: PointKind = "unit_circle"

    def __post_init__(self) -> None:
        k = recovery_threshold(self.m, self.n, self.p)
        n_workers = check_int(self.n_workers, "n_workers", low=1)
        if n_workers < k:
            raise ValueError(
                f"n_workers must be at least the recovery threshold K = mnp + n - 1 = {k} "
                f"for (m, n, p) = ({self.m}, {self.n}, {self.p}), got {n_workers}"
            )
        if self.points_kind not in POINT_KINDS:
            raise ValueError(f"points_kind must be one of {POINT_KINDS}, got {self.points_kind!r}")

    @property
    def threshold(self) -> int:
        """Recovery threshold ``K``."""
        return recovery_threshold(self.m, self.n, self.p)

    @cached_property
    def points(self) -> np.ndarray:
        """The ``N`` evaluation points."""
        return evaluation_points(self.n_workers, self.points_kind)

    @property
    def a_exponents(self) -> np.ndarray:
        """Exponent of :math:`A_{ij}` (row-major over ``i, j``): :math:`j + n i`."""
        i, j = np.divmod(np.arange(self.m * self.n), self.n)
        return j + self.n * i

    @property
    def b_exponents(self) -> np.ndarray:
        """Exponent of :math:`B_{kl}` (row-major over ``k, l``): :math:`n - 1 - k + n m l`."""
        k, l_ = np.divmod(np.arange(self.n * self.p), self.p)
        return self.n - 1 - k + self.n * self.m * l_

    @property
    def c_exponents(self) -> np.ndarray:
        """Exponent carrying :math:`C_{il}` (row-major over ``i, l``): :math:`n - 1 + n(i + m l)`."""
        i, l_ = np.divmod(np.arange(self.m * self.p), self.p)
        return self.n - 1 + self.n * (i + self.m * l_)

    def _check_pair(self, A: Any, B: Any) -> None:
        a_shape, b_shape = tuple(np.shape(A)), tuple(np.shape(B))
        if len(a_shape) != 2 or len(b_shape) != 2 or a_shape[1] != b_shape[0]:
            raise ValueError(
                f"A and B must be 2-D with A.shape[1] == B.shape[0], got {a_shape} and {b_shape}"
            )

    def encode_a(self, A: Any, points: np.ndarray | None = None) -> Any:
        """Encoded blocks :math:`p_A(x_w)`, shape ``(N, R/m, S/n)``."""
        pts = self.points if points is None else points
        return evaluate(split_blocks(_as_matrix(A, "A"), self.m, self.n, "A"), pts, self.a_exponents)

    def encode_b(self, B: Any, points: np.ndarray | None = None) -> Any:
        """Encoded blocks :math:`p_B(x_w)`, shape ``(N, S/n, Q/p)``."""
        pts = self.points if points is None else points
        return evaluate(split_blocks(_as_matrix(B, "B"), self.n, self.p, "B"), pts, self.b_exponents)

    def encode(self, A: Any, B: Any) -> tuple[Any, Any]:
        """Both encodings; see :meth:`encode_a` and :meth:`encode_b`."""
        self._check_pair(A, B)
        return self.encode_a(A), self.encode_b(B)

    @staticmethod
    def worker_products(a_enc: Any, b_enc: Any) -> Any:
        """What every worker computes, :math:`p_A(x_w) p_B(x_w)`, shape ``(N, R/m, Q/p)``."""
        return a_enc @ b_enc

    def _workers(self, workers: Any, n_results: int) -> np.ndarray:
        idx = np.asarray(workers)
        if idx.ndim != 1 or len(idx) != n_results or not np.issubdtype(idx.dtype, np.integer):
            raise ValueError(f"workers must be {n_results} integer worker indices, got {workers!r}")
        if len(np.unique(idx)) != len(idx) or idx.min(initial=0) < 0 or idx.max(initial=0) >= self.n_workers:
            raise ValueError(f"workers must be distinct indices in [0, {self.n_workers}), got {workers!r}")
        return idx

    def decode(self, results: Any, workers: Any, *, real: bool | None = None) -> Any:
        """:math:`C = AB` from the results of any ``K`` workers (``gpd-decode``).

        Parameters
        ----------
        results : array
            Shape ``(k, R/m, Q/p)``, the products of workers ``workers``; only the first ``K``
            are used.
        workers : sequence of int
            Which workers the results came from.
        real : bool, optional
            ``True``: return the real part (``A`` and ``B`` real); ``False``: the complex
            product (``A`` or ``B`` complex). Default: the real part when the imaginary part
            is at rounding level, the complex product otherwise, so that complex inputs are
            never silently truncated.

        Raises
        ------
        UndecodableError
            If fewer than ``K`` results are given.
        ValueError
            If ``results`` is not a stack of 2-D blocks or ``workers`` does not match it.
        """
        if getattr(results, "ndim", None) != 3:
            raise ValueError(
                f"results must be a stack (k, R/m, Q/p) of worker products, got shape {tuple(np.shape(results))}"
            )
        idx = self._workers(workers, results.shape[0])
        blocks = interpolate(results, self.points[idx], self.threshold, self.c_exponents)
        joined = join_blocks(blocks, self.m, self.p)
        return _real_if_real(joined, real if np.iscomplexobj(self.points) else False)

    def decode_with_errors(self, results: Any, workers: Any, *, rtol: float | None = None, rng: Any = None):
        """Locate erroneous results (:func:`locate_errors`), drop them, then :meth:`decode`.

        Returns
        -------
        (C, bad) : tuple
            The product and the indices (into ``workers``) of the results found erroneous.
        """
        idx = self._workers(workers, results.shape[0])
        bad = locate_errors(results, self.points[idx], self.threshold, rtol=rtol, rng=rng)
        keep = np.setdiff1d(np.arange(len(idx)), bad)
        return self.decode(results[keep], idx[keep]), bad


def polynomial_code(m: int, p: int, n_workers: int, points_kind: PointKind = "unit_circle") -> GPDCode:
    """The Polynomial code of Yu, Maddah-Ali and Avestimehr: GPD with ``n = 1``, ``K = mp``."""
    return GPDCode(m, 1, p, n_workers, points_kind)


def matdot_code(n: int, n_workers: int, points_kind: PointKind = "unit_circle") -> GPDCode:
    """The MatDot code: GPD with ``m = p = 1``, ``K = 2n - 1``."""
    return GPDCode(1, n, 1, n_workers, points_kind)


def parity_check(points: np.ndarray, n_coeffs: int) -> np.ndarray:
    """Parity-check matrix ``H`` (``(P - Q) x P``, orthonormal rows) with ``H V = 0`` (``gpd-syndrome``).

    ``V`` is the ``P x Q`` Vandermonde matrix at ``points`` (``Q = n_coeffs``).
    """
    from scipy.linalg import null_space

    points = np.asarray(points)
    if len(points) <= n_coeffs:
        raise ValueError(f"need more than Q={n_coeffs} points for a parity check, got {len(points)}")
    vander = np.vander(points, n_coeffs, increasing=True)
    return null_space(vander.T).T


def _to_numpy(x: Any) -> np.ndarray:
    return x.detach().cpu().numpy() if _is_torch(x) else np.asarray(x)


def locate_errors(
    values: Any,
    points: np.ndarray,
    n_coeffs: int,
    *,
    rtol: float | None = None,
    n_proj: int | None = None,
    rng: Any = None,
) -> np.ndarray:
    """Find which of ``P`` results are erroneous: the syndrome-subspace decoder (``gpd-syndrome``).

    The results are evaluations at ``points`` of one polynomial of degree ``Q - 1``
    (``Q = n_coeffs``) with vector coefficients, plus errors at a few positions. With ``R`` a
    random projection, the syndromes ``S = H Y R`` span the columns of ``H`` at the error
    positions; a column of ``H`` lies in that span exactly when its position is in error
    (any ``P - Q`` columns of ``H`` are independent). With ``e <= P - Q - 1`` errors whose
    values are in general position (random) and results of at least ``e`` entries each, this
    finds them with probability one; with ``e >= P - Q`` the syndromes span everything and the
    decoder reports failure. When the error blocks are linearly dependent (two multiples of one
    block, say) the syndromes fall short of rank and the subspace cannot place them; the
    locator then falls back to Berlekamp-Welch bounded-distance decoding of one projection at
    a time, which finds any pattern of up to ``(P - Q) // 2`` errors. What neither explains
    (too narrow results, too many dependent errors) fails the consistency check and is
    reported. An adversarial pattern of more than ``(P - Q) // 2`` errors can be closer to a
    wrong codeword; any decoder, this one included, may then return it.

    Parameters
    ----------
    values : array
        ``P`` results, shape ``(P, ...)``.
    points : numpy.ndarray
        Their evaluation points, shape ``(P,)``.
    n_coeffs : int
        ``Q``, the number of coefficients (the recovery threshold ``K``).
    rtol : float, optional
        Singular values of ``S`` below ``rtol * ||Y R||`` count as zero. Default ``1e-8`` for
        64-bit data and ``1e-3`` for 32-bit data.
    n_proj : int, optional
        Number of random projections (default ``P - Q + 2``).
    rng : numpy.random.Generator or int, optional
        For the projections.

    Returns
    -------
    numpy.ndarray
        Sorted positions (into ``values``) of the erroneous results.

    Raises
    ------
    UndecodableError
        If there are too many errors to locate (``>= P - Q``) or the remaining results are not
        consistent with one polynomial and not within ``(P - Q) // 2`` errors of one.

    Notes
    -----
    Results with a NaN or infinite entry are erasures: reported as erroneous without being
    located, and the locator runs on the others (with ``f`` erasures it locates up to
    ``P - f - Q - 1`` more errors). When exactly ``K`` finite results remain they are
    returned unchecked.
    """
    y = _to_numpy(values)
    n_results = y.shape[0]
    points = np.asarray(points)
    if len(points) != n_results:
        raise ValueError(f"points must have one entry per result ({n_results}), got {len(points)}")
    n_coeffs = check_int(n_coeffs, "n_coeffs", low=1)
    single = y.dtype in (np.float32, np.complex64)
    rtol = (1e-3 if single else 1e-8) if rtol is None else check_real(rtol, "rtol", low=0.0)
    y = y.reshape(n_results, -1).astype(np.complex128 if np.iscomplexobj(y) else np.float64)
    finite = np.isfinite(y).all(axis=1)
    if not finite.all():  # a NaN or infinite result is an error whose position is known: an erasure
        erased = np.flatnonzero(~finite)
        rest = np.flatnonzero(finite)
        if len(rest) < n_coeffs:
            raise UndecodableError(
                f"{len(erased)} results are not finite; the {len(rest)} others are fewer than K={n_coeffs}"
            )
        if len(rest) == n_coeffs:
            return erased
        found = locate_errors(y[rest], points[rest], n_coeffs, rtol=rtol, n_proj=n_proj, rng=rng)
        return np.sort(np.concatenate([erased, rest[found]]))
    redundancy = n_results - n_coeffs
    if redundancy < 1:
        raise UndecodableError(f"need more than K={n_coeffs} results to check for errors, got {n_results}")
    rng = np.random.default_rng(rng)
    proj = rng.standard_normal((y.shape[1], n_proj or redundancy + 2))
    yr = y @ proj
    h = parity_check(points, n_coeffs)
    u, sv, _ = np.linalg.svd(h @ yr, full_matrices=False)
    scale = np.linalg.norm(yr)
    n_err = int(np.sum(sv > rtol * scale)) if scale > 0 else 0
    if n_err == 0:
        return np.array([], dtype=np.intp)
    if n_err >= redundancy:
        raise UndecodableError(
            f"the syndromes have rank {n_err} >= P - K = {redundancy}: at least {redundancy} results are "
            f"in error, more than the {redundancy - 1} this code can locate"
        )
    basis = u[:, :n_err]
    dist = np.linalg.norm(h - basis @ (basis.conj().T @ h), axis=0) / np.linalg.norm(h, axis=0)
    bad = np.sort(np.argsort(dist)[:n_err])
    resid = _misfit(yr, points, n_coeffs, bad)
    if resid <= math.sqrt(rtol):
        return bad
    # the syndromes fell short of rank (errors linearly dependent): bounded-distance decoding
    for column in yr.T:  # one projection at a time: an error may vanish in one of them
        bad = _berlekamp_welch(column, points, n_coeffs, math.sqrt(rtol))
        if bad is not None and _misfit(yr, points, n_coeffs, bad) <= math.sqrt(rtol):
            return bad
    raise UndecodableError(
        f"after removing the {n_err} most likely erroneous results the rest are not consistent "
        f"with one polynomial (relative residual {resid:.2e}), nor are the results within "
        f"{(n_results - n_coeffs) // 2} errors of one: the error pattern is not decodable"
    )


def _misfit(yr: np.ndarray, points: np.ndarray, n_coeffs: int, bad: np.ndarray) -> float:
    """Relative residual of the best degree-``(Q-1)`` fit to the results outside ``bad``."""
    keep = np.setdiff1d(np.arange(len(points)), bad)
    vander = np.vander(np.asarray(points)[keep], n_coeffs, increasing=True)
    coef, *_ = np.linalg.lstsq(vander, yr[keep], rcond=None)
    resid = np.linalg.norm(vander @ coef - yr[keep])
    return float(resid / max(np.linalg.norm(yr[keep]), np.finfo(float).tiny))


def _berlekamp_welch(y: np.ndarray, points: np.ndarray, n_coeffs: int, tol: float) -> np.ndarray | None:
    """Positions of at most ``(P - Q) // 2`` errors in one scalar codeword, or ``None``.

    Berlekamp-Welch over the reals: for ``e = 1, 2, ...`` solve
    :math:`y_w E(x_w) = N(x_w)` with :math:`E` monic of degree ``e`` and :math:`\\deg N < e + Q`
    in least squares; the first consistent ``e`` is the number of errors, and the errors sit
    where :math:`|E(x_w)|` is smallest (its roots). Any pattern within the unique-decoding
    radius is found, whatever the errors' values.
    """
    x = np.asarray(points)
    y = y / max(np.linalg.norm(y), np.finfo(float).tiny)
    for e in range(1, (len(x) - n_coeffs) // 2 + 1):
        system = np.hstack(
            [y[:, None] * np.vander(x, e, increasing=True), -np.vander(x, e + n_coeffs, increasing=True)]
        )
        rhs = -y * x**e
        sol, *_ = np.linalg.lstsq(system, rhs, rcond=None)
        if np.linalg.norm(system @ sol - rhs) <= tol * max(np.linalg.norm(rhs), np.finfo(float).tiny):
            locator = x**e + np.vander(x, e, increasing=True) @ sol[:e]
            return np.sort(np.argsort(np.abs(locator))[:e])
    return None


def relative_error(estimate: Any, truth: Any) -> float:
    """``||estimate - truth||_F / ||truth||_F``."""
    est, ref = _to_numpy(estimate), _to_numpy(truth)
    return float(np.linalg.norm(est - ref) / np.linalg.norm(ref))
