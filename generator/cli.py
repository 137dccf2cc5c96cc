"""The ``briefings`` command: check, build and preview a briefing site."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import yaml

from generator import load, lookup, pipeline, report
from generator.config import CONFIG_FILE, SettingsError, load_settings
from generator.errors import BriefingsError, BuildError, Problem, Severity, display_path

# The stages that read briefs (validation, models, rendering) are imported by the
# commands that use them: `briefings build` with nothing changed needs none of them.

log = logging.getLogger(__name__)

INTERRUPTED = 130
"""The exit status of a command stopped by Ctrl-C, as shells report it (128 + SIGINT)."""


def _print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def _summary(errors: int, warnings: int, files: int) -> str:
    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')} in {plural(files, 'file')}"


def cmd_check(args: argparse.Namespace) -> int:
    """Validate every brief; print each problem; exit 1 when any is an error."""
    settings = load_settings(args.config, briefings_dir=args.briefings)
    checked = pipeline.check(settings)
    problems = sorted(checked.report.problems, key=Problem.sort_key)
    errors, warnings = len(checked.report.errors), len(checked.report.warnings)
    if args.format == "json":
        print(report.format_json(problems))
        return 1 if errors else 0
    if args.format == "github":
        if problems:
            print(report.format_github(problems))
        return 1 if errors else 0
    if problems:
        print(report.format_text(problems, colour=report.use_colour(sys.stderr)), file=sys.stderr)
    if errors:
        files = len({p.file for p in problems})
        print(_summary(errors, warnings, files), file=sys.stderr)
        return 1
    print(f"{len(checked.briefs)} briefs and {len(checked.actors)} actors are valid", end="")
    print(f" ({warnings} warnings)" if warnings else "")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    """Start a new brief from the commented template, dated ``--date`` or today.

    A shortened file name is announced by the scaffold's warning, printed before
    the file is created; a date to come is an embargo, which the author should know.
    """
    from generator import scaffold  # imported late: see the imports

    settings = load_settings(args.config, briefings_dir=args.briefings)
    try:
        day = scaffold.parse_date(args.date) if args.date else settings.today
        path = scaffold.new_brief(settings.briefings_dir, args.title, today=day)
    except (FileExistsError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"created {display_path(path)}, dated {day.isoformat()}, as a draft; ", end="")
    print("run 'briefings check' as you fill it in")
    if day > settings.today:
        print(
            f"note: {day.isoformat()} is still to come: once published, the brief is held "
            "back until that day"
        )
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    """Rewrite the JSON Schema files editors use; never from an invalid actor registry.

    Only the registry is read: the list of actor ids is the one schema that
    depends on the briefs folder. From a registry with errors it would be wrong
    (an empty list, or one missing the broken entries), and the pre-commit hook
    would commit it, so the files are left as they are.
    """
    from generator import validate  # imported late: see the imports
    from generator.schema import write_schemas

    settings = load_settings(args.config, briefings_dir=args.briefings)
    actors, problems = validate.validate_actors(load.read_actors(settings.briefings_dir))
    problems = sorted(problems, key=Problem.sort_key)
    if problems:
        print(report.format_text(problems, colour=report.use_colour(sys.stderr)), file=sys.stderr)
    errors = sum(1 for p in problems if p.severity is Severity.ERROR)
    if errors:
        noun = "error" if errors == 1 else "errors"
        print(
            f"schema files left unchanged: {errors} {noun} in the actor registry", file=sys.stderr
        )
        return 1
    folder = settings.schema_dir or settings.root / "schema"
    readable = lookup.read(settings.briefings_dir)  # the known ids of what can be read
    for note in lookup.notes(readable):
        print(note, file=sys.stderr)
    changed = write_schemas(folder, actors, readable.places, readable.briefs)
    print(f"updated {', '.join(changed)}" if changed else "the schema files are up to date")
    return 0


def cmd_ids(args: argparse.Namespace) -> int:
    """List the ids of one kind that briefs can reuse; exit 1 when WORD matched none."""
    settings = load_settings(args.config, briefings_dir=args.briefings)
    return lookup.list_ids(settings, args.kind, args.word, args.format, sys.stdout, sys.stderr)


def cmd_build(args: argparse.Namespace) -> int:
    """Check, render and build the site; the previous site survives any failure."""
    settings = load_settings(args.config, briefings_dir=args.briefings)
    try:
        result = pipeline.build(settings)
    except BriefingsError as exc:
        _print_problems(exc.problems)
        print(
            f"build stopped: {len(exc.problems)} error(s); the previous site is unchanged",
            file=sys.stderr,
        )
        return 1
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # the new site was not published, and is cleared next time
        print("interrupted; the previous site is unchanged", file=sys.stderr)
        return INTERRUPTED
    for held in result.held:
        print(f"note: {held.path.name}: {held.reason}", file=sys.stderr)
    if not result.site_built:
        print(
            f"{result.site_dir} is up to date: nothing changed since it was built "
            f"from {result.briefs} briefs"
        )
        return 0
    print(
        f"built {result.briefs} briefs into {result.site_dir} "
        f"({result.written} pages written, {result.unchanged} unchanged)"
    )
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Preview the site locally, regenerating pages when a brief is saved."""
    from generator.serve import serve  # imported late: only the preview needs it

    settings = load_settings(args.config, briefings_dir=args.briefings)
    return serve(replace(settings, preview=True), host=args.host, port=args.port, full=args.full)


def _print_settings_problems(args: argparse.Namespace, problems: Sequence[Problem]) -> None:
    """Problems in ``site_config.yml``, in the format ``check`` was asked for, then a count.

    Every command reads the settings first, so every command ends here, with
    exit code 1, when they are invalid: never a traceback.
    """
    output = getattr(args, "format", "text")
    if output == "json":
        print(report.format_json(problems))
        return
    if output == "github":
        print(report.format_github(problems))
        return
    print(report.format_text(problems, colour=report.use_colour(sys.stderr)), file=sys.stderr)
    noun = "error" if len(problems) == 1 else "errors"
    print(f"{len(problems)} {noun} in the site configuration", file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    """The command line, with one subcommand per task and shared options on each."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-f", "--config", type=Path, default=Path(CONFIG_FILE), help="site configuration file"
    )
    common.add_argument(
        "--briefings", type=Path, default=None, help="folder of briefs (default: from the config)"
    )
    common.add_argument("-v", "--verbose", action="store_true", help="say more about each stage")
    parser = argparse.ArgumentParser(prog="briefings", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", parents=[common], help="validate the briefs")
    check.add_argument(
        "--format", choices=report.FORMATS, default="text", help="output for people or tools"
    )
    check.set_defaults(func=cmd_check)
    new = sub.add_parser("new", parents=[common], help="start a new brief from a template")
    new.add_argument("title", help="the brief's title, in quotes")
    new.add_argument("--date", help="the day the brief is published, YYYY-MM-DD (default: today)")
    new.set_defaults(func=cmd_new)
    schema = sub.add_parser("schema", parents=[common], help="rewrite the editor schemas")
    schema.set_defaults(func=cmd_schema)
    ids = sub.add_parser("ids", parents=[common], help="list ids to reuse, with titles and briefs")
    ids.add_argument("kind", choices=lookup.KINDS, help="which ids")
    ids.add_argument(
        "word", nargs="?", metavar="WORD", help="only ids or titles holding this word (any case)"
    )
    ids.add_argument("--format", choices=lookup.FORMATS, default="text", help="for people or tools")
    ids.set_defaults(func=cmd_ids)
    build = sub.add_parser("build", parents=[common], help="check, render and build the site")
    build.set_defaults(func=cmd_build)
    serve = sub.add_parser("serve", parents=[common], help="preview the site, rebuilding on save")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--full", action="store_true", help="rebuild every page on each change (slower)"
    )
    serve.set_defaults(func=cmd_serve)
    return parser


class _Lines(logging.Formatter):
    """``LEVEL: message``, once per warning of a record that carries many (``warn_all``)."""

    def __init__(self) -> None:
        super().__init__("%(levelname)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        lines = getattr(record, pipeline.EACH_LINE, None)
        if lines is None:
            return super().format(record)
        prefix = f"{record.levelname}: "
        return prefix + f"\n{prefix}".join(lines)  # one text: not a prefixed copy of each line


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``briefings`` command."""
    args = build_parser().parse_args(argv)
    handler = logging.StreamHandler()
    handler.setFormatter(_Lines())
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, handlers=[handler])
    try:
        return int(args.func(args))
    except SettingsError as exc:
        _print_settings_problems(args, exc.problems)
        return 1
    except FileNotFoundError as exc:
        print(f"error: {exc.filename or exc}: no such file or folder", file=sys.stderr)
        if Path(str(exc.filename or "")).name == CONFIG_FILE:
            print(
                "run briefings from the project folder, or pass -f site_config.yml", file=sys.stderr
            )
        return 2
    except (OSError, yaml.YAMLError) as exc:  # unreadable config, a docs folder not ours, …
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
