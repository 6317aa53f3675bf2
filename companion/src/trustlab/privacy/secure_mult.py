"""Differentially private multiplication with an honest minority, :math:`t < N < 2t+1`.

BGW (:mod:`trustlab.privacy.shamir`) multiplies exactly but needs :math:`N \\ge 2t+1` nodes.
With fewer nodes, Cadambe, Devulapalli, Jeong and Calmon (2023) trade exactness for
differential privacy: if every coalition of :math:`t` nodes sees each input through Gaussian
noise of at least :math:`\\sigma` (:math:`\\mathrm{SNR}_p = \\eta^2/\\sigma^2`), the best
linear estimate of :math:`AB` has signal-to-noise ratio :math:`\\mathrm{SNR}_a` with

.. math:: 1 + \\mathrm{SNR}_a = (1 + \\mathrm{SNR}_p)^2,

equation ``dpm-tradeoff`` of the chapter. The paper's own layered distribution was not
available to us; :class:`LayeredMultiplication` is **our** construction (equation
``dpm-layered``) that reaches the bound as :math:`h \\to 0`:

* node :math:`i = 1, \\dots, N` sits at :math:`x_i = h\\,\\theta_i` with :math:`\\theta_i = i - (N+1)/2`
  (centred; index 0 of the arrays is node 1);
* it receives :math:`\\tilde A_i = A + Z(1 + x_i^t) + \\sum_{j=1}^{t-1} R_j x_i^j` and the same for
  :math:`B` with independent :math:`W, S_j`, where :math:`Z \\sim \\mathcal N(0, \\sigma^2)` and
  :math:`R_j \\sim \\mathcal N(0, (h^{t-j} L)^2)`, :math:`L = h^{-t/4}` (the layers, or "rubble");
* it returns :math:`P_i = \\tilde A_i \\tilde B_i`;
* the decoder fits a degree-:math:`N-1` polynomial to the :math:`P_i`, reads its coefficients
  :math:`E_0 \\approx (A+Z)(B+W)` and :math:`E_t \\approx (A+Z)W + Z(B+W)`, and returns the
  LMMSE combination :math:`\\gamma (E_0 - \\kappa E_t)` (``dpm-lmmse``).
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from trustlab._checks import check_float_dtype, check_int, check_real
from trustlab.privacy.coalition import coalition_precision, coalition_report
from trustlab.privacy.gaussian import gaussian_sigma

PRECISION_FACTOR: float = 5.0
""":meth:`LayeredMultiplication.share` warns when :math:`h^t` is below this many machine epsilons
of the working dtype. In the chapter's precision map the MSE is within about 5 % of its limit
at :math:`h^t` of 5-10 machine epsilons and off by a factor of 3 or more at one epsilon."""

CALIBRATION_MARGIN: float = 1e-9
"""Relative margin added when the noise is scaled to the privacy target, so that rounding in
the calibration can never leave a coalition a hair below it."""


def lmse_bound(snr_p: ArrayLike) -> NDArray[np.float64]:
    """Normalised LMSE :math:`1/(1+\\mathrm{SNR}_p)^2` on the trade-off curve (``dpm-tradeoff``)."""
    snr = np.asarray(snr_p, dtype=np.float64)
    if np.any(snr < 0) or not np.all(np.isfinite(snr)):
        raise ValueError(f"snr_p must be finite and >= 0, got {snr_p!r}")
    return 1.0 / (1.0 + snr) ** 2


def naive_lmse(snr_p: ArrayLike) -> NDArray[np.float64]:
    """Normalised LMSE :math:`(1 + 2\\,\\mathrm{SNR})/(1+\\mathrm{SNR})^2` of the one-noise scheme (``dpm-naive``).

    Every node holds :math:`A+Z` and :math:`B+W`; the best a linear decoder can do is scale
    :math:`(A+Z)(B+W)`.
    """
    snr = np.asarray(snr_p, dtype=np.float64)
    if np.any(snr < 0) or not np.all(np.isfinite(snr)):
        raise ValueError(f"snr_p must be finite and >= 0, got {snr_p!r}")
    return (1.0 + 2.0 * snr) / (1.0 + snr) ** 2


def accuracy_snr(normalized_mse: ArrayLike) -> NDArray[np.float64]:
    """:math:`\\mathrm{SNR}_a = \\eta^4/\\mathrm{LMSE} - 1` from a normalised MSE :math:`\\mathrm{LMSE}/\\eta^4`."""
    mse = np.asarray(normalized_mse, dtype=np.float64)
    if np.any(mse <= 0) or not np.all(np.isfinite(mse)):
        raise ValueError(f"normalized_mse must be finite and > 0, got {normalized_mse!r}")
    return 1.0 / mse - 1.0


def lmmse_weights(eta: float, sigma: float) -> tuple[float, float]:
    """Return :math:`(\\gamma, \\kappa)` of the decoder :math:`\\gamma(E_0 - \\kappa E_t)` (``dpm-lmmse``).

    :math:`E_0 - \\kappa E_t = AB + (1-\\kappa)(AW + ZB) + (1 - 2\\kappa) ZW`, whose noise variance
    is smallest at :math:`\\kappa = (\\eta^2+\\sigma^2)/(\\eta^2+2\\sigma^2)`, where it equals
    :math:`v = \\eta^2\\sigma^4/(\\eta^2+2\\sigma^2)`; shrinking by
    :math:`\\gamma = \\eta^4/(\\eta^4 + v)` gives LMSE :math:`\\eta^4 \\sigma^4/(\\eta^2+\\sigma^2)^2`.
    """
    eta = check_real(eta, "eta", low=0.0)
    sigma = check_real(sigma, "sigma", low=0.0)
    kappa = (eta**2 + sigma**2) / (eta**2 + 2 * sigma**2)
    v = eta**2 * sigma**4 / (eta**2 + 2 * sigma**2)
    return eta**4 / (eta**4 + v), kappa


class LayeredMultiplication:
    """Our layered-noise DP multiplication for :math:`t < N < 2t + 1` nodes (``dpm-layered``).

    Parameters
    ----------
    t : int
        Collusion threshold: any ``t`` nodes may pool their shares.
    n_nodes : int, optional
        Number of nodes, :math:`t + 1 \\le N \\le 2t`; default ``t + 1``.
    sigma : float, default=1.0
        The privacy level: every coalition of ``t`` nodes sees each input through Gaussian
        noise of standard deviation at least ``sigma`` (``dpm-sigma-eff``). For an
        :math:`(\\varepsilon, \\delta)` target take ``sigma = gaussian_sigma(eps, delta, Delta)``.
    eta : float, default=1.0
        Standard deviation of the inputs (the decoder's prior).
    h : float, optional
        Spacing of the evaluation points; the bound is reached as ``h -> 0``, until the
        working precision runs out (``h**t`` near the machine epsilon: about ``1e-7`` in
        float32, ``2e-16`` in float64; :meth:`share` warns below ``PRECISION_FACTOR`` times it).
        Default ``max(1e-3, (1e3 * eps64) ** (1 / t))``: ``1e-3`` for ``t <= 4``, larger
        beyond so that ``h**t`` stays 1000 float64 epsilons away from rounding noise.
    layer_scale : float, optional
        :math:`L` in the layer variances :math:`(h^{t-j}L)^2`; default :math:`h^{-t/4}`.
    calibrate : bool, default=True
        Scale all noise so that the least-noisy coalition sees exactly ``sigma`` (times
        ``1 + CALIBRATION_MARGIN``). Without it the coalitions see slightly less.

    Attributes
    ----------
    points : ndarray of shape (n_nodes,)
        Evaluation points :math:`x_i = h\\theta_i`.
    generator : ndarray of shape (n_nodes, n_noise)
        Row :math:`i` is :math:`(1 + x_i^t, x_i, \\dots, x_i^{t-1})`: the share is
        :math:`A + g_i^\\top (Z, R_1, \\dots, R_{t-1})`.
    noise_std : ndarray of shape (n_noise,)
        Standard deviations of :math:`(Z, R_1, \\dots, R_{t-1})` after calibration.
    sigma_z : float
        ``noise_std[0]``, the noise the decoder's LMMSE weights are built for.
    decoder : ndarray of shape (n_nodes,)
        The linear decoder :math:`d` with estimate :math:`d^\\top P`.

    Examples
    --------
    >>> scheme = LayeredMultiplication(t=2, sigma=1.0)
    >>> bool(scheme.coalitions()["sigma_eff"].min() >= 1.0)
    True
    """

    def __init__(
        self,
        t: int,
        n_nodes: int | None = None,
        sigma: float = 1.0,
        eta: float = 1.0,
        h: float | None = None,
        layer_scale: float | None = None,
        calibrate: bool = True,
    ) -> None:
        self.t = check_int(t, "t", low=1)
        self.n_nodes = self.t + 1 if n_nodes is None else check_int(n_nodes, "n_nodes", low=2)
        if not self.t + 1 <= self.n_nodes <= 2 * self.t:
            raise ValueError(
                f"n_nodes must satisfy t + 1 <= n_nodes <= 2t (here {self.t + 1}..{2 * self.t}); "
                f"got {self.n_nodes}. With n_nodes >= 2t + 1 BGW multiplies exactly (trustlab.privacy.bgw_multiply)"
            )
        self.sigma = check_real(sigma, "sigma", low=0.0)
        self.eta = check_real(eta, "eta", low=0.0)
        self.h = (
            max(1e-3, (1e3 * np.finfo(np.float64).eps) ** (1 / self.t))
            if h is None
            else check_real(h, "h", low=0.0, high=1.0)
        )
        self.layer_scale = (
            self.h ** (-self.t / 4)
            if layer_scale is None
            else check_real(layer_scale, "layer_scale", low=0.0)
        )
        if not isinstance(calibrate, bool):
            raise TypeError(f"calibrate must be a bool, got {type(calibrate).__name__}")
        theta = np.arange(self.n_nodes) - (self.n_nodes - 1) / 2
        self.points = self.h * theta
        powers = self.points[:, None] ** np.arange(self.t + 1)
        self.generator = np.column_stack([1 + powers[:, self.t], powers[:, 1 : self.t]])
        layers = [self.h ** (self.t - j) * self.layer_scale for j in range(1, self.t)]
        self.noise_std = np.array([self.sigma, *layers])
        if calibrate:
            self.noise_std *= (1 + CALIBRATION_MARGIN) * self.sigma / self._min_sigma_eff()
        self.sigma_z = float(self.noise_std[0])
        # Rows 0 and t of V^{-1}, V = vander(h theta) = vander(theta) diag(h^k): exact scaling.
        inv_theta = np.linalg.inv(np.vander(theta, self.n_nodes, increasing=True))
        self._row0 = inv_theta[0]
        self._row_t = inv_theta[self.t] / self.h**self.t
        gamma, kappa = lmmse_weights(self.eta, self.sigma_z)
        self.decoder = gamma * (self._row0 - kappa * self._row_t)

    def _min_sigma_eff(self) -> float:
        return min(
            1 / math.sqrt(coalition_precision(self.generator, self.noise_std, list(c)))
            for c in itertools.combinations(range(self.n_nodes), self.t)
        )

    def snr_p(self) -> float:
        """The privacy SNR guaranteed to every coalition, :math:`\\eta^2 / \\min_S \\sigma_{\\text{eff}}(S)^2`."""
        return self.eta**2 / self._min_sigma_eff() ** 2

    def theory_mse(self) -> float:
        """Normalised LMSE of the decoder as :math:`h \\to 0`: :math:`\\sigma_z^4/(\\eta^2+\\sigma_z^2)^2`."""
        return self.sigma_z**4 / (self.eta**2 + self.sigma_z**2) ** 2

    def coalitions(self, sensitivity: float = 1.0, delta: float | None = None) -> pd.DataFrame:
        """Exact privacy of every coalition of ``t`` nodes, per input (:func:`coalition_report`)."""
        return coalition_report(self.generator, self.noise_std, self.t, self.eta, sensitivity, delta)

    def share(self, x: ArrayLike, rng: np.random.Generator, dtype: type = np.float64) -> NDArray:
        """Layered shares of ``x`` for every node, shape ``(n_nodes, *x.shape)``, in ``dtype``.

        The noise is drawn in float64 and the shares are formed in ``dtype``
        (float32 nodes compute in float32).
        """
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        dtype = check_float_dtype(dtype)
        if self.h**self.t < PRECISION_FACTOR * np.finfo(dtype).eps:
            warnings.warn(
                f"h**t = {self.h**self.t:.1e} is below {PRECISION_FACTOR:g} x the machine epsilon of "
                f"{np.dtype(dtype).name} ({np.finfo(dtype).eps:.1e}): the decoder's x^t coefficient is "
                "rounding noise and the MSE will be far above the trade-off curve; use a larger h or float64",
                RuntimeWarning,
                stacklevel=2,
            )
        arr = np.asarray(x, dtype=np.float64)
        noise = rng.standard_normal((self.t, *arr.shape)) * self.noise_std.reshape(
            (self.t,) + (1,) * arr.ndim
        )
        G = self.generator.astype(dtype)
        return arr.astype(dtype)[None] + np.tensordot(G, noise.astype(dtype), axes=1)

    def taylor_coefficients(self, products: ArrayLike) -> tuple[NDArray, NDArray]:
        """:math:`(E_0, E_t)`: coefficients of :math:`x^0` and :math:`x^t` of the degree-:math:`N-1` fit."""
        P = self._check_products(products)
        return (
            np.tensordot(self._row0.astype(P.dtype), P, axes=1),
            np.tensordot(self._row_t.astype(P.dtype), P, axes=1),
        )

    def decode(self, products: ArrayLike) -> NDArray:
        """The LMMSE estimate of :math:`AB` from the nodes' products, in their dtype (``dpm-lmmse``)."""
        P = self._check_products(products)
        return np.tensordot(self.decoder.astype(P.dtype), P, axes=1)

    def multiply(
        self, a: ArrayLike, b: ArrayLike, rng: np.random.Generator, dtype: type = np.float64
    ) -> NDArray:
        """Share ``a`` and ``b``, let every node multiply its shares, decode (elementwise)."""
        a_arr, b_arr = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        if a_arr.shape != b_arr.shape:
            raise ValueError(f"a and b must have the same shape, got {a_arr.shape} and {b_arr.shape}")
        return self.decode(self.share(a_arr, rng, dtype) * self.share(b_arr, rng, dtype))

    def matmul(
        self, a: ArrayLike, b: ArrayLike, rng: np.random.Generator, dtype: type = np.float64
    ) -> NDArray:
        """DP estimate of the matrix product ``a @ b``: node :math:`i` computes :math:`\\tilde A_i \\tilde B_i`.

        Every entry of :math:`AB` is a sum of :math:`k` scalar products with independent noise,
        so signal and noise variances both scale by :math:`k` and the scalar decoder weights
        (``dpm-lmmse``) stay optimal: the normalised MSE per entry, divided by :math:`k\\eta^4`,
        is the scalar one.

        Parameters
        ----------
        a : array-like of shape (n_rows, n_inner)
        b : array-like of shape (n_inner, n_cols)
        rng : numpy.random.Generator
        dtype : numpy.dtype-like, default=numpy.float64

        Returns
        -------
        ndarray of shape (n_rows, n_cols)
        """
        a_arr, b_arr = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        if a_arr.ndim != 2 or b_arr.ndim != 2 or a_arr.shape[1] != b_arr.shape[0]:
            raise ValueError(
                f"a and b must be 2-D with a.shape[1] == b.shape[0], got {a_arr.shape} and {b_arr.shape}"
            )
        return self.decode(self.share(a_arr, rng, dtype) @ self.share(b_arr, rng, dtype))

    @classmethod
    def from_dp(
        cls, t: int, eps: float, delta: float, sensitivity: float = 1.0, **kwargs: object
    ) -> LayeredMultiplication:
        """The scheme whose every coalition of ``t`` nodes is exactly :math:`(\\varepsilon, \\delta)`-DP.

        ``sigma`` is the analytic-Gaussian noise for inputs that differ by at most
        ``sensitivity`` (:func:`trustlab.privacy.gaussian_sigma`); ``kwargs`` go to the
        constructor (``n_nodes``, ``eta``, ``h`` ...).

        Examples
        --------
        >>> scheme = LayeredMultiplication.from_dp(2, eps=1.0, delta=1e-5)
        >>> bool(scheme.coalitions(delta=1e-5)["epsilon"].max() <= 1.0 + 1e-9)
        True
        """
        return cls(t, sigma=gaussian_sigma(eps, delta, sensitivity), **kwargs)

    def monte_carlo_mse(self, n_samples: int, rng: np.random.Generator, dtype: type = np.float64) -> float:
        """Normalised MSE :math:`\\mathbb E[(\\hat{AB} - AB)^2]/\\eta^4` over Gaussian inputs of std ``eta``."""
        n_samples = check_int(n_samples, "n_samples", low=2)
        a = self.eta * rng.standard_normal(n_samples)
        b = self.eta * rng.standard_normal(n_samples)
        estimate = self.multiply(a, b, rng, dtype).astype(np.float64)
        return float(np.mean((estimate - a * b) ** 2) / self.eta**4)

    def _check_products(self, products: ArrayLike) -> NDArray:
        P = np.asarray(products)
        if not np.issubdtype(P.dtype, np.floating):
            P = P.astype(np.float64)
        if P.ndim < 1 or P.shape[0] != self.n_nodes:
            raise ValueError(
                f"products must have one row per node ({self.n_nodes}) on axis 0, got shape {P.shape}"
            )
        return P
