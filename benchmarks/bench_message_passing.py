"""Benchmark of trustlab.sciml's message passing for the space-weather emulator, in one process.

1. Our :class:`~trustlab.sciml.InteractionNet` (plain torch: ``index_select`` + ``index_add_``,
   first edge layer split per node, and the plain-concatenation path) against a torch_geometric
   ``MessagePassing`` layer of the same shape written here the way neural-lam writes its
   interaction network (message = edge MLP on ``[e, x_j, x_i]``, ``aggr="add"``, update = node
   MLP residual, edge update), holding copies of our MLPs. Reported: the largest absolute
   difference of the outputs (updated nodes and edges) and the forward + backward time, as the
   ratio ours / pyg, on an 8-neighbour lattice of 16 x 16 mesh nodes with hidden 32, batch 4
   (the chapter's mesh) and of 64 x 64 nodes with hidden 64, batch 4.
2. One forward + backward step of the whole :class:`~trustlab.sciml.GraphFM` at the chapter's
   size (64 x 64 grid, 8 variables, 3 forcing values, 16 x 16 mesh, hidden 32, 4 processor
   layers, batch 4) for each mesh kind (no reference: the time the chapter's training budget is
   planned with).

torch_geometric is an optional, benchmark-only dependency (``bench`` extra): without it part 1's
comparison rows are skipped and reported as such. Run:
``TRUSTLAB_THREADS=1 .venv/bin/python benchmarks/bench_message_passing.py`` (about a minute).
"""

from __future__ import annotations

import copy

import numpy as np
import torch
from _common import timed, write_result

from trustlab.book import seed_everything, set_threads
from trustlab.sciml import GraphFM, InteractionNet, build_graph

BATCH = 4
LATTICES = ((16, 32), (64, 64))  # (nodes per side, hidden)


def lattice(n: int) -> torch.Tensor:
    """Both directions of every axis and diagonal neighbour pair of an ``n x n`` lattice."""
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    pairs = []
    for di, dj in ((1, 0), (0, 1), (1, 1), (1, -1)):
        ok = (i + di < n) & (j + dj >= 0) & (j + dj < n)
        a = (i * n + j)[ok]
        b = ((i + di) * n + j + dj)[ok]
        pairs += [np.stack([a, b]), np.stack([b, a])]
    return torch.from_numpy(np.concatenate(pairs, axis=1)).long()


def pyg_layer(ours: InteractionNet) -> torch.nn.Module:
    """A torch_geometric InteractionNet (neural-lam's formulation) with copies of our MLPs."""
    from torch_geometric.nn import MessagePassing

    class PygInteractionNet(MessagePassing):
        def __init__(self) -> None:
            super().__init__(aggr="add")  # node_dim=-2: batched (B, N, d) node tensors
            self.edge_mlp = copy.deepcopy(ours.edge_mlp)
            self.node_mlp = copy.deepcopy(ours.node_mlp)
            self.register_buffer("edge_index", torch.stack([ours.senders, ours.receivers]))

        def forward(self, send, rec, edge):
            aggregated, messages = self.propagate(
                self.edge_index, x=(send, rec), edge_attr=edge, size=(send.shape[-2], rec.shape[-2])
            )
            return rec + self.node_mlp(torch.cat([rec, aggregated], dim=-1)), edge + messages

        def message(self, x_j, x_i, edge_attr):
            edge_attr = edge_attr.expand_as(x_j)
            return self.edge_mlp(torch.cat([edge_attr, x_j, x_i], dim=-1))

        def aggregate(self, inputs, index, ptr=None, dim_size=None):
            return super().aggregate(inputs, index, ptr, dim_size), inputs

    return PygInteractionNet()


def fwd_bwd_time(layer: torch.nn.Module, send, rec, edge, repeats: int) -> float:
    def step() -> None:
        out, new_edge = layer(send, rec, edge)
        (out.square().mean() + new_edge.square().mean()).backward()

    step()  # warm-up
    return timed(lambda: [step() for _ in range(repeats)], repeats=3)[0] / repeats


def layer_comparison() -> tuple[list, dict]:
    try:
        import torch_geometric
    except ImportError:
        rows = [["InteractionNet vs torch_geometric", "torch_geometric not installed"] + [None] * 4]
        return rows, {"torch_geometric": None}
    rows, data = [], {"torch_geometric": torch_geometric.__version__}
    for side, hidden in LATTICES:
        seed_everything(0)
        index = lattice(side)
        n = side * side
        ours = InteractionNet(index, n, n, hidden)
        reference = pyg_layer(ours)
        h = torch.randn(BATCH, n, hidden)
        edge = torch.randn(index.shape[1], hidden)
        with torch.no_grad():
            want = reference(h, h, edge)
        repeats = 20 if side <= 16 else 3
        times, diff = {}, {}
        for name, split in (("split", True), ("concat", False)):
            ours.split_first = split
            with torch.no_grad():
                got = ours(h, h, edge)
            diff[name] = max(float((a - b).abs().max()) for a, b in zip(got, want, strict=True))
            times[name] = fwd_bwd_time(ours, h, h, edge, repeats)
        times["pyg"] = fwd_bwd_time(reference, h, h, edge, repeats)
        what = f"{side}x{side} lattice ({n} nodes, {index.shape[1]} edges), d={hidden}, B={BATCH}"
        for name in ("split", "concat"):
            rows.append(
                [
                    f"InteractionNet fwd+bwd, ours ({name} first layer) vs pyg: {what}",
                    "ms",
                    1000 * times[name],
                    1000 * times["pyg"],
                    times[name] / times["pyg"],
                    diff[name],
                ]
            )
        data[what] = {"ms": {k: 1000 * v for k, v in times.items()}, "max_abs_diff": diff}
    return rows, data


def emulator_steps() -> tuple[list, dict]:
    rows, data = [], {}
    axis = np.linspace(0.0, 8.0, 64)
    gen = torch.Generator().manual_seed(0)
    x_prev, x_t = torch.randn(2, BATCH, 64 * 64, 8, generator=gen)
    forcing = torch.randn(BATCH, 3, generator=gen)
    for kind in ("simple", "multiscale", "hierarchical"):
        graph = build_graph(axis, axis, kind=kind, obstacle_center=(2.8, 4.0), obstacle_radius=0.45)
        seed_everything(0)
        model = GraphFM(graph, 8, n_forcing=3, hidden=32, processor_layers=4)

        def step(model=model) -> None:
            model(x_prev, x_t, forcing).square().mean().backward()

        step()
        seconds = timed(lambda step=step: [step() for _ in range(5)], repeats=3)[0] / 5
        what = f"GraphFM step fwd+bwd, {kind} mesh, 64x64 grid, d=32, 4 layers, B={BATCH}"
        rows.append([what, "ms", 1000 * seconds, None, None, None])
        data[kind] = {"ms": 1000 * seconds, "parameters": sum(p.numel() for p in model.parameters())}
    return rows, data


def main() -> None:
    set_threads()
    layer_rows, layer_data = layer_comparison()
    step_rows, step_data = emulator_steps()
    rows = layer_rows + step_rows
    for row in rows:
        print(row)
    ratios = [row[4] for row in layer_rows if row[4] is not None]
    diffs = [row[5] for row in layer_rows if row[5] is not None]
    split = [row[4] for row in layer_rows if "(split" in row[0]]
    summary = (
        f"ours / pyg fwd+bwd time: {min(ratios):.2f}-{max(ratios):.2f}x, max |difference| {max(diffs):.1e}; "
        if ratios
        else "torch_geometric not installed; "
    ) + "; ".join(f"GraphFM {k} step {v['ms']:.0f} ms" for k, v in step_data.items())
    write_result(
        "bench_message_passing",
        {
            "title": "Space-weather emulator: plain-torch message passing vs torch_geometric",
            "description": "InteractionNet forward+backward on 8-neighbour lattices: ours (index_add_, "
            "split or concatenated first edge layer) against a torch_geometric MessagePassing layer "
            "(neural-lam's formulation) holding copies of our MLPs; and one GraphFM step at the "
            "chapter's size per mesh kind. One thread.",
            "columns": ["what", "unit", "ours", "pyg", "ratio ours/pyg", "max |difference|"],
            "rows": rows,
            "goal": "same outputs as torch_geometric (max |difference| < 1e-5) in no more time "
            "(the split first layer, the package's default)",
            "goal_met": (max(diffs) < 1e-5 and max(split) <= 1.0) if ratios else None,
            "summary": summary,
            "data": {"layers": layer_data, "graph_fm_step": step_data},
        },
    )


if __name__ == "__main__":
    main()
