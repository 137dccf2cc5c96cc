"""The brief's schema: plain data, no file access, no rendering.

Each model documents its keys with an attribute docstring; pydantic turns those
into the JSON Schema descriptions editors show, and the author guide's field
reference is generated from the same place, so the documentation cannot drift.

Two kinds of author text exist. ``Text`` is plain: it is shown exactly as
written, whatever characters it holds. ``RichText`` additionally allows
``*emphasis*``, ``**strong**`` and ``[links](https://…)``; nothing else of
Markdown or HTML takes effect in either.
"""

from __future__ import annotations

import datetime as dt
import enum
import pickle
import re
import sys
import threading
import unicodedata
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, make_dataclass, replace
from functools import lru_cache, total_ordering
from types import FunctionType
from typing import Annotated, Any, ClassVar, Self
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic.json_schema import JsonSchemaValue, SkipJsonSchema
from pydantic_core import PydanticCustomError, core_schema
from slugify import slugify as _python_slugify

from generator.errors import BLANK_LOOKING
from generator.pickles import fast_state
from generator.reads import KEPT, keep_digest

# --- Limits: documented in the author guide and enforced with clear errors ---

MAX_TITLE = 200
MAX_TEXT = 1_000
MAX_RICH_TEXT = 20_000
MAX_URL = 2_000
MAX_ITEMS = 200

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_SLUG_RE = re.compile(SLUG_PATTERN)
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_PARTIAL_DATE_RE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")

# Invisible characters that can disguise text are refused (see _INVISIBLE);
# zero-width spaces, BOMs and soft hyphens are dropped.
_DROPPED = dict.fromkeys(map(ord, "\u200b\ufeff\u00ad"))


_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]"
)
"""Control characters (but tab and newline), bidirectional controls, line and paragraph
separators, and lone surrogates."""


def _check_characters(value: str) -> str:
    found = _INVISIBLE.search(value)
    if found:
        raise PydanticCustomError(
            "bad_character",
            "invisible control character U+{code} at character {index} is not allowed; "
            "delete it (it was probably pasted with the text)",
            {"code": f"{ord(found.group()):04X}", "index": found.start() + 1},
        )
    return value


_VARIATION_SELECTORS = ((0xFE00, 0xFE0F), (0xE0100, 0xE01EF))


def _looks_blank(char: str) -> bool:
    """Whether a character prints as nothing: spaces, format characters, fillers."""
    if char.isspace() or char in BLANK_LOOKING:
        return True
    if unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp"):
        return True
    return any(low <= ord(char) <= high for low, high in _VARIATION_SELECTORS)


def _refuse_blank(original: str, cleaned: str) -> None:
    """Refuse text that would show as nothing, naming the characters it holds.

    A title of Hangul fillers (U+3164) or braille blanks (U+2800) passes a
    length check and looks empty on the page; a title of zero-width spaces is
    empty once they are dropped. Text of ordinary spaces only is left to the
    length check, whose message ('is empty') says all there is to say.
    """
    if not all(_looks_blank(c) for c in cleaned):
        return
    unusual = list(dict.fromkeys(c for c in original if c not in " \t\n\r"))
    if not unusual:
        return
    codes = " ".join(f"U+{ord(c):04X}" for c in unusual[:3]) + (" …" if len(unusual) > 3 else "")
    raise PydanticCustomError(
        "blank", "is blank: it has only invisible or blank characters ({codes})", {"codes": codes}
    )


def _clean_text(value: Any) -> Any:
    """Single-line text: surrounding space trimmed, inner runs of space folded."""
    if not isinstance(value, str):
        return value
    cleaned = " ".join(_check_characters(value.translate(_DROPPED)).split())
    _refuse_blank(value, cleaned)
    return cleaned


def _clean_rich_text(value: Any) -> Any:
    """Paragraph text: lines trimmed, paragraphs kept, three or more newlines folded."""
    if not isinstance(value, str):
        return value
    kept = _check_characters(value.translate(_DROPPED))
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", kept.strip())]
    cleaned = "\n\n".join(p for p in paragraphs if p)
    _refuse_blank(value, cleaned)
    return cleaned


_SYMBOL_WORDS = {"+": "plus", "#": "sharp", "&": "and"}
_SYMBOLS = re.compile(r"[+&]|(?<=[^\W_])#")
"""Symbols that tell names apart ('C++', 'C#', 'R&D'), spelled out before slugging.

A '#' counts only after a letter or digit: a hashtag's leading '#' ('#MeToo') says
nothing and goes with the other punctuation.
"""


def slugify(text: str, max_length: int = 0) -> str:
    """The one address rule for every generated path: 'Łódź' → 'lodz', 'C++' → 'c-plus-plus'.

    python-slugify transliterates every script ('Противовоздушная' →
    'protivovozdushnaia', '北京' → 'bei-jing'). The backend is named, text-unidecode,
    because by default it prefers Unidecode when that happens to be installed, and
    an address must not change with the packages beside it. ``max_length`` cuts
    between words, never inside one, and keeps their order.

    Returns:
        Lowercase ASCII words joined by hyphens; empty when the text has no letter
        or digit in any script (only emoji or punctuation), which callers report.

    """
    spelled = _SYMBOLS.sub(lambda found: f" {_SYMBOL_WORDS[found.group()]} ", text)
    return _python_slugify(
        spelled,
        max_length=max_length,
        word_boundary=True,
        save_order=True,
        backend="text-unidecode",
    )


MAX_TAG_SLUG = 80
"""Characters in a topic's address: a long tag in another script can transliterate to
several times its length, past what a file name may hold. Two tags cut to the same
address are reported by the checks, like any other collision."""


@lru_cache(maxsize=65536)
def _tag_slug(name: str) -> str:
    """Cached: tags are hashed, compared and sorted many times."""
    return slugify(name, MAX_TAG_SLUG)


@total_ordering
@dataclass(frozen=True, eq=False, slots=True)
class Tag:
    """A topic; tags with the same address ('Air Defence', 'air-defence') are the same tag.

    The checks warn when two spellings meet, and refuse different words that
    would share one address.
    """

    name: str

    @property
    def slug(self) -> str:
        """The tag's address and identity."""
        return _tag_slug(self.name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Tag) and self.slug == other.slug

    def __hash__(self) -> int:
        return hash(self.slug)

    def __lt__(self, other: Tag) -> bool:
        return (self.name.casefold(), self.slug) < (other.name.casefold(), other.slug)


WINDOWS_NAMES = frozenset(
    {
        "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7",
        "com8", "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
    }
)  # fmt: skip
"""File names Windows cannot store, whatever the extension: no generated file may take one."""

_SITE_NAMES = frozenset(
    {
        "index", "404", "search", "assets", "actors", "topics", "proposals", "quotes",
        "timeline", "questions", "guide", "feeds", "briefings", "tags", "sitemap",
    }
)  # fmt: skip

RESERVED_SLUGS = _SITE_NAMES | WINDOWS_NAMES
"""Names a brief cannot take: the site's own pages, and names Windows cannot store."""


def _check_slug(value: str) -> str:
    if not _SLUG_RE.match(value):
        raise PydanticCustomError(
            "slug",
            "'{value}' is not a valid id; use lowercase letters, digits and single hyphens, "
            "like 'mark-rutte'",
            {"value": value},
        )
    return value


def _check_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PydanticCustomError(
            "url_scheme",
            "'{value}' is not a web address; links must start with https:// or http://",
            {"value": value[:80]},
        )
    if any(c.isspace() for c in value):
        raise PydanticCustomError(
            "url_space", "a web address cannot contain spaces; encode them as %20", {}
        )
    return value


def _parse_date(value: Any) -> Any:
    """Accept only ``YYYY-MM-DD``; YAML never gets to guess what a date is."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not _DATE_RE.match(value):
        raise PydanticCustomError(
            "date_format",
            "'{value}' is not a date; write dates as YYYY-MM-DD, like 2025-10-09",
            {"value": str(value)[:40]},
        )
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise PydanticCustomError(
            "date_value", "'{value}' is not a real date: {reason}", {"value": value, "reason": exc}
        ) from None


Text = Annotated[
    str,
    BeforeValidator(_clean_text),
    Field(min_length=1, max_length=MAX_TEXT),
]
"""One line of plain text, shown exactly as written."""

Title = Annotated[str, BeforeValidator(_clean_text), Field(min_length=1, max_length=MAX_TITLE)]
"""A short line of plain text: titles, names, headings."""

RichText = Annotated[
    str,
    BeforeValidator(_clean_rich_text),
    Field(min_length=1, max_length=MAX_RICH_TEXT),
]
"""Paragraphs separated by a blank line; *emphasis*, **strong** and [links](https://…) allowed."""

Slug = Annotated[str, AfterValidator(_check_slug), Field(max_length=80, pattern=SLUG_PATTERN)]
"""An id: lowercase letters, digits and single hyphens."""

ActorId = Annotated[
    str,
    AfterValidator(_check_slug),
    Field(max_length=80),
    WithJsonSchema({"x-actor-id": True}),  # becomes a $ref in generator/schema.py
]
"""The id of an actor in ``briefings/actors.yml``; editors offer the known ids."""

PlaceId = Annotated[
    str,
    AfterValidator(_check_slug),
    Field(max_length=80),
    WithJsonSchema({"x-place-id": True}),  # becomes a $ref in generator/schema.py
]
"""The id of a place in ``briefings/places.yml``; editors offer the known ids."""

Url = Annotated[str, AfterValidator(_check_url), Field(max_length=MAX_URL, pattern=r"^https?://")]
"""An http(s) web address."""

Date = Annotated[dt.date, BeforeValidator(_parse_date), Field(json_schema_extra={"format": "date"})]
"""A calendar date written YYYY-MM-DD."""


def _items(max_items: int = MAX_ITEMS) -> Any:
    return Field(default_factory=list, max_length=max_items)


MONTH_ONLY_DAY = 32
"""Where a month-only date sorts among days: after the month's last."""


@fast_state
@total_ordering
@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date known to the day (``2025-09-10``) or only to the month (``2025-09``).

    News often knows only "last month"; a partial date says so honestly and
    still sorts in a chronology. A month sorts after its last day: "in
    September" is not "on 1 September", and a chronology that reads on from
    the month's dated events to the month itself claims nothing it does not know.
    """

    year: int
    month: int
    day: int | None = None

    @classmethod
    def parse(cls, value: Any) -> PartialDate:
        """Parse ``YYYY-MM`` or ``YYYY-MM-DD``; one date written many times is one object."""
        if isinstance(value, PartialDate):
            return value
        if isinstance(value, str):
            return _partial_date(value)
        return cls._parse(value)

    @classmethod
    def _parse(cls, value: Any) -> PartialDate:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return cls(value.year, value.month, value.day)
        match = _PARTIAL_DATE_RE.match(value) if isinstance(value, str) else None
        if not match:
            raise PydanticCustomError(
                "partial_date_format",
                "'{value}' is not a date; write YYYY-MM-DD, or YYYY-MM when only the month "
                "is known",
                {"value": str(value)[:40]},
            )
        year, month, day = (int(g) if g else None for g in match.groups())
        try:
            dt.date(year, month, day or 1)  # type: ignore[arg-type]
        except ValueError as exc:
            raise PydanticCustomError(
                "date_value",
                "'{value}' is not a real date: {reason}",
                {"value": value, "reason": exc},
            ) from None
        return cls(year, month, day)  # type: ignore[arg-type]

    def _key(self) -> tuple[int, int, int]:
        return (self.year, self.month, self.day or MONTH_ONLY_DAY)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, PartialDate):
            return NotImplemented
        return self._key() < other._key()

    def __str__(self) -> str:
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def human(self) -> str:
        """How readers see it: '10 September 2025' or 'September 2025'."""
        month = dt.date(2000, self.month, 1).strftime("%B")
        return f"{month} {self.year}" if self.day is None else f"{self.day} {month} {self.year}"

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse, serialization=core_schema.to_string_ser_schema()
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "pattern": r"^\d{4}-\d{2}(-\d{2})?$"}


SHARED_TEXT = 80
"""Text up to this long is kept once however often the briefs write it: ids, actor ids,
tags, outlets, names. Ten thousand briefs name the same few hundred actors again and again."""

_TAGS: dict[str, Tag] = {}
"""Each tag as written, once."""

_FIELD_SETS: dict[frozenset[str], set[str]] = {}
"""One set per combination of fields an author wrote, shared by every model that has it."""


class _EmptyList(list):  # type: ignore[type-arg]
    """The one empty list every record shares for a list it leaves empty (:data:`EMPTY_LIST`).

    A synthetic brief's records hold 29 empty lists; at 10,000 briefs sharing one
    made a check hold 14 MB less. It is a list,
    so records read as before; it refuses to grow, since every record holds it,
    and it pickles as a reference to itself, so a loaded record shares it too.
    """

    __slots__ = ()

    def _refuse(self, *args: object) -> Any:
        raise TypeError("the empty list records share cannot be changed")

    append = extend = insert = __setitem__ = __iadd__ = _refuse  # type: ignore[assignment]

    def __reduce__(self) -> str:
        return "EMPTY_LIST"


EMPTY_LIST: list[Any] = _EmptyList()
"""See :class:`_EmptyList`."""


def compact(value: Any) -> Any:
    """A validated model (and everything in it) in the form that takes least memory.

    Each model becomes its :class:`Record`, repeated short text one string
    (:func:`sys.intern`), each empty list :data:`EMPTY_LIST`, and each record's
    set of the fields that were set (pydantic's ``model_fields_set``) one shared
    set per combination. Values are only
    swapped for equal ones, so records compare and hash alike; the shared
    sets are never changed in place (``model_copy`` makes its own).
    """
    kind = value.__class__
    if kind is str:
        return sys.intern(value) if len(value) <= SHARED_TEXT else value
    if isinstance(value, BaseModel):
        values = {name: compact(item) for name, item in value.__dict__.items()}
        written = value.__pydantic_fields_set__
        shared = _FIELD_SETS.setdefault(frozenset(written), written)
        return _RECORDS[value.__class__](**values, model_fields_set=shared)
    if kind is Tag:
        return _TAGS.setdefault(value.name, value)
    if kind is tuple:
        return tuple(compact(item) for item in value)
    if kind is list:
        if not value:
            return EMPTY_LIST
        value[:] = [compact(item) for item in value]
    return value


@lru_cache(maxsize=65536)
def _partial_date(text: str) -> PartialDate:
    """Cached: ten thousand briefs write a few thousand distinct dates, each many times."""
    return PartialDate._parse(text)


class Model(BaseModel):
    """Base for every schema model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        validate_default=False,
    )


class Choice(enum.StrEnum):
    """A fixed set of values, each with a short meaning written beside it.

    The meanings are the one source for the author guide's tables and for the
    JSON Schema, whose ``enumDescriptions`` editors show on hover, so what a
    value means is said once, next to the value.
    """

    meaning: str

    def __new__(cls, value: str, meaning: str = "") -> Self:  # noqa: D102
        member = str.__new__(cls, value)
        member._value_ = value
        member.meaning = meaning
        return member

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        target = handler.resolve_ref_schema(json_schema)
        target["enumDescriptions"] = [member.meaning for member in cls]
        meanings = " ".join(f"{member.value}: {member.meaning}" for member in cls)
        target["description"] = f"{target.get('description', '')} {meanings}".strip()
        return json_schema


class ActorKind(Choice):
    """What sort of actor someone or something is."""

    PERSON = "person", "One named human being."
    COUNTRY = "country", "A state, acting through its government: 'Poland', 'Russia'."
    ORGANISATION = (
        "organisation",
        "A formal body with members or staff: an alliance, an institution, an agency, "
        "a company, a party.",
    )
    GROUP = (
        "group",
        "An informal or loosely bounded set of people or bodies: protesters, a militia, "
        "'the Baltic states'.",
    )


class ProposalStatus(Choice):
    """Where a proposal stands, from first mention to outcome."""

    PROPOSED = "proposed", "Put forward, but not yet taken up by those who would decide on it."
    UNDER_DISCUSSION = (
        "under-discussion",
        "Being negotiated or considered by those who decide; no decision yet.",
    )
    AGREED = "agreed", "Decided or approved by those who decide, but not yet carried out."
    IMPLEMENTED = "implemented", "Carried out: in force, deployed or under way."
    REJECTED = "rejected", "Turned down by those who decide."
    WITHDRAWN = "withdrawn", "Dropped by those who put it forward, before any decision."

    @property
    def label(self) -> str:
        """The status as readers see it."""
        return self.value.replace("-", " ").capitalize()

    @property
    def is_open(self) -> bool:
        """Whether the proposal is still to be decided."""
        return self in (ProposalStatus.PROPOSED, ProposalStatus.UNDER_DISCUSSION)


class Stance(Choice):
    """An actor's stance on the matter of a brief."""

    SUPPORTS = "supports", "Backs it, as the sources report."
    OPPOSES = "opposes", "Rejects it or argues against it."
    CAUTIOUS = "cautious", "Neither backs nor rejects it, but urges care, delay or conditions."
    MIXED = "mixed", "Backs part of it and rejects another part, or has said both."
    NEUTRAL = "neutral", "Takes no side, or says it will not."

    @property
    def label(self) -> str:
        """The stance as readers see it."""
        return self.value.capitalize()


class Actor(Model):
    """A person, country, organisation or group, kept once in ``briefings/actors.yml``.

    The id is the key the actor is filed under; briefs refer to actors by it.
    """

    id: SkipJsonSchema[str] = Field(default="", exclude=True)
    """Filled in from the registry key; not written by authors."""

    name: Title
    """The name readers know: 'Ursula von der Leyen', 'Poland', 'NATO'."""

    kind: ActorKind
    """One of: person, country, organisation, group."""

    description: RichText | None = None
    """One or two sentences: who they are, in the role relevant to the briefings."""

    aliases: list[Title] = _items(20)
    """Other names readers may search for: 'von der Leyen', 'Commission President'."""


class Source(Model):
    """Where the facts of a brief come from."""

    id: Slug
    """A short id to cite the source by from key points, quotes and events: 'ft', 'reuters'."""

    outlet: Title
    """Who published it: 'Financial Times', 'Reuters'."""

    title: Title | None = None
    """The headline or document title."""

    url: Url | None = None
    """The web address; omit it for print or unpublished sources."""

    date: PartialDate | None = None
    """When it was published: YYYY-MM-DD, or YYYY-MM."""

    attribution: Text | None = None
    """Who the outlet relied on, as it says: 'four NATO officials speaking anonymously'."""

    note: Text | None = None
    """A caveat readers should know: 'relays the FT report', 'Russian state media'."""


class Certainty(Choice):
    """How sure the sources are of a claim, from settled to denied."""

    CONFIRMED = (
        "confirmed",
        "Stated on the record by those concerned, or shown by evidence or by several "
        "independent sources.",
    )
    REPORTED = (
        "reported",
        "Reported by a credible source on its own authority (its reporters, its named or "
        "unnamed officials), but not confirmed on the record.",
    )
    UNCONFIRMED = (
        "unconfirmed",
        "Claimed by one source or one party only, and not yet verified by anyone else.",
    )
    DISPUTED = (
        "disputed",
        "Denied or contradicted by a party or by another credible source; say who under "
        "'disputes'.",
    )

    @property
    def label(self) -> str:
        """The level as readers see it."""
        return self.value.capitalize()


class CertaintyNote(Model):
    """A claim's certainty: a level, and a short reason readers see beside it."""

    level: Certainty
    """One of: confirmed, reported, unconfirmed, disputed."""

    reason: Text | None = None
    """Why, in a few words: 'no official finding yet', 'denied by Russia'."""


class Dispute(Model):
    """Named actors who dispute a claim: what they say instead, and the source that says so."""

    by: list[ActorId] = Field(min_length=1, max_length=20)
    """Actor ids of those who dispute the claim."""

    says: RichText
    """What they say instead, in the sources' terms."""

    sources: list[Slug] = Field(min_length=1, max_length=20)
    """Ids of the brief's sources that report the dispute."""

    date: PartialDate | None = None
    """When they said it: YYYY-MM-DD, or YYYY-MM."""


def _contested(value: Any) -> Any:
    """Read the deprecated ``contested: true`` as ``certainty: {level: disputed}``.

    ``check`` warns where it is written (see validate.py), so authors move to
    ``certainty``; a brief that gives both keeps its ``certainty``. The key is
    dropped once read, so a brief equals its own JSON export read back.
    """
    if not isinstance(value, dict) or not isinstance(value.get("contested"), bool):
        return value
    read = {key: item for key, item in value.items() if key != "contested"}
    if value["contested"] and not value.get("certainty"):
        read["certainty"] = {"level": "disputed"}
    return read


class Point(Model):
    """A key point; write it as plain text, or as a mapping to cite sources."""

    text: RichText
    """The point itself, one or two sentences."""

    sources: list[Slug] = _items(20)
    """Ids of the brief's sources that support the point."""

    contested: bool = Field(default=False, exclude=True, json_schema_extra={"deprecated": True})
    """Deprecated: read as ``certainty: {level: disputed}``; write ``certainty`` instead."""

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        return _contested({"text": value} if isinstance(value, str) else value)

    certainty: CertaintyNote | None = None
    """How sure the sources are of the point: a level and a short reason."""

    disputes: list[Dispute] = _items(20)
    """Named actors who dispute the point, what they say instead and where."""


class Section(Model):
    """A titled stretch of the brief's body text."""

    heading: Title
    """The section's heading."""

    text: RichText
    """The body: paragraphs separated by a blank line."""

    sources: list[Slug] = _items(20)
    """Ids of the brief's sources the section draws on."""

    certainty: CertaintyNote | None = None
    """How sure the sources are of the section's claim: a level and a short reason."""

    disputes: list[Dispute] = _items(20)
    """Named actors who dispute the section's claim, what they say instead and where."""


class Proposal(Model):
    """A measure under discussion, with who backs it and who resists it."""

    id: Slug
    """A stable id; briefs that discuss the same proposal use the same id."""

    title: Text
    """What is proposed, as a short phrase: 'Arm the surveillance drones on the eastern border'."""

    status: ProposalStatus
    """One of: proposed, under-discussion, agreed, implemented, rejected, withdrawn."""

    proponents: list[ActorId] = _items(50)
    """Actor ids of those who back it."""

    opponents: list[ActorId] = _items(50)
    """Actor ids of those who oppose it or urge caution."""

    notes: RichText | None = None
    """What the sources add: details, conditions, how far the talks have got."""

    sources: list[Slug] = _items(20)
    """Ids of the brief's sources that report the proposal."""


class Quote(Model):
    """Words someone said, exactly as a source reports them."""

    text: Text
    """The words, without surrounding quotation marks."""

    speaker: ActorId | None = None
    """Actor id of who said it; leave out for an anonymous source."""

    role: Text | None = None
    """The speaker's role when speaking ('U.S. Ambassador to NATO'); for an anonymous source,
    how the source describes them ('a NATO diplomat')."""

    anonymous: bool = False
    """True when the speaker is not named by the source."""

    affiliation: ActorId | None = None
    """For an anonymous source, the actor id they belong to, if known ('nato')."""

    date: PartialDate | None = None
    """When it was said: YYYY-MM-DD, or YYYY-MM."""

    context: Text | None = None
    """Where or to whom it was said: 'speech to the European Parliament'."""

    reported: bool = False
    """True when the source only reports the words second-hand ('reportedly said')."""

    source: Slug
    """Id of the brief's source the quote comes from."""

    place: PlaceId | None = None
    """Id of the place in ``briefings/places.yml`` where it was said."""

    @model_validator(mode="after")
    def _speaker_or_anonymous(self) -> Self:
        if self.anonymous and self.speaker:
            raise PydanticCustomError(
                "anonymous_speaker",
                "an anonymous quote has no speaker; remove 'speaker' or set 'anonymous: false'",
            )
        if not self.anonymous and not self.speaker:
            raise PydanticCustomError(
                "speaker_missing",
                "a quote needs a 'speaker' actor id, or 'anonymous: true' with a 'role' that "
                "describes the source",
            )
        if self.anonymous and not self.role:
            raise PydanticCustomError(
                "anonymous_role",
                "an anonymous quote needs a 'role' that says how the source describes the "
                "speaker, like 'a NATO diplomat'",
            )
        return self


class Event(Model):
    """Something that happened, for the brief's timeline."""

    id: Slug | None = None
    """A stable id; briefs that mention the same event use the same id, so it is listed once."""

    date: PartialDate
    """When it happened: YYYY-MM-DD, or YYYY-MM."""

    end: PartialDate | None = None
    """When it ended, for events over several days."""

    place: Title | None = None
    """Where it happened."""

    what: RichText
    """What happened, in a sentence or two."""

    actors: list[ActorId] = _items(50)
    """Actor ids of those involved."""

    sources: list[Slug] = _items(20)
    """Ids of the brief's sources that report it."""

    contested: bool = Field(default=False, exclude=True, json_schema_extra={"deprecated": True})
    """Deprecated: read as ``certainty: {level: disputed}``; write ``certainty`` instead."""

    certainty: CertaintyNote | None = None
    """How sure the sources are that it happened as told: a level and a short reason."""

    disputes: list[Dispute] = _items(20)
    """Named actors who dispute the event, what they say instead and where."""

    @model_validator(mode="before")
    @classmethod
    def _contested_alias(cls, value: Any) -> Any:
        return _contested(value)

    @field_validator("end")
    @classmethod
    def _end_after_date(cls, end: PartialDate | None, info: ValidationInfo) -> PartialDate | None:
        """An event cannot end before it starts; reported at 'end:', where the slip usually is.

        A month-only date stands for any day of its month, so 'date: 2025-09-10'
        with 'end: 2025-09' passes: only an end wholly before the start is wrong.
        """
        date = info.data.get("date")
        if end is None or date is None:
            return end
        if (end.year, end.month, end.day or 31) < (date.year, date.month, date.day or 1):
            raise PydanticCustomError(
                "end_before_date",
                "the event ends ({end}) before it starts ({date}); 'end' is the last day, "
                "on or after 'date'",
                {"end": str(end), "date": str(date)},
            )
        return end

    places: list[PlaceId] = _items(20)
    """Ids of places in ``briefings/places.yml`` where it happened; its place page lists it."""

    not_same_as: list[Slug] = _items(20)
    """Ids of events in other briefs that fall within a day of this one and share an actor
    or place, but are other events: the check stops asking whether they are one."""


class Position(Model):
    """Where an actor stands on the matter of the brief."""

    actor: ActorId
    """Actor id."""

    stance: Stance
    """One of: supports, opposes, cautious, mixed, neutral."""

    summary: RichText
    """The position in the sources' terms."""

    sources: list[Slug] = _items(20)
    """Ids of the brief's sources that report it."""

    proposal: Slug | None = None
    """Id of the brief's proposal the stance is about: the actor then counts among the
    proposal's backers (supports) or opponents (opposes) in the tracker."""

    issue: Text | None = None
    """The stated issue the stance is about, when it is not one of the brief's proposals:
    'a tougher NATO stance against Russia'."""

    @model_validator(mode="after")
    def _one_object(self) -> Self:
        if self.proposal and self.issue:
            raise PydanticCustomError(
                "position_two_objects",
                "a position is about one thing: give 'proposal' or 'issue', not both",
            )
        return self


class Question(Model):
    """A question a reader will ask next."""

    question: Text
    """The question, as a reader would ask it."""

    answered_by: Slug | None = None
    """Slug of the brief that answers it; leave out while it is open."""

    not_answered_by: list[Slug] = _items(20)
    """Slugs of briefs that look like the answer but are not: the check stops suggesting them."""


class Cited(Model):
    """A short statement with the sources that state it."""

    text: RichText = Field(max_length=1_000)
    """One or two sentences, in the sources' terms."""

    sources: list[Slug] = Field(min_length=1, max_length=20)
    """Ids of the brief's sources that state it; at least one."""


class Direction(Choice):
    """Where a story went since the brief before it, in the spirit of Crisis Group's CrisisWatch."""

    DETERIORATED = (
        "deteriorated",
        "Worse than in the brief it continues: escalation, a breakdown, new harm.",
    )
    UNCHANGED = "unchanged", "The sources show no change either way."
    IMPROVED = (
        "improved",
        "Better than in the brief it continues: de-escalation, progress, an agreement.",
    )

    @property
    def label(self) -> str:
        """The direction as readers see it."""
        return self.value.capitalize()


class Change(Model):
    """A dated entry in a brief's record of changes."""

    date: Date
    """When the brief changed: YYYY-MM-DD."""

    what: RichText = Field(max_length=1_000)
    """What changed, in a sentence: 'Added the 1 December follow-up'."""

    correction: bool = False
    """True when the change corrects an error; readers see it at the top of the page."""

    sources: list[Slug] = _items(20)
    """Ids of the brief's sources behind the change, if any."""


class Brief(Model):
    """One briefing: the file name (without ``.yml``) is its slug and its address."""

    title: Title
    """The headline."""

    date: Date
    """The day the brief is published, YYYY-MM-DD: not the day of the events, which have
    their own dates. A day still to come holds the brief back until then (an embargo)."""

    updated: Date | None = None
    """The day of its latest revision, if any; left out, it is the latest entry of
    ``changes``."""

    summary: RichText = Field(max_length=1_000)
    """The bottom line in one to three sentences; shown first, and as the page description."""

    key_points: list[Point] = _items(30)
    """The essentials, one point each."""

    sections: list[Section] = _items(50)
    """The body of the brief."""

    proposals: list[Proposal] = _items(50)
    """Proposals under discussion."""

    quotes: list[Quote] = _items(100)
    """Quotes with who said them."""

    actors: list[ActorId] = _items(100)
    """Actor ids of everyone involved; those named in quotes, proposals, events and positions
    count too."""

    events: list[Event] = _items(100)
    """What happened when."""

    positions: list[Position] = _items(50)
    """Where the actors stand: the diverging opinions."""

    sources: list[Source] = Field(min_length=1, max_length=MAX_ITEMS)
    """Everything the brief relies on; at least one."""

    tags: list[Title] = _items(20)
    """Topics, in plain words: 'drone incursions', 'Poland'."""

    related: list[Slug] = _items(20)
    """Slugs of other briefs to read next; they are listed first among related briefings."""

    questions: list[Question] = _items(20)
    """Questions a reader will ask next."""

    draft: bool = False
    """True while the brief is being written: it is left out of the published site."""

    why_it_matters: Cited | None = None
    """Why the story matters, as a source states it; shown right after the bottom line."""

    whats_next: Cited | None = None
    """What comes next (a meeting, a deadline, an open decision), as a source states it;
    shown right after the bottom line."""

    continues: Slug | None = None
    """Slug of the earlier brief this one continues or updates: both are then one story,
    shown together on a thread page named after the story's first brief."""

    direction: Direction | None = None
    """Since the brief it continues, the situation has: deteriorated, unchanged or improved.
    Set it from what the sources say; 'unchanged' when they show no change either way."""

    changes: list[Change] = _items(50)
    """Dated entries saying what changed since publication; the latest sets 'updated'.
    A correction is shown at the top of the page."""

    @field_validator("updated")
    @classmethod
    def _updated_after_date(cls, updated: dt.date | None, info: ValidationInfo) -> dt.date | None:
        """A field validator, so that the error sits at 'updated:', where the fix is."""
        date = info.data.get("date")
        if updated and date and updated < date:
            raise PydanticCustomError(
                "updated_before_date",
                "'updated' ({updated}) is before 'date' ({date}); an update comes after "
                "publication",
                {"updated": updated.isoformat(), "date": date.isoformat()},
            )
        return updated

    @model_validator(mode="after")
    def _updated_from_changes(self) -> Self:
        """``updated`` is the latest change's date when the author leaves it out.

        An explicit ``updated`` that disagrees is reported by the checks, located
        at the key (see ``validate.change_problems``).
        """
        if self.changes and self.updated is None:
            object.__setattr__(self, "updated", max(c.date for c in self.changes))
        return self

    def actor_ids(self, disputes: Iterable[Dispute] | None = None) -> list[str]:
        """Every actor the brief names, in first-mention order, without repeats.

        ``disputes`` are the brief's, when the caller has read them already: they
        are in the fields kept packed, unpacked again for each call otherwise.
        """
        if disputes is None:
            disputes = [dispute for _, _, dispute in self.disputes()]
        ids: list[str] = list(self.actors)
        for quote in self.quotes:
            ids += [i for i in (quote.speaker, quote.affiliation) if i]
        for proposal in self.proposals:
            ids += [*proposal.proponents, *proposal.opponents]
        for event in self.events:
            ids += event.actors
        ids += [p.actor for p in self.positions]
        ids += [actor for dispute in disputes for actor in dispute.by]
        return list(dict.fromkeys(ids))

    def disputes(self) -> list[tuple[str, int, Dispute]]:
        """Every dispute in the brief with the list and the index of the item it disputes.

        In page order (key points, events, sections), the order the brief's
        "Room for disagreement" block numbers them in.
        """
        found: list[tuple[str, int, Dispute]] = []
        for name in ("key_points", "events", "sections"):
            for number, item in enumerate(getattr(self, name)):
                found += [(name, number, dispute) for dispute in item.disputes]
        return found


def _check_latitude(value: float) -> float:
    if not -90 <= value <= 90:
        raise PydanticCustomError(
            "latitude_range",
            "latitude {value} is out of range; a latitude is between -90 (south) and 90 (north)",
            {"value": f"{value:g}"},
        )
    return value


def _check_longitude(value: float) -> float:
    if not -180 <= value <= 180:
        raise PydanticCustomError(
            "longitude_range",
            "longitude {value} is out of range; a longitude is between -180 (west) and 180 (east)",
            {"value": f"{value:g}"},
        )
    return value


Latitude = Annotated[
    float, AfterValidator(_check_latitude), Field(json_schema_extra={"minimum": -90, "maximum": 90})
]
"""Degrees north of the equator (negative: south), in decimal degrees."""

Longitude = Annotated[
    float,
    AfterValidator(_check_longitude),
    Field(json_schema_extra={"minimum": -180, "maximum": 180}),
]
"""Degrees east of Greenwich (negative: west), in decimal degrees."""


class Place(Model):
    """A city, site or region, kept once in ``briefings/places.yml``; events and quotes name it.

    The id is the key the place is filed under. The coordinates are for maps.
    """

    id: SkipJsonSchema[str] = Field(default="", exclude=True)
    """Filled in from the registry key; not written by authors."""

    name: Title
    """The name readers know: 'Warsaw', 'Copenhagen Airport'."""

    aliases: list[Title] = _items(20)
    """Other names readers may search for: 'Warszawa'."""

    country: ActorId | None = None
    """Actor id of the country it lies in: 'poland'."""

    latitude: Latitude
    """Degrees north (negative: south), like 52.23."""

    longitude: Longitude
    """Degrees east (negative: west), like 21.01."""

    note: Text | None = None
    """What the coordinates stand for, or a caveat: 'the city's reference point'."""


# --- The compact form of a checked brief ------------------------------------------------


class Record:
    """A validated model as it is kept: the same fields and methods, in slots.

    A Pydantic model holds its fields in a dictionary of its own, beside its
    record of the fields set; at 10,000 briefs those dictionaries were a fifth
    of a checked brief's memory, and unpickling the models a third of loading
    the check cache. Each model class has a record class with its name and
    ``Record`` (``Event`` → ``EventRecord``), made below: a frozen, slotted
    dataclass that compares, hashes and reads like the model. What only
    Pydantic can do (dumping to JSON, the schema) goes through :meth:`to_model`.
    """

    __slots__ = ()
    model: ClassVar[type[Model]]
    model_fields: ClassVar[dict[str, FieldInfo]]
    model_fields_set: set[str]

    def to_model(self) -> Model:
        """The Pydantic model of the same values, built without validating them again."""
        values = {name: _as_model(getattr(self, name)) for name in self.model_fields}
        return self.model.model_construct(_fields_set=set(self.model_fields_set), **values)

    def model_dump(self, **options: Any) -> dict[str, Any]:
        """:meth:`pydantic.BaseModel.model_dump` of :meth:`to_model`."""
        return self.to_model().model_dump(**options)

    def model_dump_json(self, **options: Any) -> str:
        """:meth:`pydantic.BaseModel.model_dump_json` of :meth:`to_model`."""
        return self.to_model().model_dump_json(**options)

    def model_copy(self, *, update: Mapping[str, Any] | None = None) -> Self:
        """A copy with ``update``'s fields replaced, and marked as set, as Pydantic's does."""
        update = dict(update or {})
        written = set(self.model_fields_set) | update.keys()
        return replace(self, **update, model_fields_set=written)  # type: ignore[type-var]


def _as_model(value: Any) -> Any:
    if isinstance(value, Record):
        return value.to_model()
    if isinstance(value, list):  # EMPTY_LIST too: a model gets a list of its own
        return [_as_model(item) for item in value]
    return value


_RECORDS: dict[type[Model], type[Record]] = {}
"""Each model class's record class."""


def _record_class(model: type[Model]) -> type[Record]:
    """The record class of ``model``: its fields, then its own public methods and properties."""
    methods = {
        name: value
        for kind in reversed(model.__mro__[: model.__mro__.index(Model)])
        for name, value in vars(kind).items()
        if not name.startswith("_") and isinstance(value, FunctionType | property)
    }
    fields = [(name, Any) for name in model.model_fields]
    record = make_dataclass(
        f"{model.__name__}Record",
        [
            *fields,
            ("model_fields_set", set[str], field(compare=False, repr=False)),
            (KEPT, bytes | None, field(default=None, init=False, compare=False, repr=False)),
        ],
        bases=(Record,),
        namespace={**methods, "model": model, "model_fields": model.model_fields},
        frozen=True,
        slots=True,
    )
    record.__module__ = __name__  # pickled by this name
    record.__doc__ = f"A checked {model.__name__}, kept compact (:class:`Record`)."
    return fast_state(record)


for _model in [kind for kind in list(globals().values()) if isinstance(kind, type)]:
    if issubclass(_model, Model) and _model is not Model:
        _RECORDS[_model] = globals()[f"{_model.__name__}Record"] = _record_class(_model)


def keep_digests(record: Record) -> None:
    """Give each record in ``record``'s fields its digest, innermost first (:func:`keep_digest`).

    Fields kept packed are left as they are: only the brief's own page reads them.
    """
    packed = PACKED.get(record.model, ())
    for name in record.model_fields:
        if name not in packed:
            _keep_digests_in(getattr(record, name))


def _keep_digests_in(value: Any) -> None:
    if isinstance(value, Record):
        keep_digests(value)
        keep_digest(value)
    elif isinstance(value, list | tuple):
        for item in value:
            _keep_digests_in(item)


# --- Fields kept packed -------------------------------------------------------------

PACKED: dict[type[Model], tuple[str, ...]] = {Brief: ("key_points", "sections", "sources")}
"""Fields a record keeps pickled and compressed, by model: what only the brief's own page
(with its card and the data export) reads; the listings, the timeline and the checks
across briefs never do. In 300 synthetic briefs they took 7.3 KB a brief as records and
2.4 KB packed; at 10,000 briefs a check holds 35 MB less."""

UNPACKED_KEPT = 16
"""Unpacked fields kept at once (:func:`_unpacked`): a page reads its brief's again and again."""

_UNPACKED: dict[tuple[int, str], tuple[Record, Any]] = {}
"""The latest unpacked fields, by record and name; each holds its record, so that no
other record takes its identity while it is kept."""


_UNPACKING = threading.Lock()


def _pack(value: list[Any]) -> bytes | list[Any]:
    """A list of records as compressed bytes; an empty one as :data:`EMPTY_LIST`."""
    if not value:
        return EMPTY_LIST
    return zlib.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), 1)


def _unpacked(record: Record, name: str, packed: bytes | list[Any]) -> Any:
    """The value ``packed`` stands for, unpacked once while it is among the latest read."""
    if not isinstance(packed, bytes):
        return packed
    key = (id(record), name)
    with _UNPACKING:  # the preview's server and builder are threads of one process
        found = _UNPACKED.get(key)
        if found is None:
            if len(_UNPACKED) >= UNPACKED_KEPT:
                del _UNPACKED[next(iter(_UNPACKED))]
            found = _UNPACKED[key] = (record, pickle.loads(zlib.decompress(packed)))
    return found[1]


def _packed_field(name: str, slot: Any) -> property:
    """A field read unpacked and written packed, into the record's own slot."""

    def read(self: Record) -> Any:
        return _unpacked(self, name, slot.__get__(self))

    def write(self: Record, value: list[Any]) -> None:
        slot.__set__(self, _pack(value))

    return property(read, write, doc=f"``{name}``, kept packed (:data:`PACKED`).")


def _pack_fields(record: type[Record], names: tuple[str, ...]) -> None:
    """Make ``names`` of ``record`` packed fields; pickles carry them packed.

    The dataclass's own ``__init__`` and ``replace`` set fields through
    ``object.__setattr__``, which finds the property and packs; comparing,
    hashing, digests and ``to_model`` read through it, unpacked.
    """
    slots = [record.__dict__[f] for f in record.__dataclass_fields__]  # type: ignore[attr-defined]
    for name in names:
        setattr(record, name, _packed_field(name, record.__dict__[name]))

    def getstate(self: Record) -> list[Any]:
        return [slot.__get__(self) for slot in slots]

    def setstate(self: Record, state: list[Any]) -> None:
        for slot, value in zip(slots, state, strict=True):
            slot.__set__(self, value)

    record.__getstate__ = getstate  # type: ignore[assignment,method-assign]
    record.__setstate__ = setstate  # type: ignore[attr-defined]


for _model, _names in PACKED.items():
    _pack_fields(_RECORDS[_model], _names)
