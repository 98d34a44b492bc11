#!/usr/bin/env bash
# Writes notebook-image/uv.lock, to be committed: with uv if it is installed, else with uv's
# official image. Needs network access to PyPI and the PyTorch CPU index.
set -euo pipefail
cd "$(dirname "$0")"
UV_VERSION="${UV_VERSION:-0.9.9}"
if command -v uv >/dev/null 2>&1; then
  uv lock "$@"
else
  docker run --rm -u "$(id -u):$(id -g)" -e UV_CACHE_DIR=/tmp/uv-cache -v "$PWD:/project" -w /project \
    --entrypoint uv "ghcr.io/astral-sh/uv:${UV_VERSION}-python3.12-bookworm-slim" lock "$@"
fi
echo "wrote $(pwd)/uv.lock; commit it so image builds install exactly these versions"
