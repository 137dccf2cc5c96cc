"""``briefings new``: start a brief from a commented template.

Authoring tooling, outside the build pipeline: it writes one new file and
never touches an existing one.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from string import Template

from generator.models import RESERVED_SLUGS, slugify

log = logging.getLogger(__name__)

TEMPLATE = "brief.yml.tmpl"
MAX_FILE_SLUG = 60
"""Characters in a new brief's file name: long enough to read, short enough to type."""

PLACEHOLDERS: frozenset[str] = frozenset(
    {
        # Text, as the models hold it (lines of a paragraph joined by one space).
        "The bottom line in one to three sentences: what happened and why it matters, "
        "as your sources say.",
        "One essential fact per point, as your sources state it.",
        "Heading of the section",
        "First paragraph of the section. Wrap lines as you like: a line break inside a "
        "paragraph reads as a space.\n\nA blank line starts a new paragraph.",
        "Why, in a few words",
        "What they say instead, as the source reports it.",
        "What is proposed, as a short phrase",
        "What the sources add, like conditions or how far the talks have got.",
        "The exact words, without quotation marks",
        "Their role when they said it",
        "Where or to whom it was said",
        "Words of an unnamed source",
        "How the source describes them, like a NATO diplomat",
        "Where it happened, in words",
        "What happened, in a sentence or two.",
        "The position in the sources' terms.",
        "The issue, in a few words",
        "Name of the outlet",
        "https://example.org/article",
        "Headline of the article",
        "Who the outlet relied on, as it says",
        "A caveat readers should know",
        "What will readers ask next?",
        "Why it matters, as a source states it.",
        "What comes next, as a source states it.",
        "What changed, in a sentence.",
        # Ids. An unknown actor, place or brief id is reported anyway; a proposal or
        # event id is not, and two briefs that kept 'event-id' would share an event.
        "actor-id",
        "another-actor-id",
        "place-id",
        "short-stable-id",
        "event-id",
        "other-event-id",
        "another-brief-slug",
        "other-brief-slug",
        "earlier-brief-slug",
    }
)
"""Every placeholder value of ``brief.yml.tmpl``, exactly as the models hold it.

Part of the template's contract: the check for placeholders left in a brief that
is not a draft reads this set, and compares each text value of a brief (after the
models' cleaning: surrounding space trimmed, lines of a paragraph joined by one
space, paragraphs by a blank line) and each id to it. A test loads the template
with every optional field uncommented and requires that its values are exactly
these, besides the title, the dates, the fixed values (statuses, stances, …),
true/false and the source id ``source-1``, which is harmless to publish once the
source's outlet and address are real.
"""

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class BriefExistsError(FileExistsError):
    """A brief with that slug already exists; we never overwrite one."""


@dataclass(frozen=True)
class FileName:
    """The file name a title gets, and why it was shortened, if it was."""

    slug: str
    note: str = ""
    """Empty unless the title was too long: then says which name was chosen and why."""


def file_name(title: str) -> FileName:
    """The file name a title gets: its words in lowercase ASCII joined by hyphens.

    Made by the site's one slug rule, so that a title in any script gives a
    readable name. At most ``MAX_FILE_SLUG`` characters, cut between words: a
    name that ends in a cut word ('…-september-202') reads as a typo. Only a
    first word longer than the limit is cut inside, and the note says so.

    Raises:
        ValueError: the title has no letter or digit to make a name from.

    """
    full = slugify(title)
    if not full:
        raise ValueError(
            f"the title {title!r} has no letters or digits to name the file after; "
            "give it a title in words"
        )
    slug = slugify(title, MAX_FILE_SLUG)
    slug = f"{slug}-briefing" if slug in RESERVED_SLUGS else slug
    if len(full) <= MAX_FILE_SLUG:
        return FileName(slug)
    if full.startswith(slug + "-"):
        why = "so the name keeps its first whole words"
    else:
        why = "and its first word is longer still, so the name keeps its first characters"
    return FileName(
        slug,
        f"the title is longer than a file name may be ({MAX_FILE_SLUG} characters), "
        f"{why}: '{slug}.yml'",
    )


def slug_for(title: str) -> str:
    """The file name a title gets, without ``.yml``; see :func:`file_name`."""
    return file_name(title).slug


def parse_date(text: str) -> dt.date:
    """A publication date given on the command line, as ``YYYY-MM-DD``.

    Raises:
        ValueError: not written YYYY-MM-DD, or not a day of the calendar.

    """
    if not _DATE.match(text):
        raise ValueError(f"--date '{text}' is not a date; write it as YYYY-MM-DD, like 2025-10-09")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(
            f"--date '{text}' is not a real date ({exc}); give a day of the calendar, as YYYY-MM-DD"
        ) from None


def new_brief(folder: Path, title: str, *, today: dt.date | None = None) -> Path:
    """Create ``folder/<slug>.yml`` from the template, dated ``today``; refuse to overwrite.

    A shortened file name is logged as a warning that names it (``briefings new``
    prints it); see :func:`file_name`.
    """
    title = " ".join(title.split())
    if not title:
        raise ValueError('give the brief a title, like: briefings new "NATO weighs armed drones"')
    name = file_name(title)
    path = folder / f"{name.slug}.yml"
    if name.note:
        log.warning("%s", name.note)
    text = Template(files("generator.scaffold").joinpath(TEMPLATE).read_text(encoding="utf-8"))
    content = text.substitute(
        title=json.dumps(title, ensure_ascii=False),  # a JSON string is a valid YAML scalar
        date=(today or dt.date.today()).isoformat(),
    )
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as stream:
            stream.write(content)
    except FileExistsError:
        raise BriefExistsError(
            f"{path} already exists; choose another title or edit that brief"
        ) from None
    return path
