#!/bin/sh
# Build the lantern-kiosk Debian package from this checkout:
#   packaging/build-deb.sh amd64|arm64 [-o DIR] [--version V]
# Writes dist/lantern-kiosk_VERSION_ARCH.deb. Needs Debian 12's /usr/bin/python3,
# dpkg-deb and the network (the first time: wheels are cached in .cache/deb/).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
python="$here/.venv/bin/python"
[ -x "$python" ] || python=/usr/bin/python3
exec "$python" "$here/packaging/build_deb.py" "$@"
