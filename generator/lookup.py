"""Finding ids to reuse: ``briefings ids events|proposals|places|threads|briefs [WORD]``.

Two briefs that tell one event under two ids put it twice on the timeline, and
two that give one proposal two ids split its record in the tracker. An author
about to write an event or a proposal looks it up here first, with the title,
the date and the briefs that already use it. Drafts and embargoed briefs count,
since an author reuses ids across them, and are marked.

The listing reads every brief on its own and lists what it can: a brief with
errors is left out with a one-line note, never a stop (``check`` says why).
It comes after the index in the pipeline and only the command line imports it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from generator import load
from generator.config import Settings
from generator.errors import display_path

if TYPE_CHECKING:  # the stages are imported where used: the command line loads this module
    from generator.models import Place
    from generator.schema import Known, Use
    from generator.validate import ValidBrief

log = logging.getLogger(__name__)

KINDS = ("events", "proposals", "places", "threads", "briefs")
"""The kinds of id a brief can reuse, as ``briefings ids`` names them."""

TITLE_WIDTH = 50
"""Characters of a title in the text listing, cut at a word boundary with '…'."""

FORMATS = ("text", "json")

_NOUNS = {
    "events": "event id",
    "proposals": "proposal id",
    "places": "place id",
    "threads": "story thread id",
    "briefs": "brief slug",
}
"""What one listed id is, for the notes."""

_USED_BY = {"threads": "BRIEFS IN ORDER", "briefs": "LINKED FROM"}
"""The heading of the last column where 'the briefs that use it' means something else."""


@dataclass
class Readable:
    """What the briefs folder holds that can be read, and what was left out."""

    briefs: list[ValidBrief] = field(default_factory=list)
    places: dict[str, Place] = field(default_factory=dict)
    left_out: list[Path] = field(default_factory=list)
    """Brief files with errors, which the listing does without."""
    places_broken: bool = False


def read(folder: Path) -> Readable:
    """Every brief that passes its own checks, and the places that can be read.

    No cross-file check runs: a listing needs each brief's ids, not the
    agreement between briefs, and one broken brief must not hide the others.
    """
    from generator import validate  # imported late: see the imports above

    readable = Readable()
    paths, _ = load.find_brief_files(folder)  # odd names are `check`'s to report
    for path in paths:
        valid, _ = validate.validate_brief(load.load_yaml(path))
        if valid is None:
            readable.left_out.append(path)
        else:
            readable.briefs.append(valid)
    places_doc = load.read_places(folder)
    readable.places, problems = validate.validate_places(places_doc)
    readable.places_broken = bool(places_doc.problems or problems)
    return readable


def notes(readable: Readable) -> list[str]:
    """One short line per thing the listing had to do without."""
    lines = [
        f"note: {display_path(path)} has errors and is left out; 'briefings check' shows them"
        for path in readable.left_out
    ]
    if readable.places_broken:
        lines.append(
            f"note: {load.PLACES_FILE} has errors; only the places that could be read are "
            "listed ('briefings check' shows them)"
        )
    return lines


def matching(known: Sequence[Known], word: str | None) -> list[Known]:
    """The ids whose id or title holds ``word``, whatever its case; all of them without one."""
    if not word:
        return list(known)
    wanted = word.casefold()
    return [k for k in known if wanted in k.id.casefold() or wanted in k.title.casefold()]


def status(use: Use, today: dt.date) -> str:
    """'draft', 'embargoed' (dated after today) or 'published'."""
    if use.draft:
        return "draft"
    return "embargoed" if use.date > today else "published"


def _marked(use: Use, today: dt.date) -> str:
    state = status(use, today)
    return use.slug if state == "published" else f"{use.slug} ({state})"


def format_text(kind: str, known: Sequence[Known], today: dt.date) -> str:
    """Aligned columns: id, date, title and the briefs that use each id.

    A column that is empty throughout (places have no date) is left out, and
    the last column is not padded, so no line ends in spaces.
    """
    from generator.index import shorten  # imported late: see the imports above

    header = ["ID", "DATE", "TITLE", _USED_BY.get(kind, "BRIEFS")]
    rows = [
        [
            _marked(k.brief, today) if k.brief else k.id,
            k.when,
            shorten(k.title, TITLE_WIDTH),
            ", ".join(_marked(use, today) for use in k.uses),
        ]
        for k in known
    ]
    shown = [n for n in range(len(header)) if n in (0, 2) or any(row[n] for row in rows)]
    table = [[row[n] for n in shown] for row in [header, *rows]]
    widths = [max(len(row[n]) for row in table) for n in range(len(shown))]
    lines = []
    for row in table:
        cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines)


def as_json(kind: str, known: Sequence[Known], today: dt.date) -> str:
    """The listing for tools: one object per id, its briefs with their status."""
    items: list[dict[str, Any]] = []
    for k in known:
        item: dict[str, Any] = {
            "id": k.id,
            "title": k.title,
            "date": k.date or None,
            "end": k.end or None,
        }
        if k.brief:
            item["status"] = status(k.brief, today)
            item["story"] = k.story or None
        item["briefs"] = [
            {"slug": u.slug, "date": u.date.isoformat(), "status": status(u, today)} for u in k.uses
        ]
        items.append(item)
    return json.dumps(items, indent=2, ensure_ascii=False)


def list_ids(
    settings: Settings,
    kind: str,
    word: str | None,
    output: str,
    out: TextIO,
    err: TextIO,
) -> int:
    """Print the ``kind`` of ids the briefs hold; 1 when ``word`` matched none."""
    from generator.schema import catalogue  # imported late: see the imports above

    if kind not in KINDS:
        raise ValueError(f"unknown kind of id: {kind!r}")
    readable = read(settings.briefings_dir)
    for line in notes(readable):
        print(line, file=err)
    every = catalogue(readable.briefs, readable.places)[kind]
    found = matching(every, word)
    if output == "json":
        print(as_json(kind, found, settings.today), file=out)
    elif found:
        print(format_text(kind, found, settings.today), file=out)
    if word and not found:
        print(f"no {_NOUNS[kind]} or title contains '{word}'", file=err)
        return 1
    if not every:
        print(f"no {_NOUNS[kind]}s in {display_path(settings.briefings_dir)} yet", file=err)
    return 0
