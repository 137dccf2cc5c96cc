"""Feeds and machine-readable data: the other outputs of the render stage.

Like the Markdown pages, these are rendered to text here and written by the
writer: an Atom feed (built with feedgen) and a JSON Feed 1.1 for all
briefings, for each topic and for each actor; JSON-LD for each briefing page;
and a JSON export of every brief so that other tools can reuse the data.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from typing import Any

import pydantic_core
from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator

from generator.config import Settings
from generator.index import Entry, Index, Tag
from generator.mdtext import plain
from generator.models import Brief, Change, compact
from generator.reads import record

log = logging.getLogger(__name__)

FEEDS_DIR = "feeds"
DATA_DIR = "data"
MAX_FEED_ENTRIES = 50
"""Feeds carry the newest entries; readers that want everything use the JSON export."""

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def _absolute(settings: Settings, path: str) -> str:
    """An absolute URL on the published site for a site-relative path."""
    base = (settings.site_url or "/").rstrip("/") + "/"
    return base + path.lstrip("/")


def page_url(settings: Settings, slug: str) -> str:
    """The canonical URL of a briefing page."""
    return _absolute(settings, f"briefings/{slug}/")


def _timestamp(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def feed_paths(name: str) -> tuple[str, str]:
    """The Atom and JSON Feed paths of a named feed ('index', 'topics/nato', …)."""
    return f"{FEEDS_DIR}/{name}.xml", f"{FEEDS_DIR}/{name}.json"


def data_path(slug: str) -> str:
    """Where a brief's JSON export lives."""
    return f"{DATA_DIR}/briefings/{slug}.json"


_ITEMS: weakref.WeakSet[FeedItems] = weakref.WeakSet()
"""Every :class:`FeedItems` alive, so that :func:`forget_items` reaches the render plan's."""


def forget_items() -> None:
    """Empty every feed summary cache, once a run's feeds are written.

    Each holds the summary of each brief. A full render lets go of each feed,
    and so of the cache, once it is written; a render of some outputs keeps
    the whole plan, and the cache with it, until the dependency graph is saved.
    """
    for items in list(_ITEMS):
        items.forget()


class FeedItems:
    """Each brief's feed summary, made once and shared by every feed that lists it.

    A brief appears in the main feed and in the feed of each of its topics and
    actors, about ten feeds in all. Its summary in plain text is the costly
    part of an entry (0.1 ms), so that is what is kept; the entries themselves
    are built for each feed (16 µs). Kept whole for every brief, at 10,000
    briefs the entries held 34 MB at the render's peak.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._summaries: dict[str, str] = {}
        _ITEMS.add(self)

    def held(self) -> int:
        """How many summaries it holds."""
        return len(self._summaries)

    def forget(self) -> None:
        """Drop the summaries: the feeds that share them are written."""
        self._summaries.clear()

    def _digest_key(self) -> str:
        """Feeds bound to this cache depend on the briefs they read, not on what it holds."""
        return "feed-items"

    def _summary(self, entry: Entry) -> str:
        """The brief's summary as plain text (a read of the brief, wherever it comes from)."""
        record(("brief", entry.slug))
        found = self._summaries.get(entry.slug)
        if found is None:
            found = self._summaries[entry.slug] = plain(entry.brief.summary)
        return found

    def atom(self, entry: Entry) -> FeedEntry:
        """The Atom entry of a brief."""
        summary = self._summary(entry)
        url = page_url(self.settings, entry.slug)
        item = FeedEntry()
        item.id(url)
        item.title(entry.brief.title)
        item.link(href=url, rel="alternate")
        item.summary(summary)
        item.published(_timestamp(entry.brief.date))
        item.updated(_timestamp(entry.last_changed))
        for tag in entry.brief.tags:
            item.category(term=Tag(tag).slug, label=tag)
        if entry.brief.changes:
            item.content(changes_text(entry.brief), type="text")
        return item

    def json(self, entry: Entry) -> dict[str, Any]:
        """The JSON Feed item of a brief."""
        summary = self._summary(entry)
        url = page_url(self.settings, entry.slug)
        return {
            "id": url,
            "url": url,
            "title": entry.brief.title,
            "summary": summary,
            "content_text": summary,
            "date_published": _timestamp(entry.brief.date).isoformat(),
            "date_modified": _timestamp(entry.last_changed).isoformat(),
            "tags": list(entry.brief.tags),
            **story_feed_fields(entry.brief),
        }


def atom_feed(
    settings: Settings, name: str, title: str, entries: Sequence[Entry], items: FeedItems
) -> str:
    """An Atom 1.0 feed of ``entries``, newest first."""
    atom_path, _ = feed_paths(name)
    feed = FeedGenerator()
    feed.id(_absolute(settings, atom_path))
    feed.title(title)
    feed.author({"name": settings.site_name})
    feed.link(href=_absolute(settings, ""), rel="alternate")
    feed.link(href=_absolute(settings, atom_path), rel="self")
    feed.language("en")
    newest = max((e.last_changed for e in entries), default=dt.date(2000, 1, 1))
    feed.updated(_timestamp(newest))
    for entry in entries[:MAX_FEED_ENTRIES]:
        feed.add_entry(items.atom(entry), order="append")
    return feed.atom_str(pretty=True).decode("utf-8")


def json_feed(
    settings: Settings, name: str, title: str, entries: Sequence[Entry], items: FeedItems
) -> str:
    """A JSON Feed 1.1 document of ``entries``, newest first."""
    _, json_path = feed_paths(name)
    document = {
        "version": JSON_FEED_VERSION,
        "title": title,
        "home_page_url": _absolute(settings, ""),
        "feed_url": _absolute(settings, json_path),
        "language": "en",
        "authors": [{"name": settings.site_name}],
        "items": [items.json(e) for e in entries[:MAX_FEED_ENTRIES]],
    }
    return _dump(document)


def feeds(index: Index, settings: Settings) -> Iterator[tuple[str, Callable[[], str]]]:
    """Every feed file: its path in the docs folder, and how to render it."""
    named: list[tuple[str, str, Sequence[Entry]]] = [
        ("index", f"{settings.site_name}: all briefings", index.entries)
    ]
    named += [
        (f"topics/{tag.slug}", f"{settings.site_name}: {tag.name}", entries)
        for tag, entries in index.by_tag.items()
    ]
    named += [
        (f"actors/{actor_id}", f"{settings.site_name}: {index.actors[actor_id].name}", entries)
        for actor_id, entries in sorted(index.appearances.items())
        if actor_id in index.actors
    ]
    named += [
        (
            f"threads/{thread.id}",
            f"{settings.site_name}: story: {thread.latest.brief.title}",
            thread.entries[::-1],
        )
        for thread in index.threads.values()
    ]
    named += _place_feeds(index, settings)
    items = FeedItems(settings)
    for name, title, entries in named:
        atom_path, json_path = feed_paths(name)
        yield atom_path, partial(atom_feed, settings, name, title, entries, items)
        yield json_path, partial(json_feed, settings, name, title, entries, items)


def script_json(data: Any) -> str:
    """JSON that is safe inside an HTML ``<script>`` element: no '<', '>' or '&' appear."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _person_or_org(index: Index, actor_id: str) -> dict[str, str]:
    actor = index.actors[actor_id]
    kind = {"person": "Person", "country": "Country"}.get(actor.kind.value, "Organization")
    return {"@type": kind, "name": actor.name}


def news_article(index: Index, settings: Settings, entry: Entry) -> dict[str, Any]:
    """JSON-LD ``NewsArticle`` for a briefing page, with its quotes as ``Quotation``."""
    brief = entry.brief
    sources = {s.id: s for s in brief.sources}
    publisher = {"@type": "Organization", "name": settings.site_name}
    article = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": brief.title,
        "description": plain(brief.summary),
        "url": page_url(settings, entry.slug),
        "mainEntityOfPage": page_url(settings, entry.slug),
        "datePublished": brief.date.isoformat(),
        "dateModified": entry.last_changed.isoformat(),
        "inLanguage": "en",
        "author": publisher,
        "publisher": publisher,
        "keywords": list(brief.tags),
        "mentions": [_person_or_org(index, a) for a in brief.actor_ids() if a in index.actors],
        "citation": [
            {
                "@type": "CreativeWork",
                "name": s.title or s.outlet,
                "publisher": {"@type": "Organization", "name": s.outlet},
                **({"url": s.url} if s.url else {}),
                **({"datePublished": str(s.date)} if s.date else {}),
            }
            for s in brief.sources
        ],
        "hasPart": [
            {
                "@type": "Quotation",
                "text": q.text,
                "spokenByCharacter": (
                    _person_or_org(index, q.speaker)
                    if q.speaker
                    else {"@type": "Person", "description": q.role}
                ),
                **({"dateCreated": str(q.date)} if q.date else {}),
                "isBasedOn": sources[q.source].url or sources[q.source].outlet,
            }
            for q in brief.quotes
        ],
        **_content_location(index, brief),
    }
    return article | story_jsonld(index, settings, entry)


def _content_location(index: Index, brief: Brief) -> dict[str, Any]:
    """The places the brief's events and quotes name, as schema.org ``Place``s with coordinates."""
    named = [p for e in brief.events for p in e.places] + [q.place for q in brief.quotes if q.place]
    places = [index.places[p] for p in dict.fromkeys(named) if p in index.places]
    if not places:
        return {}
    return {
        "contentLocation": [
            {
                "@type": "Place",
                "name": place.name,
                "geo": {
                    "@type": "GeoCoordinates",
                    "latitude": place.latitude,
                    "longitude": place.longitude,
                },
            }
            for place in places
        ]
    }


def brief_data(settings: Settings, entry: Entry) -> dict[str, Any]:
    """A brief as plain JSON data, with where it is published."""
    return {
        "slug": entry.slug,
        "url": page_url(settings, entry.slug),
        **entry.brief.model_dump(mode="json", exclude_defaults=False),
    }


def _dump(data: Any) -> str:
    """Indented JSON, encoded in Rust: the standard library's indenting encoder is pure Python."""
    return pydantic_core.to_json(data, indent=2).decode("utf-8") + "\n"


def _summary(settings: Settings, entry: Entry) -> dict[str, Any]:
    return {
        "slug": entry.slug,
        "title": entry.brief.title,
        "date": entry.brief.date.isoformat(),
        "updated": entry.brief.updated.isoformat() if entry.brief.updated else None,
        "summary": entry.brief.summary,
        "tags": list(entry.brief.tags),
        "url": page_url(settings, entry.slug),
        "data": _absolute(settings, data_path(entry.slug)),
    }


def exports(index: Index, settings: Settings) -> Iterator[tuple[str, Callable[[], str | bytes]]]:
    """The JSON export: one file per brief, an index of all, and the actor registry."""
    for entry in index.entries:
        yield data_path(entry.slug), partial(_export_brief, settings, entry)
    yield f"{DATA_DIR}/index.json", partial(_export_index, index, settings)
    yield (
        f"{DATA_DIR}/actors.json",
        lambda: _dump(
            {
                "actors": {
                    a.id: a.model_dump(mode="json") for a in sorted(index.actors.values(), key=_id)
                }
            }
        ),
    )


def _place_feeds(index: Index, settings: Settings) -> list[tuple[str, str, Sequence[Entry]]]:
    """One feed per place that a briefing names: the briefings of what happened there."""
    return [
        (f"places/{place_id}", f"{settings.site_name}: {index.places[place_id].name}", entries)
        for place_id, entries in sorted(index.entries_by_place.items())
    ]


def places_data(index: Index, settings: Settings) -> dict[str, Any]:
    """The place registry with coordinates, for maps: each place with its page's address."""
    return {
        "places": {
            place.id: {
                **place.model_dump(mode="json"),
                "url": _absolute(settings, f"places/{place.id}/"),
                "events": len(index.events_by_place.get(place.id, [])),
            }
            for place in index.places.values()
        }
    }


def _export_index(index: Index, settings: Settings) -> bytes:
    """The index of every brief, as :func:`_dump` writes it, put together brief by brief.

    At 10,000 briefs it is 6.4 MB. Dumped whole, its summaries, the JSON, the
    text and the bytes to write were alive at once, four copies of it. Joined
    from a list of each brief's piece, two were, and the pieces, each taken
    from the C library's heap, were 20 MB more for a moment: the peak of a
    cold run. Written to one buffer, whose bytes are returned without a copy,
    only it is. Each brief's JSON is indented where it stands (a JSON text
    holds no raw line break, so every line break is the encoder's).
    """
    if not index.entries:
        return _dump({"briefings": []}).encode("utf-8")
    out = io.BytesIO()
    out.write(b'{\n  "briefings": [\n')
    for number, entry in enumerate(index.entries):
        out.write(b",\n    " if number else b"    ")
        out.write(
            pydantic_core.to_json(_summary(settings, entry), indent=2).replace(b"\n", b"\n    ")
        )
    out.write(b"\n  ]\n}\n")
    return out.getvalue()


def _export_brief(settings: Settings, entry: Entry) -> str:
    return _dump(brief_data(settings, entry))


def _export_places(index: Index, settings: Settings) -> str:
    return _dump(places_data(index, settings))


def _id(actor: Any) -> str:
    return str(actor.id)


def load_export(text: str) -> Brief:
    """Read a brief back from its JSON export, in the form a checked brief is kept in."""
    data = json.loads(text)
    data.pop("slug")
    data.pop("url")
    return compact(Brief.model_validate(data))  # type: ignore[no-any-return]


def all_outputs(
    index: Index, settings: Settings
) -> Iterable[tuple[str, Callable[[], str | bytes]]]:
    """Every non-page output: feeds and the JSON export, as text or as the bytes to write."""
    yield from feeds(index, settings)
    yield from exports(index, settings)
    yield f"{DATA_DIR}/places.json", partial(_export_places, index, settings)


# --- Story threads, updates and corrections ------------------------------------------


def _change_line(change: Change) -> str:
    kind = "Correction" if change.correction else "Update"
    return f"{kind} ({change.date.isoformat()}): {plain(change.what)}"


def changes_text(brief: Brief) -> str:
    """A brief's updates and corrections, newest first, as feed readers show plain text."""
    ordered = sorted(brief.changes, key=lambda c: c.date, reverse=True)
    return plain(brief.summary) + "\n\n" + "\n".join(_change_line(c) for c in ordered)


def story_feed_fields(brief: Brief) -> dict[str, Any]:
    """JSON Feed fields for a brief's changes: the text, and an extension with the entries."""
    if not brief.changes:
        return {}
    ordered = sorted(brief.changes, key=lambda c: c.date, reverse=True)
    return {
        "content_text": changes_text(brief),
        "_briefings": {
            "changes": [
                {
                    "date": c.date.isoformat(),
                    "what": plain(c.what),
                    "correction": c.correction,
                }
                for c in ordered
            ]
        },
    }


def story_jsonld(index: Index, settings: Settings, entry: Entry) -> dict[str, Any]:
    """JSON-LD for corrections (schema.org ``correction``) and the story a briefing is part of."""
    data: dict[str, Any] = {}
    corrections = [c for c in entry.brief.changes if c.correction]
    if corrections:
        data["correction"] = [
            {
                "@type": "CorrectionComment",
                "text": plain(c.what),
                "datePublished": c.date.isoformat(),
            }
            for c in sorted(corrections, key=lambda c: c.date, reverse=True)
        ]
    thread_id = index.thread_of.get(entry.slug)
    if thread_id:
        data["isPartOf"] = {
            "@type": "CreativeWorkSeries",
            "name": index.threads[thread_id].latest.brief.title,
            "url": _absolute(settings, f"threads/{thread_id}/"),
        }
    return data
