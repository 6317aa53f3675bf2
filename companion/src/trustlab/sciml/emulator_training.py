"""Training loop of the Graph-FM emulator: single-step, then autoregressive rollouts.

Holmberg et al. (after Oskarsson et al.) train on one step first and then unroll the model for
more steps, backpropagating through the whole rollout, so that it learns to correct its own
errors. The loss is the squared error of the interior nodes in units of the one-step-difference
standard deviation (the chapter's training objective); the boundary nodes are overwritten with
the truth during the rollout and do not enter the loss.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import torch

from trustlab._checks import positive_float, positive_int
from trustlab.sciml._validation import tensor
from trustlab.sciml.emulator import GraphFM


def _as_tensor(
    value: object, name: str, ndim: int, dtype: torch.dtype, last: int | None = None
) -> torch.Tensor:
    """``value`` (a float array or tensor) in the model's ``dtype``: float32 and float64 are cast."""
    if isinstance(value, np.ndarray):
        if not np.issubdtype(value.dtype, np.floating):
            raise TypeError(f"{name} must be a float array, got dtype {value.dtype}")
        value = torch.from_numpy(np.ascontiguousarray(value)).to(dtype)
    elif isinstance(value, torch.Tensor) and value.dtype in (torch.float32, torch.float64):
        value = value.to(dtype)
    return tensor(value, name, ndim, last=last, dtype=dtype)


def _check_schedule(schedule: object) -> list[tuple[int, int]]:
    if not isinstance(schedule, Sequence) or isinstance(schedule, str) or len(schedule) == 0:
        raise TypeError(f"schedule must be a non-empty sequence of (iterations, ar_steps), got {schedule!r}")
    phases = []
    for k, phase in enumerate(schedule):
        if not isinstance(phase, Sequence) or len(phase) != 2:
            raise ValueError(f"schedule[{k}] must be a pair (iterations, ar_steps), got {phase!r}")
        phases.append(
            (positive_int(phase[0], f"schedule[{k}][0]"), positive_int(phase[1], f"schedule[{k}][1]"))
        )
    return phases


def train_graph_fm(
    model: GraphFM,
    states: torch.Tensor | np.ndarray,
    boundary_mask: torch.Tensor | np.ndarray,
    *,
    schedule: Sequence[tuple[int, int]] = ((300, 1), (150, 2), (150, 4)),
    batch_size: int = 4,
    lr: float = 1e-3,
    forcing: torch.Tensor | np.ndarray | None = None,
    seed: int = 0,
    progress: Callable[[Iterable[int]], Iterable[int]] | None = None,
) -> dict:
    """Train a :class:`~trustlab.sciml.GraphFM` on one trajectory.

    Every iteration draws ``batch_size`` start times ``t`` uniformly (with replacement, from a
    generator seeded by ``seed``), rolls the model out for the phase's ``K`` steps from
    ``(x_{t-1}, x_t)`` with the boundary overwritten by the truth, and takes one AdamW step
    (``betas=(0.9, 0.95)``) on

    ``mean over batch, steps k, interior nodes and variables of ((x^_{t+k} - x_{t+k}) / diff_std)^2``

    with the gradient through the whole rollout.

    Parameters
    ----------
    model : GraphFM
        The emulator (its ``diff_std`` scales the loss).
    states : torch.Tensor or numpy.ndarray of shape (T, n_grid, n_vars)
        Standardised training frames, float32 or float64 (cast to the model's dtype and moved
        to its device).
    boundary_mask : torch.Tensor or numpy.ndarray of shape (n_grid,), bool
        Boundary nodes: overwritten during the rollout, excluded from the loss.
    schedule : sequence of (int, int)
        Phases of ``(iterations, autoregressive steps)``, run in order (single-step first).
    batch_size : int, default=4
        Start times per iteration.
    lr : float, default=1e-3
        AdamW learning rate.
    forcing : torch.Tensor or numpy.ndarray of shape (T, n_forcing), optional
        Global forcing per frame (the model gets the target time's); required iff the model
        has ``n_forcing > 0``.
    seed : int, default=0
        Seed of the start-time draws.
    progress : callable, optional
        Wraps the iteration loop (e.g. :func:`trustlab.book.progress`).

    Returns
    -------
    dict
        ``"loss"`` (list of float, one per iteration), ``"ar_steps"`` (list of int, the rollout
        length of each iteration) and ``"seconds"`` (float, wall time).
    """
    if not isinstance(model, GraphFM):
        raise TypeError(f"model must be a GraphFM, got {type(model).__name__}")
    dtype = model.diff_std.dtype
    states = _as_tensor(states, "states", 3, dtype, last=model.n_vars)
    if states.shape[1] != model.n_grid:
        raise ValueError(
            f"states must have shape (T, n_grid={model.n_grid}, {model.n_vars}), got {tuple(states.shape)}"
        )
    if isinstance(boundary_mask, np.ndarray):
        boundary_mask = torch.from_numpy(boundary_mask)
    if not isinstance(boundary_mask, torch.Tensor) or boundary_mask.dtype != torch.bool:
        got = boundary_mask.dtype if isinstance(boundary_mask, torch.Tensor) else type(boundary_mask).__name__
        raise TypeError(f"boundary_mask must be a bool tensor or array, got {got}")
    if boundary_mask.shape != (model.n_grid,):
        raise ValueError(f"boundary_mask must have shape ({model.n_grid},), got {tuple(boundary_mask.shape)}")
    if bool(boundary_mask.all()):
        raise ValueError("boundary_mask must leave at least one interior node")
    if progress is not None and not callable(progress):
        raise TypeError(f"progress must be callable or None, got {type(progress).__name__}")
    phases = _check_schedule(schedule)
    batch_size = positive_int(batch_size, "batch_size")
    seed = positive_int(seed, "seed", minimum=0)
    n_frames = int(states.shape[0])
    longest = max(k for _, k in phases)
    if n_frames < longest + 2:
        raise ValueError(
            f"states must have at least {longest + 2} frames for {longest} autoregressive steps, got {n_frames}"
        )
    if model.n_forcing == 0 and forcing is not None:
        raise ValueError("forcing must be None for a model built with n_forcing=0")
    if model.n_forcing > 0:
        if forcing is None:
            raise ValueError(f"forcing of shape (T, {model.n_forcing}) is required")
        forcing = _as_tensor(forcing, "forcing", 2, dtype, last=model.n_forcing)
        if forcing.shape[0] != n_frames:
            raise ValueError(f"forcing must have {n_frames} rows (one per frame), got {forcing.shape[0]}")
    optimiser = torch.optim.AdamW(model.parameters(), lr=positive_float(lr, "lr"), betas=(0.9, 0.95))
    device = model.diff_std.device  # the data follow the model (a GPU at paper scale)
    states = states.to(device)
    forcing = None if forcing is None else forcing.to(device)
    mask = boundary_mask.to(device)
    interior = ~mask
    generator = torch.Generator().manual_seed(seed)
    plan = [k for iterations, k in phases for _ in range(iterations)]
    loop = range(len(plan)) if progress is None else progress(range(len(plan)))
    history: dict = {"loss": [], "ar_steps": [], "seconds": 0.0}
    model.train()
    start = time.perf_counter()
    for it in loop:
        k = plan[it]
        t0 = torch.randint(1, n_frames - k, (batch_size,), generator=generator)
        window = t0[:, None] + torch.arange(1, k + 1)  # (B, K) target times
        targets = states[window]
        pred = model.rollout(
            states[t0 - 1],
            states[t0],
            k,
            boundary_values=targets,
            boundary_mask=mask,
            forcing=None if forcing is None else forcing[window],
        )
        err = (pred - targets)[:, :, interior] / model.diff_std
        loss = err.square().mean()
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        history["loss"].append(float(loss.detach()))
        history["ar_steps"].append(k)
    history["seconds"] = time.perf_counter() - start
    model.eval()
    return history
