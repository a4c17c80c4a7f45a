"""Chinese-capable fonts for report figures.

Registers the Noto Sans CJK SC OpenType face shipped by the ``mplfonts`` package with
matplotlib's font manager and makes it the default sans-serif family, so labels such as
``住院率`` render as glyphs, not tofu boxes — without root, system fonts or a written
``matplotlibrc`` (we deliberately do not call ``mplfonts.init``, which writes one).

``axes.unicode_minus`` is switched off because the CJK face has no U+2212 minus sign.
"""

from __future__ import annotations

from pathlib import Path

#: the file we register: a single-face OTF (matplotlib reads only the first face of a .ttc)
FONT_FILE_NAME = "NotoSansCJKsc-Regular.otf"

_registered: str | None = None


def cjk_font_path() -> Path:
    """Path of the Noto Sans CJK SC OTF inside the installed ``mplfonts`` package.

    The package is located, not imported: importing it loads matplotlib, which a page that only
    embeds the font (toolkit.report.webfont) does not need."""
    import importlib.util

    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.origin:
        import mplfonts  # noqa: F401 - not installed: the import error names the package

    path = Path(spec.origin).resolve().parent / "fonts" / FONT_FILE_NAME
    if not path.is_file():  # pragma: no cover - broken install
        raise FileNotFoundError(f"mplfonts is installed but {path} is missing; reinstall mplfonts")
    return path


def use_cjk_font() -> str:
    """Register the CJK font once and make it matplotlib's default; return its family name.

    Idempotent and cheap on repeat calls; call it before drawing any figure with Chinese text.
    """
    import matplotlib
    from matplotlib import font_manager

    global _registered
    if _registered is None:
        path = cjk_font_path()
        font_manager.fontManager.addfont(str(path))
        _registered = font_manager.FontProperties(fname=str(path)).get_name()
    family = _registered
    sans = [family] + [f for f in matplotlib.rcParams["font.sans-serif"] if f != family]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = sans
    matplotlib.rcParams["axes.unicode_minus"] = False
    return family
