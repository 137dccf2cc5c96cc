"""The site search: index the built site with Pagefind, after the engine built it.

Pagefind reads the built HTML and writes, into ``pagefind/`` inside the site, an
index split in small chunks, with its search code and UI. A reader downloads
none of it with a page; a query fetches the index chunks for its words and the
fragments of the results it shows, so what a search costs the reader stays in
kilobytes however large the archive grows (Material's search plugin had every
reader download the whole index on their first page load).

What is indexed is chosen in the theme: ``theme/main.html`` marks the article of
every page but the listings with ``data-pagefind-body`` (pages without it are
skipped) and adds a briefing's filters (topic, thread, actor, year) and result
meta (title, date) from its front matter. The indexer runs in the version
folder before it is published (:mod:`generator.site`), so a failed index leaves
the previous site in place.
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

from pagefind.index import IndexConfig, PagefindIndex

from generator.errors import BuildError, display_path

log = logging.getLogger(__name__)

BUNDLE = "pagefind"
"""The folder of the index, inside the site: the theme loads the search from there."""

ENTRY = "pagefind-entry.json"
"""The file Pagefind writes first of all, naming the index of each language."""

IGNORED = (".headerlink", ".md-content__button")
"""Parts of an article that are not its text: permalink marks (¶), edit and view buttons."""


def index_site(site_dir: Path) -> int:
    """Index the built site in ``site_dir`` into ``site_dir/pagefind``; the pages indexed.

    Raises BuildError, saying why, when Pagefind cannot run or fails, or when it
    wrote no index.
    """
    try:
        asyncio.run(_index(site_dir.resolve()))
    except Exception as exc:  # the service's errors: no binary, a crash, an error it reports
        raise BuildError(
            f"Pagefind could not index the built site: {exc or type(exc).__name__}; "
            "nothing was published. Check that its binary runs "
            "('python -m pagefind --version'; the pagefind-bin package installs it), "
            "then build again"
        ) from exc
    entry = site_dir / BUNDLE / ENTRY
    try:
        languages = json.loads(entry.read_text(encoding="utf-8"))["languages"]
        pages = sum(int(language["page_count"]) for language in languages.values())
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BuildError(
            f"Pagefind wrote no readable index into {display_path(site_dir / BUNDLE)} "
            f"({exc}); nothing was published. Build again"
        ) from exc
    log.info("search: indexed %d pages", pages)
    return pages


async def _index(site_dir: Path) -> None:
    """Run Pagefind's indexing service over ``site_dir``.

    The index is written when the context closes without an error.
    """
    config = IndexConfig(output_path=str(site_dir / BUNDLE), exclude_selectors=list(IGNORED))
    async with PagefindIndex(config=config) as index:
        await index.add_directory(str(site_dir))
