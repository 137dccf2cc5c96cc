"""``briefings new``: start a brief from a commented template.

Authoring tooling, outside the build pipeline: it writes one new file and
never touches an existing one.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib.resources import files
from pathlib import Path
from string import Template

from generator.models import slugify
from generator.validate import RESERVED_SLUGS

TEMPLATE = "brief.yml.tmpl"


class BriefExistsError(FileExistsError):
    """A brief with that slug already exists; we never overwrite one."""


def slug_for(title: str) -> str:
    """The file name a title gets: lowercase ASCII words joined by hyphens, at most 60 characters."""
    slug = slugify(title)[:60].rstrip("-")
    return f"{slug}-briefing" if slug in RESERVED_SLUGS else slug


def new_brief(folder: Path, title: str, *, today: dt.date | None = None) -> Path:
    """Create ``folder/<slug>.yml`` from the template; refuse to overwrite."""
    title = " ".join(title.split())
    if not title:
        raise ValueError('give the brief a title, like: briefings new "NATO weighs armed drones"')
    path = folder / f"{slug_for(title)}.yml"
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
