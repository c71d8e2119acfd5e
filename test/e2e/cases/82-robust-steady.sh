# shellcheck shell=bash disable=SC2317,SC2119
# Steady state (issue "Robustness", item 4): 100,000 lookups in one process
# leave its open fds and its memory where they were.
# Driver: test/robust/steady.c (mix and measurements in its header).

. "$REPO/test/robust/robust-lib.sh"

e2e_case robust_steady_100k robust_steady_100k module
e2e_case robust_steady_100k_nocache robust_steady_100k_nocache module

ROBUST_STEADY_N=100000
# VmRSS at 100% minus VmRSS at 10% may not exceed this (KiB).  With 90,000
# lookups between the two points, 256 KiB is < 3 octets per lookup: a leak of
# one smallest malloc chunk (32 octets) in even one of the ten lookup kinds
# (9,000 x 32 = 281 KiB) crosses it.  Measured here: +8 to +72 KiB.
ROBUST_RSS_SLACK_KB=256
# Bytes malloc'ed and not freed at 100% minus at 55%: <= 64 KiB, i.e. < 1.5
# octets per lookup over those 45,000 (a 32-octet leak in one lookup kind of
# ten: 144 KiB).  The slack covers the module's reply cache (at most 128
# entries, full long before 55%) changing its mix of small and large replies.
# Measured here: 0 to +4 KiB.
ROBUST_HEAP_SLACK=65536

# Proves that 100,000 lookups in one process - 70% in scope (pseudo-service
# pairing, owner name, listed domain with gethostbyname's failover list, and
# a new listed name each time so that 30,000 of them are real SRV queries that
# miss the module's cache, 10,000 through the ERANGE/stash path) and 30% out
# of scope answered by the dns module - all give the expected answer, leave
# the same open fds (same fd -> target list before the first lookup, at 10%
# and at 100%), resident memory flat (VmRSS(100%) - VmRSS(10%) <=
# ROBUST_RSS_SLACK_KB) and no growth of the bytes in use (malloc, 55% ->
# 100%, <= ROBUST_HEAP_SLACK).  All lookups are real: the driver talks to a
# second NSD (same zones + test/robust/zones/robust.test.zone) without the
# python proxy, which tops out at ~400 lookups/s; here ~4,000/s (~25 s).
robust_steady_100k() {
    robust_build
    robust_start_nsd
    write_conf "domain sipdomain.com" "domain .robust.test"
    steady_run
}

# Proves the same with "cache off": all 70,000 in-scope lookups are real DNS
# lookups (gethostbyname's failover targets through the module's own
# parallel-query sockets), ~25 s.
robust_steady_100k_nocache() {
    robust_build
    robust_start_nsd
    robust_write_conf_nocache "domain sipdomain.com" "domain .robust.test"
    steady_run
}

steady_run() {
    local t0 rc
    t0=$(date +%s)
    robust_run_bounded 90 steady.stacks "$RB/steady" "$ROBUST_STEADY_N" steady.out >steady.stdout 2>&1
    rc=$?
    [ "$rc" = 124 ] && { sed 's/^/#   /' steady.stacks | grep -E '^#   (Thread|#)' | head -n 60 >&2; fail "steady: still running after 90 s (stacks above)"; }
    note "steady: exit $rc in $(( $(date +%s) - t0 )) s; $(grep -v '^fds' steady.out | tr '\n' ' ')"
    robust_no_crash "steady" "$rc"
    val() { awk -F= -v k="$1" '$1 == k { sub(/^[^=]*=/, ""); print; exit }' steady.out; }
    expect_eq "module mapped (a rebuild during the run shows as deleted: ignored)" "$MODULE" "$(val module | sed "s/ (deleted)$//")"
    expect_eq "lookups done" "$ROBUST_STEADY_N" "$(val lookups)"
    expect_eq "wrong results ($(grep -m3 '^error' steady.out | tr '\n' ';'))" 0 "$(val errors)"
    expect_eq "exit status" 0 "$rc"
    [ "$(val fds_start)" = "$(val fds_10)" ] \
        || fail "open fds changed between the first lookup and 10%: $(robust_fd_diff "$(val fds_start)" "$(val fds_10)")"
    [ "$(val fds_start)" = "$(val fds_end)" ] \
        || fail "open fds changed between the first lookup and 100%: $(robust_fd_diff "$(val fds_start)" "$(val fds_end)")"
    note "ok: the same $(val nfds_start) open fds before the first lookup, at 10% and at 100%"
    local rss10 rss100 h55 h100
    rss10=$(val rss_10_kb) rss100=$(val rss_end_kb) h55=$(val heap_in_use_55) h100=$(val heap_in_use_end)
    [ $(( rss100 - rss10 )) -le "$ROBUST_RSS_SLACK_KB" ] \
        || fail "VmRSS grew from $rss10 kB (10%) to $rss100 kB (100%): more than $ROBUST_RSS_SLACK_KB KiB"
    note "ok: VmRSS $rss10 kB at 10%, $rss100 kB at 100% (+$(( rss100 - rss10 )) <= $ROBUST_RSS_SLACK_KB)"
    [ $(( h100 - h55 )) -le "$ROBUST_HEAP_SLACK" ] \
        || fail "bytes in use grew from $h55 (55%) to $h100 (100%): more than $ROBUST_HEAP_SLACK"
    note "ok: bytes in use $h55 at 55%, $h100 at 100% (+$(( h100 - h55 )) <= $ROBUST_HEAP_SLACK)"
}
