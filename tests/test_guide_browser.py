"""The author guide in Chromium: its tables fit a phone, and the meanings' links land."""

from __future__ import annotations

import pytest

from tests import test_browser as shared
from tests.browser import harness

# The browser tests' fixtures, shared: one server and one Chromium for this module.
site, base, browser, visit = shared.site, shared.base, shared.browser, shared.visit

pytestmark = pytest.mark.browser

_OVERFLOWING_TABLES = """() => [...document.querySelectorAll('article table')]
  .filter(table => table.scrollWidth > table.closest('.md-typeset__scrollwrap').clientWidth)
  .map(table => table.previousElementSibling.textContent.trim())"""


@pytest.mark.parametrize(
    "viewport", [harness.PHONE, {"width": 1366, "height": 900}], ids=["phone", "desktop"]
)
def test_every_table_of_the_guide_fits_without_scrolling(visit, viewport):
    session = visit(viewport)
    page = session.open("guide/")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert page.evaluate(_OVERFLOWING_TABLES) == []
    assert session.outside() == [] and session.errors == []


def test_a_fixed_value_links_to_its_meanings(visit):
    page = visit(harness.PHONE).open("guide/")
    status = page.locator("#proposal ~ div table tr", has=page.locator("code", has_text="status"))
    status.first.get_by_role("link", name="meanings").click()
    assert page.url.endswith("guide/#proposalstatus")
    assert page.locator("#proposalstatus").is_visible()
