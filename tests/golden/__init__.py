"""Golden Markdown: pages rendered from fixed inputs, kept on disk for review.

Regenerate after an intended change with ``make golden`` (``python -m tests.golden``)
and read the diff before committing it.
"""

from __future__ import annotations

from pathlib import Path

from generator.config import load_settings
from generator.index import build_index
from generator.load import load_yaml, read_places
from generator.render import Renderer
from generator.validate import validate_actors, validate_brief, validate_places

GOLDEN = Path(__file__).resolve().parent
ROOT = GOLDEN.parent.parent
FIXTURES = GOLDEN.parent / "fixtures"


def _render(folder: Path, slugs: list[str]) -> dict[str, str]:
    """Render the pages of ``slugs``, indexing only those briefs (so others cannot shift them)."""
    settings = load_settings(ROOT / "site_config.yml", briefings_dir=folder)
    actors, problems = validate_actors(load_yaml(folder / "actors.yml"))
    assert not problems, problems
    briefs = []
    for slug in slugs:
        valid, problems = validate_brief(load_yaml(folder / f"{slug}.yml"))
        assert valid and not problems, problems
        briefs.append(valid)
    places, problems = validate_places(read_places(folder))
    assert not problems, problems
    renderer = Renderer(build_index(briefs, actors, settings.related, places), settings)
    return {page.path: page.text for page in renderer.pages()}


def cases() -> dict[str, str]:
    """Golden file name → the Markdown the generator renders for it now."""
    seed = _render(ROOT / "briefings", ["nato-weighs-assertive-response"])
    fixtures = _render(
        FIXTURES / "valid",
        ["border-talks", "patrols-agreed", "sanctions-on-borduria", "ruritania-election"],
    )
    return {
        "seed-briefing.md": seed["briefings/nato-weighs-assertive-response.md"],
        "fixture-briefing.md": fixtures["briefings/border-talks.md"],
        "fixture-actor.md": fixtures["actors/ruritania.md"],
        "fixture-topic.md": fixtures["topics/border.md"],
        "fixture-home.md": fixtures["index.md"],
        "fixture-actor-person.md": fixtures["actors/alice-example.md"],
        "fixture-tracker.md": fixtures["proposals.md"],
        "fixture-timeline.md": fixtures["timeline.md"],
        "fixture-quotes.md": fixtures["quotes.md"],
        "fixture-questions.md": fixtures["questions.md"],
        "fixture-place.md": fixtures["places/strelsau.md"],
        "fixture-places.md": fixtures["places/index.md"],
        "fixture-archive.md": fixtures["archive.md"],
        "fixture-archive-month.md": fixtures[_newest(fixtures, "archive/")],
        "fixture-timeline-month.md": fixtures[_newest(fixtures, "timeline/")],
        "fixture-quotes-speaker.md": fixtures[_newest(fixtures, "quotes/")],
        "fixture-quotes-anonymous.md": fixtures["quotes/anonymous.md"],
        **disagreement_cases(),
        **story_cases(),
    }


def _newest(pages: dict[str, str], folder: str) -> str:
    """The last page of ``folder`` by name: the newest month, the last speaker."""
    return max(p for p in pages if p.startswith(folder) and not p.endswith("/anonymous.md"))


def disagreement_cases() -> dict[str, str]:
    """Disputes, certainty and position objects (issue 12), from their own fixture briefs."""
    pages = _render(FIXTURES / "disagreement", ["border-clash", "clash-inquiry"])
    return {
        "disagreement-briefing.md": pages["briefings/border-clash.md"],
        "disagreement-actor.md": pages["actors/borduria.md"],
        "disagreement-timeline.md": pages["timeline.md"],
        "disagreement-tracker.md": pages["proposals.md"],
    }


def story_cases() -> dict[str, str]:
    """A story in three briefings: its page, a briefing with a correction, the home page."""
    story = _render(
        FIXTURES / "threads",
        ["ferry-talks-open", "ferry-talks-stall", "ferry-deal-signed", "lighthouse-repainted"],
    )
    return {
        "story-thread.md": story["threads/ferry-talks-open.md"],
        "story-briefing.md": story["briefings/ferry-talks-stall.md"],
        "story-home.md": story["index.md"],
        "story-topic.md": story["topics/ferries.md"],
    }


def regenerate() -> list[str]:
    """Write every golden file; return the names of those that changed."""
    changed = []
    for name, text in cases().items():
        path = GOLDEN / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(name)
    return changed
