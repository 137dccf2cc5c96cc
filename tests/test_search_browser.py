"""The site search in Chromium, beyond finding the seed (tests/test_browser.py): the
header button and Escape, the filters, and the preview, which has no index."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from generator.serve import LiveSite, Preview
from tests.browser import harness
from tests.conftest import FIXTURES, SEED, make_project
from tests.test_browser import TIMEOUT_MS, base, browser, site, visit  # noqa: F401

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the test extras install it
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.build]


def _open_and_search(page, query: str):
    dialog = page.locator("dialog.briefings-search")
    page.locator("button.briefings-search-open").click()
    expect(dialog).to_be_visible(timeout=TIMEOUT_MS)
    box = dialog.locator("input.briefings-search__input")
    expect(box).to_be_focused(timeout=TIMEOUT_MS)
    box.press_sequentially(query)
    return dialog


def test_the_header_button_opens_the_search_and_escape_closes_it(visit):  # noqa: F811
    session = visit(harness.PHONE)
    page = session.open(f"briefings/{SEED}/")
    opener = page.locator(".md-header__inner button.briefings-search-open")
    expect(opener).to_be_visible()
    expect(opener).to_have_accessible_name("Search")
    dialog = _open_and_search(page, "sentry")
    expect(dialog.locator(".briefings-search__result").first).to_be_visible(timeout=TIMEOUT_MS)
    # Typing "s" or "f" in the box is text, not a shortcut.
    expect(dialog.locator("input.briefings-search__input")).to_have_value("sentry")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()
    page.keyboard.press("Control+k")
    expect(dialog.locator("input.briefings-search__input")).to_be_focused(timeout=TIMEOUT_MS)
    page.keyboard.press("Control+k")
    expect(dialog).to_be_hidden()
    assert not session.errors and not session.outside()


def test_a_topic_filter_narrows_the_results_to_briefings_on_that_topic(visit):  # noqa: F811
    session = visit()
    page = session.open("")
    dialog = _open_and_search(page, "Whitaker")
    results = dialog.locator(".briefings-search__result")
    expect(results.first).to_be_visible(timeout=TIMEOUT_MS)
    titles = results.locator(".briefings-search__link")
    expect(titles).to_contain_text(["Matthew Whitaker"], timeout=TIMEOUT_MS)
    everything = results.count()
    dialog.locator("summary", has_text="Filter").click()
    topic = dialog.locator("fieldset", has=page.locator("legend", has_text="Topic"))
    topic.get_by_role("button", name=re.compile(r"^Show all")).click()
    topic.get_by_label(re.compile(r"^rules of engagement")).check()
    # Only briefings carry topics: the actor's page and the guide drop out.
    expect(titles).not_to_contain_text(["Matthew Whitaker"], timeout=TIMEOUT_MS)
    expect(results.locator(f"a[href$='/briefings/{SEED}/']")).to_have_count(1)
    assert 0 < results.count() < everything
    assert not session.errors and not session.outside()


def test_the_preview_says_where_search_is(browser, tmp_path):  # noqa: F811
    settings = replace(make_project(tmp_path / "p", FIXTURES / "valid"), preview=True)
    assert Preview(settings).refresh()
    live = LiveSite(settings, tmp_path / "live", "http://127.0.0.1:8000/", dirty=True)
    try:
        live.build()
    finally:
        live.close()
    assert not (tmp_path / "live" / "pagefind").exists()
    with harness.serve(tmp_path / "live") as url:
        context = browser.new_context(viewport=harness.DESKTOP)
        errors: list[str] = []
        try:
            page = context.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(url + "briefings/border-talks/")
            page.keyboard.press("/")
            note = page.locator("dialog.briefings-search [data-briefings-search-note]")
            expect(note).to_be_visible(timeout=TIMEOUT_MS)
            expect(note).to_have_text(
                "Search is available in the built site: run briefings build and open site/. "
                "The preview has no search index."
            )
        finally:
            context.close()
    assert errors == []
