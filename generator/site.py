"""Build the static site with MkDocs, and replace the old site only on success.

``mkdocs build`` empties its output folder before it starts, so a failed build
would leave readers a broken site. We build into a fresh folder beside
``site/`` and swap it in only when MkDocs finished without a warning.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException

from generator.config import Settings
from generator.errors import BuildError

log = logging.getLogger(__name__)


class _Collect(logging.Handler):
    """Keeps MkDocs' warnings so a failed build can say why it failed."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def run_mkdocs(settings: Settings, site_dir: Path, *, strict: bool = True) -> None:
    """Run MkDocs' own build of ``docs_dir`` into ``site_dir``; raise BuildError on failure."""
    collect = _Collect()
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(collect)
    try:
        config = load_config(
            config_file=str(settings.config_file), site_dir=str(site_dir), strict=strict
        )
        config.plugins.on_startup(command="build", dirty=False)
        try:
            mkdocs_build(config)
        finally:
            config.plugins.on_shutdown()
    except (MkDocsException, OSError) as exc:
        details = "".join(f"\n  {m}" for m in collect.messages)
        raise BuildError(f"MkDocs could not build the site: {exc}{details}") from exc
    finally:
        mkdocs_log.removeHandler(collect)


def _swap(new: Path, target: Path) -> None:
    """Put ``new`` in place of ``target``; the old folder is removed afterwards."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}-old-{os.getpid()}")
        target.replace(old)
    new.replace(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build_site(settings: Settings, *, strict: bool = True) -> Path:
    """Build the site into a fresh folder, then swap it in for ``site_dir``."""
    target = settings.site_dir
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{target.name}-new-", dir=target.parent))
    try:
        run_mkdocs(settings, fresh, strict=strict)
        _swap(fresh, target)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    return target
