# shellcheck shell=bash disable=SC2317,SC2119
# Thread stress (issue "Robustness", item 3): many threads resolving at once
# all get valid answers; fork() in the middle leaves a child that resolves;
# ThreadSanitizer finds no race in the module.
# Driver: test/robust/threads.c (mix, fork and hang handling in its header).

. "$REPO/test/robust/robust-lib.sh"

e2e_case robust_threads_fork robust_threads_fork module
e2e_case robust_threads_fork_nocache robust_threads_fork_nocache module
e2e_case robust_threads_tsan robust_threads_tsan module
e2e_case robust_exit_with_lookups_running robust_exit_with_lookups_running module

ROBUST_THREADS=32
ROBUST_PER_THREAD=1000
ROBUST_FORKS=16

# threads_val FILE KEY: a key=value of the driver's output.
threads_val() { awk -F= -v k="$2" '$1 == k { sub(/^[^=]*=/, ""); print; exit }' "$1"; }

# threads_hung RC: fail with the stacks when robust_run_bounded killed it.
threads_hung() {
    [ "$1" = 124 ] || return 0
    note "the driver hung; its threads (threads.stacks):"
    grep -E '^(Thread|#[0-9])' threads.stacks | sed 's/^/#   /' | head -n 60 >&2
    note "driver output: $(grep -v ok_kind threads.out | head -n 8 | tr '\n' ';')"
    fail "threads: the process hung (killed after the time limit; stacks in the log)"
}

# check_threads_out FILE RC MODULE-PATH: the checks common to both cases.
check_threads_out() {
    local f=$1 rc=$2 total=$(( ROBUST_THREADS * ROBUST_PER_THREAD )) k
    note "threads: exit $rc; $(grep -v '^fork' "$f" | tr '\n' ' ')"
    [ -s threads.stdout ] && note "driver stdout/stderr: $(head -n 5 threads.stdout | tr '\n' ';')"
    grep '^fork' "$f" | sed 's/^/#   /' >&2
    robust_no_crash "threads" "$rc"
    expect_eq "module mapped (a rebuild during the run shows as deleted: ignored)" "$3" "$(threads_val "$f" module | sed "s/ (deleted)$//")"
    expect_eq "lookups" "$total" "$(threads_val "$f" lookups)"
    expect_eq "wrong results ($(grep -m3 '^error' "$f" | tr '\n' ';'))" 0 "$(threads_val "$f" errors)"
    for k in 0 1 2 3 4 5 6 7; do
        expect_eq "right results of kind $k" $(( total / 8 )) "$(threads_val "$f" "ok_kind$k")"
    done
    expect_eq "children that failed or hung outside a glibc-internal lock" 0 "$(threads_val "$f" children_bad)"
}

# Proves 32 threads x 1,000 lookups (32,000; ~10 s) against NSD (direct, see
# robust_start_nsd), with "domain .robust.test" only, all give valid results:
# getaddrinfo(sipdomain.com, "sipsrv") (pairing) and the owner names
# _sip._udp.sipdomain.com / _foobar._tcp.example.com give a priority-0
# target; h<t>x<i>.robust.test (listed suffix, a new name each time, real SRV
# query) and gethostbyname_r of h<t>y<i>.robust.test (half of them through
# ERANGE + stash) give t1/t2; www.plain.test and nosuch*.plain.test (out of
# scope) resolve normally / fail with EAI_NONAME; and getaddrinfo(sipdomain.com,
# "5060") - NOT listed - never resolves, so no thread's pairing leaks into
# another thread's or a later lookup.  16 fork()s spread over the run, taken
# whatever the threads are doing, each leave a child that resolves a pairing
# name, an owner name, a listed name and an out-of-scope name and exits 0 -
# except children that deadlock on a glibc-internal lock that another thread
# held at the fork (glibc 2.36 does not reset the resolv.conf and __check_pf
# locks at fork; POSIX allows only async-signal-safe calls there): those are
# identified by their stack (see threads.c), reported, and not charged to the
# module; any other hang or failure is.  At least half the children must
# resolve.
robust_threads_fork() {
    robust_build
    robust_start_nsd
    write_conf "domain .robust.test"
    threads_fork_run
}

# Proves the same with "cache off": every lookup of every thread is a real
# DNS lookup, several threads at once in the module's own parallel-query
# code (dns_batch.c) and in libresolv.
robust_threads_fork_nocache() {
    robust_build
    robust_start_nsd
    robust_write_conf_nocache "domain .robust.test"
    threads_fork_run
}

threads_fork_run() {
    local rc
    robust_run_bounded 60 threads.stacks \
        "$RB/threads" "$ROBUST_THREADS" "$ROBUST_PER_THREAD" "$ROBUST_FORKS" threads.out >threads.stdout 2>&1
    rc=$?
    threads_hung "$rc"
    check_threads_out threads.out "$rc" "$MODULE"
    local s
    for s in threads.out.child*.stack; do
        [ -e "$s" ] && { note "stack of a hung child ($s):"; sed 's/^/#   /' "$s" >&2; }
    done
    expect_eq "children killed without a stack" 0 "$(threads_val threads.out children_killed)"
    local ok glibc
    ok=$(threads_val threads.out children_ok) glibc=$(threads_val threads.out children_glibc_hung)
    [ "$ok" -ge $(( ROBUST_FORKS / 2 )) ] || fail "only $ok of $ROBUST_FORKS children resolved ($glibc hung in glibc)"
    note "ok: $ok of $ROBUST_FORKS children resolved; $glibc hung on a glibc-internal lock (not the module)"
    expect_eq "exit status" 0 "$rc"
}

# Proves ThreadSanitizer reports nothing for the same stress (32 threads x
# 1,000 lookups, 4 forks) with the driver built with clang -fsanitize=thread
# and the module's sources compiled with -fsanitize=thread into
# build/robust/tsan/libnss_srvsip.so.2, loaded through LD_LIBRARY_PATH (the
# driver reports the path it mapped).  Positive control first: with
# libnss_racy.so.2 (test/robust/racy_nss.c, unguarded counter) on the hosts
# line, TSan must report that race, so TSan does see code in modules that
# glibc dlopens.  TSAN_OPTIONS: report_thread_leaks=0 (a forked child "leaks"
# the parent's thread records), report_signal_unsafe=0 (the driver's own
# SIGALRM stack dump in a hung child), and test/robust/tsan.supp (one glibc
# internal realloc under a glibc lock TSan cannot see: explained there); a
# hung child is killed by the parent (TSan defers the handler) and, unlike in
# robust_threads_fork, tolerated.
# SKIP when clang is missing or TSan cannot start here.
robust_threads_tsan() {
    need_cmd clang
    robust_build robust-tsan
    robust_start_nsd
    write_conf "domain .robust.test"
    local opts="halt_on_error=0 exitcode=66 report_thread_leaks=0 report_signal_unsafe=0"
    opts+=" suppressions=$REPO/test/robust/tsan.supp"
    # Can TSan run at all here (memory layout, ASLR)?
    if ! LD_LIBRARY_PATH="$RB/tsan" TSAN_OPTIONS="$opts" "$RB/tsan/threads" 1 8 0 probe.out >probe.stderr 2>&1; then
        grep -q 'FATAL: ThreadSanitizer' probe.stderr \
            && skip "TSan cannot run here: $(grep -m1 FATAL probe.stderr)"
    fi
    # Positive control.
    write_nsswitch "files racy srvsip [NOTFOUND=return TRYAGAIN=return] dns"
    LD_LIBRARY_PATH="$RB/tsan" TSAN_OPTIONS="$opts log_path=$CASE_DIR/control.tsan" \
        timeout 60 "$RB/tsan/threads" 4 40 0 control.out >control.stdout 2>&1
    local races
    races=$(cat control.tsan.* 2>/dev/null | grep -c 'WARNING: ThreadSanitizer: data race')
    grep -q 'racy_nss.c' control.tsan.* 2>/dev/null \
        || fail "positive control: TSan reported no race in libnss_racy.so.2 (it cannot be trusted here)"
    note "ok: positive control: TSan reported $races data race(s) in the deliberately racy module"
    # The real run.
    write_nsswitch
    local rc
    LD_LIBRARY_PATH="$RB/tsan" TSAN_OPTIONS="$opts log_path=$CASE_DIR/run.tsan" \
        robust_run_bounded 80 threads.stacks "$RB/tsan/threads" "$ROBUST_THREADS" "$ROBUST_PER_THREAD" 4 \
        threads.out >threads.stdout 2>&1
    rc=$?
    threads_hung "$rc"
    if ls run.tsan.* >/dev/null 2>&1; then
        # The full reports outlive the scratch dir: build/robust/tsan-report.txt.
        cat run.tsan.* >"$RB/tsan-report.txt"
        note "TSan reports (all in $RB/tsan-report.txt):"; head -n 40 run.tsan.* >&2
        fail "ThreadSanitizer reported: $(grep -h 'SUMMARY: ThreadSanitizer' run.tsan.* | sed 's/^SUMMARY: ThreadSanitizer: //' | sort | uniq -c | tr -s ' ' | tr '\n' ';') (full: $RB/tsan-report.txt)"
    fi
    note "ok: no ThreadSanitizer report"
    ROBUST_FORKS=4 check_threads_out threads.out "$rc" "$RB/tsan/libnss_srvsip.so.2"
    note "children: ok $(threads_val threads.out children_ok), glibc-hung $(threads_val threads.out children_glibc_hung), killed (TSan) $(threads_val threads.out children_killed)"
    expect_eq "exit status" 0 "$rc"
}

# exit() runs the module's destructors (_dl_fini) while other threads are
# still inside lookups (test/robust/exit_race.c): 8 threads looking up a name
# that 2,400 suffix lines of srvsip.conf are compared with, 10 exits, free()
# slowed once exit began.  The module that freed its config snapshots in the
# destructor died of SIGSEGV in every run.
robust_exit_with_lookups_running() {
    local i rc crashes=0
    robust_build
    write_nsswitch 'srvsip'
    for i in $(seq -w 0 2399); do printf 'domain .a%s.test\n' "$i"; done >big.conf
    robust_write_conf_file big.conf
    for i in $(seq 1 10); do
        timeout 20 "$RB/exit_race" 8 x.b0000.test slow
        rc=$?
        [ "$rc" = 0 ] || { crashes=$((crashes + 1)); note "exit $i: status $rc"; }
    done
    check expect_eq "exits with lookups running that did not end with status 0" 0 "$crashes"
    check_done
}

