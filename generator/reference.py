"""The field reference of the brief format, read from the models themselves.

The author guide and the JSON Schema both come from the pydantic models, so
the documentation cannot drift from what the validator accepts.
"""

from __future__ import annotations

import enum
import inspect
import types
import typing
from dataclasses import dataclass
from typing import Any, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from generator import models

MODELS: tuple[type[BaseModel], ...] = (
    models.Brief,
    models.Point,
    models.Section,
    models.Proposal,
    models.Quote,
    models.Event,
    models.Position,
    models.Question,
    models.Source,
    models.Actor,
    models.CertaintyNote,
    models.Dispute,
    models.Cited,
    models.Change,
    models.Place,
)
"""The models an author writes, in the order the guide explains them."""

_NAMED_TYPES: dict[object, str] = {
    models.Text: "text",
    models.Title: "short text",
    models.RichText: "rich text",
    models.Slug: "id",
    models.ActorId: "actor id",
    models.PlaceId: "place id",
    models.Latitude: "number (-90 to 90)",
    models.Longitude: "number (-180 to 180)",
    models.Url: "web address",
    models.Date: "date (YYYY-MM-DD)",
    models.PartialDate: "date (YYYY-MM-DD or YYYY-MM)",
    bool: "true or false",
}


@dataclass(frozen=True)
class FieldDoc:
    """One key of one model, as the guide lists it."""

    name: str
    type: str
    required: bool
    description: str


@dataclass(frozen=True)
class ModelDoc:
    """One model: its purpose and its keys."""

    name: str
    description: str
    fields: list[FieldDoc]


def describe_type(annotation: Any) -> str:
    """A type in words an author understands: 'list of Quote', 'text'."""
    if annotation in _NAMED_TYPES:
        return _NAMED_TYPES[annotation]
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return describe_type(get_args(annotation)[0])
    if origin is list:
        return "list of " + describe_type(get_args(annotation)[0])
    if origin in (types.UnionType, typing.Union):
        return " or ".join(describe_type(a) for a in get_args(annotation) if a is not type(None))
    if inspect.isclass(annotation) and issubclass(annotation, enum.Enum):
        return "one of: " + ", ".join(str(m.value) for m in annotation)
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return annotation.__name__
    return getattr(annotation, "__name__", str(annotation))


def _field_doc(name: str, info: FieldInfo, hint: Any) -> FieldDoc:
    return FieldDoc(
        name=name,
        type=describe_type(hint),
        required=info.is_required(),
        description=" ".join((info.description or "").split()),
    )


def reference() -> list[ModelDoc]:
    """Every model an author writes, with each of its keys."""
    docs = []
    for model in MODELS:
        hints = typing.get_type_hints(model, include_extras=True)
        docs.append(
            ModelDoc(
                name=model.__name__,
                description=" ".join((model.__doc__ or "").split()),
                fields=[
                    _field_doc(name, info, hints[name])
                    for name, info in model.model_fields.items()
                    if not info.exclude
                ],
            )
        )
    return docs
