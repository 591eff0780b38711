#!/usr/bin/env bash
# Build the book: install what is needed, execute every chapter, write the HTML site.
# Strict: a cell that raises or a Sphinx warning fails the build.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/setup.sh"
cd "$ROOT"
start=$(date +%s)
jupyter-book build . --warningiserror --nitpick --keep-going --builder html
echo "==> book built in $(( $(date +%s) - start )) s"
echo "==> open $ROOT/_build/html/index.html"
