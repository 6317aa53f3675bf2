"""scikit-learn's bundled 8x8 digits as diffusion data: a sharp fine-tuning domain and a
blurred pretraining domain (no download)."""

from __future__ import annotations

import numbers

import torch
from scipy import ndimage
from sklearn.datasets import load_digits


def digit_images(blur: float = 0.0, contrast: float = 1.0) -> tuple[torch.Tensor, torch.Tensor]:
    """The 1797 digits scaled to [-1, 1], optionally blurred and with reduced contrast.

    Parameters
    ----------
    blur : float
        Standard deviation (pixels) of a Gaussian blur; 0 keeps the images sharp.
    contrast : float
        Factor in (0, 1] applied to the images in [-1, 1] after blurring.

    Returns
    -------
    x : torch.Tensor
        Shape ``(1797, 64)``, float32.
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
    data = load_digits()
    img = data.images / 16.0
    if blur > 0:
        img = ndimage.gaussian_filter(img, sigma=(0, blur, blur), mode="constant")
    x = contrast * (2 * img.reshape(len(img), -1) - 1)
    return torch.tensor(x, dtype=torch.float32), torch.tensor(data.target, dtype=torch.long)
