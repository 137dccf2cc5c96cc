"""Publishing the site: ordinary modes, one atomic flip, builds that take turns, and
interruptions (Ctrl-C, kill -9, a read-only target) that never leave readers without a site.

Builds that must be interrupted run as real ``briefings build`` processes; a few
functions are wrapped in those processes (see ``SCRIPT``) to stop them at a known point.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from generator import pipeline, site
from generator.cli import main
from generator.config import Settings, load_settings
from generator.errors import BriefingsError
from tests.conftest import FIXTURES, make_project

pytestmark = pytest.mark.build

SCRIPT = """
import os, sys, time
from generator import pipeline, site, write
from generator.cli import main

PARENT = os.getpid()


def say(what):
    print(what, flush=True)


def in_workers(module, name):
    real = getattr(module, name)

    def slow(*args):
        if os.getpid() != PARENT:
            say(f"worker {os.getpid()}")
            time.sleep(60)
        return real(*args)

    slow.__module__, slow.__qualname__ = module.__name__, name  # pickled by this name
    setattr(module, name, slow)


def then_kill(module, name):
    real = getattr(module, name)

    def killed(*args, **kwargs):
        real(*args, **kwargs)
        os.kill(os.getpid(), 9)

    setattr(module, name, killed)


def half_built(settings, folder, **kwargs):
    (folder / "index.html").write_text("half a site")
    say("mkdocs")
    time.sleep(60)


stop = sys.argv[1]
if stop == "check-workers":
    in_workers(pipeline, "_check_share")
elif stop == "write-workers":
    in_workers(write, "_write_share")
elif stop == "mkdocs":
    site.run_mkdocs = half_built
elif stop == "built":
    then_kill(site, "run_mkdocs")
elif stop == "published":
    then_kill(site, "_publish")
sys.exit(main(["build"]))
"""
"""A ``briefings build`` that stops where its first argument says (``none``: nowhere)."""


def project(root: Path, *, jobs: int = 0) -> Settings:
    """The valid fixture briefs, with ``jobs`` processes set in the configuration."""
    settings = make_project(root, FIXTURES / "valid")
    config = settings.config_file.read_text(encoding="utf-8")
    settings.config_file.write_text(config.replace("jobs: 0", f"jobs: {jobs}"), encoding="utf-8")
    return load_settings(settings.config_file)


@pytest.fixture
def start():
    """Starts builds, each in its own process group as a terminal would; kills what is left."""
    started: list[subprocess.Popen[str]] = []

    def run(settings: Settings, stop: str = "none") -> subprocess.Popen[str]:
        build = subprocess.Popen(
            [sys.executable, "-c", SCRIPT, stop],
            cwd=settings.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        started.append(build)
        return build

    yield run
    for build in started:
        with contextlib.suppress(ProcessLookupError):  # the group outlives its leader
            os.killpg(build.pid, signal.SIGKILL)
        build.communicate()


def digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def versions(settings: Settings) -> list[str]:
    """What the versions folder holds besides the lock."""
    return sorted(p.name for p in (settings.root / ".site-builds").iterdir() if p.name != ".lock")


def versions_once_swept(settings: Settings, expected: list[str], within: float = 120) -> list[str]:
    """:func:`versions`, once a discarded version's ``rm`` is done or ``within`` seconds passed.

    A build stopped while it linked the published site removes the new version in
    a child that nobody waits for (``Linking.discard``): on a loaded machine it
    may still run when the build has exited.
    """
    deadline = time.monotonic() + within
    while (found := versions(settings)) != expected and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def edit_a_brief(settings: Settings) -> None:
    """Change a title, so that the next site differs from the last."""
    brief = settings.briefings_dir / "border-talks.yml"
    text = brief.read_text(encoding="utf-8")
    brief.write_text(text.replace("title: ", "title: Edited ", 1), encoding="utf-8")


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie does not: PID 1 of a container may not reap)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def lock_is_free(settings: Settings) -> bool:
    fd = os.open(settings.root / ".site-builds" / ".lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def temporaries(folder: Path) -> list[Path]:
    return [p for p in folder.rglob(".*") if "tmp" in p.name]


# Modes


@pytest.fixture(params=[0o022, 0o027], ids=["umask 022", "umask 027"])
def umask(request):
    previous = os.umask(request.param)
    yield request.param
    os.umask(previous)


def test_site_and_docs_get_ordinary_modes_under_the_umask(tmp_path, umask):
    settings = project(tmp_path / "p")
    pipeline.build(settings)
    folders = {0o777 & ~umask}
    files = {0o666 & ~umask}
    builds = settings.root / ".site-builds"
    for tree in (settings.site_dir.resolve(), settings.docs_dir, settings.schema_dir):
        paths = [tree, *tree.rglob("*")]
        assert {p.stat().st_mode & 0o777 for p in paths if p.is_dir()} == folders, tree
        assert {p.stat().st_mode & 0o777 for p in paths if p.is_file()} == files, tree
    assert builds.stat().st_mode & 0o777 in folders
    assert (builds / ".lock").stat().st_mode & 0o777 in files


def test_cp_a_of_site_with_a_trailing_slash_copies_a_readable_folder(tmp_path):
    settings = project(tmp_path / "p")
    pipeline.build(settings)
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-a", f"{settings.site_dir}/", str(copy)], check=True)
    assert copy.is_dir() and not copy.is_symlink()
    assert copy.stat().st_mode & 0o777 == 0o777 & ~_current_umask()
    assert digest(copy) == digest(settings.site_dir)


def _current_umask() -> int:
    """The process umask (read by setting it, then putting it back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


# The flip


def test_site_is_a_link_that_one_rename_flips_and_a_reader_always_finds(tmp_path, monkeypatch):
    settings = project(tmp_path / "p")
    pipeline.build(settings)
    first = settings.site_dir.resolve()
    renames: list[tuple[str, bool]] = []
    for name in ("rename", "replace"):
        real = getattr(os, name)

        def spy(src, dst, *args, real=real, name=name, **kwargs):
            if settings.site_dir in (Path(src), Path(dst)):
                renames.append((name, Path(src).is_symlink()))
            return real(src, dst, *args, **kwargs)

        monkeypatch.setattr(os, name, spy)
    misses, reads, done = [], [0], threading.Event()

    def read() -> None:
        while not done.is_set():
            try:
                (settings.site_dir / "index.html").read_bytes()
                reads[0] += 1
            except OSError as exc:
                misses.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        edit_a_brief(settings)
        pipeline.build(settings)
    finally:
        done.set()
        reader.join()
    assert renames == [("replace", True)]
    assert misses == [] and reads[0] > 100
    assert settings.site_dir.is_symlink()
    assert str(settings.site_dir.readlink()) == f".site-builds/{settings.site_dir.resolve().name}"
    assert "Edited " in (settings.site_dir / "briefings/border-talks/index.html").read_text()
    assert versions(settings) == sorted([first.name, settings.site_dir.resolve().name])


def test_the_previous_version_stays_until_the_next_build(tmp_path):
    settings = project(tmp_path / "p")
    built = []
    for _ in range(3):
        pipeline.build(settings)
        built.append(settings.site_dir.resolve().name)
        edit_a_brief(settings)  # a build with nothing changed publishes no new version
    assert len(set(built)) == 3
    assert versions(settings) == sorted(built[1:])


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two renames"])
def test_a_real_site_folder_of_older_versions_is_moved_aside_and_kept(
    tmp_path, monkeypatch, exchange
):
    settings = project(tmp_path / "p")
    settings.site_dir.mkdir()
    (settings.site_dir / "index.html").write_text("the old site", encoding="utf-8")
    if not exchange:
        monkeypatch.setattr("generator.site._exchange", lambda first, second: False)
    pipeline.build(settings)
    assert settings.site_dir.is_symlink()
    assert "Briefings" in (settings.site_dir / "index.html").read_text(encoding="utf-8")
    new = settings.site_dir.resolve().name
    assert versions(settings) == [new, f"{new}-previous"]
    old = settings.root / ".site-builds" / f"{new}-previous" / "index.html"
    assert old.read_text(encoding="utf-8") == "the old site"


# Killed and interrupted builds


@pytest.mark.parametrize("stop", ["built", "published"])
def test_a_build_killed_while_publishing_leaves_a_complete_site(tmp_path, start, stop):
    settings = project(tmp_path / "p")
    pipeline.build(settings)
    old = digest(settings.site_dir)
    edit_a_brief(settings)
    build = start(settings, stop)
    build.communicate(timeout=60)
    assert build.returncode == -signal.SIGKILL
    now = digest(settings.site_dir)

    def pages(files: dict[str, str]) -> set[str]:
        """The files but the search index's, whose names are hashes of their content.

        Nor the note of what a site was built from: written once it is published.
        """
        kept = {n for n in files if not n.startswith("pagefind/") and n != site.BUILT_FROM}
        return kept | {name for name in files if name == "pagefind/bundles.json"}

    assert now == old if stop == "built" else (now != old and pages(now) == pages(old))
    assert len(versions(settings)) == 2  # published and killed, or previous and published
    pipeline.build(settings)
    assert len(versions(settings)) == 2  # the killed build's folder went with the leftovers
    assert "Edited " in (settings.site_dir / "briefings/border-talks/index.html").read_text()


def test_leftovers_are_cleared_by_the_next_build_once_the_lock_is_free(tmp_path, start):
    settings = project(tmp_path / "p")
    pipeline.build(settings)
    published = settings.site_dir.resolve().name
    edit_a_brief(settings)
    builds = settings.root / ".site-builds"
    leftovers = [
        settings.root / ".site-new-k2j4x",
        settings.root / ".site-old-4242",
        builds / "20250101-000000-99-dead",
        builds / ".20250101-000000-99-dead.link",
    ]
    for folder in leftovers[:3]:
        (folder / "briefings").mkdir(parents=True)
        (folder / "briefings" / "index.html").write_text("stale", encoding="utf-8")
    (leftovers[1] / "briefings").chmod(0o555)  # stranded read-only by an older version
    leftovers[3].symlink_to("20250101-000000-99-dead")
    fd = os.open(builds / ".lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.pwrite(fd, b"4242\n", 0)
    try:
        build = start(settings)
        waiting = build.stderr.readline()
        assert waiting == "WARNING: waiting for another build of site (pid 4242) to finish\n"
        time.sleep(0.5)
        assert all(p.exists() or p.is_symlink() for p in leftovers)
    finally:
        os.close(fd)
    _out, err = build.communicate(timeout=60)
    assert (build.returncode, err) == (0, "")
    assert [p for p in leftovers if p.exists() or p.is_symlink()] == []
    assert versions(settings) == sorted([published, settings.site_dir.resolve().name])


def leftover(settings: Settings, name: str, *, read_only: bool = False) -> Path:
    """A version folder some earlier build left, with one page."""
    folder = settings.root / ".site-builds" / name
    (folder / "briefings").mkdir(parents=True)
    (folder / "briefings" / "index.html").write_text("stale", encoding="utf-8")
    if read_only:  # rm cannot empty it unless run by root
        (folder / "briefings").chmod(0o555)
    return folder


@pytest.mark.parametrize("rm", ["rm", None])
def test_a_build_that_publishes_has_removed_the_leftovers_when_it_returns(
    tmp_path, monkeypatch, rm
):
    settings = project(tmp_path / "p")
    pipeline.build(settings)
    stale = leftover(settings, "20250101-000000-99-dead", read_only=True)
    if rm is None:  # no rm to run beside the build: it removes them itself
        monkeypatch.setattr(site.shutil, "which", lambda _name: None)
    edit_a_brief(settings)
    pipeline.build(settings)
    assert not stale.exists()
    assert len(versions(settings)) == 2  # the previous version stays for its readers
    assert site._RUNNING == []


def test_a_build_that_finds_the_site_up_to_date_lets_the_leftovers_go_on_their_own(tmp_path):
    settings = project(tmp_path / "p")
    pipeline.build(settings)
    published = settings.site_dir.resolve()
    stale = leftover(settings, "20250101-000000-99-dead")
    built = pipeline.build(settings)
    assert not built.site_built
    for child in site._RUNNING:  # let go, not forgotten: the next build reaps it
        child.wait(timeout=120)
    assert not stale.exists()
    assert settings.site_dir.resolve() == published
    assert (published / "index.html").is_file()


def test_two_builds_at_once_take_turns_and_both_succeed(tmp_path, start):
    settings = project(tmp_path / "p")
    pipeline.build(settings)
    edit_a_brief(settings)  # the first to run publishes it; the other finds nothing changed
    builds = [start(settings), start(settings)]
    errors = [b.communicate(timeout=120)[1] for b in builds]
    assert [b.returncode for b in builds] == [0, 0], errors
    waited = [
        f"WARNING: waiting for another build of site (pid {b.pid}) to finish\n" for b in builds
    ]
    assert errors in (["", ""], ["", waited[0]], [waited[1], ""])
    # The second cleared the previous version, then found no change: its rm is not waited
    # for (a build that publishes nothing lets it go on its own), so it may still run.
    deadline = time.monotonic() + 120  # a hang guard, not a timing
    while len(versions(settings)) > 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(versions(settings)) == 1
    assert (settings.site_dir / "index.html").is_file()


# Targets that cannot be replaced


def test_a_read_only_site_is_an_error_that_leaves_it_in_place(tmp_path, capsys, monkeypatch):
    settings = project(tmp_path / "p")
    pipeline.build(settings)
    before, published = digest(settings.site_dir), versions(settings)
    settings.site_dir.chmod(0o555)  # the published version, through the link
    monkeypatch.chdir(settings.root)
    try:
        assert main(["build"]) == 1
    finally:
        settings.site_dir.chmod(0o755)
    assert capsys.readouterr().err == (
        "build failed: site is read-only, so the new site cannot replace it; "
        "make it writable (chmod -R u+w site/) or remove it, then build again\n"
    )
    assert (digest(settings.site_dir), versions(settings)) == (before, published)


def test_a_read_only_real_site_folder_is_an_error_that_leaves_it_in_place(
    tmp_path, capsys, monkeypatch
):
    settings = project(tmp_path / "p")
    settings.site_dir.mkdir()
    (settings.site_dir / "index.html").write_text("the old site", encoding="utf-8")
    settings.site_dir.chmod(0o555)
    monkeypatch.chdir(settings.root)
    try:
        assert main(["build"]) == 1
    finally:
        settings.site_dir.chmod(0o755)
    assert "build failed: site is read-only" in capsys.readouterr().err
    assert not settings.site_dir.is_symlink()
    assert (settings.site_dir / "index.html").read_text(encoding="utf-8") == "the old site"
    assert versions(settings) == []


def test_an_unwritable_folder_around_the_site_is_an_error(tmp_path, capsys, monkeypatch):
    settings = project(tmp_path / "p")
    pipeline.build(settings)
    before = digest(settings.site_dir)
    settings.root.chmod(0o555)
    monkeypatch.chdir(tmp_path)
    try:
        assert main(["build", "-f", "p/site_config.yml"]) == 1
    finally:
        settings.root.chmod(0o755)
    assert capsys.readouterr().err == (
        "build failed: p is read-only, so p/site cannot be replaced; "
        "make it writable (chmod u+w p), then build again\n"
    )
    assert digest(settings.site_dir) == before


# Ctrl-C and workers


@pytest.mark.parametrize("stop", ["check-workers", "write-workers", "mkdocs"])
def test_ctrl_c_prints_one_line_exits_130_and_leaves_nothing_half_done(tmp_path, start, stop):
    settings = project(tmp_path / "p", jobs=2)
    pipeline.build(settings)
    before, published = digest(settings.site_dir), versions(settings)
    edit_a_brief(settings)
    if stop == "check-workers":  # one edited brief is checked here: a worker checks another
        brief = settings.briefings_dir / "patrols-agreed.yml"
        brief.write_text(brief.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    build = start(settings, stop)
    said = build.stdout.readline().split()
    workers = [int(said[1])] if said[0] == "worker" else []
    os.killpg(build.pid, signal.SIGINT)  # as Ctrl-C does: to every process of the group
    _out, err = build.communicate(timeout=120)  # a loaded machine stops slowly
    assert (build.returncode, err) == (130, "interrupted; the previous site is unchanged\n")
    assert [pid for pid in workers if alive(pid)] == []
    assert (digest(settings.site_dir), versions_once_swept(settings, published)) == (
        before,
        published,
    )
    assert lock_is_free(settings)
    assert temporaries(settings.docs_dir) == []


@pytest.mark.parametrize("stop", ["check-workers", "write-workers"])
def test_workers_do_not_outlive_a_parent_killed_with_sigkill(tmp_path, start, stop):
    settings = project(tmp_path / "p", jobs=2)
    build = start(settings, stop)
    worker = int(build.stdout.readline().split()[1])
    assert alive(worker)
    build.kill()
    build.wait(timeout=10)
    deadline = time.monotonic() + 5
    while alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(worker)


def test_a_rebuild_after_a_killed_writer_leaves_no_temporary_files(tmp_path):
    settings = project(tmp_path / "p")
    pipeline.generate(replace(settings, schema_dir=None))
    stray = settings.docs_dir / "briefings" / ".index.md.0a1b2c3d.briefings-tmp"
    stray.write_text("half a page", encoding="utf-8")
    pipeline.build(settings)
    assert temporaries(settings.docs_dir) == []


def test_ctrl_c_in_another_command_is_one_line_too(monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "check", interrupted)
    assert main(["check", "--briefings", str(FIXTURES / "valid")]) == 130
    assert capsys.readouterr().err == "interrupted\n"


# The published site linked into the next version while the generator runs


def test_a_publish_links_the_published_site_while_the_generator_runs(tmp_path, monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="generator.site")
    monkeypatch.setattr(site, "MAX_SHARE", 1.0)  # half of the fixture's few pages change
    settings = project(tmp_path / "p")
    pipeline.build(settings)
    published = settings.site_dir.resolve()
    edit_a_brief(settings)
    caplog.clear()
    seen: list[list[str]] = []
    real = pipeline.generate

    def generate(*args, **kwargs):
        seen.append(versions(settings))  # the new version exists before a brief is read
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "generate", generate)
    assert pipeline.build(settings).site_built
    new = settings.site_dir.resolve()
    assert new != published and seen == [sorted([published.name, new.name])]
    page = "briefings/border-talks/index.html"
    assert "Edited" in (new / page).read_text(encoding="utf-8")
    assert "Edited" not in (published / page).read_text(encoding="utf-8")  # never written
    assert "changed page(s)" in caplog.text and "whole site" not in caplog.text
    same = [
        path
        for path in published.rglob("*.html")
        if (new / path.relative_to(published)).stat().st_ino == path.stat().st_ino
    ]
    assert same  # the pages the edit did not change are the published files, linked


def test_a_build_that_finds_nothing_changed_links_nothing(tmp_path, monkeypatch):
    settings = project(tmp_path / "p")
    pipeline.build(settings)
    monkeypatch.setattr(pipeline, "start_linking", lambda _settings: pytest.fail("linked"))
    assert not pipeline.build(settings).site_built
    assert versions(settings) == [settings.site_dir.resolve().name]


def test_a_build_stopped_by_an_invalid_brief_lets_the_linked_version_go(tmp_path):
    settings = project(tmp_path / "p")
    pipeline.build(settings)
    published = settings.site_dir.resolve()
    brief = settings.briefings_dir / "border-talks.yml"
    brief.write_text(brief.read_text(encoding="utf-8").replace("date: ", "date: 2025-13-", 1))
    with pytest.raises(BriefingsError):
        pipeline.build(settings)
    for child in site._RUNNING:  # its rm runs on: nobody waits for it
        child.wait(timeout=120)
    assert versions(settings) == [published.name]
    assert settings.site_dir.resolve() == published


def test_a_whole_build_does_not_keep_what_was_linked(tmp_path):
    settings = project(tmp_path / "p")
    pipeline.build(settings)
    before = digest(settings.site_dir)
    edit_a_brief(settings)
    shutil.rmtree(settings.docs_dir)  # no graph: the generator cannot say what changed
    assert pipeline.build(settings).site_built
    after = digest(settings.site_dir)
    pages = {path for path in after if not path.startswith("pagefind/")}  # its names are hashes
    assert pages == {path for path in before if not path.startswith("pagefind/")}
    assert "Edited" in (settings.site_dir / "briefings/border-talks/index.html").read_text()


def test_links_made_from_another_version_are_not_used(tmp_path):
    settings = project(tmp_path / "p")
    pipeline.build(settings)
    with site.publishing(settings.site_dir):
        linking = site.start_linking(settings)
        assert linking is not None
        assert not linking.finish(settings.root / ".site-builds" / "another")
        assert list(linking.version.iterdir()) == []  # emptied, for the build to fill
        linking.discard()
    for child in site._RUNNING:
        child.wait(timeout=120)
    assert versions(settings) == [settings.site_dir.resolve().name]
