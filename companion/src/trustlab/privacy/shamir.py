"""Shamir secret sharing over a prime field and over the reals, and BGW multiplication.

A secret :math:`s` is hidden in the constant term of a random polynomial of degree :math:`t`,
:math:`f(x) = s + \\sum_{j=1}^t c_j x^j`, and node :math:`i` receives :math:`f(x_i)`
(equation ``dpm-shamir`` of the chapter *Differentially private secure multiplication*). Any
:math:`t+1` shares determine :math:`s` by Lagrange interpolation at zero (``dpm-lagrange``).
Over :math:`\\mathbb{F}_p` with uniform coefficients any :math:`t` shares are independent of
:math:`s`; over the reals with Gaussian coefficients they leak a little, which
:mod:`trustlab.privacy.coalition` accounts for exactly.

The product of two degree-:math:`t` sharings is a degree-:math:`2t` sharing of the product;
BGW multiplication (``dpm-bgw``) interpolates it from :math:`2t+1` nodes and reshares it with
degree :math:`t`, which is why it needs :math:`N \\ge 2t+1` nodes.

Field arithmetic is vectorised over secrets in ``int64``: with :math:`p < 2^{31}` every product
of two residues is below :math:`2^{62}` and is reduced before the next addition.

.. warning::
   **Not cryptographically secure.** The coefficients come from a numpy Generator, which is
   reproducible and predictable: fine for the chapter's experiments, not for hiding real
   secrets. A deployment must draw them from a cryptographically secure source (``secrets``).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from trustlab._checks import check_float_dtype, check_int

PRIME: int = 2_147_483_647
"""The default field size, the Mersenne prime :math:`2^{31} - 1`."""


@lru_cache(maxsize=64)
def _is_prime(n: int) -> bool:
    return all(n % d for d in range(2, int(n**0.5) + 1))


def _check_prime(prime: object) -> int:
    prime = check_int(prime, "prime", low=3)
    if prime >= 2**31:
        raise ValueError(f"prime must be below 2**31 so that products fit in int64, got {prime}")
    if not _is_prime(prime):
        raise ValueError(f"prime must be a prime number, got {prime}")
    return prime


def _check_threshold(t: object, n_nodes: object) -> tuple[int, int]:
    t = check_int(t, "t", low=1)
    n_nodes = check_int(n_nodes, "n_nodes", low=2)
    if n_nodes < t + 1:
        raise ValueError(f"n_nodes must be at least t + 1 = {t + 1} for a threshold t={t}, got {n_nodes}")
    return t, n_nodes


def field_points(n_nodes: int, prime: int = PRIME) -> NDArray[np.int64]:
    """The default evaluation points :math:`x_i = i` for nodes :math:`i = 1, \\dots, N`."""
    n_nodes = check_int(n_nodes, "n_nodes", low=1)
    prime = _check_prime(prime)
    if n_nodes >= prime:
        raise ValueError(f"n_nodes must be below prime ({prime}), got {n_nodes}")
    return np.arange(1, n_nodes + 1, dtype=np.int64)


def _as_residues(values: ArrayLike, name: str, prime: int) -> NDArray[np.int64]:
    arr = np.asarray(values)
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must be an array of integers, got dtype {arr.dtype}")
    if arr.size and (arr.min() < 0 or arr.max() >= prime):
        raise ValueError(
            f"{name} must lie in [0, prime) = [0, {prime}); got values in [{arr.min()}, {arr.max()}]"
        )
    return arr.astype(np.int64)


def _check_points(points: ArrayLike, prime: int | None, n: int | None = None) -> NDArray:
    pts = np.asarray(points)
    if pts.ndim != 1 or pts.shape[0] == 0 or (n is not None and pts.shape[0] != n):
        expected = "non-empty" if n is None else f"of length {n} (one per share)"
        raise ValueError(f"points must be 1-D and {expected}, got shape {pts.shape}")
    if prime is None:
        pts = pts.astype(np.float64)
        if not np.all(np.isfinite(pts)):
            raise ValueError("points must be finite")
    else:
        pts = _as_residues(pts, "points", prime)
    if np.any(pts == 0):
        raise ValueError("points must be non-zero: the secret sits at x = 0")
    if np.unique(pts).size != pts.shape[0]:
        raise ValueError(f"points must be distinct, got {pts.tolist()}")
    return pts


def _horner_mod(coeffs: NDArray[np.int64], x: int, prime: int) -> NDArray[np.int64]:
    """Evaluate the polynomials with coefficients ``coeffs[j]`` (of ``x**j``) at ``x`` mod prime."""
    acc = np.zeros(coeffs.shape[1:], dtype=np.int64)
    for c in coeffs[::-1]:
        acc = (acc * x + c) % prime
    return acc


def field_share(
    secret: ArrayLike,
    t: int,
    n_nodes: int,
    rng: np.random.Generator,
    prime: int = PRIME,
    points: ArrayLike | None = None,
) -> NDArray[np.int64]:
    """Shamir-share integers mod ``prime`` with threshold ``t`` among ``n_nodes`` nodes.

    Implements equation ``dpm-shamir`` over :math:`\\mathbb{F}_p` with coefficients drawn
    uniformly, so any ``t`` shares are uniform and independent of the secret.

    Parameters
    ----------
    secret : array-like of int
        Secrets in ``[0, prime)``, any shape.
    t : int
        Degree of the sharing polynomial; ``t + 1`` shares reconstruct, ``t`` reveal nothing.
    n_nodes : int
        Number of nodes, at least ``t + 1``.
    rng : numpy.random.Generator
        Source of the random coefficients (not cryptographically secure: see the module note).
    prime : int, default=PRIME
        Field size, a prime below :math:`2^{31}`.
    points : array-like of int, optional
        Distinct non-zero evaluation points, one per node; default ``1, ..., n_nodes``.

    Returns
    -------
    ndarray of int64 of shape (n_nodes, *secret.shape)
        ``shares[i]`` is node ``i``'s share.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> shares = field_share([5, 7], t=1, n_nodes=3, rng=rng, prime=11)
    >>> field_reconstruct(shares[:2], field_points(3, 11)[:2], prime=11).tolist()
    [5, 7]
    """
    prime = _check_prime(prime)
    t, n_nodes = _check_threshold(t, n_nodes)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    s = _as_residues(secret, "secret", prime)
    pts = field_points(n_nodes, prime) if points is None else _check_points(points, prime, n_nodes)
    coeffs = np.concatenate([s[None], rng.integers(0, prime, size=(t, *s.shape), dtype=np.int64)])
    return np.stack([_horner_mod(coeffs, int(x), prime) for x in pts])


def field_lagrange_at_zero(points: ArrayLike, prime: int = PRIME) -> NDArray[np.int64]:
    """Lagrange weights :math:`\\lambda_i = \\prod_{j \\ne i} x_j / (x_j - x_i)` mod ``prime``.

    :math:`\\sum_i \\lambda_i f(x_i) = f(0)` for every polynomial of degree below
    ``len(points)`` (equation ``dpm-lagrange``).
    """
    prime = _check_prime(prime)
    pts = _check_points(points, prime)
    weights = []
    for i, xi in enumerate(pts.tolist()):
        num, den = 1, 1
        for j, xj in enumerate(pts.tolist()):
            if j != i:
                num = num * xj % prime
                den = den * (xj - xi) % prime
        weights.append(num * pow(den, -1, prime) % prime)
    return np.array(weights, dtype=np.int64)


def _combine_mod(weights: NDArray[np.int64], shares: NDArray[np.int64], prime: int) -> NDArray[np.int64]:
    acc = np.zeros(shares.shape[1:], dtype=np.int64)
    for w, share in zip(weights, shares, strict=True):
        acc = (acc + w * share % prime) % prime
    return acc


def field_reconstruct(shares: ArrayLike, points: ArrayLike, prime: int = PRIME) -> NDArray[np.int64]:
    """Recover the secrets from shares by Lagrange interpolation at zero over :math:`\\mathbb{F}_p`.

    Parameters
    ----------
    shares : array-like of int of shape (n_shares, ...)
        Shares of ``n_shares`` nodes. The result is the secret whenever the sharing polynomial
        has degree below ``n_shares`` (``t + 1`` shares; ``2t + 1`` for a product of two sharings).
        The function cannot know the degree: with too few shares (``t`` or fewer for a
        degree-``t`` sharing) it returns a field element unrelated to the secret, without error.
    points : array-like of int of shape (n_shares,)
        The nodes' evaluation points.
    prime : int, default=PRIME

    Returns
    -------
    ndarray of int64, shape shares.shape[1:]
    """
    prime = _check_prime(prime)
    arr = _as_residues(shares, "shares", prime)
    if arr.ndim < 1 or arr.shape[0] == 0:
        raise ValueError(f"shares must have at least one node along axis 0, got shape {arr.shape}")
    pts = _check_points(points, prime, arr.shape[0])
    return _combine_mod(field_lagrange_at_zero(pts, prime), arr, prime)


def bgw_multiply(
    shares_a: ArrayLike,
    shares_b: ArrayLike,
    t: int,
    rng: np.random.Generator,
    prime: int = PRIME,
    points: ArrayLike | None = None,
) -> NDArray[np.int64]:
    """BGW multiplication of two degree-``t`` sharings over :math:`\\mathbb{F}_p` (``dpm-bgw``).

    Each node multiplies its two shares (a degree-:math:`2t` sharing of :math:`ab`), reshares
    that product with a fresh degree-:math:`t` polynomial, and every node combines the
    sub-shares it receives with the Lagrange weights at zero. The output is a degree-``t``
    sharing of :math:`ab \\bmod p`, so multiplications compose.

    Parameters
    ----------
    shares_a, shares_b : array-like of int of shape (n_nodes, ...)
        Degree-``t`` sharings from :func:`field_share` on the same points.
    t : int
        Threshold of both sharings.
    rng : numpy.random.Generator
        Randomness of the resharing.
    prime : int, default=PRIME
    points : array-like of int, optional
        The nodes' points; default ``1, ..., n_nodes``.

    Returns
    -------
    ndarray of int64 of shape (n_nodes, ...)
        A degree-``t`` sharing of the product.

    Raises
    ------
    ValueError
        If ``n_nodes < 2t + 1``: the degree-:math:`2t` product cannot be interpolated.
    """
    prime = _check_prime(prime)
    a = _as_residues(shares_a, "shares_a", prime)
    b = _as_residues(shares_b, "shares_b", prime)
    if a.shape != b.shape or a.ndim < 1:
        raise ValueError(f"shares_a and shares_b must have one equal shape, got {a.shape} and {b.shape}")
    n_nodes = a.shape[0]
    t, n_nodes = _check_threshold(t, n_nodes)
    if n_nodes < 2 * t + 1:
        raise ValueError(
            f"BGW multiplication needs n_nodes >= 2t + 1 = {2 * t + 1} (an honest majority) to "
            f"interpolate the degree-2t product, got n_nodes={n_nodes} for t={t}"
        )
    pts = field_points(n_nodes, prime) if points is None else _check_points(points, prime, n_nodes)
    local = a * b % prime
    resharings = np.stack([field_share(d, t, n_nodes, rng, prime, pts) for d in local])
    return _combine_mod(field_lagrange_at_zero(pts, prime), resharings, prime)


def real_share(
    secret: ArrayLike,
    t: int,
    points: ArrayLike,
    coef_std: float | ArrayLike,
    rng: np.random.Generator,
    dtype: type = np.float64,
) -> NDArray:
    """Shamir-share real numbers with Gaussian coefficients (``dpm-shamir`` over the reals).

    Parameters
    ----------
    secret : array-like of float
        Secrets, any shape.
    t : int
        Degree of the sharing polynomial.
    points : array-like of float of shape (n_nodes,)
        Distinct non-zero evaluation points; ``n_nodes >= t + 1``.
    coef_std : float or array-like
        Standard deviation of the coefficient of :math:`x^j`, :math:`j = 1, \\dots, t`: one
        value for all, or ``t`` values.
    rng : numpy.random.Generator
    dtype : numpy.float32 or numpy.float64, default=numpy.float64
        Precision of the shares (an integer dtype would truncate them and is refused).

    Returns
    -------
    ndarray of shape (n_nodes, *secret.shape)

    Raises
    ------
    ValueError
        If a secret is NaN or infinite.
    TypeError
        If ``dtype`` is not a float type.
    """
    t = check_int(t, "t", low=1)
    pts = _check_points(points, None)
    _check_threshold(t, pts.shape[0])
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    std = np.broadcast_to(np.asarray(coef_std, dtype=np.float64), (t,))
    if not np.all(np.isfinite(std)) or np.any(std < 0):
        raise ValueError(f"coef_std must be finite and >= 0, got {coef_std!r}")
    dtype = check_float_dtype(dtype)
    s = np.asarray(secret, dtype=np.float64)
    if not np.all(np.isfinite(s)):
        raise ValueError("secret must be finite (no NaN or inf)")
    coeffs = rng.standard_normal((t, *s.shape)) * std.reshape((t,) + (1,) * s.ndim)
    powers = pts[:, None] ** np.arange(1, t + 1)
    noise = np.tensordot(powers, coeffs, axes=1)
    return (s[None] + noise).astype(dtype)


def real_lagrange_at_zero(points: ArrayLike) -> NDArray[np.float64]:
    """Real Lagrange weights at zero, :math:`\\lambda_i = \\prod_{j \\ne i} x_j / (x_j - x_i)`."""
    pts = _check_points(points, None)
    diff = pts[None, :] - pts[:, None]
    np.fill_diagonal(diff, 1.0)
    ratio = pts[None, :] / diff
    np.fill_diagonal(ratio, 1.0)
    return ratio.prod(axis=1)


def real_reconstruct(shares: ArrayLike, points: ArrayLike) -> NDArray:
    """Recover real secrets by Lagrange interpolation at zero, in the shares' precision.

    Parameters
    ----------
    shares : array-like of float of shape (n_shares, ...)
    points : array-like of float of shape (n_shares,)

    Returns
    -------
    ndarray, shape shares.shape[1:]
        In the dtype of ``shares`` (float32 shares are combined in float32).
    """
    arr = np.asarray(shares)
    if not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float64)
    if arr.ndim < 1:
        raise ValueError(f"shares must have a node axis (axis 0), got shape {arr.shape}")
    weights = real_lagrange_at_zero(_check_points(points, None, arr.shape[0])).astype(arr.dtype)
    return np.tensordot(weights, arr, axes=1)
