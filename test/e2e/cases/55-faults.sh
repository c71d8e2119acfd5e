# shellcheck shell=bash disable=SC2317
# DNS faults, injected per name by dnsproxy.py, seen by unmodified lookups of
# the listed domain faults.test (zones/faults.test.zone: SRV 0 1 sip1 .91,
# 0 3 sip3 .93, and its own address 127.0.0.90, the "wrong machine").
# Every case runs against NSD and BIND (_nsd / _bind).
#
# Each failing fault is injected twice: on the SRV query, and on the address
# queries of every target (with the Additional section stripped so they are
# looked up; a target whose queries fail is passed over for the next one, so
# TRYAGAIN needs them all to fail - failover itself is cases/27-misroute.sh).
# Expected (README "outcome" table; a malformed answer is no usable answer,
# like no answer):
#   hosts: files srvsip [NOTFOUND=return TRYAGAIN=return] dns
#       getaddrinfo EAI_AGAIN (-3), gethostbyname TRY_AGAIN (h_errno 2), and
#       no query for faults.test's own address (the module never resolves
#       the domain itself, and TRYAGAIN=return keeps the dns module from it)
#   hosts: files srvsip dns           (default actions: TRYAGAIN continues)
#       the dns module is asked next and answers 127.0.0.90 (checked with
#       the fault on the SRV query; the module's status is the same either
#       way, and each timeout costs a second)
# Durations are measured inside the process (gai.py --times), every lookup
# in a new process (the module's reply cache is per process):
#   QUICK_MS    a fault answered at once (SERVFAIL, REFUSED, TCP reset,
#               malformed): no timeout may be spent
#   TIMEOUT_MS  no answer / a wrong ID: resolv.conf "timeout:1 attempts:1"
#               allows one 1 s timeout; 2 s leaves 1 s of slack for CI.

QUICK_MS=750
TIMEOUT_MS=2000
STRICT='files srvsip [NOTFOUND=return TRYAGAIN=return] dns'
ONE_TERM='files srvsip [!UNAVAIL=return] dns'
DEFAULT_ACTIONS='files srvsip dns'

e2e_case_servers fault_servfail fault_servfail module
e2e_case_servers fault_refused fault_refused module
e2e_case_servers fault_timeout fault_timeout module
e2e_case_servers fault_wrong_id fault_wrong_id module
e2e_case_servers fault_tc_no_tcp fault_tc_no_tcp module
e2e_case_servers fault_malformed_loop fault_malformed_loop module
e2e_case_servers fault_malformed_ptr_past_end fault_malformed_ptr_past_end module
e2e_case_servers fault_malformed_rdlength fault_malformed_rdlength module
e2e_case_servers fault_malformed_counts fault_malformed_counts module
e2e_case_servers fault_tc_then_tcp fault_tc_then_tcp module
e2e_case_servers fault_no_additional fault_no_additional module
e2e_case_servers chain_tryagain chain_tryagain module
e2e_case_servers chain_notfound chain_notfound module

# expect_within WHAT FILE LIMIT_MS: every lookup of FILE took < LIMIT_MS.
expect_within() {
    local m
    m=$(maxv "$2" ms)
    [ -n "$m" ] || fail "$1: no duration measured"
    [ "$m" -lt "$3" ] || fail "$1: a lookup took $m ms (limit $3 ms)"
    note "ok: $1: slowest lookup $m ms < $3 ms"
}

# own_address_queries: A/AAAA queries for faults.test itself since the mark.
own_address_queries() { echo $(( $(qlog_count A faults.test) + $(qlog_count AAAA faults.test) )); }

# tryagain_scope WHAT LIMIT_MS DEFAULT RULE...: with RULEs in the proxy,
# the strict line gives EAI_AGAIN / TRY_AGAIN within LIMIT_MS and never asks
# for faults.test's address; when DEFAULT is "default", the default line
# then gives dns's 127.0.0.90.
tryagain_scope() {
    local what=$1 limit=$2 dflt=$3
    shift 3
    proxy_rules "$@"
    write_nsswitch "$STRICT"
    qlog_mark
    gai_runs 1 "gai-$what" gai faults.test 5060 || fail "gai.py failed"
    gai_runs 1 "ghbn-$what" ghbn faults.test || fail "gai.py failed"
    note "$what, strict: getaddrinfo $(tr '\n' ' ' <"gai-$what"); gethostbyname $(tr '\n' ' ' <"ghbn-$what")"
    note "$what, strict: queries $(qlog_since | awk '{ print $2, $3, $4, $5 }' | tr '\n' ';')"
    expect_eq "$what, strict: getaddrinfo (EAI_AGAIN = -3)" "error -3" "$(outcome "gai-$what")"
    expect_eq "$what, strict: gethostbyname (h_errno TRY_AGAIN = 2)" "error h2" "$(outcome "ghbn-$what")"
    expect_within "$what, strict: getaddrinfo" "gai-$what" "$limit"
    expect_within "$what, strict: gethostbyname" "ghbn-$what" "$limit"
    expect_eq "$what, strict: queries for faults.test's own address" 0 "$(own_address_queries)"
    [ "$dflt" = default ] || return 0
    write_nsswitch "$DEFAULT_ACTIONS"
    qlog_mark
    gai_runs 1 "dflt-$what" gai faults.test 5060 || fail "gai.py failed"
    note "$what, default actions: $(tr '\n' ' ' <"dflt-$what")"
    expect_eq "$what, default actions: dns answers next (the domain's own address)" "answer 127.0.0.90" \
        "$(outcome "dflt-$what")"
    expect_within "$what, default actions: getaddrinfo" "dflt-$what" "$limit"
    expect_ne "$what, default actions: dns asked for faults.test" 0 "$(qlog_count A faults.test)"
}

# fault_case LIMIT_MS ACTION...: the fault on the SRV query, then on both
# targets' address queries (Additional section stripped).
fault_case() {
    local limit=$1
    shift
    write_conf "domain faults.test"
    check tryagain_scope "SRV query" "$limit" default "_sip._udp.faults.test SRV $*"
    check tryagain_scope "target queries" "$limit" strict-only "_sip._udp.faults.test SRV noadditional" \
        "sip1.faults.test * $*" "sip3.faults.test * $*"
    check_done
}

# Proves SERVFAIL (on the SRV query; on the targets' A/AAAA queries) ends the
# lookup at once with EAI_AGAIN / TRY_AGAIN and no query for the domain's own
# address; with default actions dns answers next.
fault_servfail() { fault_case "$QUICK_MS" servfail; }

# Proves REFUSED behaves like SERVFAIL (TRYAGAIN at once, dns only with
# default actions).
fault_refused() { fault_case "$QUICK_MS" refused; }

# Proves an answer that never comes (dropped) costs one timeout at most:
# EAI_AGAIN / TRY_AGAIN within 2 s, also when the targets' queries are the
# ones lost; with default actions dns then answers.
fault_timeout() { fault_case "$TIMEOUT_MS" drop; }

# Proves an answer with a wrong query ID is ignored (it is not the answer):
# the lookup times out once, EAI_AGAIN / TRY_AGAIN within 2 s.
fault_wrong_id() { fault_case "$TIMEOUT_MS" badid; }

# Proves a truncated answer (TC=1) from a server whose TCP service is gone
# (connection reset) is no answer: TRYAGAIN at once, both for the SRV query
# (libresolv) and for the targets' queries (the module's own client).
fault_tc_no_tcp() { fault_case "$QUICK_MS" tc notcp; }

# Proves an answer whose first record's owner name is a compression pointer
# to itself (a loop) is no usable answer: TRYAGAIN at once, no fallback to
# the domain's own address.
fault_malformed_loop() { fault_case "$QUICK_MS" malformed loop; }

# Proves an answer whose first record's owner name points past the end of
# the message is no usable answer: TRYAGAIN at once, no fallback.
fault_malformed_ptr_past_end() { fault_case "$QUICK_MS" malformed ptrpast; }

# Proves an answer whose first record's RDLENGTH runs past the end of the
# message is no usable answer: TRYAGAIN at once, no fallback.
fault_malformed_rdlength() { fault_case "$QUICK_MS" malformed rdlen; }

# Proves an answer whose header counts (ANCOUNT, NSCOUNT, ARCOUNT, each + 5)
# promise more records than the message holds is no usable answer: TRYAGAIN
# at once, no fallback.
fault_malformed_counts() { fault_case "$QUICK_MS" malformed counts; }

# check_success WHAT FILE: every lookup answered with sip1 or sip3.
check_success() {
    local a
    expect_eq "$1: failed lookups" "" "$(vals "$2" error)"
    for a in $(vals "$2" first); do expect_in "$1: first address" "$a" 127.0.0.91 127.0.0.93; done
}

# Proves a truncated UDP answer (TC=1) is retried over TCP and used: for the
# SRV query (libresolv) and for the targets' A/AAAA queries (the module's own
# client, Additional section stripped); the query log shows the tcp queries.
fault_tc_then_tcp() {
    write_conf "domain faults.test"
    proxy_rules "_sip._udp.faults.test SRV tc"
    qlog_mark
    gai_runs 2 srv gai faults.test 5060 || fail "gai.py failed"
    note "SRV tc: $(tr '\n' ' ' <srv); queries $(qlog_since | awk '{ print $2, $3, $4 }' | tr '\n' ';')"
    check_success "SRV answer over TCP" srv
    expect_within "SRV answer over TCP" srv "$QUICK_MS"
    expect_eq "SRV queries over tcp" 2 "$(qlog_since | awk '$2 == "tcp" && $3 == "SRV"' | grep -c .)"
    proxy_rules "_sip._udp.faults.test SRV noadditional" "sip1.faults.test * tc" "sip3.faults.test * tc"
    qlog_mark
    gai_runs 2 tgt gai faults.test 5060 || fail "gai.py failed"
    gai_runs 1 tgt-ghbn ghbn faults.test || fail "gai.py failed"
    note "targets tc: $(tr '\n' ' ' <tgt) / $(tr '\n' ' ' <tgt-ghbn); queries $(qlog_since | awk '{ print $2, $3, $4 }' | tr '\n' ';')"
    check_success "target addresses over TCP" tgt
    check_success "target addresses over TCP (gethostbyname)" tgt-ghbn
    expect_in "gethostbyname list (both targets)" "$(vals tgt-ghbn list)" \
        127.0.0.91,127.0.0.93 127.0.0.93,127.0.0.91
    expect_ne "A/AAAA queries over tcp" 0 "$(qlog_since | awk '$2 == "tcp" && ($3 == "A" || $3 == "AAAA")' | grep -c .)"
}

# Proves that without an Additional section the selected target is looked
# up (getaddrinfo AF_UNSPEC: one A and one AAAA query, for one target only)
# and gethostbyname looks up every target (A only): the query log shows them.
fault_no_additional() {
    write_conf "domain faults.test"
    proxy_rules "_sip._udp.faults.test SRV noadditional"
    qlog_mark
    gai_runs 1 out gai faults.test 5060 || fail "gai.py failed"
    note "getaddrinfo: $(tr '\n' ' ' <out); queries $(qlog_since | awk '{ print $2, $3, $4 }' | tr '\n' ';')"
    check_success "getaddrinfo" out
    local sel
    sel=$(vals out first)
    sel=$([ "$sel" = 127.0.0.91 ] && echo sip1 || echo sip3)
    expect_eq "A queries for the selected target $sel" 1 "$(qlog_count A "$sel.faults.test")"
    expect_eq "AAAA queries for the selected target $sel" 1 "$(qlog_count AAAA "$sel.faults.test")"
    expect_eq "address queries in all (selected target only)" 2 \
        "$(( $(qlog_count A) + $(qlog_count AAAA) ))"
    qlog_mark
    gai_runs 1 out2 ghbn faults.test || fail "gai.py failed"
    note "gethostbyname: $(tr '\n' ' ' <out2); queries $(qlog_since | awk '{ print $2, $3, $4 }' | tr '\n' ';')"
    check_success "gethostbyname" out2
    expect_eq "gethostbyname: A queries for sip1" 1 "$(qlog_count A sip1.faults.test)"
    expect_eq "gethostbyname: A queries for sip3" 1 "$(qlog_count A sip3.faults.test)"
    expect_eq "gethostbyname: AAAA queries" 0 "$(qlog_count AAAA)"
}

# Proves nsswitch.conf.example's actions for TRYAGAIN (SRV query SERVFAIL):
# `files srvsip [NOTFOUND=return TRYAGAIN=return] dns` and its one-term
# spelling `files srvsip [!UNAVAIL=return] dns` stop (EAI_AGAIN, no query
# for the domain's address); `files srvsip dns` continues to dns, which
# answers with the domain's own address (127.0.0.90).
chain_tryagain() {
    write_conf "domain faults.test"
    proxy_rules "_sip._udp.faults.test SRV servfail"
    local line what
    for what in strict one-term default; do
        case $what in strict) line=$STRICT ;; one-term) line=$ONE_TERM ;; default) line=$DEFAULT_ACTIONS ;; esac
        write_nsswitch "$line"
        qlog_mark
        gai gai faults.test 5060 >"$what" || fail "gai.py failed"
        note "hosts: $line -> $(tr '\n' ' ' <"$what")"
        if [ "$what" = default ]; then
            expect_eq "$what: dns answers" "answer 127.0.0.90" "$(outcome "$what")"
            expect_eq "$what: dns asked for faults.test (A)" 1 "$(qlog_count A faults.test)"
        else
            expect_eq "$what: getaddrinfo (EAI_AGAIN)" "error -3" "$(outcome "$what")"
            expect_eq "$what: queries for faults.test's address" 0 "$(own_address_queries)"
        fi
    done
}

# Proves nsswitch.conf.example's actions for NOTFOUND (closed.faults.test:
# SRV target ".", service decidedly not available, though the name has an
# address): the strict and one-term lines stop (EAI_NONAME, gethostbyname
# HOST_NOT_FOUND, no address query); `files srvsip dns` falls through to dns,
# which answers the name's own address 127.0.0.94 (the wrong machine).
chain_notfound() {
    write_conf "domain closed.faults.test"
    local line what
    for what in strict one-term default; do
        case $what in strict) line=$STRICT ;; one-term) line=$ONE_TERM ;; default) line=$DEFAULT_ACTIONS ;; esac
        write_nsswitch "$line"
        qlog_mark
        gai gai closed.faults.test 5060 >"$what" || fail "gai.py failed"
        gai ghbn closed.faults.test >"$what-ghbn" || fail "gai.py failed"
        note "hosts: $line -> $(tr '\n' ' ' <"$what") / $(tr '\n' ' ' <"$what-ghbn")"
        if [ "$what" = default ]; then
            expect_eq "$what: dns answers" "answer 127.0.0.94" "$(outcome "$what")"
            expect_eq "$what: gethostbyname from dns" "answer 127.0.0.94" "$(outcome "$what-ghbn")"
        else
            expect_eq "$what: getaddrinfo (EAI_NONAME)" "error -2" "$(outcome "$what")"
            expect_eq "$what: gethostbyname (HOST_NOT_FOUND)" "error h1" "$(outcome "$what-ghbn")"
            expect_eq "$what: address queries for closed.faults.test" 0 \
                "$(( $(qlog_count A closed.faults.test) + $(qlog_count AAAA closed.faults.test) ))"
        fi
    done
}
