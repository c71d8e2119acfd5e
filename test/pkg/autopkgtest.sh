#!/bin/bash
# autopkgtest.sh - run debian/tests with the null runner on THIS machine
# without changing it: autopkgtest (which installs the packages and the test
# dependencies, edits /etc/nsswitch.conf through postinst, runs apt-get
# update) runs in a private mount namespace where /etc, /var and /usr are
# overlays on a tmpfs.  Everything it does vanishes when it exits.
#
# usage (root): test/pkg/autopkgtest.sh DIR-WITH-DEBS [SOURCE-TREE]
#   DIR-WITH-DEBS  holds libnss-srvsip_*.deb and srvsip-tools_*.deb
#   SOURCE-TREE    the unpacked source with debian/tests (default: this tree)
# Test dependencies not yet installed (nsd, python3, ...) are fetched by apt
# inside the namespace, so they need the Debian mirror; install them on the
# host first (tools/install-deps.sh) to run offline.
set -eu
if [ "${1:-}" != --inside ]; then
	[ "$(id -u)" = 0 ] || { echo "$0: must run as root" >&2; exit 64; }
	[ $# -ge 1 ] && [ -d "$1" ] || { echo "usage: $0 DIR-WITH-DEBS [SOURCE-TREE]" >&2; exit 64; }
	debs=$(readlink -f "$1")
	src=$(readlink -f "${2:-$(dirname "$(readlink -f "$0")")/../..}")
	w=$(mktemp -d)
	rc=0
	unshare --mount --propagation private -- "$(readlink -f "$0")" --inside "$w" "$debs" "$src" || rc=$?
	rmdir "$w"
	exit "$rc"
fi
w=$2 debs=$3 src=$4
mount -t tmpfs -o mode=0755 tmpfs "$w"
for d in /etc /var /usr /lib /lib32 /lib64 /libx32; do
	[ -d "$d" ] && [ ! -L "$d" ] || continue
	mkdir -p "$w/upper$d" "$w/work$d"
	mount -t overlay overlay -o "lowerdir=$d,upperdir=$w/upper$d,workdir=$w/work$d" "$d"
done
mkdir -p "$w/out"
shopt -s nullglob
pkgs=("$debs"/libnss-srvsip_*.deb "$debs"/srvsip-tools_*.deb)
[ ${#pkgs[@]} = 2 ] || { echo "$0: need exactly one libnss-srvsip and one srvsip-tools .deb in $debs" >&2; exit 64; }
# resolve-srv declares isolation-container: it must not run on a bare
# testbed, as it changes /etc and starts a DNS server on port 53.  It
# isolates itself (private network, mount, PID and UTS namespaces) and this
# null runner is inside overlays, so that need is met here; autopkgtest 5.28
# (bookworm) runs it on the null runner anyway, 5.49 (trixie) skips it
# (exit 8, "no tests run") unless told to ignore the restriction.
rc=0
autopkgtest --ignore-restrictions=isolation-container -o "$w/out" "${pkgs[@]}" "$src/" -- null || rc=$?
echo "--- summary"
cat "$w/out/summary" 2>/dev/null
exit "$rc"
