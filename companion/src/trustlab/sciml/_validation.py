"""Argument checks shared by the neural-operator modules of :mod:`trustlab.sciml`."""

from __future__ import annotations

import numbers

import numpy as np
import torch


def positive_int(value: object, name: str) -> int:
    """Return ``value`` as an ``int`` if it is a positive integer, else raise.

    Raises
    ------
    TypeError
        If ``value`` is not an integer (booleans are rejected).
    ValueError
        If ``value`` is smaller than 1.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def positive_float(value: object, name: str) -> float:
    """Return ``value`` as a ``float`` if it is a finite positive number, else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a positive number, got {type(value).__name__} {value!r}")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite positive number, got {value!r}")
    return float(value)


def tensor(value: object, name: str, ndim: int | tuple[int, ...], last: int | None = None) -> torch.Tensor:
    """Check that ``value`` is a finite torch tensor with ``ndim`` dimensions (and last size ``last``).

    Raises
    ------
    TypeError
        If ``value`` is not a ``torch.Tensor``.
    ValueError
        If its number of dimensions or last size differ, or it holds NaN/inf.
    """
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    allowed = (ndim,) if isinstance(ndim, int) else ndim
    if value.ndim not in allowed:
        raise ValueError(
            f"{name} must have {' or '.join(map(str, allowed))} dimensions, got shape {tuple(value.shape)}"
        )
    if last is not None and value.shape[-1] != last:
        raise ValueError(f"{name} must have last dimension {last}, got shape {tuple(value.shape)}")
    if not torch.isfinite(value).all():
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return value


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
