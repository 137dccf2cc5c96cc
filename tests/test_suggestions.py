"""Suggestions compared again only where a change reaches: the same warnings as comparing all.

The two suggestion checks (an event that looks like another brief's, a question
another brief may answer) compare each brief with the others. A check that keeps
its cache compares again only what the briefs changed since can alter; after
every kind of edit, its warnings must be those of comparing everything.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from benchmarks.corpus import write_corpus, write_new_brief
from generator import pipeline, validate
from generator.config import Settings
from tests.conftest import make_project

BRIEFS = 160
"""Past 150 briefs, one more or fewer leaves the bar for a distinctive title word as it is."""

SUGGESTION = re.compile(r"this event looks like|may answer this question")


@pytest.fixture
def project(tmp_path: Path) -> Settings:
    """A synthetic corpus whose briefs share events, actors and title words."""
    write_corpus(tmp_path / "corpus", BRIEFS, seed=11)
    return replace(make_project(tmp_path / "project", tmp_path / "corpus"), jobs=1)


@pytest.fixture
def compared(monkeypatch) -> Counter[str]:
    """How many events and questions were compared with other briefs, from now on."""
    counts: Counter[str] = Counter()
    match, asked = validate._earlier_match, validate._Asked.of

    def event(*args):
        counts["events"] += 1
        return match(*args)

    def question(self, words):  # once per open question compared
        counts["questions"] += 1
        return asked(self, words)

    monkeypatch.setattr(validate, "_earlier_match", event)
    monkeypatch.setattr(validate._Asked, "of", question)
    return counts


def _suggestions(checked: pipeline.Checked) -> list[str]:
    return [str(p) for p in checked.report.warnings if SUGGESTION.search(p.message)]


def _compared_in_full(checked: pipeline.Checked) -> list[str]:
    """The suggestions of comparing every brief with every other, without a cache."""
    problems = validate.shared_event_problems(checked.briefs, checked.actors)
    problems += validate.question_problems(checked.briefs, checked.actors)
    return sorted(str(p) for p in problems)


def _read(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


class _Dumper(yaml.SafeDumper):
    """Writes a value twice rather than as an alias, which briefs may not hold."""

    def ignore_aliases(self, data) -> bool:
        return True


def _write(path: Path, data: dict) -> None:
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True)
    path.write_text(text, encoding="utf-8")


def _edit(path: Path, change: Callable[[dict], None]) -> None:
    data = _read(path)
    change(data)
    _write(path, data)


def _warned(checked: pipeline.Checked, kind: str) -> Iterator[tuple[Path, str, str]]:
    """(file, key path, slug named) of each suggestion of ``kind`` ('event' or 'question')."""
    for p in checked.report.warnings:
        if (kind == "question") == ("may answer" in p.message) and SUGGESTION.search(p.message):
            named = re.search(r"brief '([^']+)'", p.message)
            assert named, p.message
            yield p.file, p.key_path, named.group(1)


def _message(checked: pipeline.Checked, file: Path, path: tuple) -> str:
    return next(p.message for p in checked.report.warnings if p.file == file and p.key_path == path)


def _edits(settings: Settings) -> Iterator[tuple[str, Callable[[pipeline.Checked], None]]]:
    """Named edits, each made to the briefs as the last check found them.

    Most change a brief other than the one warned, so that only comparing the
    warned brief again can bring its warning up to date.
    """
    folder = settings.briefings_dir
    made_common: dict[Path, str] = {}

    def file_of(checked: pipeline.Checked, slug: str) -> Path:
        return next(item.path for item in checked.briefs if item.slug == slug)

    def dismiss(checked):  # the author says the suggested brief does not answer
        file, path, slug = next(_warned(checked, "question"))
        _edit(
            file, lambda d: d["questions"][path[1]].setdefault("not_answered_by", []).append(slug)
        )

    def remove_answer(checked):  # a brief some question's suggestion names goes
        file_of(checked, list(_warned(checked, "question"))[-1][2]).unlink()

    def ask_about_title(checked):  # a question now echoes another brief's title
        asker, answer = checked.briefs[3], checked.briefs[70]
        _edit(
            asker.path,
            lambda d: d["questions"][0].update(
                question=f"What next for {answer.brief.title.lower()}?", answered_by=None
            ),
        )

    def retitle(checked):  # a brief takes the words of another brief's open question
        question = next(q for item in checked.briefs[90:] for q in item.brief.questions)
        _edit(checked.briefs[5].path, lambda d: d.update(title=question.question.rstrip("?")))

    def take_an_id(checked):  # a brief's new proposal is named by words of another's question
        asker = next(
            i for i in checked.briefs[100:] if any(not q.answered_by for q in i.brief.questions)
        )
        question = next(q for q in asker.brief.questions if not q.answered_by)
        asked = validate._words(question.question)
        words = sorted(w for w in asked if w.isalnum())[:2]
        holder = next(  # shares no title word with the question: only its id can answer it
            i
            for i in checked.briefs
            if i.brief.proposals and i is not asker and not validate._title_words(i) & asked
        )

        def propose(data: dict) -> None:
            data["proposals"].append({**data["proposals"][0], "id": "-".join(words)})

        _edit(holder.path, propose)

    def move_earlier_event(checked):  # the event another looked like moves five days away
        file, path, slug = next(_warned(checked, "event"))
        named = re.search(
            r"looks like (?:event '([^']+)'|events\[(\d+)\])", _message(checked, file, path)
        )
        assert named
        earlier = next(i for i in checked.briefs if i.slug == slug)
        number = (
            [e.id for e in earlier.brief.events].index(named.group(1))
            if named.group(1)
            else int(named.group(2)) - 1
        )

        def later(data: dict) -> None:
            event = data["events"][number]
            event["date"] = dt.date.fromisoformat(str(event["date"])) + dt.timedelta(days=5)

        _edit(earlier.path, later)

    def older_event_joins(checked):  # an older brief's event, on the day and with the actors
        warned = {(f, p[1]) for f, p, _ in _warned(checked, "event")}
        ordered = sorted(checked.briefs, key=lambda i: (i.brief.date, i.slug))
        event = next(
            e
            for item in ordered[len(ordered) // 2 :]
            for n, e in enumerate(item.brief.events)
            if e.date.day and (item.path, n) not in warned
        )
        here = ordered[0]
        day = dt.date(event.date.year, event.date.month, event.date.day)

        def join(data: dict) -> None:
            joined = data["events"][0]
            joined.update(date=day, actors=list(event.actors))
            for key in ("id", "end", "not_same_as"):
                joined.pop(key, None)

        _edit(here.path, join)

    def not_same(checked):  # the author says an event is another than the one it looks like
        for file, path, _ in _warned(checked, "event"):
            other = re.search(r"looks like event '([^']+)'", _message(checked, file, path))
            if other:
                _edit(
                    file,
                    lambda d, n=path[1], o=other: (
                        d["events"][n].setdefault("not_same_as", []).append(o.group(1))
                    ),
                )
                return
        raise AssertionError("no event warning names an id")

    def common_word(checked):  # a title word shared with a question is in too many titles
        for file, path, slug in _warned(checked, "question"):
            shared = re.search(r"its title shares '([^']+)'", _message(checked, file, path))
            asker = next(i for i in checked.briefs if i.path == file)
            if not shared:
                continue
            word, asked = shared.group(1), validate._words(asker.brief.questions[path[1]].question)
            titles = {i.path: validate._title_words(i) for i in checked.briefs}
            holding = sum(word in t for t in titles.values())
            apart = [
                i
                for i in checked.briefs
                if i.slug != slug
                and i is not asker
                and word not in titles[i.path]
                and not titles[i.path] & asked
            ]
            if len(apart) > validate.MAX_DISTINCTIVE + 1 - holding:
                break
        else:
            raise AssertionError("no question warning shares a title word")
        for item in apart[: validate.MAX_DISTINCTIVE + 1 - holding]:
            made_common[item.path] = item.brief.title
            _edit(item.path, lambda d: d.update(title=f"{d['title']} {word}"))

    def rare_again(checked):
        for path, title in made_common.items():
            _edit(path, lambda d, t=title: d.update(title=t))

    def publish(checked):
        write_new_brief(folder, BRIEFS, seed=11)

    def rename(checked):
        path = checked.briefs[50].path
        path.rename(path.with_name("renamed-" + path.name))

    def rename_actor(checked):  # the registry: every suggestion quoting the name changes
        actors = _read(folder / "actors.yml")
        first = next(iter(actors))
        actors[first]["name"] = "Renamed Council"
        _write(folder / "actors.yml", actors)

    yield from {
        "dismiss a suggested answer": dismiss,
        "remove a suggested answer": remove_answer,
        "ask about a title": ask_about_title,
        "retitle": retitle,
        "take an id a question names": take_an_id,
        "move the event another looked like": move_earlier_event,
        "an older brief's event joins another's day": older_event_joins,
        "say an event is not another": not_same,
        "make a shared title word common": common_word,
        "make it rare again": rare_again,
        "publish a brief": publish,
        "rename a file": rename,
        "rename an actor": rename_actor,
    }.items()


def test_every_edit_gives_the_warnings_of_comparing_every_brief(project):
    checked = pipeline.check_with_cache_file(project)
    assert len(_suggestions(checked)) > 20, "the corpus should draw suggestions of both kinds"
    assert {kind for _, _, kind in _warned(checked, "event")}
    assert {kind for _, _, kind in _warned(checked, "question")}
    altered = 0
    for name, edit in _edits(project):
        before = _suggestions(checked)
        edit(checked)
        checked = pipeline.check_with_cache_file(project)
        # removing or renaming a brief leaves links to it: no edit makes a brief invalid
        assert all("unknown brief" in p.message for p in checked.report.errors), name
        assert sorted(_suggestions(checked)) == _compared_in_full(checked), name
        altered += _suggestions(checked) != before
    assert altered >= 11, "most edits should change the suggestions, or they test little"


def test_a_check_after_one_edit_compares_only_what_it_reaches(project, compared):
    pipeline.check_with_cache_file(project)
    full = Counter(compared)
    assert full["events"] > 300 and full["questions"] > 200
    compared.clear()
    brief = sorted(project.briefings_dir.glob("*-*.yml"))[7]
    _edit(brief, lambda d: d.update(summary="A summary said again in other words."))
    pipeline.check_with_cache_file(project)
    # its own events and questions, and those near its days and title words
    assert 0 < compared["events"] < full["events"] / 10
    assert 0 < compared["questions"] < full["questions"] / 2
    compared.clear()
    pipeline.check_with_cache_file(project)  # nothing changed: nothing compared
    assert not compared


def test_suggestions_are_saved_a_share_of_files_at_a_time_and_read_back_whole(project, monkeypatch):
    import io
    import pickle

    monkeypatch.setattr(pipeline, "ENTRIES_AT_ONCE", 7)
    made: list[validate.Suggestions] = []
    real = validate.suggestions

    def keeping(*args, **kwargs):
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(validate, "suggestions", keeping)
    pipeline.check_with_cache_file(project)
    saved = pipeline.suggestions_path(pipeline.cache_path(project))
    stream = io.BytesIO(saved.read_bytes())
    version, head = pickle.load(stream)
    assert version == pipeline.code_version()
    assert head.traits == head.events == head.questions == {} and head.versions
    tables = [[pickle.load(stream) for _ in range(pickle.load(stream))] for _ in range(3)]
    assert stream.tell() == len(stream.getbuffer())
    whole = made[0]
    for shares, table in zip(tables, ("traits", "events", "questions"), strict=True):
        assert max(len(share) for share in shares) == 7
        assert [row for share in shares for row in share] == list(getattr(whole, table).items())
    assert len(whole.traits) == BRIEFS and whole.events and whole.questions
    assert pipeline.CheckCache.load(pipeline.cache_path(project)).suggested == whole


def test_suggestions_kept_on_disk_are_saved_and_let_go_of_before_the_warnings_are_made(
    project, monkeypatch
):
    kept: list[pipeline.CheckCache] = []
    load = pipeline.CheckCache.load
    monkeypatch.setattr(
        pipeline.CheckCache, "load", lambda path: kept.append(load(path)) or kept[-1]
    )
    saved = pipeline.suggestions_path(pipeline.cache_path(project))
    seen: list[tuple[bool, bool]] = []
    real = validate.suggestion_warnings

    def noting(briefs, *tables):
        seen.append((kept[-1].suggested is None, saved.is_file()))
        return real(briefs, *tables)

    monkeypatch.setattr(validate, "suggestion_warnings", noting)
    first = pipeline.check_with_cache_file(project)
    assert sorted(_suggestions(first)) == _compared_in_full(first) and _suggestions(first)
    assert seen == [(True, True)]  # let go of, and saved, before the warnings were made
    assert kept[0].saved_suggested is None
    again = pipeline.CheckCache.load(pipeline.cache_path(project)).suggested
    assert again is not None and len(again.traits) == BRIEFS
    brief = sorted(project.briefings_dir.glob("*-*.yml"))[3]
    _edit(brief, lambda d: d.update(title="A title said again in other words"))
    edited = pipeline.check_with_cache_file(project)
    assert sorted(_suggestions(edited)) == _compared_in_full(edited)
    assert seen[1:] == [(True, True)]


def test_suggestions_from_other_code_or_a_broken_file_are_compared_again(project):
    first = _suggestions(pipeline.check_with_cache_file(project))
    saved = pipeline.suggestions_path(pipeline.cache_path(project))
    assert saved.is_file()
    saved.write_bytes(saved.read_bytes()[:100])
    assert _suggestions(pipeline.check_with_cache_file(project)) == first
    cache = pipeline.CheckCache.load(pipeline.cache_path(project))
    assert cache.suggested is not None, "the broken file was written again"


def test_a_count_of_briefs_that_moves_the_bar_for_distinctive_words_compares_all(tmp_path):
    write_corpus(tmp_path / "corpus", 40, seed=5)
    settings = replace(make_project(tmp_path / "project", tmp_path / "corpus"), jobs=1)
    pipeline.check_with_cache_file(settings)
    for path in sorted(settings.briefings_dir.glob("*-*.yml"))[:4]:
        path.unlink()
        checked = pipeline.check_with_cache_file(settings)
        assert sorted(_suggestions(checked)) == _compared_in_full(checked)


def test_events_compared_again_and_kept_come_back_in_the_briefs_order(project):
    checked = pipeline.check(project)
    briefs, actors = checked.briefs, checked.actors
    full = validate._event_warnings(briefs, actors, lambda at: True, {})
    unpacked = {name: validate._unpack_said(packed) for name, packed in full.items()}
    name, said = next((n, s) for n, s in unpacked.items() if len(s) >= 2)
    first = min(said)  # compared again; the others are kept from before

    def again(at) -> bool:
        return str(at.item.path) == name and at.number == first

    kept = {name: validate._pack_said({n: s for n, s in said.items() if n != first})}
    kept |= {other: packed for other, packed in full.items() if other != name}
    mixed = validate._event_warnings(briefs, actors, again, kept)
    assert list(validate._unpack_said(mixed[name]).items()) == list(said.items())
    assert {n: p for n, p in mixed.items() if n != name} == {
        n: p for n, p in full.items() if n != name
    }  # the briefs not compared again keep their suggestions as they were packed


@pytest.mark.parametrize("day", [(2021, 8, 6), (1999, 12, 31), (2024, 1, 1), (2021, 8, None)])
def test_a_day_kept_as_a_number_comes_back_as_the_same_day(day):
    number = validate._day_number(day)
    assert validate._day_of_number(number) == day
    others = {(2021, 8, 7), (2021, 9, 6), (2022, 8, 6), (2021, 8, None), (1999, 12, 30)} - {day}
    assert number not in {validate._day_number(other) for other in others}


def test_briefs_filed_for_a_few_questions_are_those_all_briefs_filed_would_give_them(project):
    checked = pipeline.check(project)
    distinctive = validate._distinctive(checked.briefs)
    profiles = [validate._Profile.of(i, distinctive, checked.actors) for i in checked.briefs]
    spread = validate._id_spread(checked.briefs)
    every = validate._Candidates(profiles, spread)
    asked = validate._Asked(checked.actors)
    questions = [q.question for i in checked.briefs for q in i.brief.questions]
    for question in questions[::7]:
        words = validate._folded(question)
        few = validate._Candidates(profiles, spread, words)
        assert len(few.by_slug) < len(every.by_slug)  # at 160 briefs, 50 may share a word
        for named in (set(), asked.of(words)):
            assert few.of(words, named).keys() == every.of(words, named).keys()


def test_the_kept_traits_count_the_same_spread_and_leave_out_only_briefs_never_filed(project):
    checked = pipeline.check(project)
    distinctive = validate._distinctive(checked.briefs)
    traits = {str(i.path): validate._Traits.of(i) for i in checked.briefs}
    spread = validate._id_spread(checked.briefs)
    assert validate._spread_of(traits.values()) == spread
    profiles = [validate._Profile.of(i, distinctive, checked.actors) for i in checked.briefs]
    questions = [q.question for i in checked.briefs for q in i.brief.questions]
    for question in questions[::7]:
        words = validate._folded(question)
        filed = validate._Candidates(profiles, spread, words).by_slug.keys()
        met = {i.slug for i in checked.briefs if traits[str(i.path)].may_meet(words, distinctive)}
        assert filed <= met
        assert len(met) < len(checked.briefs)


def test_the_suggestions_keep_the_words_of_actors_names_only(project):
    checked = pipeline.check(project, suggestions=False)
    validate.forget_words()
    versions = {str(item.path): b"1" for item in checked.briefs}
    made = validate.suggestions(checked.briefs, checked.actors, versions, None)
    assert made.events and made.questions
    kept = validate._words.cache_info().currsize
    validate.forget_words()
    assert 0 < kept <= len(checked.actors)  # not one set per title or id of 160 briefs
