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
