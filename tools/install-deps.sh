#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing, packaging and the
# demo need.  Idempotent; needs root.  Daemons in these packages (nsd, bind9)
# are not started on the host: tests run their own copies in namespaces.
set -euo pipefail

packages=(
	make build-essential pkg-config check       # build + unit tests
	clang clang-tidy cppcheck valgrind          # static analysis, sanitizers, fuzzing
	libclang-rt-14-dev
	nsd bind9 bind9-dnsutils python3-dnslib     # DNS servers and the fault proxy
	iproute2 util-linux procps strace iptables libnetfilter-queue-dev
	sip-tester sipsak twinkle-console           # real SIP programs
	debhelper dh-nss lintian devscripts fakeroot man-db   # packaging
	autopkgtest
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: ${missing[*]}; run as root" >&2
	exit 1
fi
# policy-rc.d 101: "action forbidden", so no daemon starts on the host.
policy=/usr/sbin/policy-rc.d
created_policy=false
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' > "$policy"
	chmod 0755 "$policy"
	created_policy=true
fi
trap '$created_policy && rm -f "$policy"' EXIT
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
