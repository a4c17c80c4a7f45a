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


def _commands():
    import argparse

    from toolkit.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices


def test_every_command_and_option_has_chinese_help():
    """--help is Chinese first and English beside it: a new option without a Chinese entry fails here."""
    import argparse

    from toolkit.cli import help_zh

    catalogue = help_zh()
    missing = []
    for name, cmd in _commands().items():
        zh = catalogue.get(name) or {}
        if not zh.get("help") or not zh.get("description"):
            missing.append(f"{name}: help/description")
        for action in cmd._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            if action.dest not in (zh.get("options") or {}):
                missing.append(f"{name}: {action.dest}")
    assert not missing, "add to toolkit/commands/help_zh.yaml: " + ", ".join(missing)


def test_help_text_reads_chinese_then_english(capsys):
    import pytest

    from toolkit.cli import main

    with pytest.raises(SystemExit):
        main(["settle", "--help"])
    out = capsys.readouterr().out
    assert "结算年度 / settlement year" in out
    assert "显示本帮助并退出 / show this help message and exit" in out
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "双重差分评估改革效果 / " in capsys.readouterr().out
