#!/usr/bin/env bash
# Install bulkwizard into .venv and start the desktop app on the built-in sandbox org.
#
#   bash packaging/start.sh            # the README's first command
#
# On Debian/Ubuntu, when run as root (or with sudo available), it first installs the X/GL
# libraries Qt needs if any are missing. Without a screen (no DISPLAY / WAYLAND_DISPLAY, e.g. a
# server or a container) the app is started on a virtual screen (Xvfb) and says so.
set -euo pipefail
cd "$(dirname "$0")/.."

QT_RUNTIME_PACKAGES=(
    libegl1 libgl1 libopengl0 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
    libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-render-util0
    libxcb-image0 libxcb-randr0 libxcb-xinerama0 libxcb-xkb1 fonts-dejavu-core
)
headless=0
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    headless=1
    QT_RUNTIME_PACKAGES+=(xvfb xauth)
fi

if command -v apt-get >/dev/null 2>&1; then
    missing=()
    for package in "${QT_RUNTIME_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$package")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        sudo=""
        [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1 && sudo="sudo"
        if [ "$(id -u)" = 0 ] || [ -n "$sudo" ]; then
            echo "Installing the libraries Qt needs: ${missing[*]}"
            $sudo apt-get update -qq
            DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
                "${missing[@]}" >/dev/null
        else
            echo "Note: Qt may need these packages: ${missing[*]}" >&2
        fi
    fi
fi

PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
pip_log="$(mktemp)"
if ! .venv/bin/python -m pip install -q --disable-pip-version-check -e . >"$pip_log" 2>&1; then
    cat "$pip_log" >&2
    exit 1
fi
rm -f "$pip_log"

if [ "$headless" = 1 ]; then
    echo "No screen here (DISPLAY is not set): starting bulkwizard on a virtual screen (Xvfb)."
    echo "On a desktop, run .venv/bin/bulkwizard to see the window. Ctrl+C stops it."
    exec xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/bulkwizard "$@"
fi
exec .venv/bin/bulkwizard "$@"
