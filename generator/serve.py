"""Local preview: regenerate the pages a saved brief changes, rebuild only those, reload.

One process does it all. The engine's live-reload server (ProperDocs', or
MkDocs 1.6's: the same code) watches ``briefings/`` and ``site_config.yml``
(with the operating system's file events) and calls our builder: the generator
checks the briefs (unchanged ones come from a cache), writes the edited brief's
own page, and the engine, kept warm, renders just that page; the browser
reloads. A second round then does the same for the pages that list the brief.
A deleted brief's pages and data are removed from the served site. A brief
saved in a broken state prints its errors and leaves the last good pages in
place, so the preview never crashes and never shows half a change. A changed
``site_config.yml`` regenerates and rebuilds everything, except for the few
settings that need a restart (:data:`RESTART_SETTINGS`), which the preview says.
The engine's private parts that this needs are all in :mod:`generator.live_engine`.
"""

from __future__ import annotations

import gc
import logging
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from watchdog.events import (
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

from generator import graph, live_engine, pipeline, stops
from generator.config import Settings, load_settings
from generator.errors import Problem
from generator.index import Index, build_index
from generator.models import Actor, Brief, Place
from generator.reads import ReadLog
from generator.render import Page, Plan, brief_path, render_plan, render_some
from generator.schema import write_schemas
from generator.validate import ValidBrief, release
from generator.write import WriteStats, folder_times, missing_outputs, remove_outputs, write_pages

log = logging.getLogger(__name__)

HEAD_START = 1.0
"""Seconds the browser gets to reload the edited page before the listing pages are rebuilt.

The engine's server answers no request while a build runs, so that it never serves a
half-built site; the listing pages take seconds at 1,000 briefs.
"""

FINISH_BATCH = 16
"""Listing pages rendered between two looks for a new save (:meth:`Preview.finish`)."""

POLL_SECONDS = 0.25
"""How often to look for saves where the operating system gives no file events."""


def _report(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(problems)} error(s): the preview keeps the last good pages", file=sys.stderr)


class Preview:
    """The preview's generator: after the first run, each save re-renders only what it affects.

    Unchanged briefs come from a cache instead of being read and validated again,
    and only the outputs the dependency graph (:mod:`generator.graph`) finds
    stale are rendered, in two steps: :meth:`start` writes the edited briefs' own
    pages, the ones the author is looking at, and :meth:`finish` rebuilds the
    index (related briefings need all of it) and renders every other stale output
    (home, timeline, quotes …), which take the engine much longer to rebuild.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.cache = pipeline.CheckCache()
        self.stamp = pipeline.stamp(settings)
        self.index: Index | None = None
        self.plan: Plan = []
        self.renders: dict[str, Callable[[], Page]] = {}
        """The plan by output path."""
        self.graph: graph.Graph | None = None
        self.registry: pipeline.Signature | None = None
        self.outputs: set[str] = set()
        self.checked: list[Brief] = []
        self.pending: _Pending | None = None
        self.deferred: tuple[list[ValidBrief], dict[str, Actor], dict[str, Place]] | None = None

    def refresh(self) -> bool:
        """Regenerate after a change, both steps; on invalid briefs, report and keep the pages."""
        if self.start() is None:
            return False
        self.finish()
        return True

    def start(self) -> WriteStats | None:
        """Check, and write the changed briefs' own pages; None if a brief is invalid.

        When briefs already on the site were edited, their pages are rendered at
        once from the last index, whose entries now hold the edited briefs; the
        index is rebuilt by :meth:`finish`. Adding, removing or publishing a
        brief rebuilds it first. With nothing saved since the last call, nothing
        is done: the check alone reads the cache.
        """
        settings = self.settings
        checked = pipeline.check(settings, self.cache, suggestions=False)  # it shows no warnings
        if checked.report.errors:
            _report(checked.report.errors)
            return None
        registry = pipeline.registry_signature(settings)
        briefs = [item.brief for item in checked.briefs]
        if self.index is not None and registry == self.registry and _same(briefs, self.checked):
            return WriteStats()
        # The cache returns an unchanged brief itself, and every brief the check made was
        # made while the last ones were alive: a new brief cannot have an old one's id.
        before = set(map(id, self.checked))
        self.checked = briefs
        published, _ = release(checked.briefs, settings.today, preview=settings.preview)
        old = self.index
        self.pending = None  # what was left is still stale against the graph: found again
        if old is not None and registry == self.registry:
            now = {item.slug: item.brief for item in published}
            edited = {item.slug for item in published if id(item.brief) not in before}
            if now.keys() == old.by_slug.keys():  # the same briefs: edits only
                self.deferred = (published, checked.actors, checked.places)
                for slug in edited:
                    old.by_slug[slug].show(now[slug])
                first = write_pages(
                    render_some(self.renders, {brief_path(s) for s in edited}),
                    settings.docs_dir,
                    prune=False,
                )
                _log(first)
                return first
        self.registry = registry
        new = {item.slug for item in published} - (set(old.by_slug) if old else set())
        stats = self._rebuild(published, checked.actors, checked.places, first=new)
        assert stats is not None  # nothing stops it
        return stats

    def _rebuild(
        self,
        published: list[ValidBrief],
        actors: dict[str, Actor],
        places: dict[str, Place],
        *,
        first: set[str],
        stop: Callable[[], bool] = lambda: False,
    ) -> WriteStats | None:
        """Rebuild the index, write the stale pages of the briefs ``first`` and leave the rest.

        The rest waits for :meth:`finish`; the graph is updated once all is written.
        When ``stop()`` turns true before anything is written (it is looked for
        within the index, the plan and the digests: :mod:`generator.stops`),
        nothing is kept and None is returned: the edits stay deferred.
        """
        try:
            with stops.stoppable(stop):
                index, plan, current, stale = self._prepare(published, actors, places)
        except stops.Stopped:
            return None
        settings = self.settings
        docs = settings.docs_dir
        outputs = dict(plan)
        self.deferred = None
        gone = self.outputs - set(outputs)
        self.index, self.plan, self.renders, self.outputs = index, plan, outputs, set(outputs)
        todo = set(outputs) if stale is None else stale
        now = todo if stale is None else todo & {brief_path(s) for s in first}
        stats = write_pages(pipeline.render_recorded(plan, now), docs, prune=stale is None)
        stats.removed += remove_outputs(gone, docs) if stale is not None else []
        rest = [path for path, _ in plan if path in todo and path not in now]
        # The known ids change with the briefs: the schemas are written after the pages.
        schemas = (actors, places, published) if settings.schema_dir else None
        self.pending = _Pending(plan, rest, current, stats.reads, stale is None, schemas)
        _log(stats)
        return stats

    def _prepare(
        self, published: list[ValidBrief], actors: dict[str, Actor], places: dict[str, Place]
    ) -> tuple[Index, Plan, graph.Inputs, set[str] | None]:
        """The new index and plan, the inputs' digests and the outputs to render (None: all).

        It makes new objects only, so that a stop (:class:`stops.Stopped`) leaves the
        preview as it was.
        """
        settings = self.settings
        index = build_index(published, actors, settings.related, places)
        plan = render_plan(index, settings)
        signatures = {path: entry[0] for path, entry in self.cache.entries.items()}
        digests = {item.slug: signatures.get(item.path, b"") for item in published}
        current = graph.Inputs(index, digests, {}, settings)
        known = self.graph
        changed = graph.stale_inputs(known, current, self.stamp)
        # The older pages of the listings that did not change keep their digests, as in a build.
        current.settle_plan(plan, old=known if changed is not None else None, stale=changed)
        docs = settings.docs_dir
        missing = missing_outputs(docs, known.outputs, known.folders) if known else set()
        paths = (path for path, _ in plan)
        stale = graph.to_render(known, current, self.stamp, paths, missing, changed)
        stops.checkpoint()
        return index, plan, current, stale

    @property
    def busy(self) -> bool:
        """Whether :meth:`finish` has work left."""
        return self.deferred is not None or self.pending is not None

    def finish(self, stop: Callable[[], bool] = lambda: False) -> WriteStats:
        """Rebuild the index if an edit deferred it, write the other stale pages, keep the graph.

        When ``stop()`` turns true (the author saved again), the rest waits for a
        later call, so that the next save's own page is not held up by the long
        listing pages: every few hundred items of the index, the plan and the
        digests (:mod:`generator.stops`), every :data:`FINISH_BATCH` pages, and
        before the schemas. At 10,000 briefs the whole took 12 s, and a save made
        meanwhile showed 9.5 s after it was made, when only the steps were looked between.
        """
        stats = WriteStats()
        if self.deferred is not None:
            if stop():
                return stats
            rebuilt = self._rebuild(*self.deferred, first=set(), stop=stop)
            if rebuilt is None:
                return stats
            stats = rebuilt
        pending = self.pending
        if pending is None:
            return stats
        while pending.rest:
            if stop():
                return stats
            batch, pending.rest = pending.rest[:FINISH_BATCH], pending.rest[FINISH_BATCH:]
            later = write_pages(
                pipeline.render_recorded(pending.plan, set(batch)),
                self.settings.docs_dir,
                prune=False,
            )
            _log(later)
            pending.reads.extend(later.reads)
            later.reads = ReadLog()  # the pending log holds them, for the graph
            stats.extend(later)
        if pending.schemas is not None:
            if stop():
                return stats
            assert self.settings.schema_dir is not None
            write_schemas(self.settings.schema_dir, *pending.schemas)
            pending.schemas = None
        self.pending = None
        reads = pending.reads
        outputs = dict(pending.plan)
        self.graph = graph.updated(
            None if pending.full else self.graph, pending.inputs, reads.drain(), outputs,
            fingerprint=self.stamp, manifest=b"", until=None,
            folders=folder_times(self.settings.docs_dir, outputs),
        )  # fmt: skip
        return stats


@dataclass
class _Pending:
    """What :meth:`Preview.finish` has left to render, and what the graph needs after."""

    plan: Plan
    rest: list[str]
    """The outputs left to render, in plan order."""
    inputs: graph.Inputs
    reads: ReadLog
    full: bool
    schemas: tuple[dict[str, Actor], dict[str, Place], list[ValidBrief]] | None = None
    """What the schemas are written from once the pages are, if they are written."""


def _same(briefs: list[Brief], before: list[Brief]) -> bool:
    """Whether a check returned the very same briefs (the cache's objects) as before."""
    return len(briefs) == len(before) and all(a is b for a, b in zip(briefs, before, strict=True))


def _log(stats: WriteStats) -> None:
    if stats.written or stats.removed:
        log.info("regenerated: %s", ", ".join(stats.written + stats.removed))


class _Recorder:
    """A plugin that keeps what a whole build computed, so single pages can be rebuilt later."""

    def __init__(self) -> None:
        self.files: Any = None
        self.nav: Any = None
        self.env: jinja2.Environment | None = None
        self._pages: Any = None

    def on_files(self, files: Any, **_: Any) -> Any:
        self.files, self._pages = files, None
        return files

    @property
    def pages(self) -> Any:
        """The build's documentation pages, listed once: a single page's rebuild needs them."""
        if self._pages is None:
            self._pages = self.files.documentation_pages()
        return self._pages

    def on_nav(self, nav: Any, **_: Any) -> Any:
        self.nav = nav
        return nav

    def on_env(self, env: jinja2.Environment, **_: Any) -> jinja2.Environment:
        self.env = env
        return env


class LiveSite:
    """The engine kept warm for the preview: rebuild only the pages the generator rewrote.

    A whole build, even a "dirty" one, lists every file, rebuilds the
    navigation and recompiles the theme: most of a second at 1,000 briefs
    before it renders anything. Between builds we keep the files, navigation
    and theme environment of the last one and render just the rewritten pages
    with them (the engine's own page steps, plugins included, through
    :mod:`generator.live_engine`). A new page or a changed configuration gets a
    whole build; the outputs of a removed page are deleted. The site search
    (Pagefind) indexes built sites only, so a round writes no index.
    """

    def __init__(self, settings: Settings, site_dir: Path, serve_url: str, *, dirty: bool) -> None:
        self.settings = settings
        self.site_dir = site_dir
        self.serve_url = serve_url
        self.dirty = dirty
        self.live = live_engine.load(live_engine.preview_engine(settings.engine))
        self.recorder = _Recorder()
        self.config: Any = self._load_config()

    def _load_config(self) -> Any:
        """Read the configuration, and register our plugins with it, once per configuration."""
        config = self.live.load_config(
            config_file=str(self.settings.config_file), site_dir=str(self.site_dir), strict=False
        )
        config.site_url = self.serve_url
        self.recorder = _Recorder()
        config.plugins["briefings-live-site"] = self.recorder
        config.plugins.on_startup(command="serve", dirty=self.dirty)
        return config

    def close(self) -> None:
        """End the plugins' session (their ``on_shutdown``)."""
        self.config.plugins.on_shutdown()

    def build(self, *, reload_config: bool = False) -> None:
        """A whole build: "dirty" unless the preview asked for full ones, or the configuration changed."""
        if reload_config:
            self.close()
            self.config = self._load_config()
        dirty = self.dirty and not reload_config
        self.live.build(self.config, serve_url=self.serve_url, dirty=dirty)

    def remove(self, paths: Iterable[str]) -> list[Path]:
        """Delete what the docs files at ``paths`` were built into."""
        removed = []
        config = self.config
        for path in sorted(set(paths)):
            file = self.live.file_class(
                path, str(self.settings.docs_dir), str(self.site_dir), config.use_directory_urls
            )
            target = Path(file.abs_dest_path)
            if target.is_file():
                target.unlink()
                removed.append(target)
                _prune_empty(target.parent, self.site_dir)
        return removed

    def update(self, paths: Iterable[str], stop: Callable[[], bool] = lambda: False) -> set[str]:
        """Rebuild the outputs of the docs files at ``paths``, or the whole site if need be.

        Page by page; when ``stop()`` turns true (the author saved again), the
        pages not rebuilt yet are returned, for a later round.
        """
        todo = sorted(set(paths))
        if not todo:
            return set()
        files, nav, env = self.recorder.files, self.recorder.nav, self.recorder.env
        known = [files.get_file_from_path(p) for p in todo] if files is not None else [None]
        if not self.dirty or nav is None or env is None or files is None or None in known:
            self.build()
            return set()
        left: set[str] = set()
        for done, file in enumerate(known):
            if done and stop():
                left = set(todo[done:])
                break
            assert file is not None
            if file.page is None:
                file.copy_file()  # a feed or JSON export
                continue
            live_engine.render_page(
                self.live, file.page, self.config, files, self.recorder.pages, nav, env
            )
        return left


def _prune_empty(folder: Path, top: Path) -> None:
    """Remove ``folder`` and its parents up to ``top`` while they are empty."""
    while folder != top and folder.is_relative_to(top) and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _server(live: live_engine.Live, builder: Callable[[], None], host: str, port: int,
            root: Path, mount: str) -> Any:  # fmt: skip
    """The engine's live-reload server, watching with :func:`_observer`."""
    server = live.server_class(
        builder=builder, host=host, port=port, root=str(root), mount_path=mount,
        polling_interval=POLL_SECONDS,
    )  # fmt: skip
    server.observer = _observer()
    live_engine.settle_quickly(server)
    return server


_CHANGES: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileModifiedEvent,
    FileDeletedEvent,
    FileMovedEvent,
    FileClosedEvent,
]
"""File events that mean a change. Opening and reading a file are events too, and
every check reads every brief: watched unfiltered, each check would start the next."""


class _ChangesObserver(Observer):  # type: ignore[misc,valid-type]
    """The operating system's file events, changes only."""

    def schedule(
        self,
        event_handler: FileSystemEventHandler,
        path: str | Path,
        *,
        recursive: bool = False,
        event_filter: list[type[FileSystemEvent]] | None = None,
        follow_symlink: bool = False,
    ) -> ObservedWatch:
        return super().schedule(
            event_handler,
            path,
            recursive=recursive,
            event_filter=event_filter or _CHANGES,
            follow_symlink=follow_symlink,
        )


def _observer() -> BaseObserver:
    """The operating system's file events where they work, else polling.

    The engine's server polls every half second; events cut that wait from the time a save
    takes to show, and never miss two saves within one clock tick.
    """
    probe = _ChangesObserver()
    try:  # start one on a folder that surely exists, to see whether events work here
        probe.schedule(FileSystemEventHandler(), tempfile.gettempdir())
        probe.start()
    except OSError:  # no inotify, or its watch limit reached
        return PollingObserver(timeout=POLL_SECONDS)
    finally:
        if probe.is_alive():
            probe.stop()
            probe.join()
    return _ChangesObserver()


RESTART_SETTINGS = {
    "briefings_dir": "extra.briefings.source",
    "engine": "extra.briefings.engine",
    "mount": "site_url",
}
"""Settings a running preview cannot change (what it watches, which engine, where it serves)."""


class _Builder:
    """What the server runs after a save: generate, then rebuild what was rewritten."""

    def __init__(self, preview: Preview, site: LiveSite, reload: Callable[[], Settings]) -> None:
        self.preview = preview
        self.site = site
        self.reload = reload
        self.server: Any = None
        self.config = pipeline.file_signature(preview.settings.config_file)
        self.unbuilt: set[str] = set()

    def __call__(self) -> None:
        changed = True
        try:
            with _uncollected():
                changed = self._run()
        except Exception:  # a bug must not stop the preview; the server would look stuck
            log.exception("could not regenerate the pages; the preview keeps watching")
        if not changed and self.server is not None:
            live_engine.keep_shown(self.server)
        if changed and not self.preview.busy and not self.unbuilt:
            gc.collect()  # the replaced index, while nothing waits: see _uncollected

    def _run(self) -> bool:
        """One round: the latest save's own pages first, else the pages that list it.

        Each round ends with the browser reloading, so the page the author
        edited shows before the long index pages are rebuilt; a new save
        interrupts the index pages, which then wait for the next round. A round
        that changed no page says so (False): the browser need not reload.
        """
        config = pipeline.file_signature(self.preview.settings.config_file)
        if config != self.config:
            self.config = config
            self._apply_settings()
            return True
        stats = self.preview.start()
        if stats is not None and stats.removed:
            self.site.remove(stats.removed)
            self.site.build()
            changed = True
        elif stats is not None and stats.written:
            self.unbuilt |= self.site.update(stats.written)
            if self.preview.busy and self.server is not None:
                # The server holds every request while a build runs: let the
                # browser reload the edited page before the listing pages start.
                timer = threading.Timer(HEAD_START, live_engine.rebuild_soon, [self.server])
                timer.daemon = True
                timer.start()
            return True
        else:
            todo = self.unbuilt | set(self.preview.finish(stop=self._saved_again).written)
            self.unbuilt = self.site.update(todo, stop=self._saved_again)
            changed = bool(todo)  # the site rebuilds at least one of the pages it is given
        if (self.preview.busy or self.unbuilt) and self.server is not None:
            live_engine.rebuild_soon(self.server)
        return changed

    def _apply_settings(self) -> None:
        """Apply a changed ``site_config.yml`` in full: regenerate every page, rebuild the site.

        What the running preview cannot change (see :data:`RESTART_SETTINGS`)
        is reported instead, and nothing of that change is applied.
        """
        old = self.preview.settings
        name = old.config_file.name
        try:
            new = self.reload()
        except Exception as exc:  # a half-typed file: say so and keep the last settings
            print(f"{name}: cannot read it ({exc}); the preview keeps the last settings",
                  file=sys.stderr)  # fmt: skip
            return
        keys = [key for attr, key in RESTART_SETTINGS.items() if _get(old, attr) != _get(new, attr)]
        if keys:
            print(f"{name}: {', '.join(keys)} changed; restart `briefings serve` to apply "
                  "the change (the preview keeps the last settings)", file=sys.stderr)  # fmt: skip
            return
        print(f"{name} changed: regenerating every page", file=sys.stderr)
        preview = Preview(new)
        if not preview.refresh():
            return
        self.preview = preview
        self.unbuilt = set()
        self.site.settings = new
        self.site.build(reload_config=True)

    def _saved_again(self) -> bool:
        return self.server is not None and live_engine.saved_again(self.server)


@contextmanager
def _uncollected() -> Iterator[None]:
    """No garbage collection during a round; :class:`_Builder` collects once all is done.

    A round allocates a new index, plan and pages, and the collector's full
    passes over them took 0.3 s each, four to ten times a round at 10,000
    briefs: a fifth of rebuilding the listings, and as long again before a
    save that stops that work is seen. Little of it is garbage until the last
    index is replaced, so collecting then, when nothing waits, loses nothing.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _get(settings: Settings, attr: str) -> object:
    if attr == "mount":
        return _mount(settings)
    return getattr(settings, attr)


def _mount(settings: Settings) -> str:
    """The path the preview serves the site at: that of its canonical address."""
    return urlsplit(settings.site_url or "/").path or "/"


def _reloader(settings: Settings) -> Callable[[], Settings]:
    """Reads the settings again, keeping what the command line (or a caller) set over the file's."""
    from_file = load_settings(settings.config_file)
    overrides = {
        f.name: getattr(settings, f.name)
        for f in fields(settings)
        if f.name != "today" and getattr(settings, f.name) != getattr(from_file, f.name)
    }
    return lambda: replace(load_settings(settings.config_file), **overrides)


def serve(
    settings: Settings, *, host: str = "127.0.0.1", port: int = 8000, full: bool = False
) -> int:
    """Generate the pages, then serve them with live reload until interrupted.

    By default a save rebuilds only the pages whose Markdown changed (see
    :class:`LiveSite`), so it shows in well under a second even with thousands
    of briefs. ``full=True`` makes every save a whole, clean build instead.
    A change to ``site_config.yml`` regenerates and rebuilds everything.
    """
    reload = _reloader(settings)
    preview = Preview(settings)
    if not preview.refresh() and not (settings.docs_dir / "index.md").exists():
        print("fix the errors above to start the preview", file=sys.stderr)
        return 1
    gc.freeze()  # the briefs stay loaded: spare them the collector's full passes on each save
    site_dir = Path(tempfile.mkdtemp(prefix="briefings-preview-"))
    mount = _mount(settings)
    serve_url = f"http://{host}:{port}{mount}"
    try:
        site = LiveSite(settings, site_dir, serve_url, dirty=not full)
    except live_engine.EngineChanged as exc:
        print(f"cannot start the preview: {exc}", file=sys.stderr)
        shutil.rmtree(site_dir, ignore_errors=True)
        return 1
    if site.live.name != settings.engine:
        log.info("the preview renders with %s; `briefings build` uses %s",
                 site.live.label, settings.engine)  # fmt: skip
    builder = _Builder(preview, site, reload)
    server = _server(site.live, builder, host, port, site_dir, mount)
    builder.server = server
    server.error_handler = partial(_error_page, site_dir)
    try:
        site.build()
        server.watch(str(settings.briefings_dir))
        server.watch(str(settings.config_file))
        try:
            server.serve()
        except KeyboardInterrupt:
            log.info("Shutting down...")
        finally:
            server.shutdown()
    finally:
        site.close()
        shutil.rmtree(site_dir, ignore_errors=True)
    return 0


def _error_page(site_dir: Path, code: int) -> bytes | None:
    """The site's own 404 page, as ``mkdocs serve`` shows it."""
    page = site_dir / f"{code}.html"
    return page.read_bytes() if code in (404, 500) and page.is_file() else None
