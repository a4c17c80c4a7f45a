"""Make the pictures of the Chinese user guide (docs/zh/img/*.png) from real outputs.

Usage: python scripts/make_guide_pictures.py   (needs headless Chromium: apt-get install chromium)

Runs the guide's own steps on a small synthetic province in a temporary folder, then screenshots
what a clerk would look at: the input template (its instructions and a pre-filled sheet, shown as
a grid), one unit's payment statement and the county annual report. Pictures are cut to the top
of the page, scaled to 800 px and reduced to a 64-colour palette so each stays well under 300 KB.
A development tool, not part of the product: the guide's test only checks that the pictures exist.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "zh" / "img"
WIDTH, HEIGHT = 1000, 1250


def toolkit(*args: str, cwd: Path) -> None:
    subprocess.run([sys.executable, "-m", "toolkit", *args], cwd=cwd, check=True, capture_output=True)


def _fontconfig(folder: Path) -> dict[str, str]:
    """A private fontconfig that knows the project's CJK font, so pictures show Chinese on any machine."""
    from toolkit.report.fonts import cjk_font_path

    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>{cjk_font_path().parent}</dir><dir>/usr/share/fonts</dir><cachedir>{folder}/cache</cachedir>"
        "</fontconfig>",
        encoding="utf-8",
    )
    return {"FONTCONFIG_FILE": str(conf)}


def screenshot(page: Path, png: Path) -> None:
    import os

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("headless Chromium is needed: apt-get install chromium")
    with tempfile.TemporaryDirectory() as profile:
        env = dict(os.environ, **_fontconfig(Path(profile)))
        subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--hide-scrollbars",
                f"--window-size={WIDTH},{HEIGHT}",
                f"--screenshot={png}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
            env=env,
        )


def shrink(png: Path, target: Path) -> None:
    from PIL import Image

    with Image.open(png) as img:
        img = img.convert("RGB")
        img = img.resize((800, round(img.height * 800 / img.width)), Image.LANCZOS)
        img.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)


def workbook_page(book: Path, sheets: list[str], rows: int = 14) -> str:
    """A spreadsheet-like HTML view of the first rows of ``sheets`` (comments and fills as in Excel)."""
    import openpyxl

    wb = openpyxl.load_workbook(book)
    parts = []
    for name in sheets:
        ws = wb[name]
        parts.append(f"<h2>工作表：{html.escape(name)}</h2><table>")
        for r, row in enumerate(ws.iter_rows(max_row=rows, max_col=8), start=1):
            cells = []
            for cell in row:
                fill = cell.fill.fgColor.rgb if cell.fill and cell.fill.fill_type == "solid" else None
                style = f' style="background:#{str(fill)[-6:]}"' if fill else ""
                value = "" if cell.value is None else html.escape(str(cell.value))
                tag = "th" if r == 1 else "td"
                cells.append(f"<{tag}{style}>{value}</{tag}>")
            parts.append(f"<tr><td class=n>{r}</td>{''.join(cells)}</tr>")
        parts.append("</table>")
    style = (
        "body{font-family:'Noto Sans CJK SC',sans-serif;font-size:13px;margin:16px}"
        "table{border-collapse:collapse;margin-bottom:18px}td,th{border:1px solid #bbb;padding:3px 6px;"
        "max-width:220px;overflow:hidden;white-space:nowrap;text-overflow:ellipsis}.n{background:#eee;color:#666}"
    )
    return f"<!doctype html><html lang=zh-CN><meta charset=utf-8><style>{style}</style><body>{''.join(parts)}</body></html>"


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        toolkit(
            "synth", "--out", "示例数据", "--counties", "3", "--first-year", "2019", "--last-year", "2024", cwd=work
        )
        toolkit(
            "template",
            "--out",
            "C01数据模板.xlsx",
            "--county",
            "C01",
            "--years",
            "2024",
            "--units",
            "示例数据",
            cwd=work,
        )
        page = work / "template.html"
        page.write_text(workbook_page(work / "C01数据模板.xlsx", ["填表说明", "单元年度数据"]), encoding="utf-8")
        screenshot(page, work / "template.png")
        shrink(work / "template.png", OUT / "template.png")

        toolkit("settle", "示例数据", "--year", "2024", "--county", "C01", "--out", "结算", cwd=work)
        statement = sorted((work / "结算" / "C01" / "2024" / "statements").glob("C01-U*.html"))[0]
        screenshot(statement, work / "statement.png")
        shrink(work / "statement.png", OUT / "statement.png")

        toolkit(
            "batch", "示例数据", "--notebook", "county_annual_report", "--counties", "C01", "--years", "latest",
            "--out", "报告", "--no-progress", cwd=work,
        )  # fmt: skip
        report = next(p for p in sorted((work / "报告").rglob("*.html")) if p.name != "index.html")
        screenshot(report, work / "report.png")
        shrink(work / "report.png", OUT / "county_report.png")
    for png in sorted(OUT.glob("*.png")):
        print(f"{png.relative_to(ROOT)}: {png.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
