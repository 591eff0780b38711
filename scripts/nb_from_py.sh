#!/usr/bin/env bash
# Authoring aid (not needed to build or test): convert a py:percent chapter draft to a
# .ipynb without outputs, with the python3 kernel and the Colab install cell.
# Usage: scripts/nb_from_py.sh draft.py chapters/name.ipynb
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
py="$here/.venv/bin/python"
"$py" -m jupytext --to ipynb --set-kernel python3 -o "$2" "$1" -q
"$py" "$here/scripts/colab_cell.py"
