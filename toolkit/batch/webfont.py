"""One CJK web font per output folder, so report text reads as Chinese on a machine without CJK fonts.

Figures embed their font (PNG), but HTML text is drawn with the reader's fonts: on a bare Linux
box or a headless CI browser Chinese shows as boxes. At the end of a batch
(:func:`write_report_font`, called by :func:`toolkit.batch.runner.run_batch` next to the index)
we cut from Noto Sans CJK SC (shipped by ``mplfonts``, SIL Open Font Licence 1.1; see
:mod:`toolkit.report.fonts`) a subset holding exactly the characters of the folder's pages —
every report the manifest lists as ok, and ``index.html`` — and write it once, as
``<out>/_assets/report-cjk.woff`` (WOFF 1.0: zlib, from the standard library; the name table,
licence included, is kept).

Each page declares it with ``@font-face`` under a family of our own, :data:`FAMILY`, placed *last*
in its font stacks: a reader with a CJK system font keeps that one; only characters no earlier
font has fall through to ours. Pages reach it by a relative URL (:func:`font_url`), so a copied or
served folder keeps working.

Same characters, same bytes: the subsetter keeps the source font's ``head`` timestamps
(``recalc_timestamp`` off) and WOFF adds none. The character set is recorded beside the font
(:data:`RECORD_NAME`); when it is unchanged the font is not rewritten.
"""

from __future__ import annotations

import io
import json
import os
import re
import time
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import quote

from toolkit.io import write_bytes, write_text

#: the CSS family name pages give the subset (not the font's own name: a reader's installed Noto
#: Sans CJK SC must never be shadowed by our partial copy)
FAMILY = "Toolkit CJK"
#: the CJK fonts of Linux, Windows and macOS desktops, tried before ours (the same list as
#: toolkit.report.text.REPORT_CSS): a browser tries a stack's families in turn for each character
#: and only then its system fallback, so without them a generic family lacking CJK (monospace)
#: would hand Chinese to our subset even where the reader has a CJK font
SYSTEM_CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "SimHei",
    "WenQuanYi Micro Hei",
)
ASSETS_DIR = "_assets"
FONT_NAME = "report-cjk.woff"
#: the characters the current font was cut for, and from which source (JSON)
RECORD_NAME = "report-cjk.json"
#: bump when the subsetting recipe changes, so existing folders get a new font
RECIPE = 1

_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def font_path(out_dir: str | os.PathLike) -> Path:
    return Path(out_dir) / ASSETS_DIR / FONT_NAME


def font_url(page: str | os.PathLike, out_dir: str | os.PathLike) -> str:
    """The font's URL relative to ``page`` (an HTML file inside ``out_dir``), e.g. ``../../_assets/report-cjk.woff``."""
    rel = os.path.relpath(font_path(out_dir), Path(page).parent)
    return quote(Path(rel).as_posix())


def font_face_css(url: str) -> str:
    """The ``@font-face`` rule declaring :data:`FAMILY` at ``url`` (already relative and URL-quoted)."""
    return f"@font-face{{font-family:'{FAMILY}';src:url('{url}') format('woff');font-display:swap}}"


def cjk_fallback_stack() -> str:
    """What pages append to a font stack: the system CJK fonts, then :data:`FAMILY` (CSS, quoted)."""
    return ", ".join(f"'{f}'" for f in (*SYSTEM_CJK_FAMILIES, FAMILY))


def page_characters(text: str) -> set[str]:
    """Every character of an HTML page, character references decoded (markup adds only ASCII)."""
    chars = set(text)
    if "&" in chars:
        for ref in set(_ENTITY.findall(text)):
            chars.update(unescape(ref))
    return chars


def batch_pages(out_dir: str | os.PathLike, entries: dict[str, dict]) -> list[Path]:
    """The HTML pages of an output folder: every manifest entry with status ok, then ``index.html``."""
    out_dir = Path(out_dir)
    pages = [out_dir / f"{rid}.html" for rid, e in sorted(entries.items()) if e.get("status") == "ok"]
    index = out_dir / "index.html"
    return [p for p in pages if p.is_file()] + ([index] if index.is_file() else [])


def subset_font(chars: set[str], source: str | os.PathLike) -> bytes:
    """WOFF bytes of ``source`` cut down to ``chars`` (those it lacks are left out), byte-stable."""
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff"
    options.name_IDs = ["*"]  # keep copyright and licence (OFL 1.1 asks copies to carry them)
    options.name_languages = ["*"]
    options.recalc_timestamp = False  # head.modified stays the source's: same characters, same bytes
    font = subset.load_font(str(source), options, lazy=True)
    try:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(ord(c) for c in chars))
        subsetter.subset(font)
        buf = io.BytesIO()
        subset.save_font(font, buf, options)
    finally:
        font.close()
    return buf.getvalue()


@dataclass(frozen=True)
class FontReport:
    path: Path
    characters: int  # distinct characters of the pages (the font holds those Noto has)
    size: int  # bytes of the font file
    written: bool  # False: the character set was unchanged, the file was left alone
    seconds: float


def write_report_font(
    out_dir: str | os.PathLike, entries: dict[str, dict], source: str | os.PathLike | None = None
) -> FontReport:
    """Write ``<out>/_assets/report-cjk.woff`` for the folder's pages (see the module docstring)."""
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    if source is None:
        from toolkit.report.fonts import cjk_font_path

        source = cjk_font_path()
    source = Path(source)
    chars: set[str] = set()
    for page in batch_pages(out_dir, entries):
        chars |= page_characters(page.read_text(encoding="utf-8"))
    record = {
        "recipe": RECIPE,
        "source": source.name,
        "source_bytes": source.stat().st_size,
        "characters": "".join(sorted(chars)),
    }
    target = font_path(out_dir)
    record_path = target.with_name(RECORD_NAME)
    written = False
    if not (target.is_file() and _read_record(record_path) == record):
        write_bytes(target, subset_font(chars, source))
        # after the font: a record never vouches for a font that is not in place
        write_text(record_path, json.dumps(record, ensure_ascii=False, sort_keys=True, indent=0) + "\n")
        written = True
    return FontReport(target, len(chars), target.stat().st_size, written, time.perf_counter() - t0)


def _read_record(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
