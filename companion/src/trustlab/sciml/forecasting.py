"""Data preparation and verification of autoregressive forecasts of the plasma simulation.

The simulator (:mod:`trustlab.sciml.plasma`) stores fields as ``(T, V, nx, ny)``; the emulator
works on grid nodes, ``(T, N, V)`` with ``N = nx * ny`` in C order (node ``i * ny + j`` at
``(x[i], y[j])``, the convention of :mod:`trustlab.sciml.graphs`). This module converts
between the two, standardises (eq. fm-standardise of the chapter ``book/sciml/space-weather.md``),
builds the boundary the emulator is forced with, and scores forecasts against the truth and
against persistence by lead time (eqs. fm-rmse and fm-pearson).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from trustlab._checks import check_int, positive_int


def grid_states(run: dict[str, np.ndarray]) -> np.ndarray:
    """The run's fields as grid-node states.

    Parameters
    ----------
    run : dict
        The output of :func:`~trustlab.sciml.simulate_magnetosphere` (needs ``fields``,
        shape ``(T, V, nx, ny)``).

    Returns
    -------
    numpy.ndarray
        ``(T, nx * ny, V)`` float32.
    """
    fields = _fields(run)
    t, v, nx, ny = fields.shape
    return np.ascontiguousarray(fields.transpose(0, 2, 3, 1).reshape(t, nx * ny, v), dtype=np.float32)


def to_grid(states: np.ndarray, nx: int, ny: int) -> np.ndarray:
    """Inverse of :func:`grid_states`: ``(..., nx * ny, V)`` to ``(..., V, nx, ny)``."""
    positive_int(nx, "nx")
    positive_int(ny, "ny")
    states = np.asarray(states)
    if states.ndim < 2 or states.shape[-2] != nx * ny:
        raise ValueError(f"states must have shape (..., nx * ny = {nx * ny}, V), got {states.shape}")
    lead = states.shape[:-2]
    grid = states.reshape(*lead, nx, ny, states.shape[-1])
    return np.moveaxis(grid, -1, -3)


def emulator_boundary(run: dict[str, np.ndarray], outflow_columns: int = 2) -> np.ndarray:
    """Grid nodes the emulator does not predict but takes from the simulation (the forcing).

    The obstacle (inner boundary), the fringe where the solar wind enters, and the first
    ``outflow_columns`` columns at ``x = 0``, which the periodic box couples to the fringe.

    Returns
    -------
    numpy.ndarray
        ``(nx * ny,)`` bool.
    """
    check_int(outflow_columns, "outflow_columns", low=0)
    if not isinstance(run, dict):
        raise TypeError(f"run must be the dict returned by simulate_magnetosphere, got {type(run).__name__}")
    for key in ("obstacle", "fringe"):
        if key not in run:
            raise ValueError(f"run has no {key!r} mask; pass the output of simulate_magnetosphere")
    obstacle, fringe = np.asarray(run["obstacle"], bool), np.asarray(run["fringe"], bool)
    if obstacle.ndim != 2 or fringe.shape != obstacle.shape:
        raise ValueError(
            "run['obstacle'] and run['fringe'] must be (nx, ny) masks of the same shape, got "
            f"{obstacle.shape} and {fringe.shape}"
        )
    if "fields" in run and np.shape(run["fields"])[-2:] != obstacle.shape:
        raise ValueError(
            f"run's masks have shape {obstacle.shape} but its fields (T, V, nx, ny) {np.shape(run['fields'])}"
        )
    mask = obstacle | fringe
    if outflow_columns > mask.shape[0]:
        raise ValueError(f"outflow_columns must be at most nx={mask.shape[0]}, got {outflow_columns}")
    mask = mask.copy()
    mask[:outflow_columns] = True
    return mask.reshape(-1)


@dataclass(frozen=True, eq=False)
class FieldStats:
    """Per-variable standardisation of states and of their one-step changes (eq. fm-standardise).

    Attributes
    ----------
    mean, std : torch.Tensor
        ``(V,)`` mean and standard deviation of each variable over training frames and
        interior nodes.
    diff_mean, diff_std : torch.Tensor
        ``(V,)`` mean and standard deviation of the one-step change of the *standardised*
        state: the emulator predicts ``x_{t+1} = x_t + diff_mean + diff_std * delta``. A
        variable whose standardised state never changes gets ``diff_std = 1``.
    """

    mean: torch.Tensor
    std: torch.Tensor
    diff_mean: torch.Tensor
    diff_std: torch.Tensor

    @classmethod
    def from_states(cls, states: np.ndarray, interior: np.ndarray) -> FieldStats:
        """Statistics of training ``states`` ``(T, N, V)`` on the ``interior`` ``(N,)`` nodes."""
        states = _states(states, "states")
        interior = _mask(interior, states.shape[1], "interior")
        if states.shape[0] < 2:
            raise ValueError(f"states needs at least 2 frames, got {states.shape[0]}")
        if not np.isfinite(states).all():
            raise ValueError("states must be finite (no NaN or inf)")
        inner = states[:, interior].astype(np.float64)
        mean, std = inner.mean(axis=(0, 1)), inner.std(axis=(0, 1))
        if (std == 0).any():
            raise ValueError(f"variables {np.flatnonzero(std == 0).tolist()} are constant on the interior")
        diff = np.diff((inner - mean) / std, axis=0)
        diff_std = diff.std(axis=(0, 1))
        diff_std[diff_std == 0] = 1.0
        as_t = lambda a: torch.as_tensor(a, dtype=torch.float32)  # noqa: E731
        return cls(as_t(mean), as_t(std), as_t(diff.mean(axis=(0, 1))), as_t(diff_std))

    def standardize(self, x: np.ndarray | torch.Tensor) -> torch.Tensor:
        """``(x - mean) / std`` over the last axis, as a float32 tensor."""
        x = self._check_last(x)
        return (x - self.mean) / self.std

    def destandardize(self, x: np.ndarray | torch.Tensor) -> torch.Tensor:
        """Inverse of :meth:`standardize`."""
        x = self._check_last(x)
        return x * self.std + self.mean

    def _check_last(self, x: np.ndarray | torch.Tensor) -> torch.Tensor:
        x = torch.as_tensor(x, dtype=torch.float32)
        if x.ndim == 0 or x.shape[-1] != self.mean.shape[0]:
            raise ValueError(
                f"x must hold the {self.mean.shape[0]} variables on its last axis, got shape {tuple(x.shape)}"
            )
        return x


def forecast_windows(n_frames: int, n_lead: int, stride: int = 1) -> np.ndarray:
    """Start indices ``s`` of forecasts inside ``n_frames`` frames.

    A forecast starts from the pair of frames ``(s, s + 1)`` and is scored on frames
    ``s + 2, ..., s + 1 + n_lead``.
    """
    positive_int(n_frames, "n_frames")
    positive_int(n_lead, "n_lead")
    positive_int(stride, "stride")
    last = n_frames - n_lead - 2
    if last < 0:
        raise ValueError(f"n_frames={n_frames} is too short for n_lead={n_lead} (needs n_lead + 2)")
    return np.arange(0, last + 1, stride)


def persistence(states: np.ndarray, starts: np.ndarray, n_lead: int) -> np.ndarray:
    """The persistence forecast: the last known frame ``s + 1`` at every lead time.

    Returns
    -------
    numpy.ndarray
        ``(S, n_lead, N, V)``.
    """
    states = _states(states, "states")
    starts = _starts(starts, states.shape[0], n_lead)
    return np.repeat(states[starts + 1][:, None], n_lead, axis=1)


def targets(states: np.ndarray, starts: np.ndarray, n_lead: int) -> np.ndarray:
    """The true frames ``s + 2, ..., s + 1 + n_lead`` of each forecast, ``(S, n_lead, N, V)``."""
    states = _states(states, "states")
    starts = _starts(starts, states.shape[0], n_lead)
    return states[starts[:, None] + 2 + np.arange(n_lead)]


def emulator_forecasts(
    model: torch.nn.Module,
    states: torch.Tensor,
    starts: np.ndarray,
    n_lead: int,
    boundary: np.ndarray | None,
    forcing: torch.Tensor | None = None,
    batch_size: int = 16,
) -> torch.Tensor:
    """Autoregressive forecasts of ``model`` from every start, forced at the boundary (eq. fm-boundary).

    Parameters
    ----------
    model : torch.nn.Module
        An emulator with ``rollout(x_prev, x_t, n_steps, boundary_values=, boundary_mask=,
        forcing=)``, e.g. :class:`~trustlab.sciml.GraphFM`.
    states : torch.Tensor
        ``(T, N, V)`` standardised frames (the truth, which also supplies the boundary).
    starts : numpy.ndarray
        Start indices (see :func:`forecast_windows`).
    n_lead : int
        Number of steps forecast.
    boundary : numpy.ndarray or None
        ``(N,)`` bool mask of forced nodes (see :func:`emulator_boundary`); ``None`` (or an
        all-false mask) lets the emulator run free everywhere (no boundary forcing).
    forcing : torch.Tensor or None
        ``(T, F)`` standardised upstream values; step ``k`` of a forecast from ``s`` gets
        ``forcing[s + 2 + k]``.
    batch_size : int
        Forecasts run together.

    Returns
    -------
    torch.Tensor
        ``(S, n_lead, N, V)`` standardised forecasts, computed without gradients.
    """
    if not callable(getattr(model, "rollout", None)):
        raise TypeError(f"model must have a rollout method (e.g. a GraphFM), got {type(model).__name__}")
    if not isinstance(states, torch.Tensor):
        raise TypeError(f"states must be a (T, N, V) torch.Tensor, got {type(states).__name__}")
    if states.ndim != 3:
        raise ValueError(f"states must have shape (T, N, V), got {tuple(states.shape)}")
    starts = _starts(starts, states.shape[0], n_lead)
    if starts.size == 0:
        raise ValueError("starts is empty: there is no forecast to make")
    if boundary is not None:
        mask = _mask(boundary, states.shape[1], "boundary", allow_empty=True)
        boundary = torch.as_tensor(mask, device=states.device)
    positive_int(batch_size, "batch_size")
    if forcing is not None:
        if not isinstance(forcing, torch.Tensor):
            raise TypeError(f"forcing must be a torch.Tensor or None, got {type(forcing).__name__}")
        if forcing.ndim != 2 or forcing.shape[0] != states.shape[0]:
            raise ValueError(
                f"forcing must be of shape (T={states.shape[0]}, F), one row per frame of states, "
                f"got {tuple(forcing.shape)}"
            )
    lead = torch.arange(n_lead)
    out = []
    with torch.no_grad():
        for chunk in np.array_split(starts, max(1, int(np.ceil(len(starts) / batch_size)))):
            s = torch.as_tensor(chunk)
            frames = s[:, None] + 2 + lead
            out.append(
                model.rollout(
                    states[s],
                    states[s + 1],
                    n_lead,
                    boundary_values=None if boundary is None else states[frames],
                    boundary_mask=boundary,
                    forcing=None if forcing is None else forcing[frames],
                )
            )
    return torch.cat(out)


def rmse_by_lead(pred: np.ndarray, truth: np.ndarray, interior: np.ndarray) -> np.ndarray:
    """Root-mean-square error per lead time and variable on the interior (eq. fm-rmse).

    Parameters
    ----------
    pred, truth : numpy.ndarray
        ``(S, L, N, V)`` forecasts and true frames (physical units).
    interior : numpy.ndarray
        ``(N,)`` bool, the nodes scored.

    Returns
    -------
    numpy.ndarray
        ``(L, V)``: ``sqrt(mean over forecasts and interior nodes of (pred - truth)^2)``.
    """
    pred, truth, interior = _pair(pred, truth, interior)
    err = (pred[:, :, interior] - truth[:, :, interior]).astype(np.float64)
    return np.sqrt((err**2).mean(axis=(0, 2)))


def pearson_by_lead(
    pred: np.ndarray, truth: np.ndarray, interior: np.ndarray, reference: np.ndarray | None = None
) -> np.ndarray:
    """Spatial Pearson correlation per lead time and variable, averaged over forecasts (eq. fm-pearson).

    Parameters
    ----------
    pred, truth : numpy.ndarray
        ``(S, L, N, V)``.
    interior : numpy.ndarray
        ``(N,)`` bool.
    reference : numpy.ndarray or None
        ``(N, V)`` field subtracted from both before correlating (e.g. the training time mean:
        the anomaly correlation); ``None`` correlates the raw fields.

    Returns
    -------
    numpy.ndarray
        ``(L, V)``; NaN where a forecast or target field is constant over the interior.
    """
    pred, truth, interior = _pair(pred, truth, interior)
    p, t = pred[:, :, interior].astype(np.float64), truth[:, :, interior].astype(np.float64)
    if reference is not None:
        reference = _numeric(reference, "reference")
        if reference.shape != pred.shape[2:]:
            raise ValueError(f"reference must have shape {pred.shape[2:]}, got {reference.shape}")
        if not np.isfinite(reference).all():
            raise ValueError("reference must be finite (no NaN or inf)")
        p, t = p - reference[interior], t - reference[interior]
    p, t = p - p.mean(axis=2, keepdims=True), t - t.mean(axis=2, keepdims=True)
    denom = np.sqrt((p**2).sum(axis=2) * (t**2).sum(axis=2))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.where(denom > 0, (p * t).sum(axis=2) / denom, np.nan)
    return corr.mean(axis=0)


def _fields(run: dict[str, np.ndarray]) -> np.ndarray:
    if not isinstance(run, dict) or "fields" not in run:
        raise TypeError("run must be the dict returned by simulate_magnetosphere (with 'fields')")
    fields = np.asarray(run["fields"])
    if fields.dtype.kind not in "iuf":
        raise TypeError(f"run['fields'] must be real numbers, got dtype {fields.dtype}")
    if fields.ndim != 4:
        raise ValueError(f"run['fields'] must have shape (T, V, nx, ny), got {fields.shape}")
    return fields


def _states(states: np.ndarray, name: str) -> np.ndarray:
    states = _numpy(states)
    if states.ndim != 3 or states.size == 0:
        raise ValueError(f"{name} must have shape (T, N, V) and not be empty, got {states.shape}")
    if not np.issubdtype(states.dtype, np.floating):
        raise TypeError(f"{name} must be a floating array, got {states.dtype}")
    return states


def _mask(mask: np.ndarray, n: int, name: str, allow_empty: bool = False) -> np.ndarray:
    mask = _numpy(mask)
    if mask.dtype != bool or mask.shape != (n,):
        raise ValueError(f"{name} must be a bool array of shape ({n},), got {mask.dtype} {mask.shape}")
    if not allow_empty and not mask.any():
        raise ValueError(f"{name} selects no node")
    return mask


def _numpy(value: object) -> np.ndarray:
    """``value`` as a NumPy array; a torch tensor is detached and moved to the CPU first."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def _numeric(value: object, name: str) -> np.ndarray:
    out = _numpy(value)
    if out.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be an array of real numbers, got dtype {out.dtype}")
    return out


def _starts(starts: np.ndarray, n_frames: int, n_lead: int) -> np.ndarray:
    positive_int(n_lead, "n_lead")
    starts = _numpy(starts)
    if starts.ndim != 1 or not np.issubdtype(starts.dtype, np.integer):
        raise ValueError(f"starts must be a 1-D integer array, got {starts.dtype} {starts.shape}")
    starts = starts.astype(np.int64)  # s + 2 in a narrow dtype (uint8) would wrap around
    if starts.size and (starts.min() < 0 or starts.max() + n_lead + 1 >= n_frames):
        raise ValueError(
            f"starts must lie in [0, {n_frames - n_lead - 2}] for {n_frames} frames and n_lead={n_lead}"
        )
    return starts


def _pair(pred: np.ndarray, truth: np.ndarray, interior: np.ndarray) -> tuple[np.ndarray, ...]:
    pred, truth = _numeric(pred, "pred"), _numeric(truth, "truth")
    if pred.ndim != 4 or pred.shape != truth.shape:
        raise ValueError(
            f"pred and truth must have the same shape (S, L, N, V), got {pred.shape} and {truth.shape}"
        )
    if pred.size == 0:
        raise ValueError(f"pred and truth must not be empty, got shape {pred.shape}")
    return pred, truth, _mask(interior, pred.shape[2], "interior")
