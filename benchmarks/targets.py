"""Issue 15's targets, from the benchmark's figures: beside Hugo, per size, and in one table.

Everything here is formatting and arithmetic on the ``results`` dictionary the
benchmark builds (one entry per corpus size); nothing is timed, so it is unit-tested
(``tests/test_bench.py``). A figure that was not measured (Hugo missing, no browser,
a skipped step) shows as ``-`` and its target as ``n/a``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Results = Mapping[int, Mapping[str, Any]]
"""The benchmark's figures: corpus size → that size's results."""


def _get(result: Mapping[str, Any], *keys: str | int) -> Any:
    """``result[k1][k2]…``, or None where any step is missing."""
    value: Any = result
    for key in keys:
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


def _kb(value: Any) -> float | None:
    return None if value is None else value / 1000


def hugo_seconds(result: Mapping[str, Any]) -> float | None:
    """Hugo's cold build at this size, in seconds (None when Hugo was not run)."""
    return _get(result, "hugo", "seconds")


def memory_mb(result: Mapping[str, Any]) -> float | None:
    """The generator's peak memory: the proportional set size of its processes summed
    (each shared page counted once), or ``ru_maxrss`` where PSS is not available."""
    stages = result.get("stages") or {}
    pss = stages.get("pss_peak_mb") or 0
    return pss or stages.get("rss_peak_mb")


@dataclass(frozen=True)
class Target:
    """One row of the targets table."""

    label: str
    pick: Callable[[Mapping[str, Any]], float | None]
    """Our figure at one size."""
    unit: str
    limit: float | None = None
    """The most the figure may be; None: reported only."""
    hugo: Callable[[Mapping[str, Any]], float | None] | None = None
    """Hugo's figure to put beside ours, if it has one."""
    within_hugo: bool = False
    """The target is Hugo's own figure (ours ≤ Hugo's)."""

    def limit_at(self, result: Mapping[str, Any]) -> float | None:
        """The figure's ceiling at this size (Hugo's figure when the target is Hugo)."""
        if self.within_hugo and self.hugo:
            return self.hugo(result)
        return self.limit


TARGETS: tuple[Target, ...] = (
    Target("cold build (s), ratio to Hugo", lambda r: _get(r, "builds", "median", "cold"), "s",
           hugo=hugo_seconds),
    Target("no-change build <= 3 s", lambda r: _get(r, "builds", "median", "no_change"), "s",
           limit=3.0, hugo=hugo_seconds),
    Target("publish (new brief + build) <= Hugo cold",
           lambda r: _get(r, "builds", "median", "publish"), "s", hugo=hugo_seconds,
           within_hugo=True),
    Target("one edit + build (s)", lambda r: _get(r, "builds", "median", "edit"), "s",
           hugo=hugo_seconds),
    Target("preview, save -> Chromium <= 1 s", lambda r: _get(r, "preview", "median"), "s",
           limit=1.0),
    Target("search, ten results <= 400 KB",
           lambda r: _kb(_get(r, "search", "ten_results", "bytes")), "KB", limit=400.0),
    Target("search, nothing found (KB)",
           lambda r: _kb(_get(r, "search", "no_results", "bytes")), "KB"),
    Target("largest page <= 150 KB", lambda r: _kb(_get(r, "builds", "largest", "bytes")), "KB",
           limit=150.0, hugo=lambda r: _kb(_get(r, "hugo", "largest", "bytes"))),
    Target("pages over 150 KB", lambda r: _get(r, "builds", "largest", "over_limit"), "",
           limit=0.0),
    Target("generator peak memory <= 300 MB", memory_mb, "MB", limit=300.0,
           hugo=lambda r: _get(r, "hugo", "peak_rss_mb")),
    Target("HTML pages", lambda r: _get(r, "builds", "largest", "html_files"), "",
           hugo=lambda r: _get(r, "hugo", "html_files")),
)  # fmt: skip


def number(value: float | None, unit: str = "") -> str:
    """A figure as the tables show it: seconds to 2 places, KB to 1, counts and MB whole."""
    if value is None:
        return "-"
    if unit == "s":
        return f"{value:,.2f}"
    if unit == "KB":
        return f"{value:,.1f}"
    return f"{value:,.0f}"


def ratio(ours: float | None, theirs: float | None) -> str:
    """``ours / theirs`` as ``12.34x``, or ``-`` when either is missing or theirs is 0."""
    if ours is None or not theirs:
        return "-"
    return f"{ours / theirs:.2f}x"


def met(target: Target, result: Mapping[str, Any]) -> str:
    """``yes``/``NO`` against the target's limit at this size; ``n/a`` if nothing to judge."""
    limit = target.limit_at(result)
    value = target.pick(result)
    if limit is None:
        return "n/a" if target.within_hugo else ""
    if value is None:
        return "n/a"
    return "yes" if value <= limit else "NO"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns separated by `` | ``, the first left-aligned, the rest right-aligned."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        first, *rest = cells
        parts = [first.ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(rest, widths[1:], strict=True)
        ]
        return " | ".join(parts)

    rule = "-+-".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def targets_table(results: Results) -> str:
    """The final table: ``target | <each size> | Hugo | ratio | met?``.

    Hugo, the ratio and met? are those of the largest size measured (10,000 in the
    issue's run): the targets are set there. Below it, a line says which size that is.
    """
    sizes = sorted(results)
    if not sizes:
        return "(nothing measured)"
    top = results[sizes[-1]]
    header = ["target", *(f"{n:,}" for n in sizes), "Hugo", "ratio", "met?"]
    rows = []
    for target in TARGETS:
        ours = [number(target.pick(results[n]), target.unit) for n in sizes]
        hugo = target.hugo(top) if target.hugo else None
        rows.append(
            [
                target.label,
                *ours,
                number(hugo, target.unit),
                ratio(target.pick(top), hugo),
                met(target, top),
            ]
        )
    note = f"Hugo, ratio and met? at {sizes[-1]:,} briefs (the largest size measured)."
    if sizes[-1] < 10_000:
        note += " The targets are set at 10,000."
    return _table(header, rows) + "\n" + note


def versus_hugo(size: int, result: Mapping[str, Any]) -> str:
    """One size's figures with Hugo's beside them and the ratio (ours / Hugo)."""
    hugo = result.get("hugo") or {}
    header = [f"{size:,} briefs", "ours", "Hugo", "ratio"]
    rows = []
    for target in TARGETS:
        ours = target.pick(result)
        theirs = target.hugo(result) if target.hugo else None
        rows.append([target.label, number(ours, target.unit), number(theirs, target.unit),
                     ratio(ours, theirs)])  # fmt: skip
    build_rss = _get(result, "builds", "peak_rss_mb")
    rows.append(["briefings build, peak RSS (MB)", number(build_rss, "MB"),
                 number(hugo.get("peak_rss_mb"), "MB"), ratio(build_rss, hugo.get("peak_rss_mb"))])  # fmt: skip
    lines = [_table(header, rows)]
    if "skipped" in hugo:
        lines.append(f"Hugo: {hugo['skipped']}")
    elif hugo:
        lines.append(
            f"Hugo: {hugo.get('version', '')}; {hugo.get('content_pages', 0):,} content pages, "
            "timed as `hugo --quiet` with a fresh public/ and an empty cache"
        )
    largest = _get(result, "builds", "largest")
    if largest:
        lines.append(
            f"largest page: {largest['path']} ({largest['bytes'] / 1000:,.0f} KB); "
            f"{largest['over_limit']:,} of {largest['html_files']:,} HTML files over "
            f"{largest['limit'] / 1000:,.0f} KB"
        )
    preview = result.get("preview") or {}
    if "skipped" in preview:
        lines.append(f"preview: {preview['skipped']}")
    return "\n".join(lines)


def target_rows(results: Results) -> list[dict[str, Any]]:
    """The targets table as data, for the JSON output."""
    sizes = sorted(results)
    rows = []
    for target in TARGETS:
        row: dict[str, Any] = {"target": target.label, "unit": target.unit}
        for n in sizes:
            hugo = target.hugo(results[n]) if target.hugo else None
            row[str(n)] = {
                "ours": target.pick(results[n]),
                "hugo": hugo,
                "limit": target.limit_at(results[n]),
                "met": met(target, results[n]) or None,
            }
        rows.append(row)
    return rows
