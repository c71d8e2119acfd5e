# shellcheck shell=bash disable=SC2317,SC2119
# Host-process safety (issue "Robustness", item 5): the module runs inside
# every program, so a lookup must leave the program's state as it found it,
# and a hostile /etc/srvsip.conf must be ignored without harm.
# Driver: test/robust/host_safety.c (see its header for every check).

. "$REPO/test/robust/robust-lib.sh"

e2e_case robust_host_state robust_host_state module
e2e_case robust_host_state_debug robust_host_state_debug module
e2e_case robust_host_conf_hostile robust_host_conf_hostile module
e2e_case robust_host_conf_mode0000_nobody robust_host_conf_mode0000_nobody module
e2e_case robust_host_pairing_stale robust_host_pairing_stale module

# run_host_safety TAG MODE [PREFIX...]: run the driver (as PREFIX... if
# given), stdout/stderr redirected; require verdict PASS, no output at all,
# no crash.
run_host_safety() {
    local tag=$1 mode=$2 rc
    shift 2
    mkdir -p "$CASE_DIR/out" && chmod 0777 "$CASE_DIR/out"
    rm -f "$CASE_DIR/out/$tag".*
    timeout 60 "$@" "$RB/host_safety" "$CASE_DIR/out/$tag.verdict" "$mode" \
        >"$CASE_DIR/out/$tag.stdout" 2>"$CASE_DIR/out/$tag.stderr"
    rc=$?
    note "$tag: exit $rc; verdict:"
    sed 's/^/#   /' "$CASE_DIR/out/$tag.verdict" >&2 2>/dev/null
    robust_no_crash "$tag: host_safety $mode" "$rc"
    expect_eq "$tag: bytes written to stdout by the lookups" 0 "$(stat -c %s "$CASE_DIR/out/$tag.stdout")"
    expect_eq "$tag: bytes written to stderr by the lookups" 0 "$(stat -c %s "$CASE_DIR/out/$tag.stderr")"
    expect_eq "$tag: host_safety verdict ($(grep -m1 '^FAIL' "$CASE_DIR/out/$tag.verdict"))" PASS \
        "$(tail -n 1 "$CASE_DIR/out/$tag.verdict" 2>/dev/null)"
}

# robust-baseline.test: a name files answers before srvsip is asked, so the
# driver learns what glibc alone does to errno for each call shape.
add_baseline_host() { printf '127.0.0.13\trobust-baseline.test\n' >>/etc/hosts; }

# Proves, through real getaddrinfo/gethostbyname calls (pairing "sipsrv",
# owner names, a listed domain, the failover list, a "." target, out-of-scope
# names answered by dns, an unknown name): errno is kept by every successful
# lookup where glibc itself keeps it (elsewhere glibc's own code sets it to 0
# - measured by a module-free baseline of the same call - and the module's
# entry points called directly as glibc calls them, errnop = &errno, keep
# it); the signal mask and every signal's disposition, the caller's _res
# (options, nscount, retrans, retry, ndots, servers, search list, after
# res_init and non-default settings), the open fds, threads, umask and cwd
# are unchanged; nothing is written to stdout or stderr.
# The battery runs twice: with the module's reply cache (default) and with
# "cache off", where every lookup goes to DNS (its own parallel-query
# sockets for several targets).
robust_host_state() {
    robust_build
    add_baseline_host
    write_conf "domain sipdomain.com"
    check run_host_safety plain lookups
    robust_write_conf_nocache "domain sipdomain.com"
    check run_host_safety nocache lookups
    check_done
}

# Proves the same with `debug` on, both when /dev/log is missing (the rig's
# /dev has none: the module's send fails) and when a syslog socket listens
# (robust_devlog_run): logging opens and closes its socket within the
# lookup, leaves no fd behind, writes nothing to stdout/stderr, and the
# lines do arrive (so the logging path really ran).
robust_host_state_debug() {
    robust_build
    add_baseline_host
    write_conf "debug" "domain sipdomain.com"
    [ -e /dev/log ] && note "/dev/log exists here: the no-listener run still sends to it"
    run_host_safety debug-nolog lookups
    export RB
    export -f run_host_safety run_host_safety_inner robust_no_crash expect_eq note fail short
    robust_devlog_run "$CASE_DIR/syslog.txt" run_host_safety_inner debug-log
    local rc=$?
    [ "$rc" = 0 ] || fail "debug-log run failed (exit $rc), see log"
    local n
    n=$(grep -c 'libnss_srvsip\[[0-9]*\]: lookup ' "$CASE_DIR/syslog.txt")
    note "syslog lines received: $n"
    expect_ne "debug lines received on /dev/log during the run" 0 "$n"
}
# (robust_devlog_run runs its command in a child bash: the case exports
# these functions and RB first.)
run_host_safety_inner() { run_host_safety "$@" lookups; }

# Proves a hostile /etc/srvsip.conf, each listing "domain sipdomain.com", is
# ignored as README says ("unless it is a regular file owned by root, not
# writable by group or others, and at most 64 KiB"): sipdomain.com stays out
# of scope (the module's own gethostbyname4_r answers UNAVAIL, getaddrinfo
# does not return an SRV target), owner names still resolve, every
# host-state check of robust_host_state holds, nothing crashes or hangs:
#   - 65,537 octets (domain line first)            -> ignored
#   - exactly 65,536 octets                        -> used (the limit is inclusive)
#   - 8 KiB of random bytes, no valid line         -> nothing in scope, no crash
#   - random bytes around a whole "domain" line    -> used: README "a binary file
#     is a file of malformed lines" and malformed lines are skipped, the rest applies
#   - mode 0666, 0620 (group-writable), 0602       -> ignored
#   - owned by nobody (0644)                       -> ignored
#   - mode 0000, root-owned, read by root          -> USED: root reads through
#     mode 000 (CAP_DAC_OVERRIDE) and the file meets every trust rule; this only
#     proves mode 000 is not itself a reason to ignore the file
#   - mode 0000 read by an unprivileged program: robust_host_conf_mode0000_nobody
#   - a FIFO (no writer) / a directory             -> ignored, no hang
#   - a symlink to a 0666 file                     -> ignored (stat follows it)
#   - a symlink to /dev/zero or /dev/urandom       -> ignored, no endless read
#   - one 65,000-octet line, then a "domain" line  -> used: the long line is
#     skipped as malformed, the rest applies
robust_host_conf_hostile() {
    robust_build
    add_baseline_host
    local f="$CASE_DIR/conf"
    gen_padded() { # SIZE: a valid file of exactly SIZE octets
        { echo "domain sipdomain.com"; while :; do echo "# padding padding padding padding padding"; done; } \
            2>/dev/null | head -c "$(( $1 - 1 ))"
        echo
    }
    gen_padded 65537 >"$f.huge"
    gen_padded 65536 >"$f.limit"
    expect_eq "huge file size" 65537 "$(stat -c %s "$f.huge")"
    expect_eq "limit file size" 65536 "$(stat -c %s "$f.limit")"
    head -c 8192 /dev/urandom >"$f.binary"
    { head -c 4096 /dev/urandom; printf '\ndomain sipdomain.com\n'; head -c 4096 /dev/urandom; } >"$f.binary-line"
    printf 'domain sipdomain.com\n' >"$f.ok"

    variant() { # TAG MODE FILE [CHMOD [CHOWN]]
        local tag=$1 mode=$2 file=$3
        robust_write_conf_file "$file" "${4:-0644}" "${5:-root:root}"
        note "== $tag: $(stat -c '%F %a %U %s octets' "$SRVSIP_CONF") -> expect $mode"
        run_host_safety "$tag" "$mode"
    }
    check variant huge ignored "$f.huge"
    check variant limit applied "$f.limit"
    check variant binary ignored "$f.binary"
    check variant binary-with-line applied "$f.binary-line"
    check variant mode0666 ignored "$f.ok" 0666
    check variant mode0620 ignored "$f.ok" 0620
    check variant mode0602 ignored "$f.ok" 0602
    check variant owner-nobody ignored "$f.ok" 0644 nobody:root
    check variant mode0000-root applied "$f.ok" 0000
    fifo_run() {
        rm -rf "$SRVSIP_CONF"; mkfifo -m 0644 "$SRVSIP_CONF"
        note "== fifo: $(stat -c '%F %a' "$SRVSIP_CONF")"
        run_host_safety fifo ignored
    }
    check fifo_run
    dir_run() {
        rm -rf "$SRVSIP_CONF"; mkdir -m 0755 "$SRVSIP_CONF"
        run_host_safety directory ignored
        rmdir "$SRVSIP_CONF"
    }
    check dir_run
    symlink_run() {
        cp "$f.ok" /etc/srvsip-target.conf; chmod 0666 /etc/srvsip-target.conf
        rm -rf "$SRVSIP_CONF"; ln -s /etc/srvsip-target.conf "$SRVSIP_CONF"
        run_host_safety symlink-to-0666 ignored
        rm -f /etc/srvsip-target.conf
    }
    check symlink_run
    devsym_run() { # DEVICE: a symlink to a character device (endless data)
        rm -rf "$SRVSIP_CONF"; ln -s "$1" "$SRVSIP_CONF"
        run_host_safety "symlink-to-${1##*/}" ignored
    }
    check devsym_run /dev/zero
    check devsym_run /dev/urandom
    { head -c 65000 /dev/zero | tr '\0' x; printf '\ndomain sipdomain.com\n'; } >"$f.longline"
    check variant long-line applied "$f.longline"
    rm -rf "$SRVSIP_CONF"
    check_done
}

# nobody_blocked: prints why uid 65534 cannot run the driver with the
# module of this checkout (a directory on the way that others may not
# enter, e.g. a checkout under a 0700 home), and fails when it can.
nobody_blocked() {
    local d='' part
    setpriv --reuid=65534 --regid=65534 --clear-groups \
        test -x "$RB/host_safety" -a -r "$MODULE" 2>/dev/null && return 1
    local IFS=/
    for part in ${MODULE#/}; do # the first directory from / down it cannot enter
        d+=/$part
        [ -d "$d" ] || break
        if ! setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$d" 2>/dev/null; then
            echo "uid 65534 cannot enter $d ($(stat -c '%A %U' "$d")), so it cannot load" \
                "this checkout's module: run from a checkout that others may reach"
            return 0
        fi
    done
    echo "uid 65534 cannot run $RB/host_safety or read $MODULE"
}

# Proves a /etc/srvsip.conf of mode 0000 (root's, listing "domain
# sipdomain.com") read by an unprivileged program (uid 65534, nobody) is
# ignored as if absent: open() fails (EACCES), sipdomain.com stays out of
# scope, every host-state check of robust_host_state holds, no crash.
# SKIPs when uid 65534 cannot reach this checkout's module (nobody_blocked).
robust_host_conf_mode0000_nobody() {
    robust_build
    local why
    why=$(nobody_blocked) && skip "$why"
    add_baseline_host
    printf 'domain sipdomain.com\n' >"$CASE_DIR/conf.ok"
    robust_write_conf_file "$CASE_DIR/conf.ok" 0000
    note "== mode0000-nobody: read by uid 65534"
    run_host_safety mode0000-nobody ignored setpriv --reuid=65534 --regid=65534 --clear-groups
}

# Proves the limits of a pseudo-service pairing that no hosts lookup
# consumes (README "Limitations": getaddrinfo("127.0.0.1", "sipsrv") asks the
# module's getservbyname_r but, the host being numeric, no hosts lookup):
# - once the pairing window (250 ms after the services lookup) is over -
#   here 0.3 s later - the thread's next unrelated lookup,
#   getaddrinfo("sipdomain.com", "80") - not listed, so out of scope - is
#   answered as without the module (EAI_NODATA: sipdomain.com has no
#   address) with no SRV query;
# - a pairing serves one hosts lookup only: the one after it is out of scope;
# - the same for getservbyname("sipsrv", "udp") on its own, then
#   gethostbyname("sipdomain.com") after the window.
# (cases/27-misroute.sh proves the window with more first lookups.)
robust_host_pairing_stale() {
    robust_build
    local out
    qlog_mark
    out=$("$PY" -c 'import socket, time
socket.getaddrinfo("127.0.0.1", "sipsrv")
time.sleep(0.3)
try:
    print("OK", socket.getaddrinfo("sipdomain.com", 80)[0][4][0])
except socket.gaierror as e:
    print("error", e.errno)')
    check expect_eq "getaddrinfo(sipdomain.com, 80) 0.3 s after getaddrinfo(127.0.0.1, sipsrv)" \
        "error $(python3 -c 'import socket; print(socket.EAI_NODATA)')" "$out"
    check expect_eq "SRV queries for it" 0 "$(qlog_count SRV)"
    qlog_mark
    out=$("$PY" -c 'import socket
a = socket.getaddrinfo("sipdomain.com", "sipsrv")[0][4][0]
try:
    b = socket.getaddrinfo("sipdomain.com", 80)[0][4][0]
except socket.gaierror as e:
    b = "error %d" % e.errno
print(a, b)')
    check expect_match "paired lookup, then the next one on the thread" \
        "^127\.0\.0\.1[13] error $(python3 -c 'import socket; print(socket.EAI_NODATA)')$" "$out"
    check expect_eq "SRV queries: the paired lookup's only" 1 "$(qlog_count SRV)"
    qlog_mark
    out=$("$PY" -c 'import ctypes, socket, time
socket.getservbyname("sipsrv", "udp")
time.sleep(0.3)
libc = ctypes.CDLL("libc.so.6")
libc.gethostbyname.restype = ctypes.c_void_p
print("found" if libc.gethostbyname(b"sipdomain.com") else "not found")')
    check expect_eq "gethostbyname(sipdomain.com) 0.3 s after getservbyname(sipsrv, udp)" "not found" "$out"
    check expect_eq "SRV queries for it" 0 "$(qlog_count SRV)"
    check_done
}
