"""The syndrome-subspace error locator: P - Q - 1 random errors located, P - Q detected."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trustlab.coded import (
    GPDCode,
    UndecodableError,
    evaluation_points,
    locate_errors,
    parity_check,
    relative_error,
)


def _codewords(P, Q, width, rng):
    pts = evaluation_points(P)
    coeffs = rng.standard_normal((Q, width)) + 1j * rng.standard_normal((Q, width))
    return pts, np.vander(pts, Q, increasing=True) @ coeffs


def _exhaustive_consistent(Y, pts, Q, tol=1e-8):
    """Slow reference decoder: the largest set of results consistent with one polynomial."""
    import itertools

    P = len(pts)
    for size in range(P, Q, -1):
        for keep in itertools.combinations(range(P), size):
            keep = list(keep)
            V = np.vander(pts[keep], Q, increasing=True)
            coef, *_ = np.linalg.lstsq(V, Y[keep], rcond=None)
            if np.linalg.norm(V @ coef - Y[keep]) <= tol * np.linalg.norm(Y[keep]):
                return sorted(set(range(P)) - set(keep))
    return None


def test_parity_check_annihilates_codewords():
    rng = np.random.default_rng(0)
    pts, Y = _codewords(10, 4, 3, rng)
    H = parity_check(pts, 4)
    assert H.shape == (6, 10)
    assert np.abs(H @ Y).max() < 1e-12


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 8))
def test_random_errors_up_to_p_minus_q_minus_1(seed, redundancy):
    rng = np.random.default_rng(seed)
    Q = int(rng.integers(2, 7))
    P = Q + redundancy
    pts, Y = _codewords(P, Q, 10, rng)
    n_err = int(rng.integers(0, redundancy))
    bad = np.sort(rng.choice(P, n_err, replace=False))
    Y[bad] += rng.standard_normal((n_err, 10)) * 3
    np.testing.assert_array_equal(locate_errors(Y, pts, Q, rng=seed), bad)


def test_matches_exhaustive_decoder():
    rng = np.random.default_rng(5)
    P, Q = 9, 4
    for trial in range(30):
        pts, Y = _codewords(P, Q, 4, rng)
        bad = np.sort(rng.choice(P, int(rng.integers(0, P - Q)), replace=False))
        Y[bad] += rng.standard_normal((len(bad), 4))
        assert list(locate_errors(Y, pts, Q, rng=trial)) == _exhaustive_consistent(Y, pts, Q)


def test_p_minus_q_errors_are_detected():
    rng = np.random.default_rng(1)
    P, Q = 12, 5
    for trial in range(50):
        pts, Y = _codewords(P, Q, 8, rng)
        bad = rng.choice(P, P - Q, replace=False)
        Y[bad] += rng.standard_normal((P - Q, 8))
        with pytest.raises(UndecodableError, match="at least 7 results are in error"):
            locate_errors(Y, pts, Q, rng=trial)


def _adversarial_pattern(P: int, Q: int, rng: np.random.Generator):
    """floor((P-Q)/2) + 1 errors along a codeword difference d that vanishes on Q - 1 workers.

    Returns the evaluation points, the true codewords ``Y0``, the difference ``d``, the corrupted results ``Y`` and
    the corrupted rows ``hit``.
    """
    pts, Y0 = _codewords(P, Q, 4, rng)
    zeros, hit = np.arange(Q - 1), np.arange(Q - 1, Q - 1 + (P - Q) // 2 + 1)
    d = np.prod(pts[:, None] - pts[zeros][None, :], axis=1)[:, None] * rng.standard_normal((1, 4))
    Y = Y0.copy()
    Y[hit] += d[hit]
    return pts, Y0, d, Y, hit


def test_adversarial_pattern_defeats_decoding():
    rng = np.random.default_rng(2)
    P, Q = 12, 6
    pts, Y0, d, Y, hit = _adversarial_pattern(P, Q, rng)
    # the wrong codeword Y0 + d disagrees with Y at fewer places than the true one
    assert np.sum(np.abs(Y - (Y0 + d)).max(axis=1) > 1e-9) < len(hit)
    try:
        found = locate_errors(Y, pts, Q, rng=0)
    except UndecodableError:
        return
    assert list(found) != list(hit)


def test_too_narrow_results_are_detected_not_miscorrected():
    """With fewer entries per result than errors the syndromes lose rank: the pattern is reported."""
    rng = np.random.default_rng(6)
    P, Q = 12, 5
    for trial in range(20):
        pts, Y = _codewords(P, Q, 3, rng)
        bad = rng.choice(P, 5, replace=False)
        Y[bad] += rng.standard_normal((5, 3))
        with pytest.raises(UndecodableError, match="not decodable"):
            locate_errors(Y, pts, Q, rng=trial)


def test_gpd_decode_with_errors():
    rng = np.random.default_rng(4)
    code = GPDCode(2, 2, 2, 14)
    A, B = rng.standard_normal((6, 8)), rng.standard_normal((8, 6))
    Y = code.worker_products(*code.encode(A, B))
    Y[[2, 7, 11]] += 5.0 * rng.standard_normal(Y[[2, 7, 11]].shape)
    C, bad = code.decode_with_errors(Y, np.arange(14), rng=0)
    assert list(bad) == [2, 7, 11] and relative_error(C, A @ B) < 1e-10


def test_bad_input():
    pts = evaluation_points(5)
    with pytest.raises(ValueError, match="one entry per result"):
        locate_errors(np.zeros((4, 2)), pts, 3)
    with pytest.raises(UndecodableError, match="more than K=5"):
        locate_errors(np.zeros((5, 2)), pts, 5)
    with pytest.raises(ValueError, match="more than Q=5 points"):
        parity_check(pts, 5)


def test_adversarial_pattern_with_odd_redundancy_only_ties():
    """With P - Q odd, floor((P-Q)/2) + 1 errors make the wrong codeword as close as the true one
    (a tie, not closer): decoding is ambiguous, and the locator reports it."""
    rng = np.random.default_rng(7)
    P, Q = 12, 5
    pts, Y0, d, Y, hit = _adversarial_pattern(P, Q, rng)
    assert np.sum(np.abs(Y - (Y0 + d)).max(axis=1) > 1e-9) == len(hit)
    with pytest.raises(UndecodableError):
        locate_errors(Y, pts, Q, rng=0)


def test_linearly_dependent_errors_are_corrected_by_the_fallback():
    """Errors that are multiples of one block leave the syndromes short of rank, so the subspace
    locator cannot place them; within floor((P-Q)/2) the Berlekamp-Welch fallback does."""
    rng = np.random.default_rng(8)
    P, Q = 15, 9
    for trial in range(20):
        pts, Y = _codewords(P, Q, 6, rng)
        bad = np.sort(rng.choice(P, 3, replace=False))
        block = rng.standard_normal(6)
        for factor, w in enumerate(bad, start=1):
            Y[w] += factor * block
        assert list(locate_errors(Y, pts, Q, rng=trial)) == list(bad)


def test_berlekamp_welch_matches_the_exhaustive_decoder():
    """Slow reference for the fallback: the largest consistent set, on rank-one error patterns."""
    rng = np.random.default_rng(12)
    P, Q = 10, 5
    for trial in range(5):
        pts, Y = _codewords(P, Q, 3, rng)
        bad = np.sort(rng.choice(P, 2, replace=False))
        Y[bad] += np.outer([1.0, -3.0], rng.standard_normal(3))
        assert _exhaustive_consistent(Y, pts, Q) == list(bad)
        assert list(locate_errors(Y, pts, Q, rng=trial)) == list(bad)


def test_non_finite_results_are_erasures():
    rng = np.random.default_rng(9)
    code = GPDCode(2, 2, 2, 14)
    A, B = rng.standard_normal((6, 8)), rng.standard_normal((8, 6))
    Y = code.worker_products(*code.encode(A, B))
    Y[3, 0, 0] = np.nan
    Y[5, 1, 1] = np.inf
    Y[10] += 5.0 * rng.standard_normal(Y[10].shape)
    C, bad = code.decode_with_errors(Y, np.arange(14), rng=0)
    assert list(bad) == [3, 5, 10] and relative_error(C, A @ B) < 1e-10
    Y[[0, 1, 2, 4]] = np.nan  # 6 erasures leave 8 < K = 9 results
    with pytest.raises(UndecodableError, match="not finite"):
        code.decode_with_errors(Y, np.arange(14), rng=0)


def test_locator_arguments():
    pts = evaluation_points(6)
    with pytest.raises(ValueError, match="rtol must be a finite number"):
        locate_errors(np.zeros((6, 2)), pts, 3, rtol=-1.0)
    with pytest.raises(ValueError, match="n_coeffs must be >= 1"):
        locate_errors(np.zeros((6, 2)), pts, 0)
