"""Paper scale of book/sciml/kano.md: its configuration builds and one step of each experiment runs."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from trustlab.sciml import (
    QKANO,
    FNO1d,
    KANLayer,
    apply_operator,
    count_parameters,
    double_well,
    gaussian_packets,
    make_grid,
    make_kano,
    sample_family,
    split_step,
    train_operator,
    train_qkano,
)

CHAPTER = "book/sciml/kano.md"


def test_paper_configuration_differs_from_cpu(paper_cfg, chapter_config):
    cpu_cfg = chapter_config(CHAPTER, "cpu")
    assert paper_cfg["scale"] == "paper" and cpu_cfg["scale"] == "cpu"
    assert paper_cfg["operators"] == ["G1", "G2", "G3"] and cpu_cfg["operators"] == ["G1"]
    for key in ("kano_steps", "fno_steps", "q_steps", "fno_width"):
        assert paper_cfg[key] > cpu_cfg[key], key


def test_paper_fno_has_the_papers_size(paper_cfg):
    fno = FNO1d(paper_cfg["fno_width"], paper_cfg["fno_modes"], paper_cfg["fno_layers"])
    assert 450_000 <= count_parameters(fno) <= 650_000  # the paper's FNO: 566k


@pytest.mark.parametrize("name", ["G1", "G2", "G3"])
def test_paper_one_training_step_per_operator(paper_cfg, name):
    cfg = paper_cfg
    x = make_grid(cfg["n_grid"], cfg["half_width"])
    f = sample_family("A", 8, x, np.random.default_rng(0))
    a = torch.as_tensor(f, dtype=torch.float32)
    g = torch.as_tensor(apply_operator(name, f, x), dtype=torch.float32)
    kano = make_kano(
        x,
        cfg["kano_modes"],
        symbol_widths=(2, 4, 2) if name != "G1" else (2, 1),
        grid=cfg["kano_grid"],
        symbol_scale=cfg["kano_symbol_scale"],
        activation_range=3.0,
    )
    fno = FNO1d(cfg["fno_width"], cfg["fno_modes"], cfg["fno_layers"])
    for model, lr in ((kano, cfg["kano_lr"]), (fno, cfg["fno_lr"])):
        history = train_operator(model, a, g, 1, lr, batch_size=8)
        assert len(history) == 1 and np.isfinite(history[0])


def test_paper_one_qkano_step(paper_cfg):
    cfg = paper_cfg
    x = make_grid(cfg["q_grid"], cfg["q_half_width"])
    psi = gaussian_packets(4, x, np.random.default_rng(0))
    states = torch.as_tensor(
        split_step(psi, double_well(x), x, cfg["q_dT"], cfg["q_train_steps"]), dtype=torch.complex64
    )
    model = QKANO(x, cfg["q_dT"], KANLayer(2, 1, grid=cfg["q_kan_grid"]), symbol_scale=cfg["q_symbol_scale"])
    history = train_qkano(model, states, 1, cfg["q_lr"])
    assert len(history) == 1 and np.isfinite(history[0])
