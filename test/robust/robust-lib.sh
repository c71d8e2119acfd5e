# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash disable=SC2034,SC2016,SC2089,SC2090
# Helpers of the robustness cases (test/e2e/cases/8x-robust-*.sh and
# 9x-robust-*.sh), sourced by those case files after test/e2e/lib.sh.  They
# run inside the e2e namespace (see test/e2e/README.md), like lib.sh.

RB="$REPO/build/robust"              # driver binaries (test/robust/robust.mk)
ROBUST_NSD_ADDR=127.0.0.53           # robust_start_nsd: NSD without the proxy

# robust_build [TARGET]: build the drivers (make -f Makefile -f test/robust/robust.mk).
robust_build() {
    make -s -C "$REPO" -f Makefile -f test/robust/robust.mk "${1:-robust}" >"$CASE_DIR/build.log" 2>&1 \
        || { cat "$CASE_DIR/build.log" >&2; fail "make -f Makefile -f test/robust/robust.mk ${1:-robust} failed"; }
}

# robust_write_conf_file FILE [MODE [OWNER]]: install FILE as /etc/srvsip.conf
# (new inode, so the module's reload check sees it), then chmod/chown.
robust_write_conf_file() {
    local tmp=/etc/.srvsip.conf.robust
    rm -rf "$tmp"
    cp "$1" "$tmp"
    chown "${3:-root:root}" "$tmp"
    chmod "${2:-0644}" "$tmp"
    rm -rf "$SRVSIP_CONF"
    mv -f "$tmp" "$SRVSIP_CONF"
}

# robust_start_nsd: a second NSD on 127.0.0.53:53 serving the seed zones and
# test/robust/zones/robust.test.zone, and resolv.conf pointing at it.  The
# logging proxy (python, one thread per query) tops out at a few hundred
# lookups a second; the load cases talk to NSD directly (same zones) so that
# tens of thousands of real DNS lookups fit in the time budget.
robust_start_nsd() {
    local dir="$CASE_DIR/nsd-robust"
    mkdir -p "$dir/xfr"
    { nsd_conf "$ROBUST_NSD_ADDR" 53 "$dir"
      printf 'zone:\n    name: "robust.test"\n    zonefile: "%s"\n' \
          "$REPO/test/robust/zones/robust.test.zone"; } >"$dir/nsd.conf"
    nsd-checkconf "$dir/nsd.conf" || fail "nsd-checkconf failed for $dir/nsd.conf"
    bg_start nsd-robust nsd -d -c "$dir/nsd.conf"
    wait_until 10 dns_answers "$ROBUST_NSD_ADDR" 53 robust.test SOA \
        || { cat "$dir/nsd.log" "$CASE_DIR/nsd-robust.out" >&2 2>/dev/null; fail "robust NSD did not answer"; }
    rm -f /etc/resolv.conf
    printf 'nameserver %s\noptions timeout:1 attempts:1\n' "$ROBUST_NSD_ADDR" >/etc/resolv.conf
}

# robust_devlog_run OUT CMD...: run CMD with a /dev/log that records what is
# sent to it: OUT gets one line per datagram.
#
# The namespace's /dev is the host's devtmpfs (mount namespaces do not copy
# file systems), and here it has no /dev/log: creating one there would
# create it on the host.  So CMD runs in a nested mount namespace
# (unshare --mount: gone when CMD ends, nothing else sees it) whose /dev is a
# fresh tmpfs in which every entry of the real /dev is put back - devices and
# files by bind mount (the very same nodes: /dev/null, /dev/urandom, /dev/pts,
# /dev/shm keep working), symlinks copied - plus /dev/log, a socket bound by
# a python3 AF_UNIX SOCK_DGRAM listener.  (Binding over an existing /dev/log
# would be simpler but there is none to bind over, and a tmpfs over /dev
# without the replica would break /dev/null.)
robust_devlog_run() {
    local out=$1
    shift
    : >"$out"
    : >"$out.nonprint"
    unshare --mount --propagation private /bin/bash -c '
        out=$1 py=$2; shift 2
        T=$(mktemp -d "$CASE_DIR/devns.XXXXXX") || exit 90
        "$py" -c "$ROBUST_DEVLOG_PY" "$T" "$out" &
        lp=$!
        for _ in $(seq 200); do [ -e "$T/ready" ] || [ -e "$T/failed" ] && break; sleep 0.05; done
        [ -e "$T/ready" ] && [ -S /dev/log ] && [ -c /dev/null ] || { cat "$T/failed" >&2 2>/dev/null; exit 95; }
        "$@"
        rc=$?
        sleep 0.2   # let the listener write what is queued
        kill "$lp"; wait "$lp" 2>/dev/null
        exit $rc
    ' _ "$out" "$PY" "$@"
}
# The listener of robust_devlog_run: builds the /dev replica (one process,
# mount(2) through ctypes: ~200 entries in a few ms), binds /dev/log, then
# appends each datagram as one line to OUT (a newline inside shown as \n),
# and the hex of each datagram holding an octet outside printable ASCII to
# OUT.nonprint.
ROBUST_DEVLOG_PY='
import ctypes, os, socket, sys, traceback
T, out = sys.argv[1:3]
MS_BIND, MS_REC = 4096, 16384
libc = ctypes.CDLL(None, use_errno=True)
def mount(src, dst, fstype, flags, data):
    if libc.mount(src.encode(), dst.encode(), fstype and fstype.encode(), flags, data and data.encode()) != 0:
        e = ctypes.get_errno()
        raise OSError(e, "mount %s %s: %s" % (src, dst, os.strerror(e)))
try:
    old = os.path.join(T, "old")
    os.mkdir(old)
    mount("/dev", old, None, MS_BIND | MS_REC, None)
    mount("robust-dev", "/dev", "tmpfs", 2, "mode=0755")   # 2 = MS_NOSUID
    for name in os.listdir(old):
        src, dst = os.path.join(old, name), os.path.join("/dev", name)
        if os.path.islink(src):
            os.symlink(os.readlink(src), dst)
            continue
        if os.path.isdir(src):
            os.mkdir(dst)
        else:
            open(dst, "w").close()
        mount(src, dst, None, MS_BIND | MS_REC, None)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind("/dev/log")
    os.chmod("/dev/log", 0o666)
except Exception:
    open(os.path.join(T, "failed"), "w").write(traceback.format_exc())
    sys.exit(1)
open(os.path.join(T, "ready"), "w").close()
with open(out, "ab", buffering=0) as f, open(out + ".nonprint", "ab", buffering=0) as g:
    while True:
        d = s.recv(65536)
        f.write(d.replace(b"\n", b"\\n") + b"\n")
        if any(c < 0x20 or c > 0x7e for c in d):
            g.write(d.hex().encode() + b"\n")
'
export ROBUST_DEVLOG_PY

# robust_no_crash WHAT RC: fail if RC says the program died of a signal
# (128+N from the shell, or 124/137 from timeout).
robust_no_crash() {
    case $2 in
        124|137) fail "$1: hung (killed by timeout)" ;;
    esac
    [ "$2" -lt 128 ] || fail "$1: died of signal $(( $2 - 128 )) ($(kill -l $(( $2 - 128 )) 2>/dev/null))"
}

# robust_write_conf_nocache LINE...: /etc/srvsip.conf with "cache off" (the
# module's reply cache disabled: every lookup goes to DNS, through libresolv
# or the module's own parallel-query sockets) plus LINE...; SKIP when this
# build does not know the keyword (srvsip-lookup --check-config: exit 4 =
# bad lines), since the case would then only repeat the cached one.
robust_write_conf_nocache() {
    write_conf "cache off" "$@"
    "$REPO/build/srvsip-lookup" --check-config "$SRVSIP_CONF" >"$CASE_DIR/check-config.out" 2>&1 \
        || skip "\"cache off\" not accepted by this build: $(head -n 1 "$CASE_DIR/check-config.out")"
}

# robust_run_bounded SECONDS STACKS CMD...: run CMD (stdin /dev/null); if it
# has not ended after SECONDS, write every thread's stack (gdb, when
# installed) to STACKS, kill it and return 124; else return CMD's status.
robust_run_bounded() {
    local secs=$1 stacks=$2 pid i
    shift 2
    "$@" </dev/null &
    pid=$!
    for ((i = 0; i < secs * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || { wait "$pid"; return; }
        sleep 0.1
    done
    if command -v gdb >/dev/null; then
        timeout 60 gdb -q -batch -p "$pid" -ex "thread apply all bt 12" >"$stacks" 2>&1
    else
        echo "gdb not installed: no stacks" >"$stacks"
    fi
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 124
}

# robust_fd_diff BEFORE AFTER: "closed [...] opened [...]" between two
# "fd->target;" lists (the drivers' fd snapshots).
robust_fd_diff() {
    local b a
    b=$(tr ';' '\n' <<<"$1" | sed '/^$/d' | sort)
    a=$(tr ';' '\n' <<<"$2" | sed '/^$/d' | sort)
    printf 'closed [%s] opened [%s]' "$(comm -23 <(echo "$b") <(echo "$a") | paste -sd';')" \
        "$(comm -13 <(echo "$b") <(echo "$a") | paste -sd';')"
}
