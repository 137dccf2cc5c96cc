"""A deterministic synthetic corpus of briefs, shaped like the real ones.

Everything is drawn from one seeded :class:`random.Random`, so the same size
and seed always give byte-identical files. The text is made of invented
syllable words: no real person, place or outlet appears.

Shape (per brief): 3-6 key points, 2-5 sections of 2-4 paragraphs, 0-3
proposals (ids drawn from a shared pool so the tracker merges them), 1-6 quotes
(about a quarter anonymous), 2-8 events (about a third drawn from a shared pool
of event ids), 1-4 positions, 2-8 sources with https addresses, 3-6 tags, 0-3
``related`` slugs and 1-4 questions (some ``answered_by``). Actors and tags are
shared across briefs with a Zipf-like popularity; there are about 300 actors per
1,000 briefs, at least 40 and at most 1,500 (2,000 actors
would exceed the loader's 256 KB file limit on ``actors.yml``). Each brief is about 5-10 KB of YAML.

Run ``python -m benchmarks.corpus DIR N`` to write a corpus on its own.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import itertools
import random
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FIRST_DAY = dt.date(2015, 1, 1)
LAST_DAY = dt.date(2024, 12, 31)
"""Briefs are dated between these days; the benchmark's 'today' comes after both."""

_ONSETS = ("b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "dr")
_ONSETS += ("gr", "kr", "st", "tr", "pl", "sk", "th", "ch", "")
_NUCLEI = ("a", "e", "i", "o", "u", "a", "e", "o", "ai", "ou", "ei")
_CODAS = ("", "", "", "n", "r", "s", "l", "k", "m", "nd", "st")

_KINDS = (("person", 0.5), ("country", 0.2), ("organisation", 0.18), ("group", 0.12))
_STATUSES = ("proposed", "under-discussion", "agreed", "implemented", "rejected", "withdrawn")
_STANCES = ("supports", "opposes", "cautious", "mixed", "neutral")
_OUTLET_KINDS = ("Courier", "Gazette", "Herald", "Post", "Review", "Monitor", "Wire", "Times")
_ROLES = ("official", "diplomat", "minister", "spokesperson", "adviser", "analyst", "officer")


class Zipf:
    """Draws items with probability proportional to ``1 / rank ** exponent``."""

    def __init__(self, items: Sequence[Any], exponent: float = 1.0) -> None:
        self.items = list(items)
        self.cum = list(itertools.accumulate(1.0 / (r**exponent) for r in range(1, len(items) + 1)))

    def one(self, rng: random.Random) -> Any:
        """One item."""
        return self.items[bisect.bisect_left(self.cum, rng.random() * self.cum[-1])]

    def unique(self, rng: random.Random, k: int) -> list[Any]:
        """``k`` distinct items (fewer if there are not that many), in draw order."""
        k = min(k, len(self.items))
        picked: dict[Any, None] = {}
        tries = 0
        while len(picked) < k and tries < 50 * k:
            picked[self.one(rng)] = None
            tries += 1
        for item in self.items:  # a very skewed draw may stall: top up in rank order
            if len(picked) >= k:
                break
            picked[item] = None
        return list(picked)


@dataclass(frozen=True)
class CorpusInfo:
    """What was written, for the benchmark's report."""

    briefs: int
    actors: int
    tags: int
    proposals: int
    shared_events: int
    brief_bytes: int
    actors_bytes: int

    @property
    def mean_brief_kb(self) -> float:
        """Average size of one brief file, in KB."""
        return self.brief_bytes / max(self.briefs, 1) / 1024


class _Text:
    """Invented words and the sentences made of them."""

    def __init__(self, rng: random.Random, size: int = 4_000) -> None:
        self.rng = rng
        words: dict[str, None] = {}
        while len(words) < size:
            syllables = rng.choice((1, 2, 2, 2, 3, 3))
            word = "".join(
                rng.choice(_ONSETS) + rng.choice(_NUCLEI) + rng.choice(_CODAS)
                for _ in range(syllables)
            )
            if 2 <= len(word) <= 12:
                words[word] = None
        vocabulary = sorted(words, key=len)  # as in real text, the commonest words are short
        self.words = Zipf(vocabulary, exponent=0.8)
        self.rare = vocabulary[-1_500:]  # for names and ids, where common words would clash

    def word(self) -> str:
        return self.words.one(self.rng)

    def words_(self, lo: int, hi: int) -> list[str]:
        return [self.word() for _ in range(self.rng.randint(lo, hi))]

    def name(self, parts: int = 1) -> str:
        return " ".join(self.rng.choice(self.rare).capitalize() for _ in range(parts))

    def phrase(self, lo: int, hi: int) -> str:
        """A capitalised phrase without a full stop: titles, headings."""
        text = " ".join(self.words_(lo, hi))
        return text[0].upper() + text[1:]

    def sentence(self, lo: int = 8, hi: int = 18) -> str:
        words = self.words_(lo, hi)
        if len(words) > 8 and self.rng.random() < 0.4:
            cut = self.rng.randint(3, len(words) - 3)
            words[cut] += ","
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def rich_sentence(self, lo: int = 8, hi: int = 18) -> str:
        """A sentence that sometimes has *emphasis* or a link, as rich text allows."""
        sentence = self.sentence(lo, hi)
        roll = self.rng.random()
        words = sentence.split(" ")
        if roll < 0.08 and len(words) > 4:
            i = self.rng.randint(1, len(words) - 2)
            words[i] = f"*{words[i].rstrip(',')}*"
        elif roll < 0.12 and len(words) > 4:
            i = self.rng.randint(1, len(words) - 3)
            host = f"{self.rng.choice(self.rare)}.example.org"
            words[i] = (
                f"[{words[i].rstrip(',')} {words[i + 1].rstrip(',')}](https://{host}/{self.word()})"
            )
            del words[i + 1]
        return " ".join(words)

    def paragraph(self, lo: int = 2, hi: int = 4) -> str:
        return " ".join(self.rich_sentence() for _ in range(self.rng.randint(lo, hi)))


class _Yaml:
    """Writes the block-style YAML authors write: folded text, flow lists of ids."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def scalar(self, indent: int, key: str, value: str, *, item: bool = False) -> None:
        """One plain scalar on one line (values are words and punctuation only)."""
        self.lines.append(f"{self._lead(indent, item)}{key}: {value}")

    def ids(self, indent: int, key: str, values: Sequence[str], *, item: bool = False) -> None:
        self.lines.append(f"{self._lead(indent, item)}{key}: [{', '.join(values)}]")

    def folded(self, indent: int, key: str, text: str, *, item: bool = False) -> None:
        """Paragraphs as a ``>-`` folded block; two blank lines keep them apart."""
        self.lines.append(f"{self._lead(indent, item)}{key}: >-")
        pad = " " * (indent + 2)
        for number, paragraph in enumerate(text.split("\n\n")):
            if number:
                self.lines += ["", ""]
            self.lines += textwrap.wrap(
                paragraph, 80, initial_indent=pad, subsequent_indent=pad, break_on_hyphens=False
            )

    def key(self, indent: int, key: str, *, item: bool = False) -> None:
        self.lines.append(f"{self._lead(indent, item)}{key}:")

    def item(self, indent: int, value: str) -> None:
        self.lines.append(f"{' ' * indent}- {value}")

    def blank(self) -> None:
        self.lines.append("")

    @staticmethod
    def _lead(indent: int, item: bool) -> str:
        return " " * (indent - 2) + "- " if item else " " * indent

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _slug(text: str) -> str:
    return "-".join(text.lower().split())


def _unique_slug(base: str, taken: dict[str, None]) -> str:
    slug = base
    for n in itertools.count(2):
        if slug not in taken:
            break
        slug = f"{base}-{n}"
    taken[slug] = None
    return slug


def _date(rng: random.Random, lo: dt.date = FIRST_DAY, hi: dt.date = LAST_DAY) -> dt.date:
    return lo + dt.timedelta(days=rng.randint(0, (hi - lo).days))


def _partial(rng: random.Random, day: dt.date) -> str:
    """A date written to the day, or now and then only to the month."""
    return day.strftime("%Y-%m") if rng.random() < 0.12 else day.isoformat()


@dataclass(frozen=True)
class _Actor:
    id: str
    name: str
    kind: str


@dataclass(frozen=True)
class _SharedEvent:
    id: str
    date: dt.date
    place: str | None
    what: str


@dataclass(frozen=True)
class _SharedProposal:
    id: str
    title: str


MAX_ACTORS = 1_500
"""The registry stays under the loader's 256 KB file limit, which 2,000 actors exceed."""


def actor_count(briefs: int) -> int:
    """About 300 actors per 1,000 briefs, at least 40 and at most ``MAX_ACTORS``."""
    return max(40, min(MAX_ACTORS, round(briefs * 0.3)))


def tag_count(briefs: int) -> int:
    """About one tag for every eight briefs, at least 30 and at most 1,200."""
    return max(30, min(1_200, briefs // 8))


class _Corpus:
    def __init__(self, briefs: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.text = _Text(self.rng)
        self.n = briefs
        self.actors = self._make_actors(actor_count(briefs))
        self.actor_pick = Zipf(self.actors, exponent=1.0)
        self.people = Zipf([a for a in self.actors if a.kind == "person"], exponent=1.0)
        self.bodies = Zipf([a for a in self.actors if a.kind == "organisation"], exponent=1.0)
        taken: dict[str, None] = {}
        tags = []
        while len(tags) < tag_count(briefs):
            name = " ".join(
                self.text.rng.choice(self.text.rare) for _ in range(self.rng.choice((1, 1, 2)))
            )
            if _slug(name) not in taken:
                taken[_slug(name)] = None
                tags.append(name if self.rng.random() < 0.8 else name.capitalize())
        self.tags = Zipf(tags, exponent=1.1)
        self.proposals = Zipf(self._make_proposals(max(10, round(briefs * 0.4))), exponent=0.9)
        self.events = Zipf(self._make_events(max(10, round(briefs * 0.3))), exponent=0.9)
        outlets = [f"The {self.text.name()} {self.rng.choice(_OUTLET_KINDS)}" for _ in range(150)]
        self.outlets = Zipf(list(dict.fromkeys(outlets)), exponent=1.0)
        slugs: dict[str, None] = {}
        self.slugs = [
            _unique_slug(f"{'-'.join(self.text.words_(2, 4))}-{i:05d}", slugs)
            for i in range(briefs)
        ]

    def _make_actors(self, count: int) -> list[_Actor]:
        taken: dict[str, None] = {}
        actors = []
        kinds, weights = zip(*_KINDS, strict=True)
        for _ in range(count):
            kind = self.rng.choices(kinds, weights)[0]
            if kind == "person":
                name = self.text.name(2)
            elif kind == "country":
                name = self.text.name()
            elif kind == "organisation":
                name = f"{self.text.name()} {self.rng.choice(('Council', 'Agency', 'Union', 'Alliance', 'Ministry'))}"
            else:
                name = f"{self.text.name()} {self.rng.choice(('Movement', 'Front', 'Collective', 'Bloc'))}"
            actors.append(_Actor(_unique_slug(_slug(name), taken), name, kind))
        return actors

    def _make_proposals(self, count: int) -> list[_SharedProposal]:
        taken: dict[str, None] = {}
        out = []
        for _ in range(count):
            words = self.text.words_(2, 4)
            pid = _unique_slug("-".join(words[:3]), taken)
            out.append(_SharedProposal(pid, " ".join([self.text.word().capitalize(), *words])))
        return out

    def _make_events(self, count: int) -> list[_SharedEvent]:
        taken: dict[str, None] = {}
        out = []
        for _ in range(count):
            eid = _unique_slug("-".join(self.text.words_(2, 3)), taken)
            place = self.text.name() if self.rng.random() < 0.6 else None
            out.append(_SharedEvent(eid, _date(self.rng), place, self.text.sentence(10, 24)))
        return out

    def actors_yaml(self) -> str:
        out = _Yaml()
        out.lines.append("# Synthetic actors for the benchmark: none of these exist.")
        for actor in self.actors:
            out.blank()
            out.key(0, actor.id)
            out.scalar(2, "name", actor.name)
            out.scalar(2, "kind", actor.kind)
            if self.rng.random() < 0.75:
                out.scalar(2, "description", self.text.sentence(6, 16))
            if self.rng.random() < 0.3:
                aliases = [self.text.name() for _ in range(self.rng.randint(1, 2))]
                out.ids(2, "aliases", aliases)
        return out.text()

    def brief_yaml(self, number: int, day: dt.date | None = None) -> str:
        rng, text = self.rng, self.text
        slug = self.slugs[number]
        out = _Yaml()
        day = day or _date(rng)
        out.scalar(0, "title", text.phrase(6, 14))
        out.scalar(0, "date", day.isoformat())
        if rng.random() < 0.3:
            out.scalar(0, "updated", (day + dt.timedelta(days=rng.randint(1, 30))).isoformat())
        out.folded(0, "summary", " ".join(text.rich_sentence(10, 20) for _ in range(2)))

        source_ids = [f"src-{w}" for w in dict.fromkeys(rng.sample(text.rare, 10))]
        source_ids = source_ids[: rng.randint(2, 8)]
        actors: list[_Actor] = self.actor_pick.unique(rng, rng.randint(4, 12))
        people = [a for a in actors if a.kind == "person"] or self.people.unique(rng, 2)

        def cite(indent: int, lo: int = 1, hi: int = 3) -> None:
            out.ids(
                indent, "sources", rng.sample(source_ids, min(rng.randint(lo, hi), len(source_ids)))
            )

        out.blank()
        out.key(0, "key_points")
        for _ in range(rng.randint(3, 6)):
            if rng.random() < 0.25:
                out.item(2, text.sentence(10, 24))
                continue
            out.folded(
                4,
                "text",
                " ".join(text.rich_sentence() for _ in range(rng.randint(1, 2))),
                item=True,
            )
            cite(4)
            if rng.random() < 0.15:
                out.key(4, "certainty")
                out.scalar(6, "level", "disputed")

        out.blank()
        out.key(0, "sections")
        for _ in range(rng.randint(2, 5)):
            out.scalar(4, "heading", text.phrase(3, 7), item=True)
            paragraphs = "\n\n".join(text.paragraph() for _ in range(rng.randint(2, 3)))
            out.folded(4, "text", paragraphs)
            cite(4, 1, 4)

        proposals: list[_SharedProposal] = self.proposals.unique(rng, rng.randint(0, 3))
        if proposals:
            out.blank()
            out.key(0, "proposals")
        for proposal in proposals:
            out.scalar(4, "id", proposal.id, item=True)
            out.scalar(4, "title", proposal.title)
            out.scalar(4, "status", rng.choice(_STATUSES))
            backers = rng.sample(actors, rng.randint(1, min(3, len(actors))))
            others = [a for a in actors if a not in backers]
            out.ids(4, "proponents", [a.id for a in backers])
            if others and rng.random() < 0.7:
                out.ids(
                    4,
                    "opponents",
                    [a.id for a in rng.sample(others, rng.randint(1, min(2, len(others))))],
                )
            if rng.random() < 0.6:
                out.folded(4, "notes", text.rich_sentence(12, 30))
            cite(4)

        out.blank()
        out.key(0, "quotes")
        for _ in range(rng.randint(1, 6)):
            out.scalar(4, "text", text.sentence(6, 25).rstrip("."), item=True)
            if rng.random() < 0.25:
                out.scalar(4, "anonymous", "true")
                out.scalar(4, "role", f"a {text.word()} {rng.choice(_ROLES)}")
                if rng.random() < 0.5:
                    out.scalar(4, "affiliation", self.bodies.one(rng).id)
            else:
                out.scalar(4, "speaker", rng.choice(people).id)
                if rng.random() < 0.7:
                    out.scalar(4, "role", f"{rng.choice(_ROLES).capitalize()} of {text.name()}")
            if rng.random() < 0.8:
                out.scalar(4, "date", _partial(rng, day - dt.timedelta(days=rng.randint(0, 20))))
            if rng.random() < 0.5:
                out.scalar(4, "context", text.sentence(4, 10))
            if rng.random() < 0.15:
                out.scalar(4, "reported", "true")
            out.scalar(4, "source", rng.choice(source_ids))

        out.blank()
        out.ids(0, "actors", [a.id for a in actors])

        out.blank()
        out.key(0, "events")
        used: dict[str, None] = {}
        for _ in range(rng.randint(2, 8)):
            shared: _SharedEvent | None = self.events.one(rng) if rng.random() < 0.35 else None
            if shared and shared.id not in used:
                used[shared.id] = None
                out.scalar(4, "id", shared.id, item=True)
                out.scalar(4, "date", shared.date.isoformat())
                if shared.place:
                    out.scalar(4, "place", shared.place)
                out.folded(4, "what", shared.what)
            else:
                when = day - dt.timedelta(days=rng.randint(0, 90))
                first = True
                if rng.random() < 0.7:
                    eid = _unique_slug(f"{slug}-event-{len(used) + 1}", used)
                    out.scalar(4, "id", eid, item=True)
                    first = False
                out.scalar(4, "date", _partial(rng, when), item=first)
                if rng.random() < 0.1:
                    out.scalar(
                        4, "end", (when + dt.timedelta(days=rng.randint(31, 40))).isoformat()
                    )
                if rng.random() < 0.5:
                    out.scalar(4, "place", text.name())
                out.folded(4, "what", text.rich_sentence(10, 26))
                if rng.random() < 0.1:
                    out.key(4, "certainty")
                    out.scalar(6, "level", "disputed")
            out.ids(
                4, "actors", [a.id for a in rng.sample(actors, rng.randint(1, min(3, len(actors))))]
            )
            cite(4)

        out.blank()
        out.key(0, "positions")
        for actor in rng.sample(actors, min(rng.randint(1, 4), len(actors))):
            out.scalar(4, "actor", actor.id, item=True)
            out.scalar(4, "stance", rng.choice(_STANCES))
            out.scalar(4, "issue", text.phrase(2, 5))  # every stance says what it is about
            out.folded(
                4, "summary", " ".join(text.rich_sentence() for _ in range(rng.randint(1, 2)))
            )
            cite(4)

        out.blank()
        out.key(0, "sources")
        for source_id in source_ids:
            outlet = self.outlets.one(rng)
            out.scalar(4, "id", source_id, item=True)
            out.scalar(4, "outlet", outlet)
            if rng.random() < 0.7:
                out.scalar(4, "title", text.phrase(5, 12))
            when = day - dt.timedelta(days=rng.randint(0, 10))
            host = _slug(outlet.removeprefix("The ")) + ".example.com"
            path = "-".join(text.words_(3, 7))
            out.scalar(4, "url", f"https://{host}/{when:%Y/%m/%d}/{path}")
            if rng.random() < 0.6:
                out.scalar(4, "date", _partial(rng, when))
            if rng.random() < 0.15:
                out.scalar(4, "attribution", f"{rng.randint(2, 6)} {text.word()} officials")
            if rng.random() < 0.1:
                out.scalar(4, "note", text.sentence(5, 12))

        out.blank()
        out.key(0, "tags")
        for tag in self.tags.unique(rng, rng.randint(3, 6)):
            out.item(2, tag)

        others = [i for i in rng.sample(range(self.n), min(4, self.n)) if i != number]
        related = others[: rng.randint(0, 3)]
        if related:
            out.blank()
            out.ids(0, "related", [self.slugs[i] for i in related])

        out.blank()
        out.key(0, "questions")
        for _ in range(rng.randint(1, 4)):
            question = text.sentence(6, 14).rstrip(".") + "?"
            out.scalar(4, "question", question, item=True)
            if others and rng.random() < 0.3:
                out.scalar(4, "answered_by", self.slugs[rng.choice(others)])
        return out.text()


def write_corpus(folder: Path, briefs: int, seed: int = 1) -> CorpusInfo:
    """Write ``briefs`` synthetic briefs and their ``actors.yml`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    corpus = _Corpus(briefs, seed)
    actors_text = corpus.actors_yaml().encode("utf-8")
    (folder / "actors.yml").write_bytes(actors_text)
    total = 0
    for number, slug in enumerate(corpus.slugs):
        data = corpus.brief_yaml(number).encode("utf-8")
        (folder / f"{slug}.yml").write_bytes(data)
        total += len(data)
    return CorpusInfo(
        briefs=briefs,
        actors=len(corpus.actors),
        tags=len(corpus.tags.items),
        proposals=len(corpus.proposals.items),
        shared_events=len(corpus.events.items),
        brief_bytes=total,
        actors_bytes=len(actors_text),
    )


NEW_BRIEF_DAY = LAST_DAY + dt.timedelta(days=1)
"""A new brief is the newest story: dated the day after every brief of the corpus."""


def write_new_brief(folder: Path, briefs: int, seed: int = 1) -> Path:
    """Write one more brief into the corpus ``write_corpus(folder, briefs, seed)`` wrote.

    It is what an author publishes: a new file, dated after every other brief, drawing
    on the corpus's actors, tags, shared events and proposals and relating to its
    briefs, so the pages that list it (home, timeline, its actors and topics) change.
    The same size and seed give the same file. Returns its path.
    """
    corpus = _Corpus(briefs, seed)
    taken = dict.fromkeys(corpus.slugs)
    slug = _unique_slug(f"{'-'.join(corpus.text.words_(2, 4))}-{briefs:05d}", taken)
    corpus.slugs.append(slug)  # number ``briefs``: past the corpus's own, so it relates to them
    path = folder / f"{slug}.yml"
    path.write_bytes(corpus.brief_yaml(briefs, day=NEW_BRIEF_DAY).encode("utf-8"))
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """Write a corpus: ``python -m benchmarks.corpus DIR N [--seed S]``."""
    parser = argparse.ArgumentParser(description="Write a synthetic corpus of briefs.")
    parser.add_argument("folder", type=Path)
    parser.add_argument("briefs", type=int)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    info = write_corpus(args.folder, args.briefs, args.seed)
    print(
        f"wrote {info.briefs} briefs ({info.mean_brief_kb:.1f} KB each on average) "
        f"and {info.actors} actors into {args.folder}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
