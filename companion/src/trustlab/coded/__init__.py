"""Coded computing: Generalized PolyDot codes, distributed execution, coded training.

- ``trustlab.coded.polydot`` -- Polynomial, MatDot and Generalized PolyDot codes for
  ``C = A @ B``: encoders, recovery thresholds, decoders from any ``K`` of ``N`` results
  (complex roots of unity by default), and the syndrome-subspace error locator;
- ``trustlab.coded.distributed`` -- N worker processes on ``torch.distributed`` (gloo, loopback):
  first-``K`` decoding, injected stragglers, crashes and soft errors, clean teardown;
- ``trustlab.coded.training`` -- coded training of a fully connected network with simulated
  workers: coded forward, backward and update, soft errors corrected.
"""

from trustlab.coded.polydot import (
    GPDCode,
    UndecodableError,
    evaluate,
    evaluation_points,
    interpolate,
    interpolation_rows,
    join_blocks,
    locate_errors,
    matdot_code,
    original_polydot_threshold,
    parity_check,
    polynomial_code,
    recovery_threshold,
    relative_error,
    split_blocks,
)

__all__ = [
    "GPDCode",
    "UndecodableError",
    "evaluate",
    "evaluation_points",
    "interpolate",
    "interpolation_rows",
    "join_blocks",
    "locate_errors",
    "matdot_code",
    "original_polydot_threshold",
    "parity_check",
    "polynomial_code",
    "recovery_threshold",
    "relative_error",
    "split_blocks",
]
