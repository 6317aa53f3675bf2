"""Message-passing layers of the graph emulator, in plain torch (``index_add_``, no torch_geometric).

Conventions (shared with :mod:`trustlab.sciml.graphs` and :mod:`trustlab.sciml.emulator`):

- a layer is built for one graph: its ``(2, E)`` edge index (row 0 the sender ``j``, row 1 the
  receiver ``i``, local to the sender and receiver node sets) is given at construction and kept
  as a buffer, so it moves with the module (``.to(device)``) and is not re-checked per call;
- node representations are ``(..., n, d)`` with any leading batch dimensions; edge
  representations are ``(E, d)`` (shared by the batch, e.g. the embedded static edge features)
  or ``(..., E, d)`` (after an edge update, which adds the batched messages).

The layers are those of the chapter's section on the processor (Battaglia et al.'s interaction
network as used by Holmberg et al.'s Graph-FM, after Lam et al. and Oskarsson et al.):

- :class:`InteractionNet`: ``m_ji = MLP_e([e_ji, h_j, h_i])``, ``a_i = sum_j m_ji`` (or the
  mean), ``h_i <- h_i + MLP_n([h_i, a_i])``, ``e_ji <- e_ji + m_ji``;
- :class:`PropagationNet`: ``m_ji = h_j + MLP_e([e_ji, h_j, h_i])``, mean aggregation,
  ``h_i <- a_i + MLP_n([h_i, a_i])`` (the residual goes to the aggregate, so information is
  carried from the senders even when the MLPs are still near zero).

Both compute the first ``Linear`` of the edge MLP "split": its weight is ``[W_e, W_s, W_r]``
over the three concatenated blocks, so ``W [e; h_j; h_i] = W_e e + (W_s h)_j + (W_r h)_i`` and
the sender and receiver products are taken once per node and then gathered, instead of once
per edge on an ``(E, 3d)`` concatenation. ``split_first=False`` runs the plain concatenation
(the reference the split path is tested against); both use the same weights.
"""

from __future__ import annotations

import torch
from torch import nn

from trustlab._checks import positive_int
from trustlab.sciml._validation import flag

AGGREGATIONS: tuple[str, ...] = ("sum", "mean")
"""The aggregations of :class:`InteractionNet`."""


def make_mlp(in_dim: int, hidden: int, out_dim: int, layer_norm: bool = True) -> nn.Sequential:
    """``Linear -> SiLU -> Linear (-> LayerNorm)``: every MLP of the emulator.

    Parameters
    ----------
    in_dim, hidden, out_dim : int
        Input, hidden and output widths.
    layer_norm : bool, default=True
        End with a ``LayerNorm(out_dim)``; only the emulator's output map omits it.

    Returns
    -------
    torch.nn.Sequential
    """
    in_dim = positive_int(in_dim, "in_dim")
    hidden = positive_int(hidden, "hidden")
    out_dim = positive_int(out_dim, "out_dim")
    layer_norm = flag(layer_norm, "layer_norm")
    layers: list[nn.Module] = [nn.Linear(in_dim, hidden), nn.SiLU(), nn.Linear(hidden, out_dim)]
    if layer_norm:
        layers.append(nn.LayerNorm(out_dim))
    return nn.Sequential(*layers)


def scatter_sum(src: torch.Tensor, index: torch.Tensor, n: int) -> torch.Tensor:
    """Sum the rows of ``src`` into ``n`` bins: ``out[..., i, :] = sum_{e: index[e] = i} src[..., e, :]``.

    Parameters
    ----------
    src : torch.Tensor of shape (..., E, d)
        One row per edge (any leading batch dimensions).
    index : torch.Tensor of shape (E,)
        int64 bin (receiver) of every row, in ``[0, n)``.
    n : int
        Number of bins; bins no row falls into are zero.

    Returns
    -------
    torch.Tensor of shape (..., n, d)

    Raises
    ------
    TypeError, ValueError
        If ``src`` is not a floating tensor with at least 2 dimensions, ``index`` not a 1-D
        int64 tensor with one entry per row of ``src`` and values in ``[0, n)``, or ``n`` not a
        positive integer.

    Notes
    -----
    ``index_add_`` accumulates in the order of the edges on CPU; on CUDA it uses atomics and is
    not bitwise reproducible.
    """
    n = _check_scatter(src, index, n)
    return _scatter_sum(src, index, n)


def _scatter_sum(src: torch.Tensor, index: torch.Tensor, n: int) -> torch.Tensor:
    """:func:`scatter_sum` without the checks (the layers check their index once, at construction)."""
    out = src.new_zeros((*src.shape[:-2], n, src.shape[-1]))
    return out.index_add_(-2, index, src)


def _check_scatter(src: object, index: object, n: object) -> int:
    n = positive_int(n, "n")
    if not isinstance(src, torch.Tensor):
        raise TypeError(f"src must be a torch.Tensor, got {type(src).__name__}")
    if not src.is_floating_point():
        raise TypeError(f"src must be a floating tensor, got {src.dtype}")
    if src.ndim < 2:
        raise ValueError(f"src must have shape (..., E, d), got {tuple(src.shape)}")
    if not isinstance(index, torch.Tensor):
        raise TypeError(f"index must be a torch.Tensor, got {type(index).__name__}")
    if index.dtype != torch.int64:
        raise TypeError(f"index must have dtype torch.int64, got {index.dtype}")
    if index.shape != (src.shape[-2],):
        raise ValueError(
            f"index must have shape (E,) = ({src.shape[-2]},) (one bin per row of src), got {tuple(index.shape)}"
        )
    if index.numel() and (int(index.min()) < 0 or int(index.max()) >= n):
        raise ValueError(f"index must lie in [0, n={n}), got [{int(index.min())}, {int(index.max())}]")
    return n


def scatter_mean(
    src: torch.Tensor, index: torch.Tensor, n: int, degree: torch.Tensor | None = None
) -> torch.Tensor:
    """Mean of the rows of ``src`` per bin (0 for an empty bin); see :func:`scatter_sum`.

    ``degree`` (``(n, 1)``, ``max(in-degree, 1)``, from ``in_degree``) may be precomputed,
    as the layers do.
    """
    n = _check_scatter(src, index, n)
    if degree is not None and (not isinstance(degree, torch.Tensor) or degree.shape != (n, 1)):
        shape = tuple(degree.shape) if isinstance(degree, torch.Tensor) else type(degree).__name__
        raise ValueError(f"degree must be a torch.Tensor of shape (n, 1) = ({n}, 1), got {shape}")
    return _scatter_mean(src, index, n, degree)


def _scatter_mean(
    src: torch.Tensor, index: torch.Tensor, n: int, degree: torch.Tensor | None = None
) -> torch.Tensor:
    """:func:`scatter_mean` without the checks."""
    if degree is None:
        degree = in_degree(index, n)
    return _scatter_sum(src, index, n) / degree.to(src.dtype)


def in_degree(index: torch.Tensor, n: int) -> torch.Tensor:
    """``(n, 1)`` float32 ``max(in-degree, 1)`` of the bins of ``index`` (the mean's divisor)."""
    return torch.bincount(index, minlength=n).clamp_(min=1).to(torch.float32).unsqueeze(-1)


def _check_index(edge_index: object, n_send: int, n_rec: int) -> torch.Tensor:
    if not isinstance(edge_index, torch.Tensor):
        raise TypeError(f"edge_index must be a torch.Tensor, got {type(edge_index).__name__}")
    if edge_index.dtype != torch.int64:
        raise TypeError(f"edge_index must have dtype torch.int64, got {edge_index.dtype}")
    if edge_index.ndim != 2 or edge_index.shape[0] != 2:
        raise ValueError(f"edge_index must have shape (2, E), got {tuple(edge_index.shape)}")
    if edge_index.shape[1] > 0:
        for row, size, name in ((0, n_send, "n_send"), (1, n_rec, "n_rec")):
            lo, hi = int(edge_index[row].min()), int(edge_index[row].max())
            if lo < 0 or hi >= size:
                raise ValueError(f"edge_index row {row} must lie in [0, {name}={size}), got [{lo}, {hi}]")
    return edge_index.clone()


class InteractionNet(nn.Module):
    """One interaction-network layer on a fixed bipartite (or same-set) graph.

    Parameters
    ----------
    edge_index : torch.Tensor of shape (2, E)
        int64 ``[senders; receivers]``, local to the sender and receiver node sets.
    n_send, n_rec : int
        Number of sender and receiver nodes (the same set for a mesh graph: pass the same
        number and the same tensor as both node arguments of :meth:`forward`).
    hidden : int
        Width ``d`` of node and edge representations (and of the MLPs' hidden layer).
    aggr : {"sum", "mean"}, default="sum"
        Aggregation of the messages at each receiver; a receiver without in-edges gets 0.
    update_edges : bool, default=True
        Return ``e + m`` as the new edge representation (else ``e`` unchanged).
    split_first : bool, default=True
        Compute the edge MLP's first layer per node and gather (see the module docstring);
        ``False`` concatenates ``[e, h_j, h_i]`` per edge. Same weights, same result up to
        rounding.

    Attributes
    ----------
    edge_mlp : torch.nn.Sequential
        ``MLP_e`` of input width ``3d`` over ``[e_ji, h_j, h_i]``.
    node_mlp : torch.nn.Sequential
        ``MLP_n`` of input width ``2d`` over ``[h_i, a_i]``.
    """

    def __init__(
        self,
        edge_index: torch.Tensor,
        n_send: int,
        n_rec: int,
        hidden: int,
        *,
        aggr: str = "sum",
        update_edges: bool = True,
        split_first: bool = True,
    ) -> None:
        super().__init__()
        self.n_send = positive_int(n_send, "n_send")
        self.n_rec = positive_int(n_rec, "n_rec")
        self.hidden = positive_int(hidden, "hidden")
        if aggr not in AGGREGATIONS:
            raise ValueError(f"aggr must be one of {AGGREGATIONS}, got {aggr!r}")
        self.aggr = aggr
        self.update_edges = flag(update_edges, "update_edges")
        self.split_first = flag(split_first, "split_first")
        index = _check_index(edge_index, self.n_send, self.n_rec)
        self.register_buffer("senders", index[0].contiguous())
        self.register_buffer("receivers", index[1].contiguous())
        self.register_buffer("degree", in_degree(self.receivers, self.n_rec))
        self.edge_mlp = make_mlp(3 * hidden, hidden, hidden)
        self.node_mlp = make_mlp(2 * hidden, hidden, hidden)

    @property
    def n_edges(self) -> int:
        """Number of edges ``E``."""
        return int(self.senders.shape[0])

    def _check(self, value: object, name: str, n: int) -> torch.Tensor:
        if not isinstance(value, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
        dtype = self.edge_mlp[0].weight.dtype
        if value.dtype != dtype:
            raise TypeError(f"{name} must have dtype {dtype} (the layer's), got {value.dtype}")
        if value.ndim < 2 or value.shape[-2:] != (n, self.hidden):
            raise ValueError(f"{name} must have shape (..., {n}, {self.hidden}), got {tuple(value.shape)}")
        return value

    def messages(self, send: torch.Tensor, rec: torch.Tensor, edge: torch.Tensor) -> torch.Tensor:
        """``MLP_e([e_ji, h_j, h_i])`` for every edge, ``(..., E, d)``."""
        if not self.split_first:
            batch = torch.broadcast_shapes(send.shape[:-2], rec.shape[:-2], edge.shape[:-2])
            parts = (
                edge.expand(*batch, *edge.shape[-2:]),
                send.index_select(-2, self.senders).expand(*batch, self.n_edges, self.hidden),
                rec.index_select(-2, self.receivers).expand(*batch, self.n_edges, self.hidden),
            )
            return self.edge_mlp(torch.cat(parts, dim=-1))
        first = self.edge_mlp[0]
        w_e, w_s, w_r = first.weight.split(self.hidden, dim=1)
        pre = (
            nn.functional.linear(edge, w_e, first.bias)
            + nn.functional.linear(send, w_s).index_select(-2, self.senders)
            + nn.functional.linear(rec, w_r).index_select(-2, self.receivers)
        )
        return self.edge_mlp[1:](pre)

    def aggregate(self, messages: torch.Tensor) -> torch.Tensor:
        """Sum or mean of the messages at each receiver, ``(..., n_rec, d)``."""
        if self.aggr == "mean":
            return _scatter_mean(messages, self.receivers, self.n_rec, self.degree)
        return _scatter_sum(messages, self.receivers, self.n_rec)

    def update(self, rec: torch.Tensor, aggregated: torch.Tensor) -> torch.Tensor:
        """``h_i + MLP_n([h_i, a_i])``."""
        return rec + self.node_mlp(torch.cat(torch.broadcast_tensors(rec, aggregated), dim=-1))

    def forward(
        self, send: torch.Tensor, rec: torch.Tensor, edge: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """One round of message passing.

        Parameters
        ----------
        send : torch.Tensor of shape (..., n_send, d)
            Sender representations ``h_j``.
        rec : torch.Tensor of shape (..., n_rec, d)
            Receiver representations ``h_i`` (the same tensor as ``send`` on a mesh graph).
        edge : torch.Tensor of shape (E, d) or (..., E, d)
            Edge representations ``e_ji``.

        Returns
        -------
        rec : torch.Tensor of shape (..., n_rec, d)
            Updated receivers.
        edge : torch.Tensor
            ``edge + m`` (batched like the messages) if ``update_edges``, else ``edge``.
        """
        self._check(send, "send", self.n_send)
        self._check(rec, "rec", self.n_rec)
        self._check(edge, "edge", self.n_edges)
        try:
            torch.broadcast_shapes(send.shape[:-2], rec.shape[:-2], edge.shape[:-2])
        except RuntimeError:
            raise ValueError(
                "the batch dimensions of send, rec and edge must broadcast, got shapes "
                f"{tuple(send.shape)}, {tuple(rec.shape)} and {tuple(edge.shape)}"
            ) from None
        messages = self.messages(send, rec, edge)
        new_rec = self.update(rec, self.aggregate(messages))
        return new_rec, (edge + messages if self.update_edges else edge)


class PropagationNet(InteractionNet):
    """Interaction network that propagates sender information (Graph-FM's vertical passes).

    ``m_ji = h_j + MLP_e([e_ji, h_j, h_i])``, ``a_i = mean_j m_ji``,
    ``h_i <- a_i + MLP_n([h_i, a_i])``. Arguments as :class:`InteractionNet`, with
    ``aggr="mean"`` and ``update_edges=False`` by default.
    """

    def __init__(
        self,
        edge_index: torch.Tensor,
        n_send: int,
        n_rec: int,
        hidden: int,
        *,
        aggr: str = "mean",
        update_edges: bool = False,
        split_first: bool = True,
    ) -> None:
        super().__init__(
            edge_index,
            n_send,
            n_rec,
            hidden,
            aggr=aggr,
            update_edges=update_edges,
            split_first=split_first,
        )

    def messages(self, send: torch.Tensor, rec: torch.Tensor, edge: torch.Tensor) -> torch.Tensor:
        """``h_j + MLP_e([e_ji, h_j, h_i])`` for every edge."""
        return send.index_select(-2, self.senders) + super().messages(send, rec, edge)

    def update(self, rec: torch.Tensor, aggregated: torch.Tensor) -> torch.Tensor:
        """``a_i + MLP_n([h_i, a_i])``."""
        return aggregated + self.node_mlp(torch.cat(torch.broadcast_tensors(rec, aggregated), dim=-1))
