"""The county annual report's Word draft: python-docx opens it and finds the report's title,
headings, tables (indicators, settlement, deaths, claims) and figures."""

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
    assert {"监测指标与目标", "年度结算结果", "与全省比较", "分病种死亡人数"} <= set(headings)
    assert len(doc.tables) >= 4
    assert doc.tables[0].rows[0].cells[0].text == "指标" and len(doc.tables[0].rows) >= 5
    assert len(doc.inline_shapes) >= 3  # indicator trends, settlement, comparison with the province
    assert "示例数据" in " ".join(t for _, t in texts)
