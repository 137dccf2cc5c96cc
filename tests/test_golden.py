"""Rendered Markdown matches the reviewed golden files (``make golden`` rewrites them)."""

from __future__ import annotations

import pytest

from tests.golden import GOLDEN, cases

CASES = cases()


@pytest.mark.parametrize("name", sorted(CASES))
def test_rendered_markdown_matches_golden(name):
    expected = (GOLDEN / name).read_text(encoding="utf-8")
    assert CASES[name] == expected, f"{name} changed; review it and run `make golden`"
