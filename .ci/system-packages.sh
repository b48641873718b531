#!/usr/bin/env bash
# Debian packages some tests use: headless Chromium (publishing browser test),
# nginx and Apache (static-site server rules)
# and Virtuoso (second SPARQL server). Each helper script installs only if absent.
set -uo pipefail
cd "$(dirname "$0")"
status=0
for script in chromium.sh virtuoso.sh webservers.sh; do
  if [ -f "$script" ]; then
    timeout 900 bash "$script" || { echo "ci: $script failed" >&2; status=1; }
  fi
done
exit $status
