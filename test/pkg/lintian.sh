#!/bin/bash
# lintian.sh - run lintian on the built packages; fail on any error or warning.
#
# usage: test/pkg/lintian.sh [FILE.changes | FILE.deb ...]
# Without arguments: the newest libnss-srvsip_*.changes in build/deb/, else
# in the parent directory of the source tree (where dpkg-buildpackage puts it).
# Info (I:), pedantic and overridden tags are shown but do not fail.
set -u
cd "$(dirname "$(readlink -f "$0")")/../.." || exit 2

if [ $# = 0 ]; then
	changes=$(ls -t build/deb/libnss-srvsip_*.changes ../libnss-srvsip_*.changes 2>/dev/null | head -n1)
	if [ -z "$changes" ]; then
		echo "lintian.sh: no libnss-srvsip_*.changes found; run 'make deb' first" >&2
		exit 2
	fi
	set -- "$changes"
fi

out=$(lintian --info --display-info --show-overrides --fail-on none "$@" 2>&1)
rc=$?
printf '%s\n' "$out"
if [ "$rc" != 0 ]; then
	echo "lintian.sh: lintian itself failed (exit $rc)" >&2
	exit 2
fi
# Tags are printed as "X: package[ type]: tag ...".  Overridden ones as "O:".
bad=$(grep -cE '^[EW]: ' <<<"$out")
if [ "$bad" != 0 ]; then
	echo "lintian.sh: FAIL: $bad error/warning tag(s) on $*"
	exit 1
fi
echo "lintian.sh: PASS: no error or warning on $*"
