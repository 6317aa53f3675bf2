"""Coded multiplication on forked gloo workers: first K, stragglers, a killed worker, soft errors,
timeouts, bad input; no test leaves a process behind."""

from __future__ import annotations

import time

import numpy as np
import pytest

from trustlab.coded import GPDCode, relative_error
from trustlab.coded.distributed import GlooCluster, coded_multiply, free_port, running, uncoded_multiply

RNG = np.random.default_rng(0)
A = RNG.standard_normal((64, 48))
B = RNG.standard_normal((48, 32))
CODE = GPDCode(2, 2, 1, 7)  # K = 5, two stragglers tolerated


@pytest.fixture(scope="class")
def cluster():
    with GlooCluster(7, timeout=20) as c:
        pids = c.pids
        yield c
    assert running(pids) == [], "the cluster left worker processes behind"


def test_free_port_is_on_loopback():
    assert 1024 <= free_port() < 65536


class TestSharedCluster:
    """Jobs on one cluster, torn down before the tests that start their own."""

    def test_first_k_decode_with_stragglers(self, cluster):
        C, job, latency = coded_multiply(cluster, CODE, A, B, delays={0: 1.0, 3: 1.0})
        assert relative_error(C, A @ B) < 1e-12
        assert set(job.workers.tolist()).isdisjoint({0, 3})
        assert latency < 0.9, f"the coded run must not wait for the 1 s stragglers, took {latency:.2f} s"

    def test_uncoded_waits_for_its_straggler(self, cluster):
        C, _, latency = uncoded_multiply(cluster, A, B, 2, 1, delays={1: 0.5})
        assert relative_error(C, A @ B) < 1e-14
        assert latency >= 0.5

    def test_soft_error_corrected_with_two_spare_results(self, cluster):
        C, job, _ = coded_multiply(cluster, CODE, A, B, errors={2: 1.0}, extra=2, correct_errors=True)
        assert 2 in job.results
        assert relative_error(C, A @ B) < 1e-12

    def test_soft_error_without_correction_is_visible(self, cluster):
        C, job, _ = coded_multiply(cluster, CODE, A, B, errors=dict.fromkeys(range(7), 1.0))
        assert relative_error(C, A @ B) > 1e-3

    def test_bad_input(self, cluster):
        with pytest.raises(ValueError, match="k must be >= 1 and <= 7, got 8"):
            cluster.multiply(np.zeros((7, 2, 2)), np.zeros((7, 2, 2)), k=8)
        with pytest.raises(ValueError, match="at most n_workers=7 blocks"):
            cluster.multiply(np.zeros((8, 2, 2)), np.zeros((8, 2, 2)), k=2)
        with pytest.raises(ValueError, match="matching J and s"):
            cluster.multiply(np.zeros((3, 2, 2)), np.zeros((3, 3, 2)), k=2)
        with pytest.raises(ValueError, match="n_workers must be at least the recovery threshold"):
            GPDCode(2, 2, 1, 4)
        with pytest.raises(ValueError, match="does not split"):
            coded_multiply(cluster, CODE, np.zeros((63, 48)), B)


def test_killed_worker_does_not_stop_the_coded_run():
    with GlooCluster(7, timeout=20) as c:
        pids = c.pids
        c.kill(4)
        C, job, _ = coded_multiply(c, CODE, A, B, delays={1: 0.3})
        assert relative_error(C, A @ B) < 1e-12
        assert 4 in job.failed and 4 not in job.results
    assert running(pids) == []


def test_worker_killed_mid_job():
    import os
    import signal
    import threading

    with GlooCluster(7, timeout=20) as c:
        pids = c.pids
        threading.Timer(0.2, lambda: os.kill(c.pids[0], signal.SIGKILL)).start()
        C, job, _ = coded_multiply(c, CODE, A, B, delays={0: 2.0})
        assert relative_error(C, A @ B) < 1e-12
        time.sleep(0.3)
    assert running(pids) == []


def test_timeout_fails_clearly_and_cleans_up():
    start = time.monotonic()
    with pytest.raises(TimeoutError, match="only 4 of the k=5 results arrived within 1.0 s"):
        with GlooCluster(7, timeout=10) as c:
            pids = c.pids
            coded_multiply(c, CODE, A, B, delays={0: 5.0, 1: 5.0, 2: 5.0}, timeout=1.0)
    assert time.monotonic() - start < 15
    assert running(pids) == []


def test_cluster_refuses_jobs_after_a_timeout():
    with GlooCluster(6, timeout=10) as c:
        pids = c.pids
        with pytest.raises(TimeoutError):
            c.multiply(np.zeros((6, 2, 2)), np.zeros((6, 2, 2)), k=6, delays={0: 5.0}, timeout=0.5)
        with pytest.raises(RuntimeError, match="cannot run more jobs"):
            c.multiply(np.zeros((6, 2, 2)), np.zeros((6, 2, 2)), k=1)
    assert running(pids) == []


def test_cluster_arguments():
    with pytest.raises(ValueError, match="n_workers must be >= 1"):
        GlooCluster(0)
    with pytest.raises(ValueError, match="timeout must be a finite number"):
        GlooCluster(2, timeout=-1)
    with pytest.raises(RuntimeError, match="not running"):
        GlooCluster(2).multiply(np.zeros((2, 2, 2)), np.zeros((2, 2, 2)), k=1)


def test_kill_after_close_is_refused():
    c = GlooCluster(2, timeout=10)
    with c:
        pids = c.pids
    with pytest.raises(RuntimeError, match="not running"):
        c.kill(0)
    assert running(pids) == []
