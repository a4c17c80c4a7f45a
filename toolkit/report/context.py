"""What every report notebook starts from: the validated dataset, the county-year, the language.

:func:`open_report` turns the literal parameters of a notebook's ``parameters`` cell into a
:class:`ReportContext`, checking them first (unknown county, year outside the data, bad language
→ :class:`~toolkit.errors.ToolkitError` naming the parameter and what was expected). Computed
tables (indicators, settlement) are cached on the context, and loaded datasets are cached per
process keyed by the files' paths, sizes and modification times, so a batch running many reports
in one reused kernel reads and validates each dataset once.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.errors import ToolkitError
from toolkit.report.disclosure import DEFAULT_THRESHOLD
from toolkit.report.labels import check_lang

#: the ``year`` parameter's word for the last year in the data
LATEST = "latest"
_CACHE: OrderedDict[tuple, Any] = OrderedDict()
_CACHE_SIZE = 4
_INDICATORS: dict[tuple, pd.DataFrame] = {}


def _fingerprint(root: Path) -> tuple:
    entries = []
    for p in [root] if root.is_file() else sorted(root.iterdir()):
        if p.is_file():
            st = p.stat()
            entries.append((p.name, st.st_size, st.st_mtime_ns))
    return tuple(entries)


def load_cached(data_dir: str | os.PathLike, tables: Iterable[str] | None = None):
    """:func:`toolkit.data.load.load_dataset`, cached while the folder's files are unchanged."""
    from toolkit.data.load import load_dataset

    root = Path(data_dir).resolve()
    if not (root.is_dir() or (root.is_file() and root.suffix.lower() == ".xlsx")):  # a filled input template too
        raise ToolkitError(f"parameter data_dir: dataset folder not found: {root}")
    wanted = tuple(sorted(tables)) if tables is not None else None
    key = (str(root), wanted, _fingerprint(root))
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    ds = load_dataset(root, tables=list(wanted) if wanted else None)
    _CACHE[key] = ds
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return ds


def _blank(value: Any) -> Any:
    return None if value in ("", None) else value


@dataclass
class ReportContext:
    dataset: Any
    county_id: str | None
    year: int | None
    lang: str
    params_dir: str | None
    suppress_threshold: int
    output_dir: Path | None
    exec_mode: str
    notebook: str
    _memo: dict = field(default_factory=dict, repr=False)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return self.dataset.tables

    @property
    def county_year(self) -> pd.DataFrame:
        return self.tables["county_year"]

    @cached_property
    def county_names(self) -> dict[str, str]:
        cy = self.county_year.sort_values(["county_id", "year"])
        return dict(zip(cy["county_id"], cy["county_name"]))  # latest name wins

    @cached_property
    def reform_years(self) -> dict[str, int | None]:
        cy = self.county_year.sort_values(["county_id", "year"]).drop_duplicates("county_id", keep="last")
        return {c: (None if pd.isna(r) else int(r)) for c, r in zip(cy["county_id"], cy["reform_year"])}

    @cached_property
    def synthetic(self) -> bool:
        """True when the dataset's manifest says the synthetic generator made it: every output then
        carries the 示例数据 · synthetic data banner (real data never does)."""
        from toolkit.data.synth import is_synth_output

        return is_synth_output(Path(self.dataset.root))

    @property
    def county_name(self) -> str | None:
        return self.county_names.get(self.county_id) if self.county_id else None

    @property
    def reform_year(self) -> int | None:
        return self.reform_years.get(self.county_id) if self.county_id else None

    @cached_property
    def indicators(self) -> pd.DataFrame:
        """Every county-year indicator of the province (tidy; see toolkit.indicators.compute)."""
        from toolkit.indicators import compute_indicators

        # many reports of one batch share a kernel and a dataset: compute the province once
        key = (self.dataset.data_hash, tuple(sorted(self.tables)))
        if key not in _INDICATORS:
            _INDICATORS.clear()
            _INDICATORS[key] = compute_indicators(self.tables)
        return _INDICATORS[key].copy()

    @cached_property
    def snapshot(self):
        from toolkit.params.snapshot import snapshot

        return snapshot(self.county_id, int(self.year), self.params_dir)

    @cached_property
    def targets(self):
        """The params folder's dated, scoped targets (toolkit/params/targets.py)."""
        from toolkit.params.targets import load_targets

        return load_targets(self.params_dir)

    def provenance(self, **extra: Any):
        """The provenance display for the end of the report (machine-readable block included)."""
        from toolkit.report.provenance import ProvenanceDisplay, provenance_for_dataset

        snap = self.snapshot if self.county_id and self.year is not None else None
        info = {
            "notebook": self.notebook,
            "county_id": self.county_id,
            "year": self.year,
            "lang": self.lang,
            "suppress_threshold": self.suppress_threshold,
            **self._memo.get("provenance", {}),  # files a section read besides the tables (claims)
            **extra,
        }
        prov = provenance_for_dataset(self.dataset, snap, info, exec_mode=self.exec_mode, params_dir=self.params_dir)
        return ProvenanceDisplay(prov, self.lang)

    def side_file(self, name: str) -> Path | None:
        """Where a side file (Excel, CSV) of this report goes, or None without output_dir."""
        if self.output_dir is None:
            return None
        parts = [self.notebook] + [str(p) for p in (self.county_id, self.year) if p is not None]
        return self.output_dir / f"{'_'.join(parts)}_{name}"


def open_report(
    data_dir: str,
    county_id: str | None = None,
    year: int | str | None = None,
    lang: str = "zh",
    params_dir: str | None = None,
    suppress_threshold: int = DEFAULT_THRESHOLD,
    output_dir: str | None = None,
    exec_mode: str = "interactive",
    notebook: str = "report",
    tables: Iterable[str] | None = None,
) -> ReportContext:
    """Check a notebook's parameters and load its data (``""`` means "not given"; an empty
    ``data_dir`` is the built-in sample dataset ``data/sample``; ``year="latest"`` is the last year
    in the data, of the county when one is given)."""
    check_lang(lang)
    county_id, params_dir, output_dir = _blank(county_id), _blank(params_dir), _blank(output_dir)
    if not isinstance(suppress_threshold, int) or isinstance(suppress_threshold, bool) or suppress_threshold < 1:
        raise ToolkitError(f"parameter suppress_threshold: value {suppress_threshold!r} — expected a whole number ≥ 1")
    if not data_dir:
        from toolkit.paths import SAMPLE_DATA_DIR

        data_dir = str(SAMPLE_DATA_DIR)
    ds = load_cached(data_dir, tables)
    if "county_year" not in ds.tables:
        raise ToolkitError(f"parameter data_dir: {data_dir} has no county_year table — every report needs it")
    cy = ds.tables["county_year"]
    if county_id is not None and county_id not in set(cy["county_id"]):
        known = ", ".join(sorted(cy["county_id"].unique()))
        raise ToolkitError(
            f"parameter county_id: value {county_id!r} — expected one of the counties in the data ({known})"
        )
    years = cy.loc[cy["county_id"] == county_id, "year"] if county_id else cy["year"]
    latest = isinstance(year, str) and year.strip().lower() == LATEST
    if latest:
        # the last year in the data (of this county when one is given): notebooks default to it
        year = int(years.max())
    elif year is not None:
        try:
            year = int(year)
        except (TypeError, ValueError):
            raise ToolkitError(f"parameter year: value {year!r} — expected a calendar year or {LATEST!r}") from None
        if year not in set(years):
            raise ToolkitError(
                f"parameter year: value {year} — expected a year in the data ({int(years.min())}–{int(years.max())}) "
                f"or {LATEST!r}"
            )
    out = Path(output_dir) if output_dir else None
    return ReportContext(
        dataset=ds,
        county_id=county_id,
        year=year,
        lang=lang,
        params_dir=params_dir,
        suppress_threshold=suppress_threshold,
        output_dir=out,
        exec_mode=exec_mode or "interactive",
        notebook=notebook,
        _memo={"provenance": {"year_requested": LATEST}} if latest else {},
    )
