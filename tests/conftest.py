"""Shared fixtures: small projects on disk, built from the real configuration."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.config import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def make_project(tmp_path: Path, briefings: Path) -> Settings:
    """A copy of the real site configuration and theme around a folder of briefs."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "site_config.yml", tmp_path / "site_config.yml")
    shutil.copytree(ROOT / "theme", tmp_path / "theme")
    shutil.copytree(briefings, tmp_path / "briefings")
    return load_settings(tmp_path / "site_config.yml")


@pytest.fixture
def valid_project(tmp_path: Path) -> Settings:
    """A project holding the synthetic valid fixture briefs."""
    return make_project(tmp_path, FIXTURES / "valid")


@pytest.fixture
def real_project(tmp_path: Path) -> Settings:
    """A project holding the real briefs of the site."""
    return make_project(tmp_path, ROOT / "briefings")
