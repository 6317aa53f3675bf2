"""What every chapter shares: scale, seeds, threads, device and plotting style.

A chapter starts with::

    import trustlab.book as tb
    cfg = tb.setup(seed=0, sizes={"cpu": {...}, "paper": {...}})

which fixes the seeds, sets the number of torch threads, applies the book's
colour-blind-safe plotting style, prints the scale, seed, library versions and
device, and returns the chapter's sizes for the current scale. Long loops show
progress with :func:`progress`.
"""

from __future__ import annotations

import os
import platform
import random
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

SCALES: tuple[str, ...] = ("cpu", "paper")
"""The two scales a chapter runs at, ``cpu`` (default) and ``paper`` (a GPU)."""

SCALE_ENV = "TRUSTLAB_SCALE"
THREADS_ENV = "TRUSTLAB_THREADS"

OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)
"""The Okabe-Ito palette, distinguishable under the common colour-vision deficiencies."""


def scale() -> str:
    """Return the scale the book runs at, read from ``TRUSTLAB_SCALE``.

    Returns
    -------
    str
        ``"cpu"`` (the default: what tests and the default book build run) or
        ``"paper"`` (the paper's sizes, meant for a GPU).

    Raises
    ------
    ValueError
        If ``TRUSTLAB_SCALE`` is set to anything else.

    Examples
    --------
    >>> import os
    >>> os.environ.pop("TRUSTLAB_SCALE", None) and None
    >>> scale()
    'cpu'
    """
    value = os.environ.get(SCALE_ENV, "cpu").strip().lower() or "cpu"
    if value not in SCALES:
        raise ValueError(f"{SCALE_ENV} must be one of {SCALES}, got {value!r}")
    return value


def seed_everything(seed: int) -> np.random.Generator:
    """Seed Python's, NumPy's and torch's generators; return a fresh NumPy Generator.

    Parameters
    ----------
    seed : int
        A non-negative integer.

    Returns
    -------
    numpy.random.Generator
        ``np.random.default_rng(seed)``, the generator chapters should pass around.

    Examples
    --------
    >>> seed_everything(3).integers(10) == seed_everything(3).integers(10)
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    import torch

    torch.manual_seed(seed)
    return np.random.default_rng(seed)


def set_threads(n: int | None = None) -> int:
    """Set the number of torch intra-op threads and return it.

    Parameters
    ----------
    n : int, optional
        Number of threads. By default ``TRUSTLAB_THREADS`` if set (the test
        harness sets 1 so two chapters can run side by side), else the number of
        CPU cores.

    Returns
    -------
    int
        The number of threads now in force.
    """
    if n is None:
        env = os.environ.get(THREADS_ENV)
        if env is not None:
            try:
                n = int(env)
            except ValueError:
                raise ValueError(f"{THREADS_ENV} must be a positive integer, got {env!r}") from None
        else:
            n = os.cpu_count() or 1
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    import torch

    torch.set_num_threads(int(n))
    return torch.get_num_threads()


def device() -> str:
    """Return ``"cuda"`` when a CUDA GPU is visible to torch, else ``"cpu"``."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def progress(iterable: Iterable[Any], **kwargs: Any) -> Iterable[Any]:
    """Iterate over ``iterable`` with a progress bar (``tqdm.auto``).

    In Jupyter with ``ipywidgets`` installed this is tqdm's notebook widget; elsewhere, and
    in the executed book, its text bar. ``tqdm.auto`` warns when it falls back from the
    widget to the text bar; that warning says nothing about the chapter, so it is silenced.

    Parameters
    ----------
    iterable : iterable
        What to loop over.
    **kwargs
        Passed to ``tqdm`` (``desc``, ``total``, ``leave`` ...).
    """
    from tqdm import TqdmWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TqdmWarning)
        from tqdm.auto import tqdm

    return tqdm(iterable, **kwargs)


def use_style() -> None:
    """Apply the book's plotting style: Okabe-Ito colours, readable fonts, light grid."""
    import matplotlib as mpl
    from cycler import cycler

    mpl.rcParams.update(
        {
            "axes.prop_cycle": cycler(color=list(OKABE_ITO)),
            "figure.figsize": (6.4, 4.0),
            "figure.dpi": 110,
            "savefig.dpi": 110,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.size": 10,
            "legend.frameon": False,
            "lines.linewidth": 1.8,
        }
    )


def versions() -> dict[str, str]:
    """Return the versions of Python and the libraries the chapters use."""
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for name in ("trustlab", "numpy", "scipy", "torch", "scikit-learn", "pandas", "matplotlib"):
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = "not installed"
    return out


def setup(
    seed: int = 0,
    sizes: Mapping[str, Mapping[str, Any]] | None = None,
    threads: int | None = None,
) -> dict[str, Any]:
    """Prepare a chapter: seeds, threads, style; print what the run is; return its sizes.

    Parameters
    ----------
    seed : int
        The chapter's seed (see :func:`seed_everything`).
    sizes : mapping, optional
        The chapter's sizes keyed by scale, e.g. ``{"cpu": {"n": 10_000},
        "paper": {"n": 1_000_000}}``; both scales must be present.
    threads : int, optional
        Torch threads (see :func:`set_threads`).

    Returns
    -------
    dict
        ``{"scale", "seed", "device", "threads", "rng"}`` plus the sizes of the
        current scale.
    """
    current = scale()
    if sizes is not None:
        missing = [s for s in SCALES if s not in sizes]
        if missing:
            raise ValueError(f"sizes must have an entry for every scale {SCALES}; missing {missing}")
    rng = seed_everything(seed)
    n_threads = set_threads(threads)
    use_style()
    dev = device()
    info = ", ".join(f"{k} {v}" for k, v in versions().items())
    print(f"scale={current} seed={seed} device={dev} torch threads={n_threads}")
    print(info)
    chosen = dict(sizes[current]) if sizes is not None else {}
    if chosen:
        print("sizes: " + ", ".join(f"{k}={v}" for k, v in chosen.items()))
    return {"scale": current, "seed": seed, "device": dev, "threads": n_threads, "rng": rng, **chosen}
