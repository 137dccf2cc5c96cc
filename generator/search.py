"""The site search: index the built site with Pagefind, after the engine built it.

Pagefind reads the built HTML and writes an index split in small chunks, with its
search code and UI. A reader downloads none of it with a page; a query fetches
the index chunks for its words and the fragments of the results it shows, so
what a search costs the reader stays in kilobytes however large the archive
grows (Material's search plugin had every reader download the whole index on
their first page load).

What is indexed: the article (:data:`ROOT`) of the pages :data:`PAGES` names and
the author guide, not the listings; ``theme/main.html`` adds to a briefing's
article its filters (topic, thread, actor, year) and result meta (title, date),
from its front matter. The indexer runs in the version folder before it is
published (:mod:`generator.site`), so a failed index leaves the previous site
in place.

The index is partitioned in bundles, ``pagefind/<bundle>/`` (:func:`bundle_of`):
the briefings of each year, the registry (actors, places, stories) and the
guide. The search merges them at query time (Pagefind's ``mergeIndex``; the
theme reads their names and page counts from :data:`BUNDLES`), the newest
years first: a query shows ten results from the newest years and merges older
ones only when it needs them (``theme/assets/javascripts/search.js``), so what
it transfers does not grow with the years of the archive. A publish changes a
few pages, so it re-indexes the bundles those pages are in and links the others from the
previous version. At 10,000 briefs over ten years, re-indexing one year took a
seventh of the time of the whole index (40 s against 259 s, on two busy cores),
and each Pagefind process held 0.5 GB instead of 4.5 GB.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from generator.engine import reasons
from generator.errors import BuildError, display_path

log = logging.getLogger(__name__)

FOLDER = "pagefind"
"""The folder of the index, inside the site: the theme loads the search from there."""

BUNDLES = "bundles.json"
"""In :data:`FOLDER`: the bundle to load first, those merged into it and each one's page count.

The theme merges the years newest first, and counts the briefings it has
searched to know when to stop and offer the earlier years.
"""

PAGE_LIST = "pages.txt"
"""In each bundle: the pages it indexes (one a line), so the next publish knows them."""

ENTRY = "pagefind-entry.json"
"""The file Pagefind writes first of all, naming the index of each language."""

SEARCH_CODE = ("pagefind.js", "pagefind-worker.js")
"""Pagefind's scripts the theme's search runs (with the WebAssembly, ``wasm.*``).

Pagefind also writes its ready-made UIs (``pagefind-ui.js``, the modular and
component UIs, the highlighter); the theme has its own UI on Pagefind's JS API,
so those are removed (:func:`_prune`).
"""

STAGING = ".pagefind-pages"
"""In the version folder while it is indexed: each bundle's pages, hard-linked.

Pagefind indexes a folder; this gives it one per bundle with the bundle's pages
at their addresses, without copying them. Removed before the version is published.
"""

ROOT = "article.md-content__inner"
"""What Pagefind reads of a page: the article, without the header, navigation or footer."""

PAGES = ("briefings/*/index.html", "actors/*/index.html", "places/*/index.html",
         "threads/*/index.html", "guide/index.html")  # fmt: skip
"""The pages readers search: briefings, the pages of actors, places and stories, the guide.

Not the listings (home, topics, timeline, quotes, tracker, questions, the indexes
of actors and places, later pages of a list): each would match every search its
briefings match, burying the briefings themselves, and would double the index.
"""

IGNORED = (".headerlink", ".md-content__button")
"""Parts of an article that are not its text: permalink marks (¶), edit and view buttons."""

REGISTRY = "registry"
"""The bundle of the pages of actors, places and stories: their names and descriptions.

Only what comes before a page's first section (:data:`_SECTIONS`) is indexed: the sections list what briefings say (quotes, positions, events, the
briefings of a story), which the briefings' own index finds. Indexed whole, an
actor's page matched every word of every briefing quoting them and, ranked in a
bundle of its own kind, came before those briefings.
"""

_SECTIONS = re.compile(rb"<h2[\s>].*?(?=</article>)", re.DOTALL)
"""The sections of a registry page's article: from its first second-level heading to its end.

Pagefind's selectors have no sibling combinator to exclude them with, so the
staged copy of a registry page leaves them out (:func:`_stage`).
"""

GUIDE = "guide"
"""The bundle of the author guide, indexed whole: the first one the search loads.

The guide is always built, so the search always has this bundle to start from;
the others are merged into it.
"""

UNDATED = "undated"
"""The bundle of a briefing page that carries no year (none does today)."""

_YEAR = re.compile(rb'data-pagefind-filter="year">\s*(\d{4})\s*<')
"""The year filter theme/main.html writes into a briefing's article."""


def bundle_of(site_dir: Path, page: str) -> str:
    """The bundle ``page`` (a path in ``site_dir``) is indexed in.

    A briefing goes with the others of its year (its year filter, which the page
    carries): a publish adds and edits this year's briefings and leaves the
    bundles of past years alone, and a year's bundle stops growing when the
    year ends. Bundles of briefings only also rank alike: Pagefind weighs a
    word by how rare it is in its bundle. The pages of actors, places and
    stories change with the briefings that name them, whatever their year, so
    they are re-indexed together (:data:`REGISTRY`); the guide is on its own.
    """
    if page.startswith("guide/"):
        return GUIDE
    if not page.startswith("briefings/"):
        return REGISTRY
    found = _YEAR.search((site_dir / page).read_bytes())
    return found.group(1).decode("ascii") if found else UNDATED


_ARTICLE = re.compile(rb'<article class="md-content__inner.*?</article>', re.DOTALL)
"""A page's article (:data:`ROOT`): all Pagefind reads of it."""

_IGNORED_OPEN = re.compile(rb"<div\b[^>]*\bdata-pagefind-ignore\b[^>]*>")
_DIV = re.compile(rb"<(/?)div\b[^>]*>")
_KEPT = re.compile(rb"<[^>]*data-pagefind-(?:filter|meta|sort)\b[^>]*>[^<]*<")
"""Filters, meta and sort keys, which Pagefind reads even inside an ignored element."""


def indexed_part(html: bytes, *, registry: bool) -> bytes:
    """What Pagefind takes from a page: its article without what it is told to ignore.

    A publish rewrites pages whose indexed text stays the same: a briefing's
    related briefings (kept out of the index with ``data-pagefind-ignore``),
    the lists of an actor's page (a registry page is indexed without its
    sections). Comparing this part spares their bundles a new index.
    """
    found = _ARTICLE.search(html)
    article = found.group(0) if found else html
    if registry:
        article = _SECTIONS.sub(b"", article, count=1)
    kept = b"".join(_KEPT.findall(article))
    return _without_ignored(article) + b"\0" + kept


def _without_ignored(html: bytes) -> bytes:
    """``html`` without its ``div`` elements marked ``data-pagefind-ignore`` (nested divs allowed)."""
    parts = []
    position = 0
    while (opened := _IGNORED_OPEN.search(html, position)) is not None:
        parts.append(html[position : opened.start()])
        depth, end = 1, opened.end()
        while depth and (tag := _DIV.search(html, end)) is not None:
            depth += -1 if tag.group(1) else 1
            end = tag.end()
        position = end
    parts.append(html[position:])
    return b"".join(parts)


def _same_index(previous: Path, version: Path, page: str) -> bool:
    """Whether ``page`` gives Pagefind the same text in both versions (see :func:`indexed_part`)."""
    registry = not page.startswith(("briefings/", "guide/"))
    try:
        before = (previous / page).read_bytes()
    except OSError:
        return False
    now = (version / page).read_bytes()
    return indexed_part(before, registry=registry) == indexed_part(now, registry=registry)


def indexed_pages(site_dir: Path) -> list[str]:
    """The pages of ``site_dir`` the search indexes (:data:`PAGES`), as relative paths."""
    pages: set[str] = set()
    for pattern in PAGES:
        pages.update(p.relative_to(site_dir).as_posix() for p in site_dir.glob(pattern))
    return sorted(pages)


def index_site(
    version: Path,
    *,
    changed_html: list[str] | None = None,
    removed_html: list[str] | None = None,
    previous: Path | None = None,
) -> int:
    """Index the built site in ``version`` into ``version/pagefind``; the pages indexed.

    With ``previous`` (the published version) and the pages that changed and
    were removed since it (paths relative to the site; added pages count as
    changed), only the bundles holding one of them are indexed again; the
    others are hard-linked from ``previous`` (Pagefind and this module write
    new files only, never into one). Pages missing from the lists but added or
    gone since ``previous`` are found all the same. Without them, or when
    ``previous`` has no bundles, every bundle is indexed.

    Raises BuildError, saying why, when Pagefind fails or wrote no index.
    """
    version = version.resolve()
    output = version / FOLDER
    if output.exists() or output.is_symlink():
        _unlink_tree(output)  # a copy of the previous index, say: links only go
    pages = indexed_pages(version)
    old = _previous_bundles(previous) if changed_html is not None and previous else None
    if old is None:
        plan = _group(version, pages, dict.fromkeys(pages, ""))
        reuse: set[str] = set()
    else:
        assert previous is not None
        indexed = set(pages)
        changed = [
            page
            for page in map(_relative, changed_html or [])
            if page in indexed and not _same_index(previous.resolve(), version, page)
        ]
        plan, reuse = _incremental(version, pages, old, changed, removed_html or [])
    if GUIDE not in plan and plan:
        log.warning("search: no author guide to index; the search starts from another bundle")
    primary = GUIDE if GUIDE in plan else min(plan, default="")
    if not primary:
        raise BuildError(
            "Pagefind had no page to index (no briefing, actor, place, story or guide page "
            "in the built site); nothing was published. Build again"
        )
    redo = {name: plan[name] for name in sorted(plan) if name not in reuse}
    log.info(
        "search: %d bundles, %d indexed again (%s), %d reused",
        len(plan), len(redo), ", ".join(redo) or "none", len(reuse),
    )  # fmt: skip
    output.mkdir(parents=True)
    try:
        _run_all(version, redo, primary)
    finally:
        _unlink_tree(version / STAGING)
    for name in sorted(reuse):
        _link_tree(previous.resolve() / FOLDER / name, output / name)  # type: ignore[union-attr]
    pages_of = {name: _count(output / name) for name in sorted(plan)}
    merged = [name for name in sorted(plan, reverse=True) if name != primary]
    (output / BUNDLES).write_text(
        json.dumps({"primary": primary, "merge": merged, "pages": pages_of}) + "\n",
        encoding="utf-8",
    )
    counted = sum(pages_of.values())
    log.info("search: indexed %d pages", counted)
    return counted


def _previous_bundles(previous: Path) -> dict[str, list[str]] | None:
    """The bundles of the published version and their pages; None when it has none."""
    folder = previous / FOLDER
    try:
        listed = json.loads((folder / BUNDLES).read_text(encoding="utf-8"))
        names = [listed["primary"], *listed["merge"]]
        return {
            name: (folder / name / PAGE_LIST).read_text(encoding="utf-8").split() for name in names
        }
    except (OSError, ValueError, KeyError, TypeError):
        log.info("search: no bundles in %s, indexing everything", display_path(previous))
        return None


def _incremental(
    version: Path,
    pages: list[str],
    old: dict[str, list[str]],
    changed: Iterable[str],
    removed: Iterable[str],
) -> tuple[dict[str, list[str]], set[str]]:
    """The bundles of ``pages`` and those that may be reused from the previous version.

    A bundle is indexed again when one of its pages changed, was added, was
    removed or moved to another bundle (a briefing re-dated to another year).
    """
    was = {page: name for name, listed in old.items() for page in listed}
    now = set(pages)
    touched = {_relative(p) for p in changed} & now
    touched |= now - was.keys()
    dirty = {was[p] for p in {_relative(p) for p in removed} | (was.keys() - now) if p in was}
    known = {page: was.get(page, "") for page in pages if page not in touched}
    plan = _group(version, pages, known)
    bundle = {page: name for name, listed in plan.items() for page in listed}
    for page in touched:
        dirty.add(bundle[page])
        if page in was:
            dirty.add(was[page])
    reuse = {name for name in plan if name in old and name not in dirty}
    return plan, reuse


def _relative(page: str) -> str:
    """``page`` as :func:`indexed_pages` writes it: relative, with slashes, no leading ./ or /."""
    return Path(page).as_posix().lstrip("/").removeprefix("./")


def _group(version: Path, pages: list[str], known: dict[str, str]) -> dict[str, list[str]]:
    """The pages of each bundle; a page's bundle is ``known[page]`` or read from the page."""
    plan: dict[str, list[str]] = {}
    for page in pages:
        name = known.get(page) or bundle_of(version, page)
        plan.setdefault(name, []).append(page)
    return plan


def _run_all(version: Path, bundles: dict[str, list[str]], primary: str) -> None:
    """Index each bundle into ``version/pagefind/<bundle>``, two at a time (or as many as CPUs)."""
    if not bundles:
        return
    for name, pages in bundles.items():
        _stage(version, version / STAGING / name, pages, sections=name != REGISTRY)
    workers = max(1, min(len(bundles), os.cpu_count() or 1, 4))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        runs = [
            pool.submit(_index_bundle, version, name, pages, name == primary)
            for name, pages in bundles.items()
        ]
    for run in runs:  # every run has ended: the first failure, in bundle order
        run.result()


def _stage(version: Path, staging: Path, pages: list[str], *, sections: bool) -> None:
    """Hard-link ``pages`` of ``version`` into ``staging`` at the same paths.

    Without ``sections``, each is a copy without its article's sections instead
    (:data:`REGISTRY`).
    """
    staging.mkdir(parents=True)
    for page in pages:
        target = staging / page
        target.parent.mkdir(parents=True, exist_ok=True)
        if sections:
            _link_or_copy(version / page, target)
        else:
            target.write_bytes(_SECTIONS.sub(b"", (version / page).read_bytes(), count=1))


def _index_bundle(version: Path, name: str, pages: list[str], primary: bool) -> None:
    """Run Pagefind on one bundle's staged pages; write the bundle's page list."""
    out = version / FOLDER / name
    command = [sys.executable, "-m", "pagefind", "--site", str(version / STAGING / name),
               "--output-path", str(out), "--root-selector", ROOT]  # fmt: skip
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
    log.debug("pagefind %s: %s", name, done.stdout)
    _prune(out, primary=primary)
    (out / PAGE_LIST).write_text("".join(f"{page}\n" for page in pages), encoding="utf-8")


def _prune(bundle: Path, *, primary: bool) -> None:
    """Remove from a bundle the files of Pagefind's that the theme's search never loads.

    The search runs Pagefind's scripts and WebAssembly from the first bundle
    (:data:`SEARCH_CODE`); a merged one is read for its index alone (entry,
    meta, filters, words, fragments). A copy of the scripts in each would be
    0.7 MB of files nobody loads, and Pagefind's own UIs 0.4 MB in the first.
    """
    for path in bundle.iterdir():
        if not path.is_file() or path.name == ENTRY or path.suffix == ".pf_meta":
            continue
        if primary and (path.name in SEARCH_CODE or path.name.startswith("wasm.")):
            continue
        path.unlink()


def _count(bundle: Path) -> int:
    """The pages Pagefind says it indexed in ``bundle``; BuildError when it wrote no index."""
    try:
        entry = json.loads((bundle / ENTRY).read_text(encoding="utf-8"))
        return sum(int(language["page_count"]) for language in entry["languages"].values())
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BuildError(
            f"Pagefind wrote no readable index into {display_path(bundle)} "
            f"({exc}); nothing was published. Build again"
        ) from exc


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link of ``source`` at ``target``, or a copy where links cannot be made."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _link_tree(source: Path, target: Path) -> None:
    """``source``'s files hard-linked at the same paths under ``target``."""
    for folder, _, files in os.walk(source):
        into = target / Path(folder).relative_to(source)
        into.mkdir(parents=True, exist_ok=True)
        for file in files:
            _link_or_copy(Path(folder) / file, into / file)


def _unlink_tree(path: Path) -> None:
    """Remove ``path`` (a folder, file or link): unlinking, so linked copies elsewhere stay."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)
