"""Skip unchanged work: the batch manifest (``<out>/.batch-manifest.json``).

A report is redone unless *all* of these are unchanged since it was last written:
the data (every file of the dataset folder), the parameter values passed to the notebook
(county, year, language, …), the policy parameter files (``params/``), the notebook file, and the
toolkit itself (its version and the bytes of every ``toolkit/**/*.py`` and data file, so a
code change reruns every report). These are folded into one ``input_key``.

Skipping also needs the outputs to be intact: the manifest records the sha256 of every file a
report wrote; a missing, edited or truncated file makes the report run again.

The manifest is rewritten atomically after every finished report, so a batch killed at any
moment leaves a manifest that describes only complete outputs.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit import __version__
from toolkit.io import write_text
from toolkit.paths import PACKAGE_DIR

MANIFEST_NAME = ".batch-manifest.json"
MANIFEST_FORMAT = 1
_CHUNK = 1 << 20

# files that never influence a report: caches, editor and build leftovers
_IGNORED_PARTS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".git"}


def file_sha256(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def _tree_files(root: Path, suffixes: tuple[str, ...] | None = None) -> list[Path]:
    if root.is_file():
        return [root]
    files = []
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if any(part in _IGNORED_PARTS or part.startswith(".") for part in rel.parts):
            continue
        if path.is_file() and (suffixes is None or path.suffix in suffixes):
            files.append(path)
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def tree_digest(root: str | os.PathLike, suffixes: tuple[str, ...] | None = None) -> str:
    """sha256 over (relative name, content digest) of every file under ``root``, sorted by name.

    Hidden files and caches are ignored. A missing root digests as the empty tree.
    """
    root = Path(root)
    h = hashlib.sha256()
    if root.exists():
        for path in _tree_files(root, suffixes):
            rel = path.name if root.is_file() else path.relative_to(root).as_posix()
            h.update(rel.encode("utf-8") + b"\0" + file_sha256(path).encode("ascii") + b"\n")
    return h.hexdigest()


def toolkit_digest() -> str:
    """The toolkit's version plus its source and data files (so any code change reruns reports)."""
    h = hashlib.sha256(__version__.encode())
    h.update(tree_digest(PACKAGE_DIR, (".py", ".yaml", ".yml", ".json", ".csv", ".toml", ".j2")).encode())
    return h.hexdigest()


def input_key(parts: dict[str, Any]) -> str:
    """One digest of every input of a report (``parts``: name -> digest or parameter value)."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Manifest:
    """Report id ("notebook/county/year") -> what was last done for it."""

    path: Path
    entries: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def load(cls, out_dir: str | os.PathLike) -> Manifest:
        path = Path(out_dir) / MANIFEST_NAME
        entries: dict[str, dict] = {}
        if path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if data.get("format") == MANIFEST_FORMAT:
                    entries = dict(data.get("reports", {}))
            except (ValueError, OSError):
                entries = {}  # unreadable manifest: everything is redone, nothing is trusted
        return cls(path=path, entries=entries)

    def save(self) -> None:
        data = {"format": MANIFEST_FORMAT, "reports": {k: self.entries[k] for k in sorted(self.entries)}}
        write_text(self.path, json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n")

    def is_fresh(self, report_id: str, key: str) -> bool:
        """True when ``report_id`` completed with this ``key`` and every output it wrote is intact."""
        entry = self.entries.get(report_id)
        if not entry or entry.get("status") != "ok" or entry.get("input_key") != key:
            return False
        root = self.path.parent
        outputs = entry.get("outputs") or {}
        if not outputs:
            return False
        for rel, digest in outputs.items():
            target = root / rel
            if not target.is_file() or file_sha256(target) != digest:
                return False
        return True

    def record(self, report_id: str, entry: dict) -> None:
        self.entries[report_id] = entry


def hash_outputs(out_dir: Path, paths: Iterable[Path]) -> dict[str, str]:
    """relative posix path -> sha256 for every file in ``paths`` (directories are walked)."""
    result = {}
    for p in paths:
        files = _tree_files(p) if p.is_dir() else ([p] if p.is_file() else [])
        for f in files:
            result[f.relative_to(out_dir).as_posix()] = file_sha256(f)
    return dict(sorted(result.items()))
