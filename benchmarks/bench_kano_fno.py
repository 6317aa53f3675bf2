"""Benchmarks of trustlab.sciml for book/sciml/kano.md, in one process.

1. Our FNO1d against neuraloperator's FNO at the same width (32), depth (4) and modes: 16
   real-FFT bins, i.e. ``modes=16`` here (counted per sign, as in the FNO paper) and
   ``n_modes=(31,)`` there (neuraloperator counts both signs; ``n_modes=(32,)`` would keep 17
   bins). neuraloperator is configured as close to ours as it allows: no channel MLP, a linear
   skip, a grid positional embedding, projection 32 -> 128 -> 1. Reported as ratios
   (ours / theirs): the time of one training step (forward, backward, Adam) for a batch of 32 at
   N = 128 and 1024, and the relative L2 test error on G1 (family A) after the same training
   (1500 steps, Adam, cosine decay, same seed and batches).
2. KANO's symbol application: ``kn_quantize`` (FFT + one (N x m) contraction, O(B N m)) against
   ``kn_quantize_naive`` (the dense triple sum, O(B N^2 m)), batch 32, m = N / 4, with their
   largest difference.

neuraloperator is an optional, benchmark-only dependency: without it part 1 is skipped and
reported as such. Run: ``TRUSTLAB_THREADS=1 .venv/bin/python benchmarks/bench_kano_fno.py``
(a few minutes on a loaded 2-core machine).
"""

from __future__ import annotations

import warnings

import torch
from _common import timed, write_result

from trustlab.book import seed_everything, set_threads
from trustlab.sciml import (
    FNO1d,
    apply_operator,
    count_parameters,
    kn_quantize,
    kn_quantize_naive,
    make_grid,
    relative_l2,
    sample_family,
    train_operator,
)

WIDTH, MODES, LAYERS, BATCH = 32, 16, 4, 32
TRAIN_STEPS, LR = 1500, 3e-3


class NeuralopFNO(torch.nn.Module):
    """neuraloperator's FNO behind our (batch, N) -> (batch, N) interface."""

    def __init__(self) -> None:
        super().__init__()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from neuralop.models import FNO

        self.model = FNO(
            n_modes=(2 * MODES - 1,),
            in_channels=1,
            out_channels=1,
            hidden_channels=WIDTH,
            n_layers=LAYERS,
            use_channel_mlp=False,
            fno_skip="linear",
            projection_channel_ratio=4,
            positional_embedding="grid",
        )

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        return self.model(a[:, None, :])[:, 0]


def step_time(model: torch.nn.Module, n: int) -> float:
    a, g = torch.randn(BATCH, n), torch.randn(BATCH, n)
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step() -> None:
        loss = ((model(a) - g) ** 2).mean()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()

    step()  # warm-up
    return timed(lambda: [step() for _ in range(10)], repeats=3)[0] / 10


def fno_comparison() -> tuple[list[list], dict]:
    try:
        import neuralop  # noqa: F401
    except ImportError:
        return [["FNO vs neuraloperator", "neuraloperator not installed", None, None, None]], {
            "neuralop": None
        }
    rows, data = [], {}
    for n in (128, 1024):
        seed_everything(0)
        ours, theirs = FNO1d(WIDTH, MODES, LAYERS), NeuralopFNO()
        t_ours, t_theirs = step_time(ours, n), step_time(theirs, n)
        rows.append(
            [f"FNO training step, N={n}, batch {BATCH}", "seconds", t_ours, t_theirs, t_ours / t_theirs]
        )
    rng = seed_everything(0)
    x = make_grid(128, 8.0)
    train, test = sample_family("A", 1000, x, rng), sample_family("A", 200, x, rng)
    a = torch.as_tensor(train, dtype=torch.float32)
    g = torch.as_tensor(apply_operator("G1", train, x), dtype=torch.float32)
    errors = {}
    for name, model in (("ours", FNO1d(WIDTH, MODES, LAYERS)), ("neuraloperator", NeuralopFNO())):
        seed_everything(0)
        train_operator(model, a, g, TRAIN_STEPS, LR, seed=0, desc=name)
        with torch.no_grad():
            pred = model(torch.as_tensor(test, dtype=torch.float32)).numpy()
        errors[name] = relative_l2(pred, apply_operator("G1", test, x))
        data[f"params_{name}"] = count_parameters(model)
    rows.append(
        [
            f"FNO G1 test error after {TRAIN_STEPS} steps",
            "relative L2",
            errors["ours"],
            errors["neuraloperator"],
            errors["ours"] / errors["neuraloperator"],
        ]
    )
    import importlib.metadata as md

    data["neuralop"] = md.version("neuraloperator")
    return rows, data


def symbol_comparison() -> tuple[list[list], dict]:
    rows, data = [], {}
    for n in (64, 128, 256):
        x = torch.as_tensor(make_grid(n, 8.0))
        m = n // 4
        g = torch.Generator().manual_seed(n)
        P = torch.complex(
            torch.randn(n, m, generator=g, dtype=torch.float64),
            torch.randn(n, m, generator=g, dtype=torch.float64),
        )
        a = torch.randn(BATCH, n, generator=g, dtype=torch.float64)
        t_fast, fast = timed(lambda P=P, a=a, x=x: kn_quantize(P, a, x), repeats=5)
        t_naive, naive = timed(lambda P=P, a=a, x=x: kn_quantize_naive(P, a, x), repeats=3)
        diff = float((fast - naive).abs().max())
        data[f"max_diff_N{n}"] = diff
        rows.append(
            [
                f"KANO symbol application, N={n}, m={m}, batch {BATCH}",
                "seconds",
                t_fast,
                t_naive,
                t_fast / t_naive,
            ]
        )
    return rows, data


def main() -> None:
    set_threads()
    fno_rows, fno_data = fno_comparison()
    sym_rows, sym_data = symbol_comparison()
    rows = fno_rows + sym_rows
    for row in rows:
        print(row)
    ratios = {row[0]: row[4] for row in rows if row[4] is not None}
    summary = "; ".join(f"{k}: {v:.3g}x" for k, v in ratios.items())
    write_result(
        "bench_kano_fno",
        {
            "title": "KANO chapter: our FNO vs neuraloperator, fast vs dense symbol application",
            "description": "Ratios ours / reference (below 1: ours faster or more accurate). FNO: width 32, "
            "4 layers, 16 real-FFT modes in both (neuraloperator n_modes=(31,)); KANO: kn_quantize vs the "
            "dense triple sum, m = N/4, float64.",
            "columns": ["what", "unit", "ours", "reference", "ratio ours/reference"],
            "rows": rows,
            "summary": summary,
            "data": {**fno_data, **sym_data},
        },
    )


if __name__ == "__main__":
    main()
