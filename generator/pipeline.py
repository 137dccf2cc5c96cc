"""The generator as one readable pipeline: load → validate → index → render → write → build.

Each stage lives in its own module; this one only calls them in order, the way
MkDocs' ``build()`` reads as its own table of contents.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator import engine, graph, load, render, validate
from generator.config import Settings
from generator.errors import BriefingsError, Problem, Report
from generator.index import build_index
from generator.load import Document
from generator.models import Actor, Place
from generator.reads import recording
from generator.render import Page, Plan, render_plan
from generator.schema import write_schemas
from generator.site import Changes, build_site, built_from, publishing, record_built_from
from generator.validate import ValidBrief
from generator.workers import can_fork, fork_pool
from generator.write import (
    TEMPORARY_SUFFIX,
    WriteStats,
    files_in,
    remove_outputs,
    write_shares,
)

log = logging.getLogger(__name__)


@dataclass
class Checked:
    """The outcome of loading and validating: valid briefs, actors and every problem."""

    briefs: list[ValidBrief] = field(default_factory=list)
    actors: dict[str, Actor] = field(default_factory=dict)
    report: Report = field(default_factory=Report)
    places: dict[str, Place] = field(default_factory=dict)


Signature = bytes
"""A digest of a file's bytes: modification times can miss two saves in one clock tick."""


@dataclass
class CheckCache:
    """Briefs already loaded and validated, by file, for the preview's repeated checks."""

    entries: dict[Path, tuple[Signature, Document, ValidBrief | None, list[Problem]]] = field(
        default_factory=dict
    )
    registry: tuple[Signature, Document, dict[str, Actor], list[Problem]] | None = None


def file_signature(path: Path) -> Signature:
    """A digest of a file's bytes, to tell whether it changed since it was last read."""
    return hashlib.blake2b(path.read_bytes(), digest_size=16).digest()


def registry_signature(settings: Settings) -> Signature | None:
    """The registries' signature (actors, and places if any), or None without actors."""
    path = settings.briefings_dir / load.ACTORS_FILE
    places = settings.briefings_dir / load.PLACES_FILE  # the preview rebuilds on either
    if not path.exists():
        return None
    return file_signature(path) + (file_signature(places) if places.exists() else b"")


def _check_brief(
    path: Path, cache: CheckCache | None
) -> tuple[Document, ValidBrief | None, list[Problem]]:
    """Load and validate one brief, or take it from the cache when the file is unchanged."""
    signature = None if cache is None else file_signature(path)
    if cache is not None:
        cached = cache.entries.get(path)
        if cached and cached[0] == signature:
            return cached[1], cached[2], cached[3]
    doc = load.load_yaml(path)  # without a cache, each file is read once
    valid, problems = validate.validate_brief(doc)
    validate.settle(doc)
    if cache is not None:
        cache.entries[path] = (signature, doc, valid, problems)
    return doc, valid, problems


PARALLEL_CHECK_FROM = 300
"""Briefs from which a one-off check is shared between processes by default."""

Outcome = tuple[Document, ValidBrief | None, list[Problem]]


def processes(jobs: int, work: int, threshold: int) -> int:
    """How many processes share ``work`` items.

    ``jobs`` as set; with 0 (the default), one per core once there are
    ``threshold`` items, below which forking costs more than it saves.
    """
    if jobs:
        return jobs
    return (os.cpu_count() or 1) if work >= threshold else 1


def _check_briefs(paths: list[Path], cache: CheckCache | None, jobs: int) -> list[Outcome]:
    """Check every brief, in order; a one-off check of many briefs uses every core.

    The paths are dealt out in turn to forked workers, which send back their
    checked briefs (pickled: about a tenth of the time checking them took).
    """
    jobs = processes(jobs, len(paths), PARALLEL_CHECK_FROM)
    if cache is not None or jobs < 2 or not can_fork():
        return [_check_brief(path, cache) for path in paths]
    shares = [paths[n::jobs] for n in range(jobs)]
    with fork_pool(jobs - 1) as pool:
        futures = [pool.submit(_check_share, share) for share in shares[1:]]
        done = [_check_share(shares[0]), *(future.result() for future in futures)]
    outcomes: list[Outcome] = [None] * len(paths)  # type: ignore[list-item]
    for n, share in enumerate(done):
        outcomes[n::jobs] = share
    return outcomes


def _check_share(paths: list[Path]) -> list[Outcome]:
    return [_check_brief(path, None) for path in paths]


def _check_actors(
    settings: Settings, cache: CheckCache | None
) -> tuple[Document, dict[str, Actor], list[Problem]]:
    """Load and validate the actor registry, or take it from the cache when unchanged."""
    signature = registry_signature(settings) if cache is not None else None
    if cache is not None and cache.registry and signature == cache.registry[0]:
        return cache.registry[1:]
    doc = load.read_actors(settings.briefings_dir)
    actors, problems = validate.validate_actors(doc)
    if cache is not None and signature is not None:
        cache.registry = (signature, doc, actors, problems)
    return doc, actors, problems


def check(
    settings: Settings, cache: CheckCache | None = None, *, suggestions: bool = True
) -> Checked:
    """Load and validate every file, collecting all problems before deciding anything.

    With a ``cache`` (the preview keeps one), unchanged briefs are not read again.
    Without ``suggestions``, the two checks that compare every brief with every
    other (an event that looks like another brief's, a question another brief may
    answer) are left out: they only ever warn, and the preview shows no warnings.
    """
    folder = settings.briefings_dir
    checked = Checked()
    actors_doc, checked.actors, problems = _check_actors(settings, cache)
    checked.report.extend(problems)
    paths, problems = load.find_brief_files(folder)
    checked.report.extend(problems)
    checked.report.extend(validate.case_collisions(paths))
    docs = []
    for doc, valid, problems in _check_briefs(paths, cache, settings.jobs):
        docs.append(doc)
        checked.report.extend(problems)
        if valid:
            checked.briefs.append(valid)
    checked.report.extend(validate.date_problems(checked.briefs, settings.today))
    checked.report.extend(validate.change_date_problems(checked.briefs, settings.today))
    checked.report.extend(validate.thread_problems(checked.briefs))
    checked.report.extend(validate.link_problems(docs, checked.briefs, settings.today))
    if suggestions:
        checked.report.extend(validate.shared_event_problems(checked.briefs, checked.actors))
        checked.report.extend(validate.question_problems(checked.briefs, checked.actors))
    if cache is not None:
        for gone in set(cache.entries) - set(paths):
            del cache.entries[gone]
    if checked.actors or not actors_doc.problems:  # a broken registry would flag every id
        checked.report.extend(validate.cross_check(docs, checked.actors))
    actors_ok = bool(checked.actors) or not actors_doc.problems
    places_doc = _check_places(checked, docs, folder, actors_ok=actors_ok)
    site_outputs = render.site_outputs(settings)
    checked.report.extend(
        validate.output_collisions(docs, actors_doc, render, site_outputs, places_doc)
    )
    if cache is None:  # a one-off check: the references have served their purpose
        for doc in docs:
            doc.references = None
    return checked


@dataclass(frozen=True)
class Generated:
    """What the generator wrote into the docs folder, and what it held back."""

    briefs: int
    stats: WriteStats
    held: list[validate.Held] | list[graph.HeldNote] = field(default_factory=list)
    rendered: int | None = None
    """How many outputs were rendered: None when all were, 0 when nothing had changed."""


@contextmanager
def _collect_rarely() -> Iterator[None]:
    """Run the garbage collector less often while the briefs pile up in memory.

    Loading keeps nearly everything it allocates, so the collector's default
    rhythm walks the growing heap again and again for nothing: about a fifth
    of a run at 1,000 briefs. Once the index is built, :func:`gc.freeze` takes
    the briefs out of its walks altogether.
    """
    threshold = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


PARALLEL_FROM = 1000
"""Outputs from which rendering is shared between processes by default."""


def _recorded(render: Callable[[], Page]) -> Page:
    """Render one output, noting what it reads of the index (the dependency graph)."""
    with recording() as keys:
        page = render()
    return replace(page, reads=frozenset(keys))


def _render_and_write(plan: Plan, settings: Settings, todo: set[str] | None) -> WriteStats:
    """Render the outputs ``todo`` (all: None) and write them, sharing the work on larger runs.

    The outputs are dealt out in turn, so each process gets its part of the long
    listing pages; each page is rendered in the process that writes it.
    """
    chosen = plan if todo is None else [(path, render) for path, render in plan if path in todo]
    jobs = processes(settings.jobs, len(chosen), PARALLEL_FROM)
    shares = [(_recorded(render) for _, render in chosen[n::jobs]) for n in range(jobs)]
    return write_shares(shares, settings.docs_dir, prune=todo is None)


def render_recorded(plan: Plan, paths: set[str]) -> Iterator[Page]:
    """Render the outputs at ``paths``, in plan order, each with what it read."""
    return (_recorded(render) for path, render in plan if path in paths)


def stamp(settings: Settings) -> bytes:
    """The fingerprint of code and settings, with the map data the pictures are drawn from."""
    try:
        atlas = [render.atlas_path(settings)]
    except Exception:
        atlas = []
    return graph.fingerprint(settings, atlas)


def _up_to_date(settings: Settings, old: graph.Graph | None, inputs: bytes) -> bool:
    """Whether the docs folder already holds what a run would write: nothing changed."""
    if old is None or old.manifest != inputs:
        return False
    if old.until is not None and settings.today >= old.until:
        return False
    found = files_in(settings.docs_dir)
    for name in found:  # a write cut short by a kill left its temporary file
        if name.endswith(TEMPORARY_SUFFIX):
            (settings.docs_dir / name).unlink(missing_ok=True)
    return set(old.outputs) <= found


def generate(settings: Settings) -> Generated:
    """Check, index, render and write the Markdown pages; raise if any brief is invalid.

    Only the outputs whose inputs changed are rendered (:mod:`generator.graph`);
    when no input file changed at all, nothing is even read.
    """
    fingerprint = stamp(settings)
    inputs = graph.manifest(settings, fingerprint)
    old = graph.load(settings.docs_dir)
    if _up_to_date(settings, old, inputs):
        assert old is not None
        for note in old.notes:
            log.warning("%s", note)
        stats = WriteStats(unchanged=sorted(old.outputs))
        return Generated(old.briefs, stats, [graph.HeldNote(*h) for h in old.held], rendered=0)
    with _collect_rarely():
        checked = check(settings)
        for warning in checked.report.warnings:
            log.warning("%s", warning)
        if checked.report.errors:
            raise BriefingsError(checked.report.errors)
        published, held = validate.release(checked.briefs, settings.today, preview=settings.preview)
        index = build_index(published, checked.actors, settings.related, checked.places)
        gc.freeze()
        plan = render_plan(index, settings)
        outputs = dict(plan)
        digests = graph.file_digests({item.slug: item.path for item in published})
        current = graph.Inputs(index, digests, outputs, settings)
        todo = graph.to_render(old, current, fingerprint, outputs, files_in(settings.docs_dir))
        graph.discard(settings.docs_dir)
        stats = _render_and_write(plan, settings, todo)
        if todo is not None and old is not None:
            stats.removed += remove_outputs(set(old.outputs) - set(outputs), settings.docs_dir)
            stats.unchanged += [path for path in outputs if path not in todo]
        saved = graph.updated(
            old if todo is not None else None, current, stats.reads, outputs,
            fingerprint=fingerprint, manifest=inputs, until=graph.next_release(held),
            briefs=len(published), notes=[str(w) for w in checked.report.warnings],
            held=[(h.item.path.name, h.reason) for h in held],
        )  # fmt: skip
        graph.save(saved, settings.docs_dir)
        if settings.schema_dir:
            write_schemas(settings.schema_dir, checked.actors, checked.places, checked.briefs)
    rendered = len(plan) if todo is None else len(todo)
    return Generated(len(published), stats, held, rendered=rendered)


@dataclass(frozen=True)
class Built:
    """The outcome of a full build, for the command line to report."""

    briefs: int
    written: int
    unchanged: int
    site_dir: Path
    held: list[validate.Held] | list[graph.HeldNote] = field(default_factory=list)
    site_built: bool = True
    """False when the published site was already built from the same docs and theme."""


def build(settings: Settings) -> Built:
    """The whole pipeline: load → validate → index → render → write → build the site.

    One build of a site runs at a time: another waits until this one is done,
    since both would write the same docs folder. When neither the docs folder
    nor the theme changed since the published site was built from them, the
    site is left as it is.
    """
    target = settings.site_dir
    with publishing(target):
        prior = site_state(settings)
        generated = generate(settings)
        state = site_state(settings)
        published_from = built_from(target) if target.exists() else None
        if published_from == state:
            site_dir, fresh = target, False
        else:
            # The site was built from the docs as they were before this run: what this
            # run wrote and removed is all that differs.
            changes = _changes(generated.stats) if published_from == prior else None
            site_dir, fresh = build_site(settings, changes=changes), True
            record_built_from(target, state)
    return Built(
        briefs=generated.briefs,
        written=len(generated.stats.written),
        unchanged=len(generated.stats.unchanged),
        site_dir=site_dir,
        held=generated.held,
        site_built=fresh,
    )


def _changes(stats: WriteStats) -> Changes:
    return Changes(written=list(stats.written), removed=list(stats.removed))


def site_state(settings: Settings) -> bytes:
    """A digest of what the site is built from: the generated docs, the theme, the engine.

    The docs folder is only the generator's, so its graph's manifest stands for it.
    """
    saved = graph.load(settings.docs_dir)
    theme = settings.root / "theme"
    files = sorted(p for p in theme.rglob("*") if p.is_file()) if theme.is_dir() else []
    parts = [saved.manifest if saved else b"no graph", settings.config_file.read_bytes()]
    return graph.digest_files([*parts, engine.versions(settings.engine).encode()], files)


def _check_places(
    checked: Checked, docs: list[Document], folder: Path, *, actors_ok: bool
) -> Document:
    """Load and check the place registry and the places the briefs name; return its document.

    Read like the actor registry: a symbolic link is refused, and one bad entry
    is reported once while the others still resolve. Countries are checked only
    against a registry that could be read (``actors_ok``), as brief actors are.
    """
    doc = load.read_places(folder)
    places, problems = validate.validate_places(doc)
    checked.places = places
    checked.report.extend(problems)
    if actors_ok:
        checked.report.extend(validate.place_registry_problems(doc, places, checked.actors))
    if places or not doc.problems:  # a broken registry would flag every id
        checked.report.extend(validate.place_references(docs, places))
    return doc
