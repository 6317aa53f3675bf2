"""Message-passing layers against slow per-receiver loops and dense adjacency products."""

from __future__ import annotations

import pytest
import torch

from trustlab.sciml.message_passing import (
    InteractionNet,
    PropagationNet,
    make_mlp,
    scatter_mean,
    scatter_sum,
)

N_SEND, N_REC, D = 7, 6, 5


def random_graph(seed: int = 0, n_edges: int = 25) -> torch.Tensor:
    """Random edges with repeated pairs; receiver N_REC - 1 has no in-edge (isolated)."""
    gen = torch.Generator().manual_seed(seed)
    senders = torch.randint(0, N_SEND, (n_edges,), generator=gen)
    receivers = torch.randint(0, N_REC - 1, (n_edges,), generator=gen)
    return torch.stack([senders, receivers])


def inputs(seed: int = 1, batch: int = 3, n_edges: int = 25):
    gen = torch.Generator().manual_seed(seed)
    send = torch.randn(batch, N_SEND, D, generator=gen, dtype=torch.float64)
    rec = torch.randn(batch, N_REC, D, generator=gen, dtype=torch.float64)
    edge = torch.randn(n_edges, D, generator=gen, dtype=torch.float64)
    return send, rec, edge


def reference(net: InteractionNet, index, send, rec, edge, propagate: bool):
    """Per-receiver Python loop over the edges (the layer's equations, verbatim)."""
    new_rec, new_edge = torch.empty_like(rec), torch.empty(rec.shape[0], *edge.shape, dtype=rec.dtype)
    for b in range(rec.shape[0]):
        for k in range(index.shape[1]):
            j, i = int(index[0, k]), int(index[1, k])
            m = net.edge_mlp(torch.cat([edge[k], send[b, j], rec[b, i]]))
            if propagate:
                m = m + send[b, j]
            new_edge[b, k] = edge[k] + m
        for i in range(rec.shape[1]):
            ks = [k for k in range(index.shape[1]) if int(index[1, k]) == i]
            msgs = [new_edge[b, k] - edge[k] for k in ks]
            a = torch.stack(msgs).sum(0) if msgs else torch.zeros(D, dtype=rec.dtype)
            if net.aggr == "mean" and msgs:
                a = a / len(msgs)
            upd = net.node_mlp(torch.cat([rec[b, i], a]))
            new_rec[b, i] = (a if propagate else rec[b, i]) + upd
    return new_rec, new_edge


@pytest.mark.parametrize("cls", [InteractionNet, PropagationNet])
@pytest.mark.parametrize("aggr", ["sum", "mean"])
@pytest.mark.parametrize("split_first", [True, False])
def test_layers_equal_per_receiver_loop(cls, aggr, split_first):
    torch.manual_seed(0)
    index = random_graph()
    net = cls(index, N_SEND, N_REC, D, aggr=aggr, update_edges=True, split_first=split_first)
    net = net.double()
    send, rec, edge = inputs()
    got_rec, got_edge = net(send, rec, edge)
    want_rec, want_edge = reference(net, index, send, rec, edge, cls is PropagationNet)
    assert got_rec.shape == (3, N_REC, D) and got_edge.shape == (3, index.shape[1], D)
    torch.testing.assert_close(got_rec, want_rec, atol=1e-6, rtol=0)
    torch.testing.assert_close(got_edge, want_edge, atol=1e-6, rtol=0)


def test_split_first_equals_concat_in_float32():
    torch.manual_seed(0)
    index = random_graph(n_edges=200)
    net = InteractionNet(index, N_SEND, N_REC, D)
    send, rec, edge = (t.float() for t in inputs(n_edges=200))
    split = net(send, rec, edge)
    net.split_first = False
    concat = net(send, rec, edge)
    for a, b in zip(split, concat, strict=True):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=0)


def test_scatter_sum_and_mean_equal_dense_adjacency():
    gen = torch.Generator().manual_seed(3)
    index = torch.randint(0, 9, (40,), generator=gen)
    index[index == 4] = 5  # bin 4 empty
    src = torch.randn(2, 40, 3, generator=gen, dtype=torch.float64)
    onehot = torch.nn.functional.one_hot(index, 10).T.double()  # (n, E)
    torch.testing.assert_close(scatter_sum(src, index, 10), onehot @ src, atol=1e-12, rtol=0)
    degree = onehot.sum(1, keepdim=True)
    mean = scatter_mean(src, index, 10)
    torch.testing.assert_close(mean, (onehot @ src) / degree.clamp(min=1), atol=1e-12, rtol=0)
    assert torch.equal(mean[:, 4], torch.zeros(2, 3, dtype=torch.float64))


def test_mean_is_sum_over_in_degree():
    torch.manual_seed(0)
    index = random_graph()
    net = InteractionNet(index, N_SEND, N_REC, D, aggr="sum").double()
    send, rec, edge = inputs()
    messages = net.messages(send, rec, edge)
    total = net.aggregate(messages)
    net.aggr = "mean"
    degree = torch.bincount(index[1], minlength=N_REC).clamp(min=1).double()[:, None]
    torch.testing.assert_close(net.aggregate(messages), total / degree, atol=1e-12, rtol=0)


def test_isolated_receiver_gets_zero_aggregate():
    torch.manual_seed(0)
    index = random_graph()
    send, rec, edge = inputs()
    net = InteractionNet(index, N_SEND, N_REC, D).double()
    out, _ = net(send, rec, edge)
    isolated = rec[:, -1]
    want = isolated + net.node_mlp(torch.cat([isolated, torch.zeros_like(isolated)], -1))
    torch.testing.assert_close(out[:, -1], want, atol=1e-12, rtol=0)
    prop = PropagationNet(index, N_SEND, N_REC, D).double()
    out, _ = prop(send, rec, edge)
    want = prop.node_mlp(torch.cat([isolated, torch.zeros_like(isolated)], -1))
    torch.testing.assert_close(out[:, -1], want, atol=1e-12, rtol=0)


def test_batch_items_are_independent():
    torch.manual_seed(0)
    index = random_graph()
    net = InteractionNet(index, N_SEND, N_REC, D).double()
    send, rec, edge = inputs()
    full, full_edge = net(send, rec, edge)
    one, one_edge = net(send[1:2], rec[1:2], edge)
    torch.testing.assert_close(full[1:2], one, atol=1e-12, rtol=0)
    torch.testing.assert_close(full_edge[1:2], one_edge, atol=1e-12, rtol=0)
    send2 = send.clone()
    send2[0] += 1.0
    changed, _ = net(send2, rec, edge)
    torch.testing.assert_close(changed[1:], full[1:], atol=0, rtol=0)
    assert not torch.allclose(changed[0], full[0])


def test_update_edges_off_returns_edges_unchanged():
    index = random_graph()
    net = PropagationNet(index, N_SEND, N_REC, D).double()
    send, rec, edge = inputs()
    _, out_edge = net(send, rec, edge)
    assert out_edge is edge


def test_make_mlp_layout():
    mlp = make_mlp(4, 8, 3)
    assert [type(m).__name__ for m in mlp] == ["Linear", "SiLU", "Linear", "LayerNorm"]
    mlp = make_mlp(4, 8, 3, layer_norm=False)
    assert [type(m).__name__ for m in mlp] == ["Linear", "SiLU", "Linear"]
    with pytest.raises(ValueError, match="hidden"):
        make_mlp(4, 0, 3)


def test_bad_input_names_the_argument():
    index = random_graph()
    with pytest.raises(TypeError, match="edge_index"):
        InteractionNet(index.float(), N_SEND, N_REC, D)
    with pytest.raises(ValueError, match="edge_index"):
        InteractionNet(index[:, :, None], N_SEND, N_REC, D)
    with pytest.raises(ValueError, match="n_send"):
        InteractionNet(index, 2, N_REC, D)
    with pytest.raises(ValueError, match="aggr"):
        InteractionNet(index, N_SEND, N_REC, D, aggr="max")
    net = InteractionNet(index, N_SEND, N_REC, D)
    send, rec, edge = (t.float() for t in inputs())
    with pytest.raises(ValueError, match="send"):
        net(send[:, :3], rec, edge)
    with pytest.raises(ValueError, match="rec"):
        net(send, rec[..., :2], edge)
    with pytest.raises(ValueError, match="edge"):
        net(send, rec, edge[:3])
    with pytest.raises(TypeError, match="send"):
        net(send.numpy(), rec, edge)


def test_scatter_checks_its_input():
    src, index = torch.randn(5, 3), torch.tensor([0, 0, 1, 3, 3])
    torch.testing.assert_close(scatter_mean(src, index, 4)[3], src[3:].mean(0))
    # n=0 used to return an empty (0, d) tensor, silently dropping every row
    with pytest.raises(ValueError, match="n must"):
        scatter_sum(src, index, 0)
    with pytest.raises(ValueError, match="index must lie"):
        scatter_sum(src, index, 3)
    with pytest.raises(ValueError, match="index must lie"):
        scatter_mean(src, -index, 4)
    with pytest.raises(ValueError, match="index must have shape"):
        scatter_sum(src, index[:3], 4)
    with pytest.raises(TypeError, match="index must have dtype"):
        scatter_sum(src, index.float(), 4)
    with pytest.raises(TypeError, match="src must be a torch.Tensor"):
        scatter_sum(src.numpy(), index, 4)
    with pytest.raises(TypeError, match="src must be a floating"):
        scatter_mean(src.long(), index, 4)
    with pytest.raises(ValueError, match="src must have shape"):
        scatter_sum(src[:, 0], index, 4)
    with pytest.raises(ValueError, match="degree"):
        scatter_mean(src, index, 4, degree=torch.ones(3, 1))


def test_layers_reject_wrong_dtypes_batches_and_non_bool_switches():
    index = random_graph()
    net = InteractionNet(index, N_SEND, N_REC, D)
    send, rec, edge = inputs()  # float64: the layer is float32
    with pytest.raises(TypeError, match="send must have dtype"):
        net(send, rec.float(), edge.float())
    with pytest.raises(TypeError, match="edge must have dtype"):
        net(send.float(), rec.float(), edge)
    with pytest.raises(ValueError, match="batch dimensions"):
        net(send.float(), rec[:2].float(), edge.float())
    # bool("no") is True: strings must not flip a switch on
    with pytest.raises(TypeError, match="update_edges"):
        InteractionNet(index, N_SEND, N_REC, D, update_edges="no")
    with pytest.raises(TypeError, match="split_first"):
        PropagationNet(index, N_SEND, N_REC, D, split_first=0)
    with pytest.raises(TypeError, match="layer_norm"):
        make_mlp(4, 8, 3, layer_norm="no")
