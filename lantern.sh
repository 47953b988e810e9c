#!/usr/bin/env bash
# One entry point for a fresh Debian / Raspberry Pi OS machine:
#   ./lantern.sh run [kiosk run options]   install everything, then run the kiosk
#   ./lantern.sh test [pytest options]     install everything, then run the test suite
#   ./lantern.sh setup [run|test]          install only
#   ./lantern.sh lock                      refresh requirements/*.txt after a dependency change
# Every step checks before it acts, so a second run only starts the program.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${LANTERN_VENV:-$here/.venv}"
cmd="${1:-run}"
[ $# -gt 0 ] && shift

apt_run=(espeak-ng libespeak-ng1 libportaudio2 fonts-noto-core fonts-noto-cjk
         fonts-material-design-icons-iconfont libmtdev1 libgl1 libegl1 python3-venv)
# print: WeasyPrint lays out through Pango/HarfBuzz; the tests read PDFs with poppler.
apt_print=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
apt_test=(sox xvfb systemd poppler-utils prometheus-node-exporter debootstrap systemd-container
          dpkg-dev fakeroot)

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
    # $1: device (the ui and voice extras) or test (everything, with the test model)
    local lock="$here/requirements/$1.txt" stamp_file="$venv/.lantern-stamp-$1" stamp
    stamp="$(cat "$lock" "$here/pyproject.toml" "$here/lantern.sh" | sha256sum | cut -c1-16)"
    if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ]; then return 0; fi
    local py="${PYTHON:-python3}"
    [ -x "$venv/bin/python" ] || { say "creating $venv"; "$py" -m venv "$venv"; }
    say "installing Python packages from requirements/$1.txt"
    # Exactly the locked versions, each checked against its hash; then Lantern
    # itself with no further resolution, so nothing unpinned slips in.
    "$venv/bin/python" -m pip install -q --require-hashes --no-deps -r "$lock"
    "$venv/bin/python" -m pip install -q --no-deps --no-build-isolation -e "$here"
    "$venv/bin/python" -m pip check >/dev/null ||
        { say "installed packages do not fit together:"; "$venv/bin/python" -m pip check; exit 1; }
    echo "$stamp" > "$stamp_file"
}

# Fonts for every script are merged and cut once (about 10 s); done here so that
# no command a facility runs, and no first boot, waits for it.
prepare_fonts() {
    "$venv/bin/python" -m kiosk.i18n.prepare >/dev/null ||
        say "could not prepare fonts now (the kiosk prepares them at first start)"
}

lock() {
    command -v uv >/dev/null || { say "./lantern.sh lock needs uv (pip install uv)"; exit 1; }
    local common=(--generate-hashes --universal --python-version 3.11 -q)
    cd "$here"
    uv pip compile pyproject.toml requirements/device.in --extra ui --extra voice "${common[@]}" \
        -o requirements/device.txt
    # No extras: what `pip install lantern-kiosk` alone brings (the wheel test uses it).
    uv pip compile pyproject.toml requirements/device.in "${common[@]}" -c requirements/device.txt \
        -o requirements/base.txt
    uv pip compile pyproject.toml requirements/test.in --all-extras "${common[@]}" \
        -c requirements/device.txt -o requirements/test.txt
    say "locked: requirements/base.txt, requirements/device.txt, requirements/test.txt"
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
        ensure_venv device
        compile_sources
        prepare_fonts
        exec "$venv/bin/kiosk" run "$@"
        ;;
    test)
        ensure_apt "${apt_run[@]}" "${apt_print[@]}" "${apt_test[@]}"
        ensure_venv test
        compile_sources
        prepare_fonts
        cd "$here"
        exec "$venv/bin/python" -m pytest "$@"
        ;;
    setup)
        what="${1:-test}"
        if [ "$what" = run ]; then ensure_apt "${apt_run[@]}"; ensure_venv device;
        else ensure_apt "${apt_run[@]}" "${apt_print[@]}" "${apt_test[@]}"; ensure_venv test; fi
        compile_sources
        prepare_fonts
        ;;
    lock)
        lock
        ;;
    *)
        echo "usage: $0 run|test|setup|lock [args]" >&2; exit 2;;
esac
