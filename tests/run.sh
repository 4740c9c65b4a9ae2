#!/usr/bin/env bash
# Install everything the test suite needs, then run all checks and tests.
#
#   bash tests/run.sh            # what CI runs (.ci/run) and what the README tells developers
#
# Installs (when run as root on Debian/Ubuntu): Xvfb and the X/GL libraries Qt needs, dbus and
# gnome-keyring (for the real Secret Service test). Then a virtualenv in .venv with the package
# and its test extras, then ruff, mypy and pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
    xvfb xauth                      # a real X screen for screenshots and xcb tests
    dbus dbus-x11 gnome-keyring     # a real Secret Service for the keyring test
    libegl1 libgl1 libopengl0 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
    libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-render-util0
    libxcb-image0 libxcb-randr0 libxcb-xinerama0 libxcb-xkb1 fonts-dejavu-core
)

install_debian_packages() {
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "tests/run.sh: not a Debian system; install the equivalent of: ${DEBIAN_PACKAGES[*]}" >&2
        return
    fi
    local missing=()
    for package in "${DEBIAN_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$package")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        return
    fi
    local sudo=""
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
            echo "tests/run.sh: please install: ${missing[*]}" >&2
            return
        fi
    fi
    echo "tests/run.sh: installing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}

install_debian_packages

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
pip_log="$(mktemp)"
if ! .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]' >"$pip_log" 2>&1
then
    cat "$pip_log" >&2
    exit 1
fi
rm -f "$pip_log"

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy
echo "== pytest"
export QT_QPA_PLATFORM=offscreen
.venv/bin/python -m pytest -p no:cacheprovider "$@"
