"""Graphs of the space-weather emulator: grid-to-mesh, mesh (simple, multiscale, hierarchical),
mesh-to-grid, with the obstacle (the planet and its inner boundary) removed.

Conventions (shared with :mod:`trustlab.sciml.emulator` and :mod:`trustlab.sciml.forecasting`):

- grid nodes are the cells of the simulation grid flattened in C order, node ``i * ny + j`` at
  ``(x[i], y[j])``, so a field ``f[..., nx, ny]`` becomes ``f.reshape(..., nx * ny)``;
- every edge index is a ``(2, E)`` int64 tensor, row 0 the sender, row 1 the receiver, indices
  local to the sender's and receiver's node sets;
- edge features are ``[length, dx, dy]`` of ``sender - receiver``, divided by the longest
  mesh-to-mesh edge; static node features are positions divided by the largest absolute grid
  coordinate (grid nodes also get their distance to the obstacle centre, same scale).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


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
        ``(n_grid, 3)`` float32 static grid features ``[x, y, r]`` (scaled).
    mesh_pos : tuple of torch.Tensor
        Per mesh level, finest first, ``(n_l, 2)`` float32 coordinates; one entry for the flat
        kinds.
    mesh_static : tuple of torch.Tensor
        Per level ``(n_l, 2)`` float32 scaled positions.
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
