#!/bin/bash
# End-to-end suite of libnss-srvsip: unmodified programs (getent, python3,
# sipp, sipsak, twinkle-console) resolve names through NSS with the module
# from build/, against NSD and BIND serving the seed zones (behind a logging,
# fault-injecting proxy; optional per-packet latency), all inside a private
# net/mount/pid namespace.
#
# usage: test/e2e/run.sh [-v] [-t] [CASE-PATTERN...]      (as root)
#        test/e2e/run.sh -x 'COMMANDS'
#   -v   print every case's log (default: only failing cases', on stderr)
#   -t   append each case's duration to its result line
#   -x   set the rig up, run COMMANDS (bash, lib.sh loaded, cwd = scratch dir)
#        inside it instead of the cases, exit with their status: to reproduce
#        a failure by hand, e.g. run.sh -x 'write_conf "domain sipdomain.com";
#        getent hosts sipdomain.com; qlog_since'
#   CASE-PATTERN  shell glob on case names (default: all)
# env: E2E_ALLOW_NO_MODULE=1  module cases SKIP (instead of FAIL) when
#        build/libnss_srvsip.so.2 is missing
#      E2E_MODULE_DIR=DIR     load libnss_srvsip.so.2 from DIR instead of build/
#                             (e.g. another worktree's build, to compare)
#      E2E_CASE_TIMEOUT=S     per-case limit (default 120)
#      E2E_KEEP=1             keep the scratch dir (path printed on stderr)
#      E2E_SERVER=nsd|bind    server behind the proxy for cases that do not
#                             choose one (default nsd; *_nsd/*_bind cases
#                             always use theirs)
# Output: one "PASS name" / "FAIL name: reason" / "SKIP name: reason" line per
# case, then "N passed, M failed[, K skipped]".  Exit status 0 iff none failed.
# shellcheck disable=SC1090,SC2016,SC2119,SC2317
set -u

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$E2E_DIR/../.." && pwd)
MODULE_DIR=$(cd "${E2E_MODULE_DIR:-$REPO/build}" 2>/dev/null && pwd) || MODULE_DIR=${E2E_MODULE_DIR:-$REPO/build}
MODULE="$MODULE_DIR/libnss_srvsip.so.2"
export E2E_DIR REPO MODULE MODULE_DIR

# ------------------------------------------------------------ host side --
if [ "${1:-}" != --inside ]; then
    if [ "$(id -u)" != 0 ]; then echo "run.sh: must run as root" >&2; exit 2; fi
    for c in unshare nsd nsd-checkconf dig ip timeout /usr/bin/python3; do
        command -v "$c" >/dev/null || { echo "run.sh: missing $c" >&2; exit 2; }
    done
    E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/srvsip-e2e.XXXXXX") || exit 2
    chmod 0755 "$E2E_TMP"
    export E2E_TMP
    cleanup() {
        if [ -n "${E2E_KEEP:-}" ]; then echo "run.sh: scratch kept in $E2E_TMP" >&2
        else rm -rf "$E2E_TMP"; fi
    }
    trap cleanup EXIT
    # The inner run.sh is the namespace's PID 1: NSD, the proxy and sipp
    # die with it.
    # shellcheck source=ns-run.sh
    . "$E2E_DIR/ns-run.sh"
    run_in_namespace "$E2E_DIR/run.sh" "$@"
    exit $?
fi

# ------------------------------------------------------- namespace side --
shift
VERBOSE='' TIMES='' EXEC=''
while [ $# -gt 0 ]; do
    case $1 in
        -v) VERBOSE=1 ;;
        -t) TIMES=1 ;;
        -x) EXEC=$2; shift ;;
        *) break ;;
    esac
    shift
done
PATTERNS=("$@")

# shellcheck source=lib.sh
. "$E2E_DIR/lib.sh"
export LD_LIBRARY_PATH="$MODULE_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export PYTHONDONTWRITEBYTECODE=1
cd "$E2E_TMP" || exit 2

setup_log="$E2E_TMP/setup.log"
if ! { ns_setup && start_nsd && start_proxy; } >"$setup_log" 2>&1; then
    echo "FAIL rig_setup: namespace or DNS servers did not come up"
    sed 's/^/  | /' "$setup_log" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
# BIND: the *_bind cases SKIP when named is not installed, FAIL when it is
# but does not come up (use_server).
BIND_PID='' BIND_MISSING=''
if ! command -v named >/dev/null; then
    BIND_MISSING="named not installed (Debian package bind9)"
elif ! start_bind >>"$setup_log" 2>&1; then
    BIND_PID=''
    echo "run.sh: BIND did not start, *_bind cases will fail (see below)" >&2
    sed 's/^/  | /' "$setup_log" >&2
fi
# nfq_delay (latency cases): built here; they SKIP with build.log's reason.
mkdir -p "$E2E_TMP/tools"
gcc -O2 -Wall -o "$NFQ_DELAY" "$E2E_DIR/tools/nfq_delay.c" -lnetfilter_queue \
    >"$E2E_TMP/tools/build.log" 2>&1 ||
    sed -i '1i gcc failed (needs gcc and libnetfilter-queue-dev):' "$E2E_TMP/tools/build.log"
export NSD_PID PROXY_PID BIND_PID BIND_MISSING
set_upstream_default() {
    if [ "${E2E_SERVER:-nsd}" = bind ] && [ -n "$BIND_PID" ]; then set_upstream "$BIND_ADDR:$BIND_PORT"
    else set_upstream "$NSD_ADDR:$NSD_PORT"; fi
}
set_upstream_default

if [ -n "$EXEC" ]; then
    CASE_NAME=exec CASE_DIR="$E2E_TMP/exec"
    export CASE_NAME CASE_DIR
    mkdir -p "$CASE_DIR"
    cd "$CASE_DIR" && /bin/bash -c '. "$E2E_DIR/lib.sh"; BG_PIDS=(); trap bg_stop_all EXIT; eval "$1"' _ "$EXEC"
    exit $?
fi

# case_reset: every case starts from the same state.
case_reset() {
    undo_run                       # undo_later commands of the last case
    write_nsswitch
    write_resolv
    write_hosts
    rm_conf
    addr_mode bare
    proxy_rules
    set_upstream_default
    NFQ_PID='' delay_stop          # rules a latency case left behind
    if [ -e "$E2E_TMP/dns.stopped" ]; then dns_cont; fi   # a case's SIGSTOP
    kill -0 "$NSD_PID" 2>/dev/null || start_nsd
    kill -0 "$PROXY_PID" 2>/dev/null || start_proxy
    if [ -n "$BIND_PID" ] && ! kill -0 "$BIND_PID" 2>/dev/null; then start_bind; fi
    export NSD_PID PROXY_PID BIND_PID
}

selected() {
    local p
    [ ${#PATTERNS[@]} -eq 0 ] && return 0
    for p in "${PATTERNS[@]}"; do
        # shellcheck disable=SC2053
        [[ $1 == $p ]] && return 0
    done
    return 1
}

passed=0 failed=0 skipped=0
report() { # STATUS NAME [REASON] [SECONDS]
    local line="$1 $2"
    [ -n "${3:-}" ] && line+=": $3"
    [ -n "$TIMES" ] && line+=" (${4:-0}s)"
    echo "$line"
    case $1 in PASS) passed=$((passed + 1)) ;; FAIL) failed=$((failed + 1)) ;; *) skipped=$((skipped + 1)) ;; esac
}

run_case() { # FILE FUNCTION NAME NEEDS...
    local file=$1 func=$2 name=$3 need rc t0 secs reason
    shift 3
    CASE_NAME=$name CASE_DIR="$E2E_TMP/cases/$name"
    export CASE_NAME CASE_DIR
    mkdir -p "$CASE_DIR"
    case_reset >"$CASE_DIR/.reset.log" 2>&1 || { report FAIL "$name" "rig reset failed"; return; }
    for need in "$@"; do
        if [ "$need" = module ] && ! module_built; then
            if [ -n "${E2E_ALLOW_NO_MODULE:-}" ]; then report SKIP "$name" "module not built ($MODULE)"
            else report FAIL "$name" "module not built ($MODULE): run make"; fi
            return
        fi
    done
    t0=$(date +%s%N)
    # timeout puts itself and the case in a new process group (its own pid):
    # whatever the case leaves behind is killed with that group below.
    (cd "$CASE_DIR" && exec timeout -k 5 "${E2E_CASE_TIMEOUT:-120}" /bin/bash -c '
        . "$E2E_DIR/lib.sh"; E2E_CASE_FILE=$1; . "$1"; BG_PIDS=(); trap bg_stop_all EXIT; "$2"' \
        _ "$file" "$func") </dev/null >"$CASE_DIR/.log" 2>&1 &
    local tpid=$!
    wait "$tpid"
    rc=$?
    kill -KILL -- "-$tpid" 2>/dev/null
    secs=$(awk -v d=$(( $(date +%s%N) - t0 )) 'BEGIN { printf "%.1f", d / 1e9 }')
    reason=$(head -n 1 "$CASE_DIR/.reason" 2>/dev/null)
    case $rc in
        0) report PASS "$name" "" "$secs" ;;
        77) report SKIP "$name" "${reason:-skipped}" "$secs" ;;
        124|137) report FAIL "$name" "timed out after ${E2E_CASE_TIMEOUT:-120}s" "$secs" ;;
        *) report FAIL "$name" "${reason:-exit status $rc}" "$secs" ;;
    esac
    if [ -n "$VERBOSE" ] || { [ "$rc" != 0 ] && [ "$rc" != 77 ]; }; then
        sed "s/^/  | /" "$CASE_DIR/.log" | tail -n 60 >&2
    fi
}

# Cases: test/e2e/cases/*.sh in name order; each declares its cases with
# e2e_case NAME FUNCTION [needs] (listed here in a subshell, then each run in
# its own process).
cases=$(for f in "$E2E_DIR"/cases/*.sh; do
    (E2E_LISTING=1 E2E_CASE_FILE=$f; . "$f")
done)
while read -r file name func needs; do
    [ -n "$file" ] || continue
    selected "$name" || continue
    # shellcheck disable=SC2086
    run_case "$file" "$func" "$name" $needs
done <<<"$cases"

summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary+=", $skipped skipped"
echo "$summary"
[ "$failed" -eq 0 ]
