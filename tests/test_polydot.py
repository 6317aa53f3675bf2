"""Generalized PolyDot, Polynomial and MatDot codes: thresholds, any-K decoding, stability, bad input."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from trustlab.coded import (
    GPDCode,
    UndecodableError,
    evaluation_points,
    interpolation_rows,
    join_blocks,
    matdot_code,
    original_polydot_threshold,
    polynomial_code,
    recovery_threshold,
    relative_error,
    split_blocks,
)


def _reference_product_poly(A, B, code, x):
    """Slow reference: evaluate p_A(x) p_B(x) block by block."""
    a = split_blocks(A, code.m, code.n, "A")
    b = split_blocks(B, code.n, code.p, "B")
    pa = sum(blk * x**e for blk, e in zip(a, code.a_exponents, strict=True))
    pb = sum(blk * x**e for blk, e in zip(b, code.b_exponents, strict=True))
    return pa @ pb


def test_thresholds():
    assert recovery_threshold(2, 2, 2) == 9
    assert recovery_threshold(1, 4, 1) == 7
    assert recovery_threshold(4, 1, 4) == 16
    assert original_polydot_threshold(2, 2) == 12
    assert polynomial_code(3, 2, 6).threshold == 6
    assert matdot_code(5, 9).threshold == 9


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 5))
def test_exponent_bookkeeping(m, n, p):
    code = GPDCode(m, n, p, recovery_threshold(m, n, p))
    ea, eb = code.a_exponents, code.b_exponents
    wanted = set(code.c_exponents.tolist())
    assert len(wanted) == m * p
    degree = 0
    for (ia, a), (ib, b) in itertools.product(enumerate(ea), enumerate(eb)):
        i, j = divmod(ia, n)
        k, l_ = divmod(ib, p)
        e = a + b
        degree = max(degree, e)
        if j == k:
            assert e == code.c_exponents[i * p + l_]
        else:
            assert e not in wanted, "garbage must never land on a wanted exponent"
    assert degree + 1 == code.threshold
    if m == p:
        assert code.threshold <= original_polydot_threshold(m, n)


@pytest.mark.parametrize("mnp", [(2, 1, 2), (1, 4, 1), (2, 2, 2), (3, 2, 1)])
def test_encoder_matches_slow_reference(mnp):
    rng = np.random.default_rng(1)
    m, n, p = mnp
    code = GPDCode(m, n, p, recovery_threshold(m, n, p) + 2)
    A, B = rng.standard_normal((3 * m, 2 * n)), rng.standard_normal((2 * n, 2 * p))
    Y = code.worker_products(*code.encode(A, B))
    for w, x in enumerate(code.points):
        np.testing.assert_allclose(Y[w], _reference_product_poly(A, B, code, x), atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from([(2, 1, 2), (1, 3, 1), (2, 2, 2), (1, 2, 3), (3, 1, 1)]),
    st.integers(0, 4),
    st.integers(0, 2**32 - 1),
)
def test_any_k_subset_decodes(mnp, stragglers, seed):
    rng = np.random.default_rng(seed)
    m, n, p = mnp
    code = GPDCode(m, n, p, recovery_threshold(m, n, p) + stragglers)
    A, B = rng.standard_normal((2 * m, 3 * n)), rng.standard_normal((3 * n, 2 * p))
    Y = code.worker_products(*code.encode(A, B))
    workers = rng.choice(code.n_workers, code.threshold, replace=False)
    assert relative_error(code.decode(Y[workers], workers), A @ B) < 1e-11


def test_all_subsets_2_2_2_with_four_stragglers():
    rng = np.random.default_rng(0)
    code = GPDCode(2, 2, 2, 13)
    A, B = rng.standard_normal((8, 8)), rng.standard_normal((8, 8))
    Y = code.worker_products(*code.encode(A, B))
    worst = max(
        relative_error(code.decode(Y[list(s)], list(s)), A @ B) for s in itertools.combinations(range(13), 9)
    )
    assert worst < 1e-12


def test_k_minus_one_results_are_not_enough():
    rng = np.random.default_rng(2)
    code = GPDCode(2, 2, 2, 12)
    A, B = rng.standard_normal((4, 4)), rng.standard_normal((4, 4))
    Y = code.worker_products(*code.encode(A, B))
    with pytest.raises(UndecodableError, match="at least K=9"):
        code.decode(Y[:8], np.arange(8))
    # and the (K-1) x K system really is rank deficient
    vander = np.vander(code.points[:8], 9, increasing=True)
    assert np.linalg.matrix_rank(vander) == 8


def test_unit_circle_beats_real_points_for_large_k():
    rng = np.random.default_rng(3)
    A, B = rng.standard_normal((30, 30)), rng.standard_normal((30, 30))
    errs = {}
    for kind in ("unit_circle", "equispaced"):
        code = GPDCode(3, 3, 3, 32, kind)
        Y = code.worker_products(*code.encode(A, B))
        errs[kind] = max(
            relative_error(code.decode(Y[w], w), A @ B)
            for w in (rng.choice(32, 29, replace=False) for _ in range(10))
        )
    assert errs["unit_circle"] < 1e-12
    assert errs["equispaced"] > 1e3 * errs["unit_circle"]


def test_interpolation_rows_are_rows_of_the_inverse():
    pts = evaluation_points(7)
    full = np.linalg.inv(np.vander(pts, 7, increasing=True))
    np.testing.assert_allclose(interpolation_rows(pts, 7, np.array([1, 4])), full[[1, 4]], atol=1e-12)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_torch_backend(dtype):
    gen = torch.Generator().manual_seed(0)
    A = torch.randn(12, 8, dtype=dtype, generator=gen)
    B = torch.randn(8, 6, dtype=dtype, generator=gen)
    code = GPDCode(2, 2, 2, 11)
    Y = code.worker_products(*code.encode(A, B))
    w = np.array([10, 1, 3, 5, 7, 9, 0, 2, 4])
    C = code.decode(Y[w], w)
    assert isinstance(C, torch.Tensor) and C.dtype == dtype
    assert relative_error(C, A.double() @ B.double()) < (1e-12 if dtype == torch.float64 else 1e-5)


def test_split_and_join_roundtrip():
    x = np.arange(24.0).reshape(4, 6)
    np.testing.assert_array_equal(join_blocks(split_blocks(x, 2, 3, "x"), 2, 3), x)


def test_bad_input():
    with pytest.raises(
        ValueError, match="n_workers must be at least the recovery threshold K = mnp \\+ n - 1 = 9"
    ):
        GPDCode(2, 2, 2, 8)
    with pytest.raises(ValueError, match="does not split into 2 x 2"):
        GPDCode(2, 2, 2, 9).encode(np.zeros((5, 4)), np.zeros((4, 4)))
    with pytest.raises(ValueError, match="A.shape\\[1\\] == B.shape\\[0\\]"):
        GPDCode(2, 2, 2, 9).encode(np.zeros((4, 4)), np.zeros((6, 4)))
    with pytest.raises(ValueError, match="points_kind"):
        GPDCode(1, 1, 1, 3, "random")
    with pytest.raises(TypeError, match="m must be an integer"):
        GPDCode(2.0, 2, 2, 9)
    with pytest.raises(ValueError, match="m must be >= 1"):
        recovery_threshold(0, 1, 1)
    with pytest.raises(ValueError, match="distinct indices"):
        GPDCode(1, 1, 1, 3).decode(np.zeros((2, 1, 1)), [0, 0])
    with pytest.raises(ValueError, match="kind must be one of"):
        evaluation_points(4, "grid")


def test_complex_inputs_are_not_truncated_to_their_real_part():
    rng = np.random.default_rng(11)
    code = GPDCode(2, 2, 2, 12)
    A = rng.standard_normal((4, 6)) + 1j * rng.standard_normal((4, 6))
    B = rng.standard_normal((6, 4))
    Y = code.worker_products(*code.encode(A, B))
    C = code.decode(Y[:9], np.arange(9))
    assert np.iscomplexobj(C) and relative_error(C, A @ B) < 1e-12
    real = code.decode(code.worker_products(*code.encode(A.real, B))[:9], np.arange(9))
    assert not np.iscomplexobj(real) and real.dtype == np.float64
    assert code.decode(Y[:9], np.arange(9), real=True).dtype == np.float64  # asked for: the real part
    single = code.decode(
        code.worker_products(*code.encode(A.real.astype(np.float32), B.astype(np.float32)))[:9], np.arange(9)
    )
    assert single.dtype == np.float32


def test_non_finite_or_non_numeric_inputs_are_refused():
    code = GPDCode(2, 2, 2, 12)
    A = np.ones((4, 4))
    A[1, 2] = np.nan
    with pytest.raises(ValueError, match="A must be finite"):
        code.encode(A, np.ones((4, 4)))
    with pytest.raises(ValueError, match="B must be finite"):
        code.encode(np.ones((4, 4)), torch.full((4, 4), float("inf")))
    with pytest.raises(TypeError, match="A must be a numeric array"):
        code.encode_a(np.array([["a", "b"], ["c", "d"]]))
    C = code.decode(code.worker_products(*code.encode([[1, 2], [3, 4]], [[1, 0], [0, 1]]))[:9], np.arange(9))
    assert np.allclose(C, [[1, 2], [3, 4]])
    with pytest.raises(ValueError, match="results must be a stack"):
        code.decode(np.zeros((9, 2)), np.arange(9))
