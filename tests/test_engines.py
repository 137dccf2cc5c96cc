"""The generated tree builds strictly with every supported engine, and the HTML is the site's."""

from __future__ import annotations

import importlib.util
import os
from dataclasses import replace
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator import pipeline
from generator.engine import ENGINES, reasons
from generator.errors import BuildError
from generator.site import run_mkdocs
from tests.conftest import FIXTURES, make_project

ENGINE_NAMES = ["properdocs", "mkdocs", "zensical"]


def _require(name: str) -> None:
    """Skip when the engine is missing, except under CI, where every engine must be there."""
    if importlib.util.find_spec(ENGINES[name].module) is not None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{name} is not installed, and CI must build with every engine")
    pytest.skip(f"{name} is not installed")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The valid fixture briefs, generated once into a project's docs folder."""
    settings = make_project(tmp_path_factory.mktemp("engines"), FIXTURES / "valid")
    pipeline.generate(settings)
    return settings


def _soup(site: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((site / name).read_text(encoding="utf-8"), "lxml")


@pytest.mark.build
@pytest.mark.parametrize("name", ENGINE_NAMES)
def test_every_engine_builds_the_generated_tree_strictly(generated, name):
    _require(name)
    site = generated.root / f"site-{name}"
    run_mkdocs(replace(generated, engine=name), site, strict=True)

    page = _soup(site, "briefings/border-talks/index.html")
    assert page.title.get_text() == "Alliance weighs border patrols - Briefings"
    assert page.find("meta", property="og:type")["content"] == "article"
    assert page.find("link", rel="canonical")["href"] == (
        "https://briefings.example.org/briefings/border-talks/"
    )
    assert page.find("script", type="application/ld+json") is not None
    article = page.find("article")
    assert "joint border patrols after a series of incidents" in article.get_text()
    assert page.find("link", href="../../assets/stylesheets/briefings.css") is not None
    # the theme's own search partial (custom_dir: theme), in place of the engine's search
    assert page.find("dialog", class_="briefings-search")["aria-label"] == "Search the briefings"
    assert page.find("div", class_="md-search") is None

    home = _soup(site, "index.html")
    assert home.find("meta", property="og:type")["content"] == "website"
    assert home.find("a", href="briefings/border-talks/") is not None
    assert _soup(site, "404.html").find("h1").get_text() == "Page not found"
    assert (site / "data" / "briefings" / "border-talks.json").is_file()
    for html in site.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert "jinja" not in text.lower() and "undefined" not in text, html


@pytest.mark.build
@pytest.mark.parametrize("name", ENGINE_NAMES)
def test_every_engine_fails_a_broken_link_in_strict_mode(generated, tmp_path, name):
    _require(name)
    guide = generated.docs_dir / "guide.md"
    good = guide.read_text(encoding="utf-8")
    guide.write_text(good + "\n[broken](no-such-page.md)\n", encoding="utf-8")
    try:
        with pytest.raises(BuildError) as failed:
            run_mkdocs(replace(generated, engine=name), generated.root / f"bad-{name}")
    finally:
        guide.write_text(good, encoding="utf-8")
    message = str(failed.value)
    assert message.startswith(f"{ENGINES[name].label} could not build the site:\n  ")
    assert "no-such-page.md" in message or "guide.md" in message


def test_an_unknown_engine_is_named_with_the_choices(generated, tmp_path):
    with pytest.raises(BuildError) as failed:
        run_mkdocs(replace(generated, engine="hugo"), tmp_path / "site")
    assert str(failed.value) == (
        "site_config.yml: extra.briefings.engine: unknown engine 'hugo'; "
        "use one of properdocs, mkdocs, zensical"
    )


def test_the_engine_is_read_from_the_configuration(tmp_path):
    settings = make_project(tmp_path, FIXTURES / "valid")
    assert settings.engine == "properdocs"
    config = settings.config_file
    config.write_text(
        config.read_text(encoding="utf-8").replace("engine: properdocs", "engine: zensical"),
        encoding="utf-8",
    )
    from generator.config import load_settings

    assert load_settings(config).engine == "zensical"


def test_zensical_builds_only_inside_the_project(generated, tmp_path):
    _require("zensical")
    with pytest.raises(BuildError) as failed:
        run_mkdocs(replace(generated, engine="zensical"), tmp_path / "outside")
    root = generated.root.resolve()
    assert str(failed.value) == (
        f"Zensical builds only into a folder inside the project ({root}), "
        f"not into {(tmp_path / 'outside').resolve()}"
    )


def test_zensical_issue_boxes_become_one_line_each():
    output = (
        "Build started\n"
        "Warning: page does not exist\n"
        "    ╭─[ guide.md:291:10 ]\n"
        "    │\n"
        " 291 │ [broken](no-such-page.md)\n"
        "─────╯\n"
        "1 issues found\n"
        "Traceback (most recent call last):\n"
        '  File "x.py", line 1, in <module>\n'
        "RuntimeError: Aborted because --strict flag is set\n"
    )
    assert reasons(output) == ["guide.md:291:10: page does not exist"]


def test_mkdocs_output_keeps_warnings_and_drops_info_and_tracebacks():
    output = (
        "INFO    -  Cleaning site directory\n"
        "WARNING -  Doc file 'guide.md' contains a link 'x.md', but the target is not found.\n"
        "Traceback (most recent call last):\n"
        '  File "x.py", line 1, in <module>\n'
        "    build()\n"
        "Aborted with 1 warnings in strict mode!\n"
    )
    assert reasons(output) == [
        "WARNING -  Doc file 'guide.md' contains a link 'x.md', but the target is not found.",
        "Aborted with 1 warnings in strict mode!",
    ]
