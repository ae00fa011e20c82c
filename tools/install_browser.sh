#!/bin/sh
# Installs headless Chromium from the system's packages for the browser test of `kgan serve`'s page
# (tests/serving/test_ui_page.py, driven by Playwright for Python from the `test` extra).
# Idempotent: does nothing when /usr/bin/chromium exists. Never runs `playwright install`,
# which would download a browser build; Debian's chromium works offline once installed.
# Needs root (or sudo) and apt-get; prints what to do otherwise.
set -eu

if [ -x /usr/bin/chromium ]; then
    echo "install_browser: /usr/bin/chromium is already installed"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_browser: no apt-get here; install Chromium with your package manager so that" \
         "/usr/bin/chromium exists" >&2
    exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
else
    echo "install_browser: run as root (or install sudo): apt-get install -y chromium" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists only when apt does not know chromium yet (fresh containers have no lists).
if ! apt-cache show chromium >/dev/null 2>&1; then
    $sudo apt-get update
fi
$sudo apt-get install -y --no-install-recommends chromium
/usr/bin/chromium --version
