"""Conditional denoising diffusion: noise schedule, epsilon network, DDPM training, DDIM sampling, CFG.

The equations are those of the chapter ``book/generative/diffusion-collapse.md``:
the forward process :math:`x_t = \\sqrt{\\bar\\alpha_t}\\,x_0 + \\sqrt{1-\\bar\\alpha_t}\\,\\varepsilon`
(eq. ``forward``), the noise-prediction loss (eq. ``ddpm-loss``), the DDIM update
(eq. ``ddim-step``; ``eta = 1`` is the ancestral DDPM sampler) and classifier-free guidance
(eq. ``cfg``). Conditions are integer class labels; the label ``n_classes`` is the null
condition :math:`\\varnothing` that condition dropout trains.
"""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from trustlab._checks import positive_float, positive_int

EpsFn = Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]
"""``eps_fn(x_t, t, c)``: predicted noise for a batch ``x_t`` at integer steps ``t`` and labels ``c``."""

Guidance = float | Callable[[float], float]
"""A guidance scale: a number, or a function of sampling progress ``s`` in [0, 1] (0 = pure noise)."""


@dataclass(frozen=True)
class NoiseSchedule:
    """A discrete variance schedule :math:`\\beta_1..\\beta_T` (eq. ``forward``).

    Parameters
    ----------
    betas : numpy.ndarray
        Shape ``(T,)``, each in (0, 1).
    """

    betas: np.ndarray

    def __post_init__(self) -> None:
        betas = np.asarray(self.betas, dtype=np.float64)
        if betas.ndim != 1 or betas.size < 2:
            raise ValueError(f"betas must be a 1-d array of at least 2 values, got shape {betas.shape}")
        if not np.all((betas > 0) & (betas < 1)):
            raise ValueError("betas must lie strictly between 0 and 1")
        object.__setattr__(self, "betas", betas)

    @classmethod
    def linear(cls, n_steps: int = 1000, beta_start: float = 1e-4, beta_end: float = 0.02) -> NoiseSchedule:
        """The linear schedule of Ho et al. (2020): ``beta`` from ``beta_start`` to ``beta_end``.

        Uses the same float32 ``linspace`` as ``diffusers``' ``beta_schedule="linear"``.
        """
        n_steps = positive_int(n_steps, "n_steps")
        lo, hi = positive_float(beta_start, "beta_start"), positive_float(beta_end, "beta_end")
        if not lo < hi < 1:
            raise ValueError(f"need 0 < beta_start < beta_end < 1, got {lo!r}, {hi!r}")
        return cls(torch.linspace(lo, hi, n_steps, dtype=torch.float32).double().numpy())

    @classmethod
    def cosine(cls, n_steps: int = 1000, offset: float = 0.008) -> NoiseSchedule:
        """The cosine schedule of Nichol & Dhariwal (2021), betas capped at 0.999."""
        n_steps = positive_int(n_steps, "n_steps")
        s = np.arange(n_steps + 1) / n_steps
        f = np.cos((s + positive_float(offset, "offset")) / (1 + offset) * math.pi / 2) ** 2
        return cls(np.clip(1 - f[1:] / f[:-1], 1e-8, 0.999))

    @property
    def n_steps(self) -> int:
        """T, the number of training steps."""
        return int(self.betas.size)

    @property
    def alphas_bar(self) -> np.ndarray:
        """:math:`\\bar\\alpha_t = \\prod_{s\\le t}(1-\\beta_s)`, shape ``(T,)``, decreasing."""
        return np.cumprod(1.0 - self.betas)

    def timesteps(self, n_sample_steps: int) -> np.ndarray:
        """The DDIM time grid, descending, with ``diffusers``' "leading" spacing.

        ``t_i = (n - 1 - i) * (T // n)`` for ``i = 0..n-1``.

        Examples
        --------
        >>> NoiseSchedule.linear(200).timesteps(4).tolist()
        [150, 100, 50, 0]
        """
        n = positive_int(n_sample_steps, "n_sample_steps")
        if n > self.n_steps:
            raise ValueError(f"n_sample_steps must be at most T={self.n_steps}, got {n}")
        return (np.arange(n)[::-1] * (self.n_steps // n)).astype(np.int64)

    def add_noise(self, x0: torch.Tensor, noise: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """Draw :math:`x_t` given :math:`x_0` (eq. ``forward``); ``t`` holds one step per row."""
        ab = torch.as_tensor(self.alphas_bar, dtype=x0.dtype, device=x0.device)[t]
        ab = ab.reshape(-1, *([1] * (x0.ndim - 1)))
        return ab.sqrt() * x0 + (1 - ab).sqrt() * noise


def _sinusoidal(t: torch.Tensor, dim: int) -> torch.Tensor:
    half = dim // 2
    freqs = torch.exp(-math.log(1000.0) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    angles = t.float()[:, None] * freqs[None, :]
    return torch.cat([angles.sin(), angles.cos()], dim=1)


class EpsMLP(nn.Module):
    """Noise predictor :math:`\\varepsilon_\\theta(x_t, t, c)` for flattened images.

    A residual MLP; the step enters through a sinusoidal embedding, the label through an
    embedding table with one extra row for the null condition (index ``n_classes``).

    Parameters
    ----------
    dim : int
        Number of pixels (64 for 8x8 digits).
    n_classes : int
        Number of labels; ``n_classes`` itself is the null label.
    width : int
        Hidden width.
    depth : int
        Number of residual blocks.
    """

    def __init__(self, dim: int, n_classes: int, width: int = 256, depth: int = 3) -> None:
        super().__init__()
        self.dim = positive_int(dim, "dim")
        self.n_classes = positive_int(n_classes, "n_classes")
        width, depth = positive_int(width, "width"), positive_int(depth, "depth")
        self.width = width
        self.label = nn.Embedding(self.n_classes + 1, width)
        self.time = nn.Sequential(nn.Linear(64, width), nn.SiLU(), nn.Linear(width, width))
        self.inp = nn.Linear(self.dim, width)
        self.blocks = nn.ModuleList(
            nn.Sequential(
                nn.LayerNorm(width), nn.Linear(width, 2 * width), nn.SiLU(), nn.Linear(2 * width, width)
            )
            for _ in range(depth)
        )
        self.out = nn.Sequential(nn.LayerNorm(width), nn.Linear(width, self.dim))

    @property
    def null_label(self) -> int:
        """The label index of the null condition."""
        return self.n_classes

    def forward(self, x: torch.Tensor, t: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        """Predict the noise in ``x`` (shape ``(n, dim)``) at steps ``t`` under labels ``c``."""
        shape = x.shape
        h = self.inp(x.reshape(shape[0], -1)) + self.time(_sinusoidal(t, 64)) + self.label(c)
        for block in self.blocks:
            h = h + block(h)
        return self.out(h).reshape(shape)


def drop_conditions(
    c: torch.Tensor, p_drop: float, null_label: int, generator: torch.Generator
) -> torch.Tensor:
    """Replace each label by ``null_label`` with probability ``p_drop`` (condition dropout)."""
    keep = torch.rand(c.shape, generator=generator) >= p_drop
    return torch.where(keep, c, torch.full_like(c, null_label))


def ddpm_loss(
    model: nn.Module,
    schedule: NoiseSchedule,
    x0: torch.Tensor,
    c: torch.Tensor,
    generator: torch.Generator,
) -> torch.Tensor:
    """The simple DDPM loss :math:`\\mathbb{E}\\|\\varepsilon - \\varepsilon_\\theta(x_t, t, c)\\|^2` (eq. ``ddpm-loss``)."""
    t = torch.randint(0, schedule.n_steps, (x0.shape[0],), generator=generator)
    noise = torch.randn(x0.shape, generator=generator)
    return torch.mean((model(schedule.add_noise(x0, noise, t), t, c) - noise) ** 2)


def _check_data(x: object, c: object, n_classes: int) -> tuple[torch.Tensor, torch.Tensor]:
    if not isinstance(x, torch.Tensor) or not isinstance(c, torch.Tensor):
        raise TypeError(f"x and c must be torch.Tensors, got {type(x).__name__} and {type(c).__name__}")
    if x.ndim < 2 or c.ndim != 1 or c.shape[0] != x.shape[0]:
        raise ValueError(f"x must be (n, ...) and c (n,), got shapes {tuple(x.shape)} and {tuple(c.shape)}")
    if c.dtype not in (torch.int64, torch.int32):
        raise TypeError(f"c must hold integer labels, got dtype {c.dtype}")
    if c.numel() and (c.min() < 0 or c.max() > n_classes):
        raise ValueError(
            f"labels must lie in [0, {n_classes}] ({n_classes} = null), got {c.min()}..{c.max()}"
        )
    if not torch.isfinite(x).all():
        raise ValueError("x must be finite (no NaN or inf)")
    return x.float(), c.long()


def train_ddpm(
    model: EpsMLP,
    schedule: NoiseSchedule,
    x: torch.Tensor,
    c: torch.Tensor,
    steps: int,
    lr: float = 1e-3,
    batch_size: int = 256,
    p_drop: float = 0.1,
    seed: int = 0,
    copy_model: bool = True,
) -> EpsMLP:
    """Train (or fine-tune) ``model`` with Adam on eq. ``ddpm-loss`` with condition dropout.

    Parameters
    ----------
    model : EpsMLP
        The starting network (the pretrained base when fine-tuning).
    schedule : NoiseSchedule
        The forward process.
    x, c : torch.Tensor
        Images ``(n, ...)`` scaled to [-1, 1] and labels ``(n,)``.
    steps : int
        Number of Adam steps.
    lr : float
        Learning rate.
    batch_size : int
        Images per step (drawn with replacement).
    p_drop : float
        Probability that a label is replaced by the null label. Plain fine-tuning uses 0,
        so the unconditional branch stays the base model's; ReDiFine uses > 0.
    seed : int
        Seeds the batches, steps, noise and dropout.
    copy_model : bool
        Train a deep copy (default) so the base model is left untouched.

    Returns
    -------
    EpsMLP
        The trained network, in eval mode.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    x, c = _check_data(x, c, model.n_classes)
    steps, batch_size = positive_int(steps, "steps"), positive_int(batch_size, "batch_size")
    if isinstance(p_drop, bool) or not isinstance(p_drop, numbers.Real) or not 0 <= p_drop < 1:
        raise ValueError(f"p_drop must be a probability in [0, 1), got {p_drop!r}")
    net = copy.deepcopy(model) if copy_model else model
    net.train()
    opt = torch.optim.Adam(net.parameters(), lr=positive_float(lr, "lr"))
    gen = torch.Generator().manual_seed(int(seed))
    for _ in range(steps):
        idx = torch.randint(0, x.shape[0], (batch_size,), generator=gen)
        cb = drop_conditions(c[idx], float(p_drop), net.null_label, gen) if p_drop > 0 else c[idx]
        loss = ddpm_loss(net, schedule, x[idx], cb, gen)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return net.eval()


def cfg_combine(eps_cond: torch.Tensor, eps_uncond: torch.Tensor, w: float | torch.Tensor) -> torch.Tensor:
    """Classifier-free guidance, eq. ``cfg``: :math:`\\varepsilon_\\varnothing + w(\\varepsilon_c - \\varepsilon_\\varnothing)`.

    ``w = 1`` returns ``eps_cond`` exactly; ``w = 0`` the unconditional prediction.

    Examples
    --------
    >>> import torch
    >>> cfg_combine(torch.tensor([1.0]), torch.tensor([0.0]), 3.0)
    tensor([3.])
    """
    if eps_cond.shape != eps_uncond.shape:
        raise ValueError(
            f"eps_cond and eps_uncond must match, got {tuple(eps_cond.shape)} and {tuple(eps_uncond.shape)}"
        )
    if isinstance(w, (int, float)) and w == 1:
        return eps_cond
    return eps_uncond + w * (eps_cond - eps_uncond)


def cfg_schedule(kind: str = "linear", w_max: float = 3.0, w_min: float = 1.0) -> Callable[[float], float]:
    """A guidance scale that decays over sampling (ReDiFine's CFG schedule; the law is ours).

    Parameters
    ----------
    kind : {"linear", "cosine", "constant"}
        ``linear``: :math:`w(s) = w_{max} - (w_{max}-w_{min}) s`; ``cosine``: the same ends with
        a half-cosine; ``constant``: ``w_max`` throughout.
    w_max, w_min : float
        Scale at the start (pure noise, ``s = 0``) and at the end (``s = 1``).

    Returns
    -------
    callable
        ``w(s)`` for progress ``s`` in [0, 1].
    """
    for name, value in (("w_max", w_max), ("w_min", w_min)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
            raise TypeError(f"{name} must be a finite number, got {value!r}")
    if kind == "linear":
        return lambda s: w_max - (w_max - w_min) * s
    if kind == "cosine":
        return lambda s: w_min + (w_max - w_min) * 0.5 * (1 + math.cos(math.pi * s))
    if kind == "constant":
        return lambda s: w_max
    raise ValueError(f"kind must be 'linear', 'cosine' or 'constant', got {kind!r}")


def guided_eps(model: EpsMLP) -> Callable[[torch.Tensor, torch.Tensor, torch.Tensor, float], torch.Tensor]:
    """Wrap ``model`` as ``eps(x, t, c, w)``: one batched pass for both CFG branches (eq. ``cfg``)."""

    def eps(x: torch.Tensor, t: torch.Tensor, c: torch.Tensor, w: float) -> torch.Tensor:
        if w == 1:
            return model(x, t, c)
        null = torch.full_like(c, model.null_label)
        both = model(torch.cat([x, x]), torch.cat([t, t]), torch.cat([c, null]))
        return cfg_combine(both[: x.shape[0]], both[x.shape[0] :], w)

    return eps


def ddim_step(
    x: torch.Tensor,
    eps: torch.Tensor,
    ab_t: float,
    ab_prev: float,
    eta: float = 0.0,
    noise: torch.Tensor | None = None,
    clip: float | None = 1.0,
) -> torch.Tensor:
    """One DDIM update from step t to the previous grid step (eq. ``ddim-step``).

    ``eta = 0`` is deterministic DDIM; ``eta = 1`` with every step is ancestral DDPM.
    ``clip`` clamps the predicted :math:`\\hat x_0` (as ``diffusers``' ``clip_sample``).
    """
    x0 = (x - math.sqrt(1 - ab_t) * eps) / math.sqrt(ab_t)
    if clip is not None:
        x0 = x0.clamp(-clip, clip)
    sigma = eta * math.sqrt((1 - ab_prev) / (1 - ab_t) * (1 - ab_t / ab_prev))
    out = math.sqrt(ab_prev) * x0 + math.sqrt(max(1 - ab_prev - sigma**2, 0.0)) * eps
    if sigma > 0:
        if noise is None:
            raise ValueError("eta > 0 needs a noise tensor")
        out = out + sigma * noise
    return out


@torch.no_grad()
def ddim_sample(
    eps_fn: Callable[..., torch.Tensor],
    schedule: NoiseSchedule,
    c: torch.Tensor,
    shape: tuple[int, ...],
    n_steps: int = 25,
    w: Guidance = 1.0,
    eta: float = 0.0,
    clip: float | None = 1.0,
    seed: int = 0,
    x_T: torch.Tensor | None = None,
) -> torch.Tensor:
    """Sample with DDIM / ancestral steps and (scheduled) classifier-free guidance.

    Parameters
    ----------
    eps_fn : callable
        ``eps_fn(x, t, c, w)`` (e.g. :func:`guided_eps`) returning the guided noise.
    schedule : NoiseSchedule
        The forward process the model was trained with.
    c : torch.Tensor
        Labels, shape ``(n,)``.
    shape : tuple of int
        Shape of one sample, e.g. ``(64,)``.
    n_steps : int
        Number of sampler steps (grid of :meth:`NoiseSchedule.timesteps`).
    w : float or callable
        Guidance scale, constant or ``w(s)`` with ``s = i / (n_steps - 1)``.
    eta : float
        0 for DDIM, 1 for ancestral sampling.
    clip : float or None
        Clamp of the predicted clean image; None for none.
    seed : int
        Seeds the starting noise and the ancestral noise.
    x_T : torch.Tensor, optional
        Starting noise, shape ``(n, *shape)``; drawn from the seed if omitted.

    Returns
    -------
    torch.Tensor
        Samples, shape ``(n, *shape)``.
    """
    if not isinstance(c, torch.Tensor) or c.ndim != 1:
        raise TypeError(f"c must be a 1-d tensor of labels, got {type(c).__name__}")
    n_steps = positive_int(n_steps, "n_steps")
    if isinstance(eta, bool) or not isinstance(eta, numbers.Real) or not 0 <= eta <= 1:
        raise ValueError(f"eta must lie in [0, 1], got {eta!r}")
    w_fn = w if callable(w) else (lambda s, w0=float(w): w0)
    gen = torch.Generator().manual_seed(int(seed))
    x = torch.randn((c.shape[0], *shape), generator=gen) if x_T is None else x_T.clone()
    if x.shape != (c.shape[0], *shape):
        raise ValueError(f"x_T must have shape {(c.shape[0], *shape)}, got {tuple(x.shape)}")
    ab = schedule.alphas_bar
    grid = schedule.timesteps(n_steps)
    for i, t in enumerate(grid):
        ab_prev = ab[grid[i + 1]] if i + 1 < len(grid) else 1.0
        s = i / (n_steps - 1) if n_steps > 1 else 1.0
        eps = eps_fn(x, torch.full((x.shape[0],), int(t), dtype=torch.long), c, float(w_fn(s)))
        noise = torch.randn(x.shape, generator=gen) if eta > 0 else None
        x = ddim_step(x, eps, float(ab[t]), float(ab_prev), float(eta), noise, clip)
    return x
