"""Word drafts (toolkit.report.word): display objects become headings, paragraphs, tables and
pictures a commission edits in WPS/Word; A4; the same bytes for the same inputs."""

import io

import matplotlib.pyplot as plt
import pandas as pd
from docx import Document

from toolkit.report import figures
from toolkit.report.bundle import Bundle
from toolkit.report.tables import HtmlTable
from toolkit.report.text import Markdown, title_block
from toolkit.report.word import document_bytes


def _items():
    from toolkit.report.fonts import use_cjk_font

    use_cjk_font()
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([2023, 2024], [0.8, 0.82])
    ax.set_title("县域内住院人次占比")
    table = HtmlTable(pd.DataFrame({"指标": ["住院率"], "2024": ["13.49"]}), caption="甲县 · 2024", footnote="注：示例")
    return [
        title_block("county_annual_report", "甲县", 2024, "zh", synthetic=True),
        Markdown("## 监测指标与目标"),
        Bundle([table, Markdown("- 住院率 13.49，优于全省中位数。\n说明文字")]),
        figures.show(fig),
    ]


def test_objects_become_headings_tables_and_pictures():
    doc = Document(io.BytesIO(document_bytes(_items())))
    paragraphs = [(p.style.name, p.text) for p in doc.paragraphs]
    assert ("Title", "县域医共体年度报告 · 甲县 · 2024") in paragraphs
    assert any(t.startswith("示例数据 · synthetic data") for _, t in paragraphs)  # the banner
    assert ("Heading 1", "监测指标与目标") in paragraphs
    assert ("List Bullet", "住院率 13.49，优于全省中位数。") in paragraphs
    assert ("Caption", "甲县 · 2024") in paragraphs and ("Caption", "县域内住院人次占比") in paragraphs
    [table] = doc.tables
    assert [c.text for c in table.rows[0].cells] == ["指标", "2024"] and table.rows[1].cells[1].text == "13.49"
    assert len(doc.inline_shapes) == 1
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def test_same_inputs_same_bytes():
    assert document_bytes(_items()) == document_bytes(_items())
