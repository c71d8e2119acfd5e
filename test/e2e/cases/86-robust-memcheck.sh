# shellcheck shell=bash disable=SC2317,SC2119
# valgrind memcheck (issue "Robustness", item 2): the in-process paths of the
# module run without memory errors and without definite leaks.
# Driver: test/robust/lookup.c.

. "$REPO/test/robust/robust-lib.sh"

e2e_case robust_memcheck_paths robust_memcheck_paths module
e2e_case robust_memcheck_paths_loaded robust_memcheck_paths_loaded module
e2e_case robust_memcheck_paths_nocache robust_memcheck_paths_nocache module

# Every in-process path, each 3 times (the repeats go through the module's
# reply cache and per-thread stash): pseudo-service pairing, owner name,
# listed domain on each getaddrinfo entry point (4_r, 2_r, 3_r), gethostbyname
# (failover list, other-zone targets resolved by queries), gethostbyname2,
# the ERANGE path (gethostbyname_r with a 16-octet buffer, then 8 KiB), a
# thread that gets ERANGE and exits without the retry (the stashed result
# must be freed with the thread), a "."
# target (NOTFOUND), a SERVFAIL (TRYAGAIN), a listed name without any SRV
# RRset (SRV queries, then the module steps aside - UNAVAIL - and dns
# answers the name's own address), out-of-scope names (UNAVAIL, then dns:
# found and unknown).
MEMCHECK_OPS=(
    gai:sipdomain.com:sipsrv gai4:sipdomain.com:sipsrv
    gai:_sip._udp.sipdomain.com gai:_foobar._tcp.example.com:9
    gai:sipdomain.com gai4:sipdomain.com gaicanon:sipdomain.com
    ghbn:sipdomain.com ghbn2:sipdomain.com ghbn:_foobar._tcp.example.com
    erange:sipdomain.com erange:_sip._udp.sipdomain.com thread-erange:sipdomain.com
    gai:_x._tcp.example.com ghbn:_x._tcp.example.com
    gai:_sip._tcp.elsewhere.ca
    gai:server.example.com ghbn:server.example.com
    gai:www.plain.test ghbn:www.plain.test gai:nosuch.plain.test
)

# memcheck_run TAG VALGRIND-OPTIONS...: run the ops under valgrind with the
# brief's options plus the given ones; check results, errors and leaks.
memcheck_run() {
    local tag=$1 rc
    shift
    need_cmd valgrind
    robust_build
    if [ -n "${MEMCHECK_NOCACHE:-}" ]; then robust_write_conf_nocache "domain sipdomain.com" "domain .example.com"
    else write_conf "domain sipdomain.com" "domain .example.com"; fi
    proxy_rules "_sip._tcp.elsewhere.ca SRV servfail"
    valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
        --keep-debuginfo=yes --log-file="$CASE_DIR/$tag.vg" "$@" \
        "$RB/lookup" -n 3 "${MEMCHECK_OPS[@]}" >"$tag.out" 2>"$tag.err"
    rc=$?
    note "$tag: exit $rc; results: $(sort "$tag.out" | uniq -c | sed 's/ => OK \([^ ]*\).*/ => OK \1/' | sort -u | tr -s ' ' | tr '\n' ';')"
    robust_no_crash "$tag: lookup under valgrind" "$rc"
    # The paths really ran and gave their expected status.
    expect_eq "$tag: result lines" $(( 3 * ${#MEMCHECK_OPS[@]} )) "$(grep -c ' => ' "$tag.out")"
    expect_match "$tag: pairing" 'gai sipdomain\.com => OK 127\.0\.0\.1[13] ' "$(grep -m1 '^gai sipdomain.com ' "$tag.out")"
    expect_match "$tag: failover list" 'list=127\.0\.0\.1[13],127\.0\.0\.1[13],127\.0\.0\.2[12],127\.0\.0\.2[12],127\.0\.0\.4[12],127\.0\.0\.4[12]$' \
        "$(grep -m1 '^ghbn sipdomain.com ' "$tag.out")"
    expect_match "$tag: ERANGE path" '^erange sipdomain\.com => ERANGE then retry  => OK 127\.0\.0\.1[13] n=6' \
        "$(grep -m1 '^erange sipdomain.com ' "$tag.out")"
    expect_eq "$tag: ERANGE in a thread that exits" "thread-erange sipdomain.com => ERANGE, thread exited" \
        "$(grep -m1 '^thread-erange' "$tag.out")"
    expect_eq "$tag: dot target" "gai _x._tcp.example.com => EAI_NONAME" "$(grep -m1 '^gai _x._tcp' "$tag.out")"
    expect_eq "$tag: SERVFAIL" "gai _sip._tcp.elsewhere.ca => EAI_AGAIN" "$(grep -m1 '^gai _sip._tcp.elsewhere.ca' "$tag.out")"
    expect_match "$tag: no SRV RRset (dns answers)" '^gai server\.example\.com => OK 127\.0\.0\.34' "$(grep -m1 '^gai server.example.com' "$tag.out")"
    expect_match "$tag: out of scope" '^gai www\.plain\.test => OK ' "$(grep -m1 '^gai www.plain.test' "$tag.out")"
    expect_eq "$tag: unknown name" "gai nosuch.plain.test => EAI_NONAME" "$(grep -m1 '^gai nosuch' "$tag.out")"
    local errs lost
    errs=$(grep -o 'ERROR SUMMARY: [0-9,]* errors' "$tag.vg" | tail -n 1)
    lost=$(grep -o 'definitely lost: [0-9,]* bytes in [0-9,]* blocks' "$tag.vg" | tail -n 1)
    note "$tag: valgrind: $errs; ${lost:-no leak summary (nothing lost)}"
    if [ "$rc" = 99 ] || ! [[ $errs =~ ^ERROR\ SUMMARY:\ 0\ errors$ ]] || { [ -n "$lost" ] && ! [[ $lost =~ ^definitely\ lost:\ 0\ bytes ]]; }; then
        note "valgrind report:"
        grep -v '^==[0-9]*== *$' "$tag.vg" | sed 's/^/#   /' | head -n 120 >&2
        fail "$tag: valgrind found ${errs#ERROR SUMMARY: }${lost:+, $lost} (exit $rc)"
    fi
    expect_eq "$tag: exit status" 0 "$rc"
}

# Proves the brief's exact command,
#   valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99
# (plus --keep-debuginfo=yes so stacks in the module stay readable), reports
# zero errors and zero bytes definitely lost for every path listed above.
# valgrind runs glibc's __libc_freeres at exit (its default), which dlcloses
# the NSS modules: memory the module still holds in static variables at that
# point (parsed config, reply cache) is then unreachable and counts as
# "definitely lost" unless the module frees it when unloaded.
robust_memcheck_paths() {
    memcheck_run freeres
}

# Proves the same with --run-libc-freeres=no (glibc does not unload the
# module at exit, so what its statics hold stays "still reachable"): no
# memory error and no block lost while the module is loaded, i.e. no leak
# per lookup on any path.  Separates a real leak from memory that is only
# lost when the module is unloaded (robust_memcheck_paths).
robust_memcheck_paths_loaded() {
    memcheck_run loaded --run-libc-freeres=no
}

# Proves the same as robust_memcheck_paths_loaded with "cache off": every
# repeat is a real DNS lookup (libresolv, and the module's own parallel
# queries for gethostbyname's failover targets), no memory error, nothing
# lost.
robust_memcheck_paths_nocache() {
    MEMCHECK_NOCACHE=1 memcheck_run nocache --run-libc-freeres=no
}
