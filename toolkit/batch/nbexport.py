"""``jupyter nbconvert --to html`` gives the same self-contained page as a batch: embedded CJK font,
``lang``, a Chinese ``<title>``, A4 print rules (:func:`toolkit.report.webfont.finish_page`).

nbconvert reads ``jupyter_nbconvert_config.json`` from every Jupyter config folder
(``jupyter --paths``); :func:`install_nbconvert_config` writes there (by default into the active
environment's ``etc/jupyter``) ``NbConvertApp.postprocessor_class`` = :class:`FinishPage`, which
rewrites each HTML file nbconvert has just written. ``python -m toolkit nbconvert-setup`` runs it;
``scripts/bootstrap.sh`` does so for the project's environment. Other output formats pass through.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from nbconvert.postprocessors import PostProcessorBase

from toolkit.io import write_text

CONFIG_NAME = "jupyter_nbconvert_config.json"
POSTPROCESSOR = "toolkit.batch.nbexport.FinishPage"


class FinishPage(PostProcessorBase):
    """Finish the HTML page nbconvert wrote (:func:`toolkit.report.webfont.finish_page`)."""

    def postprocess(self, input):  # noqa: A002 - nbconvert's parameter name
        path = Path(input)
        if path.suffix.lower() in (".html", ".htm") and path.is_file():
            from toolkit.report.webfont import finish_page

            write_text(path, finish_page(path.read_text(encoding="utf-8")))


def default_config_dir() -> Path:
    """The active environment's Jupyter config folder (``sys.prefix/etc/jupyter``), one of ``jupyter --paths``."""
    return Path(sys.prefix) / "etc" / "jupyter"


def install_nbconvert_config(config_dir: str | os.PathLike | None = None) -> Path:
    """Write (or merge into) ``<config_dir>/jupyter_nbconvert_config.json`` naming :class:`FinishPage`."""
    target = Path(config_dir or default_config_dir()) / CONFIG_NAME
    config = json.loads(target.read_text(encoding="utf-8") or "{}") if target.is_file() else {}
    config.setdefault("NbConvertApp", {})["postprocessor_class"] = POSTPROCESSOR
    write_text(target, json.dumps(config, indent=2, sort_keys=True) + "\n")
    return target
