#!/usr/bin/env bash
# Install everything the tests need, then run the whole suite (the README's test command;
# .ci/run calls exactly this). Extra arguments go to pytest, e.g. -m "not slow".
#
#  - system packages: tmux (real-terminal tests), librsvg2-bin (screenshots),
#    munge + slurmctld + slurmd + slurm-client (a real single-node SLURM cluster that the
#    tests start on loopback and stop by pid), prometheus (a real Prometheus server that scrapes
#    `evalmon run --metrics-port`, started on loopback with a generated config, stopped by pid)
#  - a virtual environment .venv with evalmon and its [test] extra (lm-eval, pytest, ...)
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(tmux librsvg2-bin munge slurmctld slurmd slurm-client prometheus)
missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "==> installing system packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi
echo "==> installing evalmon[test] into .venv"
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'

echo "==> ruff"
.venv/bin/ruff check .

echo "==> pytest"
# SLURM, Prometheus, tmux and lm-eval tests must run here, not skip: a missing piece is a failure.
export EVALMON_REQUIRE_SLURM="${EVALMON_REQUIRE_SLURM:-1}"
export EVALMON_REQUIRE_PROMETHEUS="${EVALMON_REQUIRE_PROMETHEUS:-1}"

export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
# Two pytest-xdist workers by default (a module in one worker, the SLURM tests together in
# one: tests/conftest.py): about 11 instead of 20 minutes on 2 cores. EVALMON_TEST_WORKERS=0
# runs in one process. (The SLURM tests' races that two workers' load once exposed are waited
# on now: the credential revoked in the requeue's second; a jobcomp line SLURM writes only
# when a cancel misses the requeued job's COMPLETING window is not waited for.)
exec .venv/bin/python -m pytest -n "${EVALMON_TEST_WORKERS:-2}" --dist loadgroup "$@"
