#!/usr/bin/env bash
# Install Virtuoso Open Source 7 (Debian's virtuoso-opensource) for the `virtuoso` tests
# (tests/test_store_virtuoso.py). The tests start their own server from a copy of the packaged
# ini with its ports on 127.0.0.1; this script also makes the packaged ini loopback-only and keeps
# the package's service from starting, because the stock ini listens on every interface.
# Measured here: apt-get update + install took about 6 s (11 packages, 5.6 MB).
set -euo pipefail

ini=/etc/virtuoso-opensource-7/virtuoso.ini

if ! command -v virtuoso-t >/dev/null 2>&1; then
  if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "virtuoso.sh: needs root and apt-get; the virtuoso tests will be skipped" >&2
    exit 1
  fi
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    # Debian's way to tell maintainer scripts not to start services (exit 101 = action forbidden).
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod +x "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends virtuoso-opensource
fi

# Loopback only, should anyone start the packaged configuration.
if [ -w "$ini" ]; then
  sed -i -E 's/^(ServerPort[[:space:]]*=[[:space:]]*)(1111|8890)[[:space:]]*$/\1127.0.0.1:\2/' "$ini"
fi
virtuoso-t +help 2>&1 | sed -n 2p || true
