#!/usr/bin/env bash
# Build the book: install what is needed, execute every chapter, write the HTML site.
# Strict: a cell that raises or a Sphinx warning fails the build.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/setup.sh"
cd "$ROOT"
# The execution cache is keyed on each notebook's code only. A change to the library can
# change every output, so a new library version starts from an empty cache.
lib=$(find transformer_lib -type f \( -name '*.py' -o -name '*.js' -o -name '*.json' -o -name '*.safetensors' \) \
      -not -path '*/__pycache__/*' | sort | xargs sha1sum | sha1sum | cut -d' ' -f1)
mkdir -p _build
if [ -f _build/.library-hash ] && [ "$(cat _build/.library-hash)" != "$lib" ]; then
  echo "==> transformer_lib changed since the last build: clearing the execution cache"
  rm -rf _build/.jupyter_cache _build/jupyter_execute _build/.doctrees
fi
start=$(date +%s)
jupyter-book build . --warningiserror --nitpick --keep-going --builder html
echo "$lib" > _build/.library-hash
echo "==> book built in $(( $(date +%s) - start )) s"
echo "==> open $ROOT/_build/html/index.html"
