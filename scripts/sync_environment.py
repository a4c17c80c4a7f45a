"""Write environment.yml from requirements.lock so conda users get the same pins.

Run after changing requirements.lock:  python scripts/sync_environment.py
tests/test_environment_sync.py fails when the two drift apart.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def locked_pins(lock: Path) -> list[str]:
    return [
        line.strip()
        for line in lock.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]


def render(pins: list[str]) -> str:
    lines = [
        "# Generated from requirements.lock by scripts/sync_environment.py; do not edit by hand.",
        "name: county-health-toolkit",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        "  - python=3.11",
        "  - pip",
        "  - pip:",
    ]
    lines += [f"      - {pin}" for pin in pins]
    lines.append("      - -e .")
    return "\n".join(lines) + "\n"


def main() -> int:
    text = render(locked_pins(ROOT / "requirements.lock"))
    (ROOT / "environment.yml").write_text(text, encoding="utf-8")
    print("environment.yml written", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
