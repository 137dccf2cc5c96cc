"""Put rendered pages on disk: only what changed, never half a file.

Unchanged pages keep their bytes and modification time, so MkDocs' live
reload and any file watcher see only real changes; each write goes to a
temporary file first and is renamed into place, so a crash never leaves a
truncated page; pages that are no longer rendered are removed. Files and
folders get the ordinary modes the process umask allows (0644 and 0755 under
umask 022), as any other program's would, so a web server can read them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import posixpath
import secrets
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from generator import graph
from generator.reads import ReadLog
from generator.workers import can_fork, fork_pool

if TYPE_CHECKING:  # only for hints: a run that finds nothing changed imports no renderer
    from generator.render import Page

log = logging.getLogger(__name__)

MARKER = ".briefings-generated"
"""A file that marks a folder as the generator's own, safe to prune."""


@dataclass
class WriteStats:
    """What a write changed, for reports and for the incremental-build checks."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    reads: ReadLog = field(default_factory=ReadLog)
    """What each page rendered for this write read, when recorded (the dependency graph)."""

    def extend(self, other: WriteStats) -> None:
        """Add what another writer did."""
        self.written += other.written
        self.unchanged += other.unchanged
        self.removed += other.removed
        self.reads.extend(other.reads)


TEMPORARY_SUFFIX = ".briefings-tmp"
"""How a file being written ends until it is renamed into place."""


def atomic_write(
    path: str | os.PathLike[str], data: bytes, *, made: set[str] | None = None
) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    ``made`` remembers the folders already created, sparing a system call per
    page. It holds them as strings, which take half the memory of paths (4.3 MB
    against 8.7 MB for 20,000 folders): it lives until the last page is written.
    The paths are handled as strings throughout: pathlib interns every name it
    parses, and the names of 50,000 pages and their temporary files made
    Python's table of interned strings double, to 15 MB, at 10,000 briefs.
    """
    path = os.fspath(path)
    folder = os.path.dirname(path)  # noqa: PTH120 (strings: see above)
    if made is None or folder not in made:
        os.makedirs(folder or ".", exist_ok=True)  # noqa: PTH103
        if made is not None:
            made.add(folder)
    fd, tmp = _create_temporary(path)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        os.replace(tmp, path)  # noqa: PTH105
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)  # noqa: PTH108
        raise


def _create_temporary(path: str) -> tuple[int, str]:
    """A new file beside ``path``, open for writing.

    Unlike :func:`tempfile.mkstemp`, which makes every file 0600, the file is
    created 0666 less the umask: the mode it keeps once renamed into place.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    folder, name = os.path.split(path)
    hidden = f"{folder}/.{name}" if folder else f".{name}"
    while True:
        tmp = f"{hidden}.{secrets.token_hex(4)}{TEMPORARY_SUFFIX}"
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue


def files_in(folder: Path) -> set[str]:
    """Every file under ``folder``, as paths relative to it, in one walk."""
    found = set()
    top = os.fspath(folder)
    for root, _dirs, names in os.walk(top):  # plain strings: pathlib took half the time
        base = os.path.relpath(root, top).replace(os.sep, "/")
        prefix = "" if base == "." else f"{base}/"
        found.update(prefix + name for name in names)
    return found


def _holds(path: str, data: bytes) -> bool:
    """Whether the file at ``path`` holds exactly ``data``."""
    try:
        if os.stat(path).st_size != len(data):  # noqa: PTH116
            return False
        with open(path, "rb") as stream:  # noqa: PTH123 (a str: see atomic_write)
            return stream.read() == data
    except FileNotFoundError:
        return False


def _claim(folder: Path) -> None:
    """Refuse to prune a folder the generator did not create."""
    marker = folder / MARKER
    if folder.exists() and any(folder.iterdir()) and not marker.exists():
        raise FileExistsError(
            f"{folder} holds files the generator did not write; "
            "point docs_dir in site_config.yml at a folder of its own"
        )
    folder.mkdir(parents=True, exist_ok=True)
    marker.touch()


def write_pages(pages: Iterable[Page], folder: Path, *, prune: bool = True) -> WriteStats:
    """Make ``folder`` hold exactly ``pages``, touching only files that change.

    With ``prune=False`` other files are left alone: the preview writes only the
    pages a change affects and removes the ones that went away itself.
    """
    return write_shares([pages], folder, prune=prune)


def write_shares(
    shares: Sequence[Iterable[Page]], folder: Path, *, prune: bool = True
) -> WriteStats:
    """:func:`write_pages` for pages in several shares, each drawn in its own process.

    The shares are usually lazy (each page is rendered as it is drawn), so a
    site renders on every core: the worker processes are forked and inherit
    them, and only the lists of written paths come back. One share, or a
    system without ``fork``, draws everything here.
    """
    _claim(folder)
    existing = files_in(folder) if prune else None  # a walk pays off for a whole site only
    workers = len(shares) - 1 if len(shares) > 1 and can_fork() else 0
    stats = WriteStats()
    if workers:
        global _INHERITED  # what the forked workers find, never pickled
        reads = [ReadLog(for_fork=True) for _ in range(workers)]  # the forked workers write them
        _INHERITED = (shares, folder, existing, reads)
        try:
            with fork_pool(workers) as pool:
                # Submitted before the first share is drawn here: the fork copies it undrawn.
                futures = [pool.submit(_write_share, n) for n in range(1, len(shares))]
                _write(shares[0], folder, existing, stats)
                for future, worker_reads in zip(futures, reads, strict=True):
                    stats.extend(future.result())
                    stats.reads.extend(worker_reads)
        except BaseException:
            _remove_temporaries(folder)  # a killed worker may have been writing a page
            raise
        finally:
            _INHERITED = None
    else:
        for share in shares:
            _write(share, folder, existing, stats)
    if existing is not None:
        wanted = {MARKER, *stats.written, *stats.unchanged}
        for gone in sorted(existing - wanted):
            (folder / gone).unlink(missing_ok=True)
            stats.removed.append(gone)
    log.info(
        "wrote %d pages, %d unchanged, %d removed",
        len(stats.written),
        len(stats.unchanged),
        len(stats.removed),
    )
    return stats


def _remove_temporaries(folder: Path) -> None:
    """Remove the temporary files of writes that were cut short."""
    for root, _dirs, names in os.walk(folder):
        for name in names:
            if _temporary(name):
                Path(root, name).unlink(missing_ok=True)


def _temporary(name: str) -> bool:
    """Whether ``name`` is that of a write's temporary file (see :func:`atomic_write`)."""
    return name.startswith(".") and name.endswith(TEMPORARY_SUFFIX)


_INHERITED: tuple[Sequence[Iterable[Page]], Path, set[str] | None, list[ReadLog]] | None = None
"""The shares, folder, existing files and read logs of a parallel write, as forked workers
inherit them."""


def _write_share(number: int) -> WriteStats:
    """In a forked worker: draw and write one share of the pages."""
    assert _INHERITED is not None
    shares, folder, existing, reads = _INHERITED
    stats = WriteStats(reads=reads[number - 1])
    _write(shares[number], folder, existing, stats)
    stats.reads.flush()  # the parent reads it: the file is theirs both
    stats.reads = ReadLog()  # and holds it already: what goes back is empty
    return stats


def _write(
    pages: Iterable[Page], folder: Path, existing: set[str] | None, stats: WriteStats
) -> None:
    """Write the pages that changed; ``existing`` (if known) spares a read per new page."""
    made: set[str] = set()
    top = os.fspath(folder)
    for page in pages:
        target = f"{top}/{page.path}"  # a str: see atomic_write
        data = page.content()
        if page.reads is not None:
            stats.reads.add(page.path, page.reads)
        if (existing is None or page.path in existing) and _holds(target, data):
            stats.unchanged.append(page.path)
        else:
            atomic_write(target, data, made=made)
            stats.written.append(page.path)


def folder_times(folder: Path, outputs: Iterable[str]) -> dict[str, int]:
    """The modification times (ns) of the subfolders of ``folder`` that hold ``outputs``.

    They let a later run tell that its outputs are all still there without
    listing 50,000 files (:func:`missing_outputs`). A folder changed within
    :data:`~generator.graph.RACY_NS` of now is left out, to be listed next time:
    a file removed in the same clock tick as the last write would leave its
    time as it was, as Git's index reasons about files.
    """
    top, now = os.fspath(folder), time.time_ns()
    times = {}
    for name in {posixpath.dirname(path) for path in outputs} - {""}:
        try:
            changed = os.stat(f"{top}/{name}").st_mtime_ns  # noqa: PTH116 (str: as files_in)
        except OSError:
            continue
        if now - changed > graph.RACY_NS:
            times[name] = changed
    return times


def missing_outputs(folder: Path, outputs: Iterable[str], times: Mapping[str, int]) -> set[str]:
    """Those of ``outputs`` no longer in ``folder``; removes the files of cut-short writes.

    A subfolder whose modification time is the one :func:`folder_times` kept
    had no file added or removed since, so it is not listed: at 10,000 briefs,
    a run that found nothing changed spent 0.5 to 1.7 s listing 52,742 outputs
    when the system had none of the folders cached. Any other folder, the top
    one among them (the dependency graph is saved there after the times are
    taken), is listed, and the temporary files of writes cut short are removed.
    """
    top = os.fspath(folder)
    wanted: dict[str, list[str]] = {}
    for path in outputs:
        name, _, file = path.rpartition("/")
        wanted.setdefault(name, []).append(file)
    missing = set()
    for name, files in wanted.items():
        where = f"{top}/{name}" if name else top
        try:
            if name in times and os.stat(where).st_mtime_ns == times[name]:  # noqa: PTH116
                continue
            found = _list_files(where)
        except OSError:
            found = set()
        prefix = f"{name}/" if name else ""
        missing.update(prefix + file for file in files if file not in found)
    return missing


def _list_files(folder: str) -> set[str]:
    """The names of the files in ``folder``, after removing those of cut-short writes."""
    names = set()
    with os.scandir(folder) as entries:
        for entry in entries:
            if _temporary(entry.name):
                Path(entry.path).unlink(missing_ok=True)
            else:
                names.add(entry.name)
    return names


def remove_outputs(paths: Iterable[str], folder: Path) -> list[str]:
    """Remove the named outputs from ``folder``; return those that were there."""
    removed = []
    for path in sorted(paths):
        target = folder / path
        if target.is_file():
            target.unlink()
            removed.append(path)
    return removed
