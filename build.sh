#!/usr/bin/env bash
# build.sh: install what upod needs to build and test, fetch the pinned
# third-party sources from the Debian archive, build them as static musl
# libraries into third_party/build/, then build ./upod.
#
# Run it as root or as a user with sudo (only the apt step needs root).
# A second run with everything in place only rebuilds what changed.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$top"
# shellcheck source=third_party/versions.mk
. third_party/versions.mk

build_dir=$top/third_party/build
src_dir=$build_dir/src
jobs=$(nproc 2>/dev/null || echo 2)

# Packages for building (musl, dpkg-source), testing (cmocka, uidmap for
# newuidmap, busybox as a tiny rootfs and test server, iproute2, util-linux for
# setpriv, jq, curl, sudo: the security tests act as a second local user,
# inotify-tools: t_userns.sh counts the id-mapping helpers' runs) and
# checking the result (file).
packages=(gcc make musl-tools dpkg-dev xz-utils bzip2 libcmocka-dev libcap-dev
          linux-libc-dev uidmap busybox-static iproute2 util-linux file procps passwd jq curl inotify-tools
          sudo)

say() { printf 'build.sh: %s\n' "$*"; }
die() { printf 'build.sh: error: %s\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "root is needed to run: $* (run build.sh as root or install sudo)"
    fi
}

install_packages() {
    local missing=() p
    for p in "${packages[@]}"; do
        dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "installing: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}

# apt-get source needs deb-src entries; add our own file when none exists.
ensure_deb_src() {
    if [ -n "$(apt-cache showsrc "$LIBSLIRP_PKG" 2>/dev/null)" ]; then
        return 0
    fi
    local codename
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
    say "adding deb-src for $codename in /etc/apt/sources.list.d/upod-deb-src.sources"
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "$codename" "$codename" | as_root tee /etc/apt/sources.list.d/upod-deb-src.sources >/dev/null
    as_root apt-get update -qq
    [ -n "$(apt-cache showsrc "$LIBSLIRP_PKG" 2>/dev/null)" ] ||
        die "apt still lists no source package $LIBSLIRP_PKG after adding deb-src"
}

check_sha256() { # file expected
    local got
    got=$(sha256sum "$1" | cut -d' ' -f1)
    [ "$got" = "$2" ] || die "checksum mismatch for $1: expected $2, got $got"
}

# fetch_source PKG DEB_VERSION UPSTREAM ORIG ORIG_SHA256 DEBIAN_SHA256 -> extracted dir
# The pinned Debian revision is used when the archive still has it. When a
# stable point release replaced it, the newest revision of the SAME upstream
# version is taken: its orig tarball must still match the pinned checksum.
fetch_source() {
    local pkg=$1 ver=$2 upstream=$3 orig=$4 orig_sum=$5 deb_sum=$6
    local dir=$src_dir/$pkg-$upstream
    if [ -f "$dir/.upod-extracted" ]; then
        echo "$dir"
        return 0
    fi
    ensure_deb_src >&2
    mkdir -p "$src_dir"
    rm -rf "$dir"
    (
        cd "$src_dir"
        if apt-get source -qq --download-only "$pkg=$ver" >/dev/null 2>&1; then
            local noepoch=${ver#*:}
            check_sha256 "$orig" "$orig_sum"
            check_sha256 "${pkg}_${noepoch%-*}-${noepoch##*-}.debian.tar.xz" "$deb_sum"
            dpkg-source -q -x "${pkg}_${noepoch}.dsc" "$dir" >/dev/null 2>&1
        else
            local alt
            alt=$(apt-cache showsrc "$pkg" | awk '/^Version:/ {print $2}' |
                  grep -E "^([0-9]+:)?${upstream//./\\.}-" | head -n 1) ||
                die "the archive has no source of $pkg $upstream (pinned $ver)"
            say "warning: $pkg $ver is gone from the archive; using $alt (same upstream, orig checksum verified)" >&2
            apt-get source -qq --download-only "$pkg=$alt" >/dev/null 2>&1 ||
                die "apt-get source $pkg=$alt failed"
            check_sha256 "$orig" "$orig_sum"
            dpkg-source -q -x "${pkg}_${alt#*:}.dsc" "$dir" >/dev/null 2>&1
        fi
    ) >&2 || die "could not fetch the source of $pkg"
    touch "$dir/.upod-extracted"
    echo "$dir"
}

# musl-gcc must not see glibc's headers, yet libslirp and upod need the
# kernel's uapi headers: give them a directory of their own that links only to
# linux/, asm-generic/ and this architecture's asm/.
make_kernel_headers() {
    local kh=$build_dir/kernel-headers multiarch
    multiarch=$(gcc -dumpmachine)
    [ -d "/usr/include/$multiarch/asm" ] || die "no /usr/include/$multiarch/asm (install linux-libc-dev)"
    mkdir -p "$kh"
    ln -sfn /usr/include/linux "$kh/linux"
    ln -sfn /usr/include/asm-generic "$kh/asm-generic"
    ln -sfn "/usr/include/$multiarch/asm" "$kh/asm"
}

# stamp_ok STAMP KEY: true when STAMP records KEY (the build is up to date)
stamp_ok() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }

build_libcap() { # variant cc
    local variant=$1 cc=$2 prefix=$build_dir/$1 srcdir key
    srcdir=$(fetch_source "$LIBCAP_PKG" "$LIBCAP_DEB_VERSION" "$LIBCAP_UPSTREAM" \
        "$LIBCAP_ORIG" "$LIBCAP_ORIG_SHA256" "$LIBCAP_DEBIAN_SHA256")
    key="$LIBCAP_DEB_VERSION $($cc --version | head -n 1)"
    stamp_ok "$prefix/.stamp-libcap" "$key" && return 0
    say "building libcap $LIBCAP_UPSTREAM ($variant)"
    local work=$build_dir/work-$variant/libcap
    rm -rf "$work" && mkdir -p "$work" && cp -a "$srcdir/." "$work/"
    make -s -C "$work/libcap" CC="$cc" BUILD_CC=gcc SHARED=no PTHREADS=no GOLANG=no \
        USE_GPERF=no COPTS="-O2" libcap.a >/dev/null
    mkdir -p "$prefix/lib" "$prefix/include/sys"
    cp "$work/libcap/libcap.a" "$prefix/lib/"
    cp "$work/libcap/include/sys/capability.h" "$prefix/include/sys/"
    echo "$key" >"$prefix/.stamp-libcap"
}

build_libslirp() { # variant cc extra-cflags
    local variant=$1 cc=$2 extra=$3 prefix=$build_dir/$1 srcdir key
    srcdir=$(fetch_source "$LIBSLIRP_PKG" "$LIBSLIRP_DEB_VERSION" "$LIBSLIRP_UPSTREAM" \
        "$LIBSLIRP_ORIG" "$LIBSLIRP_ORIG_SHA256" "$LIBSLIRP_DEBIAN_SHA256")
    key="$LIBSLIRP_DEB_VERSION $($cc --version | head -n 1) $extra $(cat third_party/glib-compat/* | sha256sum)"
    stamp_ok "$prefix/.stamp-libslirp" "$key" && return 0
    say "building libslirp $LIBSLIRP_UPSTREAM with glib-compat ($variant)"
    local work=$build_dir/work-$variant/libslirp
    rm -rf "$work" && mkdir -p "$work" "$prefix/lib" "$prefix/include/slirp"
    # meson would generate this header; the version is our pin.
    IFS=. read -r major minor micro <<<"$LIBSLIRP_UPSTREAM"
    sed -e "s/@SLIRP_MAJOR_VERSION@/$major/" -e "s/@SLIRP_MINOR_VERSION@/$minor/" \
        -e "s/@SLIRP_MICRO_VERSION@/$micro/" -e "s/@SLIRP_VERSION_STRING@/\"$LIBSLIRP_UPSTREAM\"/" \
        "$srcdir/src/libslirp-version.h.in" >"$prefix/include/slirp/libslirp-version.h"
    cp "$srcdir/src/libslirp.h" "$prefix/include/slirp/"
    # Our own code: the same warnings as upod.
    $cc -std=gnu11 -O2 $extra -Wall -Wextra -Werror -Ithird_party/glib-compat \
        -c third_party/glib-compat/glib-compat.c -o "$work/glib-compat.o"
    # The source list is meson.build's own; compile it $jobs files at a time.
    local f
    for f in $(sed -n '/^sources = \[/,/\]/p' "$srcdir/meson.build" | grep -o "src/[a-z0-9_]*\.c"); do
        $cc -std=gnu99 -O2 $extra -w -DG_LOG_DOMAIN='"Slirp"' -Ithird_party/glib-compat \
            -I"$srcdir/src" -I"$prefix/include/slirp" -isystem "$build_dir/kernel-headers" \
            -c "$srcdir/$f" -o "$work/$(basename "$f" .c).o" &
        while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || die "libslirp: compile failed"; done
    done
    while [ "$(jobs -rp | wc -l)" -gt 0 ]; do wait -n || die "libslirp: compile failed"; done
    [ "$(ls "$work"/*.o | wc -l)" -ge 30 ] || die "libslirp: some objects failed to build"
    rm -f "$prefix/lib/libslirp.a"
    ar rcs "$prefix/lib/libslirp.a" "$work"/*.o
    cp third_party/glib-compat/glib.h "$prefix/include/slirp/glib-compat.h"
    echo "$key" >"$prefix/.stamp-libslirp"
}

main() {
    install_packages
    make_kernel_headers
    # musl: the static release binary. native: the glibc build the unit tests
    # (with ASan/UBSan) link against.
    build_libcap musl musl-gcc
    build_libslirp musl musl-gcc ""
    build_libslirp native gcc ""
    say "building upod"
    make -j"$jobs" upod
    say "done: $(file -b ./upod | cut -d, -f1-2), $(stat -c %s ./upod) bytes"
}

main "$@"
