#!/usr/bin/env bash
# Sets up a fresh clone: the pinned pnpm into ./.tools (nothing system-wide), then the workspace's
# dependencies from the frozen lockfile. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PNPM_VERSION="$(node -p "require('./package.json').packageManager.split('@')[1].split('+')[0]")"
if [ "$(PATH="$PWD/.tools/bin:$PATH" pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  npm install --global --prefix "$PWD/.tools" --no-fund --no-audit --loglevel=error "pnpm@$PNPM_VERSION" </dev/null
fi
export PATH="$PWD/.tools/bin:$PATH"
pnpm install --frozen-lockfile --reporter=append-only </dev/null
