"""The command line answers --help for every command and turns user errors into exit status 2."""

import subprocess
import sys

import pytest

from toolkit import cli


def test_top_level_help_lists_commands(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "synth" in out or "<command>" in out


def test_every_command_has_help():
    parser = cli.build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    assert subparsers.choices, "no command is registered"
    for name in subparsers.choices:
        proc = subprocess.run([sys.executable, "-m", "toolkit", name, "--help"], capture_output=True, text=True)
        assert proc.returncode == 0, (name, proc.stderr)
        assert "usage:" in proc.stdout


def test_no_command_is_an_error():
    assert cli.main([]) == 2
