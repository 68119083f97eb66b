#!/bin/sh
# debian-source.sh LOCK PACKAGE DEST
#
# Puts the Debian source package PACKAGE, as pinned in LOCK, unpacked with Debian's patch series
# applied, into the directory DEST. Third-party C code is never committed: the build takes it from
# the Debian archive that this machine's own apt configuration names, and accepts a file only if its
# SHA-256 equals the lock's (not apt's exit code: some packages' .dsc answer 404 while the tarballs
# download fine).
#
# Downloads are cached outside the repository, in $HYPERSHARP_DEBIAN_SOURCES (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/hypersharp/debian-sources), so a second build, another clone or
# another worktree fetches nothing. DEST/.debian-source records the lock lines it was made from:
# when they are unchanged the script returns at once.
#
# apt runs with a private sources list, state and cache inside that folder and never touches the
# system's configuration. If the archive cannot be reached the script prints one line saying what
# it needed and fails.
set -eu

lock=$1 package=$2 dest=$3
pins=$(awk -v p="$package" '$1 == p' "$lock")
[ -n "$pins" ] || { echo "debian-source: $lock pins no files of '$package'" >&2; exit 1; }
if [ -f "$dest/.debian-source" ] && [ "$(cat "$dest/.debian-source")" = "$pins" ]; then
    exit 0
fi

cache=${HYPERSHARP_DEBIAN_SOURCES:-${XDG_CACHE_HOME:-$HOME/.cache}/hypersharp/debian-sources}
mkdir -p "$cache"
version=$(echo "$pins" | awk 'NR == 1 { print $2 }')
suite=$(echo "$pins" | awk 'NR == 1 { print $3 }')
files=$(echo "$pins" | awk '{ print $4 }' | tr '\n' ' ')

# Prints the files of the lock whose cached copy is missing or has another hash.
missing() {
    echo "$pins" | while read -r _ _ _ file sha; do
        [ -f "$cache/$file" ] && [ "$(sha256sum "$cache/$file" | cut -d' ' -f1)" = "$sha" ] || echo "$file"
    done
}

# The first Debian archive URI (and its keyring) of this machine's apt configuration, from the
# deb822 .sources files or the one-line sources.list: an entry with a main suite, not only
# security, update or backport suites.
archive() {
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] && awk 'BEGIN { RS = ""; FS = "\n" }
            {
                uri = ""; main = 0; key = ""
                for (i = 1; i <= NF; i++) {
                    if ($i ~ /^URIs:/) { split($i, a, /[ \t]+/); uri = a[2] }
                    if ($i ~ /^Suites:/) { n = split($i, a, /[ \t]+/); for (j = 2; j <= n; j++) if (a[j] !~ /-(security|updates|backports)$/) main = 1 }
                    if ($i ~ /^Signed-By:[ \t]*\//) { split($i, a, /[ \t]+/); key = a[2] }
                }
                if (uri != "" && main) { print uri, key; exit }
            }' "$f"
    done
    [ -f /etc/apt/sources.list ] && awk '$1 == "deb" || $1 == "deb-src" {
            i = 2; key = ""
            if ($2 ~ /^\[/) { while ($i !~ /\]$/) { if ($i ~ /signed-by=/) { key = $i; sub(/.*signed-by=/, "", key); sub(/\]$/, "", key) } i++ } i++ }
            if ($(i + 1) !~ /-(security|updates|backports)$/) { print $i, key; exit }
        }' /etc/apt/sources.list
    return 0
}

# Parallel builds fetch several packages at once; apt's lists and cache are shared, so one fetch
# at a time (then the second finds its files already there or fetches with the fresh lists).
if [ -n "$(missing)" ]; then
    exec 9> "$cache/.fetch.lock"
    flock 9
fi
if [ -n "$(missing)" ]; then
    set -- $(archive | head -n 1)
    uri=${1:-} keyring=${2:-/usr/share/keyrings/debian-archive-keyring.gpg}
    apt_dir=$cache/apt
    mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$cache/download"
    echo "deb-src [signed-by=$keyring] $uri $suite main" > "$apt_dir/sources.list"
    apt_options="-o Dir::Etc::SourceList=$apt_dir/sources.list -o Dir::Etc::SourceParts=/dev/null
        -o Dir::State::Lists=$apt_dir/lists -o Dir::Cache=$apt_dir/cache -o APT::Sandbox::User=root"
    log=$cache/apt.log
    if [ -n "$uri" ]; then
        # Exit codes are ignored on purpose: the hashes below decide.
        apt-get $apt_options -q update > "$log" 2>&1 || true
        (cd "$cache/download" && apt-get $apt_options -q source --download-only "$package=$version") >> "$log" 2>&1 || true
        for file in $files; do
            [ -f "$cache/download/$file" ] && mv -f "$cache/download/$file" "$cache/$file"
        done
    fi
    if [ -n "$(missing)" ]; then
        echo "debian-source: could not fetch $package $version ($(missing | tr '\n' ' ' | sed 's/ $//')) from the Debian archive${uri:+ $uri} (suite $suite) with the SHA-256 pinned in $lock; the guest build needs it (apt's log: $log)" >&2
        exit 1
    fi
fi

# Unpack into a fresh folder beside DEST and move it in place only when complete, so an
# interrupted build never leaves a half-patched tree that the stamp would vouch for.
work=$dest.partial
rm -rf "$work"
mkdir -p "$work"
for file in $files; do
    case $file in
    *.debian.tar.*) tar -xf "$cache/$file" -C "$work" ;;
    *) tar -xf "$cache/$file" -C "$work" --strip-components=1 ;;
    esac
done
if [ -f "$work/debian/patches/series" ]; then
    sed -e 's/#.*//' "$work/debian/patches/series" | while read -r patch options; do
        [ -n "$patch" ] || continue
        patch -s -d "$work" ${options:--p1} < "$work/debian/patches/$patch"
    done
fi
echo "$pins" > "$work/.debian-source"
rm -rf "$dest"
mv "$work" "$dest"
