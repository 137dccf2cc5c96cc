"""Build the static site with MkDocs, index it for search, and publish it in one atomic step.

``mkdocs build`` empties its output folder before it starts, so a failed build
would leave readers a broken site. Each build goes into a version folder of
its own beside the target (``.site-builds/<id>/`` for ``site/``), and the
target is a symbolic link to the published version. Publishing replaces that
link with one ``rename(2)``, so a reader, a web server or an ``rsync`` finds
the old site or the new one, never none and never half of one, even when the
build is killed at any point.

A build holds a lock on ``.site-builds/.lock`` from start to end, so builds of
one site take turns. Holding it, a build first clears what killed or earlier
builds left behind: every version but the published one, and the folders of
the old ``.site-new-*``/``.site-old-*`` scheme. The previous version therefore
stays until the next build starts, for readers who were still in it.

A ``site/`` that is a real folder (from before versions) is moved into the
versions folder as it is published over. On Linux, ``renameat2`` exchanges it
with the link in one step; elsewhere it is two renames, with no ``site/`` in
between for as long as a rename takes.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import logging
import os
import secrets
import shutil
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from generator import engine, search
from generator.config import Settings
from generator.errors import BuildError, display_path

log = logging.getLogger(__name__)

LOCK = ".lock"
"""The lock file, inside the versions folder."""

BUILT_FROM = ".built-from"
"""Inside the versions folder: a digest of what the published version was built from."""


def run_mkdocs(settings: Settings, site_dir: Path, *, strict: bool = True) -> None:
    """Build ``docs_dir`` into ``site_dir`` with the configured engine; raise BuildError on failure.

    The engine (``extra.briefings.engine``: ProperDocs, MkDocs or Zensical) runs
    through its own command line; see :mod:`generator.engine`.
    """
    chosen = engine.get_engine(settings.engine, settings.config_file)
    engine.build(chosen, settings.config_file, site_dir, strict=strict)


def versions_folder(target: Path) -> Path:
    """Where the versions of ``target`` live: ``.site-builds/`` beside ``site/``."""
    return target.with_name(f".{target.name}-builds")


@dataclass(frozen=True)
class Changes:
    """What the generator changed in the docs folder since the published site was built."""

    written: list[str]
    removed: list[str]


def build_site(settings: Settings, *, strict: bool = True, changes: Changes | None = None) -> Path:
    """Build the site into a new version folder, index it for search, then publish it.

    Pagefind indexes the version folder before it is published, so a site is
    never published without its search, and a failed index publishes nothing.
    """
    target = settings.site_dir
    with publishing(target):
        version = _new_version(versions_folder(target))
        try:
            run_mkdocs(settings, version, strict=strict)
            search.index_site(version)
        except BaseException:
            _remove(version)
            raise
        _publish(version, target)
    return target


def built_from(target: Path) -> bytes | None:
    """What the published site was built from (see :func:`record_built_from`), if known."""
    try:
        return (versions_folder(target) / BUILT_FROM).read_bytes()
    except OSError:
        return None


def record_built_from(target: Path, state: bytes) -> None:
    """Note, once a site is published, a digest of what it was built from.

    A build whose docs, theme and engine are the same again can then leave the
    site as it is. Written to a temporary file and renamed, so never half written.
    """
    path = versions_folder(target) / BUILT_FROM
    temporary = path.with_name(f"{BUILT_FROM}.tmp")
    temporary.write_bytes(state)
    temporary.replace(path)


_held = threading.local()
"""The targets this thread holds the lock of: a build within a build takes it once."""


@contextmanager
def publishing(target: Path) -> Iterator[None]:
    """Hold the right to publish ``target``, after clearing what earlier builds left.

    Raises BuildError, before anything is built, when ``target`` cannot be
    replaced. Another build of the same target is waited for, with a message.
    """
    held: set[Path] = _held.__dict__.setdefault("targets", set())
    key = target.absolute()
    if key in held:
        yield
        return
    builds = versions_folder(target)
    _refuse_read_only(target.parent, target)
    _make_folder(builds, target)
    _refuse_read_only(builds, target)
    fd = os.open(builds / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    try:
        _lock(fd, target)
        held.add(key)
        try:
            _refuse_read_only(target, target)
            _clear_leftovers(target)
            yield
        finally:
            held.discard(key)
    finally:
        os.close(fd)  # releases the lock


def _lock(fd: int, target: Path) -> None:
    """Take the lock on ``fd``; say whom we wait for when another build holds it."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
        log.warning(
            "waiting for another build of %s (pid %s) to finish", display_path(target), holder
        )
        fcntl.flock(fd, fcntl.LOCK_EX)
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)


def _read_only(path: Path) -> bool:
    """Whether ``path`` may not be written: no access, or no write bit at all.

    The mode bits count even for root, who may write anyway: a folder made
    read-only says that someone wants it left alone.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return False
    return not os.access(path, os.W_OK) or not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def _refuse_read_only(path: Path, target: Path) -> None:
    """Raise BuildError naming ``path`` when it is read-only."""
    if not _read_only(path):
        return
    shown = display_path(path)
    if path == target:
        raise BuildError(
            f"{shown} is read-only, so the new site cannot replace it; "
            f"make it writable (chmod -R u+w {shown}/) or remove it, then build again"
        )
    raise BuildError(
        f"{shown} is read-only, so {display_path(target)} cannot be replaced; "
        f"make it writable (chmod u+w {shown}), then build again"
    )


def _make_folder(folder: Path, target: Path) -> None:
    """Create ``folder`` (0777 less the umask); a failure is a BuildError naming it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(
            f"cannot create {display_path(folder)} to publish {display_path(target)}: "
            f"{exc.strerror}; check the folder's permissions, then build again"
        ) from exc


def _published(target: Path) -> str | None:
    """The name of the version ``target`` links to, if it links into the versions folder."""
    if not target.is_symlink():
        return None
    linked = Path(os.path.normpath(target.parent / target.readlink()))
    return linked.name if linked.parent == Path(os.path.normpath(versions_folder(target))) else None


def _clear_leftovers(target: Path) -> None:
    """Remove every version but the published one, and the old scheme's folders."""
    builds = versions_folder(target)
    keep = {LOCK, BUILT_FROM, _published(target)}
    for entry in sorted(builds.iterdir()):
        if entry.name not in keep:
            _remove(entry)
    for pattern in (f".{target.name}-new-*", f".{target.name}-old-*"):
        for entry in sorted(target.parent.glob(pattern)):
            _remove(entry)


def _remove(path: Path) -> None:
    """Remove a file, link or folder tree; say so when it cannot be removed."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, onerror=_writable_and_retry)
        else:
            path.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("could not remove %s: %s", display_path(path), exc.strerror or exc)


def _writable_and_retry(function: Callable[[str], object], path: str, _info: object) -> None:
    """Make a read-only folder of a leftover writable, then retry removing from it."""
    parent = Path(path).parent
    parent.chmod(parent.stat().st_mode | stat.S_IRWXU)
    function(path)


def _new_version(builds: Path) -> Path:
    """A new, empty version folder, named so that versions sort by time."""
    while True:
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        version = builds / f"{stamp}-{os.getpid()}-{secrets.token_hex(2)}"
        try:
            version.mkdir()  # 0777 less the umask, unlike mkdtemp's 0700
        except FileExistsError:
            continue
        return version


def _publish(version: Path, target: Path) -> None:
    """Make ``target`` a link to ``version`` in one rename; the old site stays readable.

    A real folder at ``target`` is moved into the versions folder, where the
    next build removes it like any previous version.
    """
    link = version.with_name(f".{version.name}.link")
    try:
        link.symlink_to(os.path.relpath(version, target.parent))
        if target.is_dir() and not target.is_symlink():
            _publish_over_folder(link, target, version.with_name(f"{version.name}-previous"))
        else:
            link.replace(target)
    except OSError as exc:
        _remove(link)
        _remove(version)
        raise BuildError(
            f"cannot publish {display_path(target)}: {exc.strerror}; "
            "check the permissions of it and of its folder, then build again"
        ) from exc


def _publish_over_folder(link: Path, target: Path, previous: Path) -> None:
    """Replace the real folder ``target`` by ``link``, moving the folder to ``previous``.

    A link cannot be renamed over a folder, so where ``renameat2`` cannot
    exchange the two, the folder is moved away first: for the moment between
    the two renames there is no ``target``. Should the second fail, the
    folder is moved back.
    """
    if _exchange(link, target):  # the old folder now sits where the link was
        try:
            link.rename(previous)
        except OSError as exc:  # it still goes with the next build's leftovers
            log.warning("could not rename %s: %s", display_path(link), exc.strerror)
        return
    target.rename(previous)
    try:
        link.replace(target)
    except OSError:
        previous.rename(target)
        raise


AT_FDCWD = -100
RENAME_EXCHANGE = 2


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step with Linux's ``renameat2``; False where unsupported."""
    if sys.platform != "linux":
        return False
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:  # a C library older than glibc 2.28
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    if renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # the file system cannot
        return False
    raise OSError(error, os.strerror(error), str(second))
