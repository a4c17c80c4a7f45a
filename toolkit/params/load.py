"""Read and validate the policy parameter files (``params/province.yaml`` + ``params/counties/*.yaml``).

A parameter is written as (one reference per dated value, as OpenFisca keeps them)::

    savings_split:
      label_zh: 大包干结余县镇村分配比例
      label_en: big-package savings split county / township / village
      unit: shares (sum 1)
      values:
        2017:
          value: {county: 0.4, township: 0.4, village: 0.2}
          reference: {document: seed 000, article: §3.1, note: 县镇村4:4:2}

``values`` maps a start year to a value that holds until a later entry replaces it; ``reference``
names the document (required), the article and a note. The shorter form ``2017: 0.4`` with one
``source:`` text for the whole parameter is still read (reform files use it): that text is then
the reference of each of its values. The province file must define every parameter of
:data:`toolkit.params.schema.SPECS` with labels, unit and values; a county file (named
``<county_id>.yaml``) may override any of them with its own ``values`` (labels and unit are
inherited). Every problem found in any file — unknown or duplicate
keys, a missing field, a non-numeric value, shares not adding to 1, unordered brackets, a rate
outside [0, 1] — is collected and raised together as one :class:`ValidationError` naming file,
key and value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from toolkit.errors import Problem, ToolkitError, ValidationError
from toolkit.params.schema import SPECS
from toolkit.paths import PARAMS_DIR

PROVINCE_FILE = "province.yaml"
COUNTY_DIR = "counties"
FIELDS = ("label_zh", "label_en", "unit", "source", "values")
PROVINCE_REQUIRED = ("label_zh", "label_en", "unit", "values")
COUNTY_REQUIRED = ("values",)
VALUE_FIELDS = ("value", "reference")
REFERENCE_FIELDS = ("document", "article", "note")
MIN_YEAR, MAX_YEAR = 1990, 2100


class _DuplicateKey(Exception):
    def __init__(self, key: Any, line: int):
        self.key, self.line = key, line


class _StrictLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses a mapping with the same key twice (PyYAML keeps the last)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False):
    loader.flatten_mapping(node)
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hashable = key in seen
        except TypeError:
            hashable = False
        if hashable:
            raise _DuplicateKey(key, key_node.start_mark.line + 1)
        try:
            seen.add(key)
        except TypeError:
            pass
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass(frozen=True)
class ParamEntry:
    """One parameter as written in one file."""

    key: str
    values: dict[int, Any]
    #: start year → the reference of that value, as text ("seed 000 §3.1 (县镇村4:4:2)")
    references: dict[int, str]
    file: str
    label_zh: str | None = None
    label_en: str | None = None
    unit: str | None = None
    #: the parameter-wide ``source`` of the shorter form, when given
    source: str | None = None


@dataclass(frozen=True)
class ParamSet:
    """Every parameter file of a folder, validated."""

    root: Path
    province: dict[str, ParamEntry]
    counties: dict[str, dict[str, ParamEntry]] = field(default_factory=dict)


def _problem(file: str, key: str, value: Any, expected: str) -> Problem:
    return Problem(table="parameters", expected=expected, column=key, value=value, source=file)


def reference_text(reference: dict[str, str]) -> str:
    """``{document: seed 000, article: §3.1, note: 近3年}`` → ``seed 000 §3.1 (近3年)``."""
    text = " ".join(reference[k] for k in ("document", "article") if reference.get(k))
    return f"{text} ({reference['note']})" if reference.get("note") else text


def _is_dated_value(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == set(VALUE_FIELDS)


def _reference(file: str, where: str, ref: Any, problems: list[Problem]) -> str | None:
    """The reference of one dated value as text, or None (with a problem) when malformed."""
    if isinstance(ref, dict) and ref and set(ref) <= set(REFERENCE_FIELDS):
        if all(isinstance(v, str) and v.strip() for v in ref.values()) and "document" in ref:
            return reference_text(ref)
    problems.append(
        _problem(file, where, ref, "a reference {document: ..., article: ..., note: ...} with a non-empty document")
    )
    return None


def _read_yaml(path: Path, problems: list[Problem]) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.append(_problem(str(path), "(file)", None, f"UTF-8 text ({exc.reason})"))
        return None
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except _DuplicateKey as dup:
        problems.append(_problem(str(path), str(dup.key), None, f"each key once (key repeated at line {dup.line})"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problems.append(_problem(str(path), "(file)", None, f"valid YAML{where}: {getattr(exc, 'problem', exc)}"))
    return None


def parse_file(path: Path, is_province: bool, problems: list[Problem]) -> dict[str, ParamEntry]:
    """One parameter file's entries by key; what is wrong in it is added to ``problems``."""
    data = _read_yaml(path, problems)
    file = str(path)
    if data is None:
        if not problems or problems[-1].source != file:
            problems.append(_problem(file, "(file)", None, "a mapping of parameters (the file is empty)"))
        return {}
    if not isinstance(data, dict):
        problems.append(_problem(file, "(file)", type(data).__name__, "a mapping of parameter keys at the top level"))
        return {}
    entries: dict[str, ParamEntry] = {}
    for key, body in data.items():
        if key not in SPECS:
            problems.append(
                _problem(file, str(key), None, f"a known parameter key (known: {', '.join(sorted(SPECS))})")
            )
            continue
        if not isinstance(body, dict):
            problems.append(_problem(file, key, body, "a mapping with " + ", ".join(FIELDS)))
            continue
        unknown = [f for f in body if f not in FIELDS]
        if unknown:
            problems.append(_problem(file, f"{key}.{unknown[0]}", None, "only the fields " + ", ".join(FIELDS)))
        required = PROVINCE_REQUIRED if is_province else COUNTY_REQUIRED
        missing = [f for f in required if f not in body]
        if missing:
            problems.append(
                _problem(file, key, None, f"the field{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
            )
            continue
        texts_ok = True
        for f in ("label_zh", "label_en", "unit", "source"):
            if f in body and (not isinstance(body[f], str) or not body[f].strip()):
                problems.append(_problem(file, f"{key}.{f}", body[f], "non-empty text"))
                texts_ok = False
        values = body["values"]
        if not isinstance(values, dict) or not values:
            problems.append(_problem(file, f"{key}.values", values, "a mapping start year → value"))
            continue
        good: dict[int, Any] = {}
        references: dict[int, str] = {}
        for year, value in values.items():
            if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
                problems.append(
                    _problem(file, f"{key}.values", year, f"a start year between {MIN_YEAR} and {MAX_YEAR}")
                )
                continue
            if _is_dated_value(value):
                reference = _reference(file, f"{key}.values.{year}.reference", value["reference"], problems)
                value = value["value"]
            elif "source" in body:
                reference = body["source"]
            else:
                problems.append(
                    _problem(
                        file,
                        f"{key}.values.{year}",
                        None,
                        "a value with its reference ({value: ..., reference: {document: ..., article: ...}}) "
                        "or the field source for the whole parameter",
                    )
                )
                continue
            expected = SPECS[key].check(value)
            if expected:
                problems.append(_problem(file, f"{key}.values.{year}", value, expected))
                continue
            if reference is None:
                continue
            good[year], references[year] = value, reference
        if texts_ok and len(good) == len(values):
            entries[key] = ParamEntry(
                key=key,
                values=dict(sorted(good.items())),
                references=references,
                source=body.get("source"),
                file=path.name if is_province else f"{COUNTY_DIR}/{path.name}",
                label_zh=body.get("label_zh"),
                label_en=body.get("label_en"),
                unit=body.get("unit"),
            )
    if is_province:
        for key in SPECS:
            if key not in data:
                problems.append(_problem(file, key, None, "every parameter defined in the province default file"))
    return entries


COUNTY_SUFFIX = ".yaml"


def county_files(county_dir: Path, problems: list[Problem]) -> list[Path]:
    """The county files ``<county_id>.yaml``; anything else in the folder is a problem naming it.

    One file per county, ``.yaml`` exactly: a stale ``C02.yml`` beside ``C02.yaml`` must not win
    silently, and neither may ``c02.yaml`` be ignored for county C02 (ids are case-exact; two files
    whose ids differ only in case are an error). Hidden files (editor backups) are left alone.
    """
    found: list[Path] = []
    by_folded: dict[str, list[Path]] = {}
    for path in sorted(county_dir.iterdir()):
        if path.name.startswith("."):
            continue
        if path.suffix != COUNTY_SUFFIX or not path.stem:
            problems.append(
                Problem(
                    path.name,
                    f"only <county_id>{COUNTY_SUFFIX} files in {COUNTY_DIR}/ (one per county; rename or move this one)",
                    value=path.name,
                    source=str(path),
                )
            )
            continue
        if not path.is_file():
            problems.append(
                Problem(path.name, "a regular, readable parameter file", value="not a regular file", source=str(path))
            )
            continue
        found.append(path)
        by_folded.setdefault(path.stem.casefold(), []).append(path)
    for paths in by_folded.values():
        if len(paths) > 1:
            problems.append(
                Problem(
                    paths[0].name,
                    "one parameter file per county (ids are case-exact; these differ only in case)",
                    value=", ".join(p.name for p in paths),
                    source=str(county_dir),
                )
            )
    return found


def load_params(params_dir: str | Path | None = None) -> ParamSet:
    """Read and validate every parameter file under ``params_dir`` (default: the project's params/)."""
    root = Path(params_dir) if params_dir is not None else PARAMS_DIR
    province_path = root / PROVINCE_FILE
    if not province_path.is_file():
        raise ToolkitError(
            f"parameter folder {root} has no {PROVINCE_FILE} (the province default every county starts from)"
        )
    problems: list[Problem] = []
    province = parse_file(province_path, True, problems)
    counties: dict[str, dict[str, ParamEntry]] = {}
    county_dir = root / COUNTY_DIR
    if county_dir.is_dir():
        for path in county_files(county_dir, problems):
            counties[path.stem] = parse_file(path, False, problems)
    if problems:
        raise ValidationError.from_problems(problems, what="parameter files")
    return ParamSet(root=root, province=province, counties=counties)
