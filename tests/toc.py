"""The pages of the book, read from ``_toc.yml``.

Run as a script, ``python tests/toc.py --chapters`` prints the executable chapters (the
jupytext notebooks among the pages), one path per line, for the Makefile.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _files(entries: list[dict]) -> list[str]:
    out: list[str] = []
    for entry in entries or []:
        if "file" in entry:
            out.append(entry["file"])
        out.extend(_files(entry.get("sections", [])))
    return out


def toc_pages() -> list[str]:
    """Every page of the book, as paths relative to the root without extension."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages.extend(_files(part.get("chapters", [])))
    pages.extend(_files(toc.get("chapters", [])))
    return pages


def is_notebook(page: str) -> bool:
    """Whether a page is a jupytext notebook (has a kernelspec in its front matter)."""
    text = (ROOT / f"{page}.md").read_text(encoding="utf-8")
    return text.startswith("---") and "kernelspec:" in text[:3000]


def chapters() -> list[str]:
    """The executable pages, as ``.md`` paths relative to the root."""
    return [f"{page}.md" for page in toc_pages() if is_notebook(page)]


def source_title(page: str) -> str:
    """The first level-1 heading of a page's markdown source."""
    text = (ROOT / f"{page}.md").read_text(encoding="utf-8")
    match = re.search(r"^# (.+)$", text, flags=re.MULTILINE)
    if match is None:
        raise ValueError(f"{page}.md has no level-1 heading")
    return match.group(1).strip()


if __name__ == "__main__":
    if sys.argv[1:] != ["--chapters"]:
        sys.exit("usage: python tests/toc.py --chapters")
    print("\n".join(chapters()))
