"""JSON Schemas for editors, generated from the models and the actor registry.

Editors that use the YAML language server read the ``# yaml-language-server:
$schema=…`` line at the top of each brief and then complete and check fields as
the author types. The brief and actor schemas come from the pydantic models
only; the list of actor ids comes from ``briefings/actors.yml`` and lives in a
file of its own, so adding an actor never makes the model schemas stale.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter

from generator.models import SLUG_PATTERN, Actor, Brief, Place
from generator.write import atomic_write

log = logging.getLogger(__name__)

SCHEMA_DIR = "schema"
BRIEF_SCHEMA = "brief.schema.json"
ACTORS_SCHEMA = "actors.schema.json"
ACTOR_IDS_SCHEMA = "actor-ids.schema.json"
PLACES_SCHEMA = "places.schema.json"
PLACE_IDS_SCHEMA = "place-ids.schema.json"


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


def brief_schema() -> dict[str, Any]:
    """The schema of one brief file."""
    schema = _link_place_ids(_link_actor_ids(Brief.model_json_schema()))
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def dumps(schema: dict[str, Any]) -> str:
    """Stable, reviewable JSON text."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def schema_files(actor_ids: Iterable[str], place_ids: Iterable[str] = ()) -> dict[str, str]:
    """File name → text of every schema file."""
    return {
        BRIEF_SCHEMA: dumps(brief_schema()),
        ACTORS_SCHEMA: dumps(actors_schema()),
        ACTOR_IDS_SCHEMA: dumps(actor_ids_schema(actor_ids)),
        PLACES_SCHEMA: dumps(places_schema()),
        PLACE_IDS_SCHEMA: dumps(place_ids_schema(place_ids)),
    }


def write_schemas(
    folder: Path, actor_ids: Iterable[str], place_ids: Iterable[str] = ()
) -> list[str]:
    """Write the schema files that changed; return their names."""
    changed = []
    for name, text in schema_files(actor_ids, place_ids).items():
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


def _ids_schema(ids: Iterable[str], title: str, description: str) -> dict[str, Any]:
    """The known ids of a registry, which editors offer wherever a brief names one."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        "description": description,
        "type": "string",
        "enum": sorted(ids),
    }


def actors_schema() -> dict[str, Any]:
    """The schema of the actor registry: actor ids mapped to actors."""
    return _registry_schema(
        Actor,
        "Actor registry",
        "Every person, country, organisation or group the briefs name, by id.",
    )


def actor_ids_schema(actor_ids: Iterable[str]) -> dict[str, Any]:
    """The known actor ids, which editors offer wherever a brief names an actor."""
    return _ids_schema(actor_ids, "Actor id", "The id of an actor in briefings/actors.yml.")


def places_schema() -> dict[str, Any]:
    """The schema of the place registry: place ids mapped to places."""
    return _registry_schema(
        Place, "Place registry", "Every place the briefs' events and quotes name, by id."
    )


def place_ids_schema(place_ids: Iterable[str]) -> dict[str, Any]:
    """The known place ids, which editors offer wherever a brief names a place."""
    return _ids_schema(place_ids, "Place id", "The id of a place in briefings/places.yml.")
