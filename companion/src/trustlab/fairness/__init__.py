"""Fairness post-processors and metrics.

FairProjection (Alghamdi et al., NeurIPS 2022): information projection of a pre-trained
multi-class classifier onto linear group-fairness constraints, solved via its dual.

- :class:`FairProjection` -- scikit-learn style post-processor (``fit``/``predict_proba``);
- :class:`GroupConstraints` -- the structured constraint operator ``G`` (SP and MEO);
- :func:`solve_dual` (L-BFGS-B) and :func:`admm` (the paper's ADMM) -- dual solvers;
- :func:`kl_tilt`, :func:`ce_tilt`, :func:`ce_dual_terms` -- the closed-form projections;
- metrics: :func:`mean_equalized_odds`, :func:`statistical_parity_difference`,
  :func:`equalized_odds_difference`, :func:`group_rates`, :func:`ratio_violation`;
- :func:`make_multigroup_classification` -- seeded synthetic populations;
- :func:`make_base_model`, :func:`projection_tradeoff`, :func:`fairness_summary`, :func:`scored` -- the
  experiments' building blocks (base models, alpha sweeps, accuracy and gaps).

Fair prediction with missing values (Jeong, Wang and Calmon, AAAI 2022):

- :class:`FairMIATreeClassifier` -- fairness-regularised decision tree with Missing
  Incorporated in Attribute splits, solved by :func:`solve_coordinate_descent` or exactly by
  :func:`solve_exact` (HiGHS MILP); :func:`mia_route`, :func:`tree_objective`,
  :func:`binary_group_gaps`, :func:`bin_features`;
- missingness: :func:`inject_missing` (group-dependent MCAR/MAR/MNAR), :func:`adult_with_missing`,
  :func:`compas_with_missing`, :func:`make_missing_population`;
- baselines: :func:`imputation_tradeoff` (imputation + tree / ExponentiatedGradient),
  :func:`native_tree`, :func:`mia_tradeoff`, :func:`make_imputer`, :func:`compare_on_missing_data`,
  :func:`dominance_margin`, :func:`select_lam`.
"""

from trustlab.fairness.admm import admm, ce_prox, kl_prox
from trustlab.fairness.constraints import GroupConstraints, joint_marginals
from trustlab.fairness.imputation import (
    IMPUTERS,
    compare_on_missing_data,
    dominance_margin,
    imputation_tradeoff,
    make_imputer,
    mia_tradeoff,
    native_tree,
    select_lam,
)
from trustlab.fairness.metrics import (
    equalized_odds_difference,
    group_rates,
    mean_equalized_odds,
    ratio_violation,
    statistical_parity_difference,
)
from trustlab.fairness.mia_tree import (
    FAIRNESS_GAPS,
    FairMIATreeClassifier,
    MIATree,
    SolverResult,
    bin_features,
    binary_group_gaps,
    mia_route,
    solve_coordinate_descent,
    solve_exact,
    tree_objective,
)
from trustlab.fairness.missingness import (
    MECHANISMS,
    MissingData,
    adult_with_missing,
    compas_with_missing,
    inject_missing,
    make_missing_population,
)
from trustlab.fairness.projection import (
    DualResult,
    FairProjection,
    ce_dual_terms,
    ce_tilt,
    kl_tilt,
    primal_objective,
    smooth_probabilities,
    solve_dual,
)
from trustlab.fairness.synthetic import make_multigroup_classification
from trustlab.fairness.tradeoff import (
    fairness_summary,
    make_base_model,
    projection_tradeoff,
    scored,
)

__all__ = [
    "FAIRNESS_GAPS",
    "IMPUTERS",
    "MECHANISMS",
    "FairMIATreeClassifier",
    "MIATree",
    "MissingData",
    "SolverResult",
    "adult_with_missing",
    "bin_features",
    "binary_group_gaps",
    "compas_with_missing",
    "compare_on_missing_data",
    "dominance_margin",
    "imputation_tradeoff",
    "inject_missing",
    "make_imputer",
    "make_missing_population",
    "mia_route",
    "mia_tradeoff",
    "native_tree",
    "solve_coordinate_descent",
    "solve_exact",
    "tree_objective",
    "DualResult",
    "FairProjection",
    "GroupConstraints",
    "admm",
    "ce_dual_terms",
    "ce_prox",
    "ce_tilt",
    "equalized_odds_difference",
    "fairness_summary",
    "group_rates",
    "joint_marginals",
    "kl_prox",
    "kl_tilt",
    "make_base_model",
    "make_multigroup_classification",
    "mean_equalized_odds",
    "primal_objective",
    "projection_tradeoff",
    "scored",
    "select_lam",
    "ratio_violation",
    "smooth_probabilities",
    "solve_dual",
    "statistical_parity_difference",
]
