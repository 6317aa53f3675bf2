"""Tests of trustlab.generative.diffusion, chain and traits: schedule, sampler on exact
Gaussian scores, CFG, training, the chain loop, the trait recursion, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from trustlab.generative import (
    EpsMLP,
    NoiseSchedule,
    cfg_combine,
    cfg_gain,
    cfg_schedule,
    critical_cfg,
    ddim_sample,
    ddim_step,
    ddpm_loss,
    drop_conditions,
    estimate_qt,
    gaussian_cfg_target,
    guided_eps,
    predicted_drift,
    qt_recursion,
    qt_step,
    run_chain,
    train_ddpm,
)

torch.set_num_threads(1)
SCHED = NoiseSchedule.linear(200, 5e-4, 0.1)


def gaussian_eps(schedule, mean, cov):
    """Exact noise predictor of x0 ~ N(mean, cov) (eq. forward): sqrt(1-ab) Sigma_t^-1 (x - sqrt(ab) m)."""
    ab_all = torch.as_tensor(schedule.alphas_bar)
    eye = torch.eye(mean.numel(), dtype=torch.float64)

    def eps(x, t, c=None, w=1.0):
        ab = ab_all[t[0]]
        sigma = ab * cov + (1 - ab) * eye
        return (1 - ab).sqrt() * torch.linalg.solve(sigma, (x - ab.sqrt() * mean).T).T

    return eps


# --- schedule --------------------------------------------------------------------------


def test_linear_schedule_matches_float32_linspace_and_decreases():
    s = NoiseSchedule.linear(1000)
    np.testing.assert_allclose(s.betas, torch.linspace(1e-4, 0.02, 1000).double().numpy())
    ab = s.alphas_bar
    assert ab.shape == (1000,) and np.all(np.diff(ab) < 0) and 0 < ab[-1] < 1e-4 < ab[0] < 1
    np.testing.assert_allclose(ab, np.cumprod(1 - s.betas))


def test_cosine_schedule_ends_near_zero():
    ab = NoiseSchedule.cosine(500).alphas_bar
    assert np.all(np.diff(ab) < 0) and ab[-1] < 1e-3 and ab[0] > 0.999


def test_timesteps_leading_spacing():
    np.testing.assert_array_equal(SCHED.timesteps(4), [150, 100, 50, 0])
    assert SCHED.timesteps(200).tolist() == list(range(199, -1, -1))


def test_add_noise_marginal_moments():
    gen = torch.Generator().manual_seed(0)
    x0 = torch.full((200_000, 1), 2.0)
    t = torch.full((200_000,), 60)
    xt = SCHED.add_noise(x0, torch.randn(x0.shape, generator=gen), t)
    ab = SCHED.alphas_bar[60]
    assert abs(xt.mean().item() - 2 * math.sqrt(ab)) < 0.01
    assert abs(xt.var().item() - (1 - ab)) < 0.01


@pytest.mark.parametrize(
    "call, err",
    [
        (lambda: NoiseSchedule(np.array([0.1, 1.5])), ValueError),
        (lambda: NoiseSchedule(np.array([0.1])), ValueError),
        (lambda: NoiseSchedule.linear(0), ValueError),
        (lambda: NoiseSchedule.linear(10, 0.2, 0.1), ValueError),
        (lambda: NoiseSchedule.linear(10.5), TypeError),
        (lambda: SCHED.timesteps(201), ValueError),
    ],
)
def test_schedule_bad_input(call, err):
    with pytest.raises(err):
        call()


# --- sampler -----------------------------------------------------------------------------


@pytest.mark.parametrize("eta, steps", [(0.0, 100), (1.0, 200)])
def test_sampler_recovers_gaussian_target(eta, steps):
    m = torch.tensor([0.5, -0.3], dtype=torch.float64)
    S = torch.tensor([[0.30, 0.12], [0.12, 0.20]], dtype=torch.float64)
    n = 20_000
    x_T = torch.randn(n, 2, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    out = ddim_sample(
        gaussian_eps(SCHED, m, S),
        SCHED,
        torch.zeros(n, dtype=torch.long),
        (2,),
        steps,
        eta=eta,
        clip=None,
        x_T=x_T,
    )
    assert (out.mean(0) - m).abs().max() < 0.03
    assert (torch.cov(out.T) - S).abs().max() < 0.03


def test_sampler_equals_plain_loop_reference():
    """The vectorised sampler against a per-sample loop of eq. (ddim-step) with ancestral noise."""
    m, S = torch.tensor([1.0], dtype=torch.float64), torch.tensor([[0.5]], dtype=torch.float64)
    eps = gaussian_eps(SCHED, m, S)
    n, steps, eta = 16, 10, 0.7
    x_T = torch.randn(n, 1, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    fast = ddim_sample(
        eps, SCHED, torch.zeros(n, dtype=torch.long), (1,), steps, eta=eta, clip=1.0, seed=5, x_T=x_T
    )
    # replay the sampler's noise stream: first draw is x_T (skipped by passing it), then one draw per step
    gen = torch.Generator().manual_seed(5)
    noises = [torch.randn((n, 1), generator=gen) for _ in range(steps)]
    ab, grid = SCHED.alphas_bar, SCHED.timesteps(steps)
    for k in range(n):
        x = x_T[k].clone()
        for i, t in enumerate(grid):
            ab_t, ab_s = ab[t], (ab[grid[i + 1]] if i + 1 < steps else 1.0)
            e = eps(x[None], torch.tensor([t]))[0]
            x0 = ((x - math.sqrt(1 - ab_t) * e) / math.sqrt(ab_t)).clamp(-1, 1)
            sigma = eta * math.sqrt((1 - ab_s) / (1 - ab_t) * (1 - ab_t / ab_s))
            x = math.sqrt(ab_s) * x0 + math.sqrt(max(1 - ab_s - sigma**2, 0)) * e + sigma * noises[i][k]
        assert torch.allclose(x, fast[k], atol=1e-6), k


def test_sampler_bad_input():
    eps = gaussian_eps(SCHED, torch.zeros(1, dtype=torch.float64), torch.eye(1, dtype=torch.float64))
    c = torch.zeros(4, dtype=torch.long)
    with pytest.raises(ValueError, match="eta"):
        ddim_sample(eps, SCHED, c, (1,), 5, eta=2.0)
    with pytest.raises(TypeError, match="c must be"):
        ddim_sample(eps, SCHED, [0, 0], (1,), 5)
    with pytest.raises(ValueError, match="x_T"):
        ddim_sample(eps, SCHED, c, (1,), 5, x_T=torch.zeros(3, 1))
    with pytest.raises(ValueError, match="noise"):
        ddim_step(torch.zeros(2), torch.zeros(2), 0.5, 0.9, eta=1.0)


# --- classifier-free guidance ---------------------------------------------------------------


def test_cfg_combine_endpoints():
    e_c, e_u = torch.randn(5, 3), torch.randn(5, 3)
    assert cfg_combine(e_c, e_u, 1.0) is e_c
    assert torch.allclose(cfg_combine(e_c, e_u, 0.0), e_u)
    assert torch.allclose(cfg_combine(e_c, e_u, 3.0), e_u + 3 * (e_c - e_u))
    with pytest.raises(ValueError, match="match"):
        cfg_combine(e_c, e_u[:2], 2.0)


def test_cfg_schedule_shapes():
    lin, cos = cfg_schedule("linear", 5.0, 1.0), cfg_schedule("cosine", 5.0, 1.0)
    assert lin(0) == 5 and lin(1) == 1 and lin(0.5) == 3
    assert math.isclose(cos(0), 5) and math.isclose(cos(1), 1)
    assert cfg_schedule("constant", 2.0)(0.7) == 2
    with pytest.raises(ValueError, match="kind"):
        cfg_schedule("exp")
    with pytest.raises(TypeError, match="w_max"):
        cfg_schedule("linear", "5")


def test_guided_sampling_on_gaussians_moves_away_from_unconditional():
    """Exact conditional N(1, .36) and unconditional N(0, 1): w > 1 overshoots the conditional mean
    and shrinks the variance, the direction of the product of experts (eq. cfg-gauss)."""
    one = lambda v: torch.tensor([[v]], dtype=torch.float64)  # noqa: E731
    e_c = gaussian_eps(SCHED, torch.tensor([1.0], dtype=torch.float64), one(0.36))
    e_u = gaussian_eps(SCHED, torch.tensor([0.0], dtype=torch.float64), one(1.0))

    def guided(x, t, c, w):
        return cfg_combine(e_c(x, t), e_u(x, t), w)

    x_T = torch.randn(20_000, 1, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    c = torch.zeros(20_000, dtype=torch.long)
    res = {w: ddim_sample(guided, SCHED, c, (1,), 50, w=w, clip=None, x_T=x_T) for w in (0.0, 1.0, 2.0)}
    assert abs(res[0.0].mean() - 0) < 0.03 and abs(res[1.0].mean() - 1) < 0.03
    pm, pv = gaussian_cfg_target(1.0, 0.36, 0.0, 1.0, 2.0)
    assert res[2.0].mean() > pm > 1 and res[2.0].var() < pv < 0.36


def test_guided_eps_uses_null_label_branch():
    torch.manual_seed(0)
    model = EpsMLP(4, 3, width=16, depth=1).eval()
    x, t, c = torch.randn(5, 4), torch.full((5,), 10), torch.tensor([0, 1, 2, 0, 1])
    eps = guided_eps(model)
    with torch.no_grad():
        e_c, e_u = model(x, t, c), model(x, t, torch.full_like(c, 3))
        assert torch.equal(eps(x, t, c, 1.0), e_c)
        assert torch.allclose(eps(x, t, c, 2.5), e_u + 2.5 * (e_c - e_u), atol=1e-6)


def test_drop_conditions_rate():
    c = torch.zeros(100_000, dtype=torch.long)
    dropped = drop_conditions(c, 0.2, 10, torch.Generator().manual_seed(0))
    assert abs((dropped == 10).float().mean().item() - 0.2) < 0.01
    assert set(dropped.unique().tolist()) == {0, 10}


# --- training and the chain --------------------------------------------------------------------


def test_train_ddpm_lowers_loss_and_leaves_base_untouched():
    torch.manual_seed(0)
    x = torch.randn(256, 4) * 0.3 + torch.tensor([0.5, -0.5, 0.2, 0.0])
    c = torch.randint(0, 2, (256,))
    base = EpsMLP(4, 2, width=32, depth=1)
    before = {k: v.clone() for k, v in base.state_dict().items()}

    def loss(m):
        with torch.no_grad():
            return ddpm_loss(m, SCHED, x, c, torch.Generator().manual_seed(9)).item()

    trained = train_ddpm(base, SCHED, x, c, 150, lr=3e-3, batch_size=64, p_drop=0.1)
    assert loss(trained) < 0.8 * loss(base)
    assert all(torch.equal(before[k], v) for k, v in base.state_dict().items())


def test_train_ddpm_bad_input():
    model = EpsMLP(4, 2, width=8, depth=1)
    x, c = torch.zeros(8, 4), torch.zeros(8, dtype=torch.long)
    with pytest.raises(ValueError, match="p_drop"):
        train_ddpm(model, SCHED, x, c, 1, p_drop=1.0)
    with pytest.raises(ValueError, match="labels"):
        train_ddpm(model, SCHED, x, torch.full((8,), 5), 1)
    with pytest.raises(TypeError, match="integer labels"):
        train_ddpm(model, SCHED, x, c.float(), 1)
    with pytest.raises(ValueError, match="shapes"):
        train_ddpm(model, SCHED, x, c[:4], 1)
    with pytest.raises(TypeError, match="steps"):
        train_ddpm(model, SCHED, x, c, 2.5)
    with pytest.raises(TypeError, match="model"):
        train_ddpm("net", SCHED, x, c, 1)


def test_run_chain_shapes_and_determinism():
    torch.manual_seed(0)
    x0, c0 = torch.rand(32, 4) * 2 - 1, torch.randint(0, 2, (32,))
    base = EpsMLP(4, 2, width=16, depth=1)
    a = run_chain(
        base, SCHED, x0, c0, 2, 3, w=cfg_schedule("linear", 2, 1), p_drop=0.2, sample_steps=4, seed=1
    )
    b = run_chain(
        base, SCHED, x0, c0, 2, 3, w=cfg_schedule("linear", 2, 1), p_drop=0.2, sample_steps=4, seed=1
    )
    assert len(a) == 2 and all(d.shape == x0.shape for d in a)
    assert all(torch.equal(u, v) for u, v in zip(a, b, strict=True))
    with pytest.raises(ValueError, match="n_rounds"):
        run_chain(base, SCHED, x0, c0, 0, 3)


# --- the trait model (ours) ---------------------------------------------------------------------


def test_gaussian_cfg_target_identities():
    assert gaussian_cfg_target(1.3, 0.4, -0.2, 2.0, 1.0) == pytest.approx((1.3, 0.4), abs=1e-12)
    assert gaussian_cfg_target(1.3, 0.4, -0.2, 2.0, 0.0) == pytest.approx((-0.2, 2.0), abs=1e-12)
    m, v = gaussian_cfg_target(1.0, 0.5, 0.0, 1.0, 3.0)
    assert m > 1.0 and v < 0.5
    assert m == pytest.approx(cfg_gain(3.0, 0.5) * 1.0)
    with pytest.raises(ValueError, match="normalisable"):
        gaussian_cfg_target(1.0, 2.0, 0.0, 1.0, 3.0)


def test_qt_recursion_worked_numbers():
    """The worked table of the paper note (base N(0,1), data N(1,.36), h2 = .8), ours."""
    path1, path2 = qt_recursion(1.0, 0.36, 1.0, 0.8, 10), qt_recursion(1.0, 0.36, 2.0, 0.8, 10)
    assert path1[1, 0] == pytest.approx(0.8) and path1[10, 0] < 0.2
    assert path2[10, 0] > 1.1 and path2[10, 1] < 0.3
    # with condition drop the guidance no longer compounds: w = 3 behaves like w = 1
    drop = qt_recursion(1.0, 0.36, 3.0, 0.8, 10, cond_drop=True)
    assert drop[10, 0] == pytest.approx(path1[10, 0])
    assert qt_step(1.0, 0.36, 1.0, 0.8, var_mut=0.1)[1] == pytest.approx(0.8 * 0.36 + 0.2 + 0.1)


def test_critical_cfg_separates_shrink_from_growth():
    h2, r = 0.8, 0.488
    w_star = critical_cfg(h2, r)
    assert cfg_gain(w_star, r) * h2 == pytest.approx(1.0)
    assert predicted_drift(w_star - 0.05, h2, r) < 0 < predicted_drift(w_star + 0.05, h2, r)
    assert predicted_drift(5.0, 0.5, 30.0) == math.inf
    with pytest.raises(ValueError, match="no critical"):
        critical_cfg(0.5, 0.4)
    with pytest.raises(ValueError, match="h2"):
        critical_cfg(1.5, 1.0)


def test_estimate_qt_recovers_parameters():
    rng = np.random.default_rng(0)
    base, data = rng.normal(0.0, 1.0, 100_000), rng.normal(1.0, 0.6, 100_000)
    first = rng.normal(0.7, 0.5, 100_000)
    h2, r = estimate_qt(base, data, first)
    assert h2 == pytest.approx(0.7, abs=0.02) and r == pytest.approx(0.25, abs=0.01)
    with pytest.raises(ValueError, match="trait_base"):
        estimate_qt([1.0], data, first)
    with pytest.raises(TypeError, match="w"):
        qt_step(1.0, 1.0, "2", 0.5)
