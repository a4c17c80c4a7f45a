"""Where a report's numbers come from: data hash, parameters, software, and how it was run.

Every report ends with a provenance section (:func:`render_provenance_html`) and carries the same
record machine-readably in a ``<script type="application/json" id="toolkit-provenance">`` block,
so ``python -m toolkit verify REPORT`` can recompute the data hash (and the parameter digest)
from the inputs recorded and say whether the report still matches them.

Reproducible bytes: the run timestamp is taken from ``SOURCE_DATE_EPOCH`` when that is set (the
reproducible-builds convention; the batch runner sets it for byte-identical reruns), else the
current UTC time to the second.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import os
import platform
import re
import subprocess
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from toolkit.catalogue import body_lang
from toolkit.paths import PROJECT_ROOT
from toolkit.report.labels import check_lang, label, message

#: packages whose versions every report records (toolkit itself comes from toolkit.__version__)
RECORDED_PACKAGES = (
    "pandas",
    "numpy",
    "scipy",
    "matplotlib",
    "pyarrow",
    "papermill",
    "nbclient",
    "duckdb",
)
SCRIPT_ID = "toolkit-provenance"
EXEC_MODES = ("isolated", "reused-kernel", "interactive")
SCHEMA = 1


def package_versions() -> dict[str, str]:
    import toolkit

    out = {"toolkit": toolkit.__version__}
    for name in RECORDED_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_state(root: Path = PROJECT_ROOT) -> tuple[str, bool | None]:
    """(commit, dirty) of the toolkit checkout; ("unknown", None) outside git."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", "toolkit"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        ).stdout
        return commit or "unknown", bool(status.strip())
    except (OSError, subprocess.SubprocessError):
        return "unknown", None


def run_timestamp() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = (
        dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        if epoch and epoch.isdigit()
        else dt.datetime.now(dt.UTC).replace(microsecond=0)
    )
    return when.isoformat().replace("+00:00", "Z")


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, default=lambda v: v.item() if hasattr(v, "item") else str(v)))


def params_digest(params: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of a parameter dict (used when no ParamSnapshot is given)."""
    text = json.dumps(_json_safe(dict(params)), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def collect_provenance(
    data_hash: str,
    params_snapshot: Any = None,
    extra: Mapping[str, Any] | None = None,
    *,
    exec_mode: str | None = None,
    dataset_path: str | os.PathLike | None = None,
    tables: list[str] | None = None,
    params_dir: str | os.PathLike | None = None,
) -> dict[str, Any]:
    """The provenance record of one report.

    ``params_snapshot``: a :class:`toolkit.params.snapshot.ParamSnapshot` (its values and
    digest are recorded, so ``verify`` can recompute it) or a plain dict of parameter values.
    ``extra``: anything else worth recording (county_id, year, notebook name, …; JSON-safe).
    ``exec_mode``: how the batch ran it (``isolated`` / ``reused-kernel``; default
    ``extra['exec_mode']`` or ``interactive``). ``dataset_path`` and ``tables``: what the data hash
    covers, so it can be recomputed.
    """
    extra = dict(extra or {})
    mode = exec_mode or extra.pop("exec_mode", None) or "interactive"
    commit, dirty = git_state()
    params: dict[str, Any] = {}
    digest = None
    digest_kind = None
    county_id, year = extra.get("county_id"), extra.get("year")
    if params_snapshot is not None and hasattr(params_snapshot, "digest") and hasattr(params_snapshot, "as_dict"):
        params = params_snapshot.as_dict()
        digest, digest_kind = params_snapshot.digest(), "snapshot"
        county_id, year = params_snapshot.county_id, params_snapshot.year
    elif params_snapshot is not None:
        params = dict(params_snapshot)
        digest, digest_kind = params_digest(params), "dict"
    record = {
        "schema": SCHEMA,
        "data_hash": data_hash,
        "dataset_path": str(Path(dataset_path).resolve()) if dataset_path else None,
        "tables": sorted(tables) if tables else None,
        "params": _json_safe(params),
        "params_digest": digest,
        "params_digest_kind": digest_kind,
        "params_dir": str(Path(params_dir).resolve()) if params_dir else None,
        "county_id": county_id,
        "year": int(year) if year is not None else None,
        "packages": package_versions(),
        "git_commit": commit,
        "git_dirty": dirty,
        "python": platform.python_version(),
        "run_at": run_timestamp(),
        "exec_mode": mode,
        "extra": _json_safe({k: v for k, v in extra.items() if k not in ("county_id", "year")}),
    }
    return record


def provenance_for_dataset(
    dataset: Any,
    params_snapshot: Any = None,
    extra: Mapping[str, Any] | None = None,
    *,
    exec_mode: str | None = None,
    params_dir: str | os.PathLike | None = None,
) -> dict[str, Any]:
    """:func:`collect_provenance` from a loaded :class:`toolkit.data.load.Dataset`, with ``synthetic``:
    true when the dataset's manifest says the synthetic generator made it (the outputs then carry the
    示例数据 · synthetic data label; a CSV does not, so its folder's provenance.json says so)."""
    from toolkit.data.synth import is_synth_output

    record = collect_provenance(
        dataset.data_hash,
        params_snapshot,
        extra,
        exec_mode=exec_mode,
        dataset_path=dataset.root,
        tables=sorted(dataset.files),
        params_dir=params_dir,
    )
    record["synthetic"] = is_synth_output(Path(dataset.root))
    return record


def provenance_json(prov: Mapping[str, Any]) -> str:
    return json.dumps(prov, ensure_ascii=False, sort_keys=True, indent=1)


def provenance_script(prov: Mapping[str, Any]) -> str:
    """The machine-readable block; ``</`` is escaped so the JSON cannot close the script tag."""
    text = provenance_json(prov).replace("</", "<\\/")
    return f'<script type="application/json" id="{SCRIPT_ID}">{text}</script>'


def _value_text(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "—" if value is None else str(value)


def _param_text(value: Any, lang: str) -> str:
    """A policy parameter's value as a reader reads it (shares with tier names, choices in words —
    :func:`toolkit.settlement.words.value_words`); the JSON block keeps the value as used."""
    from toolkit.settlement.words import value_words

    if value is None:
        return "—"
    return value_words(value, body_lang(lang))


def run_at_text(run_at: Any, lang: str) -> str:
    """The run's time (recorded in UTC, ISO 8601) in the machine's local time with its zone:
    ``2026年12月02日 08:40:00（北京时间）`` / ``2026-12-02 08:40:00 (UTC+08:00)``."""
    if not run_at:
        return "—"
    try:
        when = dt.datetime.fromisoformat(str(run_at).replace("Z", "+00:00"))
    except ValueError:
        return str(run_at)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    local = when.astimezone()
    offset = local.strftime("%z")
    lang = body_lang(lang)
    # China's zone by its name where the language has one (北京时间), any other by its offset from UTC
    name = message("prov_zone_beijing", lang) if offset == "+0800" else ""
    zone = name or message("prov_zone", lang, offset=f"{offset[:3]}:{offset[3:]}")
    return message("prov_run_at", lang, when=local, zone=zone)


def _exec_mode_text(mode: Any, lang: str) -> str:
    """``reused-kernel`` → 复用内核（批处理）; an unknown mode is shown as recorded."""
    from toolkit.catalogue import has

    key = f"exec_mode_{str(mode).replace('-', '_')}"
    return message(key, lang) if has(key) else _value_text(mode)


def render_provenance_html(prov: Mapping[str, Any], lang: str = "zh", *, embed: bool = True) -> str:
    """A readable provenance table (plus the JSON block when ``embed``)."""
    check_lang(lang)
    rows = [
        (label("dataset_path", lang), prov.get("dataset_path")),
        (label("data_hash", lang), prov.get("data_hash")),
        (
            label("parameters_used", lang),
            message("params_count_digest", lang, n=len(prov["params"]), digest=prov.get("params_digest") or "—")
            if prov.get("params")
            else label("no_policy_parameters", lang),
        ),  # e.g. the province-wide evaluation
        (
            label("git_commit", lang),
            f"{prov.get('git_commit')}" + (message("git_dirty", lang) if prov.get("git_dirty") else ""),
        ),
        (label("python", lang), prov.get("python")),
        (label("packages", lang), ", ".join(f"{k} {v}" for k, v in (prov.get("packages") or {}).items())),
        (label("exec_mode", lang), _exec_mode_text(prov.get("exec_mode"), lang)),
        (label("run_at", lang), run_at_text(prov.get("run_at"), lang)),
    ]
    body = "".join(
        f'<tr><th style="text-align:left;padding:2px 8px;vertical-align:top">{html.escape(k)}</th>'
        f'<td style="padding:2px 8px;font-family:monospace;word-break:break-all">{html.escape(_value_text(v))}</td></tr>'
        for k, v in rows
    )
    params = prov.get("params") or {}
    prow = "".join(
        f'<tr><td style="padding:1px 8px">{html.escape(k)}</td><td style="padding:1px 8px;font-family:monospace">'
        f"{html.escape(_param_text(v, lang))}</td></tr>"
        for k, v in params.items()
    )
    details = (
        (
            f"<details><summary>{html.escape(label('parameters_used', lang))}</summary>"
            f'<table class="toolkit-params">{prow}</table></details>'
        )
        if params
        else ""
    )
    out = f'<table class="toolkit-provenance" style="border-collapse:collapse">{body}</table>{details}'
    return out + (provenance_script(prov) if embed else "")


class ProvenanceDisplay:
    """What a notebook's last cell shows: the table in HTML, the JSON as plain text elsewhere."""

    def __init__(self, prov: Mapping[str, Any], lang: str = "zh"):
        self.prov, self.lang = dict(prov), lang

    def _repr_html_(self) -> str:
        return render_provenance_html(self.prov, self.lang)

    def __repr__(self) -> str:
        return (
            f"provenance: data {self.prov.get('data_hash', '')[:12]}, params {str(self.prov.get('params_digest'))[:12]}"
        )


# attribute order is not fixed: nbconvert's HTML output rewrites <script type=… id=…> as <script id=… type=…>
_SCRIPT_RE = re.compile(
    r'<script(?=[^>]*\bid="' + SCRIPT_ID + r'")(?=[^>]*\btype="application/json")[^>]*>(.*?)</script>', re.S
)


def read_provenance(path: str | os.PathLike) -> dict[str, Any]:
    """The provenance record embedded in a rendered report (.html) or an executed notebook (.ipynb).

    Raises ``ValueError`` when there is none (or more than one different record).
    """
    text = Path(path).read_text(encoding="utf-8")
    if str(path).endswith(".ipynb"):
        nb = json.loads(text)
        blocks = []
        meta = nb.get("metadata", {}).get("toolkit", {}).get("provenance")
        if meta:
            return meta
        for cell in nb.get("cells", []):
            for out in cell.get("outputs", []):
                data = out.get("data", {}).get("text/html")
                if data:
                    blocks.append("".join(data) if isinstance(data, list) else data)
        text = "\n".join(blocks)
    found = {m.group(1).replace("<\\/", "</") for m in _SCRIPT_RE.finditer(text)}
    # an HTML escape of the block (e.g. inside a text/plain fallback) is not a record
    if not found:
        raise ValueError(f"no provenance record (script id '{SCRIPT_ID}') in {path}")
    records = [json.loads(t) for t in sorted(found)]
    if len({json.dumps(r, sort_keys=True) for r in records}) > 1:
        raise ValueError(f"{path} holds {len(records)} different provenance records")
    return records[0]
