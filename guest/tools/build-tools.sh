#!/bin/sh
# build-tools.sh
#
# Makes sure the programs the guest build runs beyond gcc and make are here, installing the Debian
# packages that carry them where they are missing: patch (Debian's patch series and ours), python3
# (MicroPython's header generators) and dpkg-parsechangelog from dpkg-dev (Debian's MicroPython
# version header). A fresh Debian machine with .NET, gcc and make then builds with `dotnet build`
# alone. Needs root (or sudo without a password) only when something is missing; otherwise it
# changes nothing and costs a few `command -v`. Fails with one line saying what to install.
set -eu

missing=""
command -v patch > /dev/null || missing="$missing patch"
command -v python3 > /dev/null || missing="$missing python3"
command -v dpkg-parsechangelog > /dev/null || missing="$missing dpkg-dev"
[ -n "$missing" ] || exit 0

if [ "$(id -u)" -eq 0 ]; then
    as_root=""
elif command -v sudo > /dev/null && sudo -n true 2> /dev/null; then
    as_root="sudo -n"
else
    echo "guest build: needs the Debian packages$missing; install them (apt-get install$missing) and build again" >&2
    exit 1
fi

echo "guest build: installing the Debian packages$missing" >&2
log=$(mktemp)
if ! { $as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq --no-install-recommends $missing; } > "$log" 2>&1 < /dev/null; then
    echo "guest build: could not install the Debian packages$missing (apt's log: $log)" >&2
    exit 1
fi
rm -f "$log"
