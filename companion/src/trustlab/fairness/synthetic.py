"""Seeded synthetic multi-class, multi-group populations with base-model probabilities."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from sklearn.utils import check_random_state

__all__ = ["make_multigroup_classification"]


def make_multigroup_classification(
    n_samples: int,
    n_classes: int = 5,
    n_groups: int = 5,
    random_state: int | np.random.RandomState | None = None,
    *,
    separation: tuple[float, float] = (0.8, 2.0),
    noise: float = 1.0,
) -> tuple[NDArray[np.float64], NDArray[np.intp], NDArray[np.intp]]:
    """A population whose base classifier is calibrated but unfair across groups.

    Generative model (all draws from ``random_state``):

    * group proportions ``π ~ Dirichlet(8·1)``, ``s_i ~ Categorical(π)``;
    * per-group class priors ``q_s ~ Dirichlet(3·1)``, label ``y_i ~ Categorical(q_{s_i})``;
    * per-group signal strengths ``a_s`` evenly spaced over ``separation`` (randomly
      permuted), score ``z_i = a_{s_i} e_{y_i} + noise · ε_i`` with ``ε_i ~ N(0, I_C)``;
    * base probabilities = the exact posterior of a group-aware model,
      ``P(Y = c | z_i, s_i) = softmax_c(log q_{s_i,c} + a_{s_i} z_ic / noise²)``.

    The probabilities are therefore calibrated (``y_i`` is a draw from them given
    ``(z_i, s_i)``), while groups differ in class priors (statistical-parity gaps) and in
    accuracy (equalized-odds gaps), as a base model fitted with the group as a feature would.

    Parameters
    ----------
    n_samples : int
        Number of samples ``n ≥ 1``.
    n_classes : int, default=5
        Number of classes ``C ≥ 2``.
    n_groups : int, default=5
        Number of groups ``|S| ≥ 2``.
    random_state : int, RandomState or None
        Seed.
    separation : (float, float), default=(0.8, 2.0)
        Range of the per-group signal strengths ``a_s > 0``.
    noise : float, default=1.0
        Score noise standard deviation.

    Returns
    -------
    probs : ndarray of shape (n_samples, n_classes)
    y : ndarray of int, shape (n_samples,)
    groups : ndarray of int, shape (n_samples,)

    Examples
    --------
    >>> probs, y, s = make_multigroup_classification(1000, 3, 2, random_state=0)
    >>> probs.shape, y.shape, s.shape
    ((1000, 3), (1000,), (1000,))
    """
    for name, value, low in (
        ("n_samples", n_samples, 1),
        ("n_classes", n_classes, 2),
        ("n_groups", n_groups, 2),
    ):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}; got {value!r}")
    lo, hi = separation
    if not (0 < lo <= hi and np.isfinite(hi)):
        raise ValueError(f"separation must be (low, high) with 0 < low <= high; got {separation!r}")
    if not (np.isfinite(noise) and noise > 0):
        raise ValueError(f"noise must be a finite number > 0; got {noise!r}")
    rng = check_random_state(random_state)
    group_p = rng.dirichlet(np.full(n_groups, 8.0))
    priors = rng.dirichlet(np.full(n_classes, 3.0), size=n_groups)
    strength = rng.permutation(np.linspace(lo, hi, n_groups))
    groups = rng.choice(n_groups, size=n_samples, p=group_p).astype(np.intp)
    # inverse-CDF draw of y_i | s_i, vectorised over samples
    cdf = np.cumsum(priors, axis=1)
    cdf[:, -1] = 1.0
    u = rng.random_sample(n_samples)
    y = (u[:, None] > cdf[groups]).sum(axis=1).astype(np.intp)
    a = strength[groups]
    z = noise * rng.standard_normal((n_samples, n_classes))
    z[np.arange(n_samples), y] += a
    logits = np.log(priors[groups]) + (a / noise**2)[:, None] * z
    logits -= logits.max(axis=1, keepdims=True)
    probs = np.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)
    return probs, y, groups
