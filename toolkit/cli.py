"""Command line: ``python -m toolkit <command>`` (also installed as ``toolkit``).

Each command lives in ``toolkit/commands/<name>.py`` and defines ``HELP`` (one line),
``add_arguments(parser)`` and ``run(args) -> int``. A :class:`~toolkit.errors.ToolkitError`
becomes a message on stderr and exit status 2; so does a write that fails because the disk is full
or the folder read-only (a sentence, no traceback). Nothing else is caught.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from functools import cache
from pathlib import Path

from toolkit import __version__
from toolkit.catalogue import choose, text
from toolkit.errors import ToolkitError

#: command name -> module; listed here so the order in --help is stable.
COMMANDS = [
    "main",
    "synth",
    "template",
    "validate",
    "settle",
    "settle-points",
    "scenario",
    "indicators",
    "assess",
    "check-claims",
    "did",
    "batch",
    "verify",
    "params",
    "nbconvert-setup",
]
#: the commands that write CSVs: each takes ``--csv-encoding`` and ``--csv-header``
#: (toolkit.report.csvout.add_csv_options), whose Chinese help is ``_csv_options`` of help_zh.yaml
CSV_COMMANDS = ("main", "settle", "settle-points", "scenario", "indicators", "assess", "check-claims")


def _module_name(command: str) -> str:
    return "toolkit.commands." + command.replace("-", "_")


@cache
def help_zh() -> dict:
    """The Chinese help of every command and option (toolkit/commands/help_zh.yaml)."""
    import yaml

    path = Path(__file__).parent / "commands" / "help_zh.yaml"
    catalogue = yaml.safe_load(path.read_text(encoding="utf-8"))
    for name in CSV_COMMANDS:
        catalogue[name]["options"] = {**catalogue["_csv_options"], **(catalogue[name].get("options") or {})}
    return catalogue


def _both(zh: str | None, en: str | None) -> str | None:
    """``中文 / English``: every help text a commission reads is Chinese first, English beside it (a
    text given in one language only stands alone)."""
    return choose((zh or en, en or zh), "both")


def _localize(cmd: argparse.ArgumentParser, zh: dict) -> None:
    options = zh.get("options") or {}
    for action in cmd._actions:
        if isinstance(action, argparse._HelpAction):
            action.help = text("cli_help_option", "both")
        elif action.dest in options:
            action.help = _both(options[action.dest], action.help)


def build_parser() -> argparse.ArgumentParser:
    catalogue = help_zh()
    parser = argparse.ArgumentParser(
        prog="toolkit",
        description=_both(
            catalogue["_program"],
            "County medical community (县域医共体) reform toolkit: settle, measure, evaluate, report.",
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="<command>")
    for name in COMMANDS:
        module = importlib.import_module(_module_name(name))
        zh = catalogue.get(name) or {}
        cmd = sub.add_parser(
            name,
            help=_both(zh.get("help"), module.HELP),
            description=_both(zh.get("description"), getattr(module, "DESCRIPTION", module.HELP)),
        )
        module.add_arguments(cmd)
        if name in CSV_COMMANDS:
            from toolkit.report.csvout import add_csv_options

            add_csv_options(cmd)
        _localize(cmd, zh)
        cmd.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    from toolkit.report.csvout import csv_settings

    try:
        with csv_settings(getattr(args, "csv_encoding", None), getattr(args, "csv_header", None)):
            return int(args._run(args) or 0)
    except ToolkitError as err:
        print(f"error: {err.render()}", file=sys.stderr)
        return err.exit_code
    except OSError as err:
        from toolkit.io import WRITE_ERRNOS, write_failure

        if err.errno not in WRITE_ERRNOS:
            raise
        # a full disk or read-only folder outside a staged output (a report of the batch): a sentence, exit 2
        failure = write_failure(err, err.filename or "the output folder")
        print(f"error: {failure.render()}", file=sys.stderr)
        return failure.exit_code
    except KeyboardInterrupt:
        print("interrupted; outputs already written are complete, nothing partial was kept", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
