"""Coded matrix multiplication on real worker processes with ``torch.distributed`` (gloo, loopback).

:class:`GlooCluster` forks ``N`` worker processes on this machine; the calling process is the
master (rank 0) and the workers are ranks ``1..N``. A job sends worker ``w`` its encoded
blocks and an injected delay (a straggler), optionally a soft error to add to its result; the
master waits for the first ``k`` results and decodes. Stragglers' results are drained after
the latency is recorded, so that jobs do not overlap. A killed worker only loses its own
result. Every wait has a timeout; a job that cannot collect ``k`` results in time raises
:class:`TimeoutError` naming the workers that did not answer, and leaving the ``with`` block
stops, joins and, if need be, kills every worker.

Notes on gloo that shape this module: ``irecv(...).is_completed()`` does not become true before
``wait()`` is called, so the first ``k`` results are collected by one waiting thread per
worker; processes are started with ``fork`` (about 0.1 s each; ``spawn`` re-imports torch in
every child, tens of seconds on two cores); only ``127.0.0.1`` is used.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import queue
import signal
import socket
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from trustlab._checks import check_int, check_real

_HEADER = 8  # op, delay, error scale, seed, rows, inner, cols, complex flag
_STOP, _MULTIPLY = -1.0, 1.0
LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def running(pids: Sequence[int]) -> list[int]:
    """The process ids among ``pids`` that still exist (to check that a teardown left nothing behind)."""
    alive = []
    for pid in pids:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        except PermissionError:
            pass
        alive.append(pid)
    return alive


def _as_payload(x: Any) -> tuple[Any, bool]:
    """``x`` as a float64 tensor (complex data as a trailing pair of real numbers) and whether it is complex."""
    import torch

    x = torch.as_tensor(x)
    if x.is_complex():
        return torch.view_as_real(x.to(torch.complex128)).contiguous(), True
    return x.to(torch.float64).contiguous(), False


def _worker_main(rank: int, world: int, port: int, timeout_s: float) -> None:
    """Body of worker ``rank``: receive a job, sleep, multiply, maybe corrupt, send back; until stopped."""
    import torch
    import torch.distributed as dist

    code = 0
    try:
        torch.set_num_threads(1)
        dist.init_process_group(
            "gloo",
            init_method=f"tcp://{LOOPBACK}:{port}",
            rank=rank,
            world_size=world,
            timeout=dt.timedelta(seconds=timeout_s),
        )
        dist.barrier()  # every pair of ranks connected before the first job
        while True:
            header = torch.zeros(_HEADER, dtype=torch.float64)
            dist.recv(header, src=0)
            if header[0].item() == _STOP:
                break
            delay, scale, seed = header[1].item(), header[2].item(), int(header[3].item())
            rows, inner, cols = (int(v) for v in header[4:7].tolist())
            pair = (2,) if header[7].item() else ()
            a = torch.empty(rows, inner, *pair, dtype=torch.float64)
            b = torch.empty(inner, cols, *pair, dtype=torch.float64)
            dist.recv(a, src=0)
            dist.recv(b, src=0)
            if delay > 0:
                time.sleep(delay)
            out = torch.view_as_complex(a) @ torch.view_as_complex(b) if pair else a @ b
            if scale > 0:
                gen = torch.Generator().manual_seed(seed)
                noise = torch.randn(out.shape, dtype=out.dtype, generator=gen)
                out = out + scale * out.abs().pow(2).mean().sqrt() * noise
            dist.send(torch.view_as_real(out).contiguous() if pair else out, dst=0)
        dist.destroy_process_group()
    except Exception:  # a worker that fails exits non-zero; the master sees a missing result
        code = 1
    os._exit(code)


@dataclass
class JobResult:
    """What a job returned.

    Attributes
    ----------
    results : dict
        Worker index (0-based) -> its result (a float64 or complex128 tensor), for the first ``k``
        to arrive.
    latency : float
        Seconds from the first send to the ``k``-th result.
    arrival : dict
        Worker index -> seconds after the first send, for every result that arrived.
    failed : dict
        Worker index -> why it returned nothing (crashed, timed out).
    """

    results: dict[int, Any]
    latency: float
    arrival: dict[int, float] = field(default_factory=dict)
    failed: dict[int, str] = field(default_factory=dict)

    @property
    def workers(self) -> np.ndarray:
        """The workers whose results are in ``results``, in arrival order."""
        return np.array(list(self.results), dtype=np.intp)


class GlooCluster:
    """``N`` forked worker processes in a gloo process group, with this process as master.

    Use as a context manager::

        with GlooCluster(6) as cluster:
            job = cluster.multiply(a_blocks, b_blocks, k=4, delays={0: 0.5})

    Parameters
    ----------
    n_workers : int
        Number of worker processes ``N`` (keep it small on a small machine).
    timeout : float
        Seconds every wait of the master may take (process-group set-up, each job, teardown).
    idle_timeout : float
        Seconds a worker waits for its next job before it gives up and exits (so that workers
        of a master that died do not linger; the master kills its workers on leaving anyway).
    """

    def __init__(self, n_workers: int, timeout: float = 30.0, idle_timeout: float = 600.0) -> None:
        self.n_workers = check_int(n_workers, "n_workers", low=1, high=64)
        self.timeout = check_real(timeout, "timeout", low=0.0)
        self.idle_timeout = check_real(idle_timeout, "idle_timeout", low=0.0)
        self._procs: list[mp.process.BaseProcess] = []
        self._broken: set[int] = set()
        self._open = False
        self._failed = False

    # -- lifecycle -------------------------------------------------------------------------
    def __enter__(self) -> GlooCluster:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Fork the workers and join the process group as rank 0."""
        import torch.distributed as dist

        if dist.is_initialized():
            raise RuntimeError("a torch.distributed process group is already initialised in this process")
        port, world = free_port(), self.n_workers + 1
        ctx = mp.get_context("fork")
        self._procs = [
            ctx.Process(target=_worker_main, args=(r, world, port, self.idle_timeout), daemon=True)
            for r in range(1, world)
        ]
        for proc in self._procs:
            proc.start()
        try:
            dist.init_process_group(
                "gloo",
                init_method=f"tcp://{LOOPBACK}:{port}",
                rank=0,
                world_size=world,
                timeout=dt.timedelta(seconds=self.timeout),
            )
            dist.barrier()  # the workers' mesh is complete too: a worker killed now is a clean crash
        except Exception as err:
            self._kill_all()
            if dist.is_initialized():
                dist.destroy_process_group()
            raise RuntimeError(f"the gloo process group did not form within {self.timeout} s: {err}") from err
        self._open = True

    def close(self) -> None:
        """Stop every live worker, join them (killing any that do not exit), leave the group."""
        import torch
        import torch.distributed as dist

        if self._open:
            stop = torch.zeros(_HEADER, dtype=torch.float64)
            stop[0] = _STOP
            for w in self.alive_workers():
                try:
                    dist.isend(stop, dst=w + 1).wait(dt.timedelta(seconds=self.timeout))
                except Exception:
                    self._broken.add(w)
        deadline = time.monotonic() + self.timeout
        for proc in self._procs:
            proc.join(max(0.0, deadline - time.monotonic()))
        self._kill_all()
        if self._open:
            dist.destroy_process_group()
            self._open = False

    def _kill_all(self) -> None:
        for proc in self._procs:
            if proc.is_alive():
                proc.kill()
            proc.join(5.0)

    @property
    def pids(self) -> list[int]:
        """Process ids of the workers."""
        return [proc.pid for proc in self._procs if proc.pid is not None]

    def alive_workers(self) -> list[int]:
        """Workers (0-based) that are running and reachable."""
        return [w for w, proc in enumerate(self._procs) if proc.is_alive() and w not in self._broken]

    def kill(self, worker: int) -> None:
        """Kill worker ``worker`` (0-based) with SIGKILL, as a crash would."""
        worker = check_int(worker, "worker", low=0, high=self.n_workers - 1)
        if not self._open:
            raise RuntimeError("the cluster is not running: use it inside a `with GlooCluster(...)` block")
        if not self._procs[worker].is_alive():
            raise RuntimeError(f"worker {worker} is not running")
        os.kill(self._procs[worker].pid, signal.SIGKILL)
        self._procs[worker].join(self.timeout)

    # -- jobs ------------------------------------------------------------------------------
    def multiply(
        self,
        a_blocks: Any,
        b_blocks: Any,
        k: int,
        *,
        delays: dict[int, float] | None = None,
        errors: dict[int, float] | None = None,
        seed: int = 0,
        timeout: float | None = None,
    ) -> JobResult:
        """Send block ``w`` of ``a_blocks`` and ``b_blocks`` to worker ``w``; return the first ``k`` products.

        Parameters
        ----------
        a_blocks, b_blocks : array
            Shapes ``(J, r, s)`` and ``(J, s, c)`` with ``J <= N``: one job per worker
            ``0..J-1`` (real data is sent as float64, complex data as complex128).
        k : int
            How many results to wait for.
        delays : dict, optional
            Worker -> seconds to sleep before computing (an injected straggler).
        errors : dict, optional
            Worker -> relative size of a Gaussian soft error added to its result.
        seed : int
            Seeds the soft errors.
        timeout : float, optional
            Seconds to wait for ``k`` results (default: the cluster's timeout).

        Raises
        ------
        TimeoutError
            If fewer than ``k`` results arrive within ``timeout``. gloo then closes the group's
            connections, so the cluster accepts no further job.
        """
        import torch
        import torch.distributed as dist

        if not self._open:
            raise RuntimeError("the cluster is not running: use it inside a `with GlooCluster(...)` block")
        if self._failed:
            raise RuntimeError(
                "an earlier job timed out; gloo closes the process group's connections after a timeout, "
                "so this cluster cannot run more jobs: leave the `with` block and start a new one"
            )
        a_t, a_complex = _as_payload(a_blocks)
        b_t, b_complex = _as_payload(b_blocks)
        if a_complex != b_complex:  # mixed: both complex
            a_t, _ = _as_payload(torch.as_tensor(a_blocks).to(torch.complex128))
            b_t, _ = _as_payload(torch.as_tensor(b_blocks).to(torch.complex128))
        pair = 2 if (a_complex or b_complex) else 0
        n_jobs = a_t.shape[0]
        if (
            a_t.ndim != 3 + bool(pair)
            or b_t.ndim != a_t.ndim
            or b_t.shape[0] != n_jobs
            or a_t.shape[2] != b_t.shape[1]
        ):
            raise ValueError(
                "a_blocks and b_blocks must be stacks (J, r, s) and (J, s, c) with matching J and s, got "
                f"{tuple(torch.as_tensor(a_blocks).shape)} and {tuple(torch.as_tensor(b_blocks).shape)}"
            )
        if n_jobs > self.n_workers:
            raise ValueError(f"at most n_workers={self.n_workers} blocks, got {n_jobs}")
        k = check_int(k, "k", low=1, high=n_jobs)
        limit = self.timeout if timeout is None else check_real(timeout, "timeout", low=0.0)
        delays, errors = dict(delays or {}), dict(errors or {})
        rows, inner, cols = a_t.shape[1], a_t.shape[2], b_t.shape[2]
        wait_for = dt.timedelta(seconds=limit)
        arrivals: queue.Queue = queue.Queue()
        failed: dict[int, str] = {}
        start = time.perf_counter()
        threads = []
        for w in range(n_jobs):
            if w not in self.alive_workers():
                failed[w] = "not running"
                continue
            header = torch.tensor(
                [_MULTIPLY, delays.get(w, 0.0), errors.get(w, 0.0), seed * 1009 + w, rows, inner, cols, pair],
                dtype=torch.float64,
            )
            out = torch.empty(rows, cols, *((2,) if pair else ()), dtype=torch.float64)
            try:
                for tensor in (header, a_t[w].contiguous(), b_t[w].contiguous()):
                    dist.isend(tensor, dst=w + 1).wait(wait_for)
                work = dist.irecv(out, src=w + 1)
            except Exception as err:
                self._broken.add(w)
                failed[w] = f"send failed: {err}"
                continue
            thread = threading.Thread(target=_await, args=(work, w, out, wait_for, arrivals), daemon=True)
            thread.start()
            threads.append(thread)
        results: dict[int, Any] = {}
        arrival: dict[int, float] = {}
        latency = None
        pending = len(threads)
        deadline = time.monotonic() + limit
        while pending:
            try:
                w, out, err = arrivals.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            pending -= 1
            if err is not None:
                self._broken.add(w)
                failed[w] = err
                continue
            arrival[w] = time.perf_counter() - start
            if len(results) < k:
                results[w] = torch.view_as_complex(out) if pair else out
                if len(results) == k:
                    latency = arrival[w]
        for thread in threads:  # stragglers: drained, not counted in the latency
            thread.join(max(0.0, deadline - time.monotonic()))
        if latency is None:
            self._failed = True
            missing = sorted(set(range(n_jobs)) - set(results))
            raise TimeoutError(
                f"only {len(results)} of the k={k} results arrived within {limit} s; "
                f"workers {missing} did not answer ({failed or 'no error reported'})"
            )
        return JobResult(results, latency, arrival, failed)


def _await(work: Any, worker: int, out: Any, wait_for: dt.timedelta, arrivals: queue.Queue) -> None:
    try:
        work.wait(wait_for)
        arrivals.put((worker, out, None))
    except Exception as err:  # crashed peer or timeout
        arrivals.put((worker, None, f"{type(err).__name__}: {str(err)[:160]}"))


def coded_multiply(
    cluster: GlooCluster,
    code: Any,
    A: Any,
    B: Any,
    *,
    delays: dict[int, float] | None = None,
    errors: dict[int, float] | None = None,
    correct_errors: bool = False,
    extra: int = 0,
    seed: int = 0,
    timeout: float | None = None,
) -> tuple[Any, JobResult, float]:
    """``A @ B`` with ``code`` (a :class:`~trustlab.coded.GPDCode`) on ``cluster``.

    Encodes, waits for the first ``K + extra`` results (``extra`` spare results let the
    master locate soft errors when ``correct_errors``), decodes.

    Returns
    -------
    (C, job, seconds) : tuple
        The product, the job record and the latency: encode + wait for the first results +
        decode (the drain of the stragglers afterwards is not counted).
    """
    start = time.perf_counter()
    a_enc, b_enc = code.encode(A, B)
    encoding = time.perf_counter() - start
    job = cluster.multiply(
        a_enc, b_enc, code.threshold + extra, delays=delays, errors=errors, seed=seed, timeout=timeout
    )
    start = time.perf_counter()
    results = np.stack([job.results[w].numpy() for w in job.workers])
    if correct_errors:
        product, _ = code.decode_with_errors(results, job.workers, rng=seed)
    else:
        product = code.decode(results, job.workers)
    return product, job, encoding + job.latency + time.perf_counter() - start


def uncoded_multiply(
    cluster: GlooCluster,
    A: Any,
    B: Any,
    m: int,
    p: int,
    *,
    delays: dict[int, float] | None = None,
    timeout: float | None = None,
) -> tuple[Any, JobResult, float]:
    """``A @ B`` split into ``m x p`` output blocks on workers ``0..mp-1``, waiting for all of them."""
    from trustlab.coded.polydot import join_blocks, split_blocks

    start = time.perf_counter()
    a_jobs = np.repeat(split_blocks(A, m, 1, "A"), p, axis=0)
    b_jobs = np.tile(split_blocks(B, 1, p, "B"), (m, 1, 1))
    splitting = time.perf_counter() - start
    job = cluster.multiply(a_jobs, b_jobs, m * p, delays=delays, timeout=timeout)
    start = time.perf_counter()
    product = join_blocks(np.stack([job.results[w].numpy() for w in range(m * p)]), m, p)
    return product, job, splitting + job.latency + time.perf_counter() - start


def latency_sweep(
    cluster: GlooCluster,
    code: Any,
    A: Any,
    B: Any,
    delays: Sequence[float],
    *,
    repeats: int = 3,
    rng: Any = None,
) -> list[dict[str, float]]:
    """Median latency of coded and uncoded runs as the delay of the stragglers grows.

    For each delay, ``N - K`` random workers are delayed in the coded run (as many as the
    code tolerates) and one random worker of the ``mp`` in the uncoded run. One untimed job of
    each kind warms the connections up first.

    Returns
    -------
    list of dict
        One row per delay: ``delay``, ``coded`` and ``uncoded`` median seconds, ``coded_error``
        (worst relative error of the decoded products).
    """
    from trustlab.coded.polydot import relative_error

    rng = np.random.default_rng(rng)
    truth = A @ B
    n_slow = code.n_workers - code.threshold
    coded_multiply(cluster, code, A, B)  # warm-up: first connections and allocations are slow
    uncoded_multiply(cluster, A, B, code.m, code.p)
    coded: dict[float, list[float]] = {d: [] for d in delays}
    uncoded: dict[float, list[float]] = {d: [] for d in delays}
    worst = dict.fromkeys(delays, 0.0)
    for _ in range(repeats):  # delays interleaved, so that a burst of load hits all of them alike
        for delay in delays:
            slow = rng.choice(code.n_workers, n_slow, replace=False)
            product, _, seconds = coded_multiply(
                cluster, code, A, B, delays=dict.fromkeys(slow.tolist(), delay)
            )
            coded[delay].append(seconds)
            worst[delay] = max(worst[delay], relative_error(product, truth))
            one = int(rng.integers(code.m * code.p))
            _, _, seconds = uncoded_multiply(cluster, A, B, code.m, code.p, delays={one: delay})
            uncoded[delay].append(seconds)
    rows = [
        {
            "delay": d,
            "coded": float(np.median(coded[d])),
            "uncoded": float(np.median(uncoded[d])),
            "coded_error": worst[d],
        }
        for d in delays
    ]
    return rows
