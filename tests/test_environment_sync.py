"""environment.yml (conda users) and requirements.lock (pip users) carry the same pins."""

import importlib.util
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _sync_module():
    spec = importlib.util.spec_from_file_location("sync_environment", ROOT / "scripts" / "sync_environment.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_environment_yml_matches_lock():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    conda_pins = sorted(p for p in pip_section if not p.startswith("-e"))
    lock_pins = sorted(_sync_module().locked_pins(ROOT / "requirements.lock"))
    missing = sorted(set(lock_pins) - set(conda_pins))
    extra = sorted(set(conda_pins) - set(lock_pins))
    assert not missing and not extra, (
        f"environment.yml drifted from requirements.lock: missing {missing}, extra {extra}; "
        "run python scripts/sync_environment.py"
    )
    assert "python=3.11" in env["dependencies"]


def test_every_top_level_requirement_is_pinned():
    lock = {p.split("==")[0].lower().replace("_", "-") for p in _sync_module().locked_pins(ROOT / "requirements.lock")}
    wanted = [
        line.split("#")[0].strip().lower().replace("_", "-")
        for line in (ROOT / "requirements.in").read_text(encoding="utf-8").splitlines()
    ]
    unpinned = [name for name in wanted if name and name not in lock]
    assert not unpinned, f"requirements.in names packages missing from requirements.lock: {unpinned}"
