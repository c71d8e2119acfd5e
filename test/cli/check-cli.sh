#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# srvsip-lookup's argument and file handling (no root, no network): the
# exit statuses of man/srvsip-lookup.1 for hostile input.
#
#   test/cli/check-cli.sh [BUILD_DIR]      (default: build)
#
# Prints PASS/FAIL per check and "N passed, M failed"; exits 1 on a failure.
set -u

LOOKUP=${1:-build}/srvsip-lookup
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0

# expect_exit WHAT STATUS COMMAND...: COMMAND ends within 10 s with STATUS.
expect_exit() {
	what=$1 want=$2
	shift 2
	timeout 10 "$@" >"$TMP/out" 2>&1
	got=$?
	if [ "$got" = "$want" ]; then
		pass=$((pass + 1))
		echo "PASS: $what (exit $got)"
	else
		fail=$((fail + 1))
		echo "FAIL: $what: exit $got, want $want$( [ "$got" = 124 ] && echo ' (still running after 10 s)'): $(head -c 200 "$TMP/out")"
	fi
}

# --check-config reads only a regular file of at most 64 KiB, as the module.
expect_exit "--check-config /dev/zero ends (not a regular file)" 4 \
	"$LOOKUP" --check-config /dev/zero
mkfifo "$TMP/fifo"
expect_exit "--check-config on a FIFO with no writer ends" 4 \
	"$LOOKUP" --check-config "$TMP/fifo"
head -c 70000 /dev/zero | tr '\0' '#' >"$TMP/big"
expect_exit "--check-config on a file over 64 KiB" 4 "$LOOKUP" --check-config "$TMP/big"
printf 'domain sip.example.org port 5060\n' >"$TMP/good"
expect_exit "--check-config on a good file (not root-owned here: 4 unless root)" \
	"$( [ "$(id -u)" = 0 ] && echo 0 || echo 4)" "$LOOKUP" --check-config "$TMP/good"
printf 'domain\nbogus line\n' >"$TMP/bad"
expect_exit "--check-config on a file with bad lines" 4 "$LOOKUP" --check-config "$TMP/bad"
printf 'domain a.test\ndomain A.test. port 5080\n' >"$TMP/repeat"
expect_exit "--check-config on a file that names a domain twice" 4 "$LOOKUP" --check-config "$TMP/repeat"

# The summary states every setting, the cache one included.
printf 'cache off\n' >"$TMP/nocache"
"$LOOKUP" --check-config "$TMP/nocache" >"$TMP/out" 2>&1
if grep -q ', cache off, ' "$TMP/out"; then
	pass=$((pass + 1))
	echo "PASS: --check-config reports 'cache off'"
else
	fail=$((fail + 1))
	echo "FAIL: --check-config does not report 'cache off': $(head -c 200 "$TMP/out")"
fi

# --check-config takes a file and no lookup option: anything else is a usage error.
for opt in '--port 5060' '--service sipsrv' '--family 4' '--program sipp'; do
	# shellcheck disable=SC2086 # the option and its argument are two words
	expect_exit "--check-config with $opt refused" 64 "$LOOKUP" $opt --check-config "$TMP/good"
done
expect_exit "--check-config with two files refused" 64 "$LOOKUP" --check-config "$TMP/good" "$TMP/bad"

# --port: 1 to 65535, decimal digits only; anything else is a usage error.
for port in 0 65536 4294967297 -4294967295 ' 5060' '5060 ' abc 0x13c4 ''; do
	expect_exit "--port '$port' refused" 64 "$LOOKUP" --port "$port" _sip._udp.x.invalid
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
