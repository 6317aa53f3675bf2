"""Graphs of the space-weather emulator: grid-to-mesh, mesh (simple, multiscale, hierarchical),
mesh-to-grid, with the obstacle (the planet and its inner boundary) removed.

The construction follows the chapter's section on graphs (Holmberg et al.'s
``create_graph.py``, rewritten vectorised with :class:`scipy.spatial.cKDTree`, no networkx):

1. **A lattice level** with ``n`` nodes per side sits on grid cells: the grid indices
   ``np.linspace(0, N - 1, n).round()`` along each axis give an ``n x n`` lattice of mesh nodes at
   grid coordinates. Nodes strictly inside the obstacle disc (``|p - c| < radius``) are removed.
   Every pair of surviving lattice neighbours (axis and diagonal: the 8-neighbourhood) is joined,
   unless the segment crosses the obstacle: ``crossing_samples`` equispaced points on it,
   endpoints included, are tested and the pair is dropped when more than ``crossing_fraction``
   of them lie inside the disc. Pairs become two directed edges; a node left with at most one
   neighbour gets a self-loop.
2. **Levels.** Level ``l`` has ``mesh_size // coarsen_factor**l`` nodes per side, finest first.
   ``"simple"`` keeps level 0 only. ``"multiscale"`` (GraphCast style) moves every node of the
   coarser levels onto its nearest level-0 node, adds the coarser levels' edges to level 0's
   between those nodes (self-loops created by the move dropped, duplicates merged, the crossing
   test repeated on the moved segments): one node set, short and long edges. ``"hierarchical"``
   keeps the levels separate; each level-``l`` node has one "up" edge to its nearest level
   ``l + 1`` node and the "down" edges are their reverses.
3. **Grid to mesh** (the encoder): every grid node outside the disc sends to its nearest
   level-0 mesh node (the lowest-numbered one on exact ties, here and for the up edges and the
   multiscale move). **Mesh to grid** (the decoder): every grid node, obstacle cells included
   (the emulator overwrites them), receives from its ``m2g_neighbours`` nearest level-0 nodes.

Conventions (shared with :mod:`trustlab.sciml.emulator` and :mod:`trustlab.sciml.forecasting`):

- grid nodes are the cells of the simulation grid flattened in C order, node ``i * ny + j`` at
  ``(x[i], y[j])``, so a field ``f[..., nx, ny]`` becomes ``f.reshape(..., nx * ny)``;
- every edge index is a ``(2, E)`` int64 tensor, row 0 the sender, row 1 the receiver, indices
  local to the sender's and receiver's node sets;
- edge features are ``[length, dx, dy]`` of ``sender - receiver``, divided by the longest
  mesh-to-mesh edge; static node features are positions measured from the grid's lower-left
  corner in units of its larger side, so they span [0, 1] whatever the coordinates' offset (grid
  nodes also get their distance to the obstacle centre, same scale).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from trustlab._checks import check_int, check_real
from trustlab.sciml._validation import flag

if TYPE_CHECKING:
    from matplotlib.axes import Axes

KINDS: tuple[str, ...] = ("simple", "multiscale", "hierarchical")
"""The mesh kinds :func:`build_graph` builds."""

# half of the 8-neighbourhood: the other half are the reverses
_OFFSETS: tuple[tuple[int, int], ...] = ((1, 0), (0, 1), (1, 1), (1, -1))


@dataclass(frozen=True, eq=False)
class MeshGraph:
    """All the graphs one emulator needs, as torch tensors.

    Attributes
    ----------
    kind : str
        ``"simple"``, ``"multiscale"`` or ``"hierarchical"``.
    grid_pos : torch.Tensor
        ``(n_grid, 2)`` float32 physical coordinates of the grid nodes.
    grid_static : torch.Tensor
        ``(n_grid, 3)`` float32 static grid features ``[x - x_min, y - y_min, r]`` divided
        by the grid's larger side (``r``: distance to the obstacle centre).
    mesh_pos : tuple of torch.Tensor
        Per mesh level, finest first, ``(n_l, 2)`` float32 coordinates; one entry for the flat
        kinds.
    mesh_static : tuple of torch.Tensor
        Per level ``(n_l, 2)`` float32 positions, shifted and scaled as ``grid_static``.
    m2m_index, m2m_features : tuple of torch.Tensor
        Per level, the bidirectional intra-level edges ``(2, E_l)`` and their ``(E_l, 3)``
        features.
    g2m_index, g2m_features : torch.Tensor
        Grid (sender) to finest-level mesh (receiver) edges and features.
    m2g_index, m2g_features : torch.Tensor
        Finest-level mesh (sender) to grid (receiver) edges and features.
    up_index, up_features : tuple of torch.Tensor
        Hierarchical only (empty otherwise): ``up_index[l]`` sends from level ``l`` to level
        ``l + 1``.
    down_index, down_features : tuple of torch.Tensor
        Hierarchical only: ``down_index[l]`` sends from level ``l + 1`` to level ``l``.
    """

    kind: str
    grid_pos: torch.Tensor
    grid_static: torch.Tensor
    mesh_pos: tuple[torch.Tensor, ...]
    mesh_static: tuple[torch.Tensor, ...]
    m2m_index: tuple[torch.Tensor, ...]
    m2m_features: tuple[torch.Tensor, ...]
    g2m_index: torch.Tensor
    g2m_features: torch.Tensor
    m2g_index: torch.Tensor
    m2g_features: torch.Tensor
    up_index: tuple[torch.Tensor, ...] = ()
    up_features: tuple[torch.Tensor, ...] = ()
    down_index: tuple[torch.Tensor, ...] = ()
    down_features: tuple[torch.Tensor, ...] = ()

    @property
    def n_grid(self) -> int:
        """Number of grid nodes."""
        return int(self.grid_pos.shape[0])

    @property
    def n_mesh(self) -> tuple[int, ...]:
        """Number of mesh nodes per level, finest first."""
        return tuple(int(p.shape[0]) for p in self.mesh_pos)

    @property
    def levels(self) -> int:
        """Number of separate mesh levels (1 for the flat kinds)."""
        return len(self.mesh_pos)


def build_graph(
    x: ArrayLike,
    y: ArrayLike,
    *,
    kind: str = "multiscale",
    obstacle_center: tuple[float, float] | None = None,
    obstacle_radius: float = 0.0,
    mesh_size: int = 16,
    levels: int = 3,
    coarsen_factor: int = 2,
    m2g_neighbours: int = 3,
    crossing_samples: int = 10,
    crossing_fraction: float = 0.1,
) -> MeshGraph:
    """Build the grid-to-mesh, mesh and mesh-to-grid graphs of the emulator.

    See the module docstring (and the chapter's section on graphs) for the construction.

    Parameters
    ----------
    x, y : array_like
        Strictly increasing 1-D grid coordinates (at least 2 each); the grid is ``x x y``.
    kind : {"multiscale", "simple", "hierarchical"}
        The mesh.
    obstacle_center : tuple of float, optional
        Centre of the obstacle disc; required when ``obstacle_radius > 0``. Also the origin of
        the grid's static distance feature (the coordinate origin when omitted).
    obstacle_radius : float
        Radius of the disc (0: no obstacle).
    mesh_size : int
        Nodes per side of the finest lattice, ``2 <= mesh_size <= min(len(x), len(y))``.
    levels : int
        Number of lattice levels (ignored for ``"simple"``, which has one).
    coarsen_factor : int
        Ratio of nodes per side between consecutive levels (``>= 2``); every level must keep
        at least 2 nodes per side.
    m2g_neighbours : int
        Mesh nodes each grid node receives from (``1 <= m2g_neighbours <=`` finest mesh nodes).
    crossing_samples : int
        Points tested on each mesh edge against the obstacle (``>= 2``, endpoints included).
    crossing_fraction : float
        An edge is dropped when more than this fraction of its points lie inside the disc,
        ``0 <= crossing_fraction < 1``.

    Returns
    -------
    MeshGraph
        Float32 positions and features, int64 indices. Mesh-to-mesh edges are sorted by
        receiver then sender; g2m edges follow the grid order; m2g edges come in groups of
        ``m2g_neighbours`` per grid node, nearest first.

    Raises
    ------
    TypeError, ValueError
        On bad input (the message names the argument), or when the obstacle leaves a level
        without mesh nodes or the mesh without edges.

    Examples
    --------
    >>> import numpy as np
    >>> g = build_graph(np.arange(8.0), np.arange(8.0), kind="simple", mesh_size=4)
    >>> g.n_mesh, int(g.m2m_index[0].shape[1])  # 4 x 4 lattice: 2 * (24 + 18) directed edges
    ((16,), 84)
    """
    xs = _check_axis(x, "x")
    ys = _check_axis(y, "y")
    if not isinstance(kind, str):
        raise TypeError(f"kind must be a str, got {type(kind).__name__} {kind!r}")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    radius = check_real(obstacle_radius, "obstacle_radius", low=0.0, low_open=False)
    center = _check_center(obstacle_center, radius)
    mesh_size = check_int(mesh_size, "mesh_size", low=2, high=min(xs.size, ys.size))
    levels = check_int(levels, "levels", low=1)
    coarsen_factor = check_int(coarsen_factor, "coarsen_factor", low=2)
    m2g_neighbours = check_int(m2g_neighbours, "m2g_neighbours", low=1)
    samples = check_int(crossing_samples, "crossing_samples", low=2)
    fraction = check_real(crossing_fraction, "crossing_fraction", low=0.0, low_open=False, high=1.0)
    sizes = [mesh_size // coarsen_factor**lev for lev in range(1 if kind == "simple" else levels)]
    if sizes[-1] < 2:
        raise ValueError(
            f"levels={levels} with mesh_size={mesh_size} and coarsen_factor={coarsen_factor} gives "
            f"a level with {sizes[-1]} nodes per side; every level needs at least 2"
        )

    obstacle = (center, radius)
    lattices = [_lattice(xs, ys, n, obstacle, samples, fraction) for n in sizes]
    for lev, (pos, _) in enumerate(lattices):
        if len(pos) == 0:
            raise ValueError(
                f"obstacle_radius={radius} removes every mesh node of level {lev} "
                f"({sizes[lev]} x {sizes[lev]} nodes)"
            )
    if kind == "multiscale":
        lattices = [_merge_levels(lattices, obstacle, samples, fraction)]
    elif kind == "simple":
        lattices = lattices[:1]
    mesh_pos = [pos for pos, _ in lattices]
    m2m = [_directed(pairs, len(pos)) for pos, pairs in lattices]
    if len(mesh_pos[0]) < m2g_neighbours:
        raise ValueError(
            f"m2g_neighbours must be <= the {len(mesh_pos[0])} finest-level mesh nodes, got {m2g_neighbours}"
        )
    lengths = [np.hypot(*(pos[e[0]] - pos[e[1]]).T) for pos, e in zip(mesh_pos, m2m, strict=True)]
    longest = max(float(ell.max(initial=0.0)) for ell in lengths)
    if longest == 0.0:
        raise ValueError(f"obstacle_radius={radius} leaves the mesh without edges between distinct nodes")

    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    grid_pos = np.stack([gx.ravel(), gy.ravel()], axis=1)
    tree = cKDTree(mesh_pos[0])
    outside = np.flatnonzero(~_inside(grid_pos, obstacle))
    g2m = np.stack([outside, _nearest(tree, grid_pos[outside])])
    near = tree.query(grid_pos, k=list(range(1, m2g_neighbours + 1)))[1]
    m2g = np.stack([near.ravel(), np.repeat(np.arange(len(grid_pos)), m2g_neighbours)])
    steps = list(zip(mesh_pos[:-1], mesh_pos[1:], strict=True))  # (finer, coarser) level pairs
    up = [np.stack([np.arange(len(fine)), _nearest(cKDTree(coarse), fine)]) for fine, coarse in steps]

    def features(edges: NDArray[np.int64], send: NDArray, receive: NDArray) -> torch.Tensor:
        d = send[edges[0]] - receive[edges[1]]
        f = np.column_stack([np.hypot(d[:, 0], d[:, 1]), d]) / longest
        return torch.from_numpy(f.astype(np.float32))

    def index(edges: NDArray[np.int64]) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(edges, dtype=np.int64))

    def f32(a: NDArray) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))

    # positions from the grid's lower-left corner in units of its larger side: [0, 1] whatever
    # the coordinates' offset (for a grid starting at 0 this is position / max coordinate)
    corner = np.array([xs.min(), ys.min()])
    coord_scale = max(xs.max() - xs.min(), ys.max() - ys.min())
    origin = np.zeros(2) if center is None else center
    r = np.hypot(*(grid_pos - origin).T)
    return MeshGraph(
        kind=kind,
        grid_pos=f32(grid_pos),
        grid_static=f32(np.column_stack([grid_pos - corner, r]) / coord_scale),
        mesh_pos=tuple(f32(p) for p in mesh_pos),
        mesh_static=tuple(f32((p - corner) / coord_scale) for p in mesh_pos),
        m2m_index=tuple(index(e) for e in m2m),
        m2m_features=tuple(features(e, p, p) for e, p in zip(m2m, mesh_pos, strict=True)),
        g2m_index=index(g2m),
        g2m_features=features(g2m, grid_pos, mesh_pos[0]),
        m2g_index=index(m2g),
        m2g_features=features(m2g, mesh_pos[0], grid_pos),
        up_index=tuple(index(e) for e in up),
        up_features=tuple(features(e, f, c) for e, (f, c) in zip(up, steps, strict=True)),
        down_index=tuple(index(e[::-1]) for e in up),
        down_features=tuple(features(e[::-1], c, f) for e, (f, c) in zip(up, steps, strict=True)),
    )


def graph_summary(graph: MeshGraph) -> dict[str, object]:
    """Node and edge counts and degrees of a graph, for tables and checks.

    Parameters
    ----------
    graph : MeshGraph
        From :func:`build_graph`.

    Returns
    -------
    dict
        JSON-serialisable: ``kind``; ``n_grid``; per mesh level (lists, finest first)
        ``mesh_nodes``, ``m2m_edges`` (directed, self-loops included), ``self_loops``,
        ``m2m_in_degree_min`` / ``_max``; ``g2m_edges``, ``g2m_senders`` (grid nodes that send),
        ``g2m_in_degree_min`` / ``_max`` (over the finest mesh nodes); ``m2g_edges``,
        ``m2g_in_degree_min`` / ``_max`` (over the grid nodes); per level pair ``up_edges`` and
        ``down_edges``; ``total_edges``.
    """
    if not isinstance(graph, MeshGraph):
        raise TypeError(f"graph must be a MeshGraph, got {type(graph).__name__}")
    n_mesh = graph.n_mesh

    def in_degree(edges: torch.Tensor, n: int) -> NDArray[np.int64]:
        return np.bincount(edges[1].numpy(), minlength=n)

    m2m_deg = [in_degree(e, n) for e, n in zip(graph.m2m_index, n_mesh, strict=True)]
    g2m_deg = in_degree(graph.g2m_index, n_mesh[0])
    m2g_deg = in_degree(graph.m2g_index, graph.n_grid)
    counts = [
        int(e.shape[1])
        for e in (*graph.m2m_index, graph.g2m_index, graph.m2g_index, *graph.up_index, *graph.down_index)
    ]
    return {
        "kind": graph.kind,
        "n_grid": graph.n_grid,
        "mesh_nodes": list(n_mesh),
        "m2m_edges": [int(e.shape[1]) for e in graph.m2m_index],
        "self_loops": [int((e[0] == e[1]).sum()) for e in graph.m2m_index],
        "m2m_in_degree_min": [int(d.min()) for d in m2m_deg],
        "m2m_in_degree_max": [int(d.max()) for d in m2m_deg],
        "g2m_edges": int(graph.g2m_index.shape[1]),
        "g2m_senders": int(np.unique(graph.g2m_index[0].numpy()).size),
        "g2m_in_degree_min": int(g2m_deg.min()),
        "g2m_in_degree_max": int(g2m_deg.max()),
        "m2g_edges": int(graph.m2g_index.shape[1]),
        "m2g_in_degree_min": int(m2g_deg.min()),
        "m2g_in_degree_max": int(m2g_deg.max()),
        "up_edges": [int(e.shape[1]) for e in graph.up_index],
        "down_edges": [int(e.shape[1]) for e in graph.down_index],
        "total_edges": sum(counts),
    }


def plot_graph(
    graph: MeshGraph,
    ax: Axes | None = None,
    level: int | None = None,
    show_grid_edges: bool = False,
    obstacle: tuple[tuple[float, float], float] | None = None,
) -> Axes:
    """Draw the mesh over the simulation domain.

    Parameters
    ----------
    graph : MeshGraph
        From :func:`build_graph`.
    ax : matplotlib.axes.Axes, optional
        Where to draw (a new figure when omitted).
    level : int, optional
        Draw only this mesh level (all levels, in different colours, when omitted).
    show_grid_edges : bool
        Also draw the grid-to-mesh (encoder) edges, thin and grey.
    obstacle : ((float, float), float), optional
        ``(centre, radius)`` of the obstacle disc to shade.

    Returns
    -------
    matplotlib.axes.Axes
        The axes, with labelled axes, equal aspect and a legend.
    """
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection
    from matplotlib.patches import Circle

    from trustlab.book import OKABE_ITO

    if not isinstance(graph, MeshGraph):
        raise TypeError(f"graph must be a MeshGraph, got {type(graph).__name__}")
    shown = range(graph.levels) if level is None else [check_int(level, "level", high=graph.levels - 1)]
    show_grid_edges = flag(show_grid_edges, "show_grid_edges")
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 5.0))
    grid = graph.grid_pos.numpy()
    if show_grid_edges:
        e = graph.g2m_index.numpy()
        segments = np.stack([grid[e[0]], graph.mesh_pos[0].numpy()[e[1]]], axis=1)
        ax.add_collection(LineCollection(segments, colors="0.6", linewidths=0.4, label="grid to mesh"))
    for lev in shown:
        pos = graph.mesh_pos[lev].numpy()
        e = graph.m2m_index[lev].numpy()
        colour = OKABE_ITO[lev % len(OKABE_ITO)]
        ax.add_collection(
            LineCollection(np.stack([pos[e[0]], pos[e[1]]], axis=1), colors=colour, linewidths=0.6)
        )
        name = "mesh" if graph.levels == 1 else f"level {lev}"
        ax.scatter(
            pos[:, 0], pos[:, 1], s=10 + 8 * lev, color=colour, zorder=3, label=f"{name} ({len(pos)} nodes)"
        )
    if obstacle is not None:
        if not isinstance(obstacle, (tuple, list)) or len(obstacle) != 2:
            raise TypeError(f"obstacle must be a ((x, y), radius) pair, got {obstacle!r}")
        radius = check_real(obstacle[1], "obstacle radius", low=0.0)
        cx, cy = _check_center(obstacle[0], radius)
        ax.add_patch(Circle((cx, cy), radius, color=OKABE_ITO[5], alpha=0.5, zorder=4, label="obstacle"))
    low, high = grid.min(axis=0), grid.max(axis=0)
    pad = 0.02 * (high - low)  # so the nodes on the domain's edge stay visible
    ax.set_xlim(low[0] - pad[0], high[0] + pad[0])
    ax.set_ylim(low[1] - pad[1], high[1] + pad[1])
    ax.set_aspect("equal")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize="small", frameon=False)
    return ax


def _check_axis(values: ArrayLike, name: str) -> NDArray[np.float64]:
    """Return a grid coordinate axis as float64, or raise naming ``name``."""
    arr = np.asarray(values)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be an array of real numbers, got dtype {arr.dtype}")
    if arr.ndim != 1 or arr.size < 2:
        raise ValueError(f"{name} must be 1-D with at least 2 coordinates, got shape {arr.shape}")
    arr = arr.astype(np.float64)
    if not np.isfinite(arr).all() or not (np.diff(arr) > 0).all():
        raise ValueError(f"{name} must be finite and strictly increasing")
    return arr


def _check_center(center: object, radius: float) -> NDArray[np.float64] | None:
    """Return the obstacle centre as a float64 pair (``None`` allowed only without obstacle)."""
    if center is None:
        if radius > 0:
            raise ValueError(f"obstacle_center is required when obstacle_radius > 0 (got {radius})")
        return None
    try:
        out = np.asarray(center, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"obstacle_center must be a pair of real numbers, got {center!r}") from None
    if out.shape != (2,) or not np.isfinite(out).all():
        raise ValueError(f"obstacle_center must be a finite (x, y) pair, got {center!r}")
    return out


def _inside(points: NDArray[np.float64], obstacle: tuple[NDArray | None, float]) -> NDArray[np.bool_]:
    """Which of ``points (..., 2)`` lie strictly inside the obstacle disc."""
    center, radius = obstacle
    if center is None or radius == 0.0:
        return np.zeros(points.shape[:-1], dtype=bool)
    return ((points - center) ** 2).sum(axis=-1) < radius**2


def _crossing_ok(
    pos: NDArray[np.float64], pairs: NDArray[np.int64], obstacle: tuple, samples: int, fraction: float
) -> NDArray[np.bool_]:
    """Which segments ``pos[pairs]`` have at most ``fraction`` of ``samples`` points in the disc."""
    t = np.linspace(0.0, 1.0, samples)[None, :, None]
    points = pos[pairs[:, :1]] * (1.0 - t) + pos[pairs[:, 1:]] * t  # (P, samples, 2)
    return _inside(points, obstacle).mean(axis=1) <= fraction


def _lattice(
    x: NDArray[np.float64], y: NDArray[np.float64], n: int, obstacle: tuple, samples: int, fraction: float
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """One lattice level: node positions ``(k, 2)`` and undirected neighbour pairs ``(P, 2)``."""
    ix = np.linspace(0, x.size - 1, n).round().astype(np.int64)
    iy = np.linspace(0, y.size - 1, n).round().astype(np.int64)
    px, py = np.meshgrid(x[ix], y[iy], indexing="ij")
    pos = np.stack([px.ravel(), py.ravel()], axis=1)
    keep = ~_inside(pos, obstacle)
    local = np.full(n * n, -1, dtype=np.int64)
    local[keep] = np.arange(int(keep.sum()))
    local = local.reshape(n, n)
    a, b = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    pairs = []
    for da, db in _OFFSETS:
        valid = (a + da < n) & (b + db >= 0) & (b + db < n)
        pair = np.stack([local[a[valid], b[valid]], local[a[valid] + da, b[valid] + db]], axis=1)
        pairs.append(pair[(pair >= 0).all(axis=1)])
    pairs = np.sort(np.concatenate(pairs), axis=1)
    pos = pos[keep]
    return pos, pairs[_crossing_ok(pos, pairs, obstacle, samples, fraction)]


def _nearest(tree: cKDTree, points: NDArray[np.float64]) -> NDArray[np.int64]:
    """Index of the nearest tree node of each point; equidistant nodes go to the lowest index.

    Lattice geometry makes exact ties common (a cell halfway between two mesh nodes), and the
    KD-tree's own choice among them is an implementation detail; the lowest index is not.
    """
    d, i = tree.query(points, k=list(range(1, min(tree.n, 16) + 1)))
    tied = d <= d[:, :1] * (1 + 1e-9) + 1e-12
    return np.where(tied, i, tree.n).min(axis=1)


def _merge_levels(
    lattices: list[tuple[NDArray[np.float64], NDArray[np.int64]]],
    obstacle: tuple,
    samples: int,
    fraction: float,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """The multiscale mesh: coarser levels' pairs moved onto their nearest finest-level nodes."""
    pos, pairs = lattices[0]
    tree = cKDTree(pos)
    merged = [pairs]
    for coarse_pos, coarse_pairs in lattices[1:]:
        moved = np.sort(_nearest(tree, coarse_pos)[coarse_pairs], axis=1)
        merged.append(moved[moved[:, 0] != moved[:, 1]])
    pairs = np.unique(np.concatenate(merged), axis=0)
    return pos, pairs[_crossing_ok(pos, pairs, obstacle, samples, fraction)]


def _directed(pairs: NDArray[np.int64], n: int) -> NDArray[np.int64]:
    """Both directions of each pair plus a self-loop on nodes of degree <= 1, sorted by receiver."""
    degree = np.bincount(pairs.ravel(), minlength=n)
    loops = np.flatnonzero(degree <= 1)
    edges = np.concatenate([pairs, pairs[:, ::-1], np.stack([loops, loops], axis=1)]).T
    return edges[:, np.lexsort((edges[0], edges[1]))]
