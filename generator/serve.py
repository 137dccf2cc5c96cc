"""Local preview: regenerate pages when a brief is saved, and let MkDocs live-reload.

The generator watches ``briefings/`` and rewrites only the pages whose bytes
changed; MkDocs' own server watches the docs folder, rebuilds and reloads the
browser. A brief saved in a broken state prints its errors and leaves the last
good pages in place, so the preview never crashes and never shows half a change.
"""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path

from mkdocs.commands.serve import serve as mkdocs_serve

from generator import pipeline
from generator.config import Settings
from generator.errors import BriefingsError

log = logging.getLogger(__name__)

POLL_SECONDS = 0.3

Snapshot = frozenset[tuple[str, int, int]]


def snapshot(folder: Path) -> Snapshot:
    """Names, sizes and modification times of the files in ``folder``."""
    entries = set()
    for path in folder.iterdir():
        try:
            stat = path.stat()
        except FileNotFoundError:  # removed while we looked
            continue
        entries.add((path.name, stat.st_size, stat.st_mtime_ns))
    return frozenset(entries)


def regenerate(settings: Settings) -> bool:
    """Regenerate the pages; on invalid briefs, report and keep the last good pages."""
    try:
        generated = pipeline.generate(settings)
    except BriefingsError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(
            f"{len(exc.problems)} error(s): the preview keeps the last good pages",
            file=sys.stderr,
        )
        return False
    if generated.stats.written or generated.stats.removed:
        log.info("regenerated: %s", ", ".join(generated.stats.written + generated.stats.removed))
    return True


class Watcher(threading.Thread):
    """Polls the briefs folder and regenerates the pages after each change."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(name="briefings-watcher", daemon=True)
        self.settings = settings
        self.stop = threading.Event()
        self.last = snapshot(settings.briefings_dir)

    def run(self) -> None:
        """Poll until stopped; a change regenerates once, however many files it touched."""
        while not self.stop.wait(POLL_SECONDS):
            current = snapshot(self.settings.briefings_dir)
            if current != self.last:
                self.last = current
                regenerate(self.settings)


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
    if not regenerate(settings) and not (settings.docs_dir / "index.md").exists():
        print("fix the errors above to start the preview", file=sys.stderr)
        return 1
    watcher = Watcher(settings)
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
