#!/usr/bin/env bash
# Install the locked Python dependencies into .venv (a no-op when up to date).
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x .venv/bin/python ] || python3 -m venv .venv
[ -x .venv/bin/uv ] || .venv/bin/pip install --quiet --disable-pip-version-check "uv==0.13.8"
UV_LINK_MODE=copy .venv/bin/uv sync --frozen --quiet
