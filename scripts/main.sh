#!/usr/bin/env bash
# The main job on a fresh machine: install the pinned toolchain and dependencies, build, and run the
# reference trainer's embedded default (tiny DeBERTa-v3 on synth-sst2, every score function + LoRA,
# then the comparison table; no network or downloaded model needed). Extra arguments go to
# `adalora default` (e.g. --out runs/mine).
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 TURBO_NO_UPDATE_NOTIFIER=1
bash scripts/setup.sh >&2
export PATH="$PWD/.tools/bin:$PATH"
pnpm turbo run build --filter=@adalora/trainer... --output-logs=errors-only </dev/null >&2
exec node apps/trainer/dist/bin.js default "$@"
