#!/usr/bin/env bash
# Shared setup for the README's two commands: a virtual environment in .venv with the
# pinned requirements (torch==2.13.0, the CPU build) and transformer_lib installed editable.
# Re-running is cheap: pip finds everything satisfied.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=${PYTHON:-python3}
if [ ! -x "$ROOT/.venv/bin/python" ]; then
  echo "==> creating $ROOT/.venv with $($PY --version)"
  "$PY" -m venv "$ROOT/.venv"
fi
VPY="$ROOT/.venv/bin/python"
stamp="$ROOT/.venv/.installed"
want=$(cat "$ROOT/requirements.txt" "$ROOT/pyproject.toml" | sha1sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "==> installing requirements (torch==2.13.0, Jupyter Book v1, test tools)"
  start=$(date +%s)
  # One resolver run over both, so the pinned CPU torch satisfies transformer_lib's range.
  "$VPY" -m pip install --disable-pip-version-check -q -r "$ROOT/requirements.txt" -e "$ROOT" 2>&1 \
    | grep -v "^WARNING: Location" || true
  "$VPY" -c "import torch, transformer_lib" \
    || { echo "setup failed: torch or transformer_lib did not install" >&2; exit 1; }
  # PyPI's Linux torch is a CUDA build (several GB); the book needs only the CPU. It works either
  # way, but say how to get the small one next time.
  "$VPY" -c "import torch, sys; sys.exit('+cu' in torch.__version__)" || echo "==> note: torch $("$VPY" -c \
    'import torch; print(torch.__version__)') is a CUDA build; for the CPU build set PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu before the first run"
  echo "$want" > "$stamp"
  echo "==> installed in $(( $(date +%s) - start )) s"
fi
export PATH="$ROOT/.venv/bin:$PATH"
