#!/usr/bin/env bash
# Debian packages some tests use: headless Chromium (publishing browser test),
# nginx and Apache (static-site server rules)
# and Virtuoso (second SPARQL server). Each helper script installs only if absent.
set -uo pipefail
cd "$(dirname "$0")"
status=0
# Debian's own python3 ships venv without ensurepip; README's commands need `python3 -m venv`.
if ! python3 -c "import ensurepip" >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null \
    || { echo "ci: python3-venv not installed" >&2; status=1; }
fi
for script in chromium.sh virtuoso.sh webservers.sh; do
  if [ -f "$script" ]; then
    timeout 900 bash "$script" || { echo "ci: $script failed" >&2; status=1; }
  fi
done
exit $status
