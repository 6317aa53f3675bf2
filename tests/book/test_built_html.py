"""Static checks of the built HTML book: pages, titles, citations, math, images, outputs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from toc import ROOT, chapters, source_title, toc_pages

pytestmark = pytest.mark.built_book

PAGES = toc_pages()
NOTEBOOKS = [chapter[: -len(".md")] for chapter in chapters()]

TRACEBACK_MARKERS = ("Traceback (most recent call last)", "CellExecutionError")


def _soup(html_root: Path, page: str) -> BeautifulSoup:
    path = html_root / f"{page}.html"
    assert path.is_file(), f"table-of-contents page {page} was not built ({path} missing)"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _plain(text: str) -> str:
    """Drop markdown markup from a title so it compares with the rendered text."""
    return re.sub(r"[`*_]", "", text).replace("\u00b6", "").strip()


@pytest.mark.parametrize("page", PAGES)
def test_page_present_with_title(html_root, page):
    soup = _soup(html_root, page)
    heading = soup.select_one("main h1") or soup.select_one("article h1")
    assert heading is not None, f"{page}: no <h1> in the page"
    assert _plain(source_title(page)) in _plain(heading.get_text(" ", strip=True)), (
        f"{page}: rendered title {heading.get_text(strip=True)!r} "
        f"does not match the source title {source_title(page)!r}"
    )


@pytest.mark.parametrize("page", PAGES)
def test_citations_resolved(html_root, page):
    source = (ROOT / f"{page}.md").read_text(encoding="utf-8")
    keys = set(re.findall(r"\{cite(?::[tp])?\}`([^`]+)`", source))
    if not keys:
        pytest.skip(f"{page} cites nothing")
    soup = _soup(html_root, page)
    links = [a for a in soup.select("main a") if "references.html#" in (a.get("href") or "")]
    assert links, f"{page} cites {sorted(keys)} but no citation links to the references page"
    text = soup.select_one("main").get_text(" ")
    assert "??" not in text, f"{page}: an unresolved reference (??) is rendered"


def test_references_page_lists_every_cited_work(html_root):
    cited = set()
    for page in PAGES:
        source = (ROOT / f"{page}.md").read_text(encoding="utf-8")
        for group in re.findall(r"\{cite(?::[tp])?\}`([^`]+)`", source):
            cited.update(key.strip() for key in group.split(","))
    soup = _soup(html_root, "book/references")
    entries = soup.select("main .citation, main dl.citation > dt, main div.citation")
    assert len(entries) >= len(cited), (
        f"references page lists {len(entries)} entries for {len(cited)} cited works"
    )


@pytest.mark.parametrize("page", PAGES)
def test_math_markup_present(html_root, page):
    source = (ROOT / f"{page}.md").read_text(encoding="utf-8")
    if "$$" not in source and not re.search(r"(?<!\$)\$[^$\n]+\$(?!\$)", source):
        pytest.skip(f"{page} has no math")
    soup = _soup(html_root, page)
    assert soup.select("main .math"), f"{page} has math in its source but no math markup in HTML"


@pytest.mark.parametrize("page", PAGES)
def test_local_images_exist(html_root, page):
    soup = _soup(html_root, page)
    page_dir = (html_root / f"{page}.html").parent
    for img in soup.select("img"):
        src = img.get("src", "")
        if src.startswith(("http:", "https:", "data:")):
            continue
        assert (page_dir / src.split("#")[0]).resolve().is_file(), f"{page}: broken image {src}"


@pytest.mark.parametrize("page", PAGES)
def test_no_traceback_rendered(html_root, page):
    soup = _soup(html_root, page)
    for cell in soup.select("div.cell.tag_raises-exception"):
        cell.decompose()
    main = soup.select_one("main")
    assert not main.select(".output.traceback, .output.error"), f"{page}: an error output is rendered"
    text = main.get_text(" ")
    for marker in TRACEBACK_MARKERS:
        assert marker not in text, f"{page}: {marker!r} is rendered in the page"


@pytest.mark.parametrize("page", NOTEBOOKS)
def test_executed_chapters_have_outputs_and_figures(html_root, executed, page):
    if not executed:
        pytest.skip("the book was built with execution off (make test); make check-book checks outputs")
    soup = _soup(html_root, page)
    assert soup.select("div.cell_output"), f"{page}: no cell output (was the book executed?)"
    source = (ROOT / f"{page}.md").read_text(encoding="utf-8")
    if "plt." in source or ".plot(" in source:
        assert soup.select("div.cell_output img"), f"{page} draws figures but none is in the page"
