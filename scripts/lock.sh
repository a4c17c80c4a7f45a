#!/usr/bin/env bash
# Re-resolve requirements.in into requirements.lock in a throw-away venv, then sync environment.yml.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$(mktemp -d)"
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install --quiet -r "$ROOT/requirements.in"
{ echo "# Generated from requirements.in by scripts/lock.sh on Python 3.11 (Debian). Do not edit by hand."
  "$tmp/venv/bin/python" -m pip freeze --exclude-editable; } > "$ROOT/requirements.lock"
python3 "$ROOT/scripts/sync_environment.py"
rm -rf "$tmp"
