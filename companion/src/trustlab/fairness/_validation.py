"""Validation shared by the fairness metrics and post-processors."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray


def as_label_vector(
    values: ArrayLike,
    name: str,
    n: int | None = None,
    *,
    length_of: str = "y_pred",
    shape_hint: str = "",
) -> NDArray:
    """Return ``values`` as a non-empty 1-D array of labels without missing entries.

    Parameters
    ----------
    values : array-like of shape (n_samples,) or (n_samples, 1)
        Labels of any hashable kind (class labels, group labels).
    name : str
        The argument's name, for error messages.
    n : int, optional
        Required length.
    length_of : str, default="y_pred"
        What the length must match, for the error message.
    shape_hint : str, optional
        Appended to the error for arrays that are not 1-D.

    Raises
    ------
    ValueError
        If ``values`` is not 1-D, is empty, has the wrong length or holds NaN/None.
    """
    arr = np.asarray(values)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D{shape_hint}; got an array of shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must not be empty")
    if n is not None and arr.shape[0] != n:
        raise ValueError(f"{name} must have the same length as {length_of} ({n}); got {arr.shape[0]}")
    missing = pd.isna(arr)
    if np.any(missing):
        raise ValueError(
            f"{name} must not contain missing values (NaN/None); got {int(missing.sum())} missing"
        )
    return arr
