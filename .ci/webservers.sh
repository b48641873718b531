#!/usr/bin/env bash
# nginx and Apache for tests/test_publish_static.py, which check that the server rules written by
# `kg publish` (nginx.conf, .htaccess) give the static copy the same 303 + conneg as `kg serve`.
# The tests start their own instances on 127.0.0.1; the packages' services are kept from starting.
set -euo pipefail
missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
[ -x /usr/sbin/apache2 ] || missing+=(apache2)
if [ ${#missing[@]} -eq 0 ]; then
  echo "webservers.sh: nginx and apache2 already installed"
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "webservers.sh: need root and apt-get to install ${missing[*]}" >&2
  exit 1
fi
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"   # 101 = services may not be started
  chmod +x "$policy"
  trap 'rm -f "$policy"' EXIT
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
