"""Open every page of the built book in headless Chromium.

Checks per page: it loads with a title, no JavaScript error (the benign ones are listed
below), every image decodes, and every piece of math is typeset by MathJax. The book loads
MathJax 3 from a CDN; offline, the request is answered from a local npm copy (``MATHJAX_DIR``,
installed by ``make mathjax``) and every other outside request is aborted. Where Chromium or
Playwright is missing these checks are skipped with a message saying so.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from toc import toc_pages

pytestmark = pytest.mark.built_book

# jupyter-book 1.0.4 with sphinx-thebe inlines the thebe configuration script twice on every
# page, so the second copy throws a redeclaration error. It is harmless.
BENIGN_PAGE_ERRORS = ("Identifier 'THEBE_JS_URL' has already been declared",)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = toc_pages()


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("Chromium is not installed (apt-get install chromium): browser checks skipped")
    return path


@pytest.fixture(scope="module")
def server(html_root):
    handler = functools.partial(_QuietHandler, directory=str(html_root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    executable = _chromium()
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _mathjax_dir() -> Path | None:
    value = os.environ.get("MATHJAX_DIR")
    if value and (Path(value) / "es5" / "tex-mml-chtml.js").is_file():
        return Path(value)
    return None


def _route_offline(route, mathjax: Path | None):
    url = route.request.url
    if mathjax is not None and "mathjax" in url:
        relative = re.sub(r"^.*?/mathjax@[^/]*/", "", url).split("?")[0]
        local = mathjax / relative
        if local.is_file():
            return route.fulfill(path=str(local))
    return route.abort()


@pytest.mark.parametrize("page_name", PAGES)
def test_page_in_browser(browser, server, page_name, tmp_path):
    mathjax = _mathjax_dir()
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    errors: list[str] = []
    page.on(
        "pageerror",
        lambda error: (
            None if any(benign in str(error) for benign in BENIGN_PAGE_ERRORS) else errors.append(str(error))
        ),
    )
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: _route_offline(route, mathjax))
    response = page.goto(f"{server}/{page_name}.html", wait_until="load")
    assert response is not None and response.ok, f"{page_name}: HTTP {response and response.status}"
    assert page.locator("main h1").count() >= 1, f"{page_name}: no title"
    broken = page.evaluate(
        "[...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
    )
    assert not broken, f"{page_name}: images that do not decode: {broken}"
    n_math = page.evaluate("document.querySelectorAll('main span.math, main div.math').length")
    if n_math and mathjax is not None:
        page.wait_for_function(
            "() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20000
        )
        page.evaluate("() => MathJax.startup.promise")
        untypeset = page.evaluate(
            "[...document.querySelectorAll('main span.math, main div.math')]"
            ".filter(e => !e.querySelector('mjx-container')).length"
        )
        assert untypeset == 0, f"{page_name}: {untypeset} of {n_math} math elements not typeset"
    page.screenshot(path=str(tmp_path / "page.png"), full_page=True)
    page.close()
    assert not errors, f"{page_name}: JavaScript errors: {errors}"


def test_mathjax_available_for_math_checks():
    if _mathjax_dir() is None:
        pytest.skip("MATHJAX_DIR not set or empty (npm missing?): math typesetting not checked")
