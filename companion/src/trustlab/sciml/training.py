"""Training loops for the neural operators of the KANO chapter (Adam, seeded mini-batches).

Both loops are plain Adam; they return the loss history so a chapter can plot it.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from trustlab._checks import positive_float, positive_int
from trustlab.book import progress
from trustlab.sciml._validation import tensor
from trustlab.sciml.kano import QKANO
from trustlab.sciml.quantum import pmfs


def relative_mse(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean over samples of ``||pred - target||^2 / ||target||^2`` (the training loss)."""
    return ((pred - target) ** 2).sum(-1).div((target**2).sum(-1)).mean()


def train_operator(
    model: nn.Module,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    steps: int,
    lr: float,
    batch_size: int = 32,
    seed: int = 0,
    decay_fraction: float = 1.0,
    desc: str = "training",
) -> list[float]:
    """Fit ``model(inputs) ~ targets`` with Adam on the relative squared L2 loss.

    Parameters
    ----------
    model : torch.nn.Module
        Maps ``(batch, N)`` to ``(batch, N)``.
    inputs, targets : torch.Tensor of shape (n_samples, n)
        Training pairs ``(f, G f)``.
    steps : int
        Optimiser steps (one mini-batch each).
    lr : float
        (Initial) learning rate.
    batch_size : int, default=32
        Mini-batch size, drawn with replacement from a generator seeded by ``seed``.
    seed : int, default=0
        Seed of the mini-batch draws.
    decay_fraction : float, default=1.0
        The learning rate stays at ``lr`` for the first ``1 - decay_fraction`` of the steps,
        then decays to zero on a half cosine (1: a plain cosine schedule; 0: constant).
    desc : str
        Label of the progress bar.

    Returns
    -------
    list of float
        The mini-batch loss at every step.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    tensor(inputs, "inputs", 2)
    tensor(targets, "targets", 2)
    if inputs.shape != targets.shape:
        raise ValueError(
            f"inputs and targets must have the same shape, got {tuple(inputs.shape)} and {tuple(targets.shape)}"
        )
    if not bool((targets != 0).any(dim=-1).all()):
        raise ValueError("targets must have no all-zero row (the loss divides by ||target||^2)")
    steps, batch_size = positive_int(steps, "steps"), positive_int(batch_size, "batch_size")
    seed = positive_int(seed, "seed", minimum=0)
    optimiser = torch.optim.Adam(model.parameters(), lr=positive_float(lr, "lr"))
    if (
        isinstance(decay_fraction, bool)
        or not isinstance(decay_fraction, (int, float))
        or not 0 <= decay_fraction <= 1
    ):
        raise ValueError(f"decay_fraction must be a number in [0, 1], got {decay_fraction!r}")
    plateau = round(steps * (1 - decay_fraction))

    def factor(step: int) -> float:
        if step < plateau:
            return 1.0
        return 0.5 * (1 + math.cos(math.pi * (step - plateau) / max(steps - plateau, 1)))

    decay = torch.optim.lr_scheduler.LambdaLR(optimiser, factor)
    generator = torch.Generator().manual_seed(seed)
    history = []
    for _ in progress(range(steps), desc=desc, leave=False):
        pick = torch.randint(0, inputs.shape[0], (batch_size,), generator=generator)
        loss = relative_mse(model(inputs[pick]), targets[pick])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        decay.step()
        history.append(loss.item())
    return history


def pmf_loss(model: QKANO, states: torch.Tensor, length: int) -> torch.Tensor:
    """Squared error of the position and momentum PMFs along a rollout (eq. ``kano-pmf-loss``).

    ``states`` has shape ``(batch, T + 1, N)``; the rollout starts from ``states[:, 0]`` (the
    prepared state, known) and is compared with the measured PMFs of steps ``1..length``.
    """
    true_x, true_k = pmfs(states[:, 1 : length + 1])
    model_x, model_k = pmfs(model.rollout(states[:, 0], length)[:, 1:])
    return ((model_x - true_x) ** 2).sum(-1).mean() + ((model_k - true_k) ** 2).sum(-1).mean()


def train_qkano(
    model: QKANO, states: torch.Tensor, steps: int, lr: float, desc: str = "Q-KANO"
) -> list[float]:
    """Fit a :class:`QKANO` to position and momentum PMFs of trajectories ``states``.

    The rollout length grows linearly from one step to the full ``T`` over the first half of
    training (a curriculum: short rollouts first, while the symbol is still far off), then stays
    at ``T``. Adam at a constant ``lr``. Only the PMFs of ``states[:, 1:]`` enter the loss.

    Returns
    -------
    list of float
        The loss (:func:`pmf_loss`) at every step.
    """
    if not isinstance(model, QKANO):
        raise TypeError(f"model must be a QKANO, got {type(model).__name__}")
    if (
        not isinstance(states, torch.Tensor)
        or not states.is_complex()
        or states.ndim != 3
        or states.shape[1] < 2
    ):
        shape = tuple(states.shape) if isinstance(states, torch.Tensor) else type(states).__name__
        raise ValueError(
            f"states must be a complex tensor of shape (batch, T + 1, N) with T >= 1, got {shape}"
        )
    tensor(torch.view_as_real(states), "states", 4)
    steps = positive_int(steps, "steps")
    horizon = states.shape[1] - 1
    optimiser = torch.optim.Adam(model.parameters(), lr=positive_float(lr, "lr"))
    history = []
    for step in progress(range(steps), desc=desc, leave=False):
        length = min(horizon, 1 + (step * horizon) // max(steps // 2, 1))
        loss = pmf_loss(model, states, length)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        history.append(loss.item())
    return history
