"""Argument checks shared by the Gaussian-mechanism, CorDP and audit modules."""

from __future__ import annotations

import math
from numbers import Integral, Real


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
