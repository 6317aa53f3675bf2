"""Our quantitative-trait reconstruction of CFG in the chain (eqs. ``cfg-gauss`` to
``critical`` of ``book/generative/diffusion-collapse.md``). The paper's own model was not
available to us: this is a self-consistent Gaussian instantiation, not the paper's equations.

A scalar image trait is Gaussian within a generation. Fine-tuning from the base inherits a
fraction ``h2`` of the data's deviation from the base; CFG with scale ``w`` acts on the
conditional N(mu_c, var_c) and unconditional N(mu_u, var_u) traits as the product of experts
p_c^w p_u^(1-w) (directional selection)."""

from __future__ import annotations

import numbers

import numpy as np


def _real(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise TypeError(f"{name} must be a finite real number, got {value!r}")
    return float(value)


def _positive(value: object, name: str) -> float:
    value = _real(value, name)
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {value!r}")
    return value


def gaussian_cfg_target(
    mu_c: float, var_c: float, mu_u: float, var_u: float, w: float
) -> tuple[float, float]:
    """Mean and variance of :math:`p_c^w p_u^{1-w}` for Gaussian ``p_c``, ``p_u`` (eq. ``cfg-gauss``).

    Raises
    ------
    ValueError
        If the precision ``w / var_c + (1 - w) / var_u`` is not positive (no normalisable target).

    Examples
    --------
    >>> gaussian_cfg_target(1.0, 0.5, 0.0, 1.0, 1.0)
    (1.0, 0.5)
    >>> gaussian_cfg_target(1.0, 0.5, 0.0, 1.0, 3.0)
    (1.5, 0.25)
    """
    mu_c, mu_u, w = _real(mu_c, "mu_c"), _real(mu_u, "mu_u"), _real(w, "w")
    var_c, var_u = _positive(var_c, "var_c"), _positive(var_u, "var_u")
    precision = w / var_c + (1 - w) / var_u
    if precision <= 0:
        raise ValueError(
            f"w={w} gives a non-positive precision {precision:.3g}: the target is not normalisable"
        )
    var = 1.0 / precision
    return var * (w * mu_c / var_c + (1 - w) * mu_u / var_u), var


def cfg_gain(w: float, r: float) -> float:
    """Selection gain :math:`g(w) = w / (w - (w-1) r)` with ``r = var_c / var_u`` (eq. ``gain``)."""
    w, r = _real(w, "w"), _positive(r, "r")
    denom = w - (w - 1) * r
    if denom <= 0:
        raise ValueError(f"w={w}, r={r}: w - (w-1) r must be positive, got {denom:.3g}")
    return w / denom


def qt_step(
    mu: float,
    var: float,
    w: float,
    h2: float,
    mu_b: float = 0.0,
    var_b: float = 1.0,
    cond_drop: bool = False,
    var_mut: float = 0.0,
) -> tuple[float, float]:
    """One generation of the trait recursion (eq. ``qt-recursion``), ours.

    Fine-tuning gives the conditional trait ``mu_c = mu_b + h2 (mu - mu_b)``,
    ``var_c = h2 var + (1 - h2) var_b``; the unconditional branch is the base
    (``mu_b, var_b``) or, with condition drop, the fine-tuned conditional itself; CFG is
    :func:`gaussian_cfg_target`; ``var_mut`` is added sampling noise.
    """
    h2 = _real(h2, "h2")
    if not 0 < h2 <= 1:
        raise ValueError(f"h2 must lie in (0, 1], got {h2!r}")
    mu_b, var = _real(mu_b, "mu_b"), _positive(var, "var")
    var_b = _positive(var_b, "var_b")
    mu_c = mu_b + h2 * (_real(mu, "mu") - mu_b)
    var_c = h2 * var + (1 - h2) * var_b
    mu_u, var_u = (mu_c, var_c) if cond_drop else (mu_b, var_b)
    mu_next, var_next = gaussian_cfg_target(mu_c, var_c, mu_u, var_u, w)
    return mu_next, var_next + _real(var_mut, "var_mut")


def qt_recursion(mu0: float, var0: float, w: float, h2: float, n: int, **kwargs: object) -> np.ndarray:
    """Iterate :func:`qt_step` ``n`` times; returns shape ``(n + 1, 2)`` of (mean, variance)."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    out = [(float(mu0), float(var0))]
    for _ in range(int(n)):
        out.append(qt_step(*out[-1], w, h2, **kwargs))
    return np.array(out)


def critical_cfg(h2: float, r: float) -> float:
    """The scale :math:`w^* = r / (r - (1 - h^2))` at which ``g(w*) h2 = 1`` (eq. ``critical``).

    Below it the trait's deviation from the base shrinks each generation, above it grows.

    Examples
    --------
    >>> round(critical_cfg(0.8, 0.488), 3)
    1.694

    Raises
    ------
    ValueError
        If ``r <= 1 - h2``: then no finite scale compensates the regression to the base.
    """
    h2, r = _real(h2, "h2"), _positive(r, "r")
    if not 0 < h2 <= 1:
        raise ValueError(f"h2 must lie in (0, 1], got {h2!r}")
    if r <= 1 - h2:
        raise ValueError(f"no critical scale: need r > 1 - h2, got r={r}, h2={h2}")
    return r / (r - (1 - h2))


def estimate_qt(
    trait_base: np.ndarray, trait_data: np.ndarray, trait_round1: np.ndarray
) -> tuple[float, float]:
    """Estimate ``(h2, r)`` of eq. ``qt-recursion`` from per-image traits (our estimator).

    Parameters
    ----------
    trait_base : numpy.ndarray
        Trait of the base model's unconditional samples (mean ``mu_b``, variance ``var_u``).
    trait_data : numpy.ndarray
        Trait of the real fine-tuning set (``mu_0``).
    trait_round1 : numpy.ndarray
        Trait of the first round's samples without guidance (``w = 1``): ``mu_c``, ``var_c``.

    Returns
    -------
    h2 : float
        ``(mu_c - mu_b) / (mu_0 - mu_b)``, the share of the data's deviation that fine-tuning keeps.
    r : float
        ``var_c / var_u``.
    """
    arrays = []
    for name, value in (
        ("trait_base", trait_base),
        ("trait_data", trait_data),
        ("trait_round1", trait_round1),
    ):
        arr = np.asarray(value, dtype=np.float64)
        if arr.ndim != 1 or arr.size < 2 or not np.isfinite(arr).all():
            raise ValueError(f"{name} must be a finite 1-d array of at least 2 values, got shape {arr.shape}")
        arrays.append(arr)
    base, data, first = arrays
    gap = data.mean() - base.mean()
    if gap == 0:
        raise ValueError("the data and the base have the same mean trait: h2 is undefined")
    return float((first.mean() - base.mean()) / gap), float(first.var() / base.var())


def predicted_drift(w: float, h2: float, r: float) -> float:
    """The per-generation factor ``g(w) h2`` minus 1 (sign = predicted direction of drift).

    Where ``w - (w - 1) r <= 0`` the product of experts is not normalisable (unbounded
    selection) and the drift is upward: returns ``+inf``.
    """
    w, r = _real(w, "w"), _positive(r, "r")
    if w - (w - 1) * r <= 0:
        return float("inf")
    return cfg_gain(w, r) * _real(h2, "h2") - 1.0
