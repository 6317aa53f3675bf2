"""trustlab: the companion package of *Papers You Can Run*.

Sub-packages, one per field:

- :mod:`trustlab.fairness` -- fairness post-processors and metrics, fair trees for missing values;
- :mod:`trustlab.privacy` -- differential privacy: exact Gaussian calibration, correlated-noise
  mean estimation, audits, secure computation;
- :mod:`trustlab.coded` -- coded computing: Generalized PolyDot codes, gloo workers, coded training;
- :mod:`trustlab.sciml` -- scientific ML: neural operators (FNO, KANO) and their simulators;
- :mod:`trustlab.generative` -- generative models: conditional diffusion, CFG, the Chain of
  Diffusion and ReDiFine, offline sample-quality metrics;
- :mod:`trustlab.datasets` -- loaders for real data (cache, offline mirror, checksum);
- :mod:`trustlab.book` -- what every chapter shares (scale, seeds, threads, plot style).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("trustlab")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
