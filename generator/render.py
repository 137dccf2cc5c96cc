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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from importlib.resources import files
from typing import Any

import jinja2
import yaml

from generator import cards, mdtext, models, pictures
from generator.config import Settings
from generator.feeds import (
    all_outputs,
    data_path,
    feed_paths,
    forget_items,
    news_article,
    script_json,
)
from generator.index import (
    Entry,
    Index,
    StanceGrid,
    StatusChange,
    Tag,
    Thread,
    TimelineEntry,
    TrackedProposal,
    disputes_of,
    front_page,
    reason,
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
from generator.stops import checked

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
    reads: tuple[Any, ...] | None = None
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
    """Every output named after an actor: their page, their quotes' page and their feeds."""
    return actor_path(actor_id), speaker_path(actor_id), *feed_paths(f"{ACTORS_DIR}/{actor_id}")


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


# --- Light pages (issue 15): archives by month, split and paginated listings ---------

PAGE_SIZE = 15
"""Items of each list in one block of a listing of several lists (actors, places, stories).

Stable pagination puts up to ``2 * PAGE_SIZE - 1`` of each list on a first page, so an
actor page shows at most 29 of each of its six lists; at the heaviest items (quote
boxes, about 1.3 KB of HTML each; events and positions about 0.35 KB) that keeps a
page near 100 KB with Material's own 20 KB, under the 150 KB bound.
"""

LIST_PAGE_SIZE = 50
"""Items in one block of a listing of one or two lists (topics, speakers, questions): a
first page holds up to 99 lines of 0.2-0.6 KB of HTML, so it stays under 80 KB."""

MONTH_PAGE_SIZE = 100
"""Briefings on one page of a month of the archive (numbered pages: a month is closed
once it is over, so its pages do not move with each new briefing)."""

CITED_BRIEFINGS = 5
"""Briefings an event's entry in a listing links to before 'and N more': at 10,000 briefs
a shared event is told in hundreds, and each briefing's page shows its events."""

TIMELINE_PAGE_SIZE = 60
"""Events on one page of a month of the timeline: an event's line (about 0.5 KB), its bar
on the strip chart (0.4 KB) and its marker on the map (0.2 KB), beside the base map."""

GRID_ACTORS = 30
"""Actors the stance grid of one page has columns for, those with the most stances on its
proposals first: a column per actor of the site would make a row heavier than a page."""

GRID_ROWS = 12
"""Proposals the stance grid of one page has rows for, its cards' order: the board shows
the newest cards of every status, its status pages the grid of each of theirs."""

NAMES_PAGE_SIZE = 400
"""Actors on one page of Who's who: a name, a count and a short description, about 0.1 KB."""

WHOS_WHO_KINDS = {
    "person": "People",
    "country": "Countries",
    "organisation": "Organisations",
    "group": "Groups",
}
"""The kinds of actor in the order Who's who groups them, with their headings."""

CARD_ACTORS = 6
"""Actors a tracker card names for each stance before 'and N more'."""

HISTORY_STEPS = 4
"""Changes of status a tracker card lists, the latest; a proposal whose status changed in
hundreds of briefings would otherwise list them all."""

STATUS_PAGE_SIZE = 6
"""Tracker cards in one block of a status's own pages (a first page holds up to 11): a
card is heavier than a line."""

BOARD_LIMIT = 3
"""Cards a column of the tracker's board shows; a longer column links to its status's pages."""

CARD_BRIEFINGS = 6
"""Briefings a tracker card links to, newest first: a proposal many briefings discuss would
otherwise make one card heavier than a page may be; each briefing shows its proposals."""

HOME_TOPICS = 24
"""Topics the front page names, the most used; the topics index has every one."""

HOME_MONTHS = 6
"""Months of the archive the front page links to by name; the archive has every month."""

ARCHIVE_DIR = "archive"
ARCHIVE_INDEX = "archive.md"
"""The archive's index of months, served at ``/archive/``."""

PAGINATION_WINDOW = 2
"""Numbered links on each side of the current page; the first and last are always linked."""


def page_path(base: str, number: int) -> str:
    """Page ``number`` of the listing whose first page is ``base``, like Hugo's ``/page/N/``.

    'actors/x.md', 3 → 'actors/x/page/3.md' (served at /actors/x/page/3/), and an
    index 'actors/index.md', 2 → 'actors/page/2.md'; page 1 is ``base`` itself, so
    the first page keeps the address it always had.
    """
    if number <= 1:
        return base
    return f"{base.removesuffix('.md').removesuffix('/index')}/page/{number}.md"


def page_count(lists: Sequence[Sequence[Any]], size: int) -> int:
    """Pages a listing of ``lists`` needs at ``size`` items of each per page; at least one."""
    longest = max((len(items) for items in lists), default=0)
    return max(1, math.ceil(longest / size))


# --- Stable pagination (issue 15): blocks counted from the oldest -----------------------
#
# A dated, newest-first listing is cut into fixed blocks of ``size`` items counted
# from its oldest item. The first page (the listing's own address) shows the newest
# full block and the newest items that do not fill a block yet: ``size`` to
# ``2 * size - 1`` items once there are more than ``size``. Each older block has a
# permanent page, ``…/page/N/``, N counted from the oldest block (``page/1`` is the
# oldest), so an address always shows the same items. A new item changes the first
# page only; every ``size`` additions a block fills, and the block before it leaves the
# first page for a new page of its own, whose older neighbour's 'Newer' link changes.


def block_path(base: str, number: int) -> str:
    """The permanent page of block ``number`` (1: the oldest) of the listing at ``base``.

    'actors/x.md', 1 → 'actors/x/page/1.md' (served at /actors/x/page/1/). Unlike
    :func:`page_path`, 1 is not ``base``: the first page shows the newest items and
    keeps the listing's address, and ``page/1`` is the oldest block.
    """
    return f"{base.removesuffix('.md').removesuffix('/index')}/page/{number}.md"


def older_count(lists: Sequence[Sequence[Any]], size: int) -> int:
    """How many older pages a stably paginated listing has: its full blocks but the newest."""
    longest = max((len(items) for items in lists), default=0)
    return max(0, longest // size - 1)


def first_part(items: Sequence[Any], size: int, oldest_first: bool = False) -> Sequence[Any]:
    """What the first page shows of a list: its newest full block and the items after it."""
    keep = len(items) - max(0, len(items) // size - 1) * size
    if not keep:
        return items[:0]
    return items[-keep:] if oldest_first else items[:keep]


def block_part(
    items: Sequence[Any], number: int, size: int, oldest_first: bool = False
) -> Sequence[Any]:
    """Block ``number`` of a list (1: its oldest ``size`` items); empty if on the first page."""
    if number > len(items) // size - 1:
        return items[:0]
    if oldest_first:
        return items[(number - 1) * size : number * size]
    end = len(items) - (number - 1) * size
    return items[end - size : end]


def block_of(length: int, position: int, size: int) -> int:
    """The block holding the ``position``-th item (0: the newest) of a newest-first list.

    0 when it is on the first page; else the N of its permanent page ``…/page/N/``.
    """
    number = (length - 1 - position) // size + 1
    return 0 if number >= length // size else number


def series_path(base: str, name: str) -> str:
    """Where one list of a listing of several keeps its older pages: 'actors/x/quotes.md'.

    Each list of an actor, place, story or of the questions is a stable listing
    of its own (``actors/x/quotes/page/N/``), so one list filling a block never
    changes another list's pages. A listing of one list keeps them under its own
    address (``topics/x/page/N/``): ``name`` is then empty.
    """
    return f"{base.removesuffix('.md')}/{name}.md" if name else base


@dataclass(frozen=True)
class Series:
    """One list of a listing: its name in addresses, and how its pages name it ('quotes')."""

    name: str
    title: str


ACTOR_SERIES = (
    Series("quotes", "quotes"),
    Series("proposals", "proposals"),
    Series("positions", "positions"),
    Series("events", "events"),
    Series("disputes", "disputes"),
    Series("briefings", "briefings"),
)
PLACE_SERIES = (
    Series("events", "events"),
    Series("quotes", "quotes"),
    Series("briefings", "briefings"),
)
THREAD_SERIES = (Series("briefings", "briefings"), Series("timeline", "timeline"))
QUESTION_SERIES = (Series("open", "open questions"), Series("answered", "answered questions"))
"""The lists of the listings of several lists, in the order their render functions give them."""


@dataclass(frozen=True)
class Block:
    """What the render plan binds an older page to: its number and its items, and no more.

    The plan's binding is a key of the page's reads (:func:`generator.graph.plan_key`),
    digested from these items: an older page is rendered again when what it shows
    changes, not each time its listing grows.
    """

    number: int
    """N of ``…/page/N/``, counted from the oldest block."""
    newest: bool
    """Whether it is the newest older page: its 'Newer' neighbour is the first page."""
    which: int
    """Which list of the listing the block is of."""
    items: Sequence[Any]
    """The block's items, in the order the page shows them."""
    listing: str
    """The listing's first page, which reads the lists the block is cut from."""

    def lists(self, count: int) -> list[Sequence[Any]]:
        """The page's part of each of the listing's ``count`` lists: its block, or nothing."""
        return [self.items if n == self.which else self.items[:0] for n in range(count)]


@dataclass(frozen=True)
class StablePager:
    """Where one page stands in one stably paginated list, with no part that moves.

    ``number`` is 0 for the first page and N for ``…/page/N/``. Only the first page
    knows how many older pages there are (``older``); an older page knows its
    neighbours by its number alone, and whether it is the newest older page.
    """

    base: str
    """The listing's first page."""
    number: int
    older: int = 0
    newest: bool = False
    label: str = ""
    """What an older page holds, in words that never change: the span of its dates."""
    series: str = ""
    """The list's own address, under which its older pages are: ``base`` for a single list."""
    title: str = ""
    """What the list holds ('quotes'), for the navigation's label."""

    def _older(self, number: int) -> str:
        return block_path(self.series or self.base, number)

    @property
    def first(self) -> bool:
        """Whether this is the listing's first page (its newest items)."""
        return self.number == 0

    @property
    def path(self) -> str:
        """The path of this page in the docs folder."""
        return self.base if self.first else self._older(self.number)

    @property
    def shown(self) -> bool:
        """Whether the list has older pages to step through at all."""
        return not self.first or self.older > 0

    @property
    def newer(self) -> str | None:
        """The next newer page: the first page from the newest older page; none from it."""
        if self.first:
            return None
        return self.base if self.newest else self._older(self.number + 1)

    @property
    def older_page(self) -> str | None:
        """The next older page; none from the oldest."""
        if self.first:
            return self._older(self.older) if self.older else None
        return self._older(self.number - 1) if self.number > 1 else None

    @property
    def oldest(self) -> str:
        """The page of the oldest block."""
        return self._older(1)


def _when(item: Any, index: Index) -> PartialDate | None:
    """The date an item of a listing is listed by: its brief's, an event's, a card's change."""
    if isinstance(item, tuple) and item:
        item = item[1] if isinstance(item[0], str) else item[0]
    if isinstance(item, TimelineEntry):
        return item.event.date
    if isinstance(item, TrackedProposal):
        day = item.latest.entry.last_changed
    elif isinstance(item, Entry):
        day = item.brief.date
    elif hasattr(item, "entry"):
        day = item.entry.brief.date
    elif hasattr(item, "slug"):
        day = index.by_slug[item.slug].brief.date
    else:
        return None
    return PartialDate(day.year, day.month, day.day)


def date_span(items: Iterable[Any], index: Index, days: bool = True) -> str:
    """The dates a page's items span, by day or (``days=False``, for titles) by month.

    '12 March - 28 April 2019' (with an en dash), the year said once when both
    ends share it: a label that names what an older page holds and never changes.
    """
    dates = [d for d in (_when(item, index) for item in items) if d is not None]
    if not dates:
        return ""
    low, high = min(dates), max(dates)
    if not days:
        low, high = PartialDate(low.year, low.month), PartialDate(high.year, high.month)
    if low == high:
        return low.human()
    start = low.human()
    if low.year == high.year:
        start = start.removesuffix(f" {low.year}")
    return f"{start}{SPAN_DASH}{high.human()}"


SPAN_DASH = " \N{EN DASH} "
"""Between the ends of a span of dates, as typeset: an en dash between spaces."""


def archive_path(month: str) -> str:
    """Where the briefings of a month ('2025-03') are listed: ``/archive/2025-03/``."""
    return f"{ARCHIVE_DIR}/{month}.md"


def timeline_month_path(month: str) -> str:
    """Where the timeline's events of a month ('2025-03') are: ``/timeline/2025-03/``."""
    return f"timeline/{month}.md"


ANONYMOUS = "anonymous"
"""The page name of the anonymous sources' quotes, beside the speakers' (an actor with
this id is refused: :func:`actor_outputs` claims the address)."""


def speaker_path(speaker: str | None) -> str:
    """Where one speaker's quotes are (``None``: the anonymous sources')."""
    return f"quotes/{speaker or ANONYMOUS}.md"


def status_path(status: ProposalStatus) -> str:
    """Where the tracker lists every proposal of one status: ``/proposals/agreed/``."""
    return f"proposals/{status.value}.md"


def _month_name(month: str) -> str:
    """'2025-03' as readers see it: 'March 2025'."""
    year, number = month.split("-")
    return PartialDate(int(year), int(number)).human()


@dataclass(frozen=True)
class Pager:
    """Where one page stands in its listing: its number, the number of pages, the addresses."""

    base: str
    number: int
    count: int

    @property
    def path(self) -> str:
        """The path of the page in the docs folder."""
        return page_path(self.base, self.number)

    @property
    def suffix(self) -> str:
        """What a page's title adds after page 1: ' (page 2 of 7)'."""
        return f" (page {self.number} of {self.count})" if self.number > 1 else ""

    def path_of(self, number: int) -> str:
        """The path of page ``number`` of this listing."""
        return page_path(self.base, number)

    def numbers(self) -> list[int | None]:
        """The page numbers to link: the first, the last and a window around this one.

        ``None`` stands for a gap ('…'), so a listing of 300 pages links about
        nine of them rather than all 300.
        """
        wanted = {
            1,
            self.count,
            *range(self.number - PAGINATION_WINDOW, self.number + PAGINATION_WINDOW + 1),
        }
        shown = sorted(n for n in wanted if 1 <= n <= self.count)
        out: list[int | None] = []
        for n in shown:
            if out and out[-1] is not None and n - out[-1] > 1:  # type: ignore[operator]
                out.append(None)
            out.append(n)
        return out


def _stance_grid(proposals: Sequence[TrackedProposal], index: Index) -> StanceGrid:
    """The stance grid of the given proposals (one page's cards), actors most stances first."""
    rows = [t for t in proposals if t.stances][:GRID_ROWS]
    cells = {(t.id, actor): stance for t in rows for actor, stance in t.stances.items()}
    counts: dict[str, int] = {}
    for _, actor in cells:
        counts[actor] = counts.get(actor, 0) + 1

    def name(actor_id: str) -> str:
        actor = index.actors.get(actor_id)
        return (actor.name if actor else actor_id).casefold()

    actors = sorted(counts, key=lambda a: (-counts[a], name(a)))[:GRID_ACTORS]
    shown = set(actors)
    rows = [t for t in rows if shown.intersection(t.stances)]
    return StanceGrid(rows, actors, cells)


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
        "archive.md.j2",
        "archive_month.md.j2",
        "timeline_month.md.j2",
        "quotes_speaker.md.j2",
        "proposals_status.md.j2",
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
        month_name=_month_name,
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
        """The first page of one story: its latest briefings in order, and its timeline's latest."""
        latest = thread.latest.brief
        pager, pagers, (entries, timeline) = self._first_slice(
            thread_path(thread.id), self._thread_lists(thread), PAGE_SIZE, THREAD_SERIES, True
        )
        return self._page(
            pager.path,
            "thread.md.j2",
            title=f"Story: {latest.title}",
            description=plain(latest.summary),
            meta={"feed": f"{THREADS_DIR}/{thread.id}"},
            thread=thread,
            thread_id=thread.id,
            first=thread.first,
            offset=len(thread.entries) - len(entries),
            entries=entries,
            timeline=timeline,
            pager=pager,
            pagers=pagers,
        )

    def thread_block(self, thread_id: str, block: Block) -> Page:
        """An older page of a story, bound to its id and block only: not to the whole story.

        The story's first briefing names it (its slug is the story's id), since its
        latest changes with each new briefing.
        """
        first = self.index.by_slug[thread_id]
        entries, timeline = block.lists(len(THREAD_SERIES))
        pager, pagers = self._block_pager(thread_path(thread_id), block, THREAD_SERIES)
        return self._page(
            pager.path,
            "thread.md.j2",
            title=self._older_title(f"Story: {first.brief.title}", block, THREAD_SERIES),
            description=plain(first.brief.summary),
            meta={"feed": f"{THREADS_DIR}/{thread_id}"},
            thread=None,
            thread_id=thread_id,
            first=first,
            offset=(block.number - 1) * PAGE_SIZE,
            entries=entries,
            timeline=timeline,
            pager=pager,
            pagers=pagers,
        )

    def _thread_lists(self, thread: Thread) -> list[Sequence[Any]]:
        return [thread.entries, thread.timeline]

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
        yield from self._paged(
            f"{ACTORS_DIR}/index.md", self._whos_who_lists(), self.whos_who, size=NAMES_PAGE_SIZE
        )
        for actor in sorted(self.index.actors.values(), key=lambda a: a.id):
            yield from self._stable(
                actor_path(actor.id),
                self._actor_lists(actor),
                partial(self.actor, actor),
                partial(self.actor, actor, feed=actor.id in self.index.appearances),
                series=ACTOR_SERIES,
            )
        yield "guide.md", self.guide
        yield from self._tracker_plan()
        yield from self._quotes_plan()
        yield from self._timeline_plan()
        yield from self._archive_plan()
        yield MAP_PAGE, partial(self._page, MAP_PAGE, "map.md.j2", title="Map of incidents")
        yield from self._stable(
            "questions.md",
            self._question_lists(),
            self.questions,
            self.questions,
            LIST_PAGE_SIZE,
            QUESTION_SERIES,
        )
        yield (
            f"{TOPICS_DIR}/index.md",
            partial(self._page, f"{TOPICS_DIR}/index.md", "topics_index.md.j2", title="Topics"),
        )
        for tag in self.index.by_tag:
            topic = partial(self.topic, tag)
            yield from self._stable(
                topic_path(tag), self._topic_lists(tag), topic, topic, LIST_PAGE_SIZE
            )
        for thread in self.index.threads.values():
            yield from self._stable(
                thread_path(thread.id),
                self._thread_lists(thread),
                partial(self.thread, thread),
                partial(self.thread_block, thread.id),
                series=THREAD_SERIES,
                oldest_first=True,
            )
        yield from self._place_plan()

    def _place_plan(self) -> Iterator[tuple[str, Callable[[], Page]]]:
        """The places index and one page per place of the registry."""
        yield (
            f"{PLACES_DIR}/index.md",
            partial(self._page, f"{PLACES_DIR}/index.md", "places_index.md.j2", title="Places"),
        )
        for place in self.index.places.values():
            yield from self._stable(
                place_path(place.id),
                self._place_lists(place),
                partial(self.place, place),
                partial(self.place, place, feed=place.id in self.index.entries_by_place),
                series=PLACE_SERIES,
            )

    def home(self) -> Page:
        """The front page: the lead story, the latest others by topic, the proposals at a glance."""
        return self._page(
            "index.md",
            "home.md.j2",
            title=self.settings.site_name,
            meta=WIDE_PAGE,
            front=front_page(self.index),
            board=list(self.index.proposals_by_status.items()),
            board_limit=HOME_PROPOSALS,
            lead_points=LEAD_POINTS,
            status_page=self._status_page,
            card_page=self._card_page,
            months=list(self.index.by_month.items())[:HOME_MONTHS],
            topics=self._home_topics(),
        )

    def _home_topics(self) -> list[tuple[Tag, int]]:
        """The most used topics, alphabetically: the front page names these, the index all."""
        counts = [(tag, len(entries)) for tag, entries in self.index.by_tag.items()]
        top = sorted(counts, key=lambda c: (-c[1], c[0].slug))[:HOME_TOPICS]
        return sorted(top, key=lambda c: c[0].slug)

    def tracker(self) -> Page:
        """The proposal tracker: a board of proposals by status, and who stands where.

        A column shows its newest ``BOARD_LIMIT`` cards; a longer one links to its
        status's own pages, which hold every card of it.
        """
        board = [(s, items[:BOARD_LIMIT]) for s, items in self.index.proposals_by_status.items()]
        counts = {s: len(items) for s, items in self.index.proposals_by_status.items()}
        return self._page(
            "proposals.md",
            "proposals.md.j2",
            title="Proposal tracker",
            meta=WIDE_PAGE,
            board=board,
            full=list(self.index.proposals_by_status.items()),
            counts=counts,
            status_page=self._status_page,
            grid=_stance_grid([t for _, items in board for t in items], self.index),
        )

    def _tracker_plan(self) -> Iterator[tuple[str, Callable[[], Page]]]:
        """The board, then the pages of each status whose column is cut short."""
        yield "proposals.md", self.tracker
        for status, items in self.index.proposals_by_status.items():
            if len(items) > BOARD_LIMIT:
                page = partial(self.status, status)
                yield from self._stable(
                    status_path(status), self._status_lists(status), page, page, STATUS_PAGE_SIZE
                )

    def _status_lists(self, status: ProposalStatus) -> list[Sequence[Any]]:
        return [self.index.proposals_by_status.get(status, [])]

    def _card_page(self, status: ProposalStatus, position: int) -> str:
        """The page that holds the card of the ``position``-th proposal of ``status``.

        The board holds the newest; the others are on the status's first page or on
        the permanent page of their block (stable pagination, counted from the oldest).
        """
        if position < BOARD_LIMIT:
            return "proposals.md"
        length = len(self.index.proposals_by_status.get(status, []))
        number = block_of(length, position, STATUS_PAGE_SIZE)
        return block_path(status_path(status), number) if number else status_path(status)

    def _status_page(self, status: ProposalStatus) -> str:
        """Where the tracker lists every proposal of ``status``: its own page, or the board."""
        if len(self.index.proposals_by_status.get(status, [])) > BOARD_LIMIT:
            return status_path(status)
        return "proposals.md"

    def status(self, status: ProposalStatus, block: Block | None = None) -> Page:
        """One page of the proposals that have ``status`` now, with their stance grid."""
        title = f"Proposals: {status.label.lower()}"
        pager, _, (items,) = self._part(
            status_path(status), block, partial(self._status_lists, status), STATUS_PAGE_SIZE
        )
        total = len(self.index.proposals_by_status.get(status, [])) if block is None else 0
        if block is not None:
            title = self._older_title(title, block)
        return self._page(
            pager.path,
            "proposals_status.md.j2",
            title=title,
            meta=WIDE_PAGE,
            status=status,
            items=items,
            total=total,
            grid=_stance_grid(list(items), self.index),
            pager=pager,
        )

    def place(self, place: Place, block: Block | None = None, feed: bool = False) -> Page:
        """The page of one place: what happened there and what was said there.

        An older page is told by the plan whether the place has a feed: asking the
        index would make it read the place's whole list of briefings.
        """
        title = place.name
        pager, pagers, (events, quotes, entries) = self._part(
            place_path(place.id), block, partial(self._place_lists, place), PAGE_SIZE, PLACE_SERIES
        )
        if block is None:
            feed = place.id in self.index.entries_by_place
        else:
            title = self._older_title(title, block, PLACE_SERIES)
        return self._page(
            pager.path,
            "place.md.j2",
            title=title,
            meta={"feed": f"{PLACES_DIR}/{place.id}" if feed else ""},
            place=place,
            events=events,
            quotes=quotes,
            entries=entries,
            pager=pager,
            pagers=pagers,
        )

    def _place_lists(self, place: Place) -> list[Sequence[Any]]:
        return [
            self.index.events_by_place.get(place.id, []),
            self.index.quotes_by_place.get(place.id, []),
            self.index.entries_by_place.get(place.id, []),
        ]

    def pages(self) -> Iterator[Page]:
        """Every page of the site, rendered."""
        for _, render in self.plan():
            yield render()

    def actor(self, actor: Actor, block: Block | None = None, feed: bool = False) -> Page:
        """One page of an actor: the first shows the newest of each list, an older one a block.

        An older page is told by the plan whether the actor has a feed: asking the
        index would make it read the actor's whole list of briefings.
        """
        title = actor.name
        pager, pagers, lists = self._part(
            actor_path(actor.id), block, partial(self._actor_lists, actor), PAGE_SIZE, ACTOR_SERIES
        )
        if block is None:
            feed = actor.id in self.index.appearances
        else:
            title = self._older_title(title, block, ACTOR_SERIES)
        quotes, proposals, positions, events, disputes, stories = lists
        return self._page(
            pager.path,
            "actor.md.j2",
            title=title,
            description=plain(actor.description or ""),
            meta={"feed": f"actors/{actor.id}" if feed else ""},
            actor=actor,
            quotes=quotes,
            proposals=proposals,
            positions=positions,
            events=events,
            disputes=disputes,
            stories=stories,
            pager=pager,
            pagers=pagers,
        )

    def _actor_lists(self, actor: Actor) -> list[Sequence[Any]]:
        """An actor's lists: quotes, proposals, positions, events, disputes, stories."""
        index = self.index
        return [
            index.quotes_by_speaker.get(actor.id, []),
            index.proposals_by_actor.get(actor.id, []),
            index.positions_by_actor.get(actor.id, []),
            index.events_by_actor.get(actor.id, []),
            index.disputes_by_actor.get(actor.id, []),
            index.by_story(index.appearances.get(actor.id, [])),
        ]

    def topic(self, tag: Tag, block: Block | None = None) -> Page:
        """One page of a topic's briefings, a story's earlier ones under its latest."""
        pager, _, (stories,) = self._part(
            topic_path(tag), block, partial(self._topic_lists, tag), LIST_PAGE_SIZE
        )
        total = len(self.index.by_tag[tag]) if block is None else 0
        title = tag.name if block is None else self._older_title(tag.name, block)
        return self._page(
            pager.path,
            "topic.md.j2",
            title=title,
            meta={"feed": f"topics/{tag.slug}"},
            tag=tag,
            total=total,
            stories=stories,
            pager=pager,
        )

    def _topic_lists(self, tag: Tag) -> list[Sequence[Any]]:
        return [self.index.by_story(self.index.by_tag[tag])]

    def _whos_who_lists(self) -> list[Sequence[Any]]:
        """Every actor, grouped by kind in the page's order, by name within a kind."""
        order = {kind: n for n, kind in enumerate(WHOS_WHO_KINDS)}
        return [
            sorted(
                self.index.actors.values(),
                key=lambda a: (order.get(a.kind.value, len(order)), a.name, a.id),
            )
        ]

    def whos_who(self, number: int = 1) -> Page:
        """One page of the actors, grouped by kind, each with how many briefings name them."""
        pager, (actors,) = self._slice(
            f"{ACTORS_DIR}/index.md", self._whos_who_lists(), number, NAMES_PAGE_SIZE
        )
        groups: dict[str, list[Actor]] = {}
        for actor in actors:
            groups.setdefault(actor.kind.value, []).append(actor)
        return self._page(
            pager.path,
            "actors_index.md.j2",
            title="Who's who" + pager.suffix,
            groups=[(kind, WHOS_WHO_KINDS.get(kind, kind), groups[kind]) for kind in groups],
            counts={a.id: len(self.index.appearances.get(a.id, [])) for a in actors},
            pager=pager,
        )

    def _paged(
        self,
        base: str,
        lists: Callable[[], list[Sequence[Any]]] | list[Sequence[Any]],
        render: Callable[..., Page],
        size: int | None = None,
    ) -> Iterator[tuple[str, Callable[[], Page]]]:
        """The pages of one paginated listing: page 1 at ``base``, then ``…/page/N``.

        ``lists`` are read here only to count the pages; each page reads them
        again while it renders, so what it shows is recorded as what it read.
        """
        found = lists() if callable(lists) else lists
        for number in range(1, page_count(found, size or PAGE_SIZE) + 1):
            yield page_path(base, number), partial(render, number=number)

    def _slice(
        self, base: str, lists: list[Sequence[Any]], number: int, size: int | None = None
    ) -> tuple[Pager, list[Sequence[Any]]]:
        """Page ``number`` of a listing: its pager, and its part of each list."""
        size = size or PAGE_SIZE
        pager = Pager(base, number, page_count(lists, size))
        start = (number - 1) * size
        return pager, [items[start : start + size] for items in lists]

    def _stable(
        self,
        base: str,
        lists: list[Sequence[Any]],
        first: Callable[[], Page],
        older: Callable[..., Page],
        size: int | None = None,
        series: Sequence[Series] = (),
        oldest_first: bool = False,
    ) -> Iterator[tuple[str, Callable[[], Page]]]:
        """The pages of a stably paginated listing: the first at ``base``, then older blocks.

        The first page reads its lists while it renders, so it depends on the whole
        of each; an older page is bound here to its :class:`Block`, the items it
        shows, so that is all it depends on. ``older`` must bind nothing that
        changes with the whole listing. Each of several lists has its own older
        pages, under :func:`series_path`.
        """
        size = size or PAGE_SIZE
        yield base, first
        for which, items in enumerate(lists):
            home = series_path(base, series[which].name if series else "")
            count = older_count([items], size)
            for number in range(1, count + 1):
                part = block_part(items, number, size, oldest_first)
                block = Block(number, number == count, which, part, base)
                yield block_path(home, number), partial(older, block=block)

    def _first_slice(
        self,
        base: str,
        lists: list[Sequence[Any]],
        size: int,
        series: Sequence[Series] = (),
        oldest_first: bool = False,
    ) -> tuple[StablePager, dict[str, StablePager], list[Sequence[Any]]]:
        """A listing's first page: its pager, each list's pager by name, the newest of each."""
        pagers = {
            (s.name if series else ""): StablePager(
                base,
                0,
                older=older_count([items], size),
                series=series_path(base, s.name if series else ""),
                title=s.title,
            )
            for s, items in zip(series or [Series("", "")], lists, strict=False)
        }
        pager = StablePager(base, 0, older=older_count(lists, size))
        return pager, pagers, [first_part(items, size, oldest_first) for items in lists]

    def _block_pager(
        self, base: str, block: Block, series: Sequence[Series] = ()
    ) -> tuple[StablePager, dict[str, StablePager | None]]:
        """The pager of an older page, and the pagers of its listing's lists (only its own)."""
        own = series[block.which] if series else Series("", "")
        pager = StablePager(
            base,
            block.number,
            newest=block.newest,
            label=self._span(block, days=True),
            series=series_path(base, own.name),
            title=own.title,
        )
        pagers: dict[str, StablePager | None] = {s.name: None for s in series}
        pagers[own.name] = pager
        return pager, pagers

    def _part(
        self,
        base: str,
        block: Block | None,
        lists: Callable[[], list[Sequence[Any]]],
        size: int,
        series: Sequence[Series] = (),
        oldest_first: bool = False,
    ) -> tuple[StablePager, dict[str, Any], list[Sequence[Any]]]:
        """A page of a stable listing: the first (reading ``lists``) or an older (its block)."""
        if block is None:
            return self._first_slice(base, lists(), size, series, oldest_first)
        pager, pagers = self._block_pager(base, block, series)
        return pager, pagers, block.lists(len(series) or 1)

    def _span(self, block: Block, days: bool = False) -> str:
        """The dates an older page's items span: its title says them by month, its pager by day."""
        return date_span(block.items, self.index, days)

    def _older_title(self, name: str, block: Block, series: Sequence[Series] = ()) -> str:
        """An older page's title: what it lists and when, never its number ('X: quotes, 2019')."""
        what = f": {series[block.which].title}" if series else ""
        return f"{name}{what}, {self._span(block)}"

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

    def questions(self, block: Block | None = None) -> Page:
        """Open questions, and those answered by another briefing, a block at a time."""
        pager, pagers, (open_, answered) = self._part(
            "questions.md", block, self._question_lists, LIST_PAGE_SIZE, QUESTION_SERIES
        )
        title = "Open questions"
        if block is not None:
            title = self._older_title(title, block, QUESTION_SERIES)
        return self._page(
            pager.path,
            "questions.md.j2",
            title=title,
            open=open_,
            answered=answered,
            pager=pager,
            pagers=pagers,
        )

    def _question_lists(self) -> list[Sequence[Any]]:
        questions = self.index.questions
        return [
            [q for q in questions if not q.question.answered_by],
            [q for q in questions if q.question.answered_by],
        ]

    def _speakers(self) -> list[tuple[str, int]]:
        """Speakers by name, each with how many quotes they have."""
        return sorted(
            ((speaker, len(refs)) for speaker, refs in self.index.quotes_by_speaker.items()),
            key=lambda item: self.index.actors[item[0]].name.casefold(),
        )

    def _quotes_plan(self) -> Iterator[tuple[str, Callable[[], Page]]]:
        """The index of speakers, one page (or more) per speaker, and the anonymous quotes."""
        yield from self._paged("quotes.md", [self._speakers()], self.quotes, size=NAMES_PAGE_SIZE)
        for speaker in sorted(self.index.quotes_by_speaker):
            page = partial(self.speaker, speaker)
            yield from self._stable(
                speaker_path(speaker), self._speaker_lists(speaker), page, page, LIST_PAGE_SIZE
            )
        anonymous = partial(self.speaker, None)
        yield from self._stable(
            speaker_path(None), self._speaker_lists(None), anonymous, anonymous, LIST_PAGE_SIZE
        )

    def quotes(self, number: int = 1) -> Page:
        """One page of the index of speakers: each with a count and a link to their quotes."""
        pager, (speakers,) = self._slice("quotes.md", [self._speakers()], number, NAMES_PAGE_SIZE)
        return self._page(
            pager.path,
            "quotes.md.j2",
            title="Who said what" + pager.suffix,
            speakers=speakers,
            anonymous=len(self.index.anonymous_quotes) if number == pager.count else 0,
            pager=pager,
        )

    def _speaker_lists(self, speaker: str | None) -> list[Sequence[Any]]:
        if speaker is None:
            return [self.index.anonymous_quotes]
        return [self.index.quotes_by_speaker.get(speaker, [])]

    def speaker(self, speaker: str | None, block: Block | None = None) -> Page:
        """One page of a speaker's quotes (``None``: the anonymous sources'), newest first."""
        name = self.index.actors[speaker].name if speaker else "Anonymous sources"
        pager, _, (refs,) = self._part(
            speaker_path(speaker), block, partial(self._speaker_lists, speaker), LIST_PAGE_SIZE
        )
        title, total = f"Quotes: {name}", len(refs)
        if block is not None:
            title = self._older_title(title, block)
        else:
            total = sum(len(items) for items in self._speaker_lists(speaker))
        return self._page(
            pager.path,
            "quotes_speaker.md.j2",
            title=title,
            speaker=speaker,
            name=name,
            refs=refs,
            total=total,
            pager=pager,
        )

    def _timeline_plan(self) -> Iterator[tuple[str, Callable[[], Page]]]:
        """The timeline's index of months, then each month's pages."""
        yield "timeline.md", self.timeline
        for month in self.index.timeline_by_month:
            yield from self._paged(
                timeline_month_path(month),
                partial(self._month_events, month),
                partial(self.timeline_month, month),
                size=TIMELINE_PAGE_SIZE,
            )

    def timeline(self) -> Page:
        """The timeline's front: every month with its count, and the latest month's events."""
        months = list(self.index.timeline_by_month)
        latest = months[0] if months else None
        events = self.index.timeline_by_month[latest][:TIMELINE_PAGE_SIZE] if latest else []
        return self._page(
            "timeline.md",
            "timeline.md.j2",
            title="Timeline",
            months=[(m, _month_name(m), len(self.index.timeline_by_month[m])) for m in months],
            latest=latest,
            latest_name=_month_name(latest) if latest else "",
            events=events,
        )

    def _month_events(self, month: str) -> list[Sequence[Any]]:
        return [self.index.timeline_by_month.get(month, [])]

    def timeline_month(self, month: str, number: int = 1) -> Page:
        """One month of the timeline: its strip chart and map, and its events."""
        pager, (events,) = self._slice(
            timeline_month_path(month), self._month_events(month), number, TIMELINE_PAGE_SIZE
        )
        before, after = self.index.timeline_steps.get(month, (None, None))
        return self._page(
            pager.path,
            "timeline_month.md.j2",
            title=f"Timeline: {_month_name(month)}" + pager.suffix,
            month_name=_month_name(month),
            events=events,
            total=len(self.index.timeline_by_month.get(month, [])),
            earlier=(timeline_month_path(before), _month_name(before)) if before else None,
            later=(timeline_month_path(after), _month_name(after)) if after else None,
            pager=pager,
        )

    def _archive_plan(self) -> Iterator[tuple[str, Callable[[], Page]]]:
        """The archive: an index of months, and each month's briefings."""
        yield ARCHIVE_INDEX, self.archive
        for month in self.index.by_month:
            yield from self._paged(
                archive_path(month),
                partial(self._month_entries, month),
                partial(self.archive_month, month),
                size=MONTH_PAGE_SIZE,
            )

    def archive(self) -> Page:
        """Every month that has briefings, newest first, with how many."""
        years: dict[str, list[tuple[str, str, int]]] = {}
        for month in self.index.by_month:
            count = len(self.index.by_month[month])
            years.setdefault(month[:4], []).append((month, _month_name(month), count))
        return self._page(
            ARCHIVE_INDEX, "archive.md.j2", title="Archive", years=list(years.items())
        )

    def _month_entries(self, month: str) -> list[Sequence[Any]]:
        return [self.index.by_month.get(month, [])]

    def archive_month(self, month: str, number: int = 1) -> Page:
        """The briefings published in one month, newest first."""
        pager, (entries,) = self._slice(
            archive_path(month), self._month_entries(month), number, MONTH_PAGE_SIZE
        )
        before, after = self.index.month_steps.get(month, (None, None))
        return self._page(
            pager.path,
            "archive_month.md.j2",
            title=f"Briefings of {_month_name(month)}" + pager.suffix,
            month_name=_month_name(month),
            entries=entries,
            total=len(self.index.by_month.get(month, [])),
            earlier=(archive_path(before), _month_name(before)) if before else None,
            later=(archive_path(after), _month_name(after)) if after else None,
            pager=pager,
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
            page_size=PAGE_SIZE,
            card_briefings=CARD_BRIEFINGS,
            card_actors=CARD_ACTORS,
            cited_briefings=CITED_BRIEFINGS,
            history_steps=HISTORY_STEPS,
            **context,
        )
        return Page(path, text)


def forget_caches() -> None:
    """Empty what rendering keeps to be fast, once pages are done.

    The text, the links and the feed summaries.
    """
    mdtext.forget()
    _relative.cache_clear()
    forget_items()


@lru_cache(maxsize=4096)  # sized as mdtext's caches are
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
            for slug, note in list(item.certainties.items())[:CITED_BRIEFINGS]
        ]
        if len(item.certainties) > CITED_BRIEFINGS:
            parts.append(f"and {len(item.certainties) - CITED_BRIEFINGS} more")
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
    ready_pictures(index, settings)
    return list(checked(plan_outputs(index, settings)))


def ready_pictures(index: Index, settings: Settings) -> None:
    """Load the cards' font and the map data when there are briefs to show.

    Loaded before any page is rendered: a missing one stops the build then,
    and processes forked to render inherit them.
    """
    if index.entries:
        cards.fonts()
        pictures.base_map(pictures.project_atlas(settings.root))


def plan_outputs(index: Index, settings: Settings) -> Iterator[tuple[str, Callable[[], Page]]]:
    """:func:`render_plan` one output at a time."""
    yield from Renderer(index, settings).plan()
    for path, render in all_outputs(index, settings):
        yield path, partial(_rendered, path, render)


def site_outputs(settings: Settings) -> list[str]:
    """The outputs of a site without briefs or actors: its own pages, main feeds and data.

    Read from the render plan itself, so the addresses a brief, actor or tag
    cannot take are always those of the pages that exist.
    """
    return [path for path, _ in render_plan(Index(entries=[], actors={}), settings)]


def _rendered(path: str, render: Callable[[], str | bytes]) -> Page:
    made = render()
    return Page(path, "", data=made) if isinstance(made, bytes) else Page(path, made)


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


def render_some(renders: Mapping[str, Callable[[], Page]], paths: set[str]) -> list[Page]:
    """Render only the outputs at ``paths`` of a plan (``dict(plan)``), the preview's first step.

    Looked up, not found by going through the plan: 50,000 outputs at 10,000 briefs.
    """
    return [renders[path]() for path in sorted(paths) if path in renders]


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
        return pictures.base_map(pictures.project_atlas(self.settings.root))

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
