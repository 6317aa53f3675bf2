"""Tests of trustlab.privacy.shamir: field and real Shamir sharing, reconstruction, BGW."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trustlab.privacy import (
    PRIME,
    bgw_multiply,
    field_lagrange_at_zero,
    field_points,
    field_reconstruct,
    field_share,
    real_lagrange_at_zero,
    real_reconstruct,
    real_share,
)


def _lagrange_reference(values: list[int], points: list[int], prime: int) -> int:
    """Slow reference: Lagrange interpolation at zero with Python integers."""
    total = 0
    for i, (xi, yi) in enumerate(zip(points, values, strict=True)):
        num, den = 1, 1
        for j, xj in enumerate(points):
            if j != i:
                num *= xj
                den *= xj - xi
        total += yi * num * pow(den % prime, -1, prime)
    return total % prime


def test_field_share_reconstructs_from_every_t_plus_1_subset():
    rng = np.random.default_rng(0)
    secrets = rng.integers(0, PRIME, size=50)
    t, n = 2, 5
    shares = field_share(secrets, t, n, rng)
    points = field_points(n)
    for subset in itertools.combinations(range(n), t + 1):
        idx = list(subset)
        np.testing.assert_array_equal(field_reconstruct(shares[idx], points[idx]), secrets)


def test_field_reconstruct_matches_python_integer_reference():
    rng = np.random.default_rng(1)
    shares = field_share(rng.integers(0, PRIME, size=8), 3, 6, rng)
    points = field_points(6)
    ours = field_reconstruct(shares[:4], points[:4])
    ref = [_lagrange_reference(shares[:4, k].tolist(), points[:4].tolist(), PRIME) for k in range(8)]
    assert ours.tolist() == ref


def test_t_shares_are_uniform_whatever_the_secret():
    """Perfect privacy over the field: t shares of 0 and of 1 have the same (uniform) law."""
    rng = np.random.default_rng(2)
    prime, n_draws = 7, 14_000
    counts = {}
    for secret in (0, 1):
        shares = field_share(np.full(n_draws, secret), 2, 3, rng, prime=prime)[:2]
        counts[secret] = np.bincount(shares[0] * prime + shares[1], minlength=prime**2)
    expected = n_draws / prime**2
    for secret in (0, 1):
        chi2 = ((counts[secret] - expected) ** 2 / expected).sum()
        assert chi2 < 48 + 5 * np.sqrt(2 * 48), f"secret {secret}: chi2 {chi2:.1f} over 48 dof"


def test_fewer_than_t_plus_1_shares_do_not_reconstruct():
    rng = np.random.default_rng(3)
    secrets = rng.integers(0, PRIME, size=200)
    shares = field_share(secrets, 2, 4, rng)
    wrong = field_reconstruct(shares[:2], field_points(4)[:2])
    assert np.mean(wrong == secrets) < 0.01


@settings(max_examples=60, deadline=None)
@given(
    t=st.integers(1, 3),
    extra=st.integers(0, 2),
    a=st.lists(st.integers(0, PRIME - 1), min_size=1, max_size=6),
    seed=st.integers(0, 2**32 - 1),
    data=st.data(),
)
def test_bgw_multiplies_exactly_over_the_field(t, extra, a, seed, data):
    b = data.draw(st.lists(st.integers(0, PRIME - 1), min_size=len(a), max_size=len(a)))
    rng = np.random.default_rng(seed)
    n = 2 * t + 1 + extra
    points = field_points(n)
    product_shares = bgw_multiply(field_share(a, t, n, rng), field_share(b, t, n, rng), t, rng)
    expected = [x * y % PRIME for x, y in zip(a, b, strict=True)]
    # the output is a degree-t sharing: any t + 1 nodes reconstruct the product
    subset = sorted(data.draw(st.permutations(range(n)))[: t + 1])
    assert field_reconstruct(product_shares[subset], points[subset]).tolist() == expected


def test_bgw_products_compose():
    rng = np.random.default_rng(4)
    t, n = 1, 3
    a, b, c = (rng.integers(0, PRIME, size=20) for _ in range(3))
    ab = bgw_multiply(field_share(a, t, n, rng), field_share(b, t, n, rng), t, rng)
    abc = bgw_multiply(ab, field_share(c, t, n, rng), t, rng)
    expected = [(int(x) * int(y) % PRIME) * int(z) % PRIME for x, y, z in zip(a, b, c, strict=True)]
    assert field_reconstruct(abc[:2], field_points(n)[:2]).tolist() == expected


def test_bgw_refuses_an_honest_minority():
    rng = np.random.default_rng(5)
    shares = field_share([3, 4], 2, 4, rng)
    with pytest.raises(ValueError, match="2t \\+ 1 = 5"):
        bgw_multiply(shares, shares, 2, rng)


def test_degree_2t_product_needs_2t_plus_1_points():
    """With 2t nodes the local products do not determine ab (why BGW needs an honest majority)."""
    rng = np.random.default_rng(6)
    t, n = 2, 4
    a, b = rng.integers(0, PRIME, size=100), rng.integers(0, PRIME, size=100)
    local = field_share(a, t, n, rng) * field_share(b, t, n, rng) % PRIME
    guess = field_reconstruct(local, field_points(n))
    assert np.mean(guess == a.astype(object) * b % PRIME) < 0.01


def test_field_lagrange_weights_sum_to_one():
    weights = field_lagrange_at_zero([1, 2, 3, 4], prime=101)
    assert int(weights.sum()) % 101 == 1


def test_real_sharing_reconstructs_in_float64_and_float32():
    rng = np.random.default_rng(7)
    secrets = rng.standard_normal(1000)
    points = np.array([1.0, 2.0, 3.0, 4.0])
    shares = real_share(secrets, 3, points, 1.0, rng)
    np.testing.assert_allclose(real_reconstruct(shares, points), secrets, atol=1e-12)
    shares32 = real_share(secrets, 3, points, 1.0, rng, dtype=np.float32)
    rec32 = real_reconstruct(shares32, points)
    assert rec32.dtype == np.float32
    assert np.max(np.abs(rec32 - secrets)) < 1e-3


def test_real_lagrange_weights_match_vandermonde_solve():
    points = np.array([0.5, -1.0, 2.0, 3.5])
    V = np.vander(points, 4, increasing=True)
    np.testing.assert_allclose(real_lagrange_at_zero(points), np.linalg.inv(V)[0], rtol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"secret": [1], "t": 0, "n_nodes": 3}, ValueError, "t must be >= 1"),
        ({"secret": [1], "t": 2, "n_nodes": 2}, ValueError, "n_nodes must be at least t \\+ 1"),
        ({"secret": [1.5], "t": 1, "n_nodes": 3}, TypeError, "secret must be an array of integers"),
        ({"secret": [PRIME], "t": 1, "n_nodes": 3}, ValueError, "secret must lie in \\[0, prime\\)"),
        ({"secret": [1], "t": 1, "n_nodes": 3, "prime": 15}, ValueError, "prime must be a prime"),
        ({"secret": [1], "t": 1, "n_nodes": 3, "prime": 2**31 + 11}, ValueError, "below 2\\*\\*31"),
        ({"secret": [1], "t": 1, "n_nodes": 3, "points": [1, 1, 2]}, ValueError, "distinct"),
        ({"secret": [1], "t": 1, "n_nodes": 3, "points": [0, 1, 2]}, ValueError, "non-zero"),
        ({"secret": [1], "t": 1.0, "n_nodes": 3}, TypeError, "t must be an integer"),
    ],
)
def test_field_share_rejects_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        field_share(rng=np.random.default_rng(0), **kwargs)


def test_bad_rng_and_shapes_are_rejected():
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        field_share([1], 1, 3, rng=0)
    with pytest.raises(ValueError, match="points must be 1-D and of length 2"):
        field_reconstruct([[1], [2]], [1, 2, 3])
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="one equal shape"):
        bgw_multiply(np.zeros((3, 2), dtype=np.int64), np.zeros((3, 1), dtype=np.int64), 1, rng)
    with pytest.raises(ValueError, match="points must be finite"):
        real_share([1.0], 1, [1.0, np.nan], 1.0, rng)
    with pytest.raises(ValueError, match="coef_std must be finite and >= 0"):
        real_share([1.0], 1, [1.0, 2.0], -1.0, rng)


def test_real_share_rejects_nan_and_integer_dtypes():
    """Review finding: NaN secrets were shared and dtype=int32 silently truncated the shares."""
    rng = np.random.default_rng(0)
    points = [1.0, 2.0, 3.0]
    with pytest.raises(ValueError, match="secret must be finite"):
        real_share([1.0, np.nan], 1, points, 1.0, rng)
    with pytest.raises(TypeError, match="dtype must be numpy.float32 or numpy.float64, got int32"):
        real_share([1.0], 1, points, 1.0, rng, dtype=np.int32)
    assert real_share([1.0], 1, points, 1.0, rng, dtype=np.float32).dtype == np.float32
