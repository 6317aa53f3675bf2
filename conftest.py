"""Run the book's jupytext MyST chapters as nbval notebooks, and time each one.

nbval reads notebooks with ``nbformat.read``; the chapters are MyST markdown, so while nbval
collects a chapter we hand it jupytext's reader instead. Nothing is written into the tree.
The kernel runs in the chapter's own folder, as under jupyter-book. At the end of the run
each chapter's wall time (the sum of its cells) is printed.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from unittest import mock

import nbformat

try:
    import jupytext
    from nbval.plugin import IPyNbFile
except ImportError:  # without nbval/jupytext, chapters are simply not collected
    IPyNbFile = None

_CHAPTER_SECONDS: dict[str, float] = defaultdict(float)


def _is_jupytext_chapter(path: Path) -> bool:
    if path.suffix != ".md" or "book" not in path.parts:
        return False
    head = path.read_text(encoding="utf-8")[:3000]
    return head.startswith("---") and "kernelspec:" in head


if IPyNbFile is not None:

    class JupytextChapter(IPyNbFile):
        """An nbval notebook read from a jupytext MyST-markdown chapter."""

        def collect(self):
            def _read(fp, as_version=4, **kwargs):
                return jupytext.read(fp)

            with mock.patch.object(nbformat, "read", _read):
                items = list(super().collect())
            yield from items


def pytest_collect_file(file_path: Path, parent):
    option = parent.config.option
    if IPyNbFile is None or not (getattr(option, "nbval", False) or getattr(option, "nbval_lax", False)):
        return None
    if _is_jupytext_chapter(file_path):
        return JupytextChapter.from_parent(parent, path=file_path)
    return None


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::", 1)[0]
    if path.endswith(".md"):
        _CHAPTER_SECONDS[path] += report.duration


def pytest_terminal_summary(terminalreporter):
    if not _CHAPTER_SECONDS:
        return
    terminalreporter.section("chapter wall times")
    for path, seconds in sorted(_CHAPTER_SECONDS.items()):
        terminalreporter.write_line(f"{seconds:8.1f} s  {path}")
