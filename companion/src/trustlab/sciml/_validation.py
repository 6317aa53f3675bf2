"""Argument checks shared by the neural-operator modules of :mod:`trustlab.sciml`."""

from __future__ import annotations

import numpy as np
import torch


def tensor(
    value: object,
    name: str,
    ndim: int | tuple[int, ...],
    last: int | None = None,
    dtype: torch.dtype | None = None,
) -> torch.Tensor:
    """Check that ``value`` is a finite, non-empty torch tensor with ``ndim`` dimensions.

    Optionally also its last size (``last``) and its ``dtype`` (that of the module's
    parameters, so a float64 or integer input fails here, not deep inside a matrix product).

    Raises
    ------
    TypeError
        If ``value`` is not a ``torch.Tensor`` or has another ``dtype``.
    ValueError
        If its number of dimensions or last size differ, it is empty, or it holds NaN/inf.
    """
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    if dtype is not None and value.dtype != dtype:
        raise TypeError(f"{name} must have dtype {dtype} (the model's), got {value.dtype}")
    allowed = (ndim,) if isinstance(ndim, int) else ndim
    if value.ndim not in allowed:
        raise ValueError(
            f"{name} must have {' or '.join(map(str, allowed))} dimensions, got shape {tuple(value.shape)}"
        )
    if last is not None and value.shape[-1] != last:
        raise ValueError(f"{name} must have last dimension {last}, got shape {tuple(value.shape)}")
    if value.numel() == 0:
        raise ValueError(f"{name} must not be empty, got shape {tuple(value.shape)}")
    if not torch.isfinite(value).all():
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return value


def flag(value: object, name: str) -> bool:
    """Return ``value`` if it is a bool (NumPy's included), else raise ``TypeError``.

    ``bool("no")`` is ``True``: a string or number passed for a switch must fail, not flip it.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__} {value!r}")
    return bool(value)


def array(value: object, name: str, ndim: int | tuple[int, ...]) -> np.ndarray:
    """Return ``value`` as a finite NumPy array with ``ndim`` dimensions, else raise ``ValueError``."""
    arr = np.asarray(value)
    allowed = (ndim,) if isinstance(ndim, int) else ndim
    if arr.ndim not in allowed:
        raise ValueError(
            f"{name} must have {' or '.join(map(str, allowed))} dimensions, got shape {arr.shape}"
        )
    if not np.issubdtype(arr.dtype, np.number) or not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be a finite numeric array")
    return arr


def periodic_grid(value: object, name: str = "x") -> np.ndarray:
    """Return ``value`` as the uniform periodic grid ``x_n = -L + 2L n / N`` of ``[-L, L)``, else raise.

    The symbol networks of KANO see ``x / L`` with ``L = -x_0``, and the wavenumbers assume a
    uniform spacing: any other grid would silently give wrong (or NaN) symbols.
    """
    x = array(value, name, 1)
    if x.size < 2:
        raise ValueError(f"{name} must hold at least 2 points, got {x.size}")
    h = x[1] - x[0]
    half_width = -x[0]
    if not (h > 0 and half_width > 0) or not np.allclose(
        x, -half_width + h * np.arange(x.size), rtol=0, atol=1e-6 * half_width
    ):
        raise ValueError(
            f"{name} must be a uniform grid of [-L, L) (make_grid), got x[0]={float(x[0])}, x[1]={float(x[1])}"
        )
    if not np.isclose(x[-1] + h, half_width, rtol=1e-6):
        raise ValueError(f"{name} must end one step before L = {float(half_width)}, got x[-1]={float(x[-1])}")
    return x
