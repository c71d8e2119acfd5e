#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# make check-dlopen: dlopens a libnss_srvsip.so.2 and calls every entry
# point (test/dlopen/dlopen_module.c).  Needs no root: the in-scope lookups
# run in a private user, network and mount namespace (unshare -rnm) where
# /etc/resolv.conf names 127.0.0.1 and the test answers DNS itself; without
# user namespaces only the out-of-scope and services checks run, and the
# skip is said.
#
#   test/dlopen/run.sh BINARY MODULE
set -eu
bin=$1
module=$2

"$bin" "$module"
resolv=$(readlink -f /etc/resolv.conf 2>/dev/null || echo /etc/resolv.conf)
if ! unshare -rnm true 2>/dev/null; then
	echo "check-dlopen: SKIP in-scope lookups: no user namespaces here (unshare -rnm failed)"
	exit 0
fi
if [ ! -f "$resolv" ]; then
	echo "check-dlopen: SKIP in-scope lookups: /etc/resolv.conf ($resolv) is not a file to cover"
	exit 0
fi
conf=$(mktemp)
trap 'rm -f "$conf"' EXIT
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' > "$conf"
chmod 0644 "$conf"
unshare -rnm --propagation private sh -c '
	ip link set lo up &&
	mount --bind "$1" "$2" &&
	exec "$3" --dns "$4"' sh "$conf" "$resolv" "$bin" "$module"
