"""The emulator's graphs (trustlab.sciml.graphs) against brute-force references.

Every structural claim of the module docstring is checked here against code that does not share
the builder's vectorised helpers: a loop-based lattice with a per-edge sampling test, dense
distance matrices for the nearest-neighbour edges, and a dense re-sampling of every mesh edge
against the obstacle.
"""

from __future__ import annotations

import json
import math

import matplotlib
import numpy as np
import pytest
import torch
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from trustlab.sciml import MeshGraph, build_graph, graph_summary, plot_graph

matplotlib.use("Agg")

# the chapter's configuration: an 8 x 8 box on 64 x 64 cells, the obstacle disc of the simulator
AXIS = np.arange(64) * 0.125
CENTER, RADIUS = (2.8, 4.0), 0.45
CHAPTER = {
    "obstacle_center": CENTER,
    "obstacle_radius": RADIUS,
    "mesh_size": 16,
    "levels": 3,
    "coarsen_factor": 2,
}
KINDS = ("simple", "multiscale", "hierarchical")
DENSE = 200  # points per edge in the dense re-sampling


@pytest.fixture(scope="module")
def chapter() -> dict[str, MeshGraph]:
    return {kind: build_graph(AXIS, AXIS, kind=kind, **CHAPTER) for kind in KINDS}


# ---- slow references --------------------------------------------------------------------------


def _inside(p: np.ndarray, center: tuple[float, float], radius: float) -> np.ndarray:
    return np.hypot(p[..., 0] - center[0], p[..., 1] - center[1]) < radius


def _segment_ok(p: np.ndarray, q: np.ndarray, center, radius, samples: int, fraction: float) -> bool:
    """The builder's rule written as a loop: at most ``fraction`` of the samples inside."""
    inside = 0
    for k in range(samples):
        t = k / (samples - 1)
        point = (1 - t) * p + t * q
        inside += math.hypot(point[0] - center[0], point[1] - center[1]) < radius
    return inside / samples <= fraction


def _ref_lattice(x, y, n, center, radius, samples=10, fraction=0.1):
    """Positions (lattice order) and undirected pairs of one level, with Python loops."""
    ix = [round(v) for v in np.linspace(0, len(x) - 1, n)]
    iy = [round(v) for v in np.linspace(0, len(y) - 1, n)]
    local: dict[tuple[int, int], int] = {}
    pos = []
    for a in range(n):
        for b in range(n):
            p = np.array([x[ix[a]], y[iy[b]]])
            if radius == 0 or math.hypot(p[0] - center[0], p[1] - center[1]) >= radius:
                local[a, b] = len(pos)
                pos.append(p)
    pos = np.array(pos)
    pairs = set()
    for (a, b), i in local.items():
        for da in (-1, 0, 1):
            for db in (-1, 0, 1):
                j = local.get((a + da, b + db))
                if (
                    j is not None
                    and j != i
                    and _segment_ok(pos[i], pos[j], center, radius, samples, fraction)
                ):
                    pairs.add((min(i, j), max(i, j)))
    return pos, pairs


def _ref_directed(pairs: set[tuple[int, int]], n: int) -> set[tuple[int, int]]:
    edges = pairs | {(j, i) for i, j in pairs}
    degree = np.zeros(n, dtype=int)
    for i, j in pairs:
        degree[i] += 1
        degree[j] += 1
    return edges | {(i, i) for i in range(n) if degree[i] <= 1}


def _edge_set(index) -> set[tuple[int, int]]:
    e = index.numpy()
    return set(zip(e[0].tolist(), e[1].tolist(), strict=True))


def torch_equal(a: torch.Tensor, b: torch.Tensor) -> bool:
    return a.shape == b.shape and bool((a == b).all())


def _levels(graph: MeshGraph):
    return zip(graph.mesh_pos, graph.m2m_index, strict=True)


# ---- encoder and decoder edges ----------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_g2m_one_edge_from_each_grid_node_outside_the_obstacle(chapter, kind):
    g = chapter[kind]
    grid = g.grid_pos.numpy().astype(np.float64)
    mesh = g.mesh_pos[0].numpy().astype(np.float64)
    inside = _inside(grid, CENTER, RADIUS)
    assert inside.sum() > 0  # the check below would be vacuous otherwise
    out_degree = np.bincount(g.g2m_index[0].numpy(), minlength=g.n_grid)
    assert (out_degree[~inside] == 1).all() and (out_degree[inside] == 0).all()
    send, receive = g.g2m_index.numpy()
    dist = np.linalg.norm(grid[send][:, None] - mesh[None], axis=-1)
    assert np.allclose(dist[np.arange(len(send)), receive], dist.min(axis=1))


@pytest.mark.parametrize("k", [1, 3, 5])
def test_m2g_edges_come_from_the_k_nearest_mesh_nodes(k):
    g = build_graph(AXIS, AXIS, kind="simple", m2g_neighbours=k, **CHAPTER)
    grid = g.grid_pos.numpy().astype(np.float64)
    mesh = g.mesh_pos[0].numpy().astype(np.float64)
    send, receive = g.m2g_index.numpy()
    assert (np.bincount(receive, minlength=g.n_grid) == k).all()  # obstacle cells included
    dist = np.linalg.norm(grid[:, None] - mesh[None], axis=-1)  # brute force (n_grid, n_mesh)
    order = np.argsort(receive, kind="stable")
    chosen = dist[receive[order], send[order]].reshape(g.n_grid, k)
    assert np.allclose(np.sort(chosen, axis=1), np.sort(dist, axis=1)[:, :k])  # ties-proof
    senders = send[order].reshape(g.n_grid, k)
    assert (np.sort(senders, axis=1)[:, 1:] != np.sort(senders, axis=1)[:, :-1]).all()  # distinct


# ---- the obstacle -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_no_mesh_node_inside_the_obstacle(chapter, kind):
    for pos in chapter[kind].mesh_pos:
        assert not _inside(pos.numpy().astype(np.float64), CENTER, RADIUS).any()
    assert chapter[kind].n_mesh[0] < 16 * 16  # some nodes were removed


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("radius", [RADIUS, 1.3])
def test_no_mesh_edge_through_the_obstacle(kind, radius):
    """Dense re-sampling bounds how much of every kept edge lies inside the disc.

    Criterion. The disc is open and convex, so the part of a segment inside it is one open
    interval of length ``L`` (as a fraction of the segment). The builder tests ``S`` points at
    ``t = k / (S - 1)`` and keeps the edge when at most ``m = floor(f * S)`` are inside. An open
    interval of length ``L`` contains at least ``ceil(L (S - 1)) - 1`` of those points, so a kept
    edge has ``L <= (m + 1) / (S - 1)`` (2/9 with the defaults: a kept edge may clip the disc near
    tangency but never runs through it), i.e. its closest approach to the centre is at least
    ``sqrt(radius^2 - (L_max * length / 2)^2)``. ``DENSE`` points count ``L`` to within
    ``1 / (DENSE - 1)``. Conversely a dropped edge has ``m + 1`` points inside, hence
    ``L > m / (S - 1)``.
    """
    samples, fraction = 10, 0.1
    m = math.floor(fraction * samples + 1e-12)
    g = build_graph(AXIS, AXIS, kind=kind, **{**CHAPTER, "obstacle_radius": radius})
    t = np.linspace(0, 1, DENSE)[None, :, None]
    slack = 1 / (DENSE - 1)
    for pos, index in _levels(g):
        p = pos.numpy().astype(np.float64)
        s, r = index.numpy()
        points = p[s][:, None] * (1 - t) + p[r][:, None] * t
        share = _inside(points, CENTER, radius).mean(axis=1)
        assert share.max() <= (m + 1) / (samples - 1) + slack, share.max()
        length = np.linalg.norm(p[s] - p[r], axis=1)
        closest = np.linalg.norm(points - np.array(CENTER), axis=-1).min(axis=1)
        half_chord = (m + 1) / (samples - 1) * length / 2
        assert (closest >= np.sqrt(np.maximum(radius**2 - half_chord**2, 0)) - 1e-9).all()
    if kind != "multiscale":  # the flat lattice and the levels drop real crossings only
        for lev, (pos, index) in enumerate(_levels(g)):
            n = CHAPTER["mesh_size"] // 2**lev
            _, all_pairs = _ref_lattice(AXIS, AXIS, n, CENTER, radius, samples=2, fraction=1.0)
            p = pos.numpy().astype(np.float64)
            dropped = np.array(sorted(all_pairs - {(min(e), max(e)) for e in _edge_set(index)}))
            if len(dropped):
                points = p[dropped[:, 0]][:, None] * (1 - t) + p[dropped[:, 1]][:, None] * t
                assert _inside(points, CENTER, radius).mean(axis=1).min() > m / (samples - 1) - slack


@pytest.mark.parametrize("radius", [RADIUS, 1.3])
def test_lattice_levels_match_the_loop_reference(radius):
    """Simple and every hierarchical level equal the loop-built lattice, node for node."""
    cfg = {**CHAPTER, "obstacle_radius": radius}
    simple = build_graph(AXIS, AXIS, kind="simple", **cfg)
    hier = build_graph(AXIS, AXIS, kind="hierarchical", **cfg)
    dropped_somewhere = False
    for lev in range(cfg["levels"]):
        n = cfg["mesh_size"] // 2**lev
        pos, pairs = _ref_lattice(AXIS, AXIS, n, CENTER, radius)
        _, uncut = _ref_lattice(AXIS, AXIS, n, CENTER, radius, samples=2, fraction=1.0)
        dropped_somewhere |= len(uncut) > len(pairs)
        graphs = [simple, hier] if lev == 0 else [hier]
        for g in graphs:
            assert np.array_equal(g.mesh_pos[lev].numpy(), pos.astype(np.float32))
            assert _edge_set(g.m2m_index[lev]) == _ref_directed(pairs, len(pos))
    assert dropped_somewhere  # the crossing rule was exercised


def test_multiscale_matches_the_loop_reference(chapter):
    """Coarse levels moved to their nearest finest node, merged, re-tested against the disc."""
    fine, pairs = _ref_lattice(AXIS, AXIS, 16, CENTER, RADIUS)
    merged = set(pairs)
    ties = 0
    for n in (8, 4):
        coarse, coarse_pairs = _ref_lattice(AXIS, AXIS, n, CENTER, RADIUS)
        dist = np.linalg.norm(coarse[:, None] - fine[None], axis=-1)
        tied = dist <= dist.min(axis=1, keepdims=True) * (1 + 1e-9) + 1e-12
        ties += int((tied.sum(axis=1) > 1).sum())
        nearest = tied.argmax(axis=1)  # first True: the lowest index among the nearest
        for i, j in coarse_pairs:
            a, b = sorted((int(nearest[i]), int(nearest[j])))
            if a != b and _segment_ok(fine[a], fine[b], CENTER, RADIUS, 10, 0.1):
                merged.add((a, b))
    assert ties > 0  # exact ties occur, so the lowest-index rule is exercised
    g = chapter["multiscale"]
    assert np.array_equal(g.mesh_pos[0].numpy(), fine.astype(np.float32))
    assert _edge_set(g.m2m_index[0]) == _ref_directed(merged, len(fine))


# ---- structure of the mesh --------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_m2m_is_symmetric_without_duplicates(chapter, kind):
    for index in chapter[kind].m2m_index:
        edges = index.numpy().T
        assert len(np.unique(edges, axis=0)) == len(edges)
        assert _edge_set(index) == {(r, s) for s, r in _edge_set(index)}


def test_multiscale_has_the_simple_nodes_and_strictly_more_edges(chapter):
    simple, multi = chapter["simple"], chapter["multiscale"]
    assert multi.levels == 1 and simple.levels == 1
    assert torch_equal(simple.mesh_pos[0], multi.mesh_pos[0])
    assert _edge_set(simple.m2m_index[0]) < _edge_set(multi.m2m_index[0])  # strict superset
    pos = simple.mesh_pos[0].numpy()
    longest = [
        np.linalg.norm(pos[e[0]] - pos[e[1]], axis=1).max()
        for e in (simple.m2m_index[0].numpy(), multi.m2m_index[0].numpy())
    ]
    assert longest[1] > 2 * longest[0]  # the coarse levels' long edges


def test_hierarchical_one_parent_per_node_and_down_is_up_reversed(chapter):
    g = chapter["hierarchical"]
    assert g.levels == 3 and len(g.up_index) == len(g.down_index) == 2
    for lev in range(g.levels - 1):
        fine = g.mesh_pos[lev].numpy().astype(np.float64)
        coarse = g.mesh_pos[lev + 1].numpy().astype(np.float64)
        s, r = g.up_index[lev].numpy()
        assert np.array_equal(np.bincount(s, minlength=len(fine)), np.ones(len(fine), dtype=int))
        dist = np.linalg.norm(fine[s][:, None] - coarse[None], axis=-1)
        assert np.allclose(dist[np.arange(len(s)), r], dist.min(axis=1))  # nearest parent
        assert np.array_equal(g.down_index[lev].numpy(), g.up_index[lev].numpy()[::-1])
        up, down = g.up_features[lev].numpy(), g.down_features[lev].numpy()
        assert np.allclose(down, up * np.array([1.0, -1.0, -1.0], dtype=np.float32))
    for kind in ("simple", "multiscale"):
        assert chapter[kind].up_index == () and chapter[kind].down_index == ()


@pytest.mark.parametrize("kind", KINDS)
def test_every_mesh_level_is_connected(chapter, kind):
    g = chapter[kind]
    for pos, index in _levels(g):
        s, r = index.numpy()
        adjacency = coo_matrix((np.ones(len(s)), (s, r)), shape=(len(pos), len(pos)))
        assert connected_components(adjacency, directed=False)[0] == 1


@pytest.mark.parametrize("n", [2, 3, 5, 16])
def test_lattice_edge_count_matches_the_closed_form_without_obstacle(n):
    x, y = np.linspace(-3.0, 5.0, 40), np.linspace(0.0, 2.0, 24)
    g = build_graph(x, y, kind="simple", mesh_size=n)
    assert g.n_mesh == (n * n,)
    assert g.m2m_index[0].shape[1] == 2 * (2 * n * (n - 1) + 2 * (n - 1) ** 2)
    assert g.g2m_index.shape[1] == g.n_grid == 40 * 24


def test_hierarchical_level_counts_match_the_closed_form_without_obstacle():
    g = build_graph(AXIS, AXIS, kind="hierarchical", mesh_size=24, levels=3, coarsen_factor=3)
    sizes = [24, 8, 2]
    assert g.n_mesh == tuple(n * n for n in sizes)
    for n, index in zip(sizes, g.m2m_index, strict=True):
        assert index.shape[1] == 2 * (2 * n * (n - 1) + 2 * (n - 1) ** 2)
    assert [int(e.shape[1]) for e in g.up_index] == [24 * 24, 8 * 8]


def test_self_loop_on_nodes_left_with_at_most_one_neighbour():
    # 2 x 2 mesh on a long thin box: the disc cuts both long sides and both diagonals
    g = build_graph(np.array([0.0, 10.0]), np.array([0.0, 1.0]), kind="simple", mesh_size=2,
                    obstacle_center=(5.0, 0.5), obstacle_radius=0.9)  # fmt: skip
    assert _edge_set(g.m2m_index[0]) == {(0, 1), (1, 0), (2, 3), (3, 2), (0, 0), (1, 1), (2, 2), (3, 3)}
    loops = g.m2m_index[0][0] == g.m2m_index[0][1]
    assert (g.m2m_features[0][loops] == 0).all()
    assert graph_summary(g)["self_loops"] == [4]


# ---- features ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_edge_features_are_scaled_sender_minus_receiver(chapter, kind):
    g = chapter[kind]
    grid = g.grid_pos.numpy().astype(np.float64)
    mesh = [p.numpy().astype(np.float64) for p in g.mesh_pos]
    longest = 0.0
    for p, index in zip(mesh, g.m2m_index, strict=True):
        for s, r in index.numpy().T:
            longest = max(longest, math.hypot(*(p[s] - p[r])))
    sets = [(g.g2m_index, g.g2m_features, grid, mesh[0]), (g.m2g_index, g.m2g_features, mesh[0], grid)]
    sets += [(e, f, p, p) for e, f, p in zip(g.m2m_index, g.m2m_features, mesh, strict=True)]
    sets += [
        (e, f, mesh[lev], mesh[lev + 1])
        for lev, (e, f) in enumerate(zip(g.up_index, g.up_features, strict=True))
    ]
    sets += [
        (e, f, mesh[lev + 1], mesh[lev])
        for lev, (e, f) in enumerate(zip(g.down_index, g.down_features, strict=True))
    ]
    for index, feats, send, receive in sets:
        assert index.dtype == torch.int64 and feats.dtype == torch.float32
        assert feats.shape == (index.shape[1], 3)
        s, r = index.numpy()
        d = send[s] - receive[r]
        expected = np.column_stack([np.hypot(d[:, 0], d[:, 1]), d]) / longest
        assert np.allclose(feats.numpy(), expected, atol=1e-6)
    top = max(float(f[:, 0].max()) for f in g.m2m_features)
    assert abs(top - 1.0) < 1e-6


@pytest.mark.parametrize("kind", KINDS)
def test_static_features(chapter, kind):
    g = chapter[kind]
    grid = g.grid_pos.numpy().astype(np.float64)
    gx, gy = np.meshgrid(AXIS, AXIS, indexing="ij")
    assert np.array_equal(grid, np.stack([gx.ravel(), gy.ravel()], axis=1))  # C order, node i*ny+j
    scale = AXIS.max()
    r = np.hypot(grid[:, 0] - CENTER[0], grid[:, 1] - CENTER[1])
    assert np.allclose(g.grid_static.numpy(), np.column_stack([grid, r]) / scale, atol=1e-6)
    for pos, static in zip(g.mesh_pos, g.mesh_static, strict=True):
        assert np.allclose(static.numpy(), pos.numpy() / scale, atol=1e-6)


def test_static_features_do_not_depend_on_the_coordinates_offset(chapter):
    shifted = build_graph(
        AXIS + 100.0,
        AXIS - 50.0,
        kind="multiscale",
        **{**CHAPTER, "obstacle_center": (CENTER[0] + 100.0, CENTER[1] - 50.0)},
    )
    g = chapter["multiscale"]
    assert np.allclose(shifted.grid_static.numpy(), g.grid_static.numpy(), atol=1e-5)
    assert np.allclose(shifted.mesh_static[0].numpy(), g.mesh_static[0].numpy(), atol=1e-5)
    assert shifted.grid_static[:, :2].min() == 0 and abs(float(shifted.grid_static[:, :2].max()) - 1) < 1e-6


def test_build_is_deterministic(chapter):
    again = build_graph(AXIS, AXIS, kind="hierarchical", **CHAPTER)
    first = chapter["hierarchical"]
    for name in ("grid_static", "g2m_index", "g2m_features", "m2g_index", "m2g_features"):
        assert torch_equal(getattr(first, name), getattr(again, name))
    for name in ("mesh_pos", "m2m_index", "m2m_features", "up_index", "down_features"):
        assert all(torch_equal(a, b) for a, b in zip(getattr(first, name), getattr(again, name), strict=True))


# ---- summary and plot -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_summary_counts(chapter, kind):
    g = chapter[kind]
    summary = graph_summary(g)
    assert json.loads(json.dumps(summary)) == summary
    inside = int(_inside(g.grid_pos.numpy().astype(np.float64), CENTER, RADIUS).sum())
    assert summary["g2m_edges"] == summary["g2m_senders"] == 64 * 64 - inside
    assert summary["m2g_edges"] == 3 * 64 * 64
    assert summary["m2g_in_degree_min"] == summary["m2g_in_degree_max"] == 3
    assert summary["mesh_nodes"] == list(g.n_mesh)
    assert summary["m2m_edges"] == [int(e.shape[1]) for e in g.m2m_index]
    assert summary["g2m_in_degree_min"] >= 1  # every finest node collects at least its own cell
    expected_levels = 3 if kind == "hierarchical" else 1
    assert len(summary["mesh_nodes"]) == expected_levels and len(summary["up_edges"]) == expected_levels - 1


def test_plot_graph_draws_every_level():
    g = build_graph(AXIS, AXIS, kind="hierarchical", **CHAPTER)
    ax = plot_graph(g, obstacle=(CENTER, RADIUS), show_grid_edges=True)
    assert len(ax.collections) == 1 + 2 * g.levels  # grid edges, then edges + nodes per level
    assert len(ax.patches) == 1 and ax.get_xlabel() and ax.get_ylabel()
    assert len(ax.get_legend().get_texts()) == 2 + g.levels
    ax = plot_graph(g, level=2)
    assert len(ax.collections) == 2
    assert len(ax.collections[1].get_offsets()) == g.n_mesh[2]
    with pytest.raises(ValueError, match="level"):
        plot_graph(g, level=3)
    with pytest.raises(TypeError, match="graph"):
        plot_graph("not a graph")
    # these used to fail inside the unpacking ("cannot unpack non-iterable float") or pass silently
    with pytest.raises(TypeError, match="obstacle"):
        plot_graph(g, obstacle=(1.0, 2.0, 3.0))
    with pytest.raises(ValueError, match="obstacle_center"):
        plot_graph(g, obstacle=((1.0, 2.0, 3.0), 1.0))
    with pytest.raises(ValueError, match="obstacle radius"):
        plot_graph(g, obstacle=(CENTER, -1.0))
    with pytest.raises(TypeError, match="show_grid_edges"):
        plot_graph(g, show_grid_edges="no")
    matplotlib.pyplot.close("all")


# ---- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"x": AXIS[::-1]}, ValueError, "x must be finite and strictly increasing"),
        ({"y": np.zeros((8, 8))}, ValueError, "y must be 1-D"),
        ({"x": np.array(["a", "b"])}, TypeError, "x must be an array of real numbers"),
        ({"kind": "graphcast"}, ValueError, "kind must be one of"),
        ({"kind": 3}, TypeError, "kind must be a str"),
        ({"mesh_size": 1}, ValueError, "mesh_size must be >= 2"),
        ({"mesh_size": 65}, ValueError, "mesh_size must be >= 2 and <= 64"),
        ({"mesh_size": 16.0}, TypeError, "mesh_size must be an integer"),
        ({"levels": 0}, ValueError, "levels must be >= 1"),
        ({"levels": 5}, ValueError, "levels=5 .* every level needs at least 2"),
        ({"coarsen_factor": 1}, ValueError, "coarsen_factor must be >= 2"),
        ({"obstacle_radius": -0.1}, ValueError, "obstacle_radius must be"),
        ({"obstacle_center": None}, ValueError, "obstacle_center is required"),
        ({"obstacle_center": (1.0, 2.0, 3.0)}, ValueError, "obstacle_center must be a finite"),
        ({"obstacle_center": ("a", "b")}, TypeError, "obstacle_center must be a pair"),
        ({"obstacle_radius": 20.0}, ValueError, "obstacle_radius=20.0 removes every mesh node"),
        ({"m2g_neighbours": 0}, ValueError, "m2g_neighbours must be >= 1"),
        ({"m2g_neighbours": 254}, ValueError, "m2g_neighbours must be <= the 253"),
        ({"crossing_fraction": 1.0}, ValueError, "crossing_fraction must be"),
        ({"crossing_fraction": -0.1}, ValueError, "crossing_fraction must be"),
        ({"crossing_samples": 1}, ValueError, "crossing_samples must be >= 2"),
    ],
)
def test_bad_input_names_the_argument(kwargs, error, match):
    args = {"x": AXIS, "y": AXIS, "kind": "multiscale", **CHAPTER, **kwargs}
    x, y = args.pop("x"), args.pop("y")
    with pytest.raises(error, match=match):
        build_graph(x, y, **args)


def test_simple_ignores_the_coarser_levels():
    g = build_graph(AXIS, AXIS, kind="simple", **{**CHAPTER, "levels": 10})
    assert g.levels == 1
