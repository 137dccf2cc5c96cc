"""The site search: index the built site with Pagefind, after the engine built it.

Pagefind reads the built HTML and writes, into ``pagefind/`` inside the site, an
index split in small chunks, with its search code and UI. A reader downloads
none of it with a page; a query fetches the index chunks for its words and the
fragments of the results it shows, so what a search costs the reader stays in
kilobytes however large the archive grows (Material's search plugin had every
reader download the whole index on their first page load).

What is indexed: the article (:data:`ROOT`) of the pages :data:`PAGES` names and
the author guide, not the listings; ``theme/main.html`` adds to a briefing's
article its filters (topic, thread, actor, year) and result meta (title, date),
from its front matter. The indexer runs in the version
folder before it is published (:mod:`generator.site`), so a failed index leaves
the previous site in place.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from generator.engine import reasons
from generator.errors import BuildError, display_path

log = logging.getLogger(__name__)

BUNDLE = "pagefind"
"""The folder of the index, inside the site: the theme loads the search from there."""

ENTRY = "pagefind-entry.json"
"""The file Pagefind writes first of all, naming the index of each language."""

ROOT = "article.md-content__inner"
"""What Pagefind reads of a page: the article, without the header, navigation or footer."""

PAGES = "{briefings/*,actors/*,places/*,threads/*,guide}/index.html"
"""The pages readers search: briefings, the pages of actors, places and stories, the guide.

Not the listings (home, topics, timeline, quotes, tracker, questions, the indexes
of actors and places, later pages of a list): each would match every search its
briefings match, burying the briefings themselves, and would double the index.
"""

IGNORED = (".headerlink", ".md-content__button")
"""Parts of an article that are not its text: permalink marks (¶), edit and view buttons."""


def index_site(
    site_dir: Path,
    *,
    changed_html: Sequence[str] | None = None,
    removed_html: Sequence[str] | None = None,
    previous: Path | None = None,
) -> int:
    """Index the built site in ``site_dir`` into ``site_dir/pagefind``; the pages indexed.

    An incremental build (:mod:`generator.site`) says which pages it rendered
    and removed (paths relative to ``site_dir``) since ``previous``, the
    published version; its version folder has no ``pagefind/``, ``previous``
    still does. Today every page is indexed again whatever they say.

    Pagefind runs through its command line (``python -m pagefind``, the binary of
    ``pagefind-bin``), which writes every file before it exits. Its Python API
    was tried first: it stops its service right after the last answer, and under
    load that cut files it was still writing (an empty ``pagefind-entry.json``).
    Raises BuildError, saying why, when Pagefind fails or wrote no index.
    """
    command = [sys.executable, "-m", "pagefind", "--site", str(site_dir.resolve()),
               "--output-subdir", BUNDLE, "--root-selector", ROOT, "--glob", PAGES]  # fmt: skip
    for selector in IGNORED:
        command += ["--exclude-selectors", selector]
    try:
        done = subprocess.run(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False
        )
    except OSError as exc:
        done = subprocess.CompletedProcess(command, -1, str(exc))
    if done.returncode != 0:
        said = "; ".join(reasons(done.stdout)[-3:]) or f"it exited with status {done.returncode}"
        raise BuildError(
            f"Pagefind could not index the built site: {said}; "
            "nothing was published. Check that its binary runs "
            "('python -m pagefind --version'; the pagefind-bin package installs it), "
            "then build again"
        )
    log.debug("pagefind: %s", done.stdout)
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
