"""Outputs made from the synthetic province say so: the 示例数据 · synthetic data banner on every
page (reports and index); the same reports from real data never show it."""

import shutil

from toolkit.report.text import title_block

from .pages import is_report_page


def test_every_page_from_synthetic_data_carries_the_banner(main_outputs):
    pages = [p for p in sorted(main_outputs.rglob("*.html")) if is_report_page(p, main_outputs)]
    without = [p for p in pages if 'class="toolkit-synthetic"' not in p.read_text(encoding="utf-8")]
    assert without == []
    assert "示例数据 · synthetic data" in (main_outputs / "index.html").read_text(encoding="utf-8")


def test_real_data_shows_no_banner(sample_dir, tmp_path):
    from toolkit.report.context import open_report

    real = tmp_path / "real"
    shutil.copytree(sample_dir, real, ignore=shutil.ignore_patterns("manifest.json", "truth.json"))
    ctx = open_report(str(real), "C01", "latest", "zh")
    assert ctx.synthetic is False
    assert (
        "toolkit-synthetic"
        not in title_block("county_annual_report", ctx.county_name, ctx.year, synthetic=ctx.synthetic)._repr_html_()
    )
    assert open_report(str(sample_dir), "C01", "latest", "zh").synthetic is True
