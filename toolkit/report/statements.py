"""Every unit statement of a county as files: HTML and PDF, one per unit and one combined.

Used by ``settle`` (``OUT/<county>/<year>/statements/``), the unit_settlement notebook and the
batch. Layout: ``<unit_id>.html`` / ``<unit_id>.pdf`` per unit, ``all_units.html`` /
``all_units.pdf`` with the county's units in unit order (a page break before each unit).
"""

from __future__ import annotations

from toolkit.report.statement_html import statement_pages
from toolkit.report.statement_pdf import county_pdfs
from toolkit.settlement.unit_statement import county_statements

FOLDER = "statements"
COMBINED = "all_units"


def statement_files(cs, lang: str = "zh", pdf: bool = True, tables=None, synthetic: bool = False) -> dict[str, bytes]:
    """File name → bytes for the statements of one county settlement (names relative to the folder).

    ``synthetic``: the dataset's manifest says the synthetic generator made it; every page of every
    statement then says 示例数据 · synthetic data (real data never does).

    With the dataset's ``tables``, a unit whose data fails the per-capita plausibility band carries
    that warning on its statement (:mod:`toolkit.report.plausibility_notes`).
    """
    from toolkit.report.plausibility_notes import with_warnings

    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be zh or en, not {lang!r}")
    statements = with_warnings(county_statements(cs), tables)
    files = {
        f"{key}.html": page.encode("utf-8")
        for key, page in statement_pages(statements, lang, COMBINED, synthetic).items()
    }
    if pdf and statements:
        for key, made in county_pdfs(statements, lang, synthetic=synthetic).items():
            files[f"{key or COMBINED}.pdf"] = made.data
    return files
