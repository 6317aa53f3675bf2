"""Coded training of a fully connected network with simulated, error-prone workers.

Each weight matrix :math:`W` (``out x in``, split ``m x n``) is stored encoded at ``P``
simulated workers, :math:`\\tilde W(u_w) = \\sum_{ij} W_{ij} u_w^{j + n i}` (chapter
*Generalized PolyDot codes*, section "Coded training on the digits"). The three matrix products of a training step
are coded (``gpd-forward``, ``gpd-backward``, ``gpd-update``):

- forward :math:`Y = W X`: worker ``w`` multiplies :math:`\\tilde W(u_w)` by
  :math:`\\tilde X(u_w) = \\sum_k X_k u_w^{n-1-k}`; block :math:`Y_i` is the coefficient of
  :math:`u^{n i + n - 1}`; any :math:`K_f = mn + n - 1` results suffice (GPD with ``p = 1``);
- backward :math:`Z = W^\\top \\Delta`: worker ``w`` multiplies :math:`\\tilde W(u_w)^\\top` by
  :math:`\\tilde\\Delta(u_w) = \\sum_l \\Delta_l u_w^{n(m-1-l)}`; block :math:`Z_j` is the
  coefficient of :math:`u^{n(m-1)+j}`; :math:`K_b = n(2m - 1)`;
- update :math:`W \\leftarrow W - \\eta \\Delta X^\\top`: worker ``w`` subtracts
  :math:`\\eta\\, (\\sum_i \\Delta_i u_w^{n i}) (\\sum_j X_j u_w^{j})^\\top`, which by linearity
  is the encoding of the updated weight: nothing is re-encoded.

Soft errors (:func:`inject_soft_errors`) hit worker outputs; the master locates them with
:func:`~trustlab.coded.locate_errors` before decoding. The stored weights themselves
form a ``(P, mn)`` MDS code, so an error in an update is located the same way and the worker's
copy is repaired (ours: a scrub after each update). The encode, locate and interpolate calls
are the ones :mod:`trustlab.coded.distributed` uses over gloo.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from trustlab._checks import check_int, check_real
from trustlab.coded.polydot import (
    UndecodableError,
    evaluate,
    evaluation_points,
    interpolate,
    join_blocks,
    locate_errors,
    split_blocks,
)


@dataclass
class SoftErrors:
    """The probabilistic soft-error model: each worker output is hit independently.

    Parameters
    ----------
    p_err : float
        Probability that a worker output is corrupted.
    magnitude : float
        A corrupted output gets Gaussian noise of standard deviation ``magnitude`` times the
        output's root-mean-square value.
    rng : numpy.random.Generator or int, optional
        Source of randomness.
    """

    p_err: float = 0.0
    magnitude: float = 10.0
    rng: Any = None
    injected: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.p_err = check_real(self.p_err, "p_err", low=0.0, low_open=False, high=1.0, high_open=False)
        self.magnitude = check_real(self.magnitude, "magnitude", low=0.0, low_open=False)
        self.rng = np.random.default_rng(self.rng)

    def __call__(self, outputs: np.ndarray) -> np.ndarray:
        """Return ``outputs`` (shape ``(P, ...)``) with errors injected (a copy if any)."""
        return inject_soft_errors(outputs, self)


def inject_soft_errors(outputs: np.ndarray, errors: SoftErrors) -> np.ndarray:
    """Corrupt each of the ``P`` worker outputs with probability ``errors.p_err``."""
    hit = errors.rng.random(outputs.shape[0]) < errors.p_err
    if not hit.any():
        return outputs
    out = outputs.copy()
    rms = np.sqrt(np.mean(np.abs(outputs[hit]) ** 2, axis=tuple(range(1, outputs.ndim)), keepdims=True))
    noise = errors.rng.standard_normal(out[hit].shape)
    if np.iscomplexobj(out):
        noise = noise + 1j * errors.rng.standard_normal(out[hit].shape)
    out[hit] += errors.magnitude * np.maximum(rms, 1e-12) * noise
    errors.injected += int(hit.sum())
    return out


@dataclass
class Counters:
    """What the coded layers saw: errors located and operations recomputed (undecodable)."""

    located: int = 0
    recomputed: int = 0


class CodedLinear:
    """A weight matrix stored GPD-encoded at ``P`` simulated workers (``gpd-update``).

    Parameters
    ----------
    weight : numpy.ndarray
        ``W``, shape ``(out, in)``, with ``out`` divisible by ``m`` and ``in`` by ``n``.
    m, n : int
        The split of ``W``.
    n_workers : int
        ``P``; at least ``K_b + 1 = n(2m - 1) + 1`` so that an error can be detected.
    errors : SoftErrors, optional
        Soft errors injected into every worker output (forward, backward and update).
    counters : Counters, optional
        Shared counters.
    """

    def __init__(
        self,
        weight: np.ndarray,
        m: int,
        n: int,
        n_workers: int,
        errors: SoftErrors | None = None,
        counters: Counters | None = None,
        max_retries: int = 20,
    ) -> None:
        self.m, self.n = check_int(m, "m", low=1), check_int(n, "n", low=1)
        self.k_forward = m * n + n - 1
        self.k_backward = n * (2 * m - 1)
        self.n_workers = check_int(n_workers, "n_workers", low=max(self.k_forward, self.k_backward) + 1)
        self.points = evaluation_points(self.n_workers)
        i, j = np.divmod(np.arange(m * n), n)
        self._w_exp = j + n * i
        self.errors = errors or SoftErrors()
        self.counters = counters or Counters()
        self.max_retries = max_retries
        self.shape = tuple(np.shape(weight))
        self.encoded = evaluate(
            split_blocks(np.asarray(weight, dtype=np.float64), m, n, "weight"), self.points, self._w_exp
        )

    def weight(self) -> np.ndarray:
        """Decode ``W`` from the stored encodings (any ``mn`` of them)."""
        blocks = interpolate(self.encoded, self.points, self.m * self.n, self._w_exp).real
        return join_blocks(blocks, self.m, self.n)

    def _robust(self, compute: Any, n_coeffs: int, wanted: np.ndarray) -> np.ndarray:
        """Run ``compute`` (all worker outputs), inject errors, locate them, interpolate ``wanted``.

        An undecodable pattern (too many errors, detected) is recomputed.
        """
        for _ in range(self.max_retries):
            outputs = self.errors(compute())
            try:
                bad = locate_errors(outputs, self.points, n_coeffs, rng=self.errors.rng)
            except UndecodableError:
                self.counters.recomputed += 1
                continue
            self.counters.located += len(bad)
            keep = np.setdiff1d(np.arange(self.n_workers), bad)
            return interpolate(outputs[keep], self.points[keep], n_coeffs, wanted).real
        raise UndecodableError(f"no decodable set of worker outputs in {self.max_retries} attempts")

    def forward(self, x: np.ndarray) -> np.ndarray:
        """``W @ x`` for ``x`` of shape ``(in, batch)`` (``gpd-forward``)."""
        m, n = self.m, self.n
        x_enc = evaluate(split_blocks(x, n, 1, "x"), self.points, n - 1 - np.arange(n))
        wanted = n * np.arange(m) + n - 1
        blocks = self._robust(lambda: self.encoded @ x_enc, self.k_forward, wanted)
        return blocks.reshape(-1, x.shape[1])

    def backward(self, delta: np.ndarray) -> np.ndarray:
        """``W.T @ delta`` for ``delta`` of shape ``(out, batch)`` (``gpd-backward``)."""
        m, n = self.m, self.n
        d_enc = evaluate(split_blocks(delta, m, 1, "delta"), self.points, n * (m - 1 - np.arange(m)))
        wanted = n * (m - 1) + np.arange(n)
        blocks = self._robust(lambda: np.swapaxes(self.encoded, 1, 2) @ d_enc, self.k_backward, wanted)
        return blocks.reshape(-1, delta.shape[1])

    def update(self, delta: np.ndarray, x: np.ndarray, lr: float) -> None:
        """``W <- W - lr * delta @ x.T`` applied to the encodings, no re-encoding (``gpd-update``).

        Errors in the workers' update products are located in the stored encodings (a
        ``(P, mn)`` code) and the hit workers' copies are repaired from the others.
        """
        m, n = self.m, self.n
        d_enc = evaluate(split_blocks(delta, m, 1, "delta"), self.points, n * np.arange(m))
        x_enc = evaluate(split_blocks(x, n, 1, "x"), self.points, np.arange(n))
        for _ in range(self.max_retries):
            new = self.encoded - lr * self.errors(d_enc @ np.swapaxes(x_enc, 1, 2))
            try:
                bad = locate_errors(new, self.points, m * n, rng=self.errors.rng)
                break
            except UndecodableError:
                self.counters.recomputed += 1
        else:
            raise UndecodableError(f"no decodable weight update in {self.max_retries} attempts")
        if len(bad):
            self.counters.located += len(bad)
            keep = np.setdiff1d(np.arange(self.n_workers), bad)
            coeffs = interpolate(new[keep], self.points[keep], m * n, self._w_exp)
            new[bad] = evaluate(coeffs, self.points[bad], self._w_exp)
        self.encoded = new


class UncodedLinear:
    """The same layer on ``mn`` workers without redundancy: worker ``(i, j)`` holds ``W_ij``."""

    def __init__(self, weight: np.ndarray, m: int, n: int, errors: SoftErrors | None = None) -> None:
        self.m, self.n = check_int(m, "m", low=1), check_int(n, "n", low=1)
        self.blocks = split_blocks(np.asarray(weight, dtype=np.float64), m, n, "weight").copy()
        self.errors = errors or SoftErrors()

    def weight(self) -> np.ndarray:
        """The stored ``W``."""
        return join_blocks(self.blocks, self.m, self.n)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """``W @ x``: worker ``(i, j)`` returns ``W_ij x_j``; the master sums over ``j``."""
        xs = split_blocks(x, self.n, 1, "x")
        parts = self.errors(self.blocks @ np.tile(xs, (self.m, 1, 1)))
        return parts.reshape(self.m, self.n, -1, x.shape[1]).sum(axis=1).reshape(-1, x.shape[1])

    def backward(self, delta: np.ndarray) -> np.ndarray:
        """``W.T @ delta``: worker ``(i, j)`` returns ``W_ij.T delta_i``; the master sums over ``i``."""
        ds = np.repeat(split_blocks(delta, self.m, 1, "delta"), self.n, axis=0)
        parts = self.errors(np.swapaxes(self.blocks, 1, 2) @ ds)
        return parts.reshape(self.m, self.n, -1, delta.shape[1]).sum(axis=0).reshape(-1, delta.shape[1])

    def update(self, delta: np.ndarray, x: np.ndarray, lr: float) -> None:
        """``W_ij <- W_ij - lr * delta_i x_j.T`` at each worker (errors hit the products)."""
        ds = np.repeat(split_blocks(delta, self.m, 1, "delta"), self.n, axis=0)
        xs = np.tile(split_blocks(x, self.n, 1, "x"), (self.m, 1, 1))
        self.blocks = self.blocks - lr * self.errors(ds @ np.swapaxes(xs, 1, 2))


class PlainLinear:
    """The reference: ``W`` in one place, exact products."""

    def __init__(self, weight: np.ndarray) -> None:
        self.w = np.asarray(weight, dtype=np.float64).copy()

    def weight(self) -> np.ndarray:
        """The stored ``W``."""
        return self.w

    def forward(self, x: np.ndarray) -> np.ndarray:
        """``W @ x``."""
        return self.w @ x

    def backward(self, delta: np.ndarray) -> np.ndarray:
        """``W.T @ delta``."""
        return self.w.T @ delta

    def update(self, delta: np.ndarray, x: np.ndarray, lr: float) -> None:
        """``W <- W - lr * delta @ x.T``."""
        self.w = self.w - lr * delta @ x.T


@dataclass
class TrainResult:
    """Test accuracy after each epoch, the final weights and the error counters."""

    accuracy: list[float]
    weights: list[np.ndarray]
    injected: int
    counters: Counters


def train_mlp(
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    *,
    mode: str = "plain",
    hidden: int = 32,
    m: int = 2,
    n: int = 2,
    n_workers: int = 12,
    p_err: float = 0.0,
    magnitude: float = 10.0,
    epochs: int = 10,
    batch_size: int = 32,
    lr: float = 0.1,
    seed: int = 0,
) -> TrainResult:
    """Train a one-hidden-layer ReLU network with softmax cross-entropy by mini-batch SGD.

    Parameters
    ----------
    X_train, y_train, X_test, y_test : numpy.ndarray
        Features (rows are samples) and integer labels ``0..C-1``.
    mode : {"plain", "coded", "uncoded"}
        Exact products; :class:`CodedLinear` on ``n_workers`` workers; :class:`UncodedLinear`
        on ``mn`` workers.
    hidden, m, n, n_workers : int
        Hidden width and the code (``hidden``, the input and class counts must split).
    p_err, magnitude : float
        The soft-error model (:class:`SoftErrors`), applied in the coded and uncoded modes.
    epochs, batch_size, lr, seed
        SGD settings; the seed fixes the initial weights, the batches and the errors, so the
        three modes see the same batches.
    """
    if mode not in ("plain", "coded", "uncoded"):
        raise ValueError(f"mode must be 'plain', 'coded' or 'uncoded', got {mode!r}")
    X_train, y_train = _check_data(X_train, y_train, "X_train", "y_train")
    X_test, y_test = _check_data(X_test, y_test, "X_test", "y_test")
    if X_test.shape[1] != X_train.shape[1]:
        raise ValueError(f"X_test must have {X_train.shape[1]} features like X_train, got {X_test.shape[1]}")
    batch_size = check_int(batch_size, "batch_size", low=1, high=len(X_train))
    n_classes = int(max(y_train.max(), y_test.max())) + 1
    rng = np.random.default_rng(seed)
    sizes = [(hidden, X_train.shape[1]), (n_classes, hidden)]
    init = [rng.standard_normal(s) * np.sqrt(2.0 / s[1]) for s in sizes]
    biases = [np.zeros((s[0], 1)) for s in sizes]
    errors = SoftErrors(p_err, magnitude, rng=np.random.default_rng(seed + 1))
    counters = Counters()
    if mode == "coded":
        layers = [CodedLinear(w, m, n, n_workers, errors, counters) for w in init]
    elif mode == "uncoded":
        layers = [UncodedLinear(w, m, n, errors) for w in init]
    else:
        layers = [PlainLinear(w) for w in init]
    onehot = np.eye(n_classes)[y_train].T
    accuracy = []
    order_rng = np.random.default_rng(seed + 2)
    for _ in range(epochs):
        order = order_rng.permutation(len(X_train))
        for start in range(0, len(order) - batch_size + 1, batch_size):
            idx = order[start : start + batch_size]
            x = X_train[idx].T
            h = np.maximum(layers[0].forward(x) + biases[0], 0.0)
            logits = layers[1].forward(h) + biases[1]
            prob = np.exp(logits - logits.max(axis=0))
            prob /= prob.sum(axis=0)
            d2 = (prob - onehot[:, idx]) / batch_size
            d1 = layers[1].backward(d2) * (h > 0)
            layers[1].update(d2, h, lr)
            layers[0].update(d1, x, lr)
            biases[1] -= lr * d2.sum(axis=1, keepdims=True)
            biases[0] -= lr * d1.sum(axis=1, keepdims=True)
        accuracy.append(_accuracy([lay.weight() for lay in layers], biases, X_test, y_test))
    return TrainResult(accuracy, [lay.weight() for lay in layers], errors.injected, counters)


def _accuracy(weights: list[np.ndarray], biases: list[np.ndarray], X: np.ndarray, y: np.ndarray) -> float:
    h = np.maximum(weights[0] @ X.T + biases[0], 0.0)
    logits = weights[1] @ h + biases[1]
    return float(np.mean(np.argmax(logits, axis=0) == y))


def _check_data(X: Any, y: Any, x_name: str, y_name: str) -> tuple[np.ndarray, np.ndarray]:
    """Finite 2-D float features and matching non-negative integer labels."""
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    if X.ndim != 2 or len(X) == 0 or not np.isfinite(X).all():
        raise ValueError(f"{x_name} must be a non-empty, finite 2-D array, got shape {X.shape}")
    if y.shape != (len(X),) or not np.issubdtype(y.dtype, np.integer) or y.min() < 0:
        raise ValueError(
            f"{y_name} must hold {len(X)} non-negative integer labels, got shape {y.shape} and dtype {y.dtype}"
        )
    return X, y
