"""A cache of validated datasets: the typed tables of a dataset that passed validation, as Parquet.

Reading and validating the CSV files of a province takes seconds; every notebook of a batch and
every CLI command loads the same unchanged folder again. :func:`toolkit.data.load.load_dataset`
therefore stores the tables of a *fully valid* load here and serves the next load of the same
bytes from Parquet.

An entry is keyed by

* the data hash (``Dataset.data_hash``: sha256 over the table files, recomputed from the files on
  every load, so a changed file is never served from the cache),
* the table files loaded (names, in contract order; claims count as a file, its rows are never
  stored: claims are only referenced by path, ``Dataset.files["claims"]``),
* :func:`contract_version`: a hash of the source bytes of ``toolkit/data/contract.py``,
  ``load.py`` and this module, plus the pandas and pyarrow versions, so a change of the rules or
  of the loader invalidates every entry.

Only valid datasets are stored, so validation errors are never cached: a broken dataset is
validated (and reported) on every load.

An entry is a folder ``<key>/`` with one ``<table>.parquet`` per table and ``manifest.json``
(written last) that records the sha256, row count, column names and dtypes of each file. An entry
whose manifest is missing, unreadable or disagrees with its files or with the tables read back is
ignored and rebuilt, never trusted. Every file is written atomically (``toolkit.io``).

Location: ``$TOOLKIT_CACHE_DIR`` if set, else the user's cache folder
(``$XDG_CACHE_HOME`` or ``~/.cache``) ``/county-health-toolkit/datasets/``, else (not writable)
``<temp dir>/toolkit-cache``. Never inside the dataset folder: raw data stays as delivered, and a
dataset on a read-only share or a colleague's disk is cached all the same. Entries of different
datasets share the folder (the key holds the data hash); the least recently used beyond
``KEEP_ENTRIES`` are removed.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import pandas as pd

from toolkit.io import write_bytes, write_text

#: the environment variable naming a cache folder shared by every dataset
ENV_VAR = "TOOLKIT_CACHE_DIR"
#: the toolkit's folder under the user's cache folder, and the cache's folder inside it
APP_NAME = "county-health-toolkit"
FOLDER_NAME = "datasets"
MANIFEST = "manifest.json"
#: entries kept per cache folder; older ones (by last use) are removed after a write
KEEP_ENTRIES = 16
_FORMAT = 1
_KEY_LENGTH = 40


def _is_entry(p: Path) -> bool:
    """An entry folder made by this module (a 40-hex-digit name): nothing else is ever removed."""
    return p.is_dir() and len(p.name) == _KEY_LENGTH and all(ch in "0123456789abcdef" for ch in p.name)


@lru_cache(maxsize=1)
def contract_version() -> str:
    """Hash of the rules and the loader: the source of contract.py, load.py, plausibility.py and cache.py + library versions."""
    import pyarrow

    h = hashlib.sha256(f"format:{_FORMAT}\npandas:{pd.__version__}\npyarrow:{pyarrow.__version__}\n".encode())
    here = Path(__file__).resolve().parent
    for name in ("contract.py", "load.py", "plausibility.py", "cache.py"):
        h.update(f"source:{name}\n".encode())
        h.update((here / name).read_bytes())
    return h.hexdigest()


def user_cache_root() -> Path:
    """``$XDG_CACHE_HOME/county-health-toolkit`` (``~/.cache/…`` when unset), as freedesktop asks."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / APP_NAME


def _writable(folder: Path) -> bool:
    """``folder`` exists or can be made, and files can be created in it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)


def cache_dir() -> Path:
    """Where cache entries live (see the module docstring): one folder for every dataset."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    user = user_cache_root() / FOLDER_NAME
    if _writable(user):
        return user
    return Path(tempfile.gettempdir()) / "toolkit-cache"


def entry_key(data_hash: str, tables: Sequence[str]) -> str:
    """The folder name of an entry: a hash of (data hash, table files loaded, contract version)."""
    text = json.dumps({"data_hash": data_hash, "tables": list(tables), "version": contract_version()}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:_KEY_LENGTH]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read(
    root: str | os.PathLike, data_hash: str, tables: Sequence[str], names: Sequence[str]
) -> dict[str, pd.DataFrame] | None:
    """The cached tables ``names`` of the entry (data_hash, tables), or None when absent or not trustworthy.

    ``tables`` are all table files of the load (the key); ``names`` the tables held in memory
    (``tables`` less claims).
    """
    folder = cache_dir() / entry_key(data_hash, tables)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if (
            manifest.get("format") != _FORMAT
            or manifest.get("data_hash") != data_hash
            or manifest.get("version") != contract_version()
            or manifest.get("tables") != list(tables)
            or sorted(manifest.get("files", {})) != sorted(names)
        ):
            return None
        out = {}
        for name in names:
            info = manifest["files"][name]
            data = (folder / f"{name}.parquet").read_bytes()
            if _sha(data) != info["sha256"]:
                return None  # a partial or corrupt file: rebuild
            frame = pd.read_parquet(io.BytesIO(data))
            if (
                len(frame) != info["rows"]
                or list(frame.columns) != info["columns"]
                or [str(t) for t in frame.dtypes] != info["dtypes"]
                or not isinstance(frame.index, pd.RangeIndex)
                or frame.index.start != 0
            ):
                return None
            out[name] = frame
    except Exception:  # unreadable in any way (missing, truncated, foreign): not trusted
        return None
    try:  # mark as recently used, for pruning
        os.utime(folder / MANIFEST)
    except OSError:
        pass
    return out


def write(root: str | os.PathLike, data_hash: str, tables: Sequence[str], frames: Mapping[str, pd.DataFrame]) -> bool:
    """Store the validated ``frames`` under (data_hash, tables); False (and nothing trusted) if it cannot.

    A failure to write (read-only disk, full disk, a column Parquet cannot hold) never fails the
    load: the dataset was valid, only the next load will be slower.
    """
    base = cache_dir()
    folder = base / entry_key(data_hash, tables)
    try:
        files = {}
        for name in sorted(frames):
            frame = frames[name]
            buf = io.BytesIO()
            frame.to_parquet(buf, index=False, engine="pyarrow", compression="zstd")
            data = buf.getvalue()
            # read back before trusting: a dtype Parquet does not round-trip is not cached
            back = pd.read_parquet(io.BytesIO(data))
            if [str(t) for t in back.dtypes] != [str(t) for t in frame.dtypes] or list(back.columns) != list(
                frame.columns
            ):
                return False
            write_bytes(folder / f"{name}.parquet", data)
            files[name] = {
                "sha256": _sha(data),
                "rows": int(len(frame)),
                "columns": [str(c) for c in frame.columns],
                "dtypes": [str(t) for t in frame.dtypes],
            }
        manifest = {
            "format": _FORMAT,
            "data_hash": data_hash,
            "tables": list(tables),
            "version": contract_version(),
            "files": files,
            "root": _root_text(root),
        }  # informative (and for clear()); not part of the key
        write_text(folder / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))  # last: marks it complete
    except Exception:
        return False
    _prune(base, keep=folder)
    return True


def _prune(base: Path, keep: Path) -> None:
    """Remove the least recently used entries beyond KEEP_ENTRIES (never ``keep``)."""
    try:
        entries = [p for p in base.iterdir() if _is_entry(p) and p != keep]

        def last_used(p: Path) -> float:
            m = p / MANIFEST
            return m.stat().st_mtime if m.exists() else p.stat().st_mtime

        entries.sort(key=last_used, reverse=True)
        for old in entries[KEEP_ENTRIES - 1 :]:
            shutil.rmtree(old, ignore_errors=True)
    except OSError:
        pass


def _root_text(root: str | os.PathLike) -> str:
    return str(Path(root).resolve())


def clear(root: str | os.PathLike) -> None:
    """Remove the cached entries made from the dataset folder ``root`` (the cache folder is shared)."""
    base = cache_dir()
    if not base.is_dir():
        return
    wanted = _root_text(root)
    for p in base.iterdir():
        if not _is_entry(p):
            continue
        try:
            made_from = json.loads((p / MANIFEST).read_text(encoding="utf-8")).get("root")
        except (OSError, ValueError):
            made_from = None  # a half-written entry: not trusted by read() either; leave it to pruning
        if made_from == wanted:
            shutil.rmtree(p, ignore_errors=True)
