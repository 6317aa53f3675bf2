"""Our DDIM sampler (trustlab.generative.ddim_sample) against diffusers' DDIMScheduler driven by
the same epsilon network, the same starting noise and the same guidance.

Two settings: the chapter's model (EpsMLP width 128, depth 2, CFG w = 3, 600 digits, 20 steps),
where the network dominates, and a trivial linear epsilon (batch 600 x 64), which isolates the
per-step cost of the scheduler itself. Correctness first: the two samplers must agree to 1e-4.
diffusers is a benchmark-only dependency; without it the script reports the benchmark as not run.
"""

from __future__ import annotations

import torch
from _common import timed, write_result

from trustlab.book import set_threads
from trustlab.generative import EpsMLP, NoiseSchedule, ddim_sample, digit_images, guided_eps, train_ddpm

T, BETAS, STEPS, W, N = 200, (5e-4, 0.1), 20, 3.0, 600


def diffusers_sample(eps_fn, c, x_T, w):
    from diffusers import DDIMScheduler

    sched = DDIMScheduler(
        num_train_timesteps=T,
        beta_start=BETAS[0],
        beta_end=BETAS[1],
        beta_schedule="linear",
        clip_sample=True,
        set_alpha_to_one=True,
        steps_offset=0,
        timestep_spacing="leading",
    )
    sched.set_timesteps(STEPS)
    x = x_T.clone()
    with torch.no_grad():
        for t in sched.timesteps:
            eps = eps_fn(x, torch.full((x.shape[0],), int(t), dtype=torch.long), c, w)
            x = sched.step(eps, t, x, eta=0.0).prev_sample
    return x


def main() -> None:
    set_threads(1)
    try:
        import diffusers
    except ImportError:
        print("diffusers is not installed: benchmark not run")
        return
    schedule = NoiseSchedule.linear(T, *BETAS)
    x, y = digit_images()
    model = train_ddpm(EpsMLP(64, 10, 128, 2), schedule, x, y, 300, p_drop=0.1, seed=0)
    c = y[:N]
    x_T = torch.randn(N, 64, generator=torch.Generator().manual_seed(0))
    weight = torch.randn(64, 64, generator=torch.Generator().manual_seed(1)) * 0.05

    def linear_eps(x, t, c, w):
        return x @ weight

    settings = {
        f"EpsMLP + CFG w={W}, {N} x 64, {STEPS} steps": (guided_eps(model), W),
        f"linear eps (scheduler only), {N} x 64, {STEPS} steps": (linear_eps, 1.0),
    }
    rows, data = [], {}
    for name, (eps_fn, w) in settings.items():

        def run_ours(eps_fn=eps_fn, w=w):
            return ddim_sample(eps_fn, schedule, c, (64,), STEPS, w=w, x_T=x_T)

        def run_ref(eps_fn=eps_fn, w=w):
            return diffusers_sample(eps_fn, c, x_T, w)

        run_ours(), run_ref()  # warm up both before timing
        ref_s, ref = timed(run_ref, repeats=7)
        ours_s, ours = timed(run_ours, repeats=7)
        err = float((ours - ref).abs().max())
        if err > 1e-4:
            raise AssertionError(f"{name}: samplers disagree, max |dx| = {err:.2e}")
        rows.append(
            [
                name,
                round(1e3 * ours_s / STEPS, 3),
                round(1e3 * ref_s / STEPS, 3),
                round(ref_s / ours_s, 2),
                f"{err:.1e}",
            ]
        )
        data[name] = {"ours_s": ours_s, "diffusers_s": ref_s, "max_abs_diff": err}
        print(rows[-1], flush=True)
    ratios = [r[3] for r in rows]
    write_result(
        "bench_diffusion_sampler",
        {
            "title": "DDIM sampler: trustlab vs diffusers DDIMScheduler",
            "description": "Time per sampling step (ms, best of 7, 1 thread) of trustlab.generative.ddim_sample and of "
            f"diffusers {diffusers.__version__} DDIMScheduler driving the same epsilon function from the same noise; "
            "ratio = diffusers / ours (> 1: ours faster). Max |dx| between the two samples checks they agree.",
            "columns": ["setting", "ours ms/step", "diffusers ms/step", "ratio", "max |dx|"],
            "rows": rows,
            "goal": "at least as fast as diffusers (ratio >= 1) with samples equal to 1e-4",
            "goal_met": bool(min(ratios) >= 1.0),
            "summary": f"diffusers/ours time ratio: {', '.join(str(r) for r in ratios)}",
            "data": data,
        },
    )


if __name__ == "__main__":
    main()
