"""Scientific machine learning: neural operators and their simulators.

KANO (Lee, Liu, Yu et al., 2025) against the Fourier neural operator:

- :class:`FNO1d`, :class:`SpectralConv1d` -- the 1D FNO baseline (modes counted per sign);
- :class:`KANLayer`, :func:`kan`, :func:`bspline_basis` -- Kolmogorov-Arnold layers (cubic B-splines);
- :class:`KANOLayer`, :class:`KANO`, :func:`make_kano`, :class:`QKANO` -- the dual-domain operator
  and its quantum variant; :func:`kn_quantize` (fast) and :func:`kn_quantize_naive` (dense reference);
- :func:`effective_symbol`, :func:`linearise_activation`, :func:`fit_symbol` -- symbolic read-out;
- :func:`make_grid`, :func:`sample_family`, :func:`apply_operator`, :func:`derivative`,
  :func:`relative_l2` -- position-dependent operators and input families;
- :func:`double_well`, :func:`split_step`, :func:`exact_propagator`, :func:`gaussian_packets`,
  :func:`pmfs`, :func:`infidelity` -- the double-well quantum task;
- :func:`simulate_magnetosphere`, :class:`PlasmaConfig`, :func:`divergence_cd` -- a seeded 2.5D
  Hall-MHD mini-magnetosphere driven by a time-varying solar wind (Holmberg et al. emulators);
- :class:`MeshGraph`, :func:`build_graph`, :func:`plot_graph`, :func:`graph_summary` -- the
  emulator's grid-to-mesh, mesh (simple, multiscale, hierarchical) and mesh-to-grid graphs;
- :class:`GraphFM`, :func:`train_graph_fm`, :class:`InteractionNet`, :class:`PropagationNet`,
  :func:`make_mlp`, :func:`scatter_sum`, :func:`scatter_mean` -- the Graph-FM emulator, its
  message-passing layers (plain torch) and its single-step then autoregressive training;
- :func:`grid_states`, :func:`to_grid`, :func:`emulator_boundary`, :class:`FieldStats`,
  :func:`forecast_windows`, :func:`emulator_forecasts`, :func:`persistence`, :func:`targets`,
  :func:`rmse_by_lead`, :func:`pearson_by_lead` -- emulator data and forecast verification;
- :func:`train_operator`, :func:`train_qkano`, :func:`pmf_loss`, :func:`relative_mse`,
  :func:`count_parameters` -- training.
"""

from trustlab.sciml.emulator import GraphFM
from trustlab.sciml.emulator_training import train_graph_fm
from trustlab.sciml.fno import FNO1d, SpectralConv1d, count_parameters
from trustlab.sciml.forecasting import (
    FieldStats,
    emulator_boundary,
    emulator_forecasts,
    forecast_windows,
    grid_states,
    pearson_by_lead,
    persistence,
    rmse_by_lead,
    targets,
    to_grid,
)
from trustlab.sciml.graphs import MeshGraph, build_graph, graph_summary, plot_graph
from trustlab.sciml.kan import KANLayer, bspline_basis, kan
from trustlab.sciml.kano import (
    KANO,
    QKANO,
    KANOLayer,
    effective_symbol,
    fit_symbol,
    kn_quantize,
    kn_quantize_naive,
    linearise_activation,
    make_kano,
)
from trustlab.sciml.message_passing import (
    InteractionNet,
    PropagationNet,
    make_mlp,
    scatter_mean,
    scatter_sum,
)
from trustlab.sciml.operators import (
    apply_operator,
    derivative,
    make_grid,
    relative_l2,
    sample_family,
    wavenumbers,
)
from trustlab.sciml.plasma import FIELDS, PlasmaConfig, divergence_cd, simulate_magnetosphere
from trustlab.sciml.quantum import (
    double_well,
    exact_propagator,
    gaussian_packets,
    infidelity,
    pmfs,
    split_step,
)
from trustlab.sciml.training import pmf_loss, relative_mse, train_operator, train_qkano

__all__ = [
    "FIELDS",
    "FNO1d",
    "FieldStats",
    "GraphFM",
    "InteractionNet",
    "KANLayer",
    "KANO",
    "KANOLayer",
    "MeshGraph",
    "PlasmaConfig",
    "PropagationNet",
    "QKANO",
    "SpectralConv1d",
    "apply_operator",
    "bspline_basis",
    "build_graph",
    "count_parameters",
    "derivative",
    "divergence_cd",
    "double_well",
    "effective_symbol",
    "emulator_boundary",
    "emulator_forecasts",
    "exact_propagator",
    "fit_symbol",
    "forecast_windows",
    "gaussian_packets",
    "graph_summary",
    "grid_states",
    "infidelity",
    "kan",
    "kn_quantize",
    "kn_quantize_naive",
    "linearise_activation",
    "make_grid",
    "make_kano",
    "make_mlp",
    "pearson_by_lead",
    "persistence",
    "plot_graph",
    "pmf_loss",
    "pmfs",
    "relative_l2",
    "relative_mse",
    "rmse_by_lead",
    "sample_family",
    "scatter_mean",
    "scatter_sum",
    "simulate_magnetosphere",
    "split_step",
    "targets",
    "to_grid",
    "train_graph_fm",
    "train_operator",
    "train_qkano",
    "wavenumbers",
]
