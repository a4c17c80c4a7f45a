"""Reading finished pages as a reader's browser would: visible text, the embedded font, headless Chromium."""

import io
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

from fontTools.ttLib import TTFont

from toolkit.report.webfont import embedded_font_bytes

#: elements whose text is not drawn (print hides JupyterLab's heading anchors; details stay closed on screen)
_HIDDEN = {"style", "script", "title", "head", "template"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.nodes: list[str] = []

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        if tag in _HIDDEN or "anchor-link" in classes:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_data(self, data):
        if not self.stack and data.strip():
            self.nodes.append(data)


def is_report_page(page: Path, out: Path) -> bool:
    """A batch report or the index — not a unit statement written among a report's side files or under settlement/."""
    parts = page.relative_to(out).parts
    return parts[0] != "settlement" and not any(p.endswith("_files") for p in parts[:-1])


def text_nodes(page: str) -> list[str]:
    """The text a reader sees: every text node outside style, script, the head and heading anchors."""
    parser = _Text()
    parser.feed(page)
    return parser.nodes


def font_cmap(page: str) -> set[int]:
    data = embedded_font_bytes(page)
    assert data is not None, "page embeds no font"
    with TTFont(io.BytesIO(data)) as font:
        return set(font.getBestCmap())


def uncovered(page: str) -> set[str]:
    """Characters of the page its embedded font does not hold (spaces and control characters aside)."""
    cmap = font_cmap(page)
    drawn = set("".join(text_nodes(page)))
    return {c for c in drawn if c.isprintable() and not c.isspace() and ord(c) not in cmap}


CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
POPPLER = shutil.which("pdftotext") and shutil.which("pdfinfo") and shutil.which("pdfimages")
NO_BROWSER = "headless Chromium and poppler-utils (pdftotext) are needed for the print checks"


def print_to_pdf(page: Path, pdf: Path, tmp: Path) -> Path:
    """``page`` printed by headless Chromium with every system font hidden (a private, empty fontconfig)."""
    fonts = tmp / "fonts"
    fonts.mkdir(exist_ok=True)
    conf = tmp / "fonts.conf"
    conf.write_text(
        f'<?xml version="1.0"?><fontconfig><dir>{fonts}</dir><cachedir>{tmp / "fc-cache"}</cachedir></fontconfig>',
        encoding="utf-8",
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp), "FONTCONFIG_FILE": str(conf)}
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer"]
    cmd += [f"--user-data-dir={tmp / 'profile'}", f"--print-to-pdf={pdf}", page.resolve().as_uri()]
    # a 464-page county on a busy machine takes minutes; headless Chromium now and then dies of a signal
    # (SIGSEGV seen once in a full run, the same page printing fine alone), so a crash gets one more try
    for attempt in (1, 2):
        done = subprocess.run(cmd, env=env, capture_output=True, timeout=900)
        if done.returncode >= 0 or attempt == 2:
            break
    done.check_returncode()
    assert pdf.is_file() and pdf.stat().st_size > 0
    return pdf


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page (pdftotext, content-stream order)."""
    n = int(
        re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout)[1]
    )
    return [
        subprocess.run(
            ["pdftotext", "-raw", "-f", str(i), "-l", str(i), str(pdf), "-"], capture_output=True, text=True
        ).stdout
        for i in range(1, n + 1)
    ]


def pdf_image_pages(pdf: Path) -> set[int]:
    out = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True).stdout.splitlines()[2:]
    return {int(line.split()[0]) for line in out if line.strip()}


def page_size_pt(pdf: Path) -> tuple[float, float]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    w, h = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups()
    return float(w), float(h)
