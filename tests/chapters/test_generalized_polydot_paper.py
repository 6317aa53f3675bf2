"""Paper scale of book/coded/generalized-polydot.md: its configuration builds and one step of each part runs."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from trustlab.coded import GPDCode, UndecodableError, relative_error
from trustlab.coded.distributed import GlooCluster, coded_multiply, running
from trustlab.coded.training import train_mlp

CHAPTER = "book/coded/generalized-polydot.md"


def test_paper_configuration_differs_from_cpu(paper_cfg, chapter_config):
    cpu = chapter_config(CHAPTER, "cpu")
    assert paper_cfg["scale"] == "paper" and cpu["scale"] == "cpu"
    for key in (
        "block",
        "n_max",
        "random_subsets",
        "ec_workers",
        "ec_trials",
        "gloo_workers",
        "gloo_size",
        "epochs",
    ):
        assert paper_cfg[key] > cpu[key], key
    assert max(paper_cfg["delays"]) > max(cpu["delays"])


def test_paper_decoding_step(paper_cfg):
    rng = np.random.default_rng(paper_cfg["seed"])
    size = 2 * paper_cfg["block"]
    code = GPDCode(2, 2, 2, paper_cfg["n_max"])
    A, B = rng.standard_normal((size, size)), rng.standard_normal((size, size))
    Y = code.worker_products(*code.encode(A, B))
    workers = rng.choice(code.n_workers, code.threshold, replace=False)
    assert np.isfinite(relative_error(code.decode(Y[workers], workers), A @ B))


def test_paper_error_correction_step(paper_cfg):
    rng = np.random.default_rng(0)
    P = paper_cfg["ec_workers"]
    code = GPDCode(2, 2, 2, P)
    A, B = rng.standard_normal((8, 12)), rng.standard_normal((12, 8))
    Y = code.worker_products(*code.encode(A, B))
    bad = rng.choice(P, P - code.threshold - 1, replace=False)
    Y[bad] += rng.standard_normal(Y[bad].shape)
    C, found = code.decode_with_errors(Y, np.arange(P), rng=0)
    assert sorted(found) == sorted(bad) and relative_error(C, A @ B) < 1e-9


def test_paper_adversarial_step(paper_cfg):
    """At paper scale P - Q is odd: the adversarial pattern ties with the true codeword (the
    chapter counts 'at least as close'), and decoding still fails to return AB."""
    rng = np.random.default_rng(1)
    P = paper_cfg["ec_workers"]
    code = GPDCode(2, 2, 2, P)
    Q = code.threshold
    A, B = rng.standard_normal((8, 12)), rng.standard_normal((12, 8))
    clean = code.worker_products(*code.encode(A, B))
    order = rng.permutation(P)
    zeros, hit = order[: Q - 1], order[Q - 1 : Q - 1 + (P - Q) // 2 + 1]
    d = np.prod(code.points[:, None] - code.points[zeros][None, :], axis=1)[:, None, None]
    D = rng.standard_normal(clean.shape[1:])
    Y = clean.copy()
    Y[hit] += d[hit] * D
    off_true = np.sum(np.abs(Y - clean).max(axis=(1, 2)) > 1e-9)
    off_wrong = np.sum(np.abs(Y - (clean + d * D)).max(axis=(1, 2)) > 1e-9)
    assert off_wrong <= off_true
    try:
        C, _ = code.decode_with_errors(Y, np.arange(P), rng=0)
    except UndecodableError:
        return
    assert relative_error(C, A @ B) > 1e-6


def test_paper_gloo_code_one_job(paper_cfg):
    """The paper's code and worker count, on a small matrix (2048 x 2048 needs a many-core machine)."""
    m, n, p = paper_cfg["gloo_code"]
    code = GPDCode(m, n, p, paper_cfg["gloo_workers"])
    rng = np.random.default_rng(0)
    A, B = rng.standard_normal((32, 32)), rng.standard_normal((32, 32))
    with GlooCluster(paper_cfg["gloo_workers"], timeout=30) as cluster:
        pids = cluster.pids
        C, _, _ = coded_multiply(cluster, code, A, B, delays={0: 0.2})
    assert relative_error(C, A @ B) < 1e-12
    assert running(pids) == []


def test_paper_training_one_epoch(paper_cfg):
    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X / 16.0, y, test_size=0.25, random_state=0, stratify=y)
    res = train_mlp(X_tr, y_tr, X_te, y_te, mode="coded", p_err=0.05, epochs=1, seed=paper_cfg["seed"])
    assert len(res.accuracy) == 1 and res.injected > 0
