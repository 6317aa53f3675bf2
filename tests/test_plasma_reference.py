"""Independent references for the Hall-MHD simulator (trustlab.sciml.plasma).

``tests/test_plasma.py`` checks the solver's invariants by construction (div B, bounded energy,
caching). The checks here are written from the model equations of the module docstring and
share no code with the solver beyond its public inputs and outputs:

1. the right-hand side ``_Solver.rhs`` against a slow real-space reference that differentiates
   with explicit 4th-order centred finite-difference stencils (two resolutions: the error must
   fall as ``h^4``, since the solver is exact for a band-limited state);
2. linear waves on the uniform field against the Hall-MHD dispersion relation, integrated with
   the solver's ``rhs`` and SSP-RK3 (whistler and ion-cyclotron branches, Alfven waves without
   Hall, viscous-resistive damping);
3. the energy budget (ideal: conserved, the Hall term included; dissipative: the rate equals
   the viscous plus ohmic dissipation) and the pressure Poisson equation of ``snapshot``.
"""

from __future__ import annotations

import numpy as np
import pytest

from trustlab.sciml import FIELDS, PlasmaConfig
from trustlab.sciml.plasma import _Solver

# a smooth state: (mx, my, amplitude, phase) of each field's few low Fourier modes
_MODES = {
    "psi": [(1, 0, 0.30, 0.2), (0, 1, -0.25, 1.1), (1, 2, 0.12, 2.3), (2, -1, 0.08, 0.7)],
    "A": [(1, 1, 0.20, 0.4), (0, 2, 0.10, 2.9), (2, 0, -0.15, 1.7)],
    "B_z": [(1, -1, 0.20, 0.9), (2, 1, 0.10, 0.1), (0, 1, 0.12, 2.2)],
    "v_z": [(1, 0, 0.15, 1.3), (1, 2, -0.10, 0.5)],
    "n": [(0, 1, 0.20, 0.3), (2, 2, 0.05, 1.9)],
}
# the highest mode of a tendency (quadratic nonlinearity): twice the state's, inside the 2/3 band
_M_MAX = 2 * max(max(abs(mx), abs(my)) for modes in _MODES.values() for mx, my, _, _ in modes)


def _config(n: int, **params: object) -> PlasmaConfig:
    """A non-square box (dx != dy), density != 1 and distinct nu, eta expose swapped factors."""
    base = {
        "nx": n,
        "ny": n,
        "lx": 8.0,
        "ly": 6.0,
        "density": 2.5,
        "d_ref": 0.3,
        "v0": 1.3,
        "b0": 0.6,
        "nu": 0.01,
        "eta": 0.02,
        "variability": 0.0,
        "obstacle_radius": 0.0,
        "dipole": 0.0,
    }
    return PlasmaConfig(**{**base, **params})


def _smooth_state(cfg: PlasmaConfig) -> dict[str, np.ndarray]:
    """Real-space psi, omega = -lap psi (exact), A, B_z, v_z, n on the grid of ``cfg``."""
    x = np.arange(cfg.nx) * cfg.lx / cfg.nx
    y = np.arange(cfg.ny) * cfg.ly / cfg.ny
    xx, yy = np.meshgrid(x, y, indexing="ij")
    out: dict[str, np.ndarray] = {}
    for name, modes in _MODES.items():
        field, lap = np.zeros_like(xx), np.zeros_like(xx)
        for mx, my, amp, phase in modes:
            kx, ky = 2 * np.pi * mx / cfg.lx, 2 * np.pi * my / cfg.ly
            wave = amp * np.cos(kx * xx + ky * yy + phase)
            field += wave
            lap -= (kx**2 + ky**2) * wave
        out[name] = field
        if name == "psi":
            out["omega"] = -lap
    out["n"] = out["n"] + 1.0
    return out


def _solver_state(fields: dict[str, np.ndarray]) -> np.ndarray:
    """The solver's spectral state (omega, A, B_z, v_z, n)."""
    return np.fft.rfft2(np.stack([fields[k] for k in ("omega", "A", "B_z", "v_z", "n")]))


# --- the finite-difference reference -------------------------------------------------------------
def _d1(f: np.ndarray, h: float, axis: int) -> np.ndarray:
    """4th-order centred first derivative ``(f_{i-2} - 8 f_{i-1} + 8 f_{i+1} - f_{i+2}) / 12h``."""
    fm2, fm1 = np.roll(f, 2, axis), np.roll(f, 1, axis)
    fp1, fp2 = np.roll(f, -1, axis), np.roll(f, -2, axis)
    return (fm2 - 8 * fm1 + 8 * fp1 - fp2) / (12 * h)


def _d2(f: np.ndarray, h: float, axis: int) -> np.ndarray:
    """4th-order centred second derivative ``(-f_{i-2} + 16 f_{i-1} - 30 f_i + ...) / 12h^2``."""
    fm2, fm1 = np.roll(f, 2, axis), np.roll(f, 1, axis)
    fp1, fp2 = np.roll(f, -1, axis), np.roll(f, -2, axis)
    return (-fm2 + 16 * fm1 - 30 * f + 16 * fp1 - fp2) / (12 * h**2)


class _FD:
    """Periodic finite differences on the (x, y) grid (axis 0 is x)."""

    def __init__(self, cfg: PlasmaConfig) -> None:
        self.hx, self.hy = cfg.lx / cfg.nx, cfg.ly / cfg.ny

    def dx(self, f: np.ndarray) -> np.ndarray:
        return _d1(f, self.hx, 0)

    def dy(self, f: np.ndarray) -> np.ndarray:
        return _d1(f, self.hy, 1)

    def lap(self, f: np.ndarray) -> np.ndarray:
        return _d2(f, self.hx, 0) + _d2(f, self.hy, 1)

    def advect(self, ux: np.ndarray, uy: np.ndarray, f: np.ndarray) -> np.ndarray:
        """``(u . grad) f`` for an in-plane velocity."""
        return ux * self.dx(f) + uy * self.dy(f)


def _cross(a: tuple[np.ndarray, ...], b: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def _reference_rhs(fields: dict[str, np.ndarray], cfg: PlasmaConfig) -> dict[str, np.ndarray]:
    """Real-space tendencies of the model equations, by finite differences.

    Written from the physics, not from the solver's spectral form: the vorticity tendency is the
    curl of the momentum equation's acceleration ``-(u . grad) u + J x B / rho_0`` (the pressure
    gradient has no curl), and the resistive field ``eta J`` is part of Ohm's law, so the
    induction equations are just ``d_t A = -E_z`` and ``d_t B_z = -(curl E)_z``.
    """
    fd, rho, hall = _FD(cfg), cfg.density, cfg.d_ref / cfg.density
    psi, a, bz, vz, n = (fields[k] for k in ("psi", "A", "B_z", "v_z", "n"))
    u = (fd.dy(psi) - cfg.v0, -fd.dx(psi), vz)
    b = (fd.dy(a), -fd.dx(a) - cfg.b0, bz)
    j = (fd.dy(bz), -fd.dx(bz), -fd.lap(a))
    jxb = _cross(j, b)
    e = tuple(-uxb + hall * f + cfg.eta * ji for uxb, f, ji in zip(_cross(u, b), jxb, j, strict=True))
    acc_x = -fd.advect(u[0], u[1], u[0]) + jxb[0] / rho
    acc_y = -fd.advect(u[0], u[1], u[1]) + jxb[1] / rho
    omega = fd.dx(u[1]) - fd.dy(u[0])
    return {
        "omega": fd.dx(acc_y) - fd.dy(acc_x) + cfg.nu * fd.lap(omega),
        "A": -e[2],
        "B_z": -(fd.dx(e[1]) - fd.dy(e[0])),
        "v_z": -fd.advect(u[0], u[1], vz) + jxb[2] / rho + cfg.nu * fd.lap(vz),
        "n": -fd.advect(u[0], u[1], n) + cfg.nu * fd.lap(n),
    }


def _solver_rhs(fields: dict[str, np.ndarray], cfg: PlasmaConfig) -> dict[str, np.ndarray]:
    solver = _Solver(cfg)
    out = np.fft.irfft2(solver.rhs(_solver_state(fields), 0.0), s=(cfg.nx, cfg.ny))
    return dict(zip(("omega", "A", "B_z", "v_z", "n"), out, strict=True))


def test_state_is_inside_the_dealiased_band() -> None:
    """The tendencies' modes pass the solver's 2/3 mask, so its products are alias-free."""
    for n in (32, 64):
        solver = _Solver(_config(n))
        kx_top = 2 * np.pi * _M_MAX / solver.cfg.lx
        ky_top = 2 * np.pi * _M_MAX / solver.cfg.ly
        assert kx_top < 2 / 3 * np.abs(solver.KX).max() and ky_top < 2 / 3 * solver.KY.max()


def test_rhs_matches_finite_difference_reference_at_4th_order() -> None:
    """The solver is exact on this band-limited state, so the gap is the stencil's ``O(h^4)``.

    Halving h divides the gap by 16 (order 4), and the Richardson combination
    ``(16 ref_h/2 - ref_h) / 15`` removes it to the next order; a wrong sign or factor anywhere in
    the solver would leave an O(1) part that does not shrink with h.
    """
    c_coarse, c_fine = _config(32), _config(64)
    f_coarse, f_fine = _smooth_state(c_coarse), _smooth_state(c_fine)
    ref_coarse, ref_fine = _reference_rhs(f_coarse, c_coarse), _reference_rhs(f_fine, c_fine)
    got_coarse, got_fine = _solver_rhs(f_coarse, c_coarse), _solver_rhs(f_fine, c_fine)
    for name in ref_coarse:
        scale = np.abs(got_coarse[name]).max()
        richardson = (16 * ref_fine[name][::2, ::2] - ref_coarse[name]) / 15
        gaps = [
            ref_coarse[name] - got_coarse[name],
            ref_fine[name] - got_fine[name],
            richardson - got_coarse[name],
        ]
        if name == "A":  # the solver drops A's uniform (gauge) drift
            gaps = [g - g.mean() for g in gaps]
        e_coarse, e_fine, e_rich = (float(np.abs(g).max() / scale) for g in gaps)
        order = np.log2(e_coarse / e_fine)
        assert e_coarse < 1e-2 and 3.7 < order < 4.3, (name, e_coarse, e_fine, order)
        assert e_rich < 1e-5, (name, e_rich)


def test_reference_is_sensitive_to_the_hall_term_and_density() -> None:
    """The Hall and 1/rho_0 parts of the tendencies dwarf the reference's 1e-5 residual."""
    cfg = _config(32)
    fields = _smooth_state(cfg)
    ref = _reference_rhs(fields, cfg)
    no_hall = _reference_rhs(fields, _config(32, d_ref=0.0))
    other_rho = _reference_rhs(fields, _config(32, density=5.0, d_ref=0.6))  # same h, rho_0 x 2
    for name, other in (("A", no_hall), ("B_z", no_hall), ("omega", other_rho), ("v_z", other_rho)):
        change = ref[name] - other[name]
        change = change - change.mean()
        assert np.abs(change).max() > 1e-2 * np.abs(ref[name]).max(), name


# --- linear waves on the uniform field -------------------------------------------------------------
def _wave_rates(cfg: PlasmaConfig, k: float, sigma: int, branch: int) -> complex:
    """Theoretical growth rate ``lambda = -gamma - i omega`` of a parallel circular wave.

    Linearise about ``u = -V e_x``, ``B = -b_0 e_y`` with fields depending on y only (k along B).
    Then ``u . grad = 0`` (no Doppler shift) and, with ``B_0 . grad = -b_0 d_y``, the model gives
    for ``b = (d_y A, 0, B_z)``, ``v = (d_y psi, 0, v_z)``::

        rho_0 d_t v = (B_0 . grad) b + rho_0 nu lap v
        d_t b = (B_0 . grad) v - h (B_0 . grad) curl b + eta lap b,      h = d_ref / n_0.

    For ``e^{i k y}``, ``curl b = (i k b_z, 0, -i k b_x)``; the circular combinations
    ``b_s = b_x + i s b_z``, ``v_s = v_x + i s v_z`` (s = +-1) decouple::

        rho_0 d_t v_s = -i k b_0 b_s - rho_0 nu k^2 v_s,
        d_t b_s = -i k b_0 v_s + i s h b_0 k^2 b_s - eta k^2 b_s.

    With ``nu = eta`` the damping ``nu k^2`` factors out and ``e^{-i omega t}`` gives
    ``omega^2 + s h b_0 k^2 omega - k^2 v_A^2 = 0``, ``v_A = b_0 / sqrt(rho_0)``. Writing
    ``h b_0 k^2 = k v_A (k d)`` defines the Hall length ``d = h b_0 / v_A = h sqrt(rho_0)
    = d_ref / sqrt(n_0)``, the ion skin depth ``d_i`` at the local density, and::

        omega = k v_A (branch sqrt(1 + (k d / 2)^2) - s k d / 2).

    At a fixed point the field of ``s = +1, omega > 0`` turns from x to -z: left-handed about
    ``B_0 = -b_0 e_y``, the ion sense, and it is the slow (ion-cyclotron) branch; ``s = -1`` is
    the right-handed whistler, faster. Without Hall (d = 0) and ``nu != eta`` the roots are
    ``lambda = -(nu + eta) k^2 / 2 -+ i sqrt(k^2 v_A^2 - ((nu - eta) k^2 / 2)^2)``.
    """
    va = cfg.b0 / np.sqrt(cfg.density)
    half_kd = 0.5 * k * cfg.d_ref / np.sqrt(cfg.density)
    if cfg.nu == cfg.eta:
        omega = k * va * (branch * np.sqrt(1 + half_kd**2) - sigma * half_kd)
        return complex(-cfg.nu * k**2, -omega)
    if cfg.d_ref != 0:
        raise ValueError("the closed form with nu != eta is for d_ref = 0")
    omega = branch * np.sqrt(k**2 * va**2 - ((cfg.nu - cfg.eta) * k**2 / 2) ** 2)
    return complex(-(cfg.nu + cfg.eta) * k**2 / 2, -omega)


def _wave_vector(cfg: PlasmaConfig, k: float, sigma: int, rate: complex) -> np.ndarray:
    """The eigenvector in the solver's variables (omega, A, B_z, v_z) at ``e^{i k y}``.

    ``b_x = 1``, ``b_z = -i s b_x`` (so that ``b_x - i s b_z = 0``), ``v_x = -i k b_0 b_x /
    (rho_0 (lambda + nu k^2))`` from the momentum equation, ``v_z = -i s v_x``; then
    ``A = b_x / (i k)`` and ``omega = -lap psi = k^2 psi = -i k v_x``.
    """
    bx = 1.0
    vx = -1j * k * cfg.b0 * bx / (cfg.density * (rate + cfg.nu * k**2))
    return np.array([-1j * k * vx, bx / (1j * k), -1j * sigma * bx, -1j * sigma * vx])


_WAVES = [(sigma, branch) for sigma in (1, -1) for branch in (1, -1)]


def _measure_waves(cfg: PlasmaConfig, ms: tuple[int, ...], t_end: float, dt: float) -> dict:
    """Excite the four circular waves at each ``k = 2 pi m / l_y``, integrate, fit the rates.

    The state is integrated with the solver's ``rhs`` in an SSP-RK3 loop (the stage times of
    ``_Solver.step``, without its fringe/obstacle relaxation, which is not y-only). Each wave's
    amplitude is the coefficient of its theoretical eigenvector in the state; a wrong
    eigenvector would show up as beating of that coefficient.
    """
    solver = _Solver(cfg)
    ks = [2 * np.pi * m / cfg.ly for m in ms]
    bases = [
        np.stack([_wave_vector(cfg, k, s, _wave_rates(cfg, k, s, b)) for s, b in _WAVES], axis=1) for k in ks
    ]
    amp = 1e-6 * cfg.b0 * cfg.nx * cfg.ny / 2  # real-space |b_x| of each wave: 1e-6 b_0
    s = np.zeros((5, cfg.nx, cfg.ny // 2 + 1), dtype=complex)
    start = amp * np.exp(1j * np.arange(len(_WAVES)))  # distinct phases
    for m, basis in zip(ms, bases, strict=True):
        s[:4, 0, m] = basis @ start
    n_steps = int(round(t_end / dt))
    history = np.empty((n_steps + 1, len(ms), len(_WAVES)), dtype=complex)
    for i in range(n_steps + 1):
        for j, (m, basis) in enumerate(zip(ms, bases, strict=True)):
            history[i, j] = np.linalg.solve(basis, s[:4, 0, m])
        if i == n_steps:
            break
        t = i * dt
        s1 = s + dt * solver.rhs(s, t)
        s2 = 0.75 * s + 0.25 * (s1 + dt * solver.rhs(s1, t + dt))
        s = s / 3 + 2 / 3 * (s2 + dt * solver.rhs(s2, t + dt / 2))
    times = dt * np.arange(n_steps + 1)
    out = {}
    for j, k in enumerate(ks):
        for w, (sigma, branch) in enumerate(_WAVES):
            c = history[:, j, w] / start[w]
            omega = -np.polyfit(times, np.unwrap(np.angle(c)), 1)[0]
            gamma = -np.polyfit(times, np.log(np.abs(c)), 1)[0]
            theory = _wave_rates(cfg, k, sigma, branch)
            beat = np.abs(c - np.exp(theory * times)).max()
            out[(k, sigma, branch)] = (omega, gamma, theory, beat)
    return out


def _wave_config(**params: object) -> PlasmaConfig:
    base = {"nx": 8, "ny": 32, "lx": 8.0, "ly": 8.0, "b0": 0.6, "variability": 0.0}
    return PlasmaConfig(**{**base, "obstacle_radius": 0.0, "dipole": 0.0, **params})


def _check_rates(res: dict) -> None:
    """Frequency to 1e-3, damping to 1e-2 (RK3's own damping at this step is ~2e-4 of it)."""
    for (k, sigma, branch), (omega, gamma, theory, beat) in res.items():
        assert abs(omega + theory.imag) < 1e-3 * abs(theory.imag), (k, sigma, branch, omega, theory)
        assert abs(gamma + theory.real) < 1e-2 * abs(theory.real), (k, sigma, branch, gamma, theory)
        assert beat < 1e-3, (k, sigma, branch, beat)


def test_hall_waves_split_into_whistler_and_ion_cyclotron() -> None:
    # h = d_ref / n_0 = 0.15 but d = h sqrt(n_0) = 0.3: the candidates for d split differently
    cfg = _wave_config(density=4.0, d_ref=0.6, nu=4e-3, eta=4e-3)
    res = _measure_waves(cfg, (1, 3, 6), t_end=12.0, dt=0.02)
    _check_rates(res)
    va = cfg.b0 / np.sqrt(cfg.density)
    for k in {key[0] for key in res}:
        ion = res[(k, 1, 1)][0]  # left-handed about B_0, omega > 0
        whistler = res[(k, -1, 1)][0]
        assert ion < k * va < whistler, (k, ion, whistler)
        # the same pair propagating the other way (omega < 0) has the opposite handedness
        assert res[(k, -1, -1)][0] == pytest.approx(-ion, rel=1e-6)
        assert res[(k, 1, -1)][0] == pytest.approx(-whistler, rel=1e-6)
        # the product of the two branches is (k v_A)^2 and their difference k v_A k d
        assert ion * whistler == pytest.approx((k * va) ** 2, rel=1e-3)
        kd = (whistler - ion) / (k * va)
        assert kd == pytest.approx(k * cfg.d_i, rel=1e-3), (k, kd / k, cfg.d_i)
    k = max(key[0] for key in res)
    kd = (res[(k, -1, 1)][0] - res[(k, 1, 1)][0]) / (k * va)
    for wrong in (cfg.d_ref / cfg.density, cfg.d_ref):  # h and d_ref are not the Hall length
        assert abs(kd / (k * wrong) - 1) > 0.5, wrong


def test_alfven_waves_without_hall_and_their_damping() -> None:
    """d_ref = 0: all four waves at k v_A, damped at (nu + eta) k^2 / 2 with nu != eta."""
    cfg = _wave_config(density=2.0, d_ref=0.0, nu=2e-3, eta=6e-3)
    res = _measure_waves(cfg, (2, 6), t_end=10.0, dt=0.02)
    _check_rates(res)
    va = cfg.b0 / np.sqrt(cfg.density)
    for (k, _, branch), (omega, gamma, _, _) in res.items():
        assert branch * omega == pytest.approx(k * va, rel=1e-3)
        assert gamma == pytest.approx((cfg.nu + cfg.eta) * k**2 / 2, rel=1e-2)


# --- energy budget and pressure -------------------------------------------------------------------
def _spectral_d(f: np.ndarray, length: float, axis: int) -> np.ndarray:
    """Exact derivative of a band-limited periodic field (a diagnostic, not the solver's)."""
    k = 2 * np.pi * np.fft.fftfreq(f.shape[axis], d=length / f.shape[axis])
    k = k[:, None] if axis == 0 else k[None, :]
    return np.real(np.fft.ifft2(1j * k * np.fft.fft2(f)))


def _energy_budget(cfg: PlasmaConfig) -> dict[str, float]:
    """Kinetic and magnetic energy rates from the solver's tendencies and what they should be.

    ``E_kin = <rho_0 |u|^2 / 2>``, ``E_mag = <|B|^2 / 2>``. The Lorentz work ``W = <u . J x B>``
    moves energy from field to flow, the induction's ``<J . (u x B)> = -W`` moves it back, the
    Hall field does no work (``J . (J x B) = 0``) and advection and pressure conserve, so
    ``d_t E_kin = W - rho_0 nu <omega^2 + |grad v_z|^2>`` and ``d_t E_mag = -W - eta <|J|^2>``.
    """
    fields = _smooth_state(cfg)
    tend = np.fft.irfft2(_Solver(cfg).rhs(_solver_state(fields), 0.0), s=(cfg.nx, cfg.ny))
    om_t, a_t, bz_t, vz_t, _ = tend

    def dx(f: np.ndarray) -> np.ndarray:
        return _spectral_d(f, cfg.lx, 0)

    def dy(f: np.ndarray) -> np.ndarray:
        return _spectral_d(f, cfg.ly, 1)

    kx = 2 * np.pi * np.fft.fftfreq(cfg.nx, d=cfg.lx / cfg.nx)
    ky = 2 * np.pi * np.fft.fftfreq(cfg.ny, d=cfg.ly / cfg.ny)
    k2 = kx[:, None] ** 2 + ky[None, :] ** 2
    psi_t = np.real(np.fft.ifft2(np.fft.fft2(om_t) / np.where(k2 == 0, np.inf, k2)))
    psi, a, bz, vz = (fields[k] for k in ("psi", "A", "B_z", "v_z"))
    u = (dy(psi) - cfg.v0, -dx(psi), vz)
    b = (dy(a), -dx(a) - cfg.b0, bz)
    j = (dy(bz), -dx(bz), dx(b[1]) - dy(b[0]))
    kin = cfg.density * sum(ui * ti for ui, ti in zip(u, (dy(psi_t), -dx(psi_t), vz_t), strict=True))
    mag = sum(bi * ti for bi, ti in zip(b, (dy(a_t), -dx(a_t), bz_t), strict=True))
    work = np.mean(sum(ui * fi for ui, fi in zip(u, _cross(j, b), strict=True)))
    viscous = cfg.density * cfg.nu * np.mean(fields["omega"] ** 2 + dx(vz) ** 2 + dy(vz) ** 2)
    ohmic = cfg.eta * np.mean(sum(ji**2 for ji in j))
    return {
        "kin": float(kin.mean()),
        "mag": float(mag.mean()),
        "kin_expected": float(work - viscous),
        "mag_expected": float(-work - ohmic),
        "work": float(work),
        "scale": float(np.abs(kin).mean() + np.abs(mag).mean()),
    }


def test_energy_budget() -> None:
    """Exact to round-off: the state is band-limited, so the solver's products are exact."""
    for cfg in (_config(32, nu=0.0, eta=0.0), _config(32)):
        r = _energy_budget(cfg)
        assert abs(r["work"]) > 1e-8 * r["scale"], r  # the exchange is far above round-off
        assert abs(r["kin"] - r["kin_expected"]) < 1e-12 * r["scale"], r
        assert abs(r["mag"] - r["mag_expected"]) < 1e-12 * r["scale"], r


def _pressure_residual(cfg: PlasmaConfig) -> float:
    """``max |lap p - div(rho_0 N)| / max |lap p|`` on the snapshot, by finite differences."""
    fields = _smooth_state(cfg)
    snap = dict(zip(FIELDS, _Solver(cfg).snapshot(_solver_state(fields), 0.0), strict=True))
    fd = _FD(cfg)
    u = (snap["v_x"], snap["v_y"])
    b = (snap["B_x"], snap["B_y"], snap["B_z"])
    j = (fd.dy(b[2]), -fd.dx(b[2]), fd.dx(b[1]) - fd.dy(b[0]))
    jxb = _cross(j, b)
    n_x = -fd.advect(*u, u[0]) + jxb[0] / cfg.density
    n_y = -fd.advect(*u, u[1]) + jxb[1] / cfg.density
    lap_p = fd.lap(snap["P"] - 1.0)
    residual = lap_p - cfg.density * (fd.dx(n_x) + fd.dy(n_y))
    return float(np.abs(residual).max() / np.abs(lap_p).max())


def test_snapshot_pressure_solves_the_poisson_equation() -> None:
    """``lap p = div(rho_0 N)`` on the snapshot's own outputs, to the order of its B_x, B_y.

    The snapshot reports B_x, B_y as 2nd-order central differences of A (exactly div-free), so
    the residual measured with 4th-order stencils falls as ``h^2``; a wrong ``rho_0`` factor or a
    missing force would leave an O(1) residual.
    """
    coarse, fine = _pressure_residual(_config(32)), _pressure_residual(_config(64))
    order = np.log2(coarse / fine)
    assert fine < 1e-2 and 1.8 < order < 2.4, (coarse, fine, order)


# --- the time stepper: third order with time-dependent driving ----------------------------------
def _advected_tracer_error(n_steps: int, t_end: float = 2.0) -> float:
    """Error of ``_Solver.step`` on a density wave carried by the time-varying solar wind.

    With no field (``b0 = 0``, no dipole, no Hall term), no diffusion and the fringe and obstacle
    masks zeroed (so the relaxation in ``step`` is the identity up to the filter, ~1e-13 on this
    mode), the flow is the uniform wind ``-V_sw(t) e_x`` and ``n = cos(k x)`` is carried to
    ``cos(k (x + S(t)))`` with ``S(t) = int_0^t V_sw`` in closed form (eq. hall-mhd-sw). The only
    time dependence is the wind's, so only correct stage times give third order.
    """
    cfg = PlasmaConfig(
        nx=16,
        ny=8,
        b0=0.0,
        dipole=0.0,
        d_ref=0.0,
        obstacle_radius=0.0,
        nu=0.0,
        eta=0.0,
        variability=1.0,
        seed=3,
    )
    solver = _Solver(cfg)
    solver.fringe[:] = 0.0
    solver.obstacle[:] = 0.0
    k = 2 * np.pi / cfg.lx
    s = np.zeros((5, cfg.nx, cfg.ny // 2 + 1), dtype=complex)
    s[4] = solver.r2c(np.cos(k * solver.X))
    dt = t_end / n_steps
    for i in range(n_steps):
        s = solver.step(s, i * dt, dt)
    period, phase = solver.periods[0], solver.phases[0]
    w = 2 * np.pi / period
    shift = cfg.v0 * (t_end - 0.15 * cfg.variability / w * (np.cos(w * t_end + phase) - np.cos(phase)))
    exact = np.cos(k * (solver.X + shift))
    return float(np.abs(solver.c2r(s[4]) - exact).max())


def test_step_is_third_order_in_time_with_a_time_dependent_wind() -> None:
    errors = [_advected_tracer_error(n) for n in (10, 20, 40)]
    orders = [np.log2(a / b) for a, b in zip(errors[:-1], errors[1:], strict=True)]
    assert errors[-1] < 1e-3, errors
    assert all(2.7 < p < 3.3 for p in orders), (errors, orders)
