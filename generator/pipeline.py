"""The generator as one readable pipeline: load → validate → index → render → write → build.

Each stage lives in its own module; this one only calls them in order, the way
MkDocs' ``build()`` reads as its own table of contents.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from generator import load, validate
from generator.config import Settings
from generator.errors import Report
from generator.models import Actor
from generator.validate import ValidBrief

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
