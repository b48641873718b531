#!/usr/bin/env bash
# Headless Chromium and ChromeDriver from Debian for tests/test_publish_browser.py (marked "browser";
# it skips when these are absent). Installs only what is missing; needs root and apt-get.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
if [ ${#missing[@]} -eq 0 ]; then
  echo "chromium.sh: chromium and chromedriver already installed"
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium.sh: need root and apt-get to install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null  # with Recommends: the fonts that render Vietnamese
chromium --version
