"""JSON Schemas for editors, generated from the models, the registries and the briefs.

Editors that use the YAML language server read the ``# yaml-language-server:
$schema=…`` line at the top of each brief and then complete and check fields as
the author types. The brief and registry schemas come from the pydantic models
only; the known ids (actors, places, events, proposals, briefs) come from
``briefings/`` and live in files of their own, so adding an actor or a brief
never makes the model schemas stale.

The ids a brief may coin (an event's or a proposal's) are offered as completions
beside the plain pattern, so a new id stays valid; the ids a brief must name
exactly (actors, places, other briefs) are a closed list, as the checks have it.
Each offered id carries its title and date (``enumDescriptions``, which the YAML
language server shows beside a completion), so the author can tell which to reuse.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter

from generator.index import shorten
from generator.mdtext import plain
from generator.models import SLUG_PATTERN, Actor, Brief, Place
from generator.validate import ValidBrief, thread_root
from generator.write import atomic_write

log = logging.getLogger(__name__)

SCHEMA_DIR = "schema"
BRIEF_SCHEMA = "brief.schema.json"
ACTORS_SCHEMA = "actors.schema.json"
ACTOR_IDS_SCHEMA = "actor-ids.schema.json"
PLACES_SCHEMA = "places.schema.json"
PLACE_IDS_SCHEMA = "place-ids.schema.json"
EVENT_IDS_SCHEMA = "event-ids.schema.json"
PROPOSAL_IDS_SCHEMA = "proposal-ids.schema.json"
BRIEF_IDS_SCHEMA = "brief-ids.schema.json"

DESCRIPTION_LENGTH = 80
"""Characters of a title in a completion's description, cut at a word boundary."""


def _link_actor_ids(node: Any) -> Any:
    """Point every actor-id field at the generated list of known ids.

    The models mark those fields with ``x-actor-id`` because pydantic insists
    on resolving every ``$ref`` itself.
    """
    if isinstance(node, dict):
        if node.get("x-actor-id"):
            return {"$ref": ACTOR_IDS_SCHEMA}
        return {key: _link_actor_ids(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_link_actor_ids(item) for item in node]
    return node


def _link_place_ids(node: Any) -> Any:
    """Point every place-id field at the generated list of known place ids."""
    if isinstance(node, dict):
        if node.get("x-place-id"):
            return {"$ref": PLACE_IDS_SCHEMA}
        return {key: _link_place_ids(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_link_place_ids(item) for item in node]
    return node


_OPEN_IDS: dict[tuple[str | None, str], str] = {
    ("Event", "id"): EVENT_IDS_SCHEMA,
    ("Event", "not_same_as"): EVENT_IDS_SCHEMA,
    ("Proposal", "id"): PROPOSAL_IDS_SCHEMA,
    ("Position", "proposal"): PROPOSAL_IDS_SCHEMA,
}
"""Fields that name an event or a proposal (model, key; None is the brief itself).

A brief may coin a new id there, so the known ones are offered beside the pattern.
They are named here rather than marked in the models, as actor ids are, because one
``Slug`` type serves ids that are coined, ids that point elsewhere and sources' ids."""

_CLOSED_IDS: dict[tuple[str | None, str], str] = {
    (None, "related"): BRIEF_IDS_SCHEMA,
    (None, "continues"): BRIEF_IDS_SCHEMA,
    ("Question", "answered_by"): BRIEF_IDS_SCHEMA,
    ("Question", "not_answered_by"): BRIEF_IDS_SCHEMA,
}
"""Fields that must name an existing brief, as the cross-file checks require."""


def _offer_ids(prop: dict[str, Any], ref: str, *, open_: bool) -> dict[str, Any]:
    """A property whose string values (or items, or non-null alternative) take known ids.

    Only the string schema itself is replaced, so the property keeps its title,
    description, default and list limits.
    """
    if prop.get("type") == "array":
        return {**prop, "items": _offer_ids(prop["items"], ref, open_=open_)}
    if "anyOf" in prop:  # optional: the ids, or null
        options: list[dict[str, Any]] = []
        for option in prop["anyOf"]:
            offered = (
                option if option.get("type") == "null" else _offer_ids(option, ref, open_=open_)
            )
            options += offered["anyOf"] if list(offered) == ["anyOf"] else [offered]
        return {**prop, "anyOf": options}
    kept = {k: v for k, v in prop.items() if k not in ("type", "maxLength", "pattern")}
    plain_id = {"type": "string", "maxLength": prop.get("maxLength", 80), "pattern": SLUG_PATTERN}
    if not open_:
        return {**kept, "$ref": ref}
    return {**kept, "anyOf": [{"$ref": ref}, plain_id]}


def _link_brief_ids(schema: dict[str, Any]) -> dict[str, Any]:
    """Point the fields that name events, proposals and briefs at the lists of known ids."""
    for fields, open_ in ((_OPEN_IDS, True), (_CLOSED_IDS, False)):
        for (model, key), ref in fields.items():
            owner = schema if model is None else schema["$defs"][model]
            owner["properties"][key] = _offer_ids(owner["properties"][key], ref, open_=open_)
    return schema


def brief_schema() -> dict[str, Any]:
    """The schema of one brief file."""
    schema = _link_place_ids(_link_actor_ids(Brief.model_json_schema()))
    schema = _link_brief_ids(schema)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def dumps(schema: dict[str, Any]) -> str:
    """Stable, reviewable JSON text."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


@cache
def _model_schema_files() -> dict[str, str]:
    """The schemas that follow from the models alone: worked out once per process.

    The preview refreshes the id lists after every edit; the models do not change.
    """
    return {
        BRIEF_SCHEMA: dumps(brief_schema()),
        ACTORS_SCHEMA: dumps(actors_schema()),
        PLACES_SCHEMA: dumps(places_schema()),
    }


def schema_files(
    actor_ids: Iterable[str],
    place_ids: Iterable[str] = (),
    briefs: Sequence[ValidBrief] = (),
) -> dict[str, str]:
    """File name → text of every schema file.

    ``actor_ids`` and ``place_ids`` may be the registries themselves (id → actor
    or place), whose names then describe the ids; ``briefs`` are every valid
    brief, drafts and embargoed ones included, since an author reuses ids across them.
    """
    return dict(_schema_texts(actor_ids, place_ids, briefs))


def _schema_texts(
    actor_ids: Iterable[str], place_ids: Iterable[str], briefs: Sequence[ValidBrief]
) -> Iterator[tuple[str, str]]:
    """(file name, text) of each schema file, each made as it is drawn.

    The ids of 10,000 briefs make 4.6 MB of text, and what describes them
    three times as much: each kind is let go of once its text is made.
    """
    known = catalogue(briefs, place_ids if isinstance(place_ids, Mapping) else {})
    models = _model_schema_files()
    yield BRIEF_SCHEMA, models[BRIEF_SCHEMA]
    yield ACTORS_SCHEMA, models[ACTORS_SCHEMA]
    yield ACTOR_IDS_SCHEMA, dumps(actor_ids_schema(actor_ids))
    yield PLACES_SCHEMA, models[PLACES_SCHEMA]
    yield PLACE_IDS_SCHEMA, dumps(place_ids_schema(place_ids))
    for name, kind, title, description in (
        (EVENT_IDS_SCHEMA, "events", "Event id", "The id of an event in a brief."),
        (PROPOSAL_IDS_SCHEMA, "proposals", "Proposal id", "The id of a proposal in a brief."),
        (BRIEF_IDS_SCHEMA, "briefs", "Brief slug", "The file name of a brief, without .yml."),
    ):
        yield name, dumps(_known_schema(known.pop(kind), title, description))


def write_schemas(
    folder: Path,
    actor_ids: Iterable[str],
    place_ids: Iterable[str] = (),
    briefs: Sequence[ValidBrief] = (),
) -> list[str]:
    """Write the schema files that changed, one at a time; return their names."""
    changed = []
    for name, text in _schema_texts(actor_ids, place_ids, briefs):
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            atomic_write(path, text.encode("utf-8"))
            changed.append(name)
    return changed


def _registry_schema(model: type[BaseModel], title: str, description: str) -> dict[str, Any]:
    """The schema of a registry file: ids mapped to ``model``s."""
    schema = _link_actor_ids(TypeAdapter(dict[str, model]).json_schema())
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = title
    schema["description"] = description
    schema["propertyNames"] = {"pattern": SLUG_PATTERN}
    return schema


def _ids_schema(
    ids: Iterable[str], title: str, description: str, descriptions: Sequence[str] = ()
) -> dict[str, Any]:
    """Known ids, which editors offer wherever a brief names one.

    ``descriptions``, one per id in sorted order, are what the YAML language
    server shows beside each completion (its ``enumDescriptions``).
    """
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        "description": description,
        "type": "string",
        "enum": sorted(ids),
    }
    if descriptions:
        schema["enumDescriptions"] = list(descriptions)
    return schema


def _registry_ids_schema(ids: Iterable[str], title: str, description: str) -> dict[str, Any]:
    """The ids of a registry, described by their names when the registry itself is given."""
    if not isinstance(ids, Mapping):
        return _ids_schema(ids, title, description)
    names = [getattr(ids[key], "name", "") for key in sorted(ids)]
    return _ids_schema(ids, title, description, names if all(names) else ())


def _known_schema(known: Sequence[Known], title: str, description: str) -> dict[str, Any]:
    """Ids found in the briefs, each described by its title and date."""
    ordered = sorted(known, key=lambda k: k.id)
    return _ids_schema(
        [k.id for k in ordered], title, description, [k.description() for k in ordered]
    )


def actors_schema() -> dict[str, Any]:
    """The schema of the actor registry: actor ids mapped to actors."""
    return _registry_schema(
        Actor,
        "Actor registry",
        "Every person, country, organisation or group the briefs name, by id.",
    )


def actor_ids_schema(actor_ids: Iterable[str]) -> dict[str, Any]:
    """The known actor ids, which editors offer wherever a brief names an actor."""
    return _registry_ids_schema(
        actor_ids, "Actor id", "The id of an actor in briefings/actors.yml."
    )


def places_schema() -> dict[str, Any]:
    """The schema of the place registry: place ids mapped to places."""
    return _registry_schema(
        Place, "Place registry", "Every place the briefs' events and quotes name, by id."
    )


def place_ids_schema(place_ids: Iterable[str]) -> dict[str, Any]:
    """The known place ids, which editors offer wherever a brief names a place."""
    return _registry_ids_schema(place_ids, "Place id", "The id of a place in briefings/places.yml.")


# --- Known ids: what a new brief can reuse ------------------------------------------


@dataclass(frozen=True)
class Use:
    """A brief that names an id."""

    slug: str
    date: dt.date
    draft: bool


@dataclass
class Known:
    """An id an author can reuse, with what tells it apart: a title, a date, its briefs."""

    id: str
    title: str
    date: str = ""
    """YYYY-MM-DD or YYYY-MM; '' when it has none (places)."""
    end: str = ""
    """When a span ends: an event's end, a story's latest brief."""
    uses: list[Use] = field(default_factory=list)
    """The briefs that name it, oldest first; for a brief, those that link to it."""
    brief: Use | None = None
    """For a brief, the brief itself: whether it is a draft, and its date."""
    story: str = ""
    """For a brief in a story: 'latest in story <thread id>' or 'in story <thread id>'."""
    seen: set[Use] = field(default_factory=set, repr=False, compare=False)
    """:attr:`uses` as a set: a place of a large archive is named by thousands of briefs."""

    def __post_init__(self) -> None:
        self.seen.update(self.uses)

    def use(self, use: Use) -> None:
        """Count ``use`` among the briefs that name the id, once."""
        if use not in self.seen:
            self.seen.add(use)
            self.uses.append(use)

    @property
    def when(self) -> str:
        """The date, or the span: '2025-09-10 to 2025-09-12'."""
        return f"{self.date} to {self.end}" if self.end and self.end != self.date else self.date

    def description(self) -> str:
        """What an editor shows beside the id: 'Title · 2025-09-10 · draft'."""
        parts = [shorten(self.title, DESCRIPTION_LENGTH)]
        parts += [self.when] if self.when else []
        parts += ["draft"] if self.brief and self.brief.draft else []
        parts += [self.story] if self.story else []
        return " · ".join(parts)


def catalogue(
    briefs: Sequence[ValidBrief], places: Mapping[str, Place] | None = None
) -> dict[str, list[Known]]:
    """Every reusable id by kind (see :data:`generator.lookup.KINDS`), each list sorted by id.

    Briefs are read oldest first: an event keeps the words of the brief that
    first told it, as the timeline does, and a proposal the title of its latest
    report, as the tracker does.
    """
    ordered = sorted(briefs, key=lambda item: (item.brief.date, item.slug))
    threads = _threads(ordered)
    return {
        "events": _by_id(_events(ordered)),
        "proposals": _by_id(_proposals(ordered)),
        "places": _by_id(_places(ordered, places or {})),
        "threads": threads,
        "briefs": _by_id(_briefs(ordered, threads)),
    }


def _by_id(known: Mapping[str, Known]) -> list[Known]:
    return [known[key] for key in sorted(known)]


def _use(item: ValidBrief) -> Use:
    return Use(item.slug, item.brief.date, item.brief.draft)


def _events(ordered: Sequence[ValidBrief]) -> dict[str, Known]:
    """Events with an id, in the words and dates of the brief that first told them."""
    events: dict[str, Known] = {}
    for item in ordered:
        for event in item.brief.events:
            if event.id:
                if event.id not in events:  # the words of the first brief to tell it
                    what = plain(event.what)
                    events[event.id] = Known(event.id, what, str(event.date), str(event.end or ""))
                events[event.id].use(_use(item))
    return events


def _proposals(ordered: Sequence[ValidBrief]) -> dict[str, Known]:
    """Proposals, with the title and date of their latest report."""
    proposals: dict[str, Known] = {}
    for item in ordered:
        for proposal in item.brief.proposals:
            known = proposals.setdefault(proposal.id, Known(proposal.id, proposal.title))
            known.title, known.date = proposal.title, item.brief.date.isoformat()
            known.use(_use(item))
    return proposals


def _places(ordered: Sequence[ValidBrief], places: Mapping[str, Place]) -> dict[str, Known]:
    """Every place of the registry, with the briefs whose events or quotes name it."""
    known = {key: Known(key, place.name) for key, place in places.items()}
    for item in ordered:
        named = [p for event in item.brief.events for p in event.places]
        named += [quote.place for quote in item.brief.quotes if quote.place]
        for key in named:
            if key in known:
                known[key].use(_use(item))
    return known


def _briefs(ordered: Sequence[ValidBrief], threads: Sequence[Known]) -> dict[str, Known]:
    """Every brief, with the briefs that link to it and the story it belongs to."""
    known = {
        item.slug: Known(item.slug, item.brief.title, item.brief.date.isoformat(), brief=_use(item))
        for item in ordered
    }
    for item in ordered:
        for slug in _linked_briefs(item.brief):
            if slug in known:
                known[slug].use(_use(item))
    for thread in threads:
        for member in thread.uses:
            where = "latest in" if member == thread.uses[-1] else "in"
            known[member.slug].story = f"{where} story {thread.id}"
    return known


def _linked_briefs(brief: Brief) -> list[str]:
    """The briefs a brief names: related, continued, answering or not answering."""
    slugs = [*brief.related, brief.continues]
    for question in brief.questions:
        slugs += [question.answered_by, *question.not_answered_by]
    return [slug for slug in slugs if slug]


def _steps(slug: str, predecessor: Mapping[str, str]) -> int:
    """How many briefs back a story's first brief is (``slug`` is in no cycle)."""
    steps = 0
    while slug in predecessor:
        slug, steps = predecessor[slug], steps + 1
    return steps


def _threads(ordered: Sequence[ValidBrief]) -> list[Known]:
    """Stories of two briefs or more, by thread id (their first brief's slug).

    Titled after the latest brief, as the story's page is; a cycle (an error
    the checks report) is no story.
    """
    slugs = {item.slug for item in ordered}
    predecessor = {
        item.slug: item.brief.continues
        for item in ordered
        if item.brief.continues and item.brief.continues in slugs
    }
    members: dict[str, list[tuple[dt.date, int, ValidBrief]]] = defaultdict(list)
    for item in ordered:
        root = thread_root(item.slug, predecessor)
        if root is not None:
            members[root].append((item.brief.date, _steps(item.slug, predecessor), item))
    threads = []
    for root, told in sorted(members.items()):
        if len(told) < 2:
            continue
        found = [item for *_, item in sorted(told, key=lambda t: (t[0], t[1], t[2].slug))]
        first, latest = found[0].brief, found[-1].brief
        uses = [Use(item.slug, item.brief.date, item.brief.draft) for item in found]
        threads.append(
            Known(root, latest.title, first.date.isoformat(), latest.date.isoformat(), uses)
        )
    return threads
