"""``<out>/index.html``: the page a commission opens first — every county with its code, name and
headline indicators, and links to all of its reports, workbooks, Word drafts and CSV files.

Built from the batch manifest (so it lists reports of earlier batches into the same folder too)
and the files beside it: the settlement folders (``settlement/<county>/<year>/``) and the province
indicator files (``indicators.xlsx``, ``indicators.csv``, ``indicators_units.csv``,
``indicators_levels.csv``). Failures come first in their own
highlighted table. Columns sort by a click on their header (a few lines of script in the page;
without script the table stays sorted by county code). Notebooks (``.ipynb``) are linked only in a
separate column labelled for researchers: a clerk cannot open them. It carries no timestamp or
timing, so the same reports always give the same bytes; like every report page it carries its own
CJK font and print rules (:func:`toolkit.report.webfont.finish_page`).
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from toolkit.batch.cache import Manifest
from toolkit.io import write_text
from toolkit.report.labels import label
from toolkit.report.text import synthetic_banner_html
from toolkit.report.webfont import finish_page

#: the indicators shown for each county (latest year of the folder's indicators.csv)
HEADLINE = ("in_county_inpatient_share", "in_county_visit_rate", "fund_in_county_rate")
#: report names in the index, by notebook
_TITLES = {
    "county_annual_report": "县域医共体年度报告",
    "unit_settlement": "健康管理单元结算",
    "reform_evaluation": "改革效果评估",
    "province_overview": "全省概览",
}

_CSS = """
body{margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}
th,td{border:1px solid #ccc;padding:.3em .8em;text-align:left;vertical-align:top}
th{background:#f0f0f0}
th.sortable{cursor:pointer}
th.sortable::after{content:" ⇅";color:#999}
td.num{text-align:right;white-space:nowrap}
tr.failed td{background:#fde8e8}
.error{color:#a00}
.researcher{font-size:smaller;color:#555}
"""

# sort a table by the clicked column: numbers as numbers, the rest as text (zh collation)
_SORT_JS = """<script>
document.querySelectorAll("table.sortable").forEach(function(t){
  t.querySelectorAll("th.sortable").forEach(function(th,i){
    th.addEventListener("click",function(){
      var body=t.tBodies[0],rows=Array.prototype.slice.call(body.rows),asc=th.dataset.asc!=="1";
      th.dataset.asc=asc?"1":"0";
      var key=function(r){var s=r.cells[i].textContent.replace(/[,%]/g,"").trim(),n=parseFloat(s);return isNaN(n)?s:n;};
      rows.sort(function(a,b){var x=key(a),y=key(b);
        var c=(typeof x==="number"&&typeof y==="number")?x-y:String(x).localeCompare(String(y),"zh");
        return asc?c:-c;});
      rows.forEach(function(r){body.appendChild(r);});
    });
  });
});
</script>"""


def _link(href: str, text: str) -> str:
    return f'<a href="{html.escape(href)}">{html.escape(text)}</a>'


def _sort_key(item: tuple[str, dict]) -> tuple:
    rid, entry = item
    params = entry.get("parameters") or {}
    return (entry.get("notebook", ""), str(params.get("county_id", "")), str(params.get("year", "")), rid)


def _data_dirs(manifest: Manifest) -> list[Path]:
    dirs = {(e.get("parameters") or {}).get("data_dir") for e in manifest.entries.values()}
    return [Path(d) for d in sorted(d for d in dirs if d)]


def _synthetic(manifest: Manifest) -> bool:
    """True when a report of the folder was made from a synthetic dataset (its manifest says so)."""
    from toolkit.data.synth import is_synth_output

    return any(is_synth_output(d) for d in _data_dirs(manifest))


def _county_names(manifest: Manifest) -> dict[str, str]:
    names: dict[str, str] = {}
    for d in _data_dirs(manifest):
        path = d / "county_year.csv"
        if path.is_file():
            cy = pd.read_csv(path, dtype=str, encoding="utf-8-sig").sort_values(["county_id", "year"])
            names.update(zip(cy["county_id"], cy["county_name"]))
    return names


def _headline(out_dir: Path | None) -> tuple[int | None, dict[tuple[str, str], float]]:
    path = out_dir / "indicators.csv" if out_dir else None
    if path is None or not path.is_file():
        return None, {}
    d = pd.read_csv(path, encoding="utf-8-sig", dtype={"county_id": str})
    d = d.loc[d["indicator"].isin(HEADLINE)]
    if d.empty:
        return None, {}
    year = int(d["year"].max())
    d = d.loc[d["year"] == year]
    return year, {(c, i): v for c, i, v in zip(d["county_id"], d["indicator"], d["value"])}


def _files(entry: dict, rid: str) -> list[str]:
    return sorted(r for r in (entry.get("outputs") or {}) if r.startswith(rid + "_files/"))


def _file_links(paths: list[str]) -> str:
    return " ".join(_link(p, Path(p).name) for p in paths)


def render_index(manifest: Manifest, out_dir: str | Path | None = None) -> str:
    from toolkit.report.tables import fmt_pct

    out_dir = Path(out_dir) if out_dir is not None else None
    names = _county_names(manifest)
    year, values = _headline(out_dir)
    failed, counties, province = [], {}, []
    for rid, entry in sorted(manifest.entries.items(), key=_sort_key):
        params = entry.get("parameters") or {}
        title = _TITLES.get(entry.get("notebook", ""), entry.get("notebook", ""))
        county, yr = params.get("county_id"), params.get("year")
        if entry.get("status") != "ok":
            err = html.escape((entry.get("error") or "").splitlines()[-1] if entry.get("error") else "")
            failed.append(
                f'<tr class="failed"><td>{html.escape(title)}</td><td>{html.escape(str(county or "—"))}</td>'
                f'<td>{html.escape(str(yr or "—"))}</td><td><span class="error">{err}</span><br>'
                f"{_link(f'{rid}.failed.ipynb', '出错的笔记本（研究人员）')}</td></tr>"
            )
            continue
        report = _link(f"{rid}.html", f"{title}{f' {yr}' if yr not in (None, '') else ''}")
        row = (report, _file_links(_files(entry, rid)), _link(f"{rid}.ipynb", f"{Path(rid).name}.ipynb"))
        if county and Path(rid).parts[-2] != "province":
            counties.setdefault(str(county), []).append(row)
        else:
            province.append(row)

    head = "<tr><th>报告</th><th>县编码</th><th>年度</th><th>状态</th></tr>"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        f'<head><meta charset="utf-8"><title>报告索引</title><style>{_CSS}</style></head>',
        "<body>",
        "<h1>报告索引</h1>",
        *([synthetic_banner_html("zh")] if _synthetic(manifest) else []),
        f"<p>共 {len(manifest.entries)} 份报告，{len(failed)} 份失败。点击表头可排序。</p>",
    ]
    if failed:
        parts += ["<h2>失败的报告</h2>", "<table>", head, *failed, "</table>"]
    if counties:
        ind_heads = "".join(f'<th class="sortable">{html.escape(label(i, "zh"))} {year}</th>' for i in HEADLINE)
        parts += [
            "<h2>各县报告</h2>",
            '<table class="sortable"><thead><tr><th class="sortable">县编码</th><th class="sortable">县名</th>'
            f"{ind_heads if year else ''}<th>报告</th><th>表格与文件</th><th>研究人员：笔记本</th></tr></thead><tbody>",
        ]
        for county in sorted(counties):
            rows = counties[county]
            settle = _settlement_files(out_dir, county)
            cells = [html.escape(county), html.escape(names.get(county, "—"))]
            if year:
                cells += [fmt_pct(values[(county, i)]) if (county, i) in values else "—" for i in HEADLINE]
            reports = "<br>".join(r[0] for r in rows)
            files = "<br>".join(f for f in [*(r[1] for r in rows), _settlement_links(settle)] if f)
            notebooks = " ".join(r[2] for r in rows)
            nums = "".join(f'<td class="num">{c}</td>' for c in cells[2:])
            parts.append(
                f"<tr><td>{cells[0]}</td><td>{cells[1]}</td>{nums}<td>{reports}</td><td>{files}</td>"
                f'<td class="researcher">{notebooks}</td></tr>'
            )
        parts.append("</tbody></table>")
    if province:
        parts += ["<h2>全省报告</h2>", "<table><tr><th>报告</th><th>表格与文件</th><th>研究人员：笔记本</th></tr>"]
        parts += [f'<tr><td>{r[0]}</td><td>{r[1]}</td><td class="researcher">{r[2]}</td></tr>' for r in province]
        parts.append("</table>")
    data = _province_files(out_dir)
    if data:
        parts += ["<h2>全省指标数据</h2>", "<p>" + _file_links(data) + "</p>"]
    parts += [_SORT_JS, "</body>", "</html>", ""]
    return finish_page("\n".join(parts), title="报告索引", lang="zh-CN")


def _settlement_files(out_dir: Path | None, county: str) -> list[str]:
    folder = out_dir / "settlement" / county if out_dir else None
    if folder is None or not folder.is_dir():
        return []
    found = [p for p in folder.rglob("*") if p.suffix in (".xlsx", ".csv", ".pdf", ".html") and p.is_file()]
    # the workbook first, then the CSVs and the rest
    return sorted((p.relative_to(out_dir).as_posix() for p in found), key=lambda r: (not r.endswith(".xlsx"), r))


def _settlement_links(paths: list[str]) -> str:
    """The settlement files of a county; its unit statements (one or two files a unit) folded away."""
    statements = [p for p in paths if "/statements/" in p]
    main = _file_links([p for p in paths if "/statements/" not in p])
    if statements:
        main += f"<details><summary>单元结算单（{len(statements)} 个文件）</summary>{_file_links(statements)}</details>"
    return main


def _province_files(out_dir: Path | None) -> list[str]:
    if out_dir is None:
        return []
    names = ("indicators.xlsx", "indicators.csv", "indicators_units.csv", "indicators_levels.csv")
    return [n for n in names if (out_dir / n).is_file()]


def write_index(out_dir: str | Path, manifest: Manifest | None = None) -> Path:
    out_dir = Path(out_dir)
    manifest = manifest or Manifest.load(out_dir)
    target = out_dir / "index.html"
    write_text(target, render_index(manifest, out_dir))
    return target
