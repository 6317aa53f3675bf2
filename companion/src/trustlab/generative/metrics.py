"""Offline quality metrics for generated digits: Frechet distance in a classifier's feature
space, classifier accuracy, and pixel statistics (eqs. ``frechet`` and ``traits`` of the
chapter ``book/generative/diffusion-collapse.md``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import linalg
from sklearn.neural_network import MLPClassifier

from trustlab._checks import positive_int


def _as_images(x: object, name: str) -> np.ndarray:
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name} must be a numpy array or torch tensor, got {type(x).__name__}")
    if x.ndim < 2 or x.shape[0] < 2:
        raise ValueError(f"{name} must be (n, ...) with n >= 2, got shape {x.shape}")
    x = x.reshape(x.shape[0], -1).astype(np.float64)
    if not np.isfinite(x).all():
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return x


def frechet_distance(feat_a: np.ndarray, feat_b: np.ndarray) -> float:
    """Frechet distance between Gaussians fitted to two feature sets (eq. ``frechet``).

    :math:`\\|\\mu_a-\\mu_b\\|^2 + \\operatorname{tr}(\\Sigma_a+\\Sigma_b-2(\\Sigma_a\\Sigma_b)^{1/2})`.

    Parameters
    ----------
    feat_a, feat_b : numpy.ndarray
        Features, shapes ``(n_a, d)`` and ``(n_b, d)``.
    """
    a, b = _as_images(feat_a, "feat_a"), _as_images(feat_b, "feat_b")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"feat_a and feat_b must have the same width, got {a.shape[1]} and {b.shape[1]}")
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.atleast_2d(np.cov(a, rowvar=False)), np.atleast_2d(np.cov(b, rowvar=False))
    # tr (S_a S_b)^{1/2} = tr (S_a^{1/2} S_b S_a^{1/2})^{1/2}: symmetric, so eigh is stable
    # even when dead ReLU features make the covariances singular.
    vals, vecs = linalg.eigh(cov_a)
    half_a = (vecs * np.sqrt(np.clip(vals, 0, None))) @ vecs.T
    inner = linalg.eigvalsh(half_a @ cov_b @ half_a)
    root_trace = np.sum(np.sqrt(np.clip(inner, 0, None)))
    return float(np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2 * root_trace)


class DigitFeatures:
    """A one-hidden-layer classifier trained on real digits; its hidden layer is the feature map.

    Parameters
    ----------
    hidden : int
        Width of the hidden (feature) layer.
    random_state : int
        Seed of scikit-learn's MLP.
    """

    def __init__(self, hidden: int = 64, random_state: int = 0) -> None:
        self.hidden = positive_int(hidden, "hidden")
        self.random_state = random_state

    def fit(self, x: np.ndarray, y: np.ndarray) -> DigitFeatures:
        """Fit on images ``x`` (``(n, pixels)`` in [-1, 1], any image size) with labels ``y``."""
        x = _as_images(x, "x")
        y = np.asarray(y)
        if y.shape != (x.shape[0],):
            raise ValueError(f"y must have shape ({x.shape[0]},), got {y.shape}")
        self.clf_ = MLPClassifier(
            hidden_layer_sizes=(self.hidden,), max_iter=400, alpha=1e-3, random_state=self.random_state
        ).fit(x, y)
        return self

    def transform(self, x: np.ndarray) -> np.ndarray:
        """Hidden-layer (ReLU) activations, shape ``(n, hidden)``."""
        x = _as_images(x, "x")
        return np.maximum(x @ self.clf_.coefs_[0] + self.clf_.intercepts_[0], 0.0)

    def accuracy(self, x: np.ndarray, y: np.ndarray) -> float:
        """Share of images ``x`` classified as their intended label ``y``."""
        return float(np.mean(self.clf_.predict(_as_images(x, "x")) == np.asarray(y)))

    def distance(self, x: np.ndarray, reference: np.ndarray) -> float:
        """Frechet distance between ``x`` and ``reference`` in this feature space."""
        return frechet_distance(self.transform(x), self.transform(reference))


def _image_side(n_pixels: int, side: int | None) -> int:
    """The side of square images of ``n_pixels`` pixels: ``side`` if given, else inferred."""
    if side is None:
        side = int(round(np.sqrt(n_pixels)))
        if side * side != n_pixels:
            raise ValueError(f"x must hold square images, got {n_pixels} pixels per image")
        return side
    side = positive_int(side, "side")
    if n_pixels != side * side:
        raise ValueError(f"x must hold {side}x{side} images ({side * side} pixels), got {n_pixels}")
    return side


def hf_energy(x: np.ndarray, side: int | None = None) -> np.ndarray:
    """Per-image high-frequency energy: mean squared difference of adjacent pixels (eq. ``traits``).

    Parameters
    ----------
    x : numpy.ndarray or torch.Tensor
        Square images ``(n, side * side)`` in [-1, 1], of any size.
    side : int, optional
        Image side length; inferred from the number of pixels when omitted.

    Returns
    -------
    numpy.ndarray
        Shape ``(n,)``.
    """
    x = _as_images(x, "x")
    side = _image_side(x.shape[1], side)
    img = x.reshape(-1, side, side)
    dh = (np.diff(img, axis=2) ** 2).mean(axis=(1, 2))
    dv = (np.diff(img, axis=1) ** 2).mean(axis=(1, 2))
    return 0.5 * (dh + dv)


def pixel_stats(x: np.ndarray, side: int | None = None, threshold: float = 0.9) -> dict[str, float]:
    """Trait statistics of square images in [-1, 1] of any size (eq. ``traits``).

    ``side`` is passed to :func:`hf_energy` (inferred when omitted).

    Returns
    -------
    dict
        ``saturation``: share of pixels with ``|x| > threshold``; ``hf_energy``: mean of
        :func:`hf_energy`; ``ink``: mean of ``(x + 1) / 2``; ``contrast``: mean per-image
        standard deviation.
    """
    x = _as_images(x, "x")
    return {
        "saturation": float(np.mean(np.abs(x) > threshold)),
        "hf_energy": float(hf_energy(x, side).mean()),
        "ink": float(np.mean((x + 1) / 2)),
        "contrast": float(np.mean(x.std(axis=1))),
    }


def chain_table(
    datasets: list[np.ndarray], features: DigitFeatures, reference: np.ndarray, labels: np.ndarray
) -> pd.DataFrame:
    """One row per round: Frechet distance to ``reference``, accuracy on ``labels``, pixel stats."""
    rows = []
    for n, d in enumerate(datasets, start=1):
        d = _as_images(d, "datasets[i]")
        rows.append(
            {
                "round": n,
                "fd": features.distance(d, reference),
                "accuracy": features.accuracy(d, labels),
                **pixel_stats(d),
            }
        )
    return pd.DataFrame(rows).set_index("round")
