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
stays until the next build starts, for readers who were still in it. A child
process removes them while the build runs (:class:`_Sweep`): at 10,000 briefs
a version is some 45,000 files, 11 s to remove.

A ``site/`` that is a real folder (from before versions) is moved into the
versions folder as it is published over. On Linux, ``renameat2`` exchanges it
with the link in one step; elsewhere it is two renames, with no ``site/`` in
between for as long as a rename takes.

A build that knows which Markdown files the generator wrote and removed
(:class:`Changes`) is incremental when it can be: the new version starts as hard
links to the published one's files, and the engine, in our process
(:class:`generator.live_engine.PartialBuild`), renders only the changed pages into
it, each as a new file, so the published version is never written. That needs
the published version to come from the same configuration, theme and engine:
a fingerprint of them is kept in each version (:data:`FINGERPRINT`). A build
that will need those links starts making them before the generator runs
(:func:`start_linking`), so that they are made on another core meanwhile.
Otherwise, or when many pages changed, the engine builds the whole site through
its command line, as it always did.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import importlib.metadata
import logging
import os
import re
import secrets
import shutil
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import engine, live_engine, search
from generator.config import Settings
from generator.errors import BuildError, display_path

log = logging.getLogger(__name__)

LOCK = ".lock"
"""The lock file, inside the versions folder."""

BUILT_FROM = ".briefings-built-from"
"""In a version folder: a digest of what the version was built from (it goes with it)."""


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


def build_site(
    settings: Settings,
    *,
    strict: bool = True,
    changes: Changes | None = None,
    linking: Linking | None = None,
) -> Path:
    """Build the site into a new version folder, index it for search, then publish it.

    With ``changes`` (what the generator wrote and removed), only the changed
    pages are rendered when the published version allows it (see the module's
    documentation); the result is the same site, file for file. ``linking``
    (from :func:`start_linking`, taken under the same lock) is the new version
    folder, already being filled with links to the published one.

    Pagefind indexes the version folder before it is published, so a site is
    never published without its search, and a failed index publishes nothing.
    """
    target = settings.site_dir
    with publishing(target):
        version = linking.version if linking else _new_version(versions_folder(target))
        stamp = fingerprint(settings)
        try:
            partial = _build_version(
                settings, version, stamp, strict=strict, changes=changes, linking=linking
            )
            if partial is None:
                search.index_site(version)
            else:
                search.index_site(
                    version,
                    changed_html=partial.changed_html,
                    removed_html=partial.removed_html,
                    previous=partial.previous,
                )
            (version / FINGERPRINT).write_text(stamp + "\n", encoding="ascii")
        except BaseException:
            if linking is not None:
                linking.stop()  # before the version goes: no link is made into it after
            _remove(version)
            raise
        _publish(version, target)
    return target


def built_from(target: Path) -> bytes | None:
    """What the published site was built from (see :func:`record_built_from`), if known."""
    try:
        return (target.resolve() / BUILT_FROM).read_bytes()
    except OSError:
        return None


def record_built_from(target: Path, state: bytes) -> None:
    """Note, once a site is published, a digest of what it was built from.

    A build whose docs, theme and engine are the same again can then leave the
    site as it is. Written to a temporary file and renamed, so never half written.
    """
    path = target.resolve() / BUILT_FROM  # the published version: never a hard link's sibling
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
        sweep: _Sweep | None = None
        try:
            _refuse_read_only(target, target)
            published = _published(target)
            sweep = _Sweep.start(_leftovers(target))
            yield
        finally:
            held.discard(key)
            if sweep is not None:
                sweep.finish(wait=_published(target) != published)
    finally:
        os.close(fd)  # releases the lock


def _lock(fd: int, target: Path) -> None:
    """Take the lock on ``fd``; say whom we wait for when another build holds it."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _holder(fd)
        log.warning(
            "waiting for another build of %s (pid %s) to finish", display_path(target), holder
        )
        fcntl.flock(fd, fcntl.LOCK_EX)
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)


def _holder(fd: int) -> str:
    """The pid the lock's holder wrote: it empties the file and writes it just after locking."""
    for _ in range(20):
        found = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        if found:
            return found
        time.sleep(0.05)
    return "unknown"


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


def _leftovers(target: Path) -> list[Path]:
    """Every version but the published one, and the old scheme's folders."""
    builds = versions_folder(target)
    keep = {LOCK, _published(target)}
    found = [entry for entry in sorted(builds.iterdir()) if entry.name not in keep]
    for pattern in (f".{target.name}-new-*", f".{target.name}-old-*"):
        found += sorted(target.parent.glob(pattern))
    return found


_RUNNING: list[subprocess.Popen[bytes]] = []
"""Sweeps left to finish after a build that published nothing (see :meth:`_Sweep.finish`)."""


@dataclass
class _Sweep:
    """Leftovers being removed by ``rm -rf`` in a child process while the build runs.

    The child works beside the generator, which keeps one core busy. A build
    that publishes waits for it before it lets go of the lock, then removes
    in this process what the child could not (a folder left read-only, which
    :func:`_remove` makes writable first), so the next build finds only the
    published version and this one. A build that published nothing (the site
    was up to date, or the build failed) does not wait: the child finishes
    on its own, and a build that starts before it has will remove the rest.
    """

    paths: list[Path]
    process: subprocess.Popen[bytes] | None

    @classmethod
    def start(cls, paths: list[Path]) -> _Sweep:
        _RUNNING[:] = [child for child in _RUNNING if child.poll() is None]
        rm = shutil.which("rm") if paths else None
        if rm is None:
            return cls(paths, None)
        command = [rm, "-rf", "--", *map(os.fspath, paths)]
        try:
            quiet = subprocess.DEVNULL  # nor holds a pipe of ours open once we are done
            child = subprocess.Popen(command, stdin=quiet, stdout=quiet, stderr=quiet)
        except OSError:
            return cls(paths, None)
        return cls(paths, child)

    def finish(self, *, wait: bool) -> None:
        """Wait for the child and remove what is left, or let it run on when ``wait`` is false."""
        if self.process is not None and self.process.poll() is None:
            if not wait:
                _RUNNING.append(self.process)  # kept, to be reaped by a later build
                return
            self.process.wait()
        for path in self.paths:
            if path.exists() or path.is_symlink():
                _remove(path)


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


# Incremental builds


@dataclass(frozen=True)
class Partial:
    """What an incremental build changed in the site (POSIX paths relative to it), and since what."""

    changed_html: list[str]
    removed_html: list[str]
    previous: Path
    """The published version the build started from (its ``pagefind/`` was not linked)."""


MAX_SHARE = 0.3
"""The share of pages changed above which the whole site is built instead.

Rendering a page costs about the same in either build; an incremental one adds
a few seconds of its own at 1,000 briefs (linking the previous site, listing
the files, loading the engine), and the whole build is the one every release
of the engine is tested with. When a third of the pages changed (a template
edit rewrites them all), little is saved, so the whole build is the safer choice.
"""

SEARCH_INDEX = "pagefind"
"""The folder of the site search, which :func:`generator.search.index_site` writes anew.

Never linked from the published version: Pagefind writes into existing files.
"""

FINGERPRINT = ".briefings-fingerprint"
"""The file, in each version folder, that says what built it (see :func:`fingerprint`).

Inside the version rather than beside it, so that it goes wherever the version
goes and is removed with it; a digest, it tells a reader of the site nothing.
"""


THEME_ASSETS = "assets/"
"""The theme's static files (styles, scripts), which pages link but never include."""


def fingerprint(settings: Settings) -> str:
    """A digest of what turns the same Markdown into other HTML, outside the docs folder.

    The configuration file (and the environment variables its ``!ENV`` tags
    read), the templates of ``theme/`` beside it, the engine and the versions of
    the packages that render: the engine, Material, the Markdown extensions.
    The theme's ``assets/`` are left out: pages only link them, and an
    incremental build copies those that changed (:func:`_stale_files`).
    """
    digest = hashlib.sha256()

    def add(*parts: str | bytes) -> None:
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "big") + data)

    config = settings.config_file.read_bytes()
    add(config)
    for name in sorted(set(re.findall(rb"!ENV\s*\[?\s*([A-Za-z_]\w*)", config))):
        add(name, os.environ.get(name.decode(), "\0unset"))
    theme = settings.root / "theme"
    for path in sorted(theme.rglob("*")) if theme.is_dir() else []:
        name = path.relative_to(theme).as_posix()
        if path.is_file() and not name.startswith(THEME_ASSETS):
            add(name, path.read_bytes())
    add(settings.engine)
    for package in (settings.engine, "mkdocs-material", "pymdown-extensions", "markdown", "jinja2"):
        try:
            add(package, importlib.metadata.version(package))
        except importlib.metadata.PackageNotFoundError:
            add(package, "\0missing")
    return digest.hexdigest()


class _Whole(Exception):
    """Why this build must render the whole site."""


def _build_version(
    settings: Settings,
    version: Path,
    stamp: str,
    *,
    strict: bool,
    changes: Changes | None,
    linking: Linking | None = None,
) -> Partial | None:
    """Build into ``version``: only the changed pages if possible, else all; what changed."""
    started = time.monotonic()
    try:
        published = _reusable(settings, stamp, changes)
        assert changes is not None
        linked = linking is not None and linking.finish(published)
        partial = _build_partly(settings, published, version, changes, strict=strict, linked=linked)
    except _Whole as reason:
        log.info("building the whole site: %s", reason)
        if linking is not None:
            linking.stop()
        _empty(version)
        run_mkdocs(settings, version, strict=strict)
        log.info("built the whole site in %.1f s", time.monotonic() - started)
        return None
    log.info(
        "built %d changed page(s) in %.1f s; removed %d",
        len(partial.changed_html), time.monotonic() - started, len(partial.removed_html),
    )  # fmt: skip
    return partial


def _reusable(settings: Settings, stamp: str, changes: Changes | None) -> Path:
    """The published version an incremental build can start from; _Whole says why none."""
    if changes is None:
        raise _Whole("the generator did not say which pages changed")
    if settings.engine not in live_engine.LIVE_ENGINES:
        raise _Whole(f"the {settings.engine} engine builds whole sites only")
    name = _published(settings.site_dir)
    if name is None:
        raise _Whole("no published version to start from")
    published = versions_folder(settings.site_dir) / name
    try:
        recorded = (published / FINGERPRINT).read_text(encoding="ascii").strip()
    except OSError:
        raise _Whole("the published version does not say what built it") from None
    if recorded != stamp:
        raise _Whole("the configuration, theme or engine changed since the published version")
    return published


def _build_partly(
    settings: Settings,
    published: Path,
    version: Path,
    changes: Changes,
    *,
    strict: bool,
    linked: bool = False,
) -> Partial:
    """Link the published site into ``version``, then render only what changed into it.

    ``linked`` says that ``version`` holds those links already (:class:`Linking`).
    """
    try:
        live = live_engine.load(settings.engine)
    except live_engine.EngineChanged as exc:
        raise _Whole(str(exc)) from None
    if not linked:
        _link_tree(published, version, skip=NOT_LINKED)
    with live_engine.engine_warnings(live) as warnings:
        try:
            site = live_engine.PartialBuild.open(live, settings.config_file, version, strict=strict)
        except live_engine.Unsupported as exc:
            raise _Whole(str(exc)) from None
        except (Exception, SystemExit) as exc:  # the engine's Abort is a SystemExit
            raise _engine_failed(live, warnings, exc) from exc
        try:
            todo = _stale_pages(site, changes)
            pages = len(site.pages())
            if len(todo) > MAX_SHARE * pages:
                raise _Whole(f"{len(todo)} of {pages} pages changed")
            site.render(todo)
            site.copy(_stale_files(site, changes))
        except _Whole:
            raise
        except (Exception, SystemExit) as exc:
            raise _engine_failed(live, warnings, exc) from exc
        finally:
            site.close()
    if warnings and strict:
        raise _engine_failed(live, warnings, None)
    for record in warnings:
        log.warning("%s: %s", live.label, record.getMessage())
    if not _same_navigation(site, published, version):
        raise _Whole("the navigation changed (404.html differs)")
    removed = _remove_others(version, site.outputs(), skip={SEARCH_INDEX, FINGERPRINT})
    built = site.pages()
    return Partial(
        changed_html=sorted(built[path].dest_uri for path in site.built),
        removed_html=[path for path in removed if path.endswith(".html")],
        previous=published,
    )


def _engine_failed(
    live: live_engine.Live, warnings: list[logging.LogRecord], exc: BaseException | None
) -> BuildError:
    """The error of a failed incremental build, worded as the engine's command line says it."""
    lines = [f"{record.levelname} -  {record.getMessage()}" for record in warnings]
    if exc is not None and str(exc) and not any(str(exc) in line for line in lines):
        lines.append(str(exc))
    if exc is None:
        lines.append(f"Aborted with {len(warnings)} warnings in strict mode!")
    details = "".join(f"\n  {line}" for line in lines)
    return BuildError(f"{live.label} could not build the site:{details}")


def _stale_pages(site: live_engine.PartialBuild, changes: Changes) -> set[str]:
    """The pages to render: those the generator wrote, and any whose HTML is missing or older.

    The second part makes a build right even when ``changes`` misses a page,
    as the engine's ``--dirty`` builds judge: by modification times.
    """
    pages = site.pages()
    todo = {path for path in changes.written if path in pages}
    for path, file in pages.items():
        if path not in todo and _older(file.abs_dest_path, file.abs_src_path):
            todo.add(path)
    return todo


def _stale_files(site: live_engine.PartialBuild, changes: Changes) -> list[Any]:
    """The static files to copy: written by the generator, missing, older or of another size."""
    written = set(changes.written)
    return [
        file
        for file in site.static_files()
        if file.src_uri in written or _copy_differs(file.abs_dest_path, file.abs_src_path)
    ]


def _copy_differs(copy: str, source: str) -> bool:
    """Whether ``copy`` is missing, older than ``source`` or of another size.

    Paths as strings, for a site of 10,000 briefs has as many social cards.
    """
    try:
        made, given = os.stat(copy), os.stat(source)  # noqa: PTH116
    except FileNotFoundError:
        return True
    return made.st_mtime_ns < given.st_mtime_ns or made.st_size != given.st_size


def _older(output: str, source: str) -> bool:
    """Whether ``output`` is missing or older than ``source`` (paths as strings: one per page)."""
    try:
        return os.stat(output).st_mtime_ns < os.stat(source).st_mtime_ns  # noqa: PTH116
    except FileNotFoundError:
        return True


def _same_navigation(site: live_engine.PartialBuild, published: Path, version: Path) -> bool:
    """Whether the pages not rendered still show the right navigation.

    Every page draws the navigation; the 404 page draws only it, and is
    rendered anew by each build, so if it came out the same, so would the
    navigation of every page left as it was.
    """
    if "404.html" not in site.templates():
        return False
    try:
        return (version / "404.html").read_bytes() == (published / "404.html").read_bytes()
    except OSError:
        return False


NOT_LINKED = frozenset({SEARCH_INDEX, FINGERPRINT, BUILT_FROM})
"""What of the published version an incremental build does not link into the new one."""


def _link_tree(source: Path, destination: Path, *, skip: set[str] | frozenset[str]) -> None:
    """Fill ``destination`` with hard links to the files of ``source`` (top-level ``skip`` aside).

    GNU ``cp -al`` does it where there is one: at 10,000 briefs (45,000 files)
    it took a second where this module's own walk took nine.
    """
    process = _start_cp(source, destination, skip=skip)
    if process is not None and not _cp_failed(process):
        return
    _link_walk_afresh(source, destination, skip=skip)


def _start_cp(
    source: Path, destination: Path, *, skip: set[str] | frozenset[str]
) -> subprocess.Popen[bytes] | None:
    """``cp -al`` of ``source``'s entries into ``destination``, running; None without GNU cp."""
    entries = sorted(entry for entry in source.iterdir() if entry.name not in skip)
    cp = shutil.which("cp") if sys.platform == "linux" else None
    if not cp or not entries:
        return None
    command = [cp, "-al", "--", *map(os.fspath, entries), os.fspath(destination)]
    quiet = subprocess.DEVNULL
    try:
        return subprocess.Popen(command, stdin=quiet, stdout=quiet, stderr=subprocess.PIPE)
    except OSError:
        return None


def _cp_failed(process: subprocess.Popen[bytes]) -> bool:
    """Wait for a ``cp -al``; whether it failed (then said why, at the info level)."""
    _out, errors = process.communicate()
    if process.returncode == 0:
        return False
    log.info("cp -al failed (%s); linking file by file", errors.decode(errors="replace"))
    return True


def _link_walk_afresh(source: Path, destination: Path, *, skip: set[str] | frozenset[str]) -> None:
    """Link file by file, into a ``destination`` emptied of what a failed ``cp`` linked."""
    _empty(destination)
    _link_walk(source, destination, skip=skip)


@dataclass
class Linking:
    """A new version being filled with links to the published one while the docs are made.

    At 10,000 briefs ``cp -al`` of the published version took 6 s of a
    publish's 40. It needs only the published version, not the new Markdown, so
    :func:`start_linking` starts it before the generator runs, and it links on
    the other core while the generator works on one. :meth:`finish` waits for it
    when the site is built; a build that does not need it calls :meth:`discard`.
    """

    published: Path
    version: Path
    process: subprocess.Popen[bytes] | None

    def finish(self, published: Path) -> bool:
        """Wait for the links; whether ``version`` now holds those of ``published``, complete.

        A version that does not (the links failed, or another version is
        published now) is emptied, for the caller to fill.
        """
        if self.process is not None and not _cp_failed(self.process):
            self.process = None
            if published == self.published:
                return True
        self.process = None
        _empty(self.version)
        return False

    def stop(self) -> None:
        """Stop linking, if it still runs; the version keeps what was linked."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.communicate()
            self.process = None

    def discard(self) -> None:
        """Stop, and remove the version in a child process that nobody waits for.

        The next build would remove it anyway (it is not published); removing
        45,000 links here would hold up a run that built nothing.
        """
        self.stop()
        _Sweep.start([self.version]).finish(wait=False)


def start_linking(settings: Settings) -> Linking | None:
    """Start linking the published version into a new one, if an incremental build could use it.

    Call it holding :func:`publishing` for ``settings.site_dir``. None when a
    build would be whole anyway: no published version, or one made with
    another configuration, theme or engine.
    """
    try:
        published = _reusable(settings, fingerprint(settings), Changes([], []))
    except _Whole:
        return None
    version = _new_version(versions_folder(settings.site_dir))
    process = _start_cp(published, version, skip=NOT_LINKED)
    if process is None:  # no GNU cp: the build links file by file, when it needs to
        _remove(version)
        return None
    return Linking(published, version, process)


def _link_walk(source: Path, destination: Path, *, skip: set[str]) -> None:
    for folder, dirs, files in os.walk(source):
        relative = Path(folder).relative_to(source)
        if not relative.parts:
            dirs[:] = [name for name in dirs if name not in skip]
            files = [name for name in files if name not in skip]
        into = destination / relative
        into.mkdir(exist_ok=True)
        linked = [name for name in dirs if Path(folder, name).is_symlink()]  # not walked into
        for name in files + linked:
            path = Path(folder, name)
            if path.is_symlink():
                (into / name).symlink_to(path.readlink())
            else:
                (into / name).hardlink_to(path)


def _remove_others(version: Path, outputs: set[str], *, skip: set[str]) -> list[str]:
    """Remove what a whole build would not write (removed pages and files); the paths removed.

    A folder left empty goes too. The walk works on strings: a site of 10,000
    briefs has 17,000 folders.
    """
    removed: list[str] = []
    emptied: set[str] = set()
    root = os.fspath(version)
    for folder, folders, files in os.walk(root, topdown=False):
        relative = folder[len(root) + 1 :]  # os.walk joins onto ``root`` itself
        prefix = relative + "/" if relative else ""
        if relative.split("/", 1)[0] in skip:
            continue
        kept = [name for name in folders if prefix + name not in emptied]
        for name in files:
            path = prefix + name
            if path in outputs or path in skip:
                kept.append(name)
            else:
                os.unlink(f"{folder}/{name}")  # noqa: PTH108
                removed.append(path)
        if prefix and not kept:
            os.rmdir(folder)  # noqa: PTH106
            emptied.add(relative)
    return sorted(removed)


def _empty(version: Path) -> None:
    """Remove everything in ``version`` (hard links and new files alike), keeping the folder."""
    for entry in version.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
