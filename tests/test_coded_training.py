"""Coded training: exact equivalence without errors, update without re-encoding, errors corrected."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from trustlab.coded import UndecodableError, evaluate, evaluation_points, split_blocks
from trustlab.coded.training import CodedLinear, Counters, SoftErrors, UncodedLinear, train_mlp

RNG = np.random.default_rng(0)


def test_forward_backward_exact():
    W = RNG.standard_normal((6, 8))
    layer = CodedLinear(W, 2, 2, 10)
    x, d = RNG.standard_normal((8, 5)), RNG.standard_normal((6, 5))
    np.testing.assert_allclose(layer.forward(x), W @ x, atol=1e-12)
    np.testing.assert_allclose(layer.backward(d), W.T @ d, atol=1e-12)
    np.testing.assert_allclose(layer.weight(), W, atol=1e-12)


def test_update_equals_reencoding():
    W = RNG.standard_normal((6, 8))
    layer = CodedLinear(W, 3, 2, 12)
    d, x = RNG.standard_normal((6, 4)), RNG.standard_normal((8, 4))
    layer.update(d, x, 0.3)
    new = W - 0.3 * d @ x.T
    reencoded = evaluate(split_blocks(new, 3, 2, "W"), evaluation_points(12), layer._w_exp)
    np.testing.assert_allclose(layer.encoded, reencoded, atol=1e-12)


def test_errors_are_located_and_removed():
    W = RNG.standard_normal((8, 8))
    counters = Counters()
    errors = SoftErrors(0.2, 10.0, rng=1)
    layer = CodedLinear(W, 2, 2, 12, errors, counters)
    x, d = RNG.standard_normal((8, 6)), RNG.standard_normal((8, 6))
    for _ in range(20):
        np.testing.assert_allclose(layer.forward(x), W @ x, atol=1e-9)
        np.testing.assert_allclose(layer.backward(d), W.T @ d, atol=1e-9)
    layer.update(d, x, 0.1)
    np.testing.assert_allclose(layer.weight(), W - 0.1 * d @ x.T, atol=1e-9)
    assert errors.injected > 0 and counters.located + 0 >= errors.injected - 12 * counters.recomputed


def test_uncoded_layer_is_exact_without_errors_and_wrong_with_them():
    W = RNG.standard_normal((6, 8))
    x = RNG.standard_normal((8, 3))
    np.testing.assert_allclose(UncodedLinear(W, 2, 2).forward(x), W @ x, atol=1e-12)
    np.testing.assert_allclose(UncodedLinear(W, 2, 2).backward(x[:6]), W.T @ x[:6], atol=1e-12)
    noisy = UncodedLinear(W, 2, 2, SoftErrors(1.0, 1.0, rng=0))
    assert np.abs(noisy.forward(x) - W @ x).max() > 1e-3


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16.0, y, test_size=0.25, random_state=0, stratify=y)


def test_coded_training_matches_clean_training_under_errors(digits):
    X_tr, X_te, y_tr, y_te = digits
    clean = train_mlp(X_tr, y_tr, X_te, y_te, mode="plain", epochs=2, seed=3)
    coded = train_mlp(X_tr, y_tr, X_te, y_te, mode="coded", p_err=0.05, epochs=2, seed=3)
    assert coded.injected > 0
    for a, b in zip(clean.weights, coded.weights, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-9)
    assert coded.accuracy == clean.accuracy


def test_bad_input(digits):
    X_tr, X_te, y_tr, y_te = digits
    with pytest.raises(ValueError, match="mode must be"):
        train_mlp(X_tr, y_tr, X_te, y_te, mode="replicated")
    with pytest.raises(ValueError, match="p_err must be a finite number in \\[0.0, 1.0\\]"):
        SoftErrors(1.5)
    with pytest.raises(ValueError, match="n_workers must be >= 7"):
        CodedLinear(np.zeros((4, 4)), 2, 2, 6)
    with pytest.raises(ValueError, match="does not split"):
        CodedLinear(np.zeros((5, 4)), 2, 2, 12)


def test_bad_data(digits):
    X_tr, X_te, y_tr, y_te = digits
    with pytest.raises(ValueError, match="X_train must be a non-empty, finite 2-D array"):
        train_mlp(np.where(X_tr > 0.5, np.nan, X_tr), y_tr, X_te, y_te)
    with pytest.raises(ValueError, match="y_train must hold"):
        train_mlp(X_tr, y_tr.astype(float), X_te, y_te)
    with pytest.raises(ValueError, match="X_test must have 64 features"):
        train_mlp(X_tr, y_tr, X_te[:, :32], y_te)
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        train_mlp(X_tr[:8], y_tr[:8], X_te, y_te, batch_size=32)


def test_undecodable_updates_give_up_after_max_retries():
    layer = CodedLinear(np.ones((4, 4)), 2, 2, 12, errors=SoftErrors(1.0, rng=0), max_retries=3)
    with pytest.raises(UndecodableError, match="no decodable weight update in 3 attempts"):
        layer.update(np.ones((4, 2)), np.ones((4, 2)), 0.1)
