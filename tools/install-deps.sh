#!/usr/bin/env bash
# Installs every Debian package that building, testing, packaging and the
# demo need, on Debian 12 (bookworm), 13 (trixie) and 14 (forky, testing),
# with the package names of the running release.  Idempotent: when all is
# installed it does nothing (no apt-get update).  Needs root to install.
# Daemons in these packages (nsd, bind9) are not started on the host: tests
# run their own copies in namespaces.
#
# usage: tools/install-deps.sh [--print] [--build-only]
#   --print       print the package names chosen for this release, one a
#                 line ("name" or "name (optional)"), install nothing; exit
#                 status 1 if a must package is missing from the release
#   --build-only  only what `make` and `make check-unit` need
#
# A "must" package that the release lacks is an error.  An optional package
# (a SIP program or server whose e2e cases SKIP with the reason when it is
# missing) that the release lacks, or that cannot be installed there, is
# skipped with a message.
set -euo pipefail

print=false build_only=false
for a in "$@"; do
	case $a in
	--print) print=true ;;
	--build-only) build_only=true ;;
	*) echo "usage: $0 [--print] [--build-only]" >&2; exit 64 ;;
	esac
done

# Every name below exists under this name on bookworm, trixie and forky
# (libclang-rt-dev and llvm come from llvm-defaults and follow the release's
# default clang: 14 on bookworm, 19 on trixie).  An entry "a|b" takes the
# first alternative that the release has.
build=(
	make build-essential pkg-config check           # build + unit tests
)
must=(
	clang clang-tidy cppcheck valgrind              # static analysis, sanitizers, fuzzing
	libclang-rt-dev                                 # clang's sanitizer and libFuzzer runtimes
	llvm                                            # llvm-symbolizer: symbolized TSan/ASan reports
	nsd bind9-dnsutils python3-dnslib               # DNS server, dig, the fault proxy
	iproute2 util-linux mount procps strace iptables libnetfilter-queue-dev
	debhelper dh-nss lintian devscripts fakeroot man-db   # packaging
	autopkgtest
	mmdebstrap                                      # make check-distros (other releases)
	zstd                                            # its cached system images
)
optional=(
	bind9                                           # the *_bind e2e cases
	sip-tester sipsak twinkle-console               # real SIP programs
	gdb                                             # stacks of a hung robustness driver
	xxd                                             # a debug-log diagnostic
)
if $build_only; then
	must=() optional=()
fi

installed() { # installed NAME: dpkg has it fully installed
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'
}
available() { # available NAME: apt has a candidate version for it
	local c
	c=$(apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p')
	[ -n "$c" ] && [ "$c" != "(none)" ]
}
satisfied() { # satisfied "a|b": one alternative is installed
	local alt
	for alt in ${1//|/ }; do installed "$alt" && return 0; done
	return 1
}
choose() { # choose "a|b": the first alternative the release has, or nothing
	local alt
	for alt in ${1//|/ }; do
		if available "$alt"; then echo "$alt"; return 0; fi
	done
	return 1
}

# shellcheck source=/dev/null
release=$( (. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-unknown}") || echo unknown)

if $print; then
	rc=0
	for p in "${build[@]}" "${must[@]}"; do
		choose "$p" || { echo "install-deps: $p: not in Debian $release" >&2; rc=1; }
	done
	for p in "${optional[@]}"; do
		if c=$(choose "$p"); then echo "$c (optional)"
		else echo "install-deps: $p: not in Debian $release (optional)" >&2; fi
	done
	exit "$rc"
fi

missing_must=() missing_opt=()
for p in "${build[@]}" "${must[@]}"; do satisfied "$p" || missing_must+=("$p"); done
for p in "${optional[@]}"; do satisfied "$p" || missing_opt+=("$p"); done
# nscd for the misroute_nscd e2e case: its package is downloaded, never
# installed (an installed nscd would cache every lookup of the machine from
# its next boot); the case unpacks it into its scratch dir.
nscd_dir=/var/cache/srvsip-tests
fetch_nscd() {
	$build_only || command -v nscd >/dev/null || ls "$nscd_dir"/nscd_*.deb >/dev/null 2>&1 ||
		(mkdir -p "$nscd_dir" && cd "$nscd_dir" && apt-get download -qq nscd >/dev/null 2>&1) ||
		echo "install-deps: could not download nscd (the misroute_nscd e2e case SKIPs)" >&2
}
if [ $((${#missing_must[@]} + ${#missing_opt[@]})) -eq 0 ]; then
	[ "$(id -u)" -eq 0 ] && fetch_nscd
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: ${missing_must[*]} ${missing_opt[*]}; run as root" \
		"(sudo is not installed on minimal systems: log in as root there)" >&2
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
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq

names_must=() names_opt=() absent=()
for p in "${missing_must[@]}"; do
	if c=$(choose "$p"); then names_must+=("$c"); else absent+=("$p"); fi
done
if [ ${#absent[@]} -ne 0 ]; then
	echo "install-deps: Debian $release has no package ${absent[*]}" >&2
	exit 1
fi
for p in "${missing_opt[@]}"; do
	if c=$(choose "$p"); then names_opt+=("$c")
	else echo "install-deps: skipped $p: not in Debian $release (its tests SKIP)" >&2; fi
done

apt_install() {
	apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
# Everything at once; if that fails, the must packages alone (an error if
# they fail), then each optional package on its own (skipped if it fails:
# e.g. not installable on testing today).
if ! apt_install "${names_must[@]}" "${names_opt[@]}"; then
	[ ${#names_must[@]} -eq 0 ] || apt_install "${names_must[@]}"
	for p in "${names_opt[@]}"; do
		apt_install "$p" 2>/dev/null ||
			echo "install-deps: skipped $p: not installable on Debian $release now (its tests SKIP)" >&2
	done
fi
fetch_nscd
