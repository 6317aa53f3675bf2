"""Read a chapter's sizes at a given scale by running its setup cell, as the chapter would.

A smoke-test module names its chapter in ``CHAPTER`` and receives the paper-scale sizes
through the ``paper_cfg`` fixture, the cpu-scale ones through ``chapter_config(CHAPTER, "cpu")``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[2]


def read_chapter_config(chapter: str, scale: str) -> dict[str, Any]:
    """Run the first code cell of ``chapter`` under ``TRUSTLAB_SCALE=scale`` and return its ``cfg``.

    The first code cell of every chapter imports what it needs and calls
    ``trustlab.book.setup``; it must bind the result to ``cfg``. The environment is restored
    afterwards.
    """
    notebook = jupytext.read(ROOT / chapter)
    first = next(cell for cell in notebook.cells if cell.cell_type == "code")
    saved = {name: os.environ.get(name) for name in ("TRUSTLAB_SCALE", "TRUSTLAB_THREADS")}
    os.environ.update(TRUSTLAB_SCALE=scale, TRUSTLAB_THREADS="1")
    try:
        namespace: dict[str, Any] = {}
        exec(compile(first.source, f"{chapter}: setup cell", "exec"), namespace)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    if "cfg" not in namespace:
        raise AssertionError(f"{chapter}: the setup cell must bind trustlab.book.setup(...) to cfg")
    return namespace["cfg"]


@pytest.fixture(scope="session")
def chapter_config() -> Callable[[str, str], dict[str, Any]]:
    """The function :func:`read_chapter_config`, for chapter smoke tests."""
    return read_chapter_config


@pytest.fixture(scope="module")
def paper_cfg(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The ``paper``-scale sizes of the chapter named by the test module's ``CHAPTER``."""
    return read_chapter_config(request.module.CHAPTER, "paper")
