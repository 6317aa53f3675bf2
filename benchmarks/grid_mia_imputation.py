"""The full grid of the fair-trees chapter: three imputers (mean, k-NN, iterative) x three
group-dependent mechanisms (MCAR, MAR, MNAR) x both real data sets, each with a depth-3 tree,
the tree inside ExponentiatedGradient (eps 0.01 and 0.05) and post-processed by
ThresholdOptimizer, scikit-learn's NaN tree and the fair MIA tree (lam 0, 0.2, 0.5, 1). Adult: 6,000 training / 6,000 test rows, injected deletions of
``hours_per_week`` (30 %) and the household answers (marital status and relationship, 40 %), men
only, the paper's rates, on top of its own missing entries, FPR gap; COMPAS:
the paper's rates, 70/30 split, FNR gap. Seed 0.

Run: ``TRUSTLAB_THREADS=1 .venv/bin/python benchmarks/grid_mia_imputation.py`` (a few minutes).
"""

from __future__ import annotations

import numpy as np
from _common import write_result
from tqdm.auto import tqdm

from trustlab.book import seed_everything, set_threads
from trustlab.fairness import (
    IMPUTERS,
    MECHANISMS,
    adult_with_missing,
    compare_on_missing_data,
    compas_with_missing,
)

SEED = 0
N_ADULT = 6000


def splits(mechanism: str):
    adult = adult_with_missing(mechanism, random_state=SEED)
    pick = np.random.default_rng(SEED).choice(len(adult.y), 2 * N_ADULT, replace=False)
    yield "adult", "fpr", adult.subset(pick[:N_ADULT]), adult.subset(pick[N_ADULT:])
    yield "compas", "fnr", *compas_with_missing(mechanism, random_state=SEED).split(0.3, random_state=SEED)


def main() -> None:
    set_threads(1)
    seed_everything(SEED)
    rows = []
    for mechanism in tqdm(MECHANISMS, desc="mechanisms"):
        for name, gap, train, test in splits(mechanism):
            table = compare_on_missing_data(
                train,
                test,
                gap,
                imputers=IMPUTERS,
                eps=(0.01, 0.05),
                lams=(0.0, 0.2, 0.5, 1.0),
                random_state=SEED,
            )
            for _, r in table.iterrows():
                param = (
                    None
                    if r["param"] is None or (isinstance(r["param"], float) and np.isnan(r["param"]))
                    else r["param"]
                )
                rows.append(
                    [name, mechanism, gap, r["method"], param, r["accuracy"], r[gap], r["fit_seconds"]]
                )
    write_result(
        "grid_mia_imputation",
        {
            "title": "Imputers x mechanisms x data sets: imputation + fair learning vs the fair MIA tree",
            "description": (
                "Seed 0; depth-3 trees; test accuracy and the regularised gap (Adult: FPR, COMPAS: FNR); "
                "param = ExpGrad eps or MIA lam."
            ),
            "columns": ["data", "mechanism", "gap_kind", "method", "param", "accuracy", "gap", "fit_seconds"],
            "rows": rows,
        },
    )


if __name__ == "__main__":
    main()
