"""The Chain of Diffusion: fine-tune the pretrained model on the previous round's samples,
generate a new dataset with the same labels, repeat (Algorithm ``chain`` of the chapter
``book/generative/diffusion-collapse.md``). ReDiFine is the same loop with condition-drop
fine-tuning (``p_drop > 0``) and a decaying guidance schedule (``w`` a callable)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch

from trustlab._checks import positive_int
from trustlab.generative.diffusion import EpsMLP, Guidance, NoiseSchedule, ddim_sample, guided_eps, train_ddpm


def run_chain(
    base: EpsMLP,
    schedule: NoiseSchedule,
    x0: torch.Tensor,
    c: torch.Tensor,
    n_rounds: int,
    finetune_steps: int,
    w: Guidance = 1.0,
    p_drop: float = 0.0,
    sample_steps: int = 25,
    lr: float = 1e-3,
    batch_size: int = 256,
    seed: int = 0,
    progress: Callable[[Iterable[int]], Iterable[int]] | None = None,
) -> list[torch.Tensor]:
    """Run ``n_rounds`` rounds of the chain and return the generated datasets.

    Round ``n`` fine-tunes a fresh copy of ``base`` on ``(D_n, c)`` (``D_0 = x0``) and samples
    ``D_{n+1}`` with the same labels ``c`` and guidance ``w``.

    Parameters
    ----------
    base : EpsMLP
        The pretrained model; never modified.
    schedule : NoiseSchedule
        Its forward process.
    x0, c : torch.Tensor
        The real fine-tuning set (images in [-1, 1]) and its labels.
    n_rounds, finetune_steps : int
        Rounds of the chain and Adam steps per fine-tuning.
    w : float or callable
        Guidance scale or schedule ``w(s)``.
    p_drop : float
        Condition dropout during fine-tuning (0 = plain fine-tuning).
    sample_steps : int
        DDIM steps per sample.
    lr, batch_size : float, int
        Fine-tuning optimiser settings.
    seed : int
        Base seed; round ``n`` uses ``seed + n`` for training and sampling.
    progress : callable, optional
        Wraps the round loop (e.g. :func:`trustlab.book.progress`).

    Returns
    -------
    list of torch.Tensor
        ``[D_1, ..., D_n_rounds]``, each of the shape of ``x0``.
    """
    n_rounds = positive_int(n_rounds, "n_rounds")
    finetune_steps = positive_int(finetune_steps, "finetune_steps")
    rounds: Iterable[int] = range(n_rounds)
    if progress is not None:
        rounds = progress(rounds)
    data, out = x0, []
    for n in rounds:
        model = train_ddpm(
            base,
            schedule,
            data,
            c,
            finetune_steps,
            lr=lr,
            batch_size=batch_size,
            p_drop=p_drop,
            seed=seed + 1000 * n,
        )
        data = ddim_sample(
            guided_eps(model),
            schedule,
            c,
            tuple(x0.shape[1:]),
            n_steps=sample_steps,
            w=w,
            seed=seed + 1000 * n + 1,
        )
        out.append(data)
    return out
