"""Index every brief before rendering any page.

Listings, actor pages, the timeline and related briefings all depend on every
brief, so they are computed here once, with inverted maps (term → briefs)
rather than by comparing every pair of briefs: the cost grows with the number
of briefs, not with its square.
"""

from __future__ import annotations

import datetime as dt
import heapq
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field, fields, replace
from functools import partial
from typing import TYPE_CHECKING, Any

from generator.config import RelatedWeights
from generator.models import (
    Actor,
    Brief,
    CertaintyNote,
    Dispute,
    Event,
    PartialDate,
    Place,
    Proposal,
    ProposalStatus,
    Question,
    Quote,
    Stance,
    Tag,
)
from generator.reads import ALL, RecordingDict, record
from generator.stops import checked, checkpoint

if TYPE_CHECKING:
    from generator.validate import ValidBrief

log = logging.getLogger(__name__)


class Entry:
    """A brief as listings show it; its slug is its identity.

    Reading :attr:`brief` is noted as a read of ``("brief", slug)`` while an
    output is recorded (:mod:`generator.reads`): that is how a listing depends
    on the briefs it shows, and on nothing else of them.
    """

    __slots__ = ("_brief", "slug")

    def __init__(self, slug: str, brief: Brief) -> None:
        self.slug = slug
        self._brief = brief

    @property
    def brief(self) -> Brief:
        """The brief; a read of it is recorded."""
        record(("brief", self.slug))
        return self._brief

    def __repr__(self) -> str:
        return f"Entry({self.slug!r})"

    def show(self, brief: Brief) -> None:
        """Hold an edited version of the brief: the preview's first, fastest step.

        Every table of the index reaches the brief through its entry, so the
        brief's own page can be rendered at once; what other briefs derive from
        it waits for the next index.
        """
        self._brief = brief

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Entry) and self.slug == other.slug

    def __hash__(self) -> int:
        return hash(self.slug)

    def _digest_key(self) -> str:
        """What a digest takes of an entry: its identity (its content is a key of its own)."""
        return f"entry:{self.slug}"

    @property
    def last_changed(self) -> dt.date:
        """When the brief last changed: its update date, else its publication date."""
        return self.brief.updated or self.brief.date


@dataclass(frozen=True, slots=True)
class QuoteRef:
    """A quote and the brief it appears in."""

    slug: str
    number: int
    quote: Quote


@dataclass(frozen=True, slots=True)
class ProposalRef:
    """A proposal as one brief reports it."""

    entry: Entry
    proposal: Proposal


@dataclass(slots=True)
class TrackedProposal:
    """One proposal across all briefs, newest report first."""

    id: str
    reports: list[ProposalRef]
    stands: dict[str, str] = field(default_factory=dict)
    """Actor id → 'backs' or 'opposes', from positions that name the proposal as their object."""
    stances: dict[str, Stance] = field(default_factory=dict)
    """Actor id → stance, for the stance grid: the latest report's proponents and opponents,
    then every position about the proposal (newest brief first), cautious and mixed too."""

    @property
    def latest(self) -> ProposalRef:
        """The newest brief's report, which gives the current status."""
        return self.reports[0]

    def backers(self) -> list[str]:
        """Actors whose latest stance on it, in any brief's lists or positions, is support."""
        return self.with_stance(Stance.SUPPORTS)

    def opposers(self) -> list[str]:
        """Actors whose latest stance on it, in any brief's lists or positions, is opposition."""
        return self.with_stance(Stance.OPPOSES)

    def with_stance(self, *stances: Stance) -> list[str]:
        """Actors whose latest stance is one of ``stances``, newest brief's first."""
        return [actor for actor, stance in self.stances.items() if stance in stances]

    def history(self) -> list[StatusChange]:
        """The changes of status, oldest first: the first report, then each brief that moved it.

        Briefs that repeat the status they found add nothing: the tracker shows
        "Under discussion → Agreed", not a list of briefings.
        """
        changes: list[StatusChange] = []
        for ref in reversed(self.reports):  # reports are newest first
            before = changes[-1].status if changes else None
            if ref.proposal.status != before:
                changes.append(StatusChange(ref.entry, ref.proposal.status, before))
        return changes

    @property
    def last_change(self) -> StatusChange:
        """The change that gave the proposal its current status."""
        return self.history()[-1]


@dataclass(slots=True)
class TimelineEntry:
    """An event, listed once however many briefs name it."""

    event: Event
    slugs: list[str]
    certainties: dict[str, CertaintyNote | None] = field(default_factory=dict)
    """Brief slug → the certainty that brief gives the event (None: it gives none)."""

    @property
    def certainty_differs(self) -> bool:
        """Whether the briefs that tell the event disagree on how certain it is."""
        return len({c.level if c else None for c in self.certainties.values()}) > 1

    @property
    def certainty(self) -> CertaintyNote | None:
        """The one certainty every brief gives, when they agree."""
        values = list(self.certainties.values())
        return values[0] if values and not self.certainty_differs else self.event.certainty


@dataclass(frozen=True, slots=True)
class Related:
    """A related briefing and why: shared terms, or the author's explicit link."""

    slug: str
    explicit: bool
    shared: tuple[str, ...] = ()
    score: float = 0.0
    same_story: bool = False
    same_events: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class QuestionRef:
    """A reader's question and the brief that asks it."""

    slug: str
    question: Question


@dataclass
class Index:
    """Everything the pages need, computed once from every brief."""

    entries: list[Entry]
    actors: dict[str, Actor]
    by_slug: dict[str, Entry] = field(default_factory=dict)
    appearances: dict[str, list[Entry]] = field(default_factory=dict)
    quotes_by_speaker: dict[str, list[QuoteRef]] = field(default_factory=dict)
    anonymous_quotes: list[QuoteRef] = field(default_factory=list)
    proposals: dict[str, TrackedProposal] = field(default_factory=dict)
    proposals_by_actor: dict[str, list[tuple[str, ProposalRef]]] = field(default_factory=dict)
    positions_by_actor: dict[str, list[tuple[Entry, int]]] = field(default_factory=dict)
    events_by_actor: dict[str, list[TimelineEntry]] = field(default_factory=dict)
    by_tag: dict[Tag, list[Entry]] = field(default_factory=dict)
    timeline: list[TimelineEntry] = field(default_factory=list)
    related: dict[str, list[Related]] = field(default_factory=dict)
    questions: list[QuestionRef] = field(default_factory=list)
    questions_by_brief: dict[str, list[Question]] = field(default_factory=dict)
    disputes_by_actor: dict[str, list[DisputeRef]] = field(default_factory=dict)
    threads: dict[str, Thread] = field(default_factory=dict)
    thread_of: dict[str, str] = field(default_factory=dict)
    places: dict[str, Place] = field(default_factory=dict)
    events_by_place: dict[str, list[TimelineEntry]] = field(default_factory=dict)
    quotes_by_place: dict[str, list[QuoteRef]] = field(default_factory=dict)
    entries_by_place: dict[str, list[Entry]] = field(default_factory=dict)
    by_month: dict[str, list[Entry]] = field(default_factory=dict)
    """'YYYY-MM' of publication → the briefs published that month, newest first; months
    newest first. The archive's pages read one month each."""
    timeline_by_month: dict[str, list[TimelineEntry]] = field(default_factory=dict)
    """'YYYY-MM' → the merged events of that month, newest first; months newest first."""
    proposals_by_status: dict[ProposalStatus, list[TrackedProposal]] = field(default_factory=dict)
    """Status → proposals whose latest report gives it, most recently updated first."""
    month_steps: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    """Each month of :attr:`by_month` → the months before and after it. A month page
    links its neighbours by these alone, so it depends neither on every other
    month's briefings nor on a month added far from it."""
    timeline_steps: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    """The same for the months of :attr:`timeline_by_month`."""
    topic_names: dict[str, str] = field(default_factory=dict)
    """Each topic's name as its page spells it, by address: briefs may spell it otherwise."""

    def _digest_key(self) -> str:
        return "index"

    def most_cited_actors(self, limit: int = 10) -> list[tuple[Actor, int]]:
        """Actors by the number of briefs they appear in, most first."""
        counts = [(a, len(self.appearances.get(a.id, []))) for a in self.actors.values()]
        ranked = sorted((c for c in counts if c[1]), key=lambda c: (-c[1], c[0].name.casefold()))
        return ranked[:limit]

    def open_proposals(self) -> list[TrackedProposal]:
        """Proposals whose latest status is still undecided, most recently updated first."""
        return [p for p in self.proposals.values() if p.latest.proposal.status.is_open]

    def by_story(self, entries: Sequence[Entry]) -> list[tuple[Entry, list[Entry]]]:
        """A listing with each story once: its latest briefing, and its earlier ones beneath.

        Entries keep the listing's order; a story stands where its latest briefing
        in the listing stands, and the earlier ones it lists are its own, newest first.
        """
        listed = set(entries)
        shown: set[str] = set()
        grouped: list[tuple[Entry, list[Entry]]] = []
        for entry in entries:
            thread = self.threads.get(self.thread_of.get(entry.slug, ""))
            if thread is None:
                grouped.append((entry, []))
                continue
            if thread.id in shown:
                continue
            shown.add(thread.id)
            members = [e for e in reversed(thread.entries) if e in listed]
            grouped.append((members[0], members[1:]))
        return grouped


def _newest_first(entries: Iterable[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: (e.brief.date, e.slug), reverse=True)


def build_index(
    briefs: Sequence[ValidBrief],
    actors: Mapping[str, Actor],
    weights: RelatedWeights,
    places: Mapping[str, Place] | None = None,
) -> Index:
    """Index every brief: listings, cross-references and related briefings."""
    entries = _newest_first(Entry(b.slug, b.brief) for b in checked(briefs))
    index = Index(entries=entries, actors=dict(actors))
    index.by_slug = {e.slug: e for e in entries}
    # Each brief's disputes and actors, read once: the disputes are in the fields
    # kept packed, and at 10,000 briefs unpacking them for each use took 1.7 s.
    disputes = {e.slug: disputes_of(e) for e in checked(entries)}
    named = {e.slug: e.brief.actor_ids(r.dispute for r in disputes[e.slug]) for e in entries}
    steps = (
        partial(_index_actors, index, named),
        partial(_index_quotes, index),
        partial(_index_proposals, index),
        partial(_index_tags, index),
        partial(_index_timeline, index),
        partial(_index_questions, index),
        partial(index_disagreement, index, disputes),
        partial(index_stances, index),
        partial(index_threads, index),
    )
    for step in steps:
        checkpoint()  # a step takes up to a second at 10,000 briefs: see generator.stops
        step()
    index.related = related_briefings(entries, actors, weights, named)
    label_related(index)
    checkpoint()
    _index_places(index, places or {})
    index_months(index)
    return track(index)


class TrackedIndex(Index):
    """An index whose reads are recorded while an output renders (see :mod:`generator.reads`).

    Its tables become :class:`~generator.reads.RecordingDict`, which note each key
    looked up; a list (all entries, the timeline) is noted whole when it is taken.
    """

    def __getattribute__(self, name: str) -> Any:
        if name in _LISTS:
            record((name, ALL))
        return object.__getattribute__(self, name)


_LISTS = frozenset(f.name for f in fields(Index) if f.type.startswith("list"))
TABLES = tuple(f.name for f in fields(Index) if f.type.startswith("dict"))
"""The index's tables by name: the keys of a recorded read are (table, key) pairs."""


def track(index: Index) -> Index:
    """The same index, recording the reads of outputs rendered from it."""
    if isinstance(index, TrackedIndex):
        return index
    tracked = TrackedIndex(**{f.name: getattr(index, f.name) for f in fields(Index)})
    for name in TABLES:
        object.__setattr__(tracked, name, RecordingDict(name, getattr(index, name)))
    return tracked


def month_key(year: int, month: int) -> str:
    """A month as the archive's addresses name it: '2025-03'."""
    return f"{year:04d}-{month:02d}"


def _steps(months: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """Each month of a newest-first list → (the month before it, the month after it)."""
    earlier = [*months[1:], None]
    later = [None, *months[:-1]]
    return {month: (earlier[n], later[n]) for n, month in enumerate(months)}


def index_months(index: Index) -> None:
    """Group briefs and events by month, and proposals by status, for the split pages.

    Each archive, timeline and tracker page reads only its own group, so a change
    to one month's brief does not touch every other month's page.
    """
    by_month: dict[str, list[Entry]] = defaultdict(list)
    for entry in index.entries:  # newest first already
        by_month[month_key(entry.brief.date.year, entry.brief.date.month)].append(entry)
    index.by_month = dict(sorted(by_month.items(), reverse=True))
    events: dict[str, list[TimelineEntry]] = defaultdict(list)
    for item in index.timeline:  # newest first already
        events[month_key(item.event.date.year, item.event.date.month)].append(item)
    index.timeline_by_month = dict(sorted(events.items(), reverse=True))
    index.month_steps = _steps(list(index.by_month))
    index.timeline_steps = _steps(list(index.timeline_by_month))
    index.proposals_by_status = dict(proposals_by_status(index))


def _index_actors(index: Index, named: Mapping[str, list[str]]) -> None:
    """Who appears in which briefs, and their positions; ``named``: each brief's actor ids."""
    appearances: dict[str, list[Entry]] = defaultdict(list)
    positions: dict[str, list[tuple[Entry, int]]] = defaultdict(list)
    for entry in index.entries:
        for actor_id in named[entry.slug]:
            appearances[actor_id].append(entry)
        for number, position in enumerate(entry.brief.positions):
            positions[position.actor].append((entry, number))
    index.appearances = dict(appearances)
    index.positions_by_actor = dict(positions)


def _index_quotes(index: Index) -> None:
    by_speaker: dict[str, list[QuoteRef]] = defaultdict(list)
    for entry in index.entries:
        for number, quote in enumerate(entry.brief.quotes, start=1):
            ref = QuoteRef(entry.slug, number, quote)
            if quote.speaker:
                by_speaker[quote.speaker].append(ref)
            else:
                index.anonymous_quotes.append(ref)
    index.quotes_by_speaker = dict(by_speaker)


def _index_proposals(index: Index) -> None:
    reports: dict[str, list[ProposalRef]] = defaultdict(list)
    by_actor: dict[str, list[tuple[str, ProposalRef]]] = defaultdict(list)
    for entry in index.entries:
        for proposal in entry.brief.proposals:
            ref = ProposalRef(entry, proposal)
            reports[proposal.id].append(ref)
            for actor_id in proposal.proponents:
                by_actor[actor_id].append(("backs", ref))
            for actor_id in proposal.opponents:
                by_actor[actor_id].append(("opposes", ref))
    tracked = [
        TrackedProposal(
            pid, sorted(refs, key=lambda r: (r.entry.last_changed, r.entry.slug), reverse=True)
        )
        for pid, refs in reports.items()
    ]
    tracked.sort(key=lambda t: (t.latest.entry.last_changed, t.id), reverse=True)
    index.proposals = {t.id: t for t in tracked}
    index.proposals_by_actor = dict(by_actor)


def _index_tags(index: Index) -> None:
    by_tag: dict[Tag, list[Entry]] = defaultdict(list)
    for entry in index.entries:
        for tag in dict.fromkeys(Tag(t) for t in entry.brief.tags):
            by_tag[tag].append(entry)
    index.by_tag = dict(sorted(by_tag.items()))
    index.topic_names = {tag.slug: tag.name for tag in index.by_tag}


def _event_key(item: TimelineEntry) -> tuple[PartialDate, str]:
    return (item.event.date, item.event.id or "")


def _index_timeline(index: Index) -> None:
    """Merge events by id: the oldest brief's wording wins, every brief is cited."""
    # Oldest first, so the first wording is kept; newest first on the page.
    timeline = sorted(merge_events(index.entries[::-1]), key=_event_key, reverse=True)
    index.timeline = timeline
    by_actor: dict[str, list[TimelineEntry]] = defaultdict(list)
    for item in timeline:
        for actor_id in dict.fromkeys(item.event.actors):
            by_actor[actor_id].append(item)
    index.events_by_actor = dict(by_actor)


def _on_site(question: Question, by_slug: Mapping[str, Entry]) -> Question:
    """A question whose answer is not on the site (a draft, an embargo) stays open."""
    if question.answered_by and question.answered_by not in by_slug:
        return question.model_copy(update={"answered_by": None})
    return question


def _index_questions(index: Index) -> None:
    for entry in index.entries:
        for question in entry.brief.questions:
            question = _on_site(question, index.by_slug)
            index.questions.append(QuestionRef(entry.slug, question))
            index.questions_by_brief.setdefault(entry.slug, []).append(question)


# --- Related briefings -----------------------------------------------------------

_Term = tuple[str, str]  # (kind, key): ("actors", "poland"), ("tags", "drones")


def shorten(text: str, limit: int = 48) -> str:
    """Cut text at a word boundary so a reason stays one short line."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _terms(entry: Entry, actors: Mapping[str, Actor], named: list[str]) -> dict[_Term, str]:
    """The terms a brief can share with others, each with a label for the reason.

    ``named`` are the brief's actor ids (:meth:`Brief.actor_ids`).
    """
    brief = entry.brief
    terms: dict[_Term, str] = {}
    for actor_id in named:
        actor = actors.get(actor_id)
        terms[("actors", actor_id)] = actor.name if actor else actor_id
    for name in brief.tags:
        terms.setdefault(("tags", Tag(name).slug), name)
    terms.update(_event_terms(entry))
    for proposal in brief.proposals:
        terms[("proposals", proposal.id)] = f"proposal: {shorten(proposal.title)}"
    return terms


def _event_terms(entry: Entry) -> dict[_Term, str]:
    """The events with an id a brief can share with others, each with its label."""
    return {
        ("events", event.id): f"“{shorten(event.what, 40)}” ({event.date.human()})"
        for event in entry.brief.events
        if event.id
    }


def related_briefings(
    entries: Sequence[Entry],
    actors: Mapping[str, Actor],
    weights: RelatedWeights,
    named: Mapping[str, list[str]],
) -> dict[str, list[Related]]:
    """Explicit related briefs first, then those sharing the most distinctive terms.

    A term shared by more than ``max_share`` of all briefs (or by more than
    ``max_briefs``) relates nothing, like Hugo's cut-off for common terms, and
    also bounds the work per brief, keeping the whole computation linear.
    ``named`` holds each brief's actor ids (:meth:`Brief.actor_ids`).
    """
    postings: dict[_Term, list[str]] = defaultdict(list)
    labels: dict[str, dict[_Term, str]] = {}
    for entry in checked(entries):
        labels[entry.slug] = _terms(entry, actors, named[entry.slug])
        for term in labels[entry.slug]:
            postings[term].append(entry.slug)
    # A term two briefs share always tells something; past that, the cut-off applies.
    cutoff = max(2, min(weights.max_share * len(entries), weights.max_briefs))
    weight_of = {
        "actors": weights.actors,
        "tags": weights.tags,
        "events": weights.events,
        "proposals": weights.proposals,
    }
    known = set(labels)  # once: rebuilding it per brief made this step quadratic
    related: dict[str, list[Related]] = {}
    for entry in checked(entries):
        scores: Counter[str] = Counter()
        for term in labels[entry.slug]:
            others = postings[term]
            if len(others) > cutoff:
                continue
            weight = weight_of[term[0]]
            for other in others:
                scores[other] += weight
        scores.pop(entry.slug, None)

        def shared(
            other: str, terms: dict[_Term, str] = labels[entry.slug]
        ) -> list[tuple[float, str]]:
            """The terms ``other`` shares with this brief, in the brief's order, as scored."""
            theirs = labels[other]
            return [
                (weight_of[term[0]], label)
                for term, label in terms.items()
                if term in theirs and len(postings[term]) <= cutoff
            ]

        related[entry.slug] = _pick(entry, scores, shared, weights, known)
    return related


def _pick(
    entry: Entry,
    scores: Counter[str],
    shared: Callable[[str], list[tuple[float, str]]],
    weights: RelatedWeights,
    known: Set[str],
) -> list[Related]:
    """Explicit links to briefs on the site first, then the best-scoring others.

    ``shared`` gives the terms the brief shares with another: asked only of the
    briefs picked, of the hundreds that share some term at 10,000 briefs.
    """
    explicit = [s for s in dict.fromkeys(entry.brief.related) if s in known and s != entry.slug]
    picked = [
        Related(slug, explicit=True, shared=_reasons(shared(slug)), score=scores[slug])
        for slug in explicit
    ]
    ranked = heapq.nsmallest(
        max(weights.limit - len(picked), 0),
        (s for s in scores if s not in explicit and scores[s] >= weights.threshold),
        key=lambda s: (-scores[s], s),
    )
    for slug in ranked:
        picked.append(
            Related(slug, explicit=False, shared=_reasons(shared(slug)), score=scores[slug])
        )
    return picked


def _reasons(shared: list[tuple[float, str]]) -> tuple[str, ...]:
    """The shared terms, weightiest first, as readers will see them."""
    ordered = sorted(shared, key=lambda s: (-s[0], s[1].casefold()))
    return tuple(dict.fromkeys(label for _, label in ordered))


# --- Disputes, certainty and the objects of positions (issue 12) -------------------


@dataclass(frozen=True, slots=True)
class DisputeRef:
    """A dispute and where it sits: its brief, its number on the page, the claim it disputes."""

    entry: Entry
    number: int
    """1-based, in the brief's "Room for disagreement" block: its anchor is ``dispute-N``."""
    claim: str
    """The disputed item's text (a key point, an event, a section's heading)."""
    dispute: Dispute


def disputes_of(entry: Entry) -> list[DisputeRef]:
    """A brief's disputes, numbered in page order."""
    refs = []
    for number, (field_name, item, dispute) in enumerate(entry.brief.disputes(), start=1):
        refs.append(DisputeRef(entry, number, claim_text(entry.brief, field_name, item), dispute))
    return refs


def claim_text(brief: Brief, field_name: str, item: int) -> str:
    """What a disputed item claims, as the dispute block names it."""
    if field_name == "key_points":
        return brief.key_points[item].text
    if field_name == "events":
        return brief.events[item].what
    return brief.sections[item].heading


def index_disagreement(index: Index, disputes: Mapping[str, list[DisputeRef]]) -> None:
    """Who disputes what, each brief's certainty on the merged timeline, and position objects.

    Runs after the timeline and the proposals are indexed, and only adds to them.
    ``disputes`` holds each brief's (:func:`disputes_of`).
    """
    by_actor: dict[str, list[DisputeRef]] = defaultdict(list)
    for entry in index.entries:
        for ref in disputes[entry.slug]:
            for actor_id in dict.fromkeys(ref.dispute.by):
                by_actor[actor_id].append(ref)
    index.disputes_by_actor = dict(by_actor)
    _timeline_certainty(index)
    _position_stands(index)


def _timeline_certainty(index: Index, items: Sequence[TimelineEntry] | None = None) -> None:
    """Each merged event keeps the certainty of every brief that tells it.

    ``items`` are the merged events of one story; by default, the site's timeline.
    """
    for item in index.timeline if items is None else items:
        for slug in item.slugs:
            events = index.by_slug[slug].brief.events
            own = [e for e in events if e.id and e.id == item.event.id]
            item.certainties[slug] = (own[0] if own else item.event).certainty


def _position_stands(index: Index) -> None:
    """A position about a proposal counts its actor among the proposal's backers or opponents.

    Newest brief first, so an actor's latest stand wins; cautious, mixed and
    neutral stances stay on the page, outside the tracker's two columns.
    """
    stand_of = {Stance.SUPPORTS: "backs", Stance.OPPOSES: "opposes"}
    by_actor: dict[str, list[tuple[str, ProposalRef]]] = defaultdict(list)
    for actor_id, refs in index.proposals_by_actor.items():
        by_actor[actor_id] = list(refs)
    for entry in index.entries:
        for position in entry.brief.positions:
            tracked = index.proposals.get(position.proposal or "")
            stand = stand_of.get(position.stance)
            if tracked is None or stand is None or position.actor in tracked.stands:
                continue
            tracked.stands[position.actor] = stand
            ref = next((r for r in tracked.reports if r.entry == entry), tracked.latest)
            if not any(r.proposal.id == tracked.id for _, r in by_actor[position.actor]):
                by_actor[position.actor].append((stand, ref))
    index.proposals_by_actor = dict(by_actor)


# --- Story threads ------------------------------------------------------------------


@dataclass
class Thread:
    """One story told over several briefings, named after its first briefing's slug."""

    id: str
    entries: list[Entry]
    """Oldest first: the order the story was told in."""
    timeline: list[TimelineEntry] = field(default_factory=list)
    """The events of all its briefings, each once, in date order."""

    @property
    def latest(self) -> Entry:
        """The briefing that tells the story as it stands."""
        return self.entries[-1]

    @property
    def first(self) -> Entry:
        """The briefing the story started with; its slug is the thread's id."""
        return self.entries[0]

    def before(self, entry: Entry) -> Entry | None:
        """The briefing of the story told just before ``entry``, if any."""
        at = self.entries.index(entry)
        return self.entries[at - 1] if at else None


def _depth(slug: str, predecessor: Mapping[str, str]) -> tuple[str, int]:
    """The first brief of ``slug``'s story and how many steps back it is.

    A cycle (refused by the checks, possible in the preview) ends at the brief
    where it closes.
    """
    seen = [slug]
    while slug in predecessor and predecessor[slug] not in seen:
        slug = predecessor[slug]
        seen.append(slug)
    return slug, len(seen) - 1


def index_threads(index: Index) -> None:
    """Group briefings that continue one another into threads of two or more.

    A ``continues`` naming a brief that is not on the site starts the story there.
    """
    predecessor = {
        e.slug: e.brief.continues
        for e in index.entries
        if e.brief.continues and e.brief.continues in index.by_slug
    }
    members: dict[str, list[tuple[int, Entry]]] = defaultdict(list)
    for entry in index.entries:
        root, depth = _depth(entry.slug, predecessor)
        members[root].append((depth, entry))
    threads: dict[str, Thread] = {}
    for root, found in sorted(members.items()):
        if len(found) < 2:
            continue
        ordered = [e for _, e in sorted(found, key=lambda d: (d[1].brief.date, d[0], d[1].slug))]
        threads[root] = Thread(root, ordered, merge_events(ordered))
    index.threads = threads
    index.thread_of = {e.slug: t.id for t in threads.values() for e in t.entries}
    for thread in threads.values():
        _timeline_certainty(index, thread.timeline)


def merge_events(entries: Sequence[Entry]) -> list[TimelineEntry]:
    """The events of ``entries`` (oldest first), each once by id, in date order."""
    merged: dict[str, TimelineEntry] = {}
    for entry in checked(entries):
        for number, event in enumerate(entry.brief.events):
            key = event.id or f"{entry.slug}#{number}"
            if key in merged:
                if entry.slug not in merged[key].slugs:
                    merged[key].slugs.append(entry.slug)
                continue
            merged[key] = TimelineEntry(event, [entry.slug])
    return sorted(merged.values(), key=_event_key)


# --- Related reasons ----------------------------------------------------------------

MAX_REASON_ITEMS = 3
"""How many shared items a related briefing's reason names before 'and N more'."""


def label_related(index: Index) -> None:
    """Mark related briefings of the same story, and the events two briefings share."""
    events = {e.slug: set(_event_terms(e).values()) for e in index.entries}
    for slug, items in checked(index.related.items()):
        story = index.thread_of.get(slug)
        index.related[slug] = [
            replace(
                item,
                same_story=story is not None and index.thread_of.get(item.slug) == story,
                same_events=tuple(label for label in item.shared if label in events.get(slug, {})),
            )
            for item in items
        ]


def reason(item: Related) -> str:
    """Why a briefing is related, briefly: 'same story · same event: … · shared: A and 4 more'.

    At most three shared items are named, shared events first.
    """
    parts = ["same story"] if item.same_story else []
    others = [label for label in item.shared if label not in item.same_events]
    named = [*item.same_events, *others][:MAX_REASON_ITEMS]
    events = [label for label in named if label in item.same_events]
    rest = [label for label in named if label not in item.same_events]
    more_events = len(item.same_events) - len(events)
    more_others = len(others) - len(rest)
    if events:
        kind = "same event: " if len(item.same_events) == 1 else "same events: "
        parts.append(kind + ", ".join(events) + (f" and {more_events} more" if more_events else ""))
    if rest:
        parts.append(
            "shared: " + ", ".join(rest) + (f" and {more_others} more" if more_others else "")
        )
    elif more_others:  # each "more" counts only its own kind: events are not padded with actors
        parts.append(f"{more_others} more in common")
    if not parts and item.explicit:
        parts.append("suggested by the author")
    return " · ".join(parts)


# --- Places ----------------------------------------------------------------------


def _index_places(index: Index, places: Mapping[str, Place]) -> None:
    """What happened at each place, what was said there, and the briefs that name it.

    Events are the merged timeline's (newest first); briefs are newest first, for
    the place's page and its feeds.
    """
    index.places = dict(sorted(places.items()))
    by_id = {item.event.id: item for item in index.timeline if item.event.id}
    by_event = {id(item.event): item for item in index.timeline}
    events: dict[str, dict[int, TimelineEntry]] = defaultdict(dict)
    for entry in index.entries:  # any brief may place a merged event: each place lists it
        for event in entry.brief.events:
            item = by_id.get(event.id) if event.id else by_event.get(id(event))
            for place_id in event.places if item else ():
                events[place_id][id(item)] = item
    quotes: dict[str, list[QuoteRef]] = defaultdict(list)
    entries: dict[str, dict[str, Entry]] = defaultdict(dict)
    for entry in index.entries:
        for number, quote in enumerate(entry.brief.quotes, start=1):
            if quote.place:
                quotes[quote.place].append(QuoteRef(entry.slug, number, quote))
                entries[quote.place][entry.slug] = entry
        for event in entry.brief.events:
            for place_id in event.places:
                entries[place_id][entry.slug] = entry
    index.events_by_place = {
        p: sorted(v.values(), key=_event_key, reverse=True)
        for p, v in events.items()
        if p in index.places
    }
    index.quotes_by_place = {p: v for p, v in quotes.items() if p in index.places}
    index.entries_by_place = {
        p: _newest_first(v.values()) for p, v in entries.items() if p in index.places
    }


# --- The tracker's status board and the front page (issue 14) -----------------------


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A proposal's status as a brief reported it, and the status it had before."""

    entry: Entry
    """The brief that reported the status."""
    status: ProposalStatus
    before: ProposalStatus | None
    """The status the previous brief gave; None for the first report."""

    @property
    def date(self) -> dt.date:
        """When the status was reported.

        The first report dates from its brief's publication. A later brief gives
        the status as of its last change: an update may be what moved it, so its
        publication date could claim the change too early.
        """
        return self.entry.brief.date if self.before is None else self.entry.last_changed


def index_stances(index: Index) -> None:
    """Every actor's latest stance on every proposal: the tracker's cards and stance grid.

    Briefs are read newest first, and a stance a newer brief gives wins. Within a
    brief, its position about the proposal is the more precise word (an opponent
    who 'urges caution' is cautious), so it overrides the proposal's own lists.
    """
    for tracked in index.proposals.values():
        for ref in tracked.reports:  # newest first
            own: dict[str, Stance] = dict.fromkeys(ref.proposal.proponents, Stance.SUPPORTS)
            own |= {a: Stance.OPPOSES for a in ref.proposal.opponents if a not in own}
            for position in ref.entry.brief.positions:
                if position.proposal == tracked.id:
                    own[position.actor] = position.stance
            for actor_id, stance in own.items():
                tracked.stances.setdefault(actor_id, stance)


def proposals_by_status(index: Index) -> list[tuple[ProposalStatus, list[TrackedProposal]]]:
    """The tracker's columns: each status that has proposals, in the order a proposal moves.

    Within a status, the most recently updated proposal comes first.
    """
    groups: dict[ProposalStatus, list[TrackedProposal]] = {s: [] for s in ProposalStatus}
    for tracked in index.proposals.values():
        groups[tracked.latest.proposal.status].append(tracked)
    return [(status, items) for status, items in groups.items() if items]


@dataclass(frozen=True)
class StanceGrid:
    """Proposals (rows) by actors (columns), a stance in each cell that has one."""

    proposals: list[TrackedProposal]
    actors: list[str]
    """Actor ids, those with the most stances first."""
    cells: dict[tuple[str, str], Stance]
    """(proposal id, actor id) → stance."""


def stance_grid(index: Index) -> StanceGrid:
    """The stance grid of the tracker, in the board's order of proposals."""
    rows = [t for _, items in proposals_by_status(index) for t in items if t.stances]
    cells = {(t.id, actor): stance for t in rows for actor, stance in t.stances.items()}
    counts = Counter(actor for _, actor in cells)

    def name(actor_id: str) -> str:
        actor = index.actors.get(actor_id)
        return (actor.name if actor else actor_id).casefold()

    actors = sorted(counts, key=lambda a: (-counts[a], name(a)))
    return StanceGrid(rows, actors, cells)


HOME_STORIES = 12
"""How many stories the front page shows below its lead; the rest are listed by topic."""


@dataclass(frozen=True)
class Story:
    """A story as the front page shows it: its latest briefing, and how many came before."""

    entry: Entry
    earlier: int
    """Earlier briefings of the story on the site; they are on the thread's page."""
    thread: str | None = None

    @property
    def corrected(self) -> bool:
        """Whether the briefing records a correction."""
        return any(change.correction for change in self.entry.brief.changes)


@dataclass(frozen=True)
class FrontPage:
    """The home page: a lead story, then the latest others grouped by topic."""

    lead: Story | None
    sections: list[tuple[Tag | None, list[Story]]]
    """Topic (the first tag of a story's latest briefing; None without tags) → its stories."""
    more: int
    """Stories left off the front page."""


def front_page(index: Index, limit: int = HOME_STORIES) -> FrontPage:
    """The lead story and the next ``limit`` stories, each story once.

    The briefs carry no field that marks a lead, so the lead is the story whose
    briefing was most recently published or updated; the others follow in the
    same order, under the topic their author named first.
    """
    ordered = sorted(
        index.entries, key=lambda e: (e.last_changed, e.brief.date, e.slug), reverse=True
    )
    stories = [
        Story(entry, len(earlier), index.thread_of.get(entry.slug))
        for entry, earlier in index.by_story(ordered)
    ]
    if not stories:
        return FrontPage(None, [], 0)
    shown = stories[1 : limit + 1]
    sections: dict[Tag | None, list[Story]] = {}
    for story in shown:
        tags = story.entry.brief.tags
        sections.setdefault(Tag(tags[0]) if tags else None, []).append(story)
    untagged = sections.pop(None, None)
    grouped: list[tuple[Tag | None, list[Story]]] = list(sections.items())
    if untagged:
        grouped.append((None, untagged))
    return FrontPage(stories[0], grouped, len(stories) - 1 - len(shown))
