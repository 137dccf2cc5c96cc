"""Issue 15's figures on a project already built, one step at a time, each printed as measured.

The whole benchmark (``benchmarks.bench``) builds every size cold several times:
at 10,000 briefs that is over an hour on two cores. This runs its own measurements
(:mod:`benchmarks.builds`, :mod:`benchmarks.hugo`, :mod:`benchmarks.search_transfer`)
on a project the benchmark left (``--keep``) or any built corpus::

    .venv/bin/python -m benchmarks.steps PROJECT SIZE [STEPS]

``SIZE`` is the corpus's number of briefs (``benchmarks.corpus`` wrote it with seed 1);
``STEPS`` a comma-separated choice of ``hugo,nochange,publish,edit,pages,search``
(default: all). ``hugo`` needs ``PROJECT-hugo`` (``benchmarks.hugo.write_site``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from benchmarks import builds, hugo, search_transfer
from benchmarks.corpus import write_new_brief

STEPS = ("hugo", "nochange", "publish", "edit", "pages", "search")


def _say(*parts: object) -> None:
    print(time.strftime("%H:%M:%S"), *parts, flush=True)


def _build(project: Path, label: str) -> None:
    run = builds.cli_build(project)
    _say(f"{label}: {run.seconds:.2f} s, peak RSS {run.peak_rss_mb:.0f} MB")


def _publish(project: Path, size: int) -> None:
    """Add the corpus's next brief and build; then build again unchanged, then withdraw it."""
    briefings = project / "briefings"
    new = write_new_brief(briefings, size, 1)
    try:
        _build(project, "publish (one new brief)")
        _build(project, "no change after the publish")
    finally:
        new.unlink()
    _build(project, "the new brief withdrawn")


def _edit(project: Path) -> None:
    edited = builds.edited_brief(project / "briefings")
    original = builds.edit_summary(edited)
    try:
        _build(project, "one edit (a summary)")
    finally:
        edited.write_bytes(original)
    _build(project, "the edit reverted")


def run(project: Path, size: int, steps: list[str]) -> None:
    """Measure ``steps`` in the order of :data:`STEPS`."""
    if "hugo" in steps:
        done = hugo.build(project.with_name(f"{project.name}-hugo"))
        _say(f"hugo cold: {done.seconds:.2f} s, {done.html_files} HTML pages, "
             f"peak {done.peak_rss_mb:.0f} MB")  # fmt: skip
    if "nochange" in steps:
        _build(project, "no change")
        _build(project, "no change again")
    if "publish" in steps:
        _publish(project, size)
    if "edit" in steps:
        _edit(project)
    if "pages" in steps:
        _say("largest pages:", builds.largest_pages(builds.site_folder(project)))
    if "search" in steps:
        for query, found in search_transfer.measure(builds.site_folder(project)).items():
            _say(query, {key: found.get(key) for key in
                         ("bytes", "bytes_gzip", "bytes_by_kind", "results_shown", "bundles")})  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("size", type=int, help="the corpus's number of briefs")
    parser.add_argument("steps", nargs="?", default=",".join(STEPS))
    args = parser.parse_args(argv)
    steps = args.steps.split(",")
    unknown = sorted(set(steps) - set(STEPS))
    if unknown:
        parser.error(f"unknown steps {', '.join(unknown)}; choose from {', '.join(STEPS)}")
    run(args.project, args.size, steps)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
