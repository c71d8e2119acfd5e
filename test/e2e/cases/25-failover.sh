# shellcheck shell=bash disable=SC2317
# Failover and record selection on the failover.test fixtures
# (zones/failover.test.zone): targets without addresses, records on another
# port, a target in another zone, and an RRset too large for UDP.  Every case
# runs against NSD and against BIND (random record order): _nsd / _bind.
#
# Statistics as in 10-weights.sh: a share p of N lookups is accepted within
# 5 sigma of N*p (false failure about 6e-7 per check).

e2e_case_servers failover_noaddr failover_noaddr module
e2e_case_servers failover_wrong_port failover_wrong_port module
e2e_case_servers failover_offzone_target failover_offzone_target module
e2e_case_servers failover_big_rrset_tcp failover_big_rrset_tcp module

# Proves that when no priority-0 target has an address (ghost-txt has only a
# TXT record, ghost-nx does not exist), getaddrinfo("noaddr.failover.test",
# "sipsrv") gives a priority-1 target (backup1/backup2, weight 0 each: 1/2
# each over 400 lookups), the priority-0 targets were really looked up (query
# log: A queries for both), and gethostbyname (domain listed) lists exactly
# the two priority-1 targets.
failover_noaddr() {
    local n=400 a
    qlog_mark
    gai gai noaddr.failover.test sipsrv -n "$n" >out || fail "gai.py failed"
    note "counts: $(tr '\n' ';' <out)"
    note "queries: $(qlog_since | awk '{ print $2, $3, $4 }' | sort | uniq -c | tr '\n' ';')"
    expect_eq "failed lookups" "" "$(vals out error)"
    for a in $(vals out first); do expect_in "first address (priority 1 only)" "$a" 127.0.0.61 127.0.0.62; done
    expect_ratio "backup1 first" "$(cnt out first 127.0.0.61)" "$n" 0.5
    expect_ne "A queries for ghost-txt (priority 0, looked up)" 0 "$(qlog_count A ghost-txt.failover.test)"
    expect_ne "A queries for ghost-nx (priority 0, looked up)" 0 "$(qlog_count A ghost-nx.failover.test)"
    write_conf "domain noaddr.failover.test"
    gai ghbn noaddr.failover.test -n 20 >out2 || fail "gai.py failed"
    note "gethostbyname: $(tr '\n' ';' <out2)"
    expect_eq "gethostbyname failed lookups" "" "$(vals out2 error)"
    expect_eq "gethostbyname lists" "127.0.0.61,127.0.0.62 127.0.0.62,127.0.0.61" \
        "$(vals out2 list | tr ' ' '\n' | sort -u | paste -sd' ')"
}

# Proves port truth: wrongport.failover.test has its priority-0 records on
# port 5070 and priority-1 ones on 5060.  getaddrinfo(NAME, "sipsrv") (port
# 5060) and a `domain` line (default port 5060) give only p1-a/p1-b, weighted
# 1:3 (400 lookups); `domain ... port 5070` and the owner name
# _sip._udp.wrongport.failover.test (any port) give p0-a/p0-b.
failover_wrong_port() {
    local n=400 a
    check_pair() { # WHAT FILE LIGHT HEAVY
        local what=$1 f=$2 light=$3 heavy=$4 x
        note "$what: $(tr '\n' ';' <"$f")"
        expect_eq "$what: failed lookups" "" "$(vals "$f" error)"
        for x in $(vals "$f" first); do expect_in "$what: first address" "$x" "$light" "$heavy"; done
        expect_ratio "$what: $heavy first (weight 3 of 4)" "$(cnt "$f" first "$heavy")" "$n" 0.75
    }
    gai gai wrongport.failover.test sipsrv -n "$n" >svc || fail "gai.py failed"
    check check_pair "sipsrv (port 5060)" svc 127.0.0.65 127.0.0.66
    write_conf "domain wrongport.failover.test"
    gai gai wrongport.failover.test 5060 -n "$n" >dom || fail "gai.py failed"
    check check_pair "domain line, port 5060" dom 127.0.0.65 127.0.0.66
    write_conf "domain wrongport.failover.test port 5070"
    gai gai wrongport.failover.test 5070 -n "$n" >dom70 || fail "gai.py failed"
    check check_pair "domain line, port 5070" dom70 127.0.0.63 127.0.0.64
    rm_conf
    gai gai _sip._udp.wrongport.failover.test -n "$n" >owner || fail "gai.py failed"
    check check_pair "owner name (any port)" owner 127.0.0.63 127.0.0.64
    check_done
}

# Proves a target in another zone (sip.other.test: the server sends no
# Additional data for it) is looked up: getaddrinfo("offzone.failover.test",
# "sipsrv") returns its two addresses (127.0.0.71, fd53::71) and the query
# log shows the SRV query, then one A and one AAAA query for the target.
failover_offzone_target() {
    qlog_mark
    gai gai offzone.failover.test sipsrv >out || fail "gai.py failed"
    note "result: $(tr '\n' ';' <out); queries: $(qlog_since | awk '{ print $2, $3, $4 }' | tr '\n' ';')"
    expect_eq "addresses" "127.0.0.71 fd53::71" "$(vals out addr)"
    expect_eq "SRV queries" 1 "$(qlog_count SRV _sip._udp.offzone.failover.test)"
    expect_eq "A queries for the target" 1 "$(qlog_count A sip.other.test)"
    expect_eq "AAAA queries for the target" 1 "$(qlog_count AAAA sip.other.test)"
    expect_eq "queries in all" 3 "$(qlog_count)"
}

# Proves a 30-record RRset with long targets (about 2 KB: truncated over UDP,
# TC=1) is fetched over TCP and used: the query log shows the SRV query over
# udp then over tcp, and every lookup selects t30 (the only priority-0 record,
# last in zone-file order: a truncated answer would not hold it).
# gethostbyname (domain listed) lists t30 first, then priority-1 targets up
# to the module's documented limit of 16 targets.
failover_big_rrset_tcp() {
    qlog_mark
    gai gai big.failover.test sipsrv -n 20 >out || fail "gai.py failed"
    note "result: $(tr '\n' ';' <out); queries: $(qlog_since | awk '{ print $2, $3, $4 }' | sort | uniq -c | tr '\n' ';')"
    expect_eq "first address (t30, the priority-0 record)" "127.0.1.30 20" "$(awk '$1 == "first" { print $2, $3 }' out)"
    expect_eq "SRV over udp" 1 "$(qlog_since | awk '$2 == "udp" && $3 == "SRV" && $4 == "_sip._udp.big.failover.test."' | grep -c .)"
    expect_eq "SRV over tcp (after TC=1)" 1 "$(qlog_since | awk '$2 == "tcp" && $3 == "SRV" && $4 == "_sip._udp.big.failover.test."' | grep -c .)"
    write_conf "domain big.failover.test"
    gai ghbn big.failover.test >out2 || fail "gai.py failed"
    local list
    list=$(vals out2 list)
    note "gethostbyname list: $list"
    expect_match "gethostbyname list: t30 first, then 15 priority-1 targets" \
        '^127\.0\.1\.30(,127\.0\.1\.([1-9]|1[0-9]|2[0-9])){15}$' "$list"
    expect_eq "distinct addresses in the list" 16 "$(echo "$list" | tr ',' '\n' | sort -u | grep -c .)"
}
