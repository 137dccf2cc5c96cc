"""The generator as one readable pipeline: load → validate → index → render → write → build.

Each stage lives in its own module; this one only calls them in order, the way
MkDocs' ``build()`` reads as its own table of contents.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from generator import load, validate
from generator.config import Settings
from generator.errors import BriefingsError, Report
from generator.index import build_index
from generator.models import Actor
from generator.render import render_all
from generator.schema import write_schemas
from generator.site import build_site
from generator.validate import ValidBrief
from generator.write import WriteStats, write_pages

log = logging.getLogger(__name__)


@dataclass
class Checked:
    """The outcome of loading and validating: valid briefs, actors and every problem."""

    briefs: list[ValidBrief] = field(default_factory=list)
    actors: dict[str, Actor] = field(default_factory=dict)
    report: Report = field(default_factory=Report)


def check(settings: Settings) -> Checked:
    """Load and validate every file, collecting all problems before deciding anything."""
    corpus = load.read_corpus(settings.briefings_dir)
    checked = Checked()
    checked.report.extend(corpus.problems)
    checked.actors, problems = validate.validate_actors(corpus.actors)
    checked.report.extend(problems)
    checked.report.extend(validate.case_collisions([d.path for d in corpus.briefs]))
    for doc in corpus.briefs:
        valid, problems = validate.validate_brief(doc)
        checked.report.extend(problems)
        if valid:
            checked.briefs.append(valid)
    if checked.actors or not corpus.actors.problems:
        checked.report.extend(validate.cross_check(corpus.briefs, checked.actors))
    return checked


@dataclass(frozen=True)
class Generated:
    """What the generator wrote into the docs folder, and what it held back."""

    briefs: int
    stats: WriteStats
    held: list[validate.Held] = field(default_factory=list)


def generate(settings: Settings) -> Generated:
    """Check, index, render and write the Markdown pages; raise if any brief is invalid."""
    checked = check(settings)
    for warning in checked.report.warnings:
        log.warning("%s", warning)
    if checked.report.errors:
        raise BriefingsError(checked.report.errors)
    published, held = validate.release(checked.briefs, settings.today, preview=settings.preview)
    index = build_index(published, checked.actors, settings.related)
    pages = render_all(index, settings)
    stats = write_pages(pages, settings.docs_dir)
    if settings.schema_dir:
        write_schemas(settings.schema_dir, checked.actors)
    return Generated(len(published), stats, held)


@dataclass(frozen=True)
class Built:
    """The outcome of a full build, for the command line to report."""

    briefs: int
    written: int
    unchanged: int
    site_dir: Path
    held: list[validate.Held] = field(default_factory=list)


def build(settings: Settings) -> Built:
    """The whole pipeline: load → validate → index → render → write → build the site."""
    generated = generate(settings)
    site_dir = build_site(settings)
    return Built(
        briefs=generated.briefs,
        written=len(generated.stats.written),
        unchanged=len(generated.stats.unchanged),
        site_dir=site_dir,
        held=generated.held,
    )
