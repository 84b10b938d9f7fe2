#!/usr/bin/env bash
# Installs the Debian packages the tests use, if they are missing:
#   socat  — serial pseudo-terminal pairs for Modbus RTU tests.
# Runs before `npm test`; does nothing when everything is present.
set -euo pipefail
packages=(socat)
missing=()
for p in "${packages[@]}"; do command -v "$p" >/dev/null 2>&1 || missing+=("$p"); done
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
