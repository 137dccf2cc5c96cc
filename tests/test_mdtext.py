"""Author text renders as exactly that text: no HTML, script or Markdown structure gets in.

Each payload is rendered by Python-Markdown with more extensions than the site
enables (abbreviations, footnotes, definition lists, snippets, Markdown in
HTML…), so that escaping still holds if a site owner turns more of them on.
"""

from __future__ import annotations

import string

import markdown
import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.mdtext import Markdown, escape, rich, safe_url

EXTENSIONS = [
    "admonition", "attr_list", "tables", "toc", "abbr", "footnotes", "def_list", "md_in_html",
    "pymdownx.details", "pymdownx.superfences", "pymdownx.snippets", "pymdownx.tilde",
    "pymdownx.caret", "pymdownx.mark", "pymdownx.keys",
]  # fmt: skip


def clean(text: str) -> str:
    """Text as the models hand it over: trimmed, inner space folded."""
    return " ".join(text.split())


def to_html(text: str) -> BeautifulSoup:
    return BeautifulSoup(markdown.markdown(text, extensions=EXTENSIONS), "html.parser")


def only_paragraphs(soup: BeautifulSoup) -> bool:
    return {tag.name for tag in soup.find_all(True)} <= {"p"}


INJECTIONS = {
    "html": "<b>bold</b> <img src=x onerror=alert(1)>",
    "script": "<script>alert(1)</script>",
    "iframe and style": "<iframe src=https://evil.example></iframe><style>*{}</style>",
    "admonition": "!!! danger",
    "details": "??? note",
    "heading": "# Heading",
    "setext heading": "Title\n=====",
    "thematic break": "---",
    "list": "- item",
    "ordered list": "1. item",
    "blockquote": "> quoted",
    "code fence": "```js",
    "indented code": "    code",
    "table": "a | b\n--|--\nc | d",
    "attribute list": "text {: onclick=alert(1) }",
    "attribute list on its own": "{: .x onclick=alert(1) }",
    "abbreviation": "*[HTML]: Hyper Text",
    "link reference": "[x]: https://evil.example",
    "footnote": "[^1]: note",
    "definition": ": definition",
    "snippet include": '--8<-- "/etc/passwd"',
    "markdown link": "[click](https://evil.example)",
    "javascript link": "[click](javascript:alert(1))",
    "data link": "[click](data:text/html;base64,PHNjcmlwdD4=)",
    "image": "![x](https://evil.example/x.png)",
    "autolink": "<https://evil.example>",
    "entity": "&lt;b&gt; &amp;",
    "jinja": "{{ config.site_name }} {% include 'x' %}",
    "emphasis": "*a* _b_ **c** ~~d~~ ^^e^^ ==f== ++ctrl++",
    "html comment": "<!-- hidden -->",
    "markdown in html": '<div markdown="1">**x**</div>',
}


@pytest.mark.parametrize("payload", INJECTIONS.values(), ids=INJECTIONS.keys())
def test_plain_text_renders_literally(payload):
    soup = to_html(escape(clean(payload)))
    assert only_paragraphs(soup), soup
    assert soup.get_text() == clean(payload)


@pytest.mark.parametrize("payload", INJECTIONS.values(), ids=INJECTIONS.keys())
def test_plain_text_stays_literal_inside_a_table_cell(payload):
    table = f"| a | b |\n| --- | --- |\n| {escape(clean(payload))} | end |\n"
    soup = to_html(table)
    cells = soup.find_all("td")
    assert [c.get_text() for c in cells] == [clean(payload), "end"]
    assert {t.name for t in soup.find_all(True)} == {"table", "thead", "tbody", "tr", "th", "td"}


@pytest.mark.parametrize("payload", INJECTIONS.values(), ids=INJECTIONS.keys())
def test_plain_text_stays_literal_inside_an_admonition(payload):
    soup = to_html(f'!!! quote "{escape(clean(payload))}"\n\n    {escape(clean(payload))}\n')
    box = soup.find("div", class_="admonition")
    assert box is not None
    assert [p.get_text() for p in box.find_all("p")] == [clean(payload)] * 2


ALLOWED_TAGS = {"p", "em", "strong", "a"}


@pytest.mark.parametrize("payload", INJECTIONS.values(), ids=INJECTIONS.keys())
def test_rich_text_allows_only_emphasis_and_web_links(payload):
    soup = to_html(rich(payload))
    assert {t.name for t in soup.find_all(True)} <= ALLOWED_TAGS
    for anchor in soup.find_all("a"):
        assert anchor["href"].startswith("https://"), anchor
    for tag in soup.find_all(True):
        assert set(tag.attrs) <= {"href"}, tag


def test_rich_text_keeps_its_formatting():
    soup = to_html(rich("A *b* **c** [FT](https://ft.example/x_(y)?a=1&b=2).\n\nNext."))
    assert str(soup) == (
        '<p>A <em>b</em> <strong>c</strong> <a href="https://ft.example/x_%28y%29?a=1&amp;b=2">'
        "FT</a>.</p>\n<p>Next.</p>"
    )


def test_rich_text_drops_unsafe_links_but_keeps_their_words():
    soup = to_html(rich("see [this](javascript:alert(1)) and [that](ftp://x.example/)"))
    assert soup.find("a") is None
    assert "this" in soup.get_text()
    assert "that" in soup.get_text()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.example/b?c=1&d=2", "https://a.example/b?c=1&d=2"),
        ("https://a.example/(x)", "https://a.example/%28x%29"),
        ("https://a.example/a b", "https://a.example/a%20b"),
        (
            "https://a.example/x)[y](javascript:z)",
            "https://a.example/x%29%5By%5D%28javascript:z%29",
        ),
        ("javascript:alert(1)", None),
        ("data:text/html,x", None),
        ("//a.example/x", None),
        ("mailto:x@a.example", None),
    ],
)
def test_safe_url(url, expected):
    assert safe_url(url) == expected


def test_markdown_values_pass_through_escape_unchanged():
    assert escape(Markdown("**x**")) == "**x**"


printable = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))
    | st.sampled_from(string.punctuation),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(printable)
def test_any_text_renders_exactly_as_written(text):
    soup = to_html(escape(clean(text)))
    assert only_paragraphs(soup)
    assert soup.get_text() == clean(text)
