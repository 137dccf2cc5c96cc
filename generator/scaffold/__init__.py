"""``briefings new``: start a brief from a commented template.

Authoring tooling, outside the build pipeline: it writes one new file and
never touches an existing one.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from importlib.resources import files
from pathlib import Path
from string import Template

from generator.models import RESERVED_SLUGS, slugify

log = logging.getLogger(__name__)

TEMPLATE = "brief.yml.tmpl"
MAX_FILE_SLUG = 60
"""Characters in a new brief's file name: long enough to read, short enough to type."""


class BriefExistsError(FileExistsError):
    """A brief with that slug already exists; we never overwrite one."""


def slug_for(title: str) -> str:
    """The file name a title gets: its words in lowercase ASCII joined by hyphens.

    Made by the site's one slug rule, so that a title in any script gives a
    readable name. At most ``MAX_FILE_SLUG`` characters, cut between words.

    Raises:
        ValueError: the title has no letter or digit to make a name from.

    """
    slug = slugify(title, MAX_FILE_SLUG)
    if not slug:
        raise ValueError(
            f"the title {title!r} has no letters or digits to name the file after; "
            "give it a title in words"
        )
    return f"{slug}-briefing" if slug in RESERVED_SLUGS else slug


def new_brief(folder: Path, title: str, *, today: dt.date | None = None) -> Path:
    """Create ``folder/<slug>.yml`` from the template; refuse to overwrite."""
    title = " ".join(title.split())
    if not title:
        raise ValueError('give the brief a title, like: briefings new "NATO weighs armed drones"')
    path = folder / f"{slug_for(title)}.yml"
    if len(slugify(title)) > MAX_FILE_SLUG:
        log.warning(
            "the title is longer than a file name may be (%d characters), "
            "so the name keeps its first whole words: '%s'",
            MAX_FILE_SLUG,
            path.name,
        )
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
