"""Shared fixtures: small projects on disk, built from the real configuration."""

from __future__ import annotations

import shutil
import signal
import tracemalloc
from contextlib import contextmanager
from pathlib import Path

import pytest

from generator import graph, reads
from generator.config import Settings, load_settings
from generator.index import Index, build_index
from generator.load import load_yaml
from generator.validate import validate_actors, validate_brief

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

SEED = "nato-weighs-assertive-response"
SEED_SPEAKERS = [
    "Donald Trump",
    "Matthew Whitaker",
    "a NATO diplomat",
    "Ursula von der Leyen",
    "Ursula von der Leyen",
]
"""Who speaks in the seed brief's five quotes, in order."""

MINIMAL = """\
title: T
date: 2025-01-01
summary: S
sources:
  - id: src
    outlet: Outlet
"""
"""The smallest valid brief: title, date, summary and one source."""


def fixture_index(folder: Path) -> tuple[Index, Settings]:
    """The index of a fixture folder's briefs (each must be valid), with the settings used."""
    settings = load_settings(ROOT / "site_config.yml", briefings_dir=folder)
    actors, _ = validate_actors(load_yaml(folder / "actors.yml"))
    briefs = []
    for path in sorted(folder.glob("*.yml")):
        if path.name != "actors.yml":
            valid, problems = validate_brief(load_yaml(path))
            assert valid and not problems, problems
            briefs.append(valid)
    return build_index(briefs, actors, settings.related), settings


def make_project(tmp_path: Path, briefings: Path) -> Settings:
    """A copy of the real site configuration and theme around a folder of briefs."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "site_config.yml", tmp_path / "site_config.yml")
    shutil.copytree(ROOT / "theme", tmp_path / "theme")
    shutil.copytree(briefings, tmp_path / "briefings")
    return load_settings(tmp_path / "site_config.yml")


@pytest.fixture(autouse=True)
def verify_reused_plans(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test's runs digest again what they take from the last run, and compare.

    That is the older pages of unchanged listings, and the records that keep their digests.
    """
    monkeypatch.setattr(graph, "VERIFY_REUSE", True)
    monkeypatch.setattr(reads, "VERIFY_KEPT", True)


@pytest.fixture
def valid_project(tmp_path: Path) -> Settings:
    """A project holding the synthetic valid fixture briefs."""
    return make_project(tmp_path, FIXTURES / "valid")


@pytest.fixture
def real_project(tmp_path: Path) -> Settings:
    """A project holding the real briefs of the site."""
    return make_project(tmp_path, ROOT / "briefings")


MAX_SECONDS = 2
MAX_BYTES = 200 * 1024 * 1024


@contextmanager
def guarded(*, memory: bool = True):
    """Fail a case that hangs for more than two seconds or allocates more than 200 MB."""

    def expire(signum, frame):
        raise TimeoutError(f"took longer than {MAX_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, MAX_SECONDS)
    if memory:
        tracemalloc.start()
    try:
        yield
        if memory:
            _, peak = tracemalloc.get_traced_memory()
            assert peak < MAX_BYTES, f"allocated {peak:,} bytes"
    finally:
        if memory:
            tracemalloc.stop()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def pytest_configure(config: pytest.Config) -> None:
    """Take Ctrl-C as a run at a terminal does, even in a run started in the background.

    A shell starts a background command (``… &``) with SIGINT ignored, and every
    preview and build a test starts would inherit that: stopped with Ctrl-C, as
    the tests stop them, they ran on until the test gave up on them.
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
