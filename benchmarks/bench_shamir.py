"""Throughput of Shamir reconstruction and of the layered decoder against plain numpy.

Reconstruction interpolates the shares at zero. A user without `trustlab` would solve the
Vandermonde system for all coefficients with `numpy.linalg.solve` and keep the constant one;
ours applies the precomputed Lagrange weights (dpm-lagrange) with one `tensordot`. Over the
field the anchor is the same Lagrange sum in Python integers (numpy has no modular solve).
The layered decoder (dpm-lmmse) is timed against the same Vandermonde solve for all
products at once. Medians of 5 runs, one thread.

Run: ``TRUSTLAB_THREADS=1 .venv/bin/python benchmarks/bench_shamir.py`` (about 20 s).
"""

from __future__ import annotations

import statistics
import time

import numpy as np
from _common import write_result

from trustlab.book import set_threads
from trustlab.privacy import (
    PRIME,
    LayeredMultiplication,
    field_lagrange_at_zero,
    field_points,
    field_reconstruct,
    field_share,
    lmmse_weights,
    real_reconstruct,
    real_share,
)

REPEATS = 5


def median_time(fn) -> tuple[float, object]:
    times, result = [], None
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def python_field_reconstruct(shares: np.ndarray, points: np.ndarray) -> list[int]:
    weights = [int(w) for w in field_lagrange_at_zero(points)]
    return [sum(w * int(s) for w, s in zip(weights, column, strict=True)) % PRIME for column in shares.T]


def main() -> None:
    set_threads(1)
    rng = np.random.default_rng(0)
    rows = []

    # reals: t = 3, 7 nodes, 10^6 secrets
    t, points = 3, np.arange(1.0, 8.0)
    secrets = rng.standard_normal(1_000_000)
    shares = real_share(secrets, t, points, 1.0, rng)
    ours, rec = median_time(lambda: real_reconstruct(shares[: t + 1], points[: t + 1]))
    V = np.vander(points[: t + 1], t + 1, increasing=True)
    anchor, rec_np = median_time(lambda: np.linalg.solve(V, shares[: t + 1])[0])
    assert np.allclose(rec, secrets) and np.allclose(rec_np, secrets)
    rows.append(["real reconstruct, t=3, 10^6 secrets", "numpy.linalg.solve", ours, anchor, anchor / ours])

    # field: t = 3, 7 nodes, 10^5 secrets
    field_secrets = rng.integers(0, PRIME, size=100_000)
    fshares = field_share(field_secrets, t, 7, rng)
    fpoints = field_points(7)[: t + 1]
    ours, rec = median_time(lambda: field_reconstruct(fshares[: t + 1], fpoints))
    start = time.perf_counter()
    ref = python_field_reconstruct(fshares[: t + 1], fpoints)
    anchor = time.perf_counter() - start
    assert rec.tolist() == ref == field_secrets.tolist()
    rows.append(["field reconstruct, t=3, 10^5 secrets", "Python integers", ours, anchor, anchor / ours])

    # layered decoder: t = 3, N = 4, 10^5 products
    scheme = LayeredMultiplication(3, sigma=1.0, h=1e-2)
    a, b = rng.standard_normal((2, 100_000))
    products = scheme.share(a, rng) * scheme.share(b, rng)
    ours, est = median_time(lambda: scheme.decode(products))
    V = np.vander(scheme.points, 4, increasing=True)
    gamma, kappa = lmmse_weights(1.0, scheme.sigma_z)

    def numpy_decode() -> np.ndarray:
        coeffs = np.linalg.solve(V, products)
        return gamma * (coeffs[0] - kappa * coeffs[3])

    anchor, est_np = median_time(numpy_decode)
    assert np.allclose(est, est_np, rtol=1e-6, atol=1e-6)
    rows.append(["layered decode, t=3, 10^5 products", "numpy.linalg.solve", ours, anchor, anchor / ours])

    summary = "; ".join(f"{r[0]}: {r[4]:.1f}x faster than {r[1]}" for r in rows)
    print(summary)
    write_result(
        "bench_shamir",
        {
            "title": "Shamir reconstruction and layered decoding against plain numpy",
            "description": (
                "Median wall time (5 runs, one thread) of trustlab.privacy's Lagrange-weight "
                "reconstruction and layered decoder against the routes a user would write with numpy."
            ),
            "goal": "no slower than the plain numpy route",
            "goal_met": all(r[4] >= 1 for r in rows),
            "summary": summary,
            "columns": ["task", "anchor", "ours (s)", "anchor (s)", "speed-up"],
            "rows": rows,
        },
    )


if __name__ == "__main__":
    main()
