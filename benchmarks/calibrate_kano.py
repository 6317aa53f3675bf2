"""Seed calibration of the claims checked in book/sciml/kano.md.

For seeds 0-4 (data, initialisations and mini-batches all follow the seed) this runs the
chapter's `cpu`-scale pipeline and records, per seed:

- G1 f = x^2 f - f'': relative L2 error of the FNO and of KANO, trained on family A, on held-out
  samples of families A and B, and the ratios FNO / KANO (claim 1: >= 5 on both families);
- the symbolic read-out of KANO's combined symbol alpha p + beta: the fitted coefficients of
  x^2 and xi^2 (claim 2: within 5 % of 1);
- the double-well Q-KANO trained on position and momentum PMFs: the mean state infidelity over
  the 90-step test rollout (claim 3: below 1e-2) and the read-out coefficients of x^2, x^4, xi^2.

SIZES must equal the chapter's `cpu` sizes; the chapter checks that it does.
Run: ``TRUSTLAB_THREADS=1 .venv/bin/python benchmarks/calibrate_kano.py`` (about 6-10 minutes
on a loaded 2-core machine).
"""

from __future__ import annotations

import time

import numpy as np
import torch
from _common import write_result

from trustlab.book import seed_everything, set_threads
from trustlab.sciml import (
    QKANO,
    FNO1d,
    KANLayer,
    apply_operator,
    count_parameters,
    double_well,
    effective_symbol,
    fit_symbol,
    gaussian_packets,
    infidelity,
    make_grid,
    make_kano,
    pmfs,
    relative_l2,
    sample_family,
    split_step,
    train_operator,
    train_qkano,
    wavenumbers,
)

SEEDS = range(5)
SIZES = {
    "n_grid": 128,
    "half_width": 8.0,
    "n_train": 1000,
    "n_test": 200,
    "kano_modes": 32,
    "kano_grid": 10,
    "kano_symbol_scale": 100.0,
    "kano_steps": 2000,
    "kano_lr": 0.02,
    "kano_decay_fraction": 0.25,
    "fno_width": 32,
    "fno_modes": 16,
    "fno_layers": 4,
    "fno_steps": 1500,
    "fno_lr": 0.003,
    "q_grid": 64,
    "q_half_width": 6.0,
    "q_dT": 0.05,
    "q_train": 64,
    "q_train_steps": 50,
    "q_test": 32,
    "q_test_steps": 90,
    "q_kan_grid": 10,
    "q_symbol_scale": 10.0,
    "q_steps": 1000,
    "q_lr": 0.02,
}
G1_TERMS = {"1": (0, 0), "x": (1, 0), "x^2": (2, 0), "xi^2": (0, 2)}
Q_TERMS = {"1": (0, 0), "x^2": (2, 0), "x^4": (4, 0), "xi^2": (0, 2)}
Q_TRUTH = {"x^2": -0.5, "x^4": 0.125, "xi^2": 0.5}


def as_tensor(values: np.ndarray) -> torch.Tensor:
    return torch.as_tensor(values, dtype=torch.float32)


def g1_run(seed: int, s: dict) -> dict[str, float]:
    rng = seed_everything(seed)
    x = make_grid(s["n_grid"], s["half_width"])
    train = sample_family("A", s["n_train"], x, rng)
    tests = {kind: sample_family(kind, s["n_test"], x, rng) for kind in ("A", "B")}
    a, g = as_tensor(train), as_tensor(apply_operator("G1", train, x))
    kano = make_kano(
        x, s["kano_modes"], grid=s["kano_grid"], symbol_scale=s["kano_symbol_scale"], activation_range=3.0
    )
    start = time.perf_counter()
    train_operator(
        kano,
        a,
        g,
        s["kano_steps"],
        s["kano_lr"],
        seed=seed,
        decay_fraction=s["kano_decay_fraction"],
        desc="KANO",
    )
    kano_seconds = time.perf_counter() - start
    fno = FNO1d(s["fno_width"], s["fno_modes"], s["fno_layers"])
    start = time.perf_counter()
    train_operator(fno, a, g, s["fno_steps"], s["fno_lr"], seed=seed, desc="FNO")
    fno_seconds = time.perf_counter() - start
    out = {"kano_params": count_parameters(kano), "fno_params": count_parameters(fno)}
    with torch.no_grad():
        for kind, f in tests.items():
            truth = apply_operator("G1", f, x)
            out[f"kano_{kind}"] = relative_l2(kano(as_tensor(f)).numpy(), truth)
            out[f"fno_{kind}"] = relative_l2(fno(as_tensor(f)).numpy(), truth)
            out[f"ratio_{kind}"] = out[f"fno_{kind}"] / out[f"kano_{kind}"]
        symbol = effective_symbol(kano.layers[0], a)
    xi = wavenumbers(x)[: s["kano_modes"]]
    weights = np.outer(np.abs(train).mean(0), np.abs(np.fft.rfft(train)[:, : s["kano_modes"]]).mean(0))
    coef = fit_symbol(symbol, x, xi, G1_TERMS, weights)
    out.update({f"coef_{k}": float(np.real(v)) for k, v in coef.items()})
    out.update(kano_seconds=kano_seconds, fno_seconds=fno_seconds)
    return out


def quantum_run(seed: int, s: dict) -> dict[str, float]:
    rng = seed_everything(seed)
    x = make_grid(s["q_grid"], s["q_half_width"])
    V = double_well(x)
    train = split_step(gaussian_packets(s["q_train"], x, rng), V, x, s["q_dT"], s["q_train_steps"])
    test = split_step(gaussian_packets(s["q_test"], x, rng), V, x, s["q_dT"], s["q_test_steps"])
    states = torch.as_tensor(train, dtype=torch.complex64)
    model = QKANO(x, s["q_dT"], KANLayer(2, 1, grid=s["q_kan_grid"]), symbol_scale=s["q_symbol_scale"])
    start = time.perf_counter()
    train_qkano(model, states, s["q_steps"], s["q_lr"])
    seconds = time.perf_counter() - start
    with torch.no_grad():
        rollout = model.rollout(torch.as_tensor(test[:, 0], dtype=torch.complex64), s["q_test_steps"])
        loss = infidelity(rollout[:, 1:], torch.as_tensor(test[:, 1:], dtype=torch.complex64))
        px, pk = pmfs(states)
        weights = np.outer(px.mean((0, 1)).numpy(), pk.mean((0, 1)).numpy())
        coef = fit_symbol(model.symbol(), x, wavenumbers(x, real=False), Q_TERMS, weights)
    out = {
        "q_infidelity": float(loss.mean()),
        "q_infidelity_last": float(loss[:, -1].mean()),
        "q_seconds": seconds,
    }
    for name, truth in Q_TRUTH.items():
        out[f"q_coef_{name}"] = float(np.real(coef[name]))
        out[f"q_relerr_{name}"] = abs(float(np.real(coef[name])) / truth - 1)
    return out


def main() -> None:
    set_threads()
    rows, columns = [], None
    for seed in SEEDS:
        record = {"seed": seed, **g1_run(seed, SIZES), **quantum_run(seed, SIZES)}
        print({k: (f"{v:.3g}" if isinstance(v, float) else v) for k, v in record.items()}, flush=True)
        columns = list(record)
        rows.append([record[c] for c in columns])
    table = {c: np.array([row[i] for row in rows], dtype=float) for i, c in enumerate(columns)}
    coef_err = np.maximum(np.abs(table["coef_x^2"] - 1), np.abs(table["coef_xi^2"] - 1))
    q_err = np.max([table[f"q_relerr_{k}"] for k in Q_TRUTH], axis=0)
    data = {
        "sizes": SIZES,
        "min_ratio_A": float(table["ratio_A"].min()),
        "min_ratio_B": float(table["ratio_B"].min()),
        "max_coef_error": float(coef_err.max()),
        "max_q_infidelity": float(table["q_infidelity"].max()),
        "max_q_coef_relerr": float(q_err.max()),
    }
    summary = (
        f"{len(rows)} seeds: FNO/KANO error ratio min {data['min_ratio_A']:.1f} (A), {data['min_ratio_B']:.1f} (B); "
        f"largest x^2/xi^2 read-out error {data['max_coef_error']:.3f}; Q-KANO mean infidelity max "
        f"{data['max_q_infidelity']:.2e}, largest relative coefficient error {data['max_q_coef_relerr']:.3f}"
    )
    print(summary)
    write_result(
        "calibrate_kano",
        {
            "title": "KANO vs FNO: seed calibration of the chapter's claims",
            "description": "Chapter pipeline at cpu scale over seeds 0-4: G1 errors on families A/B, "
            "symbolic read-out, double-well Q-KANO infidelity and coefficients.",
            "columns": columns,
            "rows": rows,
            "goal": "ratio >= 5 on A and B; read-out within 5 %; Q-KANO mean infidelity < 1e-2",
            "goal_met": bool(
                data["min_ratio_A"] >= 5
                and data["min_ratio_B"] >= 5
                and data["max_coef_error"] <= 0.05
                and data["max_q_infidelity"] < 1e-2
            ),
            "summary": summary,
            "data": data,
        },
    )


if __name__ == "__main__":
    main()
