#!/usr/bin/env bash
# Run the test suite: library parity with torch, invariances, bad input, the strict book
# build (every chapter executed) and the built pages in headless Chromium.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/setup.sh"
bash "$ROOT/scripts/ensure_chromium.sh"
cd "$ROOT"
python -m pytest "$@"
