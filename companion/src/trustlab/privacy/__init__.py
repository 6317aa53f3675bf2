"""Differential privacy: exact Gaussian calibration, correlated-noise mean estimation, audits.

- ``trustlab.privacy.gaussian`` -- the analytic Gaussian mechanism (calibration and its
  inverse, valid for any epsilon) and an exact discrete Gaussian sampler; read its warning on
  floating-point noise;
- ``trustlab.privacy.cordp`` -- LDP, SecAgg and correlated-noise (CorDP) mechanisms for
  distributed mean estimation with colluders and dropouts;
- ``trustlab.privacy.audit`` -- empirical lower bounds on epsilon (Clopper-Pearson);
- ``trustlab.privacy.shamir`` -- Shamir sharing over a prime field and over the reals, BGW
  multiplication (honest majority, ``N >= 2t + 1``);
- ``trustlab.privacy.coalition`` -- exact privacy accounting of linear Gaussian sharing
  against every coalition of ``t`` nodes;
- ``trustlab.privacy.secure_mult`` -- DP multiplication with an honest minority
  (``t < N < 2t + 1``): our layered-noise scheme and the trade-off curve.
"""

from trustlab.privacy.audit import (
    AuditResult,
    audit_cordp,
    clopper_pearson_upper,
    colluder_view,
    epsilon_lower_bound,
    likelihood_ratio_scores,
)
from trustlab.privacy.coalition import coalition_precision, coalition_report, exact_coalition_precision
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
from trustlab.privacy.secure_mult import (
    LayeredMultiplication,
    accuracy_snr,
    lmmse_weights,
    lmse_bound,
    naive_lmse,
)
from trustlab.privacy.shamir import (
    PRIME,
    bgw_multiply,
    field_lagrange_at_zero,
    field_points,
    field_reconstruct,
    field_share,
    real_lagrange_at_zero,
    real_reconstruct,
    real_share,
)

__all__ = [
    "AuditResult",
    "CorDPDesign",
    "LayeredMultiplication",
    "NoiseParams",
    "PRIME",
    "accuracy_snr",
    "bgw_multiply",
    "coalition_precision",
    "coalition_report",
    "exact_coalition_precision",
    "field_lagrange_at_zero",
    "field_points",
    "field_reconstruct",
    "field_share",
    "lmmse_weights",
    "lmse_bound",
    "naive_lmse",
    "real_lagrange_at_zero",
    "real_reconstruct",
    "real_share",
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
