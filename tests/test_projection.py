"""Tests of trustlab.fairness: constraint operator, tilts, dual solver, ADMM, FairProjection."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from trustlab.fairness import (
    FairProjection,
    GroupConstraints,
    admm,
    ce_dual_terms,
    ce_prox,
    ce_tilt,
    joint_marginals,
    kl_prox,
    kl_tilt,
    make_multigroup_classification,
    primal_objective,
    smooth_probabilities,
    solve_dual,
)
from trustlab.fairness.projection import _tilt


def _instance(
    n: int, C: int, S: int, seed: int, with_y: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Random smoothed probabilities, groups (all present) and labels (every (y, s) present)."""
    rng = np.random.default_rng(seed)
    P = smooth_probabilities(rng.dirichlet(np.full(C, 0.7), size=n))
    s = rng.integers(0, S, size=n)
    y = rng.integers(0, C, size=n) if with_y else None
    cover = np.arange(C * S)
    s[: C * S] = cover % S
    if y is not None:
        y[: C * S] = cover // S
    return P, s, y


@pytest.fixture(scope="module")
def population() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    probs, y, s = make_multigroup_classification(20_000, 5, 5, random_state=0)
    return smooth_probabilities(probs), y, s


# ---------------------------------------------------------------------------------------
# constraint operator
# ---------------------------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(
    C=st.sampled_from([2, 3, 5]),
    S=st.sampled_from([2, 3, 6]),
    extra=st.integers(0, 40),
    kind=st.sampled_from(["sp", "meo", "eo"]),
    with_y=st.booleans(),
    alpha=st.floats(0.0, 2.0),
    seed=st.integers(0, 2**31 - 1),
)
def test_structured_operator_equals_dense_tensor(C, S, extra, kind, with_y, alpha, seed):
    P, s, y = _instance(C * S + extra, C, S, seed, with_y)
    G = GroupConstraints(P, s, kind, alpha, y=y)
    D = G.dense()
    rng = np.random.default_rng(seed + 1)
    lam = rng.exponential(size=G.n_constraints)
    H = rng.dirichlet(np.ones(C), size=P.shape[0])
    scale = np.abs(D).max()
    assert D.shape == (P.shape[0], C, (2 * C * C * S) if kind == "eo" else (2 * C * S))
    assert np.abs(G.matvec(lam) - D @ lam).max() <= 1e-10 * scale * (1 + lam.sum())
    assert np.abs(G.rmatvec(H) - np.einsum("ick,ic->k", D, H) / P.shape[0]).max() <= 1e-10 * scale
    assert np.abs(G.gram() - np.einsum("ick,icl->kl", D, D) / P.shape[0]).max() <= 1e-10 * scale**2


def test_dense_tensor_matches_the_rate_definitions():
    """G built by hand from the ratio-band definitions of SP and MEO (2 classes, 2 groups)."""
    P, s, y = _instance(12, 2, 2, seed=5, with_y=True)
    a = 0.1
    J = joint_marginals(P, s, 2, y)
    for kind in ("sp", "meo"):
        D = GroupConstraints(P, s, kind, a, y=y).dense().reshape(12, 2, 2, 2, 2)
        for i in range(12):
            for c in range(2):
                for g in range(2):
                    ind = float(s[i] == g)
                    if kind == "sp":
                        up, low = (
                            ind / J[:, g].sum() - (1 + a),
                            -ind / J[:, g].sum() + (1 - a),
                        )
                    else:
                        up = P[i, c] * (ind / J[c, g] - (1 + a) / J[c].sum())
                        low = P[i, c] * (-ind / J[c, g] + (1 - a) / J[c].sum())
                    assert D[i, c, 0, c, g] == pytest.approx(up, abs=1e-12)
                    assert D[i, c, 1, c, g] == pytest.approx(low, abs=1e-12)
                    assert np.all(D[i, 1 - c, :, c, g] == 0)


def test_eo_dense_tensor_matches_the_rate_definitions():
    """EO's G by hand: cell (predicted c, true y, group g) weighted by P(y | x_i)."""
    C, S, a = 3, 2, 0.1
    P, s, y = _instance(15, C, S, seed=6, with_y=True)
    J = joint_marginals(P, s, S, y)
    D = GroupConstraints(P, s, "eo", a, y=y).dense().reshape(15, C, 2, C, C, S)
    for i in range(15):
        for c in range(C):
            for t in range(C):
                for g in range(S):
                    ind = float(s[i] == g)
                    up = P[i, t] * (ind / J[t, g] - (1 + a) / J[t].sum())
                    low = P[i, t] * (-ind / J[t, g] + (1 - a) / J[t].sum())
                    assert D[i, c, 0, c, t, g] == pytest.approx(up, abs=1e-12)
                    assert D[i, c, 1, c, t, g] == pytest.approx(low, abs=1e-12)
                    others = [r for r in range(C) if r != c]
                    assert np.all(D[i, others, :, c, t, g] == 0)


def test_eo_rates_are_the_plug_in_confusion_matrix():
    """EO's rates are P(Ŷ=c | Y=y, S=s) of the plug-in joint law; the diagonal is MEO's."""
    C, S = 3, 2
    P, s, _ = _instance(300, C, S, seed=8)
    H = np.random.default_rng(1).dirichlet(np.ones(C), size=300)
    eo, meo = GroupConstraints(P, s, "eo", 0.05), GroupConstraints(P, s, "meo", 0.05)
    group_rate, rate = eo.rates(H)
    J = joint_marginals(P, s, S)
    for g in range(S):
        in_g = s == g
        expected = (H[in_g].T @ P[in_g]) / 300 / J[:, g]
        np.testing.assert_allclose(group_rate[:, :, g], expected, atol=1e-13)
    np.testing.assert_allclose(group_rate.sum(axis=0), 1.0, atol=1e-12)  # rows of P(Ŷ | y, s)
    np.testing.assert_allclose(rate.sum(axis=0), 1.0, atol=1e-12)
    meo_group, meo_rate = meo.rates(H)
    np.testing.assert_allclose(np.einsum("ccs->cs", group_rate), meo_group, atol=1e-13)
    np.testing.assert_allclose(np.diag(rate), meo_rate, atol=1e-13)
    moments = eo.rmatvec(H).reshape(2, C, C, S)
    np.testing.assert_allclose(moments[0], group_rate - 1.05 * rate[..., None], atol=1e-14)
    assert eo.violation(H) >= meo.violation(H) - 1e-15  # EO contains MEO's constraints


def test_violation_and_ratio_violation_agree_on_feasibility():
    P, s, _ = _instance(200, 3, 2, seed=2)
    for kind in ("sp", "meo", "eo"):
        G = GroupConstraints(P, s, kind, 0.05)
        group_rate, rate = G.rates(P)
        moments = G.rmatvec(P).reshape(2, *group_rate.shape)
        np.testing.assert_allclose(moments[0], group_rate - 1.05 * rate[..., None], atol=1e-14)
        np.testing.assert_allclose(moments[1], 0.95 * rate[..., None] - group_rate, atol=1e-14)
        assert (G.violation(P) > 0) == (G.ratio_violation(P) > 0)


def test_joint_marginals_plug_in_and_empirical():
    P, s, y = _instance(100, 3, 2, seed=4, with_y=True)
    plug = joint_marginals(P, s, 2)
    emp = joint_marginals(P, s, 2, y)
    assert plug.sum() == pytest.approx(1.0) and emp.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(plug.sum(axis=0), np.bincount(s) / 100)
    np.testing.assert_allclose(emp.sum(axis=0), np.bincount(s) / 100)
    assert emp[1, 0] == np.mean((y == 1) & (s == 0))


def test_constraint_input_errors():
    P, s, _ = _instance(30, 3, 2, seed=0)
    with pytest.raises(ValueError, match="kind must be one of"):
        GroupConstraints(P, s, "equal_odds")
    with pytest.raises(ValueError, match="alpha must be a finite number >= 0"):
        GroupConstraints(P, s, "sp", -0.1)
    with pytest.raises(ValueError, match="groups must have one entry per row of probs"):
        GroupConstraints(P, s[:-1])
    y = np.zeros(30, dtype=int)
    for kind in ("meo", "eo"):
        with pytest.raises(ValueError, match=r"P\(y, s\) > 0"):
            GroupConstraints(P, s, kind, y=y)
    G = GroupConstraints(P, s)
    with pytest.raises(ValueError, match="lam must have shape"):
        G.matvec(np.ones(3))


# ---------------------------------------------------------------------------------------
# tilts
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("scale", [0.1, 3.0, 10.0])
def test_kl_tilt_structure(scale):
    P, s, _ = _instance(500, 5, 3, seed=7)
    G = GroupConstraints(P, s, "meo", 0.0)
    W = G.matvec(scale * np.random.default_rng(0).exponential(size=G.n_constraints))
    H = kl_tilt(np.log(P), W)
    assert np.all(H > 0)
    resid = np.log(H / P) + W
    assert np.abs(resid - resid.mean(axis=1, keepdims=True)).max() < 1e-9
    assert np.abs(H.sum(axis=1) - 1).max() < 1e-12


@pytest.mark.parametrize("scale", [0.1, 3.0, 50.0])
def test_ce_tilt_structure(scale):
    P, s, _ = _instance(500, 5, 3, seed=8)
    for kind in ("sp", "meo"):
        G = GroupConstraints(P, s, kind, 0.0)
        W = G.matvec(scale * np.random.default_rng(1).exponential(size=G.n_constraints))
        H, gamma, phi = ce_dual_terms(P, W)
        resid = P / H - W
        assert np.abs(resid - resid.mean(axis=1, keepdims=True)).max() < 1e-7 * (1 + np.abs(W).max())
        assert np.abs(H.sum(axis=1) - 1).max() < 1e-12
        assert np.all(H > 0) and np.all(gamma + W.min(axis=1) > 0)
        # inner value: φ(w) = min_h KL(p‖h) + wᵀh, attained at h
        direct = np.sum(P * np.log(P / H), axis=1) + np.sum(W * H, axis=1)
        np.testing.assert_allclose(phi, direct, atol=1e-9 * (1 + np.abs(W).max()))
        np.testing.assert_array_equal(ce_tilt(P, W), H)


def test_tilts_at_zero_return_the_base_probabilities():
    P, _, _ = _instance(50, 4, 2, seed=9)
    np.testing.assert_allclose(kl_tilt(np.log(P), np.zeros_like(P)), P, atol=1e-15)
    np.testing.assert_allclose(ce_tilt(P, np.zeros_like(P)), P, atol=1e-15)


# ---------------------------------------------------------------------------------------
# dual solver
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["meo", "sp", "eo"])
@pytest.mark.parametrize("divergence", ["kl", "ce"])
def test_dual_solver_feasible_with_zero_duality_gap(population, kind, divergence):
    P, _, s = population
    G = GroupConstraints(P, s, kind, 0.05)
    assert G.violation(P) > 0.05  # the base model is clearly unfair
    res = solve_dual(G, P, divergence)
    assert res.converged
    assert res.max_violation <= 1e-6
    assert abs(res.duality_gap) <= 1e-6 * (1 + abs(res.objective))
    assert np.all(res.lam >= 0)
    H = _tilt(G, P, res.lam, divergence)
    assert G.ratio_violation(H) <= 1e-6
    assert res.primal_objective == pytest.approx(primal_objective(H, P, divergence), abs=1e-12)


@pytest.mark.parametrize("kind", ["sp", "meo", "eo"])
@pytest.mark.parametrize("divergence", ["kl", "ce"])
def test_dual_solution_matches_generic_primal_solver(kind, divergence):
    """Slow reference: SLSQP over the explicit simplex variables of a tiny instance."""
    n, C = 30, 3
    P, s, _ = _instance(n, C, 2, seed=3)
    # On EO's 36 constraints at alpha = 0.02 SLSQP started from P stops (reporting success)
    # at a CE objective 8e-6 above the dual's feasible optimum, so EO is checked at 0.05.
    G = GroupConstraints(P, s, kind, 0.05 if kind == "eo" else 0.02)
    D = G.dense()
    res = solve_dual(G, P, divergence)
    H = _tilt(G, P, res.lam, divergence)

    def objective(x: np.ndarray) -> tuple[float, np.ndarray]:
        h = x.reshape(n, C)
        if divergence == "kl":
            return float(np.sum(h * np.log(h / P)) / n), ((np.log(h / P) + 1) / n).ravel()
        return float(np.sum(P * np.log(P / h)) / n), (-(P / h) / n).ravel()

    constraints = [
        {
            "type": "eq",
            "fun": lambda x: x.reshape(n, C).sum(axis=1) - 1,
            "jac": lambda x: np.kron(np.eye(n), np.ones((1, C))),
        },
        {
            "type": "ineq",
            "fun": lambda x: -np.einsum("ick,ic->k", D, x.reshape(n, C)) / n,
            "jac": lambda x: -(D / n).transpose(2, 0, 1).reshape(-1, n * C),
        },
    ]
    ref = minimize(
        objective,
        P.ravel(),
        jac=True,
        method="SLSQP",
        bounds=[(1e-9, 1.0)] * (n * C),
        constraints=constraints,
        options={"ftol": 1e-15, "maxiter": 2000},
    )
    assert ref.success
    assert np.abs(ref.x.reshape(n, C) - H).max() < 1e-5
    assert ref.fun >= res.objective - 1e-9  # weak duality: no feasible point beats the dual


def test_huge_alpha_gives_zero_lambda_and_the_base_model():
    P, _, s = make_multigroup_classification(3000, 4, 3, random_state=1)
    Ps = smooth_probabilities(P)
    for kind in ("sp", "meo", "eo"):
        res = solve_dual(GroupConstraints(Ps, s, kind, 1e3), Ps)
        assert np.all(res.lam == 0)
        fp = FairProjection(constraint=kind, alpha=1e3).fit(P, s)
        assert np.all(fp.lambda_ == 0)
        np.testing.assert_array_equal(fp.predict_proba(P, s), Ps)
        np.testing.assert_array_equal(FairProjection(alpha=1e3, smoothing=0).fit(P, s).predict_proba(P, s), P)


def test_objective_monotone_in_alpha():
    P, _, s = make_multigroup_classification(5000, 5, 5, random_state=2)
    P = smooth_probabilities(P)
    for kind in ("meo", "sp", "eo"):
        objectives = []
        for alpha in (0.5, 0.2, 0.1, 0.05, 0.02):
            G = GroupConstraints(P, s, kind, alpha)
            res = solve_dual(G, P)
            objectives.append(res.primal_objective)
            assert G.ratio_violation(_tilt(G, P, res.lam, "kl")) <= 1e-6
        assert np.all(np.diff(objectives) >= -1e-9), objectives


def test_solve_dual_input_errors():
    P, s, _ = _instance(30, 3, 2, seed=0)
    G = GroupConstraints(P, s)
    with pytest.raises(TypeError, match="G must be a GroupConstraints"):
        solve_dual(np.zeros((30, 3, 12)), P)
    with pytest.raises(ValueError, match="divergence must be one of"):
        solve_dual(G, P, "hellinger")
    with pytest.raises(ValueError, match="P must have shape"):
        solve_dual(G, P[:10])
    Z = P.copy()
    Z[0] = [1.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="strictly positive"):
        solve_dual(GroupConstraints(Z, s), Z)


# ---------------------------------------------------------------------------------------
# ADMM
# ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def small_population() -> tuple[np.ndarray, np.ndarray]:
    probs, _, s = make_multigroup_classification(5000, 5, 5, random_state=1)
    return smooth_probabilities(probs), s


@pytest.mark.parametrize(
    ("kind", "divergence", "bound"),
    [("meo", "kl", 1e-2), ("meo", "ce", 1e-2), ("sp", "kl", 2e-2)],
)
def test_admm_agrees_with_dual(small_population, kind, divergence, bound):
    P, s = small_population
    G = GroupConstraints(P, s, kind, 0.05)
    H_dual = _tilt(G, P, solve_dual(G, P, divergence).lam, divergence)
    res = admm(G, P, divergence, max_iter=500)
    H_admm = _tilt(G, P, res.lam, divergence)
    assert np.abs(H_admm - H_dual).sum(axis=1).mean() <= bound
    assert res.max_violation <= 5e-3
    assert set(res.history) == {
        "primal_residual",
        "dual_residual",
        "max_violation",
        "objective",
    }
    assert all(len(v) == res.n_iter for v in res.history.values())
    assert res.history["primal_residual"][-1] < 1e-3 * res.history["primal_residual"][0]


def test_admm_stops_early_when_residuals_vanish():
    P, s, _ = _instance(400, 3, 2, seed=11)
    G = GroupConstraints(P, s, "sp", 0.05)
    res = admm(G, P, "kl", max_iter=2000, tol=1e-6)
    assert res.converged and res.n_iter < 2000
    assert admm(G, P, "kl", max_iter=3, record=False).history is None


def test_prox_steps_satisfy_their_stationarity_conditions():
    rng = np.random.default_rng(12)
    P = smooth_probabilities(rng.dirichlet(np.ones(4), size=200))
    c = 3 * rng.standard_normal((200, 4))
    rho = 2.0
    v = kl_prox(c, np.log(P), rho, tol=1e-14)
    x = v + np.log(P)
    soft = np.exp(x - x.max(axis=1, keepdims=True))
    soft /= soft.sum(axis=1, keepdims=True)
    assert np.abs(soft + c + rho * v).max() < 1e-12
    v = ce_prox(c, P, rho, tol=1e-14)
    h = -(c + rho * v)  # = h from v = −(h + c)/ρ
    assert np.abs(h.sum(axis=1) - 1).max() < 1e-12 and np.all(h > 0)
    kkt = P / h + v  # argmax_h vᵀh + Σ y log h over the simplex: y_c/h_c + v_c constant
    assert np.abs(kkt - kkt.mean(axis=1, keepdims=True)).max() < 1e-8
    with pytest.raises(ValueError, match=r"rho must be > 0\.5"):
        kl_prox(c, np.log(P), 0.5)


# ---------------------------------------------------------------------------------------
# FairProjection estimator
# ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def labelled() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    probs, y, s = make_multigroup_classification(4000, 3, 3, random_state=5)
    names = np.array(["blue", "green", "red"], dtype=object)
    return probs, y, names[s]


def test_estimator_fit_predict_with_string_groups(labelled):
    probs, y, groups = labelled
    fp = FairProjection(constraint="meo", alpha=0.05).fit(probs, groups, y=y)
    assert list(fp.groups_) == ["blue", "green", "red"]
    assert fp.n_classes_ == 3 and fp.lambda_.shape == (18,) and fp.converged_
    assert fp.train_violation_ <= 1e-6
    np.testing.assert_allclose(fp.class_marginals_, np.bincount(y) / len(y))
    H = fp.predict_proba(probs, groups)
    np.testing.assert_allclose(H.sum(axis=1), 1, atol=1e-12)
    np.testing.assert_array_equal(fp.predict(probs, groups), H.argmax(axis=1))
    # a test set containing a subset of the groups, in another order
    sub = groups != "green"
    np.testing.assert_allclose(
        fp.predict_proba(probs[sub][::-1], groups[sub][::-1]), H[sub][::-1], atol=1e-12
    )


@pytest.mark.parametrize(("divergence", "solver"), [("ce", "dual"), ("kl", "admm")])
def test_estimator_divergences_and_solvers(labelled, divergence, solver):
    probs, _, groups = labelled
    fp = FairProjection(constraint="sp", alpha=0.1, divergence=divergence, solver=solver, max_iter=300).fit(
        probs, groups
    )
    assert fp.train_violation_ <= (1e-6 if solver == "dual" else 5e-3)
    assert fp.predict_proba(probs, groups).shape == probs.shape


def test_estimator_sklearn_conventions(labelled):
    probs, _, groups = labelled
    fp = FairProjection(constraint="sp", alpha=0.02, rho=3.0)
    params = fp.get_params()
    assert params["constraint"] == "sp" and params["alpha"] == 0.02 and params["rho"] == 3.0
    fp.set_params(alpha=0.1)
    assert fp.alpha == 0.1
    twin = clone(fp)
    assert twin.get_params() == fp.get_params() and not hasattr(twin, "lambda_")
    with pytest.raises(NotFittedError):
        fp.predict_proba(probs, groups)
    fp.fit(probs, groups)
    restored = pickle.loads(pickle.dumps(fp))
    np.testing.assert_array_equal(restored.predict_proba(probs, groups), fp.predict_proba(probs, groups))
    np.testing.assert_array_equal(restored.predict(probs, groups), fp.predict(probs, groups))


def test_estimator_bad_inputs(labelled):
    probs, y, groups = labelled
    fp = FairProjection()
    cases = [
        (
            probs[:, 0],
            groups,
            ValueError,
            r"probs must be a 2-D array .* got an array of shape \(4000,\)",
        ),
        (
            probs * 1.1,
            groups,
            ValueError,
            r"probs rows must sum to one \(tolerance 1e-06\); got row \d+ summing to 1.1",
        ),
        (
            probs - probs.max(),
            groups,
            ValueError,
            "probs must be non-negative; got minimum entry",
        ),
        (
            np.where(probs > 0.5, np.nan, probs),
            groups,
            ValueError,
            "probs must be finite; got",
        ),
        (np.ones((4000, 1)), groups, ValueError, "probs must have at least 2 classes"),
        (
            np.full((4000, 3), "a"),
            groups,
            TypeError,
            "probs must be a numeric array; got dtype",
        ),
        (
            probs,
            groups[:-1],
            ValueError,
            r"sensitive_features must have the same length as probs \(4000\); got 3999",
        ),
    ]
    for P, S, err, msg in cases:
        with pytest.raises(err, match=msg):
            fp.fit(P, S)
    with_nan = np.array([1.0, np.nan] * 2000)
    with pytest.raises(ValueError, match="sensitive_features must not contain missing values"):
        fp.fit(probs, with_nan)
    with pytest.raises(ValueError, match="y must have one entry per row"):
        fp.fit(probs, groups, y=y[:10])
    for name, value, err, msg in [
        (
            "constraint",
            "equal_odds",
            ValueError,
            r"constraint must be one of \('sp', 'meo', 'eo'\); got 'equal_odds'",
        ),
        (
            "divergence",
            "js",
            ValueError,
            r"divergence must be one of \('kl', 'ce'\); got 'js'",
        ),
        (
            "solver",
            "newton",
            ValueError,
            r"solver must be one of \('dual', 'admm'\); got 'newton'",
        ),
        ("alpha", -0.5, ValueError, "alpha must be a finite number >= 0; got -0.5"),
        ("alpha", "big", TypeError, "alpha must be a real number"),
    ]:
        with pytest.raises(err, match=msg):
            FairProjection(**{name: value}).fit(probs, groups)
    fp.fit(probs, groups)
    unseen = groups.copy()
    unseen[:3] = "purple"
    with pytest.raises(ValueError, match=r"groups unseen at fit: \['purple'\]"):
        fp.predict_proba(probs, unseen)
    with pytest.raises(ValueError, match="probs must have 3 columns"):
        fp.predict_proba(probs[:, :2] / probs[:, :2].sum(axis=1, keepdims=True), groups)


# ---------------------------------------------------------------------------------------
# synthetic generator
# ---------------------------------------------------------------------------------------
def test_synthetic_generator_is_seeded_and_calibrated():
    a = make_multigroup_classification(100_000, 5, 4, random_state=3)
    b = make_multigroup_classification(100_000, 5, 4, random_state=3)
    for x, z in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, z)
    probs, y, s = a
    assert probs.shape == (100_000, 5) and set(np.unique(s)) == {0, 1, 2, 3}
    np.testing.assert_allclose(probs.sum(axis=1), 1, atol=1e-12)
    # calibrated: mean predicted probability ≈ label frequency, per group and class
    for g in range(4):
        m = s == g
        np.testing.assert_allclose(
            probs[m].mean(axis=0), np.bincount(y[m], minlength=5) / m.sum(), atol=0.015
        )
    with pytest.raises(ValueError, match="n_classes must be an integer >= 2"):
        make_multigroup_classification(10, 1, 2)
