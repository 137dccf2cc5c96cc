"""How the case files in cases/ were made (kept for reference; the files are committed)."""
from pathlib import Path
import codecs

CASES = Path(__file__).resolve().parent / "cases"
BASE = """title: {title}
date: 2025-06-01
summary: {summary}
key_points:
  - {point}
sections:
  - heading: {heading}
    text: {text}
quotes:
  - text: {quote}
    speaker: alice-example
    role: {role}
    source: gazette
positions:
  - actor: borduria
    stance: opposes
    summary: {position}
sources:
  - id: gazette
    outlet: {outlet}
    url: {url}
tags: [{tag}]
"""
DEFAULTS = dict(title="A hostile brief", summary="Bottom line.", point="A point.", heading="Section",
                text="Body text.", quote="Words.", role="Minister", position="Against.",
                outlet="The Example Gazette", url="https://gazette.example.org/a", tag="tests")

def brief(**over):
    values = {**DEFAULTS, **over}
    return BASE.format(**values)

def write(name, content):
    path = CASES / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))

def q(s):  # a YAML double-quoted scalar
    import json
    return json.dumps(s, ensure_ascii=False)

# --- YAML ---
write("dup-key-top-level.yml", brief() + "title: Again\n")
write("dup-key-nested.yml", brief(quote="Words.\n    text: Other words."))
write("yaml11-no-stays-text.yml", brief(title="NO", summary="yes", point="on"))
write("yaml11-on-as-key.yml", brief() + "on: true\n")
write("octal-stays-text.yml", brief(title="010", tag="010"))
write("sexagesimal-stays-text.yml", brief(title="12:30"))
write("exponent-stays-text.yml", brief(title="1e3"))
write("impossible-date.yml", brief().replace("date: 2025-06-01", "date: 2024-02-30"))
write("timestamp-for-date.yml", brief().replace("date: 2025-06-01", "date: 2025-06-01T10:00:00Z"))
write("tag-python-object.yml", brief(title='!!python/object/apply:os.system ["echo pwned"]'))
write("tag-set.yml", brief() + "related: !!set {a, b}\n")
write("tag-binary.yml", brief(title="!!binary aGVsbG8="))
write("anchor-and-alias.yml", brief(title="&t A title", summary="*t"))
write("alias-bomb.yml", "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n" + brief())
write("self-referential-alias.yml", brief() + "related: &r [*r]\n")
write("deep-nesting.yml", brief() + "questions: " + "[" * 40 + "]" * 40 + "\n")
write("several-documents.yml", brief() + "---\n" + brief())
write("empty-file.yml", "")
write("comments-only.yml", "# nothing here\n")
write("top-level-list.yml", "- title: A list\n- date: 2025-06-01\n")
write("tab-indentation.yml", brief().replace("  - A point.", "\t- A point."))
write("unquoted-colon-space.yml", brief(title="NATO: the options: explained"))
write("hash-truncates-value.yml", brief(title="Issue #5 of the series"))
# --- bytes ---
write("invalid-utf8.yml", brief().encode("utf-8").replace(b"Bottom line.", b"Bottom l\xe9ne."))
write("utf16.yml", brief().encode("utf-16"))
write("nul-byte.yml", brief().encode("utf-8").replace(b"Bottom line.", b"Bottom\x00line."))
write("control-char-escape.yml", brief(summary=q("Bell\u0007 here")))
write("lone-surrogate-escape.yml", brief(summary='"Half \\ud800 a pair"'))
write("line-separator.yml", brief(summary=q("First\u2028second")))
write("bidi-override.yml", brief(title=q("Harmless \u202egnp.exe")))
write("zero-width-space.yml", brief(title="Zero\u200bwidth"))
write("utf8-bom.yml", codecs.BOM_UTF8 + brief(title="With a BOM").encode("utf-8"))
write("crlf-line-ends.yml", brief(title="CRLF lines").replace("\n", "\r\n"))
# --- characters and messages (issue #11, item 4) ---
write("noncharacter-escapes.yml", brief(title='"A \\uFFFF title"', summary='"Bottom \\uFFFE line."', tag='"\\uFDD0"', role='"Minister \\U0010FFFF"'))
write("noncharacter-raw-in-comment.yml", "# a note \uffff\n" + brief())
write("noncharacter-raw-plane-1.yml", brief(title="Emoji plane end \U0001fffe"))
write("terminal-escape-in-date.yml", brief().replace("date: 2025-06-01", 'date: "\\e[2J\\e]0;x\\a"'))
write("newline-in-date.yml", brief().replace("date: 2025-06-01", 'date: "2025-06-01\\nrm -rf"'))
write("key-with-brackets.yml", brief() + "tags[0]: x\nnotes(1): y\n")
write("nbsp-in-key.yml", brief().replace("title:", "title\u00a0:"))
write("hangul-filler-title.yml", brief(title=q("\u3164\u3164\u3164")))
write("braille-blank-summary.yml", brief(summary=q("\u2800 \u2800")))
write("invisible-only-title.yml", brief(title=q("\u200b\u2060\u200b")))
write("overlong-title.yml", brief(title="x" * 300))
write("line-separator-then-error.yml", brief(summary=q("First\u2028second\u2029third")) + "on: true\n")
write("cr-line-ends-then-error.yml", (brief() + "on: true\n").replace("\n", "\r"))
# --- injection ---
write("script-in-title.yml", brief(title=q("<script>alert(1)</script>")))
write("event-handler-in-summary.yml", brief(summary=q('<img src=x onerror="alert(1)"> <a href="#" onclick="alert(2)">x</a>')))
write("iframe-in-key-point.yml", brief(point=q('<iframe src="https://evil.example/"></iframe>')))
write("style-in-section.yml", brief(text=q("<style>body{display:none}</style>")))
write("javascript-url.yml", brief(url="javascript:alert(1)"))
write("data-url.yml", brief(url=q("data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==")))
write("javascript-link-in-rich-text.yml", brief(summary=q("Read [this](javascript:alert(1)) and [that](data:text/html,x).")))
write("url-closing-its-link.yml", brief(url=q("https://gazette.example.org/x)[click](javascript:alert(1)")))
write("markdown-link-and-image-in-quote.yml", brief(quote=q("[click](https://evil.example) ![img](https://evil.example/x.png)")))
write("admonition-line.yml", brief(text="|\n      Before.\n\n      !!! danger \"Hacked\"\n\n          Injected body.\n"))
write("heading-in-key-point.yml", brief(point=q("# Heading")))
write("thematic-break.yml", brief(text="|\n      Before.\n\n      ---\n\n      ***\n"))
write("table-pipe-in-cell.yml", brief(position=q("a | b || c")))
write("attribute-list.yml", brief(title=q("Title {: onclick=alert(1) }"), heading=q("Heading { #id .cls onmouseover=alert(2) }")))
write("abbreviation-definition.yml", brief(text="|\n      *[HTML]: Hacked Text Markup Language\n\n      HTML is here.\n"))
write("link-reference-definition.yml", brief(text="|\n      [x]: javascript:alert(1)\n\n      Click [x].\n"))
write("footnote-definition.yml", brief(text="|\n      Text[^1].\n\n      [^1]: A footnote.\n"))
write("snippet-include.yml", brief(text=q('--8<-- "/etc/passwd"')))
write("jinja-syntax.yml", brief(summary=q("{{ config.site_name }} {% include 'base.html' %} {# c #}")))
write("front-matter-smuggling.yml", brief(title=q("Title\ntemplate: evil.html\n---\n# Injected")))
write("html-comment.yml", brief(summary=q("Visible <!-- hidden --> text")))
write("raw-html-block.yml", brief(text="|\n      <div markdown=\"1\">**bold**</div>\n"))
# --- references ---
write("unknown-actor.yml", brief().replace("speaker: alice-example", "speaker: alice"))
write("unknown-related.yml", brief() + "related: [no-such-brief]\n")
write("related-to-itself.yml", brief() + "related: [related-to-itself]\n")
write("absolute-path-in-related.yml", brief() + "related: [/etc/passwd]\n")
write("dot-dot-in-related.yml", brief() + "related: [../../etc/passwd]\n")
# --- paths (file names) ---
write("a..b.yml", brief())
write("index.yml", brief())
write("404.yml", brief())
write("search.yml", brief())
write("assets.yml", brief())
write("con.yml", brief())
write("nul.yml", brief())
write("café.yml", brief())
write(".yml", brief())
write("Case-Twin.yml", brief())
write("case-twin.yml", brief())
write("symlink-target.yml", brief())
print("written", len(list(CASES.iterdir())))
