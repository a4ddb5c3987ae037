#!/usr/bin/env bash
# Debian packages some tests use (run as root, as CI does): a real single-node Slurm for the sweep tests
# (slurmctld, slurmd, slurm-client, munge) and OpenBLAS for the native accelerator's tests. Without
# them those tests say so and skip; nothing else needs them.
set -uo pipefail
packages=(slurmctld slurmd slurm-client munge libopenblas0-pthread)
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "install-test-deps: not root or no apt-get; Slurm and OpenBLAS tests will skip" >&2
  exit 0
fi
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ "${#missing[@]}" -eq 0 ] && exit 0
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >/dev/null 2>&1; then
  echo "install-test-deps: could not install ${missing[*]}; the tests that need them will skip" >&2
fi
exit 0
