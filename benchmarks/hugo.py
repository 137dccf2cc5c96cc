"""Hugo beside the generator: a comparable Hugo site made from the same synthetic corpus.

Issue 15's targets are written against Hugo (Debian's 0.111, which ``make bench``
installs): a publish must take no longer than Hugo's cold build of the same number
of pages. So the benchmark writes, from the corpus it made for the generator, a
Hugo project with one content page per brief (the same prose: summary, key points,
sections, quotes, events, positions and questions), taxonomies for tags and actors,
and a minimal layout of its own. No theme is downloaded and nothing is fetched;
the project lives in the benchmark's temporary folder.

Run on its own::

    .venv/bin/python -m benchmarks.hugo CORPUS_DIR HUGO_PROJECT   # write, build once
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from benchmarks import timing

HUGO = os.environ.get("BRIEFINGS_HUGO", "hugo")
"""The Hugo command; Debian's package puts it on the PATH."""

MISSING = (
    "no `hugo` on the PATH (`make bench` installs Debian's package): Hugo's figures are skipped"
)

CONFIG = """\
baseURL = "https://hugo.example.org/"
languageCode = "en"
title = "Briefings (Hugo, for the benchmark)"
enableGitInfo = false
enableRobotsTXT = false
disableHugoGeneratorInject = true
paginate = 50

[taxonomies]
  tag = "tags"
  actor = "actors"
"""
"""Tags and actors as taxonomies, as the generator makes topic and actor pages;
lists paginate by 50 rather than growing with the archive."""

LAYOUTS: dict[str, str] = {
    "_default/baseof.html": """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} · {{ .Site.Title }}</title>
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "_default/single.html": """\
{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time></p>
<p class="summary">{{ .Params.summary }}</p>
{{ .Content }}
<ul class="tags">{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
<ul class="actors">{{ range .GetTerms "actors" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
</article>
{{ end }}
""",
    "_default/list.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ $paginator := .Paginate .Pages }}
<ul>
{{ range $paginator.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2006-01-02" }}</time><p>{{ .Params.summary }}</p></li>
{{ end }}
</ul>
<nav>{{ if $paginator.HasPrev }}<a href="{{ $paginator.Prev.URL }}">Newer</a>{{ end }}
{{ if $paginator.HasNext }}<a href="{{ $paginator.Next.URL }}">Older</a>{{ end }}</nav>
{{ end }}
""",
    "_default/terms.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.ByCount }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>
{{ end }}
""",
    "index.html": """\
{{ define "main" }}
<h1>{{ .Site.Title }}</h1>
{{ $paginator := .Paginate (where .Site.RegularPages "Section" "briefings") }}
<ul>
{{ range $paginator.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2006-01-02" }}</time><p>{{ .Params.summary }}</p></li>
{{ end }}
</ul>
<nav>{{ if $paginator.HasNext }}<a href="{{ $paginator.Next.URL }}">Older</a>{{ end }}</nav>
{{ end }}
""",
}


@dataclass(frozen=True)
class HugoBuild:
    """One timed ``hugo --quiet``: seconds, HTML files it wrote, peak memory."""

    seconds: float
    html_files: int
    peak_rss_mb: float


def available() -> str | None:
    """Why Hugo cannot run here, or None when it can."""
    return None if shutil.which(HUGO) else MISSING


def version() -> str:
    """``hugo version``'s line, for the report."""
    done = subprocess.run([HUGO, "version"], capture_output=True, text=True, check=False)
    return done.stdout.strip()


def _text(value: Any) -> str:
    """A YAML scalar as prose (folded text, or a string the loader left as it was)."""
    return " ".join(str(value).split()) if value is not None else ""


def _paragraphs(value: Any) -> str:
    """Folded text with its blank-line paragraph breaks kept, as Markdown paragraphs."""
    return "\n\n".join(_text(part) for part in str(value).split("\n\n") if part.strip())


def _item_text(item: Any, key: str) -> str:
    """A key point or similar list item: a plain string, or a mapping with ``key``."""
    return _text(item.get(key)) if isinstance(item, Mapping) else _text(item)


def _body(brief: Mapping[str, Any], actor_names: Mapping[str, str]) -> Iterator[str]:
    """The brief's prose as Markdown: what a reader of its page reads."""
    yield "## Key points\n"
    for point in brief.get("key_points") or []:
        yield f"- {_item_text(point, 'text')}"
    yield ""
    for section in brief.get("sections") or []:
        yield f"## {_text(section.get('heading'))}\n"
        yield _paragraphs(section.get("text", "")) + "\n"
    if brief.get("quotes"):
        yield "## Quotes\n"
    for quote in brief.get("quotes") or []:
        who = actor_names.get(quote.get("speaker", ""), _text(quote.get("role")))
        yield f"> {_text(quote.get('text'))}\n>\n> — {who}\n"
    if brief.get("events"):
        yield "## Events\n"
    for event in brief.get("events") or []:
        yield f"- **{_text(event.get('date'))}**: {_text(event.get('what'))}"
    yield ""
    if brief.get("positions"):
        yield "## Positions\n"
    for position in brief.get("positions") or []:
        actor = actor_names.get(position.get("actor", ""), position.get("actor", ""))
        yield f"- **{actor}** ({position.get('stance')}): {_text(position.get('summary'))}"
    yield ""
    if brief.get("questions"):
        yield "## Questions\n"
    for question in brief.get("questions") or []:
        yield f"- {_item_text(question, 'question')}"
    yield ""
    if brief.get("sources"):
        yield "## Sources\n"
    for source in brief.get("sources") or []:
        title = _text(source.get("title")) or _text(source.get("outlet"))
        yield f"- [{title}]({source.get('url')}), {_text(source.get('outlet'))}"
    yield ""


def content_page(brief: Mapping[str, Any], actor_names: Mapping[str, str]) -> str:
    """One Hugo content file: JSON front matter (safe for any title), Markdown body."""
    front: dict[str, Any] = {
        "title": _text(brief.get("title")),
        "date": str(brief.get("date")),
        "summary": _text(brief.get("summary")),
        "tags": [str(tag) for tag in brief.get("tags") or []],
        "actors": [actor_names.get(a, a) for a in brief.get("actors") or []],
    }
    if brief.get("updated"):
        front["lastmod"] = str(brief["updated"])
    return (
        json.dumps(front, ensure_ascii=False, indent=1)
        + "\n\n"
        + "\n".join(_body(brief, actor_names))
    )


def write_site(briefings: Path, target: Path) -> int:
    """Write a Hugo project for the briefs in ``briefings`` into ``target``.

    Returns the number of content pages (one per brief). The layout, configuration
    and content are all written here: Hugo needs nothing else.
    """
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    actors_file = briefings / "actors.yml"
    actors = yaml.load(actors_file.read_text(encoding="utf-8"), Loader=loader) or {}
    names = {key: str(value.get("name", key)) for key, value in actors.items()}
    shutil.rmtree(target, ignore_errors=True)
    content = target / "content" / "briefings"
    content.mkdir(parents=True)
    (target / "config.toml").write_text(CONFIG, encoding="utf-8")
    for name, text in LAYOUTS.items():
        path = target / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (content / "_index.md").write_text('{"title": "Briefings"}\n', encoding="utf-8")
    pages = 0
    for path in sorted(briefings.glob("*.yml")):
        if path.name == actors_file.name:
            continue
        brief = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
        (content / f"{path.stem}.md").write_text(content_page(brief, names), encoding="utf-8")
        pages += 1
    return pages


def count_html(folder: Path) -> int:
    """HTML files under ``folder``."""
    return sum(1 for _ in folder.rglob("*.html"))


def build(project: Path) -> HugoBuild:
    """Time one cold ``hugo --quiet``: no ``public/``, no ``resources/``, an empty cache."""
    for leftover in ("public", "resources"):
        shutil.rmtree(project / leftover, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="hugo-cache-") as cache:
        done = timing.run(
            [HUGO, "--quiet", "--cacheDir", cache, "--destination", "public"], project
        )
    if done.returncode != 0:
        raise RuntimeError(f"hugo failed ({done.returncode}):\n{done.stderr}")
    return HugoBuild(done.seconds, count_html(project / "public"), done.peak_rss_mb)


def main(argv: list[str] | None = None) -> int:
    """Write a Hugo project from a corpus folder and time one cold build."""
    parser = argparse.ArgumentParser(description="Hugo beside the generator.")
    parser.add_argument("briefings", type=Path, help="a corpus (benchmarks.corpus)")
    parser.add_argument("project", type=Path, help="where the Hugo project goes")
    args = parser.parse_args(argv)
    pages = write_site(args.briefings, args.project)
    missing = available()
    if missing:
        print(f"wrote {pages} content pages; {missing}")
        return 0
    run = build(args.project)
    print(
        f"{version()}\n{pages} content pages: {run.seconds:.2f} s, "
        f"{run.html_files:,} HTML files, peak RSS {run.peak_rss_mb:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
