"""Throughput of the CorDP noise against plain numpy local DP, and of the explicit pairwise protocol.

Ours: ``trustlab.privacy.privatize`` with the O(n d) covariance sampler (cordp-cov), which
draws noise with exactly the protocol's distribution. Anchor: what a user would write for
LDP, ``X + sigma * rng.standard_normal(X.shape)`` (same n, d, one numpy Generator), the
cheapest possible Gaussian mechanism. Also: the explicit pairwise-mask protocol
(cordp-protocol), O(n^2 d), for the n where a simulation would still use it.
Goal: n = 10^4 users with d = 10^3 in seconds (CorDP within 2x of LDP's time).
Times are the best of 5 runs, one thread.
"""

from __future__ import annotations

import functools

import numpy as np
from _common import timed, write_result

from trustlab.book import set_threads
from trustlab.privacy import CorDPDesign, cordp_optimal, ldp_params, privatize

LARGE = [(1_000, 1_000), (10_000, 1_000), (10_000, 100)]
PAIRWISE = [(20, 10_000), (50, 10_000), (100, 10_000)]
REPEATS = 5


def ldp_numpy(X: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    return X + sigma * rng.standard_normal(X.shape)


def main() -> None:
    set_threads(1)
    rows = []
    for n, d in LARGE + PAIRWISE:
        design = CorDPDesign(n, n // 10, n // 100, eps=1.0)
        params = cordp_optimal(design)
        X = np.random.default_rng(0).uniform(-1, 1, (n, d))
        rng = np.random.default_rng(1)
        t_ldp, _ = timed(functools.partial(ldp_numpy, X, np.sqrt(ldp_params(design).x), rng), REPEATS)
        t_cov, _ = timed(functools.partial(privatize, X, params, rng), REPEATS)
        t_pair = float("nan")
        if (n, d) in PAIRWISE:
            t_pair, _ = timed(functools.partial(privatize, X, params, rng, method="pairwise"), REPEATS)
        rows.append([n, d, t_ldp, t_cov, t_cov / t_ldp, t_pair, t_pair / t_cov])
        print(
            f"n={n:>6} d={d:>6}: LDP {t_ldp:.4f} s, CorDP {t_cov:.4f} s ({t_cov / t_ldp:.2f}x), pairwise {t_pair:.4f} s"
        )
    big = next(r for r in rows if r[0] == 10_000 and r[1] == 1_000)
    goal_met = bool(big[3] < 5.0 and big[4] <= 2.0)
    write_result(
        "bench_cordp_throughput",
        {
            "title": "CorDP noise throughput against plain numpy LDP",
            "description": (
                "Time to privatise an n x d matrix: CorDP through its covariance (trustlab.privacy.privatize, "
                "O(nd)) against the plain numpy Gaussian mechanism of LDP, and the explicit pairwise-mask "
                "protocol (O(n^2 d)) for small n. Best of 5, one thread; T = n/10, D = n/100, eps = 1."
            ),
            "goal": "n = 10^4, d = 10^3 in seconds; CorDP within 2x of plain LDP",
            "goal_met": goal_met,
            "summary": (
                f"n = 10^4, d = 10^3: CorDP {big[3]:.2f} s, LDP {big[2]:.2f} s (CorDP / LDP = {big[4]:.2f}); "
                f"pairwise protocol at n = 100, d = 10^4 is {rows[-1][6]:.0f}x the covariance sampler"
            ),
            "columns": [
                "n",
                "d",
                "seconds, LDP (numpy)",
                "seconds, CorDP (covariance)",
                "CorDP / LDP",
                "seconds, CorDP (pairwise)",
                "pairwise / covariance",
            ],
            "rows": rows,
        },
    )


if __name__ == "__main__":
    main()
