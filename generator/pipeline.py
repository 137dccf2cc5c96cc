"""The generator as one readable pipeline: load → validate → index → render → write → build.

Each stage lives in its own module; this one only calls them in order, the way
MkDocs' ``build()`` reads as its own table of contents.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import itertools
import logging
import os
import pickle
import secrets
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import pydantic
import yaml

from generator import engine, graph, heap, load, pickles, pictures
from generator.config import Settings
from generator.errors import BriefingsError, Problem, Report
from generator.reads import recording
from generator.site import (
    Changes,
    build_site,
    built_from,
    publishing,
    record_built_from,
    start_linking,
)
from generator.workers import can_fork, fork_pool
from generator.write import (
    WriteStats,
    folder_times,
    missing_outputs,
    remove_outputs,
    write_shares,
)

# The stages that read the briefs (validation, index, rendering, schemas) are imported
# where they are first needed: a run that finds nothing changed needs none of them,
# and importing them (Pydantic's models, Jinja, Markdown) was a quarter of its time.
if TYPE_CHECKING:
    import datetime as dt

    from generator.index import Index
    from generator.models import Actor, Place
    from generator.render import Page, Plan
    from generator.validate import Collided, CrossChecked, Held, Suggestions, ValidBrief

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

CACHE_SUFFIX = ".check-cache.pickle"
"""The persisted check cache sits beside the docs folder, whose pruning would remove it."""


def cache_path(settings: Settings) -> Path:
    """Where ``generate`` keeps its check cache: ``build/docs`` → ``build/docs.check-cache.pickle``."""
    docs = settings.docs_dir
    return docs.with_name(docs.name + CACHE_SUFFIX)


@functools.cache
def code_version() -> bytes:
    """A digest of the generator's own code and of the libraries that shape a checked brief.

    A cache written by other code may hold problems worded otherwise, or models
    of another shape: it is thrown away rather than trusted.
    """
    digest = hashlib.blake2b(digest_size=16)
    digest.update(
        f"{sys.version_info[:3]} pydantic {pydantic.VERSION} yaml {yaml.__version__}".encode()
    )
    package = Path(__file__).resolve().parent
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode() + b"\0")
        digest.update(source.read_bytes())
    return digest.digest()


CheckedFile = tuple[Signature, load.Document, "ValidBrief | None", list[Problem]]
"""One brief as checked on its own: the digest of its bytes, and what loading and validating gave."""


Stat = graph.Stat

RACY_NS = graph.RACY_NS
"""How recently changed (ns) a file must not be for its ``stat`` to stand for its bytes."""

ENTRIES_AT_ONCE = 500
"""Entries pickled together when the whole check cache is written (see ``_write_whole``)."""

MAX_CHANGES = 16
"""Saves of changed entries kept beside the cache file before it is written whole again."""


@dataclass
class CheckCache:
    """Briefs already loaded and validated, by file, so an unchanged brief is not read again.

    The preview keeps one in memory; ``generate`` can keep one on disk
    (:meth:`load`, :meth:`save`). Each document holds only what the cross-file
    checks need (its references, places and publication), not its data or positions.

    On disk, the whole cache is one pickle, and each later save that changed a
    few entries writes only those, to a numbered file beside it: at 10,000
    briefs the whole file is 85 MB and took 6 s to write, once per publish.
    Every entry stands for the bytes of its file (its signature), so an entry
    of any save is right for a brief with those bytes: a change file lost, or
    left from an older cache, can only cost a brief checked again.
    """

    entries: dict[Path, CheckedFile] = field(default_factory=dict)
    registry: tuple[Signature, load.Document, dict[str, Actor], list[Problem]] | None = None
    token: str = ""
    """Names the whole file that the change files beside it add to."""
    changes: int = field(default=0, repr=False)
    """How many change files were read after the whole file."""
    saved: dict[Path, Signature] = field(default_factory=dict, repr=False)
    """The entries as the file and its change files hold them, by signature."""
    saved_registry: Signature | None = field(default=None, repr=False)
    suggested: Suggestions | None = field(default=None, repr=False)
    """The last check's suggestions, kept in a file of their own (:func:`suggestions_path`)."""
    saved_suggested: Suggestions | None = field(default=None, repr=False)
    crossed: CrossChecked | None = field(default=None, repr=False)
    """The last check's cross-file problems by brief, kept in memory only (the preview's)."""
    collided: Collided | None = field(default=None, repr=False)
    """The names each brief claimed at the last check, in memory only (the preview's)."""
    places: tuple[Signature, load.Document, dict[str, Place], list[Problem]] | None = field(
        default=None, repr=False
    )
    """The place registry as the last check read it, by the registries' signature; in memory."""
    stats: dict[Path, tuple[Stat, Signature]] = field(default_factory=dict, repr=False)
    """Each file's signature by what ``stat`` said of it then, in memory: see :meth:`signature`."""
    quiet: _Quiet | None = field(default=None, repr=False)
    """The last check, if its checks across briefs found nothing; in memory (see :class:`_Quiet`)."""

    def signature(self, path: Path, start: int) -> Signature:
        """A file's signature, hashed again only when ``stat`` says it may have changed.

        Reading and hashing every brief took 0.6 s of each preview check at
        10,000 briefs; a ``stat`` takes a hundredth of that. Like Git's index,
        a file changed within :data:`RACY_NS` before the check began (``start``,
        in ns) is hashed again each time: a second write in the same clock tick
        can leave its time and size as they were.
        """
        try:
            stat = graph.file_stat(path)
        except OSError:
            return file_signature(path)  # raises what reading it raises
        known = self.stats.get(path)
        if known is not None and known[0] == stat:
            return known[1]
        signature = file_signature(path)
        if graph.settled(stat, start):
            self.stats[path] = (stat, signature)
        else:
            self.stats.pop(path, None)
        return signature

    @classmethod
    def load(cls, path: Path) -> CheckCache:
        """The cache saved at ``path``; an empty one if it is missing, unreadable or stale.

        Anything wrong with the file (cut short, another generator's, not a
        cache at all) only costs a full check, so it is never an error.
        """
        try:
            with path.open("rb") as stream, _uncollected():
                cache = cls._read_whole(stream)
        except FileNotFoundError:
            return cls()
        except Exception as exc:  # any unreadable cache is rebuilt
            log.info("check cache %s unreadable (%s); checking every brief", path, exc)
            return cls()
        if cache is None:
            log.info("check cache %s is from other code; checking every brief", path)
            return cls()
        cache._read_changes(path)
        cache.saved = {name: entry[0] for name, entry in cache.entries.items()}
        cache.saved_registry = cache.registry[0] if cache.registry else None
        cache.suggested = cache.saved_suggested = _load_suggestions(suggestions_path(path))
        return cache

    @classmethod
    def _read_whole(cls, stream: BinaryIO) -> CheckCache | None:
        """The whole file's cache (see :meth:`_write_whole`); None if other code wrote it."""
        version, cache = pickle.load(stream)  # our own file, beside our output
        if version != code_version() or not isinstance(cache, cls):
            return None  # its entries, of another shape, are not even read
        for share in pickles.load_shares(stream):
            cache.entries.update(share)
        return cache

    def _write_whole(self, stream: BinaryIO) -> None:
        """Write the cache without its entries, then its entries a share at a time.

        Pickled whole, the cache of 10,000 briefs took 90 MB more for a moment,
        the peak of a cold run (see :mod:`generator.pickles`).
        """
        entries = list(self.entries.items())
        head = replace(
            self,
            entries={},
            saved={},
            saved_registry=None,
            suggested=None,
            saved_suggested=None,
            crossed=None,
            collided=None,
            places=None,
            stats={},
            quiet=None,
        )
        pickle.dump((code_version(), head), stream, pickle.HIGHEST_PROTOCOL)
        pickles.dump_shares(entries, stream, ENTRIES_AT_ONCE)

    def save_suggestions(self, path: Path) -> None:
        """Write the suggestions beside the cache at ``path``, if they changed since read."""
        if self.suggested is not self.saved_suggested and self.suggested is not None:
            write = functools.partial(_write_suggestions, self.suggested)
            _atomic_write(suggestions_path(path), write)
            self.saved_suggested = self.suggested

    def _read_changes(self, path: Path) -> None:
        """Apply the change files saved after the whole file, in order, up to one unreadable."""
        while True:
            try:
                with _change_file(path, self.changes + 1).open("rb") as stream:
                    version, token, changed, removed, registry = pickle.load(stream)
            except FileNotFoundError:
                return
            except Exception:  # cut short: the next save writes the cache whole
                self.changes = MAX_CHANGES
                return
            if (version, token) != (code_version(), self.token):
                return  # left from an earlier whole file
            self.entries.update(changed)
            for name in removed:
                self.entries.pop(name, None)
            self.registry = registry
            self.changes += 1

    def save(self, path: Path) -> None:
        """Write what changed since :meth:`load` (a build cut short leaves the old files).

        The whole cache is written again when there is none yet, when many
        entries changed, or after :data:`MAX_CHANGES` change files.
        """
        self.save_suggestions(path)
        changed = {name: e for name, e in self.entries.items() if self.saved.get(name) != e[0]}
        removed = [name for name in self.saved if name not in self.entries]
        registry = self.registry[0] if self.registry else None
        if self.token and not changed and not removed and registry == self.saved_registry:
            return
        if self.token and self.changes < MAX_CHANGES and len(changed) * 4 < len(self.entries):
            self.changes += 1
            _atomic_dump(
                _change_file(path, self.changes),
                (code_version(), self.token, changed, removed, self.registry),
            )
        else:
            self.token, self.changes = secrets.token_hex(8), 0
            _atomic_write(path, self._write_whole)
            for stale in path.parent.glob(f"{path.name}.*"):
                stale.unlink(missing_ok=True)
        self.saved = {name: entry[0] for name, entry in self.entries.items()}
        self.saved_registry = registry


def _change_file(path: Path, number: int) -> Path:
    return path.with_name(f"{path.name}.{number}")


def suggestions_path(path: Path) -> Path:
    """Where the suggestions of the cache at ``path`` are kept: written whole, on their own."""
    return path.with_suffix(".suggestions")


_SUGGESTION_TABLES = ("traits", "events", "questions")
"""The tables of :class:`~generator.validate.Suggestions` that are kept by file, in shares."""


def _write_suggestions(suggested: Suggestions, stream: BinaryIO) -> None:
    """Write the suggestions without their tables, then each table a share of files at a time.

    Pickled whole (:mod:`generator.pickles`), the suggestions of 10,000 briefs
    took 26 MB more while they were written, the peak of a cold check.
    """
    head = replace(suggested, **{table: {} for table in _SUGGESTION_TABLES})
    pickle.dump((code_version(), head), stream, pickle.HIGHEST_PROTOCOL)
    for table in _SUGGESTION_TABLES:
        pickles.dump_shares(list(getattr(suggested, table).items()), stream, ENTRIES_AT_ONCE)


def _load_suggestions(path: Path) -> Suggestions | None:
    """The suggestions saved at ``path``, or None: a missing or stale file costs a full compare."""
    from generator.validate import Suggestions  # imported late: see the note above the imports

    try:
        with path.open("rb") as stream, _uncollected():
            version, suggested = pickle.load(stream)  # our own file, beside our output
            if version != code_version() or not isinstance(suggested, Suggestions):
                return None  # its tables, of another shape, are not even read
            for table in _SUGGESTION_TABLES:
                for share in pickles.load_shares(stream):
                    getattr(suggested, table).update(share)
    except Exception:  # missing, cut short or not ours: compared again
        return None
    return suggested


def _atomic_dump(path: Path, value: object) -> None:
    """Pickle ``value`` to ``path`` through a temporary file, so that it is whole or absent."""
    _atomic_write(path, lambda stream: pickle.dump(value, stream, pickle.HIGHEST_PROTOCOL))


def _atomic_write(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write ``path`` with ``write`` through a temporary file, so that it is whole or absent."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("wb") as stream:
            write(stream)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


@contextmanager
def _uncollected() -> Iterator[None]:
    """No garbage collection while a large pickle loads, nor of what it loaded.

    Collecting while loading frees nothing, and took a third of the load. What
    is loaded then lives as long as the run, so it is frozen out of later
    collections (:func:`gc.freeze`; :func:`generate` unfreezes at its end): at
    10,000 briefs, walking it again and again doubled the time of what followed.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def file_signature(path: Path) -> Signature:
    """A digest of a file's bytes, to tell whether it changed since it was last read."""
    return hashlib.blake2b(path.read_bytes(), digest_size=16).digest()


def registry_signature(settings: Settings) -> Signature | None:
    """The registries' signature (actors, and places if any), or None without actors."""
    path = settings.briefings_dir / load.ACTORS_FILE
    places = settings.briefings_dir / load.PLACES_FILE  # the preview rebuilds on either
    if not path.is_file():  # a folder of that name is reported by the check
        return None
    return file_signature(path) + (file_signature(places) if places.is_file() else b"")


Outcome = tuple[load.Document, "ValidBrief | None", list[Problem]]


def _check_brief(path: Path) -> Outcome:
    """Load and validate one brief on its own, keeping of it only what later checks need."""
    from generator import validate  # imported late: see the note above the imports

    doc = load.load_yaml(path)
    valid, problems = validate.validate_brief(doc)
    validate.settle(doc)
    return doc, valid, problems


PARALLEL_CHECK_FROM = 300
"""Briefs from which a one-off check is shared between processes by default."""


def processes(
    jobs: int, work: int, threshold: int, memory_mb: int = 0, more_mb: float = 0.0
) -> int:
    """How many processes share ``work`` items.

    ``jobs`` as set; with 0 (the default), one per core once there are
    ``threshold`` items, below which forking costs more than it saves, and
    only as many as ``memory_mb`` holds (0: any number) if each comes to hold
    what this one holds now, and ``more_mb``. A process forked to render does:
    it reads the whole index, and CPython copies each page of it as it counts
    references to what the page holds. At 10,000 briefs, two processes
    rendering took 458 MB together, the parent alone 262 MB before it forked.
    """
    if jobs:
        return jobs
    if work < threshold:
        return 1
    cores = os.cpu_count() or 1
    size = heap.resident_mb() if memory_mb else None
    return max(1, min(cores, int(memory_mb // (size + more_mb)))) if size else cores


CHECKED_PER_BYTE = 3
"""About what a check holds, by its end, per byte of the briefs it loads.

At 10,000 briefs (86 MB of YAML) one process held 292 MB at the end of its
check. Shared with a worker, the check took more: 310 MB in this process,
which holds the worker's briefs among the ones it checked itself.
"""


def _check_briefs(
    paths: list[Path],
    cache: CheckCache | None,
    settings: Settings,
    replaced: list[tuple[Outcome, Outcome]],
    files: graph.FileDigests | None = None,
) -> list[Outcome]:
    """Check every brief, in order, taking from the cache those whose bytes did not change.

    The briefs left to check are shared between processes when there are many
    (a cold cache, or none); see :func:`_check_fresh`. A cached brief checked
    again is added to ``replaced``, as it was and as it is. ``files``, when
    given, tells the briefs' signatures (the run digested them already).
    """
    outcomes: list[Outcome | None] = [None] * len(paths)
    todo: list[int] = []
    signatures: dict[int, Signature] = {}
    before: dict[int, Outcome] = {}
    start = time.time_ns()
    for n, path in enumerate(paths):
        if cache is not None:
            signature = files(path) if files is not None else cache.signature(path, start)
            signatures[n] = signature
            cached = cache.entries.get(path)
            if cached and cached[0] == signature:
                outcomes[n] = cached[1:]
                continue
            if cached:
                before[n] = cached[1:]
        todo.append(n)
    for n, outcome in zip(
        todo, _check_fresh([paths[n] for n in todo], settings.jobs, settings.memory_mb), strict=True
    ):
        outcomes[n] = outcome
        if cache is not None:
            cache.entries[paths[n]] = (signatures[n], *outcome)
        if n in before:
            replaced.append((before[n], outcome))
    return outcomes  # type: ignore[return-value]


def _check_fresh(paths: list[Path], jobs: int, memory_mb: int = 0) -> list[Outcome]:
    """Load and validate ``paths``, in order; many of them on every core.

    The paths are dealt out in turn, a chunk at a time, to forked workers,
    which send back each chunk's checked briefs (pickled: about a tenth of the
    time checking them took). A worker holds only the chunk it checks: sent
    back whole, a worker's half of 10,000 briefs was alive in both processes
    as it passed, 365 MB together. With ``jobs`` 0, the briefs' size tells
    whether ``memory_mb`` holds more than one process (:data:`CHECKED_PER_BYTE`).
    """
    weigh = memory_mb and not jobs and len(paths) >= PARALLEL_CHECK_FROM  # else not asked
    loaded = sum(_size(path) for path in paths) / 2**20 if weigh else 0.0
    jobs = processes(jobs, len(paths), PARALLEL_CHECK_FROM, memory_mb, CHECKED_PER_BYTE * loaded)
    if jobs < 2 or not can_fork():
        return _check_share(paths)
    size = max(1, min(CHECK_CHUNK, -(-len(paths) // jobs)))
    chunks = [paths[n : n + size] for n in range(0, len(paths), size)]
    with fork_pool(jobs - 1) as pool:
        theirs = {n: pool.submit(_check_share, c) for n, c in enumerate(chunks) if n % jobs}
        mine = {n: _check_share(c) for n, c in enumerate(chunks) if n % jobs == 0}
        done = [mine[n] if n in mine else theirs.pop(n).result() for n in range(len(chunks))]
    return [outcome for chunk in done for outcome in chunk]


CHECK_CHUNK = 100
"""Most briefs a check worker sends back at once."""


def _size(path: Path) -> int:
    """A file's size in bytes; 0 for one gone, which its check reports."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _check_share(paths: list[Path]) -> list[Outcome]:
    return [_check_brief(path) for path in paths]


def _check_actors(
    settings: Settings, cache: CheckCache | None, signature: Signature | None
) -> tuple[load.Document, dict[str, Actor], list[Problem]]:
    """Load and validate the actor registry, or take it from the cache when unchanged.

    ``signature`` is the registries' (:func:`registry_signature`), when there is a cache.
    """
    from generator import validate  # imported late: see the note above the imports

    if cache is not None and cache.registry and signature == cache.registry[0]:
        return cache.registry[1:]
    doc = load.read_actors(settings.briefings_dir)
    actors, problems = validate.validate_actors(doc)
    if cache is not None and signature is not None:
        cache.registry = (signature, doc, actors, problems)
    return doc, actors, problems


def check(
    settings: Settings,
    cache: CheckCache | None = None,
    *,
    suggestions: bool = True,
    saved_at: Path | None = None,
    files: graph.FileDigests | None = None,
) -> Checked:
    """Load and validate every file, collecting all problems before deciding anything.

    With a ``cache`` (the preview keeps one, ``generate`` can keep one on disk),
    briefs whose bytes did not change are not read again. Without ``suggestions``,
    the two checks that compare every brief with every other (an event that looks
    like another brief's, a question another brief may answer) are left out: they
    only ever warn, and the preview shows no warnings. ``saved_at`` is where the
    cache is kept on disk, if it is: see :func:`_suggestions`. ``files`` digests
    the briefs with a cache, when the run has digested them already.
    """
    from generator import render, validate  # imported late: see the note above the imports

    folder = settings.briefings_dir
    checked = Checked()
    load.forget_recent_positions()  # a file may have changed since they were read
    registry = registry_signature(settings) if cache is not None else None
    actors_doc, checked.actors, problems = _check_actors(settings, cache, registry)
    checked.report.extend(problems)
    paths, problems = load.find_brief_files(folder)
    checked.report.extend(problems)
    case_at = len(checked.report.problems)  # their place in the report, found below
    docs = []
    replaced: list[tuple[Outcome, Outcome]] = []
    for doc, valid, problems in _check_briefs(paths, cache, settings, replaced, files):
        docs.append(doc)
        checked.report.extend(problems)
        if valid:
            checked.briefs.append(valid)
    site_outputs = render.site_outputs(settings)
    quiet = _Quiet(paths, registry, settings.today, tuple(site_outputs))
    same = cache is not None and cache.quiet is not None and cache.quiet.holds(quiet, replaced)
    across = _Across(skip=same)
    checked.report.problems[case_at:case_at] = across(validate.case_collisions, paths)
    checked.report.extend(validate.date_problems(checked.briefs, settings.today))
    checked.report.extend(validate.change_date_problems(checked.briefs, settings.today))
    checked.report.extend(across(validate.thread_problems, checked.briefs))
    checked.report.extend(across(validate.link_problems, docs, checked.briefs, settings.today))
    if suggestions:
        checked.report.extend(_suggestions(checked, cache, registry, saved_at))
    if cache is not None and not same:
        for gone in set(cache.entries) - set(paths):
            del cache.entries[gone]
            cache.stats.pop(gone, None)
    if checked.actors or not actors_doc.problems:  # a broken registry would flag every id
        if cache is not None and cache.crossed is None:
            cache.crossed = validate.CrossChecked()
        crossed = cache.crossed if cache is not None else None
        checked.report.extend(across(validate.cross_check, docs, checked.actors, crossed))
    actors_ok = bool(checked.actors) or not actors_doc.problems
    places_doc = _check_places(checked, docs, folder, cache, registry, across, actors_ok=actors_ok)
    if cache is not None and cache.collided is None:
        cache.collided = validate.Collided()
    collided = cache.collided if cache is not None else None
    checked.report.extend(
        across(
            validate.output_collisions, docs, actors_doc, render, site_outputs, places_doc, collided
        )
    )
    if cache is not None:
        cache.quiet = quiet if across.quiet and registry is not None else None
    load.forget_recent_positions()
    if cache is None:  # a one-off check: the references have served their purpose
        for doc in docs:
            doc.references = None
    return checked


@dataclass
class _Quiet:
    """A check whose checks across briefs found nothing, and what they were run on.

    The preview checks every brief on every save, and at 10,000 briefs the checks
    across briefs took a third of a second even with nothing to say. Run again on
    the same files and registries, the same day, they can only find something if
    a changed brief names other ids, tags, places or briefs, or is published
    otherwise (:func:`_crossing`).
    """

    paths: list[Path]
    registry: Signature | None
    today: dt.date
    site_outputs: tuple[str, ...]

    def holds(self, now: _Quiet, replaced: list[tuple[Outcome, Outcome]]) -> bool:
        """Whether the checks across briefs would again find nothing ``now``."""
        return (
            now.registry is not None
            and now.registry == self.registry
            and now.today == self.today
            and now.site_outputs == self.site_outputs
            and now.paths == self.paths  # the very paths: compared by identity first
            and all(_crossing(old) == _crossing(new) for old, new in replaced)
        )


def _crossing(outcome: Outcome) -> tuple[object, ...]:
    """What the checks across briefs read of one brief (see :class:`_Quiet`)."""
    doc, valid, _ = outcome
    brief = valid.brief if valid else None
    published = (brief.continues, brief.draft, brief.date) if brief else None
    return doc.references, doc.place_references, doc.publication, published


class _Across:
    """Runs the checks across briefs, or skips them when they can find nothing.

    Remembers whether all of them found nothing, for the next check (:class:`_Quiet`).
    """

    def __init__(self, skip: bool) -> None:
        self.skip, self.quiet = skip, True

    def __call__(self, check: Callable[..., list[Problem]], *args: object) -> list[Problem]:
        """The problems of ``check(*args)``; none when skipped."""
        problems = [] if self.skip else check(*args)
        self.quiet = self.quiet and not problems
        return problems


def _suggestions(
    checked: Checked,
    cache: CheckCache | None,
    registry: Signature | None,
    saved_at: Path | None = None,
) -> list[Problem]:
    """The suggestion warnings; with a cache, compared again only where briefs changed.

    At 10,000 briefs the comparison allocates 100 MB on top of the briefs. Its
    32,000 warnings, made among that, kept the allocator's arenas resident once
    the rest was freed, and every later stage was counted on top. So the
    comparison gives the suggestions packed (:func:`validate.suggestions`), and
    the warnings are made from them once all else it allocated is freed; with
    a cache kept on disk at ``saved_at``, the suggestions are saved and let go
    of first. A forked process, tried before, kept this process small, but it
    copied 150 MB of pages it read as it counted their references: the two
    took 446 MB together.
    """
    from generator import validate  # imported late: see the note above the imports

    briefs, actors = checked.briefs, checked.actors
    if cache is None:
        try:
            return validate.shared_event_problems(briefs, actors) + validate.question_problems(
                briefs, actors
            )
        finally:
            validate.forget_words()
    versions = {str(item.path): cache.entries[item.path][0] for item in briefs}
    try:
        suggested = validate.suggestions(briefs, actors, versions, registry, cache.suggested)
    finally:
        validate.forget_words()
    del versions
    tables = (suggested.events, suggested.questions)
    cache.suggested = suggested
    if saved_at is not None:
        cache.save_suggestions(saved_at)
        cache.suggested = cache.saved_suggested = None  # read again from the file if need be
        del suggested
        gc.collect()
        heap.trim()
    return validate.suggestion_warnings(briefs, *tables)


def check_with_cache_file(settings: Settings, files: graph.FileDigests | None = None) -> Checked:
    """:func:`check`, with the cache kept beside the docs folder (:func:`cache_path`).

    After one brief is added or edited, only that brief is loaded and
    validated again, and the suggestions compare only the events and questions
    it can alter; the other cross-file checks still run over every brief.
    """
    path = cache_path(settings)
    cache = CheckCache.load(path)
    checked = check(settings, cache, saved_at=path, files=files)
    cache.save(path)
    for item in checked.briefs:  # the cache that needed the rest of their documents is saved
        item.doc.settle()
    return checked


@dataclass(frozen=True)
class Generated:
    """What the generator wrote into the docs folder, and what it held back."""

    briefs: int
    stats: WriteStats
    held: list[Held] | list[graph.HeldNote] = field(default_factory=list)
    rendered: int | None = None
    """How many outputs were rendered: None when all were, 0 when nothing had changed."""
    manifest: bytes = b""
    """The digest of the input files the docs folder now stands for (its graph's)."""


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


def _recorded(render: Callable[[], Page], path: str | None = None) -> Page:
    """Render one output, noting what it reads of the index (the dependency graph).

    ``path``, the plan's string for the output's path, is the one the page
    keeps when they are equal: the graph and the written list hold it already.
    """
    with recording() as keys:
        page = render()
    return replace(page, reads=tuple(keys), path=path if path == page.path else page.path)


def _render_and_write(
    outputs: Callable[[], Iterable[tuple[str, Callable[[], Page]]]],
    paths: list[str],
    settings: Settings,
    todo: set[str] | None,
) -> WriteStats:
    """Render the outputs ``todo`` (all: None) of ``paths`` and write them, sharing larger runs.

    ``outputs`` makes the plan again, one output at a time, in each process
    that renders (:func:`_share`), so no process holds it whole; ``paths`` are
    the plan's paths as they were digested. The outputs are dealt out in turn,
    so each process gets its part of the long listing pages; each page is
    rendered in the process that writes it.
    """
    work = len(paths) if todo is None else len(todo)
    jobs = processes(settings.jobs, work, PARALLEL_FROM, settings.memory_mb)
    shares = [_share(outputs, paths, todo, n, jobs) for n in range(jobs)]
    return write_shares(shares, settings.docs_dir, prune=todo is None)


TRIM_EVERY = 1000
"""Outputs rendered between two trims of the C library's heap (:func:`heap.trim`).

A page's text (up to 150 KB) and what made it are freed among what stays, so
the heap keeps the space resident: at 10,000 briefs, 12 MB by the end of the
render. A trim takes 2 ms; 53 of them, 0.1 s.
"""


def _share(
    outputs: Callable[[], Iterable[tuple[str, Callable[[], Page]]]],
    paths: list[str],
    todo: set[str] | None,
    start: int,
    step: int,
) -> Iterator[Page]:
    """Every ``step``-th output of ``todo`` from ``start``, rendered as it is drawn.

    The plan is made when the first page is drawn, in the process that draws
    it. Kept whole, it bound each of 52,742 outputs at 10,000 briefs to what
    it shows (a listing's older pages to their part of it): 36 MB. Let go of
    as the pages were rendered, it left as much free memory among the arenas
    that the pages' reads, allocated meanwhile in other sizes, could not use.
    The plan made again must list ``paths``, in order.
    """
    chosen = ((path, render) for path, (_, render) in zip(paths, outputs(), strict=True))
    if todo is not None:
        chosen = ((path, render) for path, render in chosen if path in todo)
    for number, (path, render) in enumerate(itertools.islice(chosen, start, None, step), 1):
        yield _recorded(render, path)
        if number % TRIM_EVERY == 0:
            heap.trim()


def render_recorded(plan: Plan, paths: set[str]) -> Iterator[Page]:
    """Render the outputs at ``paths``, in plan order, each with what it read."""
    return (_recorded(render) for path, render in plan if path in paths)


def stamp(settings: Settings) -> bytes:
    """The fingerprint of code and settings, with the map data the pictures are drawn from."""
    try:
        atlas = [pictures.project_atlas(settings.root)]
    except Exception:
        atlas = []
    return graph.fingerprint(settings, atlas)


def _up_to_date(settings: Settings, old: graph.Head | None, inputs: bytes) -> bool:
    """Whether the docs folder already holds what a run would write: nothing changed."""
    if old is None or old.manifest != inputs:
        return False
    if old.until is not None and settings.today >= old.until:
        return False
    return not missing_outputs(settings.docs_dir, old.outputs, old.folders)


@dataclass(frozen=True)
class Looked:
    """What a run found before it read any brief: whether the docs folder is up to date."""

    fingerprint: bytes
    inputs: bytes
    """The manifest of the input files (:func:`graph.manifest`)."""
    head: graph.Head | None
    """The docs folder's graph's head, if it has one."""
    up_to_date: bool
    files: graph.FileDigests = field(default_factory=graph.FileDigests)
    """The input files' digests, as the manifest took them."""


def look(settings: Settings, head: graph.Head | None = None) -> Looked:
    """Digest the input files and compare them with the docs folder's graph (``head``, if read)."""
    fingerprint = stamp(settings)
    head = head if head is not None else graph.load_head(settings.docs_dir)
    files = graph.FileDigests(head.files if head is not None else None)
    inputs = graph.manifest(settings, fingerprint, files)
    return Looked(fingerprint, inputs, head, _up_to_date(settings, head, inputs), files)


def generate(
    settings: Settings, head: graph.Head | None = None, looked: Looked | None = None
) -> Generated:
    """Check, index, render and write the Markdown pages; raise if any brief is invalid.

    Only the outputs whose inputs changed are rendered (:mod:`generator.graph`);
    when no input file changed at all, nothing is even read. ``head`` is the
    docs folder's graph's head when the caller has read it already; ``looked``
    is what :func:`look` found, when the caller has looked already.
    """
    looked = looked if looked is not None else look(settings, head)
    fingerprint, inputs, head = looked.fingerprint, looked.inputs, looked.head
    if looked.up_to_date:
        assert head is not None
        warn_all(head.warnings)
        stats = WriteStats(unchanged=sorted(head.outputs))
        held_notes = [graph.HeldNote(*h) for h in head.held]
        return Generated(head.briefs, stats, held_notes, rendered=0, manifest=inputs)
    with _collect_rarely():
        return _regenerate(settings, head is not None, fingerprint, inputs, looked.files)


def _regenerate(
    settings: Settings,
    has_graph: bool,
    fingerprint: bytes,
    inputs: bytes,
    files: graph.FileDigests | None = None,
) -> Generated:
    """:func:`generate` once some input changed: the whole pipeline, for the stale outputs.

    ``has_graph`` tells whether the docs folder has a graph to read; ``files``
    are the input files' digests the manifest took.
    """
    files = files if files is not None else graph.FileDigests()
    from generator.schema import write_schemas  # imported late: see the note above the imports
    from generator.validate import release

    heap.map_large_blocks()  # each long page or pickle unmapped when let go
    checked = check_with_cache_file(settings, files)
    said = [str(warning) for warning in checked.report.warnings]  # worded once, for both
    warn_all(said)
    if checked.report.errors:
        raise BriefingsError(checked.report.errors)
    # Said, and kept for the graph compressed: at 10,000 briefs 32,433 warnings (10.5 MB
    # of text) were otherwise kept as objects while the pages were rendered.
    notes = graph.pack_notes(said)
    del said
    checked.report.problems.clear()
    heap.trim()  # what the check freed (the suggestions, the cache's pickles)
    published, held = release(checked.briefs, settings.today, preview=settings.preview)
    stats, rendered = _render_stale(
        settings, checked, published, held, has_graph, fingerprint, inputs, notes, files
    )
    if settings.schema_dir:  # once the index and the graphs are let go: the peak is lower
        write_schemas(settings.schema_dir, checked.actors, checked.places, checked.briefs)
    return Generated(len(published), stats, held, rendered=rendered, manifest=inputs)


def _planned(
    current: graph.Inputs,
    index: Index,
    settings: Settings,
    old: graph.Graph | None = None,
    stale: set[int] | None = None,
) -> list[str]:
    """Every output's path, each output's plan digested as it is made and then let go of.

    No process holds the plan whole: each one rendering makes it again (:func:`_share`).
    With the ``old`` graph and its ``stale`` keys, the older pages of unchanged
    listings keep their digests (:meth:`graph.Inputs.settle_plan`).
    """
    from generator.render import plan_outputs, ready_pictures

    ready_pictures(index, settings)
    paths = current.settle_plan(plan_outputs(index, settings), old=old, stale=stale)
    if current.reused:
        log.debug("plan: %d older pages as they were", current.reused)
    return paths


def _render_stale(
    settings: Settings,
    checked: Checked,
    published: list[ValidBrief],
    held: list[Held],
    has_graph: bool,
    fingerprint: bytes,
    inputs: bytes,
    notes: bytes,
    files: graph.FileDigests | None = None,
) -> tuple[WriteStats, int]:
    """Index the briefs, render and write the stale outputs, save the graph.

    ``notes`` are the check's warnings, packed for the graph; ``files`` the input
    files' digests, kept with the graph for the next run. Returns what was
    written and how many outputs were rendered. The index, the old and new
    graphs and the digests of their keys live only as long as this call: at
    10,000 briefs, the schemas written after it reuse their memory.
    """
    from generator.index import build_index  # imported late: see the note above the imports
    from generator.render import forget_caches, plan_outputs

    old = graph.load(settings.docs_dir) if has_graph else None
    index = build_index(published, checked.actors, settings.related, checked.places)
    gc.freeze()
    files = files if files is not None else graph.FileDigests()
    digests = graph.file_digests({item.slug: item.path for item in published}, files)
    current = graph.Inputs(index, digests, {}, settings)
    stale = graph.stale_inputs(old, current, fingerprint)
    if stale is None:
        old = None  # every output renders again: the old graph has nothing more to say
    paths = _planned(current, index, settings, old, stale)
    missing = missing_outputs(settings.docs_dir, old.outputs, old.folders) if old else set()
    todo = graph.to_render(old, current, fingerprint, paths, missing, stale)
    graph.discard(settings.docs_dir)
    stats = _render_and_write(
        functools.partial(plan_outputs, index, settings), paths, settings, todo
    )
    forget_caches()  # and the render's caches'
    heap.trim()
    if todo is not None and old is not None:
        stats.removed += remove_outputs(set(old.outputs) - set(paths), settings.docs_dir)
        stats.unchanged += [path for path in paths if path not in todo]
    saved = graph.updated(
        old, current, stats.reads.drain(), paths,
        fingerprint=fingerprint, manifest=inputs, until=graph.next_release(held),
        briefs=len(published), notes=notes,
        held=[(h.item.path.name, h.reason) for h in held], files=files.table(),
        folders=folder_times(settings.docs_dir, paths),
    )  # fmt: skip
    rendered = len(paths) if todo is None else len(todo)
    # The digests and their memo are let go before the graph is pickled, which
    # takes memory of its own (the index stays: the renderer's cycles hold it).
    del current
    heap.trim()
    graph.save(saved, settings.docs_dir)
    return stats, rendered


@dataclass(frozen=True)
class Built:
    """The outcome of a full build, for the command line to report."""

    briefs: int
    written: int
    unchanged: int
    site_dir: Path
    held: list[Held] | list[graph.HeldNote] = field(default_factory=list)
    site_built: bool = True
    """False when the published site was already built from the same docs and theme."""


EACH_LINE = "each_line"
"""The attribute of a log record that holds many warnings, one per line (:func:`warn_all`)."""


def warn_all(warnings: Iterable[object]) -> None:
    """Log every warning, as records of :data:`WARNINGS_AT_ONCE` with one warning per line.

    At 10,000 briefs a run may say 30,000 warnings: one record each took 0.7 s,
    a quarter of a run that finds nothing changed. The command line's
    formatter gives each line the level's prefix, as it would have had alone.
    """
    lines = [str(warning) for warning in warnings]
    for start in range(0, len(lines), WARNINGS_AT_ONCE):
        said = lines[start : start + WARNINGS_AT_ONCE]
        log.warning("%s", _Joined(said), extra={EACH_LINE: said})


WARNINGS_AT_ONCE = 1000
"""Warnings said in one record: 32,433 in one made a text of 10.5 MB, copied two or three
times on its way to the terminal, the peak of a run that changed one brief."""


class _Joined:
    """Lines that become one text only when a handler formats the record as text.

    The command line's formatter writes :data:`EACH_LINE` itself, and never
    reads the joined text.
    """

    __slots__ = ("lines",)

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def __str__(self) -> str:
        return "\n".join(self.lines)


def build(settings: Settings) -> Built:
    """The whole pipeline: load → validate → index → render → write → build the site.

    One build of a site runs at a time: another waits until this one is done,
    since both would write the same docs folder. When neither the docs folder
    nor the theme changed since the published site was built from them, the
    site is left as it is.
    """
    target = settings.site_dir
    with publishing(target):
        before = graph.load_head(settings.docs_dir)
        rest = _site_inputs(settings)
        prior = site_state(before.manifest if before else b"no graph", rest)
        looked = look(settings, before)
        # Some brief changed: the published site is linked into the next version on
        # the other core while the generator works (at 10,000 briefs, 6 s of 40).
        linking = None if looked.up_to_date else start_linking(settings)
        try:
            generated = generate(settings, before, looked)
            state = site_state(generated.manifest, rest)
            published_from = built_from(target) if target.exists() else None
            if published_from == state:
                site_dir, fresh = target, False
            else:
                # The site was built from the docs as they were before this run: what this
                # run wrote and removed is all that differs.
                changes = _changes(generated.stats) if published_from == prior else None
                given, linking = linking, None  # build_site's from here on
                site_dir = build_site(settings, changes=changes, linking=given)
                fresh = True
                record_built_from(target, state)
        finally:
            if linking is not None:
                linking.discard()
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


def _site_inputs(settings: Settings) -> bytes:
    """A digest of what the site is built from besides the docs: configuration, theme, engine."""
    theme = settings.root / "theme"
    files = sorted(p for p in theme.rglob("*") if p.is_file()) if theme.is_dir() else []
    parts = [settings.config_file.read_bytes(), engine.versions(settings.engine).encode()]
    return graph.digest_files(parts, files)


def site_state(manifest: bytes, site_inputs: bytes) -> bytes:
    """A digest of what the site is built from: the generated docs and :func:`_site_inputs`.

    The docs folder is only the generator's, so its graph's manifest stands for it.
    """
    return graph.digest_files([manifest, site_inputs], [])


def _check_places(
    checked: Checked,
    docs: list[load.Document],
    folder: Path,
    cache: CheckCache | None,
    registry: Signature | None,
    across: _Across,
    *,
    actors_ok: bool,
) -> load.Document:
    """Load and check the place registry and the places the briefs name; return its document.

    Read like the actor registry: a symbolic link is refused, and one bad entry
    is reported once while the others still resolve. Countries are checked only
    against a registry that could be read (``actors_ok``), as brief actors are.
    With a ``cache``, the registry is read again only when the registries'
    signature (``registry``) changed.
    """
    from generator import validate  # imported late: see the note above the imports

    if cache is not None and cache.places and registry is not None and cache.places[0] == registry:
        doc, places, problems = cache.places[1:]
    else:
        doc = load.read_places(folder)
        places, problems = validate.validate_places(doc)
        if cache is not None and registry is not None:
            cache.places = (registry, doc, places, problems)
    checked.places = places
    checked.report.extend(problems)
    if actors_ok:
        checked.report.extend(validate.place_registry_problems(doc, places, checked.actors))
    if places or not doc.problems:  # a broken registry would flag every id
        checked.report.extend(across(validate.place_references, docs, places))
    return doc
