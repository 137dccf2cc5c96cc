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

from generator import engine
from generator.config import Settings

log = logging.getLogger(__name__)


def run_mkdocs(settings: Settings, site_dir: Path, *, strict: bool = True) -> None:
    """Build ``docs_dir`` into ``site_dir`` with the configured engine; raise BuildError on failure.

    The engine (``extra.briefings.engine``: ProperDocs, MkDocs or Zensical) runs
    through its own command line; see :mod:`generator.engine`.
    """
    chosen = engine.get_engine(settings.engine, settings.config_file)
    engine.build(chosen, settings.config_file, site_dir, strict=strict)


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
