"""``python -m toolkit nbconvert-setup``: make ``jupyter nbconvert --to html`` give self-contained report pages.

Writes ``jupyter_nbconvert_config.json`` into a Jupyter config folder (default: the active
environment's ``etc/jupyter``) naming :class:`toolkit.batch.nbexport.FinishPage`, so every HTML
page nbconvert writes carries the embedded CJK font, ``lang``, a Chinese ``<title>`` and the A4
print rules of the batch's report pages (docs/reports.md).
"""

from __future__ import annotations

import argparse

HELP = "make `jupyter nbconvert --to html` embed the CJK font, title and print rules (self-contained pages)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config-dir",
        metavar="DIR",
        help="Jupyter config folder to write into (default: this environment's etc/jupyter)",
    )


def run(args: argparse.Namespace) -> int:
    from toolkit.batch.nbexport import install_nbconvert_config

    target = install_nbconvert_config(args.config_dir)
    print(f"nbconvert 配置 config: {target}")
    return 0
