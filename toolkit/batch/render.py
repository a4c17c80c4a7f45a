"""Executed notebook → stable bytes: the .ipynb kept beside each report and its HTML (code hidden).

Two things make the same inputs give the same bytes on every run (reproducible bytes, README "Guarantees"):

* :func:`normalize_notebook` removes what differs between runs or between execution modes but
  says nothing about the results: papermill's start/end times and durations, nbclient's timing
  metadata, and kernel-side execution counters (a reused kernel keeps counting across
  notebooks; a fresh one starts at 1). Cells are renumbered 1, 2, … in execution order, as a
  fresh kernel would.
* :func:`notebook_to_html` uses nbconvert's ``HTMLExporter`` in-process (where ``jupyter
  nbconvert`` in a subprocess costs ≈1 s), with every input cell and prompt hidden — a commission
  reads results, not code — and our template (``templates/report.html.j2``): figures carry their
  own alt text. The exporter's BeautifulSoup pass over the finished page (generic alt texts,
  ``tabindex`` on outputs; 0.06 of 0.075 s CPU a report) is skipped; the template and
  :func:`_focusable_outputs` do its work. :func:`toolkit.report.webfont.finish_page` then gives the
  page its language, ``<title>``, print rules and embedded CJK font, so it reads and prints alone.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import nbformat

#: the id given to papermill's injected parameters cell (papermill leaves a random uuid)
INJECTED_CELL_ID = "injected-parameters"

_VOLATILE_PAPERMILL_NB_KEYS = ("start_time", "end_time", "duration", "exception", "input_path", "output_path")
_VOLATILE_PAPERMILL_CELL_KEYS = ("start_time", "end_time", "duration", "exception", "status")

_exporter = None
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


def normalize_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip run-dependent metadata and renumber execution counts (in place; also returned)."""
    pm = nb.metadata.get("papermill")
    if isinstance(pm, dict):
        for key in _VOLATILE_PAPERMILL_NB_KEYS:
            pm.pop(key, None)
    nb.metadata.pop("widgets", None)
    count = 0
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cpm = cell.metadata.get("papermill")
        if isinstance(cpm, dict):
            for key in _VOLATILE_PAPERMILL_CELL_KEYS:
                cpm.pop(key, None)
            if not cpm:
                cell.metadata.pop("papermill")
        if cell.cell_type != "code":
            continue
        if cell.get("execution_count") is not None:
            count += 1
            cell.execution_count = count
            for out in cell.get("outputs", []):
                if "execution_count" in out:
                    out["execution_count"] = count
    return nb


def notebook_bytes(nb: nbformat.NotebookNode) -> bytes:
    """The .ipynb as UTF-8 bytes, Chinese kept readable (nbformat's own writer, newline-terminated)."""
    return (nbformat.writes(nb) + "\n").encode("utf-8")


def _html_exporter():
    global _exporter
    if _exporter is None:  # loading the template costs ~0.3 s; do it once per process
        from nbconvert import HTMLExporter
        from nbconvert.exporters import TemplateExporter
        from nbconvert.filters import Highlight2HTML

        class _ReportHTMLExporter(HTMLExporter):
            # Two overrides of nbconvert internals, for speed; nbconvert 7 offers no public switch for
            # either, the lock pins it and tests/batch compare the HTML, so an upgrade that changes them
            # shows. (1) nbconvert re-validates the whole notebook after each of its ~12 preprocessors
            # (≈0.1 s a report); the notebook was validated once when its .ipynb was written
            def _validate_preprocessor(self, nbc, preprocessor):
                return None

            def from_notebook_node(self, nb, resources=None, **kw):
                # (2) the template render only, without HTMLExporter's BeautifulSoup pass (module docstring)
                return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

        _exporter = _ReportHTMLExporter(
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            template_name="lab",
            extra_template_paths=[str(TEMPLATES_DIR)],
            template_file="report.html.j2",
        )
        # the lab template names this filter (for code cells, which reports hide); HTMLExporter
        # registers it per call, in the method skipped above
        _exporter.register_filter("highlight_code", Highlight2HTML(pygments_lexer="ipython3", parent=_exporter))
    return _exporter


_OUTPUT_DIV = re.compile(r'(<div class="[^"]*\bjp-OutputArea-output\b[^"]*")')


def _focusable_outputs(page: str) -> str:
    """``tabindex="0"`` on every output area, so a keyboard can reach and scroll wide tables."""
    return _OUTPUT_DIV.sub(r'\1 tabindex="0"', page)


def notebook_to_html(nb: nbformat.NotebookNode, title: str | None = None, lang: str | None = None) -> str:
    """Render an executed notebook to a self-contained HTML page with the code hidden.

    The page's title and language come from its title block (:class:`toolkit.report.text.Title`);
    ``title`` and ``lang`` (``zh``/``en``) are used when it has none.
    """
    from toolkit.catalogue import html_lang
    from toolkit.report.webfont import finish_page, page_title

    resources: dict[str, Any] = {}
    if title:
        resources["metadata"] = {"name": title}
    body, _ = _html_exporter().from_notebook_node(nb, resources=resources)
    found_title, found_lang = page_title(body)
    return finish_page(_focusable_outputs(body), title=found_title or title, lang=found_lang or html_lang(lang or "zh"))


def error_summary(nb: nbformat.NotebookNode) -> str | None:
    """The last line of the first error output in ``nb`` ("ValueError: …"), or None."""
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "error":
                return f"{out.get('ename', 'Error')}: {out.get('evalue', '')}".strip()
    return None


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no insignificant whitespace: the form every digest is taken of."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
