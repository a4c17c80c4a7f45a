"""Chinese labels render with the CJK face, with no missing-glyph warnings."""

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from toolkit.report.fonts import cjk_font_path, use_cjk_font  # noqa: E402


def test_cjk_font_renders_chinese_without_missing_glyphs():
    family = use_cjk_font()
    assert family == "Noto Sans CJK SC"
    fig, ax = plt.subplots()
    ax.set_title("住院率与过早死亡率 · 改革 −1")
    ax.plot([2017, 2023], [-1.0, 2.0], label="乡镇卫生院")
    ax.set_xlabel("年份")
    ax.legend()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    plt.close(fig)
    glyph_warnings = [w for w in caught if "missing from" in str(w.message) or "Glyph" in str(w.message)]
    assert glyph_warnings == []
    # the font matplotlib actually resolves for the default family is the CJK file
    resolved = font_manager.findfont(font_manager.FontProperties(family=matplotlib.rcParams["font.family"]))
    assert resolved == str(cjk_font_path())
    assert matplotlib.rcParams["axes.unicode_minus"] is False


def test_without_cjk_font_the_check_would_fail():
    """The warning filter above really catches tofu: DejaVu alone warns on Chinese."""
    fig, ax = plt.subplots()
    ax.set_title("住院率", fontfamily="DejaVu Sans")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    plt.close(fig)
    assert any("missing from" in str(w.message) for w in caught)
