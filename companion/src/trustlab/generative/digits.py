"""scikit-learn's bundled 8x8 digits as diffusion data: a sharp fine-tuning domain and a
blurred pretraining domain (no download), optionally upsampled to larger images."""

from __future__ import annotations

import numbers

import numpy as np
import torch
from scipy import ndimage
from sklearn.datasets import load_digits

from trustlab._checks import positive_int

NATIVE_SIDE = 8


def digit_images(
    blur: float = 0.0, contrast: float = 1.0, side: int = NATIVE_SIDE
) -> tuple[torch.Tensor, torch.Tensor]:
    """The 1797 digits scaled to [-1, 1], optionally blurred, with reduced contrast, upsampled.

    Parameters
    ----------
    blur : float
        Standard deviation of a Gaussian blur in pixels of the native 8x8 grid (applied before
        upsampling, so a domain looks the same at every ``side``); 0 keeps the images sharp.
    contrast : float
        Factor in (0, 1] applied to the images in [-1, 1] after blurring.
    side : int
        Side length of the returned images, at least 8. Above 8 each image is upsampled by
        bilinear interpolation (``scipy.ndimage.zoom``, order 1, deterministic): the same
        data on a finer grid, no new detail. 8 returns the original pixels unchanged.

    Returns
    -------
    x : torch.Tensor
        Shape ``(1797, side * side)``, float32, in [-1, 1].
    y : torch.Tensor
        Labels 0..9, int64.
    """
    for name, value in (("blur", blur), ("contrast", contrast)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if blur < 0:
        raise ValueError(f"blur must be >= 0, got {blur!r}")
    if not 0 < contrast <= 1:
        raise ValueError(f"contrast must lie in (0, 1], got {contrast!r}")
    side = positive_int(side, "side", minimum=NATIVE_SIDE)
    data = load_digits()
    img = data.images / 16.0
    if blur > 0:
        img = ndimage.gaussian_filter(img, sigma=(0, blur, blur), mode="constant")
    if side != NATIVE_SIDE:
        # One vectorised call over the stack; order 1 stays within [0, 1] (convex weights),
        # the clip only removes rounding.
        img = np.clip(ndimage.zoom(img, (1, side / NATIVE_SIDE, side / NATIVE_SIDE), order=1), 0.0, 1.0)
    x = contrast * (2 * img.reshape(len(img), -1) - 1)
    return torch.tensor(x, dtype=torch.float32), torch.tensor(data.target, dtype=torch.long)
