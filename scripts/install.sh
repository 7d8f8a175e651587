#!/usr/bin/env bash
# Install the locked Python dependencies into .venv and the front-end ones
# into node_modules (each a no-op when up to date).
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x .venv/bin/python ] || python3 -m venv .venv
[ -x .venv/bin/uv ] || .venv/bin/pip install --quiet --disable-pip-version-check "uv==0.13.8"
UV_LINK_MODE=copy .venv/bin/uv sync --frozen --quiet

# Front-end libraries (Leaflet, the atlases, uPlot) from package-lock.json,
# served from node_modules/ as static files. Again only when the lock changed.
if ! command -v npm >/dev/null; then
  if [ "$(id -u)" != 0 ]; then
    echo "install.sh: npm is missing; install Node.js and npm" \
      "(sudo apt-get install nodejs npm) and run again" >&2
    exit 1
  fi
  echo "Installing nodejs and npm from the OS packages..."
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
# npm writes node_modules/.package-lock.json after each install.
if [ ! -f node_modules/.package-lock.json ] ||
  [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --omit=dev --no-audit --no-fund --loglevel=error
fi
