"""trustlab.book: scale, seeds, threads, device, style, setup."""

from __future__ import annotations

import random

import matplotlib as mpl
import numpy as np
import pytest
import torch

import trustlab
import trustlab.book as tb


def test_scale_defaults_to_cpu(monkeypatch):
    monkeypatch.delenv("TRUSTLAB_SCALE", raising=False)
    assert tb.scale() == "cpu"


@pytest.mark.parametrize("value, expected", [("paper", "paper"), (" CPU ", "cpu"), ("", "cpu")])
def test_scale_reads_environment(monkeypatch, value, expected):
    monkeypatch.setenv("TRUSTLAB_SCALE", value)
    assert tb.scale() == expected


def test_scale_rejects_unknown(monkeypatch):
    monkeypatch.setenv("TRUSTLAB_SCALE", "gpu")
    with pytest.raises(ValueError, match="TRUSTLAB_SCALE must be one of .*'gpu'"):
        tb.scale()


def test_seed_everything_is_reproducible():
    rng = tb.seed_everything(7)
    first = (random.random(), np.random.rand(), torch.rand(1).item(), rng.random())
    rng = tb.seed_everything(7)
    second = (random.random(), np.random.rand(), torch.rand(1).item(), rng.random())
    assert first == second


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True, None])
def test_seed_everything_rejects_bad_seed(bad):
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        tb.seed_everything(bad)


def test_set_threads(monkeypatch):
    before = torch.get_num_threads()
    try:
        assert tb.set_threads(1) == 1
        monkeypatch.setenv("TRUSTLAB_THREADS", "2")
        assert tb.set_threads() == 2
        monkeypatch.setenv("TRUSTLAB_THREADS", "two")
        with pytest.raises(ValueError, match="TRUSTLAB_THREADS must be a positive integer"):
            tb.set_threads()
        with pytest.raises(ValueError, match="n must be a positive integer, got 0"):
            tb.set_threads(0)
    finally:
        torch.set_num_threads(before)


def test_device_matches_torch():
    assert tb.device() == ("cuda" if torch.cuda.is_available() else "cpu")


def test_style_uses_colour_blind_safe_palette():
    tb.use_style()
    colours = [c["color"] for c in mpl.rcParams["axes.prop_cycle"]]
    assert colours == list(tb.OKABE_ITO)


def test_setup_prints_and_returns_current_sizes(monkeypatch, capsys):
    monkeypatch.setenv("TRUSTLAB_SCALE", "paper")
    before = torch.get_num_threads()
    try:
        cfg = tb.setup(seed=3, sizes={"cpu": {"n": 10}, "paper": {"n": 1000}}, threads=1)
    finally:
        torch.set_num_threads(before)
    out = capsys.readouterr().out
    assert "scale=paper seed=3" in out and "torch" in out and "n=1000" in out
    assert cfg["n"] == 1000 and cfg["scale"] == "paper" and cfg["seed"] == 3
    assert isinstance(cfg["rng"], np.random.Generator)


def test_setup_requires_both_scales():
    with pytest.raises(ValueError, match="missing \\['paper'\\]"):
        tb.setup(sizes={"cpu": {"n": 1}})


def test_versions_lists_the_stack():
    versions = tb.versions()
    assert versions["trustlab"] == trustlab.__version__
    assert {"python", "numpy", "torch"} <= set(versions)


def test_progress_iterates_and_does_not_warn(recwarn):
    assert list(tb.progress(range(5), desc="test", disable=True)) == [0, 1, 2, 3, 4]
    assert not [w for w in recwarn if "tqdm" in str(w.category).lower()]
