"""Property: whatever a brief holds, the pipeline either renders it inert or reports it.

Hypothesis writes briefs (well-formed YAML with arbitrary values, and arbitrary
bytes) and runs them through load → validate → index → render → write. The only
failure allowed is the project's own error, each problem with a file and, when
it concerns content, a line and column. Rendered pages are then turned into HTML
the way MkDocs does and checked for anything that could run.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections import Counter
from dataclasses import replace
from pathlib import Path

import markdown
import pytest
import yaml
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import cards, pictures, pipeline
from generator.config import load_settings
from generator.errors import BriefingsError, Position, Problem
from tests.conftest import FIXTURES, ROOT, guarded

SITE = yaml.safe_load((ROOT / "site_config.yml").read_text(encoding="utf-8").replace("!ENV", ""))
EXTENSIONS = [e if isinstance(e, str) else next(iter(e)) for e in SITE["markdown_extensions"]]

HOSTILE_WORDS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)",
    "[x](javascript:alert(1))", "[x](https://e.example/a)", "!!! danger", "# h", "---",
    "| a | b |", "{: onclick=x }", "*[HTML]: x", "[r]: https://e.example", '--8<-- "x"',
    "{{ x }}", "NO", "on", "010", "12:30", "2024-02-30", "&amp;", "**b**", "_i_", "<!--",
    "https://e.example/a)(b", "\n\n", "\t", "é", "👍", "1.", "- x", "> q", "`c`", "~~~",
]  # fmt: skip
INVISIBLE = ["\x00", "\x07", "\u202e", "\u2028", "\ud800", "\u200b", "\ufeff"]

visible = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=40
)
words = st.lists(st.one_of(visible, st.sampled_from(HOSTILE_WORDS)), min_size=1, max_size=4).map(
    " ".join
)


def weighted(good, bad, odds: int = 20):
    """``good`` most of the time, ``bad`` about once in ``odds`` draws.

    (``st.one_of`` would not do: it treats repeated strategies as one.)
    """
    return st.integers(0, odds).flatmap(lambda i: bad if i == 0 else good)


text = weighted(words, st.one_of(visible, st.text(max_size=20), st.sampled_from(INVISIBLE)), odds=8)
scalar = st.one_of(text, st.integers(), st.booleans(), st.none(), st.dates().map(str))
value = st.recursive(
    scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)


def maybe(strategy):
    """Mostly the right kind of value, sometimes anything at all."""
    return weighted(strategy, value, odds=30)


def some(good, bad):
    """Mostly one of the good choices, sometimes a bad one."""
    return weighted(st.sampled_from(good), st.sampled_from(bad))


actor = some(["alice-example", "bob-sample", "ruritania", "borduria"], ["nobody", "ALICE", "../x"])
url = some(["https://e.example/a", "https://e.example/a?b=<c>&d=(e)", "http://e.example/x_y*z"],
           ["javascript:alert(1)", "data:text/html,x", "e.example"])  # fmt: skip

brief = st.fixed_dictionaries(
    {
        "title": maybe(text),
        "date": maybe(
            st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2025, 12, 31)).map(str)
        ),
        "summary": maybe(text),
        "sources": maybe(
            st.lists(
                st.fixed_dictionaries(
                    {"id": st.just("s"), "outlet": maybe(text)}, optional={"url": url}
                ),
                min_size=1,
                max_size=1,
            )
        ),
    },
    optional={
        "key_points": st.lists(maybe(text), max_size=3),
        "sections": st.lists(
            st.fixed_dictionaries({"heading": maybe(text), "text": maybe(text)}), max_size=2
        ),
        "quotes": st.lists(
            st.fixed_dictionaries(
                {"text": maybe(text), "source": st.just("s"), "speaker": actor},
                optional={"role": text, "reported": st.booleans()},
            ),
            max_size=2,
        ),
        "proposals": st.lists(
            st.fixed_dictionaries(
                {
                    "id": some(["p-1", "p-2"], ["Bad Id"]),
                    "title": maybe(text),
                    "status": some(["proposed", "agreed"], ["maybe"]),
                },
                optional={"proponents": st.lists(actor, max_size=2), "notes": maybe(text)},
            ),
            max_size=2,
            unique_by=lambda p: p["id"],
        ),
        "events": st.lists(
            st.fixed_dictionaries(
                {
                    "date": some(["2025-01", "2025-02-03"], ["2025-02-30", "x"]),
                    "what": maybe(text),
                }
            ),
            max_size=2,
        ),
        "positions": st.lists(
            st.fixed_dictionaries(
                {
                    "actor": actor,
                    "stance": some(["supports", "cautious"], ["x"]),
                    "summary": maybe(text),
                }
            ),
            max_size=2,
        ),
        "tags": st.lists(maybe(text), max_size=3),
        "related": st.lists(
            some(["border-talks", "patrols-agreed"], ["generated", "../x", "nope"]),
            max_size=2,
        ),
        "questions": st.lists(st.fixed_dictionaries({"question": maybe(text)}), max_size=2),
    },
)
brief = weighted(brief, st.tuples(brief, text, value).map(lambda b: {**b[0], b[1]: b[2]}))

DANGEROUS_TAGS = {
    "script",
    "iframe",
    "style",
    "object",
    "embed",
    "img",
    "form",
    "input",
    "svg",
    "math",
}


PICTURES = {"picture-strip", "picture-map"}
"""The generator's own SVG pictures: allowed, but what they hold is checked like the rest."""


def assert_inert(html: str) -> None:
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(True):
        picture = tag.name == "svg" and PICTURES & set(tag.get("class", []))
        assert picture or tag.name not in DANGEROUS_TAGS, tag
        for attr, val in tag.attrs.items():
            assert not attr.lower().startswith("on"), tag
            if attr in ("href", "src", "xlink:href"):
                assert not str(val).strip().lower().startswith(("javascript:", "data:")), tag


def run(files: dict[str, bytes]) -> str:
    """Generate the fixture briefs plus ``files``; say whether they were rendered or reported."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "briefings"
        shutil.copytree(FIXTURES / "valid", folder)
        for name, data in files.items():
            (folder / name).write_bytes(data)
        base = load_settings(ROOT / "site_config.yml", briefings_dir=folder)
        config = replace(base, docs_dir=Path(tmp) / "docs", schema_dir=None)
        cards.fonts()  # the map data and the cards' font load once per process, whatever
        pictures.base_map(pictures.project_atlas(config.root))  # the input, so outside the guard
        try:
            with guarded(memory=False):  # no input may hang the pipeline
                pipeline.generate(config)
        except BriefingsError as exc:
            assert exc.problems
            for problem in exc.problems:
                assert_located(problem, folder)
            return "reported"
        page = config.docs_dir / "briefings" / "generated.md"
        if page.exists():
            # the front matter ends at the first line that is only '---' (a title may end in ---)
            body = page.read_text(encoding="utf-8").split("\n---\n", 1)[1]
            assert_inert(markdown.markdown(body, extensions=EXTENSIONS))
        return "rendered"


def assert_located(problem: Problem, folder: Path) -> None:
    """A problem names its file; one about a value also its line and column, inside the file."""
    assert problem.file.parent == folder, problem
    assert problem.message, problem
    if problem.key_path:
        assert problem.position is not None, problem
    if problem.position is not None:
        # YAML breaks lines at \r and U+2028 too; the end of the stream is the line past the last.
        lines = len(problem.file.read_bytes().decode("utf-8", "replace").splitlines())
        assert 1 <= problem.position.line <= lines + 1, problem
        assert problem.position.column >= 1, problem


def test_generated_briefs_are_rendered_inert_or_reported():
    """Both outcomes must occur, or the strategy has stopped exercising one of them."""
    outcomes: Counter[str] = Counter()

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(brief)
    def check(data):
        encoded = yaml.safe_dump(data, allow_unicode=True).encode("utf-8", "surrogatepass")
        outcomes[run({"generated.yml": encoded})] += 1

    check()
    assert outcomes["rendered"] >= 10, outcomes
    assert outcomes["reported"] >= 10, outcomes


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.binary(max_size=300)
    | st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass"))
)
def test_arbitrary_bytes_are_reported_not_crashed_on(data):
    run({"generated.yml": data})


@pytest.mark.parametrize(
    ("position", "key_path"),
    [(Position(0, 1), ()), (Position(3, 1), ()), (Position(1, 0), ()), (None, ("title",))],
    ids=["line 0", "past the end", "column 0", "a value without a place"],
)
def test_a_problem_placed_outside_its_file_fails_the_property(tmp_path, position, key_path):
    brief = tmp_path / "generated.yml"
    brief.write_text("title: x\n", encoding="utf-8")
    with pytest.raises(AssertionError):
        assert_located(Problem(brief, "wrong", position, key_path=key_path), tmp_path)
    assert_located(Problem(brief, "right", Position(2, 1), key_path=key_path), tmp_path)
