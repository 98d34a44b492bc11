#!/usr/bin/env bash
# Executes a notebook top to bottom without a browser (nbclient), failing on the first cell error.
#   MODELSYNC_MODELS_DIR=/path/to/models MODELSYNC_API_URL=http://localhost:8080 \
#     notebook-image/run-notebook.sh [notebooks/save-and-serve.ipynb] [executed.ipynb]
# The Python that runs it (PYTHON, default python3) needs: nbclient nbformat ipykernel torch onnx
# onnxruntime numpy, and this helper (pip install ./notebook-image).
set -euo pipefail
cd "$(dirname "$0")/.."
NOTEBOOK="${1:-notebooks/save-and-serve.ipynb}"
OUT="${2:-${TMPDIR:-/tmp}/$(basename "$NOTEBOOK" .ipynb).executed.ipynb}"
: "${MODELSYNC_MODELS_DIR:?set MODELSYNC_MODELS_DIR to the directory the agent watches}"
: "${MODELSYNC_API_URL:?set MODELSYNC_API_URL to the api, e.g. http://localhost:8080}"
export MODELSYNC_MODELS_DIR MODELSYNC_API_URL
"${PYTHON:-python3}" - "$NOTEBOOK" "$OUT" <<'PY'
import sys, time
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

source, out = sys.argv[1], sys.argv[2]
nb = nbformat.read(source, as_version=4)
start = time.monotonic()
try:
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": "."}}).execute()
except CellExecutionError as e:
    nbformat.write(nb, out)
    print(f"FAILED {source} (executed copy: {out})\n{e}", file=sys.stderr)
    sys.exit(1)
nbformat.write(nb, out)
for cell in nb.cells:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            sys.stdout.write(output["text"])
print(f"executed {source} in {time.monotonic() - start:.1f} s -> {out}")
PY
