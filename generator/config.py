"""Site settings, read from ``site_config.yml``.

The file is MkDocs' own configuration; the generator's settings sit under
``extra.briefings`` so MkDocs accepts the file unchanged.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml_env_tag import construct_env_tag

log = logging.getLogger(__name__)

CONFIG_FILE = "site_config.yml"


class _ConfigLoader(yaml.CSafeLoader):
    """Reads MkDocs' configuration, including its ``!ENV`` tag."""


_ConfigLoader.add_constructor("!ENV", construct_env_tag)


@dataclass(frozen=True)
class RelatedWeights:
    """How much each kind of shared term counts towards relating two briefings.

    In the spirit of Hugo's related content: each shared term adds its weight,
    and terms shared by more than ``max_share`` of all briefings (or by more
    than ``max_briefs``) count for nothing, so that "NATO" alone relates
    nothing; ``threshold`` is the least score that makes a link, ``limit`` the
    most links a page shows.
    """

    actors: float = 1.0
    tags: float = 1.5
    events: float = 2.0
    proposals: float = 2.0
    threshold: float = 2.0
    max_share: float = 0.5
    max_briefs: int = 50
    limit: int = 5


@dataclass(frozen=True)
class Settings:
    """Where things are and how the generator behaves, resolved to absolute paths."""

    root: Path
    config_file: Path
    briefings_dir: Path
    docs_dir: Path
    site_dir: Path
    site_name: str = "Briefings"
    site_url: str | None = None
    schema_dir: Path | None = None
    related: RelatedWeights = field(default_factory=RelatedWeights)
    words_per_minute: int = 220
    engine: str = "properdocs"
    """The engine that builds the site: properdocs, mkdocs or zensical (checked in site.py)."""
    jobs: int = 0
    """Processes that render and write pages; 0 is one per core (for sites large enough)."""
    preview: bool = False
    """True for the local preview: drafts and embargoed briefs are shown, marked."""
    today: dt.date = field(default_factory=dt.date.today)
    """The day the build runs; briefs dated later are embargoed until then."""


def load_settings(
    config_file: Path | None = None, *, briefings_dir: Path | None = None
) -> Settings:
    """Read settings from the MkDocs configuration file; ``briefings_dir`` overrides it."""
    config_file = (config_file or Path(CONFIG_FILE)).resolve()
    with config_file.open("rb") as stream:
        raw: dict[str, Any] = yaml.load(stream, Loader=_ConfigLoader) or {}
    root = config_file.parent
    ours: dict[str, Any] = (raw.get("extra") or {}).get("briefings") or {}
    related = RelatedWeights(**(ours.get("related") or {}))
    return Settings(
        root=root,
        config_file=config_file,
        briefings_dir=(briefings_dir or root / ours.get("source", "briefings")).resolve(),
        docs_dir=root / raw.get("docs_dir", "docs"),
        site_dir=root / raw.get("site_dir", "site"),
        site_name=raw.get("site_name", "Briefings"),
        site_url=raw.get("site_url"),
        schema_dir=root / "schema",
        related=related,
        words_per_minute=int(ours.get("words_per_minute", 220)),
        jobs=int(ours.get("jobs", 0)),
        engine=str(ours.get("engine", "properdocs")),
    )
