"""Fixtures for the checks of a built book (``make test`` builds it with execution off,
``make check-book`` checks the executed build of ``make book``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from toc import ROOT  # noqa: E402


@pytest.fixture(scope="session")
def html_root() -> Path:
    value = os.environ.get("BOOK_HTML")
    if not value:
        pytest.skip("BOOK_HTML is not set: run these checks through `make test` or `make check-book`")
    root = Path(value)
    if not root.is_absolute():
        root = ROOT / root
    if not (root / "index.html").is_file():
        pytest.fail(f"BOOK_HTML={value} holds no built book (no index.html)")
    return root


@pytest.fixture(scope="session")
def executed() -> bool:
    return os.environ.get("BOOK_EXECUTED") == "1"
