"""Graph-FM emulator: shapes, the step formula, the boundary-forced rollout, training."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from trustlab.sciml.emulator import GraphFM
from trustlab.sciml.emulator_training import train_graph_fm
from trustlab.sciml.graphs import build_graph

N = 12  # grid side
AXIS = np.linspace(0.0, 8.0, N)


def graph(kind: str, obstacle: bool = True):
    extra = {"obstacle_center": (3.0, 4.0), "obstacle_radius": 0.8} if obstacle else {}
    return build_graph(AXIS, AXIS, kind=kind, mesh_size=6, levels=2, **extra)


def model(kind: str = "multiscale", **kw) -> GraphFM:
    torch.manual_seed(0)
    kw = {"hidden": 8, "processor_layers": 2, **kw}
    return GraphFM(graph(kind), 3, **kw)


def states(batch: int = 2, seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(batch, N * N, 3, generator=gen), torch.randn(batch, N * N, 3, generator=gen)


@pytest.mark.parametrize("kind", ["simple", "multiscale", "hierarchical"])
def test_step_shapes_and_every_parameter_gets_a_gradient(kind):
    m = model(kind, n_forcing=2)
    x_prev, x_t = states()
    out = m(x_prev, x_t, torch.randn(2, 2))
    assert out.shape == (2, N * N, 3) and out.dtype == torch.float32
    out.square().mean().backward()
    missing = [n for n, p in m.named_parameters() if p.grad is None or not p.grad.abs().sum() > 0]
    assert not missing, f"parameters without gradient: {missing}"
    assert (m.hierarchical, len(m.n_mesh)) == ((True, 2) if kind == "hierarchical" else (False, 1))


def test_split_first_and_concat_models_agree():
    m = model("hierarchical")
    x_prev, x_t = states()
    split = m(x_prev, x_t)
    for layer in m.modules():
        if hasattr(layer, "split_first"):
            layer.split_first = False
    torch.testing.assert_close(m(x_prev, x_t), split, atol=1e-5, rtol=0)


def test_difference_statistics_are_applied():
    mean, std = torch.tensor([0.5, -1.0, 2.0]), torch.tensor([2.0, 0.5, 3.0])
    m = model(diff_mean=mean, diff_std=std)
    with torch.no_grad():
        m.output[-1].weight.zero_()
        m.output[-1].bias.zero_()
    x_prev, x_t = states()
    assert torch.equal(m(x_prev, x_t), x_t + mean)
    with torch.no_grad():
        m.output[-1].bias.fill_(1.0)
    torch.testing.assert_close(m(x_prev, x_t), x_t + std + mean, atol=1e-6, rtol=0)


def test_rollout_overwrites_the_boundary_and_feeds_each_step_to_the_next():
    m = model(n_forcing=1)
    x_prev, x_t = states()
    gen = torch.Generator().manual_seed(5)
    values = torch.randn(2, 4, N * N, 3, generator=gen)
    mask = torch.zeros(N * N, dtype=torch.bool)
    mask[-2 * N :] = True
    forcing = torch.randn(2, 4, 1, generator=gen)
    with torch.no_grad():
        out = m.rollout(x_prev, x_t, 4, boundary_values=values, boundary_mask=mask, forcing=forcing)
        assert out.shape == (2, 4, N * N, 3)
        assert torch.equal(out[:, :, mask], values[:, :, mask])
        a, b = x_prev, x_t
        for k in range(4):
            want = torch.where(mask[:, None], values[:, k], m(a, b, forcing[:, k]))
            assert torch.equal(out[:, k], want), f"step {k}"
            a, b = b, want
        free = m.rollout(x_prev, x_t, 2, forcing=forcing[:, :2])
        assert torch.equal(free[:, 0], m(x_prev, x_t, forcing[:, 0]))
        assert not torch.equal(free[:, 1, mask], values[:, 1, mask])


def advection(n_frames: int = 40):
    """A smooth pattern moving one cell per step in -x, entering through the last columns."""
    i = np.arange(N)[:, None]
    j = np.arange(N)[None, :]
    frames = []
    for t in range(n_frames):
        phase = 2 * np.pi * (i + t) / N
        a = np.sin(phase) * np.cos(2 * np.pi * j / N)
        b = np.cos(phase + 0.5) + 0.3 * np.sin(4 * np.pi * j / N)
        frames.append(np.stack([a, b], -1).reshape(N * N, 2))
    fields = np.asarray(frames, dtype=np.float32)
    mask = np.zeros((N, N), dtype=bool)
    mask[-2:] = True
    return fields, mask.reshape(-1)


def test_training_on_advection_reduces_the_loss_and_runs_the_rollout_phase():
    fields, mask = advection()
    diff = np.diff(fields, axis=0)
    torch.manual_seed(0)
    m = GraphFM(
        graph("multiscale", obstacle=False),
        2,
        hidden=16,
        processor_layers=2,
        diff_mean=diff.mean((0, 1)),
        diff_std=diff.std((0, 1)),
    )
    seen = []
    history = train_graph_fm(
        m,
        fields,
        mask,
        schedule=((150, 1), (20, 3)),
        lr=3e-3,
        seed=0,
        progress=lambda it: (seen.append(1) or i for i in it),
    )
    loss = np.asarray(history["loss"])
    assert history["ar_steps"] == [1] * 150 + [3] * 20 and len(seen) == 170
    assert history["seconds"] > 0 and np.isfinite(loss).all()
    # one-step loss in units of diff_std^2: predicting "no change" scores about 1
    assert loss[140:150].mean() < 0.1 * loss[:10].mean(), (loss[:10].mean(), loss[140:150].mean())
    assert loss[-10:].mean() < 0.5 * loss[:10].mean()


def test_training_is_reproducible_with_a_seed():
    fields, mask = advection(12)
    runs = []
    for _ in range(2):
        torch.manual_seed(1)
        m = GraphFM(graph("simple", obstacle=False), 2, hidden=8, processor_layers=1)
        runs.append(train_graph_fm(m, fields, mask, schedule=((3, 1), (2, 2)), seed=3)["loss"])
    assert runs[0] == runs[1]


def test_bad_input_names_the_argument():
    m = model(n_forcing=1)
    x_prev, x_t = states()
    f = torch.zeros(2, 1)
    with pytest.raises(TypeError, match="graph"):
        GraphFM("mesh", 3)
    with pytest.raises(ValueError, match="diff_std"):
        model(diff_std=torch.ones(2))
    with pytest.raises(ValueError, match="diff_std"):
        model(diff_std=torch.zeros(3))
    with pytest.raises(ValueError, match="x_t"):
        m(x_prev[:, :5], x_t[:, :5], f)
    with pytest.raises(ValueError, match="x_prev"):
        m(x_prev[:1], x_t, f)
    with pytest.raises(TypeError, match="x_t"):
        m(x_prev, x_t.double(), f)
    with pytest.raises(ValueError, match="forcing"):
        m(x_prev, x_t)
    with pytest.raises(ValueError, match="forcing"):
        m(x_prev, x_t, torch.zeros(2, 4))
    values = torch.zeros(2, 3, N * N, 3)
    mask = torch.zeros(N * N, dtype=torch.bool)
    ff = torch.zeros(2, 3, 1)
    with pytest.raises(ValueError, match="boundary_mask"):
        m.rollout(x_prev, x_t, 3, boundary_values=values, boundary_mask=mask[:-1], forcing=ff)
    with pytest.raises(TypeError, match="boundary_mask"):
        m.rollout(x_prev, x_t, 3, boundary_values=values, boundary_mask=mask.int(), forcing=ff)
    with pytest.raises(ValueError, match="boundary_values"):
        m.rollout(x_prev, x_t, 3, boundary_values=values[:, :2], boundary_mask=mask, forcing=ff)
    with pytest.raises(ValueError, match="together"):
        m.rollout(x_prev, x_t, 3, boundary_values=values, forcing=ff)
    with pytest.raises(ValueError, match="n_steps"):
        m.rollout(x_prev, x_t, 0, forcing=ff)
    fields, fmask = advection(10)
    plain = model()
    plain_fields = np.concatenate([fields, fields[..., :1]], -1)
    with pytest.raises(ValueError, match="schedule"):
        train_graph_fm(plain, plain_fields, fmask, schedule=((10, 0),))
    with pytest.raises(ValueError, match="schedule"):
        train_graph_fm(plain, plain_fields, fmask, schedule=((10,),))
    with pytest.raises(TypeError, match="schedule"):
        train_graph_fm(plain, plain_fields, fmask, schedule=())
    with pytest.raises(ValueError, match="states"):
        train_graph_fm(plain, plain_fields, fmask, schedule=((1, 9),))
    with pytest.raises(ValueError, match="states"):
        train_graph_fm(plain, fields, fmask)
    with pytest.raises(TypeError, match="states"):
        train_graph_fm(plain, plain_fields.astype(int), fmask)
    with pytest.raises(ValueError, match="boundary_mask"):
        train_graph_fm(plain, plain_fields, fmask[:-1])
    with pytest.raises(TypeError, match="boundary_mask"):
        train_graph_fm(plain, plain_fields, fmask.astype(float))
    with pytest.raises(ValueError, match="forcing"):
        train_graph_fm(m, plain_fields, fmask)
    with pytest.raises(ValueError, match="forcing"):
        train_graph_fm(plain, plain_fields, fmask, forcing=np.zeros((10, 1), np.float32))
    with pytest.raises(TypeError, match="model"):
        train_graph_fm(torch.nn.Linear(2, 2), plain_fields, fmask)


def test_more_bad_input_names_the_argument():
    with pytest.raises(TypeError, match="diff_mean"):
        model(diff_mean="zero")
    with pytest.raises(TypeError, match="split_first"):
        model(split_first="no")
    fields, fmask = advection(8)
    m = GraphFM(graph("simple", obstacle=False), 2, hidden=8, processor_layers=1)
    with pytest.raises(TypeError, match="progress"):
        train_graph_fm(m, fields, fmask, schedule=((1, 1),), progress=3)
    with pytest.raises(TypeError, match="boundary_mask must be a bool tensor or array, got torch.int64"):
        train_graph_fm(m, fields, fmask.astype(np.int64), schedule=((1, 1),))


def test_training_a_float64_model_casts_the_data_to_its_dtype():
    # the data used to be cast to float32 whatever the model's dtype, so a .double() model failed
    fields, mask = advection(8)
    torch.manual_seed(1)
    m = GraphFM(graph("simple", obstacle=False), 2, hidden=8, processor_layers=1).double()
    history = train_graph_fm(m, fields, mask, schedule=((2, 1),), batch_size=2)
    assert len(history["loss"]) == 2 and np.isfinite(history["loss"]).all()
    assert all(p.dtype == torch.float64 for p in m.parameters())
