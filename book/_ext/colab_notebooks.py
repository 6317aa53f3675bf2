"""Point the Colab launch button at the chapter's notebook, not its MyST source.

Colab opens ``.ipynb`` files only, while the chapters are jupytext MyST markdown.
``make notebooks`` converts every chapter to a notebook under ``_build/notebooks``;
publishing the book pushes those to the repository's ``notebooks`` branch, with the
same paths. This extension rewrites the Colab button's URL from
``.../blob/<branch>/<page>.md`` to ``.../blob/notebooks/<page>.ipynb``.
"""

from __future__ import annotations

import re
from typing import Any

NOTEBOOKS_BRANCH = "notebooks"


def colab_url_for_notebook(url: str) -> str:
    """Return ``url`` with the branch replaced by the notebooks branch and ``.md`` by ``.ipynb``."""
    return re.sub(r"/blob/[^/]+/(.+)\.md$", rf"/blob/{NOTEBOOKS_BRANCH}/\1.ipynb", url)


def _rewrite(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    for button in context.get("header_buttons", []):
        for item in button.get("buttons", []) if isinstance(button, dict) else []:
            if item.get("text") == "Colab":
                item["url"] = colab_url_for_notebook(item["url"])


def setup(app: Any) -> dict[str, bool]:
    # sphinx-book-theme adds the launch buttons at the default priority (500); run after it.
    app.connect("html-page-context", _rewrite, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
