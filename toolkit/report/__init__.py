"""toolkit.report — what every report notebook shares (docs/reports.md).

* ``fonts`` — Noto Sans CJK SC (from mplfonts) for Chinese figure labels
* ``figures`` — trend / cohort / event-study / bar / ranking / small-multiple figures, byte-stable PNG
* ``tables`` — 万元, 99.16%, thousands separators; bilingual headers; plain HTML tables
* ``labels`` — Chinese / English labels (report vocabulary, indicator registry, data contract)
* ``excel`` — deterministic workbooks for commissions
* ``disclosure`` — small-cell suppression with complementary cells; identifier scanner
* ``provenance`` — data hash, parameters, versions, git, mode; embedded JSON read by ``toolkit verify``
* ``text`` — narrative generated from results (never typed numbers)
* ``context`` — notebook parameters → checked, cached dataset and computed tables
* ``county``, ``unit_settlement``, ``evaluation``, ``province`` — the sections of the four notebooks
* ``bundle`` — several items displayed as one output
"""
