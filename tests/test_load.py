"""Strict YAML reading: every surprise of YAML 1.1 is either text or an error."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.errors import Position
from generator.load import load_yaml


def read(tmp_path: Path, text: str | bytes, name: str = "brief.yml"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return load_yaml(path)


def messages(doc) -> list[str]:
    return [str(p).split(": ", 1)[1] for p in doc.problems]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("NO", "NO"), ("yes", "yes"), ("on", "on"), ("010", "010"), ("12:30", "12:30"),
     ("1e3", "1e3"), ("2025-09-10", "2025-09-10"), ("~", None), ("'~'", "~"), ('"null"', "null")],
)  # fmt: skip
def test_scalars_stay_text(tmp_path, value, expected):
    doc = read(tmp_path, f"key: {value}\n")
    assert doc.problems == []
    assert doc.data == {"key": expected}


def test_keys_that_yaml_11_would_turn_into_booleans_stay_text(tmp_path):
    doc = read(tmp_path, "on: 1\nno: 2\n")
    assert doc.data == {"on": "1", "no": "2"}


def test_duplicate_key_names_both_positions_and_keeps_the_first(tmp_path):
    doc = read(tmp_path, "title: one\nsummary: x\ntitle: two\n")
    assert messages(doc) == [
        "duplicate key 'title' (first defined at line 1, column 1); "
        "keep one of the two and delete the other"
    ]
    assert doc.problems[0].position == Position(3, 1)
    assert doc.data == {"title": "one", "summary": "x"}


def test_nested_duplicate_key(tmp_path):
    doc = read(tmp_path, "quotes:\n  - text: a\n    text: b\n")
    assert doc.problems[0].position == Position(3, 5)
    assert "first defined at line 2, column 5" in doc.problems[0].message


def test_anchors_are_refused_and_reading_goes_on(tmp_path):
    doc = read(tmp_path, "a: &x [1]\nb: 2\n")
    assert messages(doc) == [
        "anchors (&x) are not allowed; write the value out in full where it is needed"
    ]
    assert doc.data == {"a": ["1"], "b": "2"}


def test_an_alias_stops_reading(tmp_path):
    doc = read(tmp_path, "a: [1]\nb: *x\nc: 3\n")
    assert doc.data is None
    assert messages(doc) == [
        "aliases (*x) are not allowed; write the value out in full where it is needed"
    ]


def test_an_explicit_tag_stops_reading(tmp_path):
    doc = read(tmp_path, "a: 1\nc: !!python/object/apply:os.system [ls]\nd: 4\n")
    assert doc.data is None
    assert messages(doc) == [
        "explicit tags (!!python/object/apply:os.system) are not allowed; "
        "remove the tag; write plain text, lists and mappings only"
    ]


def test_alias_bomb_is_refused_without_expanding(tmp_path):
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}]" for i in range(8)]
    doc = read(tmp_path, "\n".join(lines) + "\n")
    assert doc.problems
    assert all("not allowed" in p.message for p in doc.problems)


def test_second_document_is_an_error(tmp_path):
    doc = read(tmp_path, "title: a\n---\ntitle: b\n")
    assert messages(doc) == [
        "a brief holds one YAML document, but a second one starts here; "
        "remove the '---' line, or split the file in two"
    ]
    assert doc.problems[0].position == Position(2, 1)


def test_syntax_error_has_position_and_hint(tmp_path):
    doc = read(tmp_path, "title: a: b\n")
    assert doc.data is None
    assert messages(doc) == [
        "YAML syntax error: mapping values are not allowed in this context; "
        "a value that contains ': ' must be put in quotes"
    ]
    assert doc.problems[0].position == Position(1, 9)


AFTER_QUOTE = (
    "the text after the closing quote is not part of the value; put the whole value in "
    "quotes, or write it on the next line after '>-'"
)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('title: "a quoted phrase" — Speaker\n', Position(1, 26)),
        ("title: 'it''s quoted' he said\n", Position(1, 23)),
        ('quotes:\n  - text: "Ready," he said\n    source: s\n', Position(2, 20)),
        ('quotes:\n  - "Ready" — A\n', Position(2, 13)),
    ],
)
def test_text_after_a_closing_quote_is_named_as_the_cause(tmp_path, text, where):
    doc = read(tmp_path, text)
    expected = "'-' indicator" if text.startswith('quotes:\n  - "') else "key"
    assert messages(doc) == [f"YAML syntax error: did not find expected {expected}; {AFTER_QUOTE}"]
    assert doc.problems[0].position == where


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("key_points:\n  - A plain point\n    sources: [a]\n", "sources"),
        ("key_points:\n  - One.\n  - Two, with a comma\n    certainty: {level: reported}\n",
         "certainty"),
    ],
)  # fmt: skip
def test_a_key_under_a_plain_list_item_names_the_mapping_form(tmp_path, text, key):
    doc = read(tmp_path, text)
    assert messages(doc) == [
        "YAML syntax error: mapping values are not allowed in this context; an item with "
        f"'{key}' is a mapping, not plain text: write '- text: …' and put '{key}: […]' under "
        "it, lined up with 'text'"
    ]


def test_a_key_under_a_mapping_item_keeps_the_quotes_hint(tmp_path):
    doc = read(tmp_path, "key_points:\n  - text: a: b\n    sources: [a]\n")
    assert messages(doc)[0].endswith("a value that contains ': ' must be put in quotes")


def test_tab_indentation_is_explained(tmp_path):
    doc = read(tmp_path, "title:\n\t- a\n")
    assert doc.problems[0].hint == "indent with spaces, not tabs"


def test_invalid_utf8_names_line_and_column(tmp_path):
    doc = read(tmp_path, b"title: ok\nsummary: caf\xe9\n")
    assert messages(doc) == ["invalid UTF-8 byte 0xe9; save the file as UTF-8 in your editor"]
    assert doc.problems[0].position == Position(2, 13)


def test_utf16_is_refused(tmp_path):
    doc = read(tmp_path, "title: a\n".encode("utf-16"))
    assert messages(doc) == ["the file is UTF-16, not UTF-8; save it as UTF-8 in your editor"]


def test_bom_and_crlf_are_accepted(tmp_path):
    doc = read(tmp_path, b"\xef\xbb\xbftitle: a\r\nsummary: b\r\n")
    assert doc.problems == []
    assert doc.data == {"title": "a", "summary": "b"}


def test_nul_byte_is_refused_with_position(tmp_path):
    doc = read(tmp_path, b"title: a\x00b\n")
    assert messages(doc) == [
        "control character U+0000 is not allowed; "
        "delete it; it is invisible and was probably pasted by accident"
    ]
    assert doc.problems[0].position == Position(1, 9)


def test_oversize_file_is_refused_before_reading(tmp_path):
    doc = read(tmp_path, "title: " + "x" * 300_000 + "\n")
    assert doc.data is None
    assert messages(doc) == [
        "the file is 300,008 bytes; the limit is 262,144; split it into several briefs"
    ]


def test_deep_nesting_is_refused(tmp_path):
    doc = read(tmp_path, "a: " + "[" * 30 + "]" * 30 + "\n")
    assert doc.data is None
    assert messages(doc)[0].startswith("nesting deeper than 12 levels")


def test_positions_of_keys_and_values(tmp_path):
    doc = read(tmp_path, "quotes:\n  - text: hi\n    speaker: x\n")
    assert doc.position(("quotes", 0, "speaker")) == Position(3, 14)
    assert doc.position(("quotes", 0, "speaker"), key=True) == Position(3, 5)
    assert doc.position(("quotes", 0, "missing")) == Position(2, 5)


# --- The fast reader and the exact reader agree ------------------------------

FRAGMENTS = [
    "a: b", "a: b #c", "a: b # c", "a: 'b' #c", "a: ! x", "a: !!str x", "a: !t [x]", "a: &x y",
    "b: *x", "a: |\n  x #y", "a: >-\n  folded\n  text", "- a", "- ~", "- ''", "  - nested",
    "a:", "a: {b: c, b: d}", "a: [x #y\n  ]", "? [a]\n: b", "---", "...", "a: R&D", "a: Stop!",
    "a: 'it''s'", 'a: "tab\\tnull\\0"', "a: x: y", "\ta: tab", "a: NO", "on: yes", "a: 2024-02-30",
    "a: [1, [2, [3]]]", "a: {b: {c: {d: e}}}", "# comment", "a: b\n  c", "c: 'unclosed",
]  # fmt: skip


@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=6))
@settings(max_examples=300, deadline=None)
def test_fast_and_exact_readers_agree(fragments):
    """The C-composed reader is only a shortcut: same data, same problems, or it steps aside."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "brief.yml"
        path.write_text("\n".join(fragments) + "\n", encoding="utf-8")
        fast, exact = load_yaml(path), load_yaml(path, positions=True)
        assert fast.data == exact.data
        assert [str(p) for p in fast.problems] == [str(p) for p in exact.problems]
        if fast.forgotten:  # the shortcut was taken: only for files with nothing to report
            assert exact.problems == []


def test_a_clean_brief_takes_the_fast_reader_and_still_finds_positions(tmp_path):
    doc = read(tmp_path, "title: x\nquotes:\n  - text: hi\n    speaker: x\n")
    assert doc.forgotten and doc.data == {"title": "x", "quotes": [{"text": "hi", "speaker": "x"}]}
    assert doc.position(("quotes", 0, "speaker")) == Position(4, 14)


@pytest.mark.parametrize("text", ["a: ! x\n", "a: &x y\n", "a: x #y\n", "a: 1\na: 2\n"])
def test_anything_to_report_goes_through_the_exact_reader(tmp_path, text):
    doc = read(tmp_path, text)
    assert doc.problems and not doc.forgotten


def test_positions_count_only_the_line_breaks_an_editor_shows(tmp_path):
    doc = load_yaml(
        _write(tmp_path, 'a: "x\u2028y\u2029z"\rb: 1\r\nc: "\u00e9\u2028"\nd: *e\n'), positions=True
    )
    assert doc.problems[0].position == Position(4, 4)
    assert doc.problems[0].message == "aliases (*e) are not allowed"


def test_a_character_libyaml_refuses_is_located_even_without_the_pre_scan(tmp_path, monkeypatch):
    monkeypatch.setattr("generator.load._bad_character", lambda path, text: None)
    doc = read(tmp_path, "a: 1\r# \u00e9\u2028 \uffff\n")
    assert [(p.position, p.message) for p in doc.problems] == [
        (Position(2, 6), "character U+FFFF is not allowed: control characters are not allowed")
    ]


def test_an_invalid_byte_after_cr_line_ends_is_located_as_an_editor_shows_it(tmp_path):
    doc = read(tmp_path, b"a: 1\rb: \xc3\xa9\xff\n")
    assert doc.problems[0].position == Position(2, 5)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "brief.yml"
    path.write_text(text, encoding="utf-8", newline="")
    return path
