"""Pages that carry their own Chinese font, so they read as Chinese anywhere, alone or in their folder.

Figures embed their font (PNG), but HTML text is drawn with the reader's fonts: on a bare Linux
box or a headless browser Chinese shows as boxes. :func:`finish_page` therefore cuts from Noto
Sans CJK SC (shipped by ``mplfonts``, SIL Open Font Licence 1.1; see :mod:`toolkit.report.fonts`)
a subset holding exactly the characters of the page and embeds it in the page as a base64
``data:`` URL under a family of our own, :data:`FAMILY` — *first* in every font stack, with
``font-display: block``: the font is part of the page, so it is there before the text is laid out
(a font last in the stack, or fetched from ``_assets/``, is what left titles as □□□ on machines
without a CJK font, and lost every character once the page was e-mailed alone). Because the subset
holds every character of the page, putting it first shadows nothing the page needs.

The same function gives the page its language (``lang="zh-CN"`` or ``"en"``), a ``<title>``
naming report, county and year (both taken from the report's title block,
:class:`toolkit.report.text.Title`), and the print rules of :mod:`toolkit.report.print_css`. It runs
on every report page of a batch (:mod:`toolkit.batch.render`), on the index, and — through
:mod:`toolkit.batch.nbexport`, installed by ``python -m toolkit nbconvert-setup`` — on notebooks
exported the conventional way with ``jupyter nbconvert --to html``.

Same characters, same bytes: the subsetter keeps the source font's ``head`` timestamps and WOFF
(zlib, standard library) adds none. Subsets are remembered per process by character set.
"""

from __future__ import annotations

import base64
import io
import os
import re
from functools import lru_cache
from html import escape, unescape

#: the CSS family name pages give the subset (not the font's own name: a reader's installed Noto
#: Sans CJK SC must never be shadowed by our partial copy on pages we did not cut it for)
FAMILY = "Toolkit CJK"
#: the CJK fonts of Linux, Windows and macOS desktops, after ours: a character our subset lacks
#: (Noto has no glyph for it) goes to them before the browser's own fallback
SYSTEM_CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "SimHei",
    "WenQuanYi Micro Hei",
)
#: marks the embedded font's ``<style>`` so a page is finished once (re-finishing replaces it)
STYLE_ID = "toolkit-page-style"

_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_OWN_STYLE = re.compile(rf'<style id="{STYLE_ID}">.*?</style>\n?', re.S)
_TITLE_H1 = re.compile(r'<h1 class="toolkit-title"[^>]*\bdata-lang="([^"]+)"[^>]*>(.*?)</h1>', re.S)
_TAG = re.compile(r"<[^>]+>")
_HTML_LANG = re.compile(r"<html\b[^>]*>", re.I)
_TITLE = re.compile(r"<title>.*?</title>", re.S | re.I)


_CODE = re.compile(r"<(script|style)\b[^>]*>.*?</\1>", re.S | re.I)


def page_characters(text: str) -> set[str]:
    """Every character of an HTML page outside scripts and style sheets, character references
    decoded (markup adds only ASCII)."""
    text = _CODE.sub("", text)
    chars = set(text)
    if "&" in chars:
        for ref in set(_ENTITY.findall(text)):
            chars.update(unescape(ref))
    return chars


def _options():
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff"
    options.name_IDs = ["*"]  # keep copyright and licence (OFL 1.1 asks copies to carry them)
    options.name_languages = ["*"]
    options.recalc_timestamp = False  # head.modified stays the source's: same characters, same bytes
    # horizontal Chinese text needs no shaping, hints or vertical metrics; flat charstrings subset
    # in a third of the time of the source's subroutines
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx"]
    options.hinting = False
    options.desubroutinize = True
    return options


def subset_font(chars: set[str], source: str | os.PathLike | None = None) -> bytes:
    """WOFF bytes of ``source`` (default: Noto Sans CJK SC) cut down to ``chars`` (those it lacks are left out)."""
    from fontTools import subset

    if source is None:
        from toolkit.report.fonts import cjk_font_path

        source = cjk_font_path()
    options = _options()
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


@lru_cache(maxsize=8)
def _font_face(chars: frozenset[str]) -> str:
    data = base64.b64encode(subset_font(set(chars))).decode("ascii")
    return (
        f"@font-face{{font-family:'{FAMILY}';src:url(data:font/woff;base64,{data}) format('woff');font-display:block}}"
    )


def font_face_css(chars: set[str]) -> str:
    """The ``@font-face`` rule declaring :data:`FAMILY` as an embedded subset holding ``chars``."""
    printable = {c for c in chars if c.isprintable() or c == " "}
    return _font_face(frozenset(printable))


def font_stack(*generic: str) -> str:
    """A CSS font stack: :data:`FAMILY` first, then the system CJK fonts, then ``generic`` (e.g. ``sans-serif``)."""
    return ", ".join([f"'{f}'" for f in (FAMILY, *SYSTEM_CJK_FAMILIES)] + list(generic or ("sans-serif",)))


def embedded_font_bytes(page: str) -> bytes | None:
    """The font a finished page embeds (WOFF bytes), or None."""
    m = re.search(r"src:url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", page)
    return base64.b64decode(m.group(1)) if m else None


def page_title(page: str) -> tuple[str | None, str | None]:
    """(title text, language) of a page's title block (``<h1 class="toolkit-title" data-lang=…>``), or (None, None)."""
    m = _TITLE_H1.search(page)
    if not m:
        return None, None
    text = unescape(_TAG.sub("", m.group(2))).replace("¶", "").strip()
    return text, m.group(1)


def finish_page(page: str, title: str | None = None, lang: str | None = None, chars: set[str] | None = None) -> str:
    """The page with its language, ``<title>``, print rules and embedded CJK font (module docstring).

    ``title``/``lang`` default to the page's title block; without either the page keeps its own.
    ``chars``: characters the embedded font holds besides the page's own — pages of one set (a
    county's unit statements) given the union of theirs share one subset, cut once.
    """
    from toolkit.report.print_css import page_css

    found_title, found_lang = page_title(page)
    title = title or found_title
    lang = lang or found_lang
    page = _OWN_STYLE.sub("", page)
    if lang:
        page = _HTML_LANG.sub(f'<html lang="{escape(lang)}">', page, count=1)
    if title:
        page = _TITLE.sub(f"<title>{escape(title, quote=False)}</title>", page, count=1)
    css = page_css(title or "", lang or "zh-CN")
    # characters of the page and of the rules about to be added (running header, page numbers)
    chars = page_characters(page) | set(css) | set(chars or ())
    style = f'<style id="{STYLE_ID}">{font_face_css(chars)}\n{css}</style>'
    if "</head>" in page:
        return page.replace("</head>", style + "\n</head>", 1)
    return style + page
