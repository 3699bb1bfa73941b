#!/usr/bin/env bash
# One-time set-up on a fresh machine, safe to rerun: npm packages, then Verilator, Yosys,
# Icarus Verilog and nextpnr-ice40 from Debian's packages when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi

missing=()
command -v verilator >/dev/null 2>&1 || missing+=(verilator)
command -v yosys >/dev/null 2>&1 || missing+=(yosys)
# `antforge prove` searches with yosys-abc, which Debian ships in the yosys package.
if command -v yosys >/dev/null 2>&1 && ! command -v yosys-abc >/dev/null 2>&1; then missing+=(yosys); fi
command -v iverilog >/dev/null 2>&1 || missing+=(iverilog)
command -v nextpnr-ice40 >/dev/null 2>&1 || missing+=(nextpnr-ice40)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]} from Debian's packages" >&2
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; fi
  fi
  if ! command -v apt-get >/dev/null 2>&1 || { [ "$(id -u)" != 0 ] && [ -z "$sudo" ]; }; then
    echo "setup: cannot install ${missing[*]}: need apt-get as root (or sudo)." >&2
    echo "       Install Verilator 5.x, Yosys, Icarus Verilog and nextpnr-ice40 yourself, e.g. 'apt-get install verilator yosys iverilog nextpnr-ice40'." >&2
    exit 2
  fi
  if ! { $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2; }; then
    echo "setup: 'apt-get install ${missing[*]}' failed; install them yourself and rerun." >&2
    exit 2
  fi
fi

ver=$(verilator --version | awk '{print $2}')
case "$ver" in
  5.*) ;;
  *) echo "setup: Verilator $ver found; antforge needs Verilator 5.x" >&2; exit 2 ;;
esac
