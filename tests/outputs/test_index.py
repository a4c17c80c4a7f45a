"""The index a commission opens first links every file the main job wrote for people — each report,
workbook, Word draft, CSV and unit statement — and links notebooks only in the cells labelled for
researchers."""

import re

RESEARCHER_CELL = re.compile(r'<td class="researcher">(.*?)</td>', re.S)


def test_the_index_links_every_file_of_the_job(main_outputs):
    index = (main_outputs / "index.html").read_text(encoding="utf-8")
    links = set(re.findall(r'href="([^"]+)"', index))
    files = {
        p.relative_to(main_outputs).as_posix()
        for p in main_outputs.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(main_outputs).parts)
    }
    # the index itself; machine records (JSON) are no reader's file
    files = {f for f in files if f != "index.html" and not f.endswith(".json")}
    assert len(files) > 10 and sorted(files - links) == []
    assert all((main_outputs / link).is_file() for link in links if not link.startswith(("#", "http")))
    for kind in (".xlsx", ".csv", ".docx", ".html"):
        assert any(f.endswith(kind) for f in files), kind


def test_notebooks_are_linked_only_for_researchers(main_outputs):
    index = (main_outputs / "index.html").read_text(encoding="utf-8")
    notebooks = re.findall(r'href="([^"]+\.ipynb)"', index)
    assert notebooks
    for_researchers = "".join(RESEARCHER_CELL.findall(index))
    assert all(f'href="{n}"' in for_researchers for n in notebooks)
    assert "研究人员：笔记本" in index
