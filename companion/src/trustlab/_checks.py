"""Argument checks shared by the sub-packages of trustlab.

Each returns the checked value in its canonical type or raises a ``TypeError`` (wrong kind)
or ``ValueError`` (right kind, wrong value) that names the argument.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np


def check_real(
    value: object,
    name: str,
    *,
    low: float = -math.inf,
    low_open: bool = True,
    high: float = math.inf,
    high_open: bool = True,
) -> float:
    """Return ``value`` as a finite float inside the given interval.

    Parameters
    ----------
    value : object
        What the caller received.
    name : str
        The argument's name, for the error message.
    low, high : float
        Bounds of the interval.
    low_open, high_open : bool
        Whether the bounds are excluded.

    Raises
    ------
    TypeError
        If ``value`` is not a real number (booleans are rejected).
    ValueError
        If it is NaN, infinite or outside the interval.
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    out = float(value)
    below = out <= low if low_open else out < low
    above = out >= high if high_open else out > high
    if not math.isfinite(out) or below or above:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        raise ValueError(f"{name} must be a finite number in {left}{low}, {high}{right}, got {value!r}")
    return out


def check_int(value: object, name: str, *, low: int = 0, high: int | None = None) -> int:
    """Return ``value`` as an int with ``low <= value <= high``.

    Raises
    ------
    TypeError
        If ``value`` is not an integer (booleans are rejected).
    ValueError
        If it is outside ``[low, high]``.
    """
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    out = int(value)
    if out < low or (high is not None and out > high):
        upper = "" if high is None else f" and <= {high}"
        raise ValueError(f"{name} must be >= {low}{upper}, got {out}")
    return out


def as_generator(rng: object, name: str = "rng") -> np.random.Generator:
    """Return ``rng`` as a numpy Generator: a Generator as is, an int or None as a seed.

    Raises
    ------
    TypeError
        If ``rng`` is anything else (booleans are rejected).
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, Integral) and not isinstance(rng, bool)):
        return np.random.default_rng(None if rng is None else int(rng))
    raise TypeError(f"{name} must be a numpy.random.Generator, an int seed or None, got {type(rng).__name__}")


def check_float_dtype(dtype: object, name: str = "dtype") -> type:
    """Return ``dtype`` as ``numpy.float32`` or ``numpy.float64``.

    Raises
    ------
    TypeError
        If it is any other dtype (integers would silently truncate shares).
    """
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{name} must be numpy.float32 or numpy.float64, got {dtype!r}") from None
    if resolved not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"{name} must be numpy.float32 or numpy.float64, got {resolved}")
    return resolved.type


def positive_int(value: object, name: str, minimum: int = 1) -> int:
    """Return ``value`` as an ``int`` if it is an integer of at least ``minimum``, else raise.

    Raises
    ------
    TypeError
        If ``value`` is not an integer (booleans are rejected).
    ValueError
        If ``value`` is smaller than ``minimum``.
    """
    kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be {kind}, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be {kind}, got {value!r}")
    return int(value)


def positive_float(value: object, name: str) -> float:
    """Return ``value`` as a ``float`` if it is a finite positive number, else raise."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a positive number, got {type(value).__name__} {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite positive number, got {value!r}")
    return float(value)
