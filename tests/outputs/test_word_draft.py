"""The county annual report's Word draft: python-docx opens it and finds the report's title,
headings, tables (profile, indicators, trends, settlement, units, deaths, claims) and figures, each with
its source line."""

import pandas as pd
from docx import Document


def test_county_report_docx_holds_its_tables_and_figures(main_outputs, sample_dir):
    cy = pd.read_csv(sample_dir / "county_year.csv", dtype=str)
    name, year = cy.loc[cy.county_id == "C01", "county_name"].iloc[0], int(cy["year"].astype(int).max())
    [path] = (main_outputs / f"county_annual_report/C01/{year}_files").glob("*_report.docx")
    doc = Document(str(path))
    texts = [(p.style.name, p.text) for p in doc.paragraphs]
    assert ("Title", f"县域医共体年度报告 · {name} · {year}") in texts
    headings = [t for s, t in texts if s.startswith("Heading")]
    assert {"县情概况", "监测指标与目标", "指标变化趋势", "年度结算结果", "与全省比较", "分病种死亡人数"} <= set(
        headings
    )
    assert "健康管理单元核心指标与目标评价" in headings
    assert len(doc.tables) >= 8
    [indicators] = [t for t in doc.tables if "名次（1 = 最优）" in [c.text for c in t.rows[0].cells]]
    assert indicators.rows[0].cells[0].text == "指标" and len(indicators.rows) >= 5
    assert len(doc.inline_shapes) >= 3  # indicator trends, settlement, comparison with the province
    # every table and figure of the draft has its source and data year under it, as on the page
    sources = [t for _, t in texts if t.startswith("资料来源：") and "数据年份：" in t]
    assert len(sources) >= len(doc.tables) + len(doc.inline_shapes)
    assert "示例数据" in " ".join(t for _, t in texts)
