"""Local preview: regenerate pages when a brief is saved, and let MkDocs live-reload.

The generator watches ``briefings/`` and rewrites only the pages whose bytes
changed; MkDocs' own server watches the docs folder, rebuilds and reloads the
browser. A brief saved in a broken state prints its errors and leaves the last
good pages in place, so the preview never crashes and never shows half a change.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import threading
import time
from pathlib import Path

from mkdocs.commands.serve import serve as mkdocs_serve

from generator import pipeline
from generator.config import Settings
from generator.errors import Problem
from generator.index import Index, build_index
from generator.models import Brief
from generator.render import affected, brief_path, render_all, render_plan, render_some
from generator.schema import write_schemas
from generator.validate import release
from generator.write import WriteStats, remove_outputs, write_pages

log = logging.getLogger(__name__)

POLL_SECONDS = 0.3

FIRST_PAGES_HEAD_START = 0.6
"""Seconds the edited pages get to be rebuilt alone before the index pages follow."""

Snapshot = frozenset[tuple[str, bytes]]


def snapshot(folder: Path) -> Snapshot:
    """Names and content digests of the files in ``folder``.

    Digests, not modification times: two saves within one clock tick, of the
    same size, would otherwise look like one and leave the preview stale.
    """
    entries = set()
    for path in folder.iterdir():
        try:
            entries.add((path.name, hashlib.blake2b(path.read_bytes(), digest_size=16).digest()))
        except (FileNotFoundError, IsADirectoryError):  # removed while we looked, or a folder
            continue
    return frozenset(entries)


def _report(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(problems)} error(s): the preview keeps the last good pages", file=sys.stderr)


class Preview:
    """The preview's generator: after the first run, each save re-renders only what it affects.

    Unchanged briefs come from a cache instead of being read and validated again;
    the whole index is rebuilt (it is cheap, and related briefings need it); then
    only the outputs that :func:`~generator.render.affected` names are rendered.
    A change to the actor registry regenerates everything.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.cache = pipeline.CheckCache()
        self.index: Index | None = None
        self.briefs: dict[str, Brief] = {}
        self.registry: pipeline.Signature | None = None

    def refresh(self) -> bool:
        """Regenerate after a change; on invalid briefs, report and keep the last good pages."""
        settings = self.settings
        checked = pipeline.check(settings, self.cache)
        if checked.report.errors:
            _report(checked.report.errors)
            return False
        published, _ = release(checked.briefs, settings.today, preview=settings.preview)
        index = build_index(published, checked.actors, settings.related)
        briefs = {item.slug: item.brief for item in published}
        registry = pipeline.registry_signature(settings)
        if self.index is None or registry != self.registry:
            stats = write_pages(render_all(index, settings), settings.docs_dir)
            if settings.schema_dir:
                write_schemas(settings.schema_dir, checked.actors)
        else:
            changed = {
                s
                for s in briefs.keys() | self.briefs.keys()
                if briefs.get(s) is not self.briefs.get(s)
            }
            stats = self._update(index, changed) if changed else WriteStats()
        self.index, self.briefs, self.registry = index, briefs, registry
        if stats.written or stats.removed:
            log.info("regenerated: %s", ", ".join(stats.written + stats.removed))
        return True

    def _update(self, index: Index, changed: set[str]) -> WriteStats:
        """Write the edited briefs' own pages first, the pages that list them after.

        MkDocs rebuilds what changed: the page the author is looking at comes
        back in about a second, while the long index pages (home, timeline,
        quotes) follow a few seconds later in a second rebuild.
        """
        assert self.index is not None
        settings = self.settings
        first = {brief_path(slug) for slug in changed if slug in index.by_slug}
        stats = write_pages(render_some(index, settings, first), settings.docs_dir, prune=False)
        if stats.written:
            time.sleep(FIRST_PAGES_HEAD_START)
        rest = affected(self.index, index, changed) - first
        later = write_pages(render_some(index, settings, rest), settings.docs_dir, prune=False)
        stats.written += later.written
        stats.unchanged += later.unchanged
        before = {path for path, _ in render_plan(self.index, settings)}
        after = {path for path, _ in render_plan(index, settings)}
        stats.removed = remove_outputs(before - after, settings.docs_dir)
        return stats


class Watcher(threading.Thread):
    """Polls the briefs folder and regenerates the pages after each change."""

    def __init__(self, preview: Preview) -> None:
        super().__init__(name="briefings-watcher", daemon=True)
        self.preview = preview
        self.stop = threading.Event()
        self.last = snapshot(preview.settings.briefings_dir)

    def run(self) -> None:
        """Poll until stopped; a change regenerates once, however many files it touched."""
        while not self.stop.wait(POLL_SECONDS):
            current = snapshot(self.preview.settings.briefings_dir)
            if current != self.last:
                self.last = current
                try:
                    self.preview.refresh()
                except Exception:  # a bug must not stop the preview from watching
                    log.exception("could not regenerate the pages; the preview keeps watching")


def serve(
    settings: Settings, *, host: str = "127.0.0.1", port: int = 8000, full: bool = False
) -> int:
    """Generate the pages, then serve them with live reload until interrupted.

    By default MkDocs rebuilds only the pages whose Markdown changed ("dirty"
    builds), which the writer makes exact by leaving unchanged files untouched:
    a saved brief shows in about a second even with thousands of briefs. The
    search index then covers only rebuilt pages until the next full build;
    ``full=True`` rebuilds everything on every change instead.
    """
    preview = Preview(settings)
    if not preview.refresh() and not (settings.docs_dir / "index.md").exists():
        print("fix the errors above to start the preview", file=sys.stderr)
        return 1
    watcher = Watcher(preview)
    watcher.start()
    try:
        mkdocs_serve(
            config_file=str(settings.config_file),
            livereload=True,
            dev_addr=f"{host}:{port}",
            build_type=None if full else "dirty",
            strict=False,
        )
    finally:
        watcher.stop.set()
    return 0
