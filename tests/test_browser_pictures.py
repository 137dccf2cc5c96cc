"""The pictures in a real browser: strip charts and maps at 390 and 1366 px, light and dark.

Each page that draws a picture is opened in both schemes and both widths: no
picture is wider than its column, the page never scrolls sideways, nothing is
logged as an error, axe-core finds no serious or critical violation, and a
click on a mark lands on its entry. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import harness
from tests.test_browser import ARTIFACTS, base, browser, site, visit  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.build]

PICTURE_PAGES = {
    "briefing": "briefings/airport-drone-disruptions/",
    "story": "threads/nato-weighs-assertive-response/",
    "timeline": "timeline/2025-09/",
    "map": "map/",
    "places": "places/",
    "place": "places/copenhagen/",
}
IN_PICTURES = """() => [...document.querySelectorAll('figure.picture, .picture-data')].length"""

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}

WIDTHS = """() => [...document.querySelectorAll('figure.picture')].map((figure) => {
  const column = figure.closest('article').getBoundingClientRect().width;
  const scroller = figure.querySelector('.picture-scroll');
  const svg = figure.querySelector('svg').getBoundingClientRect().width;
  return {
    figure: figure.getBoundingClientRect().width, column,
    shown: scroller ? scroller.getBoundingClientRect().width : svg,
  };
})"""


@pytest.fixture(scope="module")
def opened(browser, base):  # noqa: F811
    """Each picture page loaded once per width and scheme: its measures, errors and axe's findings."""
    done: dict[tuple[str, str, str], dict] = {}

    def get(kind: str, device: str, scheme: str) -> dict:
        key = (kind, device, scheme)
        if key not in done:
            context = browser.new_context(
                viewport=VIEWPORTS[device], color_scheme=scheme, reduced_motion="reduce"
            )
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on(
                "console",
                lambda m: (
                    errors.append(f"{m.text} ({m.location.get('url')})")
                    if m.type == "error"
                    else None
                ),
            )
            try:
                page.goto(base + PICTURE_PAGES[kind], wait_until="networkidle")
                done[key] = {
                    "scheme": page.evaluate("document.body.dataset.mdColorScheme"),
                    "widths": page.evaluate(WIDTHS),
                    "scroll": page.evaluate(
                        "[document.documentElement.scrollWidth, window.innerWidth]"
                    ),
                    "violations": harness.axe_violations(page),
                    "in_pictures": page.evaluate(IN_PICTURES),
                    "errors": errors,
                }
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(
                    path=ARTIFACTS / f"pictures-{kind}-{device}-{scheme}.png", full_page=True
                )
            finally:
                context.close()
        return done[key]

    return get


CASES = [
    (kind, device, scheme)
    for kind in PICTURE_PAGES
    for device in VIEWPORTS
    for scheme in ("light", "dark")
]


@pytest.mark.parametrize(("kind", "device", "scheme"), CASES)
def test_pictures_fit_their_column_without_errors(opened, kind, device, scheme):
    found = opened(kind, device, scheme)
    assert found["scheme"] == ("slate" if scheme == "dark" else "default")
    assert found["widths"], f"{kind} shows no picture"
    for width in found["widths"]:
        assert width["figure"] <= width["column"] + 0.5, width
        assert width["shown"] <= width["column"] + 0.5, width
    scroll, inner = found["scroll"]
    assert scroll <= inner, f"{kind} is {scroll} px wide in a {inner} px window"
    assert found["errors"] == []


@pytest.mark.parametrize(("kind", "device", "scheme"), CASES)
def test_pictures_have_no_serious_accessibility_violation(opened, kind, device, scheme):
    found = opened(kind, device, scheme)
    where = f"{kind} (/{PICTURE_PAGES[kind]}) at {device} in {scheme}"
    assert found["in_pictures"], f"{where} shows no picture"
    unexpected = [v for v in found["violations"] if v["known"] < 0]
    assert not unexpected, harness.describe(unexpected, where)


def test_a_strip_mark_leads_to_its_entry(visit, base):  # noqa: F811
    page = visit(VIEWPORTS["desktop"]).open(PICTURE_PAGES["timeline"])
    # a mark no other mark covers: on a month's strip, ranges can overlap the first day's
    free = page.evaluate(
        """() => [...document.querySelectorAll('svg.picture-strip a')].findIndex(a => {
             const r = a.getBoundingClientRect();
             const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
             return hit && a.contains(hit);
           })"""
    )
    assert free >= 0
    mark = page.locator("svg.picture-strip a").nth(free)
    target = mark.get_attribute("xlink:href")
    mark.click()
    assert page.url.endswith(target)
    expect(page.locator(f"[id='{target[1:]}']")).to_be_in_viewport()


def test_a_map_marker_opens_its_entry_even_in_a_folded_list(visit, base):  # noqa: F811
    page = visit(VIEWPORTS["desktop"]).open(PICTURE_PAGES["briefing"])
    marker = page.locator("svg.picture-map a.map-marker").first
    target = marker.get_attribute("xlink:href")
    marker.locator("circle").first.click()
    assert page.url.endswith(target)
    expect(page.locator(f"[id='{target[1:]}']")).to_be_in_viewport()


def test_a_wide_strip_scrolls_in_its_own_box_on_a_phone(visit, base):  # noqa: F811
    page = visit(VIEWPORTS["phone"]).open(PICTURE_PAGES["timeline"])
    box = page.locator(".picture-scroll").first
    sizes = box.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert sizes[0] > sizes[1], "the timeline's strip should be wider than a phone"
    box.focus()
    box.press("ArrowRight")
    # Chromium may scroll smoothly: wait for the box to have moved (fails after the timeout).
    page.wait_for_function("e => e.scrollLeft > 0", arg=box.element_handle(), timeout=10_000)
    assert box.evaluate("e => e.scrollLeft") > 0
