"""Policy reforms: a small YAML file of parameter changes, applied on top of the baseline parameters.

A reform file has the format of a county override file (``params/counties/*.yaml``)::

    savings_split:
      values:
        2024:
          value: {county: 0.5, township: 0.3, village: 0.2}
          reference: {document: commission proposal 2025, article: 结余分配 5:3:2}

Each key is a parameter of :data:`toolkit.params.schema.SPECS`; its ``values`` map a start year to
the value that holds from then on, each with its reference (the older form, one ``source`` for all
values of a key, is read too, as in a county file). Applied to a county-year, the reform's latest entry whose start
year is not after the year *replaces* the baseline value (the province's or the county's own),
whatever the baseline's start year: a reform says "from year Y on, the rule is this". A reform whose
entries all start after the year changes nothing in that year.

A reform is data compared with a baseline (the model of PolicyEngine's reforms): the baseline
parameter files are never modified. Every rule a parameter file must keep (shares adding up to 1,
rates in [0, 1], the cross-checks between parameters) is checked on the reform too; a problem is one
:class:`~toolkit.errors.ValidationError` naming the reform file and the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import Problem, ToolkitError, ValidationError
from toolkit.params.load import ParamEntry, parse_file
from toolkit.params.schema import cross_check
from toolkit.params.snapshot import ParamSnapshot, ResolvedParam, format_value


@dataclass(frozen=True)
class Reform:
    """One reform file: its name (the file stem), where it was read from, and its entries."""

    name: str
    path: str
    entries: dict[str, ParamEntry]

    def describe(self) -> list[dict]:
        """One row per key and start year: what the reform sets (for outputs and provenance)."""
        return [
            {"reform": self.name, "key": e.key, "since": y, "value": format_value(v), "source": e.references[y]}
            for e in self.entries.values()
            for y, v in e.values.items()
        ]


def load_reform(path: str | Path) -> Reform:
    """Read and check one reform file; bad content raises one error naming the file and key."""
    path = Path(path)
    if not path.is_file():
        raise ToolkitError(
            f"reform file {path} does not exist",
            [
                Problem(
                    "parameters",
                    "a YAML file of parameter changes (format of params/counties/*.yaml)",
                    source=str(path),
                )
            ],
        )
    problems: list[Problem] = []
    entries = parse_file(path, False, problems)
    if problems:
        raise ValidationError.from_problems(problems, what=f"reform file {path.name}")
    return Reform(name=path.stem, path=str(path), entries=entries)


def load_reforms(paths: list[str | Path]) -> list[Reform]:
    """Every reform file, in the order given; two files with the same name are an error."""
    reforms = [load_reform(p) for p in paths]
    seen: dict[str, str] = {}
    for r in reforms:
        if r.name in seen:
            raise ToolkitError(
                f"two reform files are both named {r.name!r} ({seen[r.name]} and {r.path}); "
                "outputs are labelled by the file name, so rename one"
            )
        seen[r.name] = r.path
    return reforms


def apply_reform(base: ParamSnapshot, reform: Reform) -> ParamSnapshot:
    """The snapshot of ``base``'s county-year with the reform's values in force that year."""
    params: list[ResolvedParam] = []
    for key in base.keys():
        p = base.resolved(key)
        entry = reform.entries.get(key)
        usable = [y for y in (entry.values if entry else {}) if y <= base.year]
        if usable:
            since = max(usable)
            p = ResolvedParam(
                key,
                entry.values[since],
                since,
                p.label_zh,
                p.label_en,
                p.unit,
                entry.references[since],
                f"reform {Path(reform.path).name}",
            )
        params.append(p)
    values = {p.key: p.value for p in params}
    problems = [
        Problem(
            "parameters",
            expected,
            column=key,
            value=value,
            source=f"reform {reform.path} ({base.county_id} {base.year})",
        )
        for key, value, expected in cross_check(values)
    ]
    if problems:
        raise ValidationError.from_problems(problems, what=f"reform file {Path(reform.path).name}")
    return ParamSnapshot(base.county_id, base.year, tuple(params))


def changed_keys(base: ParamSnapshot, reformed: ParamSnapshot) -> list[str]:
    """Keys whose value differs between two snapshots of the same county-year, in schema order."""
    theirs = set(reformed.keys())
    return [k for k in base.keys() if k not in theirs or base.resolved(k).value != reformed.resolved(k).value]
