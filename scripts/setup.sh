#!/usr/bin/env bash
# Installs what the kiosk needs on a fresh Debian machine, then leaves a ready .venv.
# Sourced by scripts/run-sim and scripts/test; safe to run again (does nothing when up to date).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

DEBIAN_PACKAGES=(
  python3-venv python3-dev gcc
  xvfb xauth libgl1 libegl1 libgl1-mesa-dri libmtdev1 fonts-wqy-microhei
  pcscd pcsc-tools libpcsclite-dev vsmartcard-vpcd socat
  librime1 librime-bin rime-data-luna-pinyin rime-prelude rime-essay
  libzinnia0 tegaki-zinnia-simplified-chinese
  espeak-ng postgresql
  libpango-1.0-0 libpangoft2-1.0-0 poppler-utils
  chromium nginx wrk
)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing Debian packages (run as root to install): ${missing[*]}" >&2
  fi
fi

PY="${PYTHON:-python3}"
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "setup: Python 3.11 or newer is needed; $PY is $("$PY" --version 2>&1)" >&2
  exit 1
fi
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"

stamp="$VENV/.installed-$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "setup: installing Python packages into .venv" >&2
  "$VENV/bin/pip" install -q -U pip >/dev/null
  "$VENV/bin/pip" install -q -e "$ROOT[dev]"
  rm -f "$VENV"/.installed-*
  touch "$stamp"
fi
