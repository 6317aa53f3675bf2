"""Generative models: conditional diffusion, the self-consuming Chain of Diffusion and ReDiFine.

- :class:`NoiseSchedule`, :class:`EpsMLP`, :func:`train_ddpm`, :func:`ddpm_loss`,
  :func:`ddim_sample`, :func:`ddim_step`, :func:`guided_eps`, :func:`cfg_combine`,
  :func:`cfg_schedule`, :func:`drop_conditions` -- DDPM training, DDIM/ancestral sampling and
  classifier-free guidance;
- :func:`run_chain` -- the Chain of Diffusion (ReDiFine: ``p_drop > 0`` and a CFG schedule);
- :func:`digit_images` -- scikit-learn's bundled digits, sharp or blurred, 8x8 or upsampled;
- :class:`DigitFeatures`, :func:`frechet_distance`, :func:`pixel_stats`, :func:`hf_energy`,
  :func:`chain_table` -- offline metrics;
- :func:`gaussian_cfg_target`, :func:`cfg_gain`, :func:`qt_step`, :func:`qt_recursion`,
  :func:`critical_cfg`, :func:`estimate_qt`, :func:`predicted_drift` -- our quantitative-trait reconstruction.
"""

from trustlab.generative.chain import run_chain
from trustlab.generative.diffusion import (
    EpsMLP,
    NoiseSchedule,
    cfg_combine,
    cfg_schedule,
    ddim_sample,
    ddim_step,
    ddpm_loss,
    drop_conditions,
    guided_eps,
    train_ddpm,
)
from trustlab.generative.digits import digit_images
from trustlab.generative.metrics import DigitFeatures, chain_table, frechet_distance, hf_energy, pixel_stats
from trustlab.generative.traits import (
    cfg_gain,
    critical_cfg,
    estimate_qt,
    gaussian_cfg_target,
    predicted_drift,
    qt_recursion,
    qt_step,
)

__all__ = [
    "DigitFeatures",
    "EpsMLP",
    "NoiseSchedule",
    "cfg_combine",
    "chain_table",
    "cfg_gain",
    "cfg_schedule",
    "critical_cfg",
    "ddim_sample",
    "ddim_step",
    "ddpm_loss",
    "digit_images",
    "drop_conditions",
    "estimate_qt",
    "frechet_distance",
    "gaussian_cfg_target",
    "guided_eps",
    "hf_energy",
    "pixel_stats",
    "predicted_drift",
    "qt_recursion",
    "qt_step",
    "run_chain",
    "train_ddpm",
]
