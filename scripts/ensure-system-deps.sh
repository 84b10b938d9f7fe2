#!/usr/bin/env bash
# Installs the Debian packages the tests use, if they are missing:
#   socat     — serial pseudo-terminal pairs for Modbus RTU tests.
#   chromium  — the browser the dashboard test drives with playwright-core (/usr/bin/chromium).
# Runs before `npm test`; does nothing when everything is present.
set -euo pipefail
# Debian package → the command that shows it is installed.
declare -A commands=([socat]=socat [chromium]=/usr/bin/chromium)
missing=()
for p in "${!commands[@]}"; do command -v "${commands[$p]}" >/dev/null 2>&1 || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "missing ${missing[*]}: install them with your package manager" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing ${missing[*]} (Debian packages used by the tests)"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
