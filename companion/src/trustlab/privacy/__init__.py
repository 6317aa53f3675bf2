"""Differential privacy: exact Gaussian calibration, correlated-noise mean estimation, audits.

- :mod:`trustlab.privacy.gaussian` -- the analytic Gaussian mechanism (calibration and its
  inverse, valid for any epsilon) and an exact discrete Gaussian sampler; read its warning on
  floating-point noise;
- :mod:`trustlab.privacy.cordp` -- LDP, SecAgg and correlated-noise (CorDP) mechanisms for
  distributed mean estimation with colluders and dropouts;
- :mod:`trustlab.privacy.audit` -- empirical lower bounds on epsilon (Clopper-Pearson).
"""

from trustlab.privacy.audit import (
    AuditResult,
    audit_cordp,
    clopper_pearson_upper,
    colluder_view,
    epsilon_lower_bound,
    likelihood_ratio_scores,
)
from trustlab.privacy.cordp import (
    CorDPDesign,
    NoiseParams,
    cordp_mu,
    cordp_optimal,
    correlated_noise,
    estimate_mean,
    ldp_params,
    mse_per_coordinate,
    pair_incidence,
    pairwise_noise,
    privatize,
    secagg_params,
    simulate_mse,
)
from trustlab.privacy.gaussian import (
    analytic_delta,
    analytic_epsilon,
    analytic_mu,
    discrete_gaussian_pmf,
    gaussian_delta,
    gaussian_epsilon,
    gaussian_sigma,
    sample_discrete_gaussian,
)

__all__ = [
    "AuditResult",
    "CorDPDesign",
    "NoiseParams",
    "analytic_delta",
    "analytic_epsilon",
    "analytic_mu",
    "audit_cordp",
    "clopper_pearson_upper",
    "colluder_view",
    "cordp_mu",
    "cordp_optimal",
    "correlated_noise",
    "discrete_gaussian_pmf",
    "epsilon_lower_bound",
    "estimate_mean",
    "gaussian_delta",
    "gaussian_epsilon",
    "gaussian_sigma",
    "ldp_params",
    "likelihood_ratio_scores",
    "mse_per_coordinate",
    "pair_incidence",
    "pairwise_noise",
    "privatize",
    "sample_discrete_gaussian",
    "secagg_params",
    "simulate_mse",
]
