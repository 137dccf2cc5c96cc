"""Rendering helpers whose results readers see directly."""

from __future__ import annotations

from generator import pipeline
from generator.render import reading_minutes


def test_reading_time_counts_the_words_a_reader_sees(valid_project):
    brief = pipeline.check(valid_project).briefs[0].brief
    empty = {"key_points": [], "sections": [], "proposals": [], "quotes": [], "events": []}
    bare = brief.model_copy(update={**empty, "positions": [], "title": "T", "summary": "s"})
    assert reading_minutes(bare, 220) == 1  # never less than a minute
    words = " ".join(["word"] * 439)  # and the title: 440 words
    assert reading_minutes(bare.model_copy(update={"summary": words}), 220) == 2
    assert reading_minutes(bare.model_copy(update={"summary": words + " more"}), 220) == 3
    assert reading_minutes(bare.model_copy(update={"summary": words}), 110) == 4
    marked = " ".join(["*word*"] * 201 + ["[the report](https://e.example/a)"] * 119)
    assert reading_minutes(bare.model_copy(update={"summary": marked}), 220) == 2  # 440 words


def test_no_page_leaks_a_python_object_and_the_guide_states_its_limits(valid_project):
    from generator import models, validate
    from generator.index import build_index
    from generator.render import render_all

    checked = pipeline.check(valid_project)
    published, _ = validate.release(checked.briefs, valid_project.today, preview=False)
    pages = render_all(build_index(published, checked.actors, valid_project.related), valid_project)
    for page in pages:
        assert " at 0x" not in page.text and "built-in method" not in page.text, page.path
    guide = next(p.text for p in pages if p.path == "guide.md")
    assert f"Lists hold up to {models.MAX_ITEMS} items" in guide
