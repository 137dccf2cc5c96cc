"""Render the index into Markdown pages: text in, text out, no file access.

Templates live in ``templates/``. The Jinja environment escapes every value it
prints unless the value is already :class:`~generator.mdtext.Markdown`, the
way HTML autoescaping works, so a template cannot forget to escape author text.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import posixpath
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache, partial
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2
import yaml

from generator import cards, models, pictures
from generator.config import Settings
from generator.feeds import all_outputs, data_path, feed_paths, news_article, script_json
from generator.index import (
    Entry,
    Index,
    QuoteRef,
    StatusChange,
    Tag,
    Thread,
    TimelineEntry,
    TrackedProposal,
    disputes_of,
    front_page,
    proposals_by_status,
    reason,
    stance_grid,
)
from generator.load import MAX_DEPTH, MAX_FILE_BYTES
from generator.mdtext import (
    Markdown,
    escape,
    escape_html,
    escape_inline,
    link,
    plain,
    rich,
    safe_url,
)
from generator.models import (
    Actor,
    ActorKind,
    Brief,
    PartialDate,
    Place,
    Proposal,
    ProposalStatus,
    Stance,
)
from generator.reference import choices, max_length, reference
from generator.scaffold import MAX_FILE_SLUG

log = logging.getLogger(__name__)

BRIEFINGS_DIR = "briefings"
ACTORS_DIR = "actors"
TOPICS_DIR = "topics"

_LIMITS = {
    "title": models.MAX_TITLE,
    "text": models.MAX_TEXT,
    "rich": models.MAX_RICH_TEXT,
    "url": models.MAX_URL,
    "id": max_length(models.Slug),
    "items": models.MAX_ITEMS,
    "file_kb": MAX_FILE_BYTES // 1024,
    "depth": MAX_DEPTH,
}
"""The documented limits, taken from where they are enforced."""

_SCAFFOLD = files("generator.scaffold")
_EXAMPLES = {
    "example": "example.yml",
    "actors_example": "actors.example.yml",
    "places_example": "places.example.yml",
}
"""The annotated examples the author guide shows (and the tests validate): a brief, and
an entry of each registry."""


@dataclass(frozen=True)
class Page:
    """A rendered page: its path inside the docs folder and its Markdown.

    An image (a social card) has ``data`` instead: its bytes, written as they are.
    """

    path: str
    text: str
    data: bytes | None = None
    reads: frozenset[Any] | None = None
    """What rendering it read of the index (:mod:`generator.reads`), when recorded."""

    def content(self) -> bytes:
        """The bytes to write."""
        return self.data if self.data is not None else self.text.encode("utf-8")


def brief_path(slug: str) -> str:
    """Where a brief's page lives in the docs folder."""
    return f"{BRIEFINGS_DIR}/{slug}.md"


def actor_path(actor_id: str) -> str:
    """Where an actor's page lives in the docs folder."""
    return f"{ACTORS_DIR}/{actor_id}.md"


def topic_path(tag: Tag) -> str:
    """Where a topic's page lives in the docs folder."""
    return f"{TOPICS_DIR}/{tag.slug}.md"


CARDS_DIR = "cards"


def card_path(slug: str) -> str:
    """Where a brief's social card (``og:image``) lives in the docs folder."""
    return f"{CARDS_DIR}/{slug}.png"


def brief_outputs(slug: str) -> tuple[str, ...]:
    """Every output named after a brief: its page, its JSON export and its social card."""
    return brief_path(slug), data_path(slug), card_path(slug)


def actor_outputs(actor_id: str) -> tuple[str, ...]:
    """Every output named after an actor: their page and their feeds."""
    return actor_path(actor_id), *feed_paths(f"{ACTORS_DIR}/{actor_id}")


def topic_outputs(tag: Tag) -> tuple[str, ...]:
    """Every output named after a topic: its page and its feeds."""
    return topic_path(tag), *feed_paths(f"{TOPICS_DIR}/{tag.slug}")


PLACES_DIR = "places"


def place_path(place_id: str) -> str:
    """Where a place's page lives in the docs folder."""
    return f"{PLACES_DIR}/{place_id}.md"


def place_outputs(place_id: str) -> tuple[str, ...]:
    """Every output named after a place: its page and its feeds."""
    return place_path(place_id), *feed_paths(f"{PLACES_DIR}/{place_id}")


def address(path: str) -> str:
    """The address an output is served at, where two outputs can meet.

    MkDocs serves 'a/b.md' at '/a/b/' and 'a/index.md' at '/a/'; other files at
    their own path.
    """
    if not path.endswith(".md"):
        return f"/{path}"
    page = path.removesuffix(".md")
    if page == "index" or page.endswith("/index"):
        return "/" + page.removesuffix("index")
    return f"/{page}/"


def _finalize(value: Any) -> Any:
    """Escape whatever a template prints, unless it is already safe Markdown."""
    if value is None:
        return ""
    if isinstance(value, Markdown):
        return value
    if isinstance(value, bool | int | float):
        return str(value)
    return escape(value)


def human_date(value: dt.date | PartialDate | None) -> str:
    """A date as readers see it: '9 October 2025', or 'October 2025' for a partial date."""
    if value is None:
        return ""
    if isinstance(value, PartialDate):
        return value.human()
    return f"{value.day} {value.strftime('%B %Y')}"


def _indent(text: str, width: int = 4) -> Markdown:
    """Indent every non-empty line, for content inside admonitions and list items."""
    pad = " " * width
    return Markdown("\n".join(pad + line if line else line for line in str(text).split("\n")))


def _rich_inline(text: str | None) -> Markdown:
    """Rich text on one line, for table cells and list items."""
    return Markdown(" ".join(rich(text or "").split("\n\n")))


LISTINGS = frozenset(
    {
        "home.md.j2",
        "timeline.md.j2",
        "quotes.md.j2",
        "proposals.md.j2",
        "questions.md.j2",
        "topics_index.md.j2",
        "topic.md.j2",
        "actors_index.md.j2",
        "places_index.md.j2",
    }
)
"""Templates of pages that list what briefing pages say: kept out of the search index.

Each would match every search its briefs match, burying the briefs themselves, and
would double the index. ``generator/search.py`` indexes only the pages of briefings,
actors, places and stories, and the guide.
"""


def _front_matter(title: str, description: str, extra: dict[str, Any]) -> Markdown:
    """YAML front matter for MkDocs.

    Title and description are author text and HTML-escaped, because themes print
    them raw; ``extra`` values are built by the generator and already safe where
    ``theme/main.html`` prints them.
    """
    data = {"title": escape_html(title), "description": escape_html(description), **extra}
    data = {key: value for key, value in data.items() if value}
    dumped = yaml.dump(
        data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False, width=1_000_000
    )
    return Markdown(f"---\n{dumped}---\n")


def _status_badge(status: ProposalStatus) -> Markdown:
    return Markdown(f'<span class="status status--{status.value}">{status.label}</span>')


def _stance_badge(stance: Stance) -> Markdown:
    return Markdown(f'<span class="stance stance--{stance.value}">{stance.label}</span>')


def _kind_label(kind: ActorKind) -> str:
    return kind.value.capitalize()


def _by_month(items: Iterable[TimelineEntry]) -> list[tuple[str, list[TimelineEntry]]]:
    """Timeline entries grouped under 'September 2025' headings, keeping their order."""
    groups: dict[str, list[TimelineEntry]] = {}
    for item in items:
        month = PartialDate(item.event.date.year, item.event.date.month).human()
        groups.setdefault(month, []).append(item)
    return list(groups.items())


def reading_minutes(brief: Brief, words_per_minute: int) -> int:
    """Minutes to read the brief's text at a steady pace; at least one.

    Words are counted in the raw text: emphasis marks and link targets sit inside
    words ('*very*', '[the report](url)'), so the count is the reader's, without
    parsing every paragraph.
    """
    texts: list[str] = [brief.title, brief.summary]
    texts += [p.text for p in brief.key_points]
    texts += [f"{s.heading} {s.text}" for s in brief.sections]
    texts += [f"{p.title} {p.notes or ''}" for p in brief.proposals]
    texts += [f"{q.text} {q.context or ''}" for q in brief.quotes]
    texts += [e.what for e in brief.events]
    texts += [p.summary for p in brief.positions]
    words = sum(len(t.split()) for t in texts)
    return max(1, math.ceil(words / words_per_minute))


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    """The templates and their filters; one per process, so templates compile once."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates"),
        autoescape=False,  # Markdown, not HTML: _finalize escapes instead
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        rich=rich,
        rich_inline=_rich_inline,
        indent=_indent,
        human=human_date,
        status=_status_badge,
        stance=_stance_badge,
        kind=_kind_label,
        plain=plain,
        tag=Tag,
        trusted=Markdown,  # only for macro output, whose parts were escaped inside
        groupby_month=_by_month,
    )
    env.globals["external_link"] = external_link
    _add_disagreement(env)
    env.globals["related_reason"] = reason
    env.filters["direction"] = _direction_badge
    _add_board(env)
    return env


class Renderer:
    """Renders every page of the site from an index."""

    def thread(self, thread: Thread) -> Page:
        """The page of one story: its briefings in order, with directions, and its timeline."""
        latest = thread.latest.brief
        return self._page(
            thread_path(thread.id),
            "thread.md.j2",
            title=f"Story: {latest.title}",
            description=plain(latest.summary),
            meta={"feed": f"{THREADS_DIR}/{thread.id}"},
            thread=thread,
        )

    def __init__(self, index: Index, settings: Settings) -> None:
        self.index = index
        self.settings = settings
        self.env = _environment()

    def _digest_key(self) -> str:
        """A plan's outputs are bound to the renderer: its index and settings are keys of their own."""
        return "renderer"

    def plan(self) -> Iterator[tuple[str, Callable[[], Page]]]:
        """Every page of the site, in a stable order, as (path, how to render it).

        Rendering is deferred so that the preview can render only the pages a
        change affects; :meth:`pages` renders them all.
        """
        yield "index.md", self.home
        for entry in self.index.entries:
            yield brief_path(entry.slug), partial(self.briefing, entry)
            yield card_path(entry.slug), partial(self.card, entry)
        yield (
            f"{ACTORS_DIR}/index.md",
            partial(self._page, f"{ACTORS_DIR}/index.md", "actors_index.md.j2", title="Who's who"),
        )
        for actor in sorted(self.index.actors.values(), key=lambda a: a.id):
            yield actor_path(actor.id), partial(self.actor, actor)
        yield "guide.md", self.guide
        yield "proposals.md", self.tracker
        yield (
            "quotes.md",
            lambda: self._page(
                "quotes.md", "quotes.md.j2", title="Who said what", speakers=self._speakers()
            ),
        )
        yield "timeline.md", partial(self._page, "timeline.md", "timeline.md.j2", title="Timeline")
        yield MAP_PAGE, partial(self._page, MAP_PAGE, "map.md.j2", title="Map of incidents")
        yield "questions.md", self.questions
        yield (
            f"{TOPICS_DIR}/index.md",
            partial(self._page, f"{TOPICS_DIR}/index.md", "topics_index.md.j2", title="Topics"),
        )
        for tag, entries in self.index.by_tag.items():
            yield topic_path(tag), partial(self.topic, tag, entries)
        for thread in self.index.threads.values():
            yield thread_path(thread.id), partial(self.thread, thread)
        yield from self._place_plan()

    def _place_plan(self) -> Iterator[tuple[str, Callable[[], Page]]]:
        """The places index and one page per place of the registry."""
        yield (
            f"{PLACES_DIR}/index.md",
            partial(self._page, f"{PLACES_DIR}/index.md", "places_index.md.j2", title="Places"),
        )
        for place in self.index.places.values():
            yield place_path(place.id), partial(self.place, place)

    def home(self) -> Page:
        """The front page: the lead story, the latest others by topic, the proposals at a glance."""
        return self._page(
            "index.md",
            "home.md.j2",
            title=self.settings.site_name,
            meta=WIDE_PAGE,
            front=front_page(self.index),
            board=proposals_by_status(self.index),
            board_limit=HOME_PROPOSALS,
            lead_points=LEAD_POINTS,
        )

    def tracker(self) -> Page:
        """The proposal tracker: a board of proposals by status, and who stands where."""
        return self._page(
            "proposals.md",
            "proposals.md.j2",
            title="Proposal tracker",
            meta=WIDE_PAGE,
            board=proposals_by_status(self.index),
            grid=stance_grid(self.index),
        )

    def place(self, place: Place) -> Page:
        """The page of one place: what happened there and what was said there."""
        feed = f"{PLACES_DIR}/{place.id}" if place.id in self.index.entries_by_place else ""
        return self._page(
            place_path(place.id),
            "place.md.j2",
            title=place.name,
            meta={"feed": feed},
            place=place,
        )

    def pages(self) -> Iterator[Page]:
        """Every page of the site, rendered."""
        for _, render in self.plan():
            yield render()

    def actor(self, actor: Actor) -> Page:
        """The page of one actor."""
        feed = f"actors/{actor.id}" if actor.id in self.index.appearances else ""
        return self._page(
            actor_path(actor.id),
            "actor.md.j2",
            title=actor.name,
            description=plain(actor.description or ""),
            meta={"feed": feed},
            actor=actor,
        )

    def topic(self, tag: Tag, entries: list[Entry]) -> Page:
        """The page of one topic."""
        return self._page(
            topic_path(tag),
            "topic.md.j2",
            title=tag.name,
            meta={"feed": f"topics/{tag.slug}"},
            tag=tag,
            entries=entries,
        )

    def guide(self) -> Page:
        """The author guide, with the field reference read from the models."""
        return self._page(
            "guide.md",
            "guide.md.j2",
            title="Author guide",
            reference=reference(),
            choices=choices(),
            limits=_LIMITS,
            max_file_slug=MAX_FILE_SLUG,
            **{  # trusted: our own files, shown in code blocks
                name: Markdown(_SCAFFOLD.joinpath(file).read_text(encoding="utf-8").strip())
                for name, file in _EXAMPLES.items()
            },
        )

    def questions(self) -> Page:
        """Open questions, and those answered by another briefing."""
        questions = self.index.questions
        return self._page(
            "questions.md",
            "questions.md.j2",
            title="Open questions",
            open=[q for q in questions if not q.question.answered_by],
            answered=[q for q in questions if q.question.answered_by],
        )

    def _speakers(self) -> list[tuple[str, list[QuoteRef]]]:
        """Speakers by name, each with their quotes, newest briefing first."""
        return sorted(
            self.index.quotes_by_speaker.items(),
            key=lambda item: self.index.actors[item[0]].name.casefold(),
        )

    def briefing(self, entry: Entry) -> Page:
        """The page of one brief."""
        brief = entry.brief
        return self._page(
            brief_path(entry.slug),
            "briefing.md.j2",
            title=brief.title,
            description=plain(brief.summary),
            entry=entry,
            brief=brief,
            minutes=reading_minutes(brief, self.settings.words_per_minute),
            related=self.index.related.get(entry.slug, []),
            thread=self.index.threads.get(self.index.thread_of.get(entry.slug, "")),
            meta={
                "jsonld": script_json(news_article(self.index, self.settings, entry)),
                "pagefind": self._search_record(entry),
                "card": card_path(entry.slug),
            },
        )

    def _search_record(self, entry: Entry) -> dict[str, Any]:
        """What the site search files a briefing under: filters, and meta for its results.

        ``theme/main.html`` prints these as Pagefind's ``data-pagefind-filter`` and
        ``data-pagefind-meta`` elements, so the values are author text HTML-escaped
        here, like the title in the front matter.
        """
        brief = entry.brief
        thread = self.index.threads.get(self.index.thread_of.get(entry.slug, ""))
        actors = [self.index.actors[i].name for i in brief.actor_ids() if i in self.index.actors]
        filters = {
            "topic": [
                self.index.topic_names.get(Tag(t).slug, t) for t in dict.fromkeys(brief.tags)
            ],
            "thread": [thread.latest.brief.title] if thread else [],
            "actor": actors,
            "year": [str(brief.date.year)],
        }
        return {
            "filters": {
                name: [escape_html(v) for v in dict.fromkeys(values)]
                for name, values in filters.items()
                if values
            },
            "meta": {"title": escape_html(brief.title), "date": human_date(brief.date)},
        }

    def card(self, entry: Entry) -> Page:
        """The social card of one brief: a PNG drawn from its title, bottom line and date."""
        brief = entry.brief
        date = f"Published {human_date(brief.date)}"
        if brief.updated:
            date += f" · Updated {human_date(brief.updated)}"
        png = cards.card_png(brief.title, plain(brief.summary), date, self.settings.site_name)
        return Page(card_path(entry.slug), "", png)

    def _page(
        self,
        path: str,
        template: str,
        *,
        title: str,
        description: str = "",
        meta: dict[str, Any] | None = None,
        **context: Any,
    ) -> Page:
        helpers = _PageHelpers(path, self.index)
        drawn = _Pictures(helpers, self.settings)
        text = self.env.get_template(template).render(
            front_matter=_front_matter(
                title,
                description,
                {**(meta or {}), "search": {"exclude": True} if template in LISTINGS else None},
            ),
            title=title,
            index=self.index,
            site_name=self.settings.site_name,
            ln=helpers.link_to,
            actor_link=helpers.actor,
            actor_links=helpers.actors,
            actors_in_words=helpers.actors_in_words,
            brief_link=helpers.brief,
            topic=helpers.topic,
            cite=helpers.cite,
            source_link=helpers.source_link,
            proposal_link=helpers.proposal,
            timeline_certainty=helpers.timeline_certainty,
            position_object=helpers.position_object,
            place_links=helpers.places,
            event_place=helpers.event_place,
            event_anchor=_anchor,
            timeline_strip=drawn.strip,
            incident_map=drawn.incidents,
            places_map=drawn.places,
            briefing_pictures=drawn.briefing,
            today=self.settings.today,
            page_path=path,
            **context,
        )
        return Page(path, text)


@lru_cache(maxsize=65536)
def _relative(target: str, folder: str) -> str:
    """``target`` as seen from ``folder``, both inside the docs folder (cached: pages share links)."""
    return posixpath.relpath(target, folder or ".")


class _PageHelpers:
    """Links as seen from one page: every target is relative, so MkDocs checks it."""

    def __init__(self, path: str, index: Index) -> None:
        self.path = path
        self.index = index
        self.citations = 0
        """Citations made on this page so far: each gets the next ``cite-N`` id."""

    def link_to(self, target: str, anchor: str = "") -> Markdown:
        """A relative link target from this page to another page of the docs folder.

        Targets are built from validated slugs and ids only, so they are safe as is.
        """
        relative = _relative(target, posixpath.dirname(self.path))
        return Markdown(relative + (f"#{anchor}" if anchor else ""))

    def proposal(self, slug: str, proposal: Proposal, text: str = "") -> Markdown:
        """A link to a proposal in the brief that reports it, by its title or ``text``."""
        target = self.link_to(brief_path(slug), f"proposal-{proposal.id}")
        return link(text or proposal.title, target)

    def actor(self, actor_id: str, anchor: str = "") -> Markdown:
        """A link to an actor's page, named as the registry names them."""
        name = self.index.actors[actor_id].name
        return link(name, self.link_to(actor_path(actor_id), anchor))

    def actors(self, ids: Iterable[str]) -> Markdown:
        """Several actor links, comma-separated."""
        return Markdown(", ".join(self.actor(i) for i in ids))

    def actors_in_words(self, ids: Iterable[str]) -> Markdown:
        """Actor links as a sentence names them: 'A', 'A and B', 'A, B and C'."""
        return Markdown(in_words([self.actor(i) for i in ids]))

    def brief(self, slug: str, anchor: str = "") -> Markdown:
        """A link to a brief, by its title."""
        title = self.index.by_slug[slug].brief.title
        return link(title, self.link_to(brief_path(slug), anchor))

    def topic(self, tag: Tag) -> Markdown:
        """A link to a topic page."""
        return link(tag.name, self.link_to(topic_path(tag)))

    def cite(self, brief: Brief, ids: Iterable[str], slug: str = "") -> Markdown:
        """Numbered citation links to the brief's source list, on this page or another.

        The brackets are link text, not CSS, so copied text and search snippets
        read 'borders.[4]'. Each link says which source it is in its ``title``
        (outlet, headline, date), so it means something without JavaScript; on
        its own page it gets an id, ``cite-N``, that ``cite.js`` links back to.
        """
        numbers = {s.id: n for n, s in enumerate(brief.sources, start=1)}
        by_id = {s.id: s for s in brief.sources}
        target = self.link_to(brief_path(slug)) if slug else ""
        links = []
        for source_id in sorted(set(ids), key=numbers.__getitem__):
            anchor = ""
            if not slug:
                self.citations += 1
                anchor = f" #cite-{self.citations}"
            label = escape(f"Source {numbers[source_id]}: {source_label(by_id[source_id])}")
            links.append(
                f"[&#91;{numbers[source_id]}&#93;]({target}#source-{source_id})"
                f'{{ .cite{anchor} title="{label}" }}'
            )
        return Markdown("".join(links))

    def timeline_certainty(self, item: TimelineEntry) -> Markdown:
        """An event's certainty on a merged listing; each brief's, when the briefs differ.

        When they differ, every brief that tells the event is linked here, so the
        templates leave out their usual list of briefs.
        """
        if not item.certainty_differs:
            return certainty_mark(item.certainty)
        parts = [
            f"{certainty_mark(note).lstrip() if note else 'no certainty given'} in "
            f"{self.brief(slug, 'timeline')}"
            for slug, note in item.certainties.items()
        ]
        return Markdown(
            ' <span class="certainty-differs">The briefings differ on how certain this is:</span> '
            + "; ".join(parts)
        )

    def position_object(self, brief: Brief, position: models.Position, slug: str = "") -> Markdown:
        """What a stance is about: the proposal (linked), the stated issue, or the brief."""
        if position.proposal:
            proposal = next((p for p in brief.proposals if p.id == position.proposal), None)
            if proposal is not None:
                target = self.link_to(brief_path(slug)) if slug else ""
                return link(proposal.title, f"{target}#proposal-{proposal.id}")
        if position.issue:
            return escape(position.issue)
        return escape(brief.title)

    def places(self, place_ids: Iterable[str]) -> Markdown:
        """Links to the pages of places, comma-separated; ids not on the site are left out."""
        known = [self.index.places[i] for i in place_ids if i in self.index.places]
        return Markdown(", ".join(link(p.name, self.link_to(place_path(p.id))) for p in known))

    def event_place(self, event: models.Event) -> Markdown:
        """Where an event happened: the author's words, with the places of the registry linked.

        A place the words already name is linked where it stands ('European
        Parliament, [Strasbourg]'); the others follow in brackets, so no place is
        named twice.
        """
        text = event.place or ""
        known = [self.index.places[i] for i in event.places if i in self.index.places]
        inline = sorted((p for p in known if p.name in text), key=lambda p: text.index(p.name))
        out, at = "", 0
        for place in inline:
            start = text.find(place.name, at)
            if start < 0:  # overlapping names: the first one took it
                continue
            out += escape_inline(text[at:start])
            out += link(place.name, self.link_to(place_path(place.id)))
            at = start + len(place.name)
        out = (escape(text[at:]) if not out else out + escape_inline(text[at:])) if text else ""
        rest = [p.id for p in known if p not in inline]
        if rest:
            out += f" ({self.places(rest)})" if out else self.places(rest)
        return Markdown(out)

    def source_link(self, brief: Brief, source_id: str, slug: str = "") -> Markdown:
        """A link from a quote to the source it came from, in its brief's source list."""
        source = next(s for s in brief.sources if s.id == source_id)
        target = self.link_to(brief_path(slug)) if slug else ""
        return link(source.outlet, f"{target}#source-{source_id}")


def source_label(source: models.Source) -> str:
    """A source as a citation names it: 'Reuters, “Drones over Poland”, 10 September 2025'."""
    parts = [source.outlet]
    if source.title:
        parts.append(f"“{source.title}”")
    if source.date:
        parts.append(human_date(source.date))
    return ", ".join(parts)


def external_link(text: str, url: str | None) -> Markdown:
    """A link to an outside address if it is a safe http(s) one, else the plain text."""
    target = safe_url(url) if url else None
    return link(text, target) if target else escape(text)


Plan = list[tuple[str, Callable[[], Page]]]
"""Every output of the site with how to render it, from :func:`render_plan`."""


def render_plan(index: Index, settings: Settings) -> Plan:
    """Every output of the site, pages then feeds and data, each with how to render it.

    With briefs to show, the map data and the cards' font are loaded first, here:
    a missing one stops the build before any page is rendered, and processes
    forked to render inherit them.
    """
    if index.entries:
        cards.fonts()
        pictures.base_map(atlas_path(settings))
    plan = list(Renderer(index, settings).plan())
    for path, render in all_outputs(index, settings):
        plan.append((path, partial(_rendered, path, render)))
    return plan


def site_outputs(settings: Settings) -> list[str]:
    """The outputs of a site without briefs or actors: its own pages, main feeds and data.

    Read from the render plan itself, so the addresses a brief, actor or tag
    cannot take are always those of the pages that exist.
    """
    return [path for path, _ in render_plan(Index(entries=[], actors={}), settings)]


def _rendered(path: str, render: Callable[[], str]) -> Page:
    return Page(path, render())


def render_each(index: Index, settings: Settings) -> Iterator[Page]:
    """Render every output one at a time, so the writer never holds the whole site."""
    for _, render in render_plan(index, settings):
        yield render()


def render_all(index: Index, settings: Settings) -> list[Page]:
    """Render every page of the site, then its feeds and JSON export."""
    return list(render_each(index, settings))


def render_briefings(index: Index, settings: Settings, slugs: Iterable[str]) -> list[Page]:
    """Render only the pages of the briefs ``slugs``: the preview's first, fastest step."""
    renderer = Renderer(index, settings)
    return [renderer.briefing(index.by_slug[slug]) for slug in sorted(slugs)]


def render_some(plan: Plan, paths: set[str]) -> list[Page]:
    """Render only the outputs at ``paths`` (the preview's incremental regeneration)."""
    return [render() for path, render in plan if path in paths]


RenderFn = Callable[[Index, Settings], list[Page]]


# --- Disputes and certainty (issue 12) ----------------------------------------------


def certainty_mark(note: models.CertaintyNote | None) -> Markdown:
    """A claim's certainty badge and reason, led by a space; empty when none is given."""
    if note is None:
        return Markdown("")
    badge = f' <span class="certainty certainty--{note.level.value}">{note.level.label}</span>'
    reason = f' <span class="certainty-reason">{escape(note.reason)}</span>' if note.reason else ""
    return Markdown(badge + reason)


def in_words(names: list[str]) -> str:
    """Names joined as a sentence joins them: 'A', 'A and B', 'A, B and C'."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def dispute_marks(brief: Brief, item: object, actors: dict[str, Actor]) -> Markdown:
    """Links from a disputed item to its entries in the page's "Room for disagreement" block.

    The item is matched by identity, so an event keeps its marks however the
    timeline sorts it.
    """
    marks = []
    for number, (field_name, position, dispute) in enumerate(brief.disputes(), start=1):
        if getattr(brief, field_name)[position] is not item:
            continue
        names = in_words([actors[a].name if a in actors else a for a in dispute.by])
        marks.append(f"{link(f'Disputed by {names}', f'#dispute-{number}')}{{ .dispute-mark }}")
    return Markdown("".join(f" {mark}" for mark in marks))


def _add_disagreement(env: jinja2.Environment) -> None:
    """The filters and globals that show certainty and disputes."""
    env.filters["certainty"] = certainty_mark
    env.globals["dispute_marks"] = dispute_marks
    env.globals["disputes_of"] = disputes_of


# --- Story threads ------------------------------------------------------------------

THREADS_DIR = "threads"


def thread_path(thread_id: str) -> str:
    """Where a story's page lives in the docs folder: named after its first brief."""
    return f"{THREADS_DIR}/{thread_id}.md"


def thread_outputs(thread_id: str) -> tuple[str, ...]:
    """Every output named after a story: its page and its feeds."""
    return thread_path(thread_id), *feed_paths(f"{THREADS_DIR}/{thread_id}")


def _direction_badge(direction: models.Direction) -> Markdown:
    return Markdown(
        f'<span class="direction direction--{direction.value}">{direction.label}</span>'
    )


def _places_of(brief: Brief) -> set[str]:
    """Every place a brief names, in its events and its quotes."""
    found = {q.place for q in brief.quotes if q.place}
    return found | {p for e in brief.events for p in e.places}


# --- The tracker's status board and the front page (issue 14) -----------------------

WIDE_PAGE: dict[str, Any] = {"hide": ["navigation", "toc"]}
"""Material's page setting that gives a board the page's width: its columns need it more
than a table of contents that would repeat every card's title."""

LEAD_POINTS = 4
"""Key points the lead story shows; the briefing has them all."""

HOME_PROPOSALS = 4
"""Proposals the front page names under each status; the tracker has the rest."""

STANCE_MARKS = {
    Stance.SUPPORTS: "✓",
    Stance.OPPOSES: "✗",
    Stance.CAUTIOUS: "~",
    Stance.MIXED: "±",
    Stance.NEUTRAL: "○",
}
"""A symbol per stance, so the stance grid does not rely on colour alone."""


def short_date(value: dt.date) -> str:
    """A date as a dateline gives it: '12 Nov 2025'."""
    return f"{value.day} {value.strftime('%b %Y')}"


def status_chart(board: list[tuple[ProposalStatus, list[TrackedProposal]]]) -> Markdown:
    """One stacked bar of proposals per status, drawn at build time as inline SVG.

    Each status is a rectangle as wide as its count; the figure's text
    alternative gives every count, and the page lists the proposals beside it.
    """
    total = sum(len(items) for _, items in board)
    if not total:
        return Markdown("")
    counts = ", ".join(f"{len(items)} {status.label.lower()}" for status, items in board)
    label = f"{total} proposal{'s' if total != 1 else ''}: {counts}"
    rects, x = [], 0
    for status, items in board:
        rects.append(
            f'<rect class="status-chart__bar status-chart__bar--{status.value}" x="{x}" y="0" '
            f'width="{len(items)}" height="1" data-status="{status.value}" '
            f'data-count="{len(items)}"><title>{status.label}: {len(items)}</title></rect>'
        )
        x += len(items)
    return Markdown(
        f'<svg class="status-chart" viewBox="0 0 {total} 1" preserveAspectRatio="none" '
        f'role="img" aria-label="{label}" focusable="false">{"".join(rects)}</svg>'
    )


def stance_cell(stance: Stance | None) -> Markdown:
    """A cell of the stance grid: symbol and colour for the eye, the word for everyone."""
    if stance is None:
        return Markdown('<td class="stance-cell"></td>')
    return Markdown(
        f'<td class="stance-cell stance-cell--{stance.value}" data-stance="{stance.value}">'
        f'<span aria-hidden="true">{STANCE_MARKS[stance]}</span>'
        f'<span class="visually-hidden">{stance.label}</span></td>'
    )


def status_change(change: StatusChange) -> str:
    """A change of status as the tracker words it: 'Under discussion → Agreed'."""
    if change.before is None:
        return f"First reported as {change.status.label.lower()}"
    return f"{change.before.label} → {change.status.label.lower()}"


def _add_board(env: jinja2.Environment) -> None:
    """The filters and globals of the front page and the tracker."""
    env.filters["short"] = short_date
    env.filters["stance_cell"] = stance_cell
    env.filters["change"] = status_change
    env.globals["status_chart"] = status_chart
    env.globals["stance_marks"] = STANCE_MARKS
    env.globals["stances_between"] = (Stance.CAUTIOUS, Stance.MIXED, Stance.NEUTRAL)


# --- Pictures (issue 14): strip charts, maps ------------------------------------------

MAP_PAGE = "map.md"


def atlas_path(settings: Settings) -> Path:
    """The installed map data: in the project's node_modules, or the generator's checkout's."""
    return pictures.atlas_path([settings.root, Path(__file__).resolve().parents[1]])


def _served(path: str) -> str:
    """The address a page is served at, without its leading slash (for links in raw HTML)."""
    return address(path).lstrip("/")


class _Pictures:
    """The pictures as one page shows them: inline SVG in a figure, links relative to it.

    The links are in raw HTML, which MkDocs does not rewrite, so they are made
    relative to the address the page is served at.
    """

    def __init__(self, helpers: _PageHelpers, settings: Settings) -> None:
        self.helpers = helpers
        self.index = helpers.index
        self.settings = settings
        self.folder = posixpath.dirname(_served(helpers.path).rstrip("/") + "/x")

    def _land(self) -> str:
        return pictures.base_map(atlas_path(self.settings))

    def _href(self, target: str) -> str:
        """A link from this page to the page ``target`` of the docs folder, as served."""
        relative = posixpath.relpath(_served(target) or ".", self.folder or ".")
        return "./" if relative == "." else relative + ("/" if target.endswith(".md") else "")

    def strip(self, items: list[Any], caption: str = "") -> Markdown:
        """The strip chart of ``items`` (timeline entries or events), with its caption."""
        marks = pictures.marks_of(items, self.index.places)
        count = f"{len(marks)} event{'s' if len(marks) != 1 else ''}"
        title = f"Strip chart of {count} by actor and month; the list gives each"
        svg = pictures.strip_svg(marks, self.index.actors, title=title)
        text = caption or f"{count.capitalize()} by actor and month. A bar links to its entry."
        return Markdown(pictures.wrap(svg, "strip", text, scroll=True) + "\n")

    def incidents(self, items: list[Any], caption: str = "", here: Place | None = None) -> Markdown:
        """The map of the placed ones among ``items``, each marker linked to its entry."""
        marks = [
            m
            for m in pictures.marks_of(items, self.index.places)
            if any(pictures.on_map(*point) for point in m.points)
        ]
        if not marks:
            return Markdown("")
        count = f"{len(marks)} event{'s' if len(marks) != 1 else ''}"
        svg = pictures.map_svg(
            self._land(),
            [(f"#{m.anchor}", m.label, m.points) for m in marks],
            title=f"Map of Europe with {count} marked; the list gives each",
            highlight=(here.latitude, here.longitude) if here else None,
        )
        text = caption or f"Where {count} happened. A dot links to its entry."
        return Markdown(pictures.wrap(svg, "map", text) + "\n")

    def places(self) -> Markdown:
        """A map of every place, each marker linked to the place's page."""
        known = sorted(self.index.places.values(), key=lambda p: p.name)
        if not known:
            return Markdown("")
        markers = [
            (
                self._href(place_path(p.id)),
                f"{p.name}: {len(self.index.events_by_place.get(p.id, []))} events",
                ((p.latitude, p.longitude),),
            )
            for p in known
        ]
        svg = pictures.map_svg(
            self._land(),
            markers,
            title=f"Map of Europe with {len(known)} places; the list names each",
        )
        return Markdown(
            pictures.wrap(svg, "map", "The places. A dot opens the place's page.") + "\n"
        )

    def briefing(self, brief: Brief) -> Markdown:
        """A brief's strip chart and map, with the list of its events they link to."""
        events = sorted(brief.events, key=lambda e: e.date)
        if not events:
            return Markdown("")
        marks = pictures.marks_of(events, self.index.places)
        return Markdown(
            "\n"
            + self.strip(events)
            + self.incidents(events)
            + pictures.data_list(marks, self.index.places, events)
            + "\n"
        )


def _anchor(event: models.Event) -> Markdown:
    """An event's list-entry id, for an attribute list: made of slug characters only."""
    return Markdown(pictures.event_anchor(event))
