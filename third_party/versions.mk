# Pinned third-party sources, fetched from the Debian archive by build.sh.
# KEY=value lines only: this file is read both by make and by bash.
# The orig tarball checksum pins the upstream code; the Debian tarball checksum
# pins Debian's patches for the exact revision below.
LIBSLIRP_PKG=libslirp
LIBSLIRP_DEB_VERSION=4.7.0-1
LIBSLIRP_UPSTREAM=4.7.0
LIBSLIRP_ORIG=libslirp_4.7.0.orig.tar.bz2
LIBSLIRP_ORIG_SHA256=358ce8b6ea59ec9deac937cc754f0115b992839e7b0cddf30ffb8f77dc21da82
LIBSLIRP_DEBIAN_SHA256=dd11e6ddde98443bcfb8dbf9d72d22ef55170e033e0ef4a35177bb731b49cca2
LIBCAP_PKG=libcap2
LIBCAP_DEB_VERSION=1:2.66-4+deb12u3
LIBCAP_UPSTREAM=2.66
LIBCAP_ORIG=libcap2_2.66.orig.tar.xz
LIBCAP_ORIG_SHA256=15c40ededb3003d70a283fe587a36b7d19c8b3b554e33f86129c059a4bb466b2
LIBCAP_DEBIAN_SHA256=124ec52e286e8617a7fb8e576390abbf60f6674e065504459f32af20817eaa13
