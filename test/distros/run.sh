#!/usr/bin/env bash
# test/distros/run.sh - build and test this tree on other Debian releases,
# each in a chroot made with mmdebstrap from the Debian mirror that this
# machine's own apt sources name (read now, written into no file of the tree).
#
# usage (root): test/distros/run.sh [RELEASE...]
#               test/distros/run.sh --exec RELEASE COMMAND
#
#   RELEASE      default: those of bookworm, trixie and forky that this
#                machine does not run (on bookworm: trixie forky)
#   --exec       run COMMAND (bash) in RELEASE's system, in a copy of this
#                tree (/src), e.g. --exec trixie 'make -k check-static'
#
#   bookworm (Debian 12), trixie (Debian 13, stable): every step below.
#   forky (Debian 14, testing), sid: image, deps, build, unit.
#
#   image        the release's system: minimal (mmdebstrap --variant=apt) plus
#                what tools/install-deps.sh installs there, cached as a
#                tarball between runs (see DISTROS_CACHE)
#   deps         tools/install-deps.sh in that minimal system (forky, sid:
#                --build-only); then again on the finished system, where it
#                must find nothing missing, and --print: every package name
#                it would install exists in the release
#   static       make check-static (that release's cppcheck and clang-tidy)
#   build        make (gcc -Werror)
#   unit         make check-unit
#   e2e          test/e2e/run.sh (its own namespaces, NSD, BIND, sipp, ...)
#   demo         the README's first command, tools/demo.sh, runs to its end
#                (make check-demo DEMO=tools/demo.sh)
#   deb          make deb
#   lintian      test/pkg/lintian.sh: no error, no warning
#   matrix       test/pkg/install-matrix.sh: install/remove/purge matrix
#   autopkgtest  test/pkg/autopkgtest.sh (null runner inside overlays)
#
# Every release runs in a private mount and PID namespace of its own
# (unshare): its system lives on a tmpfs there, /proc, /sys, /dev, /run are
# mounted into it there, so whatever happens (a failure, Ctrl-C, a kill) the
# kernel removes every mount and every process of the run with the
# namespace.  Nothing is mounted on the host and no daemon starts: a
# policy-rc.d forbids it in the chroot, and the PID namespace would end it.
# The chroot shares the host's network for apt (the image build, and the
# apt-get update with which autopkgtest resets its testbed); the e2e suite
# and the package tests make network namespaces of their own.
#
# Output: one line per step as it ends, then one table of every release's
# results and "check-distros: N passed, M failed[, K skipped]".  Logs:
# $DISTROS_LOGS/RELEASE/STEP.log.  Exit status 0 only when no step failed.
#
# Environment:
#   DISTROS_CACHE    image cache, outside the checkout
#                    (default /var/cache/srvsip-distros).  An image is
#                    named by a hash of the release, architecture, mirror,
#                    steps, tools/install-deps.sh and this image recipe, so
#                    changing any of them builds a new one; an image older
#                    than DISTROS_MAX_AGE days (default 7) is rebuilt too,
#                    as the release's archive moves on.  Older images of a
#                    release are removed when a new one is written.
#   DISTROS_MIRROR   the Debian mirror URI (default: from the apt sources)
#   DISTROS_LOGS     log directory (default build/distros in this tree)
#   DISTROS_E2E      arguments for test/e2e/run.sh (default: all cases)
set -u

SELF=$(readlink -f "$0")
REPO=$(cd "$(dirname "$SELF")/../.." && pwd)
CACHE=${DISTROS_CACHE:-/var/cache/srvsip-distros}
MAX_AGE=${DISTROS_MAX_AGE:-7}
LOGS=${DISTROS_LOGS:-$REPO/build/distros}
# The image's name also hashes build_image and mount_root (see the key
# below); bump this for any other change that must rebuild every image.
RECIPE=1
CHROOT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
DEFAULT_RELEASES="bookworm trixie forky"

steps_of() { # steps_of RELEASE
	case $1 in
	forky | sid | testing | unstable) echo "deps build unit" ;;
	*) echo "deps static build unit e2e demo deb lintian matrix autopkgtest" ;;
	esac
}

# read_mirror: the http(s) URI of the Debian archive in this machine's apt
# sources (one-line .list files and deb822 .sources files) that serves the
# machine's own release, else the first that serves any Debian release.
read_mirror() {
	local codename
	codename=$( (. /etc/os-release && echo "${VERSION_CODENAME:-}") 2>/dev/null)
	{
		local f
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -f "$f" ] || continue
			awk '{ sub(/#.*/, "") } $1 == "deb" {
				line = $0; sub(/^[ \t]*deb[ \t]+/, "", line)
				if (line ~ /^\[/) sub(/^\[[^]]*\][ \t]*/, "", line)
				split(line, w, /[ \t]+/); print w[1], w[2] }' "$f"
		done
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] || continue
			awk 'function flush(  n, m, i, j, U, S) {
				if (types ~ /(^|[ \t])deb([ \t]|$)/ && enabled != "no") {
					n = split(uris, U, /[ \t]+/); m = split(suites, S, /[ \t]+/)
					for (i = 1; i <= n; i++) for (j = 1; j <= m; j++)
						if (U[i] != "" && S[j] != "") print U[i], S[j]
				}
				types = uris = suites = last = ""; enabled = "yes"
			}
			BEGIN { enabled = "yes" }
			/^#/ { next }
			/^[ \t]*$/ { flush(); next }
			/^[ \t]/ { v = $0; sub(/^[ \t]+/, "", v)
				if (last == "uris") uris = uris " " v
				else if (last == "suites") suites = suites " " v
				else if (last == "types") types = types " " v
				next }
			{ k = tolower($0); sub(/:.*/, "", k); v = $0; sub(/^[^:]*:[ \t]*/, "", v); last = ""
				if (k == "types") { types = v; last = k }
				else if (k == "uris") { uris = v; last = k }
				else if (k == "suites") { suites = v; last = k }
				else if (k == "enabled") enabled = tolower(v) }
			END { flush() }' "$f"
		done
	} | awk -v own="$codename" '
		$1 !~ /^https?:\/\// { next }
		{ sub(/\/+$/, "", $1) }
		$2 == own && !mine { mine = $1 }
		$2 ~ /^(bookworm|trixie|forky|duke|sid|stable|testing|unstable|oldstable)$/ && !any { any = $1 }
		END { if (mine) print mine; else if (any) print any }'
}

# =================================================== inside one namespace
# in_root CMD: CMD (bash) in the chroot, in /src, with a clean environment.
in_root() {
	chroot "$ROOT" /usr/bin/env -i PATH="$CHROOT_PATH" HOME=/root LANG=C.UTF-8 \
		TERM=dumb DEBIAN_FRONTEND=noninteractive ${CI:+CI=$CI} /bin/bash -c "cd /src && $1"
}

# mount_root: what a system needs at run time, mounted in this namespace
# only (the kernel unmounts it all when the namespace ends).
mount_root() {
	local r=$ROOT n
	mount -t proc -o nosuid,nodev,noexec proc "$r/proc"
	mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$r/sys"
	mount -t tmpfs -o mode=0755,nosuid tmpfs "$r/dev"
	mknod -m 0666 "$r/dev/null" c 1 3
	mknod -m 0666 "$r/dev/zero" c 1 5
	mknod -m 0666 "$r/dev/full" c 1 7
	mknod -m 0666 "$r/dev/random" c 1 8
	mknod -m 0666 "$r/dev/urandom" c 1 9
	mknod -m 0666 "$r/dev/tty" c 5 0
	for n in 0:stdin 1:stdout 2:stderr; do ln -s "/proc/self/fd/${n%%:*}" "$r/dev/${n#*:}"; done
	ln -s /proc/self/fd "$r/dev/fd"
	mkdir -m 0755 "$r/dev/pts"
	mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$r/dev/pts"
	ln -s pts/ptmx "$r/dev/ptmx"
	mkdir -m 1777 "$r/dev/shm"
	mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$r/dev/shm"
	mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$r/run"
	mkdir -m 1777 "$r/run/lock"
	rm -f "$r/etc/resolv.conf"
	cp /etc/resolv.conf "$r/etc/resolv.conf" # apt reaches the mirror by name
}

# copy_tree: this tree (no build/, no .git) to /src in the chroot.
copy_tree() {
	rm -rf "$ROOT/src" && mkdir -p "$ROOT/src" &&
		tar -C "$REPO" --exclude=./build --exclude=./.git -cf - . | tar -C "$ROOT/src" -xf -
}

RESULTS='' # this release's results file: "STEP STATUS SECONDS DETAIL"
result() { # result STEP STATUS SECONDS DETAIL...
	local step=$1 st=$2 secs=$3
	shift 3
	printf '%s %s %s %s\n' "$step" "$st" "$secs" "$*" >>"$RESULTS"
	printf 'check-distros: %-7s %-12s %-4s %4ss  %s\n' "$REL" "$step" "$st" "$secs" "$*"
	if [ "$st" = FAIL ] && [ -s "$LOGDIR/$step.log" ]; then
		echo "---- last lines of $LOGDIR/$step.log"
		tail -n 40 "$LOGDIR/$step.log" | sed 's/^/  | /'
		echo "----"
	fi
}

# run_step STEP TIMEOUT CMD: CMD in the chroot, output to STEP.log; sets
# STEP_RC and STEP_SECS.
run_step() {
	local step=$1 limit=$2 cmd=$3 t0
	t0=$(date +%s)
	timeout -k 10 "$limit" chroot "$ROOT" /usr/bin/env -i PATH="$CHROOT_PATH" HOME=/root \
		LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive ${CI:+CI=$CI} \
		/bin/bash -c "cd /src && $cmd" </dev/null >"$LOGDIR/$step.log" 2>&1
	STEP_RC=$?
	STEP_SECS=$(($(date +%s) - t0))
	[ "$STEP_RC" != 124 ] || echo "check-distros: $step timed out after $limit s" >>"$LOGDIR/$step.log"
}

# build_image ARCH MIRROR KEY: a minimal system + tools/install-deps.sh in
# $ROOT (a tmpfs), then its tarball in the cache.  Result: step "image" and
# the first half of step "deps".
build_image() {
	local arch=$1 mirror=$2 img=$3 t0 tmp
	t0=$(date +%s)
	# mmdebstrap runs in this namespace too: its own mounts vanish with it.
	# Check-Valid-Until off: a testing suite's Release file is valid for a
	# week only, and the mirror may be a snapshot older than that.
	# shellcheck disable=SC2016 # $1: the hook's argument, the new root
	if ! mmdebstrap --mode=root --variant=apt --architectures="$arch" \
		--aptopt='Acquire::Languages "none"' \
		--aptopt='Acquire::Check-Valid-Until "false"' \
		--customize-hook='printf "#!/bin/sh\nexit 101\n" >"$1/usr/sbin/policy-rc.d"; chmod 0755 "$1/usr/sbin/policy-rc.d"' \
		"$REL" "$ROOT" "deb $mirror $REL main" >"$LOGDIR/image.log" 2>&1; then
		result image FAIL $(($(date +%s) - t0)) "mmdebstrap $REL failed"
		return 1
	fi
	local boot=$(($(date +%s) - t0))
	mount_root
	copy_tree
	run_step deps 1800 "tools/install-deps.sh $DEPS_ARGS"
	local deps_rc=$STEP_RC deps_secs=$STEP_SECS
	mv "$LOGDIR/deps.log" "$LOGDIR/deps-minimal.log"
	if [ "$deps_rc" != 0 ]; then
		result image FAIL "$boot" "minimal $REL bootstrapped; tools/install-deps.sh failed (exit $deps_rc), not cached"
		IMAGE_DEPS="FAIL $deps_secs tools/install-deps.sh failed in a minimal $REL (exit $deps_rc; deps-minimal.log)"
		return 0
	fi
	local what=everything
	[ -z "$DEPS_ARGS" ] || what="the build set ($DEPS_ARGS)"
	IMAGE_DEPS="PASS $deps_secs tools/install-deps.sh installed $what in a minimal $REL"
	in_root 'apt-get clean' >/dev/null 2>&1
	mkdir -p "$CACHE"
	tmp="$CACHE/.$(basename "$img").tmp.$$"
	t0=$(date +%s)
	if tar -C "$ROOT" --one-file-system --numeric-owner --exclude=./src -cf - . |
		zstd -q -T0 -3 -o "$tmp" && mv -f "$tmp" "$img"; then
		local old
		for old in "$CACHE/$REL"-*.tar.zst; do [ "$old" = "$img" ] || rm -f "$old"; done
		result image PASS $((boot + deps_secs + $(date +%s) - t0)) \
			"built ($(du -m "$img" | cut -f1) MB, cached as $img)"
	else
		rm -f "$tmp"
		result image FAIL $((boot + deps_secs)) "could not write $img"
	fi
}

inside() {
	REL=$1 ARCH=$2 MIRROR=$3 KEY=$4 ROOT=$5 EXEC=$6
	LOGDIR=$LOGS/$REL
	RESULTS=$LOGDIR/results
	local img t0 st step detail n
	# The system's root is a tmpfs of its own: a mount point, as / must be
	# for the tests' own unshare --propagation (and gone with the namespace).
	mount -t tmpfs -o mode=0755 tmpfs "$ROOT" || { result image FAIL 0 "cannot mount a tmpfs"; exit 1; }
	# Where only the build and the unit tests run (testing, unstable), the
	# image holds the build set only (quicker, and safe from packages that
	# testing cannot install for a while); the deps step still checks that
	# every name of the full set exists there (--print).
	case " $(steps_of "$REL") " in *" e2e "*) DEPS_ARGS='' ;; *) DEPS_ARGS=--build-only ;; esac
	img="$CACHE/$REL-$KEY.tar.zst"
	IMAGE_DEPS=''
	mkdir -p "$CACHE"
	# One builder per release at a time; an interrupted build leaves a
	# .tmp file only, removed here.
	exec 9>"$CACHE/.$REL.lock"
	flock 9
	rm -f "$CACHE/.$REL-"*.tmp.*
	if [ -f "$img" ] && [ -z "$(find "$img" -mtime +"$MAX_AGE")" ]; then
		t0=$(date +%s)
		if zstd -q -dc "$img" | tar -C "$ROOT" --numeric-owner -xf -; then
			result image PASS $(($(date +%s) - t0)) \
				"cached, built $(date -r "$img" +%F) ($(du -m "$img" | cut -f1) MB)"
			mount_root
			copy_tree
		else
			result image FAIL $(($(date +%s) - t0)) "cannot unpack $img"
			exit 1
		fi
	else
		build_image "$ARCH" "$MIRROR" "$img" || exit 1
	fi
	flock -u 9
	exec 9>&-
	if [ -n "$EXEC" ]; then
		echo "check-distros: $REL: running in /src: $EXEC"
		in_root "$EXEC"
		exit
	fi

	for step in $(steps_of "$REL"); do
		case $step in
		deps)
			# On the finished system install-deps must find nothing missing,
			# and every name it would install must exist in the release.
			run_step deps 1800 "tools/install-deps.sh $DEPS_ARGS && echo 'install-deps: nothing missing' && tools/install-deps.sh --print"
			if [ -n "$IMAGE_DEPS" ]; then
				read -r st n detail <<<"$IMAGE_DEPS"
			else
				st=PASS n=$STEP_SECS detail="cached image: tools/install-deps.sh $DEPS_ARGS finds nothing missing"
			fi
			if [ "$STEP_RC" != 0 ]; then
				st=FAIL detail="$detail; then tools/install-deps.sh failed on the finished system (exit $STEP_RC)"
			elif [ -n "$DEPS_ARGS" ]; then
				detail="$detail; the full set's $(grep -cE '^[a-z0-9][a-z0-9.+-]*( \(optional\))?$' "$LOGDIR/deps.log") package names exist in $REL"
			fi
			result deps "$st" "$n" "$detail"
			;;
		static)
			run_step static 900 "make --no-print-directory check-static"
			if [ "$STEP_RC" = 0 ]; then
				result static PASS "$STEP_SECS" "cppcheck $(in_root 'cppcheck --version | sed "s/.* //"'), clang-tidy $(in_root 'clang-tidy --version | sed -n "s/.*version \([0-9.]*\).*/\1/p" | head -n1'): quiet"
			else
				result static FAIL "$STEP_SECS" "$(grep -cE '^[^ ]+:[0-9]+:[0-9]+: (warning|error|style|performance|portability):' "$LOGDIR/static.log") finding(s) (static.log)"
			fi
			;;
		build)
			run_step build 900 "make -k --no-print-directory all"
			n=$(in_root 'gcc -dumpfullversion')
			if [ "$STEP_RC" = 0 ]; then result build PASS "$STEP_SECS" "gcc $n -Werror"
			else result build FAIL "$STEP_SECS" "gcc $n -Werror: $(grep -c 'error:' "$LOGDIR/build.log") error(s)"; fi
			;;
		unit)
			run_step unit 900 "make --no-print-directory check-unit"
			detail=$(awk '/Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+/ {
				gsub(/,/, ""); for (i = 1; i < NF; i++) {
					if ($i == "Checks:") c += $(i + 1); if ($i == "Failures:" || $i == "Errors:") f += $(i + 1) } }
				END { if (c) printf "%d/%d checks passed", c - f, c; else printf "no test ran" }' "$LOGDIR/unit.log")
			if [ "$STEP_RC" = 0 ]; then result unit PASS "$STEP_SECS" "$detail"
			else result unit FAIL "$STEP_SECS" "$detail"; fi
			;;
		e2e)
			run_step e2e 2400 "test/e2e/run.sh ${DISTROS_E2E:-}"
			detail=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$LOGDIR/e2e.log" | tail -n 1)
			n=$(grep -c '^FAIL ' "$LOGDIR/e2e.log")
			[ "$n" = 0 ] || detail="$detail: $(grep '^FAIL ' "$LOGDIR/e2e.log" | cut -d' ' -f2 | cut -d: -f1 | tr '\n' ' ')"
			if [ "$STEP_RC" = 0 ]; then result e2e PASS "$STEP_SECS" "$detail"
			else result e2e FAIL "$STEP_SECS" "${detail:-exit $STEP_RC}"; fi
			;;
		demo)
			run_step demo 600 "make --no-print-directory check-demo DEMO=tools/demo.sh"
			if [ "$STEP_RC" = 0 ]; then
				result demo PASS "$STEP_SECS" "tools/demo.sh ran to its end: $(in_root "awk '/x-load \\(weight/ { printf \"%s %s, \", \$2, \$6 }' build/demo.out")sipp's call completed"
			else result demo FAIL "$STEP_SECS" "tools/demo.sh did not run to its end (exit $STEP_RC)"; fi
			;;
		deb)
			run_step deb 900 "make --no-print-directory deb"
			if [ "$STEP_RC" = 0 ]; then
				result deb PASS "$STEP_SECS" "debhelper $(in_root "dpkg-query -W -f='\${Version}' debhelper"): $(in_root 'cd build/deb && ls *.deb | grep -v dbgsym | sed "s/_.*//" | tr "\n" " "')"
			else
				result deb FAIL "$STEP_SECS" "dpkg-buildpackage failed"
			fi
			;;
		lintian | matrix | autopkgtest)
			if ! grep -q '^deb PASS ' "$RESULTS"; then result "$step" SKIP 0 "no package built"; continue; fi
			case $step in
			lintian) run_step lintian 900 'test/pkg/lintian.sh build/deb/*.changes' ;;
			matrix) run_step matrix 900 'test/pkg/install-matrix.sh build/deb/libnss-srvsip_*.deb' ;;
			autopkgtest) run_step autopkgtest 900 'test/pkg/autopkgtest.sh build/deb' ;;
			esac
			case $step in
			lintian)
				detail="lintian $(in_root 'lintian --print-version'): $(grep -c '^E: ' "$LOGDIR/lintian.log") E / $(grep -c '^W: ' "$LOGDIR/lintian.log") W / $(grep -c '^I: ' "$LOGDIR/lintian.log") I" ;;
			matrix) detail=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$LOGDIR/matrix.log" | tail -n 1) ;;
			autopkgtest)
				detail="autopkgtest $(in_root "dpkg-query -W -f='\${Version}' autopkgtest"): $(sed -n '/^--- summary/,$p' "$LOGDIR/autopkgtest.log" |
					awk '$2 ~ /^(PASS|FAIL|SKIP|FLAKY|NEUTRAL)$/ { printf "%s%s %s", sep, $1, $2; sep = ", " }')" ;;
			esac
			if [ "$STEP_RC" = 0 ]; then result "$step" PASS "$STEP_SECS" "$detail"
			else result "$step" FAIL "$STEP_SECS" "$detail (exit $STEP_RC)"; fi
			;;
		esac
	done
	exit 0
}

if [ "${1:-}" = --inside ]; then
	shift
	inside "$@"
fi

# =========================================================== host side
if [ "$(id -u)" != 0 ]; then
	echo "check-distros: must run as root (chroots, namespaces)" >&2
	exit 2
fi
EXEC=''
if [ "${1:-}" = --exec ]; then
	[ $# = 3 ] || { echo "usage: $0 --exec RELEASE COMMAND" >&2; exit 64; }
	EXEC=$3
	set -- "$2"
fi
if [ $# = 0 ]; then
	# The releases other than this machine's own.
	own=$( (. /etc/os-release && echo "${VERSION_CODENAME:-}") 2>/dev/null)
	for r in $DEFAULT_RELEASES; do [ "$r" = "$own" ] || set -- "$@" "$r"; done
fi
for c in mmdebstrap zstd unshare setpriv chroot flock; do
	command -v "$c" >/dev/null || { echo "check-distros: $c missing: run tools/install-deps.sh" >&2; exit 2; }
done
arch=$(dpkg --print-architecture)
mirror=${DISTROS_MIRROR:-$(read_mirror)}
if [ -z "$mirror" ]; then
	echo "check-distros: no Debian mirror (http/https) in this machine's apt sources; set DISTROS_MIRROR" >&2
	exit 2
fi
mkdir -p "$LOGS"
echo "check-distros: releases: $*; mirror from the apt sources; cache: $CACHE; logs: $LOGS"

# The root of each release's system: the mount point of a tmpfs in its
# namespace; here an empty directory, kept (other runs' namespaces may be
# using it at the same time, each with a tmpfs of its own).
root=$CACHE/root
mkdir -p "$root"
upid=''
trap '[ -z "$upid" ] || kill -KILL "$upid" 2>/dev/null; wait; exit 130' INT TERM
T0=$(date +%s)
for rel in "$@"; do
	rm -rf "${LOGS:?}/$rel" && mkdir -p "$LOGS/$rel"
	key=$( {
		printf '%s\n' "$RECIPE" "$rel" "$arch" "$mirror" "$(steps_of "$rel")"
		declare -f build_image mount_root
		cat "$REPO/tools/install-deps.sh"
	} | sha256sum | cut -c1-12)
	# A private mount + PID namespace per release: when it ends, so do all
	# its mounts and processes.  unshare --fork ignores SIGINT/SIGTERM, so
	# the trap above SIGKILLs it, and so does the kernel if this script dies
	# (--pdeathsig); --kill-child then takes the namespace down.
	setpriv --pdeathsig KILL unshare --mount --pid --fork --kill-child --mount-proc --propagation private \
		/bin/bash "$SELF" --inside "$rel" "$arch" "$mirror" "$key" "$root" "$EXEC" &
	upid=$!
	wait "$upid"
	rc=$?
	upid=''
done
TOTAL=$(($(date +%s) - T0))
[ -z "$EXEC" ] || exit "$rc"

# ------------------------------------------------------------ the table
npass=0 nfail=0 nskip=0
printf '\n%-8s %-12s %-4s %6s  %s\n' release step '' time detail
for rel in "$@"; do
	for step in image $(steps_of "$rel"); do
		line=$(grep "^$step " "$LOGS/$rel/results" 2>/dev/null | tail -n 1)
		if [ -n "$line" ]; then
			read -r _ st secs detail <<<"$line"
		else
			st=FAIL secs='' detail="not run (see the lines above)"
		fi
		case $st in PASS) npass=$((npass + 1)) ;; SKIP) nskip=$((nskip + 1)) ;; *) nfail=$((nfail + 1)) ;; esac
		[ -z "$secs" ] || secs=$(printf '%d:%02d' $((secs / 60)) $((secs % 60)))
		printf '%-8s %-12s %-4s %6s  %s\n' "$rel" "$step" "$st" "$secs" "$detail"
	done
done
printf '\ncheck-distros: %d:%02d in all (%s); logs in %s\n' $((TOTAL / 60)) $((TOTAL % 60)) "$*" "$LOGS"
echo "check-distros: $npass passed, $nfail failed, $nskip skipped"
[ "$nfail" = 0 ]
