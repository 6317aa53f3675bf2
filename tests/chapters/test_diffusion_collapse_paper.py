"""Paper scale of book/generative/diffusion-collapse.md: its configuration builds on the larger
(upsampled) images and one training step and one sampling step run at that size."""

from __future__ import annotations

import numpy as np
import torch

from trustlab.generative import (
    DigitFeatures,
    EpsMLP,
    NoiseSchedule,
    cfg_schedule,
    chain_table,
    ddim_sample,
    digit_images,
    guided_eps,
    run_chain,
    train_ddpm,
)

CHAPTER = "book/generative/diffusion-collapse.md"


def test_paper_configuration_is_larger(paper_cfg, chapter_config):
    cpu = chapter_config(CHAPTER, "cpu")
    assert paper_cfg["scale"] == "paper" and cpu["scale"] == "cpu"
    for key in ("T", "base_steps", "finetune_steps", "rounds", "sample_steps", "side", "width", "depth"):
        assert paper_cfg[key] > cpu[key], key
    assert cpu["side"] == 8 and paper_cfg["width"] >= paper_cfg["side"] ** 2
    assert max(paper_cfg["scales"]) >= max(cpu["scales"]) and paper_cfg["w_max"] in paper_cfg["scales"]


def test_paper_one_step(paper_cfg):
    torch.set_num_threads(1)
    side = paper_cfg["side"]
    n_pixels = side * side
    schedule = NoiseSchedule.linear(paper_cfg["T"], *paper_cfg["betas"])
    x_base, y_base = digit_images(blur=paper_cfg["blur"], contrast=paper_cfg["contrast"], side=side)
    x_real, y_real = digit_images(side=side)
    assert x_base.shape == x_real.shape == (1797, n_pixels)
    assert paper_cfg["n_finetune"] < len(x_real)
    model = EpsMLP(n_pixels, 10, paper_cfg["width"], paper_cfg["depth"])
    base = train_ddpm(model, schedule, x_base, y_base, 1, p_drop=0.1)
    x0, c0 = x_real[:64], y_real[:64]
    out = run_chain(
        base,
        schedule,
        x0,
        c0,
        1,
        1,
        w=cfg_schedule("linear", paper_cfg["w_max"], 1.0),
        p_drop=paper_cfg["p_drop"],
        sample_steps=1,
    )
    assert out[0].shape == x0.shape and torch.isfinite(out[0]).all()
    one = ddim_sample(guided_eps(base), schedule, c0[:8], (n_pixels,), n_steps=1, w=paper_cfg["w_max"])
    assert one.shape == (8, n_pixels) and torch.isfinite(one).all()
    # The chapter's metrics on the round's samples at this size.
    features = DigitFeatures(random_state=0).fit(x_real[64:].numpy(), y_real[64:].numpy())
    table = chain_table(out, features, x_real[64:].numpy(), c0.numpy())
    assert np.isfinite(table.to_numpy()).all()
