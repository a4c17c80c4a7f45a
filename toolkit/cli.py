"""Command line: ``python -m toolkit <command>`` (also installed as ``toolkit``).

Each command lives in ``toolkit/commands/<name>.py`` and defines ``HELP`` (one line),
``add_arguments(parser)`` and ``run(args) -> int``. A :class:`~toolkit.errors.ToolkitError`
becomes a message on stderr and exit status 2; nothing else is caught.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from toolkit import __version__
from toolkit.errors import ToolkitError

#: command name -> module; listed here so the order in --help is stable.
COMMANDS = [
    "main",
    "synth",
    "template",
    "validate",
    "settle",
    "scenario",
    "indicators",
    "check-claims",
    "did",
    "batch",
    "verify",
    "params",
]


def _module_name(command: str) -> str:
    return "toolkit.commands." + command.replace("-", "_")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="toolkit",
        description="County medical community (县域医共体) reform toolkit: settle, measure, evaluate, report.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="<command>")
    for name in COMMANDS:
        module = importlib.import_module(_module_name(name))
        cmd = sub.add_parser(name, help=module.HELP, description=getattr(module, "DESCRIPTION", module.HELP))
        module.add_arguments(cmd)
        cmd.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except ToolkitError as err:
        print(f"error: {err.render()}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("interrupted; outputs already written are complete, nothing partial was kept", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
