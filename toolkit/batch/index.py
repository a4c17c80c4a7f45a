"""``<out>/index.html``: one bilingual page linking every report the output folder holds.

Built from the batch manifest alone (so it lists reports of earlier batches into the same folder
too), sorted by notebook, county and year, failures first in their own highlighted table. It
carries no timestamp or timing, so the same reports always give the same bytes. Like every report
page it carries its own CJK font and print rules (:func:`toolkit.batch.webfont.finish_page`).
"""

from __future__ import annotations

import html
from pathlib import Path

from toolkit.batch.cache import Manifest
from toolkit.batch.webfont import finish_page
from toolkit.io import write_text
from toolkit.report.text import synthetic_banner_html

_TITLES = {
    "county_annual_report": ("县域医共体年度报告", "County annual report"),
    "unit_settlement": ("单位结算单", "Unit settlement statement"),
    "reform_evaluation": ("改革效果评估", "Reform evaluation"),
    "province_overview": ("全省概览", "Province overview"),
}

_CSS = """
body{margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}
th,td{border:1px solid #ccc;padding:.3em .8em;text-align:left}
th{background:#f0f0f0}
tr.failed td{background:#fde8e8}
.error{color:#a00}
"""


def _sort_key(item: tuple[str, dict]) -> tuple:
    rid, entry = item
    params = entry.get("parameters") or {}
    return (entry.get("notebook", ""), str(params.get("county_id", "")), str(params.get("year", "")), rid)


def _link(href: str, text: str) -> str:
    return f'<a href="{html.escape(href)}">{html.escape(text)}</a>'


def _synthetic(manifest: Manifest) -> bool:
    """True when a report of the folder was made from a synthetic dataset (its manifest says so)."""
    from toolkit.data.synth import is_synth_output

    folders = {(e.get("parameters") or {}).get("data_dir") for e in manifest.entries.values()}
    return any(f and is_synth_output(Path(f)) for f in folders)


def render_index(manifest: Manifest) -> str:
    rows_ok, rows_failed = [], []
    for rid, entry in sorted(manifest.entries.items(), key=_sort_key):
        params = entry.get("parameters") or {}
        zh, en = _TITLES.get(entry.get("notebook", ""), (entry.get("notebook", ""), ""))
        name = f"{html.escape(zh)}<br><small>{html.escape(en)}</small>" if en else html.escape(zh)
        county = html.escape(str(params.get("county_id", "—")))
        year = html.escape(str(params.get("year", "—")))
        if entry.get("status") == "ok":
            links = " · ".join([_link(f"{rid}.html", "报告 report"), _link(f"{rid}.ipynb", "notebook")])
            files = sorted(r for r in (entry.get("outputs") or {}) if r.startswith(rid + "_files/"))
            if files:
                links += " · " + " ".join(_link(r, Path(r).name) for r in files)
            rows_ok.append(f"<tr><td>{name}</td><td>{county}</td><td>{year}</td><td>完成 ok</td><td>{links}</td></tr>")
        else:
            err = html.escape((entry.get("error") or "").splitlines()[-1] if entry.get("error") else "")
            rows_failed.append(
                f'<tr class="failed"><td>{name}</td><td>{county}</td><td>{year}</td><td>失败 failed</td>'
                f'<td><span class="error">{err}</span><br>{_link(f"{rid}.failed.ipynb", "出错的笔记本 failed notebook")}</td></tr>'
            )
    head = "<tr><th>报告 Report</th><th>县 County</th><th>年 Year</th><th>状态 Status</th><th>链接 Links</th></tr>"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        '<head><meta charset="utf-8"><title>报告索引 · Report index</title>',
        f"<style>{_CSS}</style></head>",
        "<body>",
        "<h1>报告索引 · Report index</h1>",
        *([synthetic_banner_html("zh")] if _synthetic(manifest) else []),
        f"<p>共 {len(rows_ok) + len(rows_failed)} 份报告，{len(rows_failed)} 份失败 · "
        f"{len(rows_ok) + len(rows_failed)} reports, {len(rows_failed)} failed</p>",
    ]
    if rows_failed:
        parts += ["<h2>失败 · Failed</h2>", "<table>", head, *rows_failed, "</table>"]
    parts += ["<h2>报告 · Reports</h2>", "<table>", head, *rows_ok, "</table>", "</body>", "</html>", ""]
    return finish_page("\n".join(parts), title="报告索引 · Report index", lang="zh-CN")


def write_index(out_dir: str | Path, manifest: Manifest | None = None) -> Path:
    out_dir = Path(out_dir)
    manifest = manifest or Manifest.load(out_dir)
    target = out_dir / "index.html"
    write_text(target, render_index(manifest))
    return target
