"""A 2.5D Hall-MHD "mini-magnetosphere": a solar wind flowing past a magnetic dipole.

Our own offline stand-in for a global hybrid-Vlasov run (Vlasiator is not available). The
plane is (x, y); z is out of plane. The wind flows along -x (the Sun is at +x). The model is
incompressible Hall MHD in normalised units (lengths in a unit L in which the ion skin depth
at the reference density is ``d_ref``, 0.1 by default; speeds in Alfven speeds; density in the
reference density):

- velocity from a stream function, ``v_x = d_y psi``, ``v_y = -d_x psi``, plus the uniform
  upstream wind ``-V_sw(t) e_x``; vorticity ``omega = -lap psi``;
- in-plane field from a flux function, ``B = curl(A e_z) + B_z e_z - B_0 e_y`` (eq. hall-mhd-b),
  so ``div B = 0`` by construction (also for the central-difference curl used in the outputs);
- Ohm's law with the Hall term and resistivity (eq. hall-mhd-ohm)
  ``E = -v x B + h J x B + eta J``, ``J = curl B``, ``h = d_ref / n_0``;
- induction (eq. hall-mhd-a, eq. hall-mhd-bz) ``d_t A = -E_z + eta lap A``,
  ``d_t B_z = -(curl E)_z + eta lap B_z``;
- momentum at constant mass density ``rho_0 = n_0`` (eq. hall-mhd-omega, eq. hall-mhd-vz)
  ``d_t omega + v . grad omega = e_z . curl(J x B) / rho_0 + nu lap omega``,
  ``d_t v_z + v . grad v_z = (J x B)_z / rho_0 + nu lap v_z``;
- a passively advected number density (eq. hall-mhd-n) ``d_t n + v . grad n = nu lap n``
  and the pressure from the incompressibility constraint (eq. hall-mhd-p)
  ``lap p = div(rho_0 N)`` with ``N = -(v . grad) v + J x B / rho_0``, reported as
  ``P = 1 + p``.

The density parameter ``density`` (n_0) sets the ion skin depth ``d_i = d_ref / sqrt(n_0)``
(the density scan of Holmberg et al.) and the Hall coefficient ``h``. Boundaries: the box is
periodic; a fringe (sponge) region at large x relaxes the state to the time-varying, seeded
upstream solar wind (speed, density, IMF ripple: eq. hall-mhd-sw) -- this is the inflow
boundary; an obstacle (penalised disc around the dipole, the inner boundary) relaxes the flow to
rest and the flux to the dipole's. Spatial derivatives are pseudo-spectral (2/3 de-aliasing and an
exponential filter), time stepping SSP-RK3 with an adaptive step (eq. hall-mhd-cfl) that obeys the
advective, whistler (Hall) and diffusive limits. What it loses relative to Vlasiator: kinetic
physics, compressibility (no bow shock), a self-consistent density in the momentum equation.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from scipy import fft

from trustlab._checks import as_generator, check_int, check_real, positive_float, positive_int
from trustlab.datasets._fetch import data_home

FIELDS = ("rho", "v_x", "v_y", "v_z", "B_x", "B_y", "B_z", "P")


@dataclass(frozen=True)
class PlasmaConfig:
    """Parameters of a run (see :func:`simulate_magnetosphere`)."""

    nx: int = 64
    ny: int = 64
    lx: float = 8.0
    ly: float = 8.0
    density: float = 1.0
    d_ref: float = 0.1
    v0: float = 1.0
    b0: float = 0.6
    dipole: float = 0.25
    obstacle_radius: float = 0.45
    variability: float = 1.0
    nu: float = 4e-3
    eta: float = 4e-3
    cfl: float = 0.4
    t_spin: float = 2.0
    n_frames: int = 100
    dt_out: float = 0.1
    seed: int = 0

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():  # NumPy scalars pass the checks but not json (cache_key)
            if isinstance(value, np.generic):
                object.__setattr__(self, name, value.item())
        positive_int(self.nx, "nx", minimum=8)
        positive_int(self.ny, "ny", minimum=8)
        for name in ("lx", "ly", "density", "v0", "dt_out"):
            positive_float(getattr(self, name), name)
        for name in ("d_ref", "b0", "dipole", "variability", "nu", "eta", "t_spin"):
            check_real(getattr(self, name), name, low=0.0, low_open=False)
        check_real(
            self.obstacle_radius,
            "obstacle_radius",
            low=0.0,
            low_open=False,
            high=0.25 * min(self.lx, self.ly),
        )
        check_real(self.cfl, "cfl", low=0.0, high=1.0, high_open=False)
        positive_int(self.n_frames, "n_frames")
        check_int(self.seed, "seed")
        if self.nx % 2 or self.ny % 2:
            raise ValueError(f"nx and ny must be even, got nx={self.nx}, ny={self.ny}")

    @property
    def obstacle_center(self) -> tuple[float, float]:
        """Centre ``(0.35 lx, 0.5 ly)`` of the obstacle disc (the dipole's position)."""
        return (0.35 * self.lx, 0.5 * self.ly)

    @property
    def d_i(self) -> float:
        """Ion skin depth ``d_ref / sqrt(density)``."""
        return self.d_ref / np.sqrt(self.density)


class _Solver:
    """Spectral operators, masks, forcing and the right-hand side of one configuration."""

    def __init__(self, cfg: PlasmaConfig) -> None:
        self.cfg = cfg
        nx, ny, lx, ly = cfg.nx, cfg.ny, cfg.lx, cfg.ly
        self.dx, self.dy = lx / nx, ly / ny
        x, y = np.arange(nx) * self.dx, np.arange(ny) * self.dy
        self.X, self.Y = np.meshgrid(x, y, indexing="ij")
        kx = 2 * np.pi * np.fft.fftfreq(nx, d=self.dx)
        ky = 2 * np.pi * np.fft.rfftfreq(ny, d=self.dy)
        self.KX, self.KY = np.meshgrid(kx, ky, indexing="ij")
        self.K2 = self.KX**2 + self.KY**2
        self.K2inv = np.where(self.K2 == 0, 0.0, 1.0 / np.where(self.K2 == 0, 1.0, self.K2))
        kxm, kym = np.abs(kx).max(), ky.max()
        self.kmax2 = kxm**2 + kym**2  # diffusion acts on every mode
        self.kdeal2 = (2 / 3) ** 2 * self.kmax2  # the Hall term only on the de-aliased ones
        self.deal = (np.abs(self.KX) < 2 / 3 * kxm) & (np.abs(self.KY) < 2 / 3 * kym)
        self.filt = np.exp(-36.0 * np.hypot(self.KX / kxm, self.KY / kym) ** 16)
        self.hall = cfg.d_ref / cfg.density
        xc, yc = cfg.obstacle_center
        r = np.hypot(self.X - xc, self.Y - yc)
        rad = cfg.obstacle_radius
        self.obstacle = 0.5 * (1 - np.tanh((r - rad) / 0.1)) if rad > 0 else np.zeros_like(r)
        self.fringe = 0.5 * (1 + np.tanh((self.X - 0.85 * lx) / 0.2))
        self.a_dip = -cfg.dipole * (self.X - xc) / (r**2 + 0.09) * np.exp(-((r / 1.6) ** 2))
        rng = as_generator(cfg.seed, "seed")
        self.periods = rng.uniform(2.0, 4.0, 3)
        self.phases = rng.uniform(0, 2 * np.pi, 3)
        self.a_imf = rng.uniform(0.15, 0.3) * cfg.variability
        self.k_imf = 2 * np.pi / ly * rng.integers(1, 3)

    # --- upstream solar wind (eq. hall-mhd-sw) ---------------------------------------------
    def wind(self, t: float) -> tuple[float, float]:
        """Upstream speed and density at time ``t``."""
        c, w = self.cfg, 2 * np.pi * t / self.periods
        v = c.v0 * (1 + 0.15 * c.variability * np.sin(w[0] + self.phases[0]))
        n = c.density * (1 + 0.3 * c.variability * np.sin(w[1] + self.phases[1]))
        return float(v), float(n)

    def a_wind(self, t: float) -> np.ndarray:
        """Upstream flux function: an IMF ripple ``B_x = a cos(k y + ...)`` advected inward."""
        arg = self.k_imf * self.Y + 2 * np.pi * t / self.periods[2] + self.phases[2]
        return self.a_imf * np.sin(arg) / self.k_imf

    # --- spectral helpers -------------------------------------------------------------------
    def r2c(self, a: np.ndarray) -> np.ndarray:
        return fft.rfft2(a)

    def c2r(self, a: np.ndarray) -> np.ndarray:
        return fft.irfft2(a, s=(self.cfg.nx, self.cfg.ny))

    def grad(self, ah: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        both = self.c2r(np.stack([1j * self.KX * ah, 1j * self.KY * ah]))
        return both[0], both[1]

    def curl_z(self, fx: np.ndarray, fy: np.ndarray) -> np.ndarray:
        """Spectral ``(curl F)_z = d_x F_y - d_y F_x`` of a real-space in-plane vector."""
        return 1j * self.KX * self.r2c(fy) - 1j * self.KY * self.r2c(fx)

    def fields(self, s: np.ndarray, t: float) -> dict[str, np.ndarray]:
        """Real-space velocity, magnetic field and current (eq. hall-mhd-b)."""
        om, ah, bh, vzh = s[0], s[1], s[2], s[3]
        psi = om * self.K2inv
        spec = np.stack([1j * self.KY * psi, -1j * self.KX * psi, 1j * self.KY * ah, -1j * self.KX * ah])
        spec = np.concatenate(
            [spec, np.stack([bh, vzh, self.K2 * ah, 1j * self.KY * bh, -1j * self.KX * bh])]
        )
        ux, uy, bx, by, bz, vz, jz, jx, jy = self.c2r(spec)
        return {
            "u": (ux - self.wind(t)[0], uy, vz),
            "B": (bx, by - self.cfg.b0, bz),
            "J": (jx, jy, jz),
        }

    def ohm(
        self, f: dict[str, tuple[np.ndarray, ...]]
    ) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
        """Electric field (eq. hall-mhd-ohm, without the resistive part) and ``J x B``."""
        (ux, uy, uz), (bx, by, bz), (jx, jy, jz) = f["u"], f["B"], f["J"]
        jxb = (jy * bz - jz * by, jz * bx - jx * bz, jx * by - jy * bx)
        vxb = (uy * bz - uz * by, uz * bx - ux * bz, ux * by - uy * bx)
        e = tuple(-a + self.hall * b for a, b in zip(vxb, jxb, strict=True))
        return e, jxb

    def rhs(self, s: np.ndarray, t: float) -> np.ndarray:
        """Tendencies of (omega, A, B_z, v_z, n) in spectral space (eqs. hall-mhd-a..n)."""
        c = self.cfg
        f = self.fields(s, t)
        (ex, ey, ez), jxb = self.ohm(f)
        ux, uy = f["u"][0], f["u"][1]
        grads = [self.grad(s[i]) for i in (0, 3, 4)]
        adv = [-(ux * gx + uy * gy) for gx, gy in grads]
        out = np.empty_like(s)
        out[0] = (
            self.r2c(adv[0]) + self.curl_z(jxb[0], jxb[1]) / c.density
        ) * self.deal - c.nu * self.K2 * s[0]
        out[1] = -self.r2c(ez) * self.deal - c.eta * self.K2 * s[1]
        out[1][0, 0] = 0.0  # the mean of A carries no field: drop the uniform gauge drift
        out[2] = -self.curl_z(ex, ey) * self.deal - c.eta * self.K2 * s[2]
        out[3] = self.r2c(adv[1] + jxb[2] / c.density) * self.deal - c.nu * self.K2 * s[3]
        out[4] = self.r2c(adv[2]) * self.deal - c.nu * self.K2 * s[4]
        return out

    def relax(self, s: np.ndarray, t: float, dt: float) -> np.ndarray:
        """Implicit sponge to the upstream wind (fringe) and penalisation of the obstacle."""
        om, ah, bh, vzh, nh = s
        psi = om * self.K2inv
        ux, uy, a, b, vz, n = self.c2r(np.stack([1j * self.KY * psi, -1j * self.KX * psi, ah, bh, vzh, nh]))
        gf = np.exp(-dt / 0.05 * self.fringe)
        go = np.exp(-dt / 0.01 * self.obstacle)
        v_sw, n_sw = self.wind(t)
        a_sw = self.a_wind(t)
        ux, uy, vz, b = ux * gf, uy * gf, vz * gf, b * gf
        a = a_sw + (a - a_sw) * gf
        n = n_sw + (n - n_sw) * gf
        ux = v_sw + (ux - v_sw) * go  # total v_x = ux - v_sw -> 0 inside the obstacle
        uy, vz, b = uy * go, vz * go, b * go
        a = self.a_dip + (a - self.a_dip) * go
        n = self.cfg.density + (n - self.cfg.density) * go
        spec = self.r2c(np.stack([ux, uy, a, b, vz, n]))
        om = 1j * self.KX * spec[1] - 1j * self.KY * spec[0]
        return np.stack([om, spec[2], spec[3], spec[4], spec[5]]) * self.filt

    def time_step(self, s: np.ndarray, t: float) -> float:
        """Stable explicit step (eq. hall-mhd-cfl).

        ``dt = cfl * min(h_min / (|v| + v_A), 1 / (h |B| k_d^2), 1 / (max(nu, eta) k_max^2))``:
        advection plus Alfven waves, whistlers (frequency ``h |B| k^2`` of the Hall term, on the
        de-aliased wavenumbers ``k_d``) and explicit diffusion.
        """
        c = self.cfg
        f = self.fields(s, t)
        umax = np.sqrt(sum(u**2 for u in f["u"])).max()
        bmax = np.sqrt(sum(b**2 for b in f["B"])).max()
        va = bmax / np.sqrt(c.density)
        limits = [min(self.dx, self.dy) / (umax + va + 1e-12)]
        if self.hall > 0:
            limits.append(1.0 / (self.hall * bmax * self.kdeal2 + 1e-12))
        if max(c.nu, c.eta) > 0:
            limits.append(1.0 / (max(c.nu, c.eta) * self.kmax2))
        return c.cfl * min(limits)

    def step(self, s: np.ndarray, t: float, dt: float) -> np.ndarray:
        """One SSP-RK3 step followed by the implicit relaxation."""
        s1 = s + dt * self.rhs(s, t)
        s2 = 0.75 * s + 0.25 * (s1 + dt * self.rhs(s1, t + dt))
        s3 = s / 3 + 2 / 3 * (s2 + dt * self.rhs(s2, t + dt / 2))
        return self.relax(s3, t + dt, dt)

    def initial(self) -> np.ndarray:
        shape = (self.cfg.nx, self.cfg.ny)
        n_sw = self.wind(0.0)[1]
        real = np.stack([np.zeros(shape), self.a_dip + self.a_wind(0.0), np.zeros(shape), np.zeros(shape)])
        spec = self.r2c(np.concatenate([real, np.full((1, *shape), n_sw)]))
        spec[0] = 0.0
        return spec

    def snapshot(self, s: np.ndarray, t: float) -> np.ndarray:
        """The outputs ``FIELDS``; B_x, B_y are central differences of A (exactly div-free)."""
        c = self.cfg
        f = self.fields(s, t)
        a = self.c2r(s[1])
        bx = (np.roll(a, -1, 1) - np.roll(a, 1, 1)) / (2 * self.dy)
        by = -(np.roll(a, -1, 0) - np.roll(a, 1, 0)) / (2 * self.dx) - c.b0
        (ux, uy, uz), jxb = f["u"], self.ohm(f)[1]
        uh = self.r2c(np.stack([ux, uy]))
        gx, gy = self.grad(uh[0]), self.grad(uh[1])
        nx_ = -(ux * gx[0] + uy * gx[1]) + jxb[0] / c.density
        ny_ = -(ux * gy[0] + uy * gy[1]) + jxb[1] / c.density
        div = 1j * self.KX * self.r2c(nx_) + 1j * self.KY * self.r2c(ny_)
        p = self.c2r(-div * self.K2inv) * c.density
        rho = self.c2r(s[4])
        return np.stack([rho, ux, uy, uz, bx, by, f["B"][2], 1.0 + p])

    def energy(self, s: np.ndarray, t: float) -> float:
        """Kinetic plus magnetic energy per unit area (eq. hall-mhd-energy).

        ``<rho_0 |v|^2 / 2 + |B|^2 / 2>``, the wind and IMF background included.
        """
        f = self.fields(s, t)
        kin = 0.5 * self.cfg.density * sum(u**2 for u in f["u"])
        mag = 0.5 * sum(b**2 for b in f["B"])
        return float(np.mean(kin + mag))


def _run(cfg: PlasmaConfig) -> dict[str, np.ndarray]:
    solver = _Solver(cfg)
    s, t = solver.initial(), 0.0
    n_spin = int(np.ceil(cfg.t_spin / cfg.dt_out - 1e-9))  # 2.1 / 0.3 is 7.000000000000001
    frames, times, forcing, energy, n_steps = [], [], [], [], 0
    for k in range(n_spin + cfg.n_frames):
        t_end = (k + 1) * cfg.dt_out
        n_sub = int(np.ceil((t_end - t) / solver.time_step(s, t)))
        dt = (t_end - t) / n_sub
        for _ in range(n_sub):
            s = solver.step(s, t, dt)
            t += dt
        n_steps += n_sub
        if not np.isfinite(s).all():
            raise FloatingPointError(f"the solver blew up at t={t:.3f}; lower cfl or raise nu/eta")
        if k >= n_spin:
            frames.append(solver.snapshot(s, t))
            times.append(t)
            forcing.append([*solver.wind(t), float(solver.a_wind(t)[0, 0])])
            energy.append(solver.energy(s, t))
    return {
        "fields": np.stack(frames).astype(np.float32),
        "t": np.array(times),
        "forcing": np.array(forcing),
        "energy": np.array(energy),
        "obstacle": solver.obstacle > 0.5,
        "fringe": solver.fringe > 0.5,
        "x": solver.X[:, 0],
        "y": solver.Y[0],
        "n_steps": np.array(n_steps),
    }


def cache_key(cfg: PlasmaConfig) -> str:
    """A stable hash of the parameters of ``cfg`` (the cache file's name)."""
    text = json.dumps(asdict(cfg), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def simulate_magnetosphere(
    config: PlasmaConfig | None = None,
    *,
    cache: bool = True,
    data_home_dir: str | os.PathLike[str] | None = None,
    **params: object,
) -> dict[str, np.ndarray]:
    """Run (or load from the cache) a mini-magnetosphere and return its snapshots.

    Parameters
    ----------
    config : PlasmaConfig or None
        The run's parameters; ``None`` builds one from ``params`` (the fields of
        :class:`PlasmaConfig`: grid ``nx, ny``, box ``lx, ly``, ``density`` n_0, ``d_ref``,
        upstream speed ``v0`` and IMF ``b0``, ``dipole`` moment, ``obstacle_radius`` (0: none),
        ``variability`` of the upstream wind (0: steady), ``nu``, ``eta``, ``cfl``, spin-up
        time ``t_spin``, ``n_frames`` snapshots every ``dt_out``, ``seed``).
    cache : bool
        Look up and store the run under ``data_home() / "plasma"`` (``$TRUSTLAB_DATA``); files
        are written to a temporary name and renamed, so an interrupted run leaves no file.
    data_home_dir : path or None
        Cache directory; ``None`` uses ``$TRUSTLAB_DATA`` or ``~/.cache/trustlab``.

    Returns
    -------
    dict
        ``fields`` (n_frames, 8, nx, ny) float32 in the order of ``FIELDS``; ``t`` (n_frames,);
        ``forcing`` (n_frames, 3): upstream speed, density and IMF flux at y=0; ``energy``
        (eq. hall-mhd-energy); masks ``obstacle`` and ``fringe``; coordinates ``x``, ``y``;
        ``n_steps`` the number of solver steps (spin-up included).

    Raises
    ------
    TypeError, ValueError
        On a bad parameter (the message names it).
    FloatingPointError
        If the state stops being finite.
    """
    if config is None:
        unknown = sorted(set(params) - set(PlasmaConfig.__dataclass_fields__))
        if unknown:
            raise TypeError(f"unknown parameter(s) {unknown}; expected fields of PlasmaConfig")
        config = PlasmaConfig(**params)  # type: ignore[arg-type]
    elif not isinstance(config, PlasmaConfig):
        raise TypeError(f"config must be a PlasmaConfig or None, got {type(config).__name__}")
    elif params:
        raise TypeError("pass either config or keyword parameters, not both")
    if not isinstance(cache, bool):
        raise TypeError(f"cache must be a bool, got {type(cache).__name__}")
    if not cache:
        return _run(config)
    directory = data_home(data_home_dir) / "plasma"
    path = directory / f"magnetosphere-{cache_key(config)}.npz"
    if path.exists():
        with np.load(path) as data:
            return {k: data[k] for k in data.files}
    out = _run(config)
    _save_atomic(path, out)
    return out


def _save_atomic(path: Path, arrays: dict[str, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.part")
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **arrays)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def divergence_cd(bx: np.ndarray, by: np.ndarray, dx: float, dy: float) -> np.ndarray:
    """Central-difference divergence on the periodic grid (last two axes are x, y)."""
    return (np.roll(bx, -1, -2) - np.roll(bx, 1, -2)) / (2 * dx) + (
        np.roll(by, -1, -1) - np.roll(by, 1, -1)
    ) / (2 * dy)
