"""Graph-FM: the deterministic graph emulator of Holmberg et al. (encode, process, decode).

One step maps the two latest standardised states to the next (the chapter's section on the
emulator):

1. **Encode.** Grid nodes embed ``[x_t, x_{t-1}, f, s_grid]`` (``f`` the global forcing at the
   target time, broadcast to every node; ``s_grid`` the static grid features), mesh nodes embed
   their static features, every edge set embeds its ``[length, dx, dy]``. A
   :class:`~trustlab.sciml.PropagationNet` sends the grid to the finest mesh
   (g2m); the grid keeps a residual MLP path ``g <- g + MLP(g)``.
2. **Process.** ``processor_layers`` interaction networks on the mesh. Flat meshes
   (``"simple"``, ``"multiscale"``): one :class:`~trustlab.sciml.InteractionNet`
   per layer on the m2m edges. Hierarchical meshes (Oskarsson et al.'s Hi-LAM, with Graph-FM's
   propagation nets on the vertical edges): an initial up pass (a propagation net from every
   level to the next, so the coarse levels start from the grid's information), then per layer
   a down sweep (same-level net on the top level, then for each lower level a down interaction
   net from the level above followed by a same-level net) and an up sweep (same-level net on
   level 0, then for each higher level an up propagation net followed by a same-level net),
   and a final read-out pass down the levels (propagation nets) back to level 0; separate
   weights for every pass, layer, level and direction. The edge representations of the
   processor nets (and of the initial up pass) are updated, ``e <- e + m``, and carried to the
   next net on the same edges; g2m, m2g and the read-out do not update edges.
3. **Decode.** A propagation net sends the finest mesh back to the grid (m2g); an output MLP
   without LayerNorm gives ``delta`` and ``x_{t+1} = x_t + delta * diff_std + diff_mean`` with the
   one-step-difference statistics of the standardised states. (The paper's optional projection
   to a separate, narrower decoding width is left out: here it equals ``hidden``.)

:meth:`GraphFM.rollout` repeats the step and overwrites the boundary nodes (the obstacle and the
upstream inflow) with given values after every step: the boundary forcing of the workshop paper.
"""

from __future__ import annotations

import torch
from torch import nn

from trustlab._checks import positive_int
from trustlab.sciml._validation import tensor
from trustlab.sciml.graphs import MeshGraph
from trustlab.sciml.message_passing import InteractionNet, PropagationNet, make_mlp


def _stat(value: object, name: str, n_vars: int, default: float) -> torch.Tensor:
    if value is None:
        return torch.full((n_vars,), default)
    try:
        out = torch.as_tensor(value, dtype=torch.float32)
    except (TypeError, ValueError, RuntimeError):
        raise TypeError(f"{name} must be an array of {n_vars} real numbers, got {value!r:.60}") from None
    if out.shape != (n_vars,):
        raise ValueError(f"{name} must have shape ({n_vars},), got {tuple(out.shape)}")
    if not torch.isfinite(out).all():
        raise ValueError(f"{name} must be finite")
    if name == "diff_std" and not bool((out > 0).all()):
        raise ValueError("diff_std must be positive")
    return out.clone()


class GraphFM(nn.Module):
    """Graph-FM emulator on a :class:`~trustlab.sciml.MeshGraph`.

    Parameters
    ----------
    graph : MeshGraph
        Grid, mesh and edge sets (from :func:`~trustlab.sciml.build_graph`); a
        ``"hierarchical"`` graph gets the down/up processor, the others the flat one.
    n_vars : int
        Variables per grid node.
    n_forcing : int, default=0
        Global forcing values per step (e.g. the upstream speed, density and field).
    hidden : int, default=32
        Width of every representation and MLP.
    processor_layers : int, default=4
        Processor layers (each a full down and up sweep for a hierarchical graph).
    diff_mean, diff_std : array_like of shape (n_vars,), optional
        Mean and standard deviation of the one-step differences ``x_{t+1} - x_t`` of the
        standardised states (default 0 and 1); kept as buffers.
    split_first : bool, default=True
        Passed to every message-passing layer.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from trustlab.sciml.graphs import build_graph
    >>> g = build_graph(np.arange(8.0), np.arange(8.0), kind="simple", mesh_size=4)
    >>> model = GraphFM(g, n_vars=2, hidden=8, processor_layers=1)
    >>> x = torch.zeros(3, 64, 2)
    >>> model(x, x).shape
    torch.Size([3, 64, 2])
    """

    def __init__(
        self,
        graph: MeshGraph,
        n_vars: int,
        *,
        n_forcing: int = 0,
        hidden: int = 32,
        processor_layers: int = 4,
        diff_mean: object = None,
        diff_std: object = None,
        split_first: bool = True,
    ) -> None:
        super().__init__()
        if not isinstance(graph, MeshGraph):
            raise TypeError(f"graph must be a MeshGraph, got {type(graph).__name__}")
        self.kind = graph.kind
        self.n_vars = positive_int(n_vars, "n_vars")
        self.n_forcing = positive_int(n_forcing, "n_forcing", minimum=0)
        self.hidden = d = positive_int(hidden, "hidden")
        self.processor_layers = positive_int(processor_layers, "processor_layers")
        self.n_grid = graph.n_grid
        self.n_mesh = graph.n_mesh
        self.hierarchical = graph.kind == "hierarchical"
        self.register_buffer("diff_mean", _stat(diff_mean, "diff_mean", self.n_vars, 0.0))
        self.register_buffer("diff_std", _stat(diff_std, "diff_std", self.n_vars, 1.0))
        self.register_buffer("grid_static", graph.grid_static.float().clone())
        for level, static in enumerate(graph.mesh_static):
            self.register_buffer(f"mesh_static_{level}", static.float().clone())
        # static edge features, one buffer per edge set, embedded by one MLP each
        self._edge_sets: list[str] = []
        self.edge_embed = nn.ModuleDict()

        def edges(name: str, features: torch.Tensor) -> None:
            self.register_buffer(f"feat_{name}", features.float().clone())
            self.edge_embed[name] = make_mlp(features.shape[1], d, d)
            self._edge_sets.append(name)

        kw = {"split_first": split_first}
        n0 = self.n_mesh[0]
        grid_in = 2 * self.n_vars + self.n_forcing + graph.grid_static.shape[1]
        self.grid_embed = make_mlp(grid_in, d, d)
        self.mesh_embed = nn.ModuleList(make_mlp(static.shape[1], d, d) for static in graph.mesh_static)
        edges("g2m", graph.g2m_features)
        edges("m2g", graph.m2g_features)
        self.g2m = PropagationNet(graph.g2m_index, self.n_grid, n0, d, **kw)
        self.grid_mlp = make_mlp(d, d, d)
        self.m2g = PropagationNet(graph.m2g_index, n0, self.n_grid, d, **kw)
        self.output = make_mlp(d, d, self.n_vars, layer_norm=False)
        n_levels = graph.levels
        for level in range(n_levels if self.hierarchical else 1):
            edges(f"m2m_{level}", graph.m2m_features[level])
        if not self.hierarchical:
            self.processor = nn.ModuleList(
                InteractionNet(graph.m2m_index[0], n0, n0, d, **kw) for _ in range(self.processor_layers)
            )
            return
        for level in range(n_levels - 1):
            edges(f"up_{level}", graph.up_features[level])
            edges(f"down_{level}", graph.down_features[level])
        n = self.n_mesh

        def same(level: int) -> InteractionNet:
            return InteractionNet(graph.m2m_index[level], n[level], n[level], d, **kw)

        up = {"update_edges": True, **kw}
        self.init_up = nn.ModuleList(
            PropagationNet(graph.up_index[lv], n[lv], n[lv + 1], d, **up) for lv in range(n_levels - 1)
        )
        self.read_down = nn.ModuleList(
            PropagationNet(graph.down_index[lv], n[lv + 1], n[lv], d, **kw) for lv in range(n_levels - 1)
        )
        self.down_same = nn.ModuleList()  # per layer: levels top..0
        self.down_vertical = nn.ModuleList()  # per layer: down_{L-2}..down_0
        self.up_same = nn.ModuleList()  # per layer: levels 0..top
        self.up_vertical = nn.ModuleList()  # per layer: up_0..up_{L-2}
        for _ in range(self.processor_layers):
            self.down_same.append(nn.ModuleList(same(lv) for lv in reversed(range(n_levels))))
            self.down_vertical.append(
                nn.ModuleList(
                    InteractionNet(graph.down_index[lv], n[lv + 1], n[lv], d, **kw)
                    for lv in reversed(range(n_levels - 1))
                )
            )
            self.up_same.append(nn.ModuleList(same(lv) for lv in range(n_levels)))
            self.up_vertical.append(
                nn.ModuleList(
                    PropagationNet(graph.up_index[lv], n[lv], n[lv + 1], d, **up)
                    for lv in range(n_levels - 1)
                )
            )

    def _check_states(self, x_prev: object, x_t: object) -> int:
        dtype = self.diff_mean.dtype
        tensor(x_prev, "x_prev", 3, last=self.n_vars, dtype=dtype)
        tensor(x_t, "x_t", 3, last=self.n_vars, dtype=dtype)
        if x_t.shape[1] != self.n_grid:
            raise ValueError(
                f"x_t must have shape (batch, n_grid={self.n_grid}, {self.n_vars}), got {tuple(x_t.shape)}"
            )
        if x_prev.shape != x_t.shape:
            raise ValueError(
                f"x_prev must have the shape of x_t {tuple(x_t.shape)}, got {tuple(x_prev.shape)}"
            )
        return int(x_t.shape[0])

    def _check_forcing(self, forcing: object, shape: tuple[int, ...]) -> torch.Tensor | None:
        if self.n_forcing == 0:
            if forcing is not None:
                raise ValueError("forcing must be None for a model built with n_forcing=0")
            return None
        if forcing is None:
            raise ValueError(f"forcing of shape {shape} is required (n_forcing={self.n_forcing})")
        tensor(forcing, "forcing", len(shape), dtype=self.diff_mean.dtype)
        if tuple(forcing.shape) != shape:
            raise ValueError(f"forcing must have shape {shape}, got {tuple(forcing.shape)}")
        return forcing

    def _embed_static(self) -> tuple[list[torch.Tensor], dict[str, torch.Tensor]]:
        """Embedded mesh nodes (per level, unbatched) and edge sets; shared by a rollout's steps."""
        mesh = [embed(getattr(self, f"mesh_static_{level}")) for level, embed in enumerate(self.mesh_embed)]
        edge = {name: self.edge_embed[name](getattr(self, f"feat_{name}")) for name in self._edge_sets}
        return mesh, edge

    def _process(self, mesh: list[torch.Tensor], edge: dict[str, torch.Tensor]) -> torch.Tensor:
        if not self.hierarchical:
            h, e = mesh[0], edge["m2m_0"]
            for net in self.processor:
                h, e = net(h, h, e)
            return h
        h, e, top = mesh, edge, len(mesh) - 1
        for lv in range(top):
            h[lv + 1], e[f"up_{lv}"] = self.init_up[lv](h[lv], h[lv + 1], e[f"up_{lv}"])
        for layer in range(self.processor_layers):
            down_same, down_vert = self.down_same[layer], self.down_vertical[layer]
            up_same, up_vert = self.up_same[layer], self.up_vertical[layer]
            h[top], e[f"m2m_{top}"] = down_same[0](h[top], h[top], e[f"m2m_{top}"])
            for k, lv in enumerate(reversed(range(top))):
                h[lv], e[f"down_{lv}"] = down_vert[k](h[lv + 1], h[lv], e[f"down_{lv}"])
                h[lv], e[f"m2m_{lv}"] = down_same[k + 1](h[lv], h[lv], e[f"m2m_{lv}"])
            h[0], e["m2m_0"] = up_same[0](h[0], h[0], e["m2m_0"])
            for lv in range(1, top + 1):
                h[lv], e[f"up_{lv - 1}"] = up_vert[lv - 1](h[lv - 1], h[lv], e[f"up_{lv - 1}"])
                h[lv], e[f"m2m_{lv}"] = up_same[lv](h[lv], h[lv], e[f"m2m_{lv}"])
        for lv in reversed(range(top)):
            h[lv], _ = self.read_down[lv](h[lv + 1], h[lv], e[f"down_{lv}"])
        return h[0]

    def forward(
        self, x_prev: torch.Tensor, x_t: torch.Tensor, forcing: torch.Tensor | None = None
    ) -> torch.Tensor:
        """One emulator step, ``x_{t+1} = x_t + delta * diff_std + diff_mean``.

        Parameters
        ----------
        x_prev, x_t : torch.Tensor of shape (batch, n_grid, n_vars)
            The previous and current standardised states (the model's dtype).
        forcing : torch.Tensor of shape (batch, n_forcing), optional
            Global forcing at the target time; required iff ``n_forcing > 0``.

        Returns
        -------
        torch.Tensor of shape (batch, n_grid, n_vars)
            The predicted standardised state ``x_{t+1}`` (boundary nodes not overwritten).
        """
        batch = self._check_states(x_prev, x_t)
        forcing = self._check_forcing(forcing, (batch, self.n_forcing))
        return self._step(x_prev, x_t, forcing, self._embed_static())

    def _step(
        self,
        x_prev: torch.Tensor,
        x_t: torch.Tensor,
        forcing: torch.Tensor | None,
        static: tuple[list[torch.Tensor], dict[str, torch.Tensor]],
    ) -> torch.Tensor:
        batch = x_t.shape[0]
        parts = [x_t, x_prev]
        if forcing is not None:
            parts.append(forcing[:, None, :].expand(batch, self.n_grid, self.n_forcing))
        parts.append(self.grid_static.expand(batch, *self.grid_static.shape))
        grid = self.grid_embed(torch.cat(parts, dim=-1))
        mesh = [h.expand(batch, -1, -1) for h in static[0]]
        edge = dict(static[1])  # the processor replaces updated edge sets in this copy
        mesh[0], _ = self.g2m(grid, mesh[0], edge["g2m"])
        grid = grid + self.grid_mlp(grid)
        mesh0 = self._process(mesh, edge)
        grid, _ = self.m2g(mesh0, grid, edge["m2g"])
        return x_t + self.output(grid) * self.diff_std + self.diff_mean

    def rollout(
        self,
        x_prev: torch.Tensor,
        x_t: torch.Tensor,
        n_steps: int,
        *,
        boundary_values: torch.Tensor | None = None,
        boundary_mask: torch.Tensor | None = None,
        forcing: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Autoregressive forecast with the boundary overwritten after every step.

        Step ``k`` predicts from steps ``k - 2`` and ``k - 1`` (the inputs for the first two),
        then sets ``x = where(boundary_mask, boundary_values[:, k], prediction)``; the
        overwritten state feeds step ``k + 1``.

        Parameters
        ----------
        x_prev, x_t : torch.Tensor of shape (batch, n_grid, n_vars)
            The two initial standardised states.
        n_steps : int
            Steps to forecast.
        boundary_values : torch.Tensor of shape (batch, n_steps, n_grid, n_vars), optional
            Values imposed on the boundary nodes (e.g. the true states); given together with
            ``boundary_mask``.
        boundary_mask : torch.Tensor of shape (n_grid,), bool, optional
            The boundary nodes (obstacle, upstream inflow, outflow edge).
        forcing : torch.Tensor of shape (batch, n_steps, n_forcing), optional
            Global forcing at every target time; required iff ``n_forcing > 0``.

        Returns
        -------
        torch.Tensor of shape (batch, n_steps, n_grid, n_vars)
        """
        batch = self._check_states(x_prev, x_t)
        n_steps = positive_int(n_steps, "n_steps")
        forcing = self._check_forcing(forcing, (batch, n_steps, self.n_forcing))
        if (boundary_values is None) != (boundary_mask is None):
            raise ValueError("boundary_values and boundary_mask must be given together")
        if boundary_mask is not None:
            if not isinstance(boundary_mask, torch.Tensor) or boundary_mask.dtype != torch.bool:
                raise TypeError("boundary_mask must be a bool torch.Tensor")
            if boundary_mask.shape != (self.n_grid,):
                raise ValueError(
                    f"boundary_mask must have shape ({self.n_grid},), got {tuple(boundary_mask.shape)}"
                )
            tensor(boundary_values, "boundary_values", 4, dtype=x_t.dtype)
            expected = (batch, n_steps, self.n_grid, self.n_vars)
            if tuple(boundary_values.shape) != expected:
                raise ValueError(
                    f"boundary_values must have shape {expected}, got {tuple(boundary_values.shape)}"
                )
            mask = boundary_mask[:, None]
        out, static = [], self._embed_static()
        for k in range(n_steps):
            pred = self._step(x_prev, x_t, None if forcing is None else forcing[:, k], static)
            if boundary_mask is not None:
                pred = torch.where(mask, boundary_values[:, k], pred)
            out.append(pred)
            x_prev, x_t = x_t, pred
        return torch.stack(out, dim=1)
