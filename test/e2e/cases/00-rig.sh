# shellcheck shell=bash disable=SC2317
# Rig self-checks: they need no module and prove the namespace, NSD and
# BIND, the zones, the logging proxy and the latency tool behave as the
# module cases assume.

e2e_case rig_isolation rig_isolation
e2e_case_servers rig_dns_zones rig_dns_zones
e2e_case_servers rig_fixture_zones rig_fixture_zones
e2e_case rig_proxy_faults rig_proxy_faults
e2e_case rig_proxy_malformed rig_proxy_malformed
e2e_case rig_delay rig_delay

# Proves /etc is private (overlay) and holds the rig's resolv.conf/nsswitch.conf.
rig_isolation() {
    expect_eq "/etc fstype" overlay "$(findmnt -n -o FSTYPE /etc)"
    expect_eq "resolv.conf nameserver" "nameserver 127.0.0.1" "$(head -n 1 /etc/resolv.conf)"
    expect_eq "nsswitch hosts" "hosts: $NSS_HOSTS_DEFAULT" "$(grep '^hosts:' /etc/nsswitch.conf | tr -s ' ')"
    expect_eq "only lo" lo "$(ip -o link show | awk -F': ' '{print $2}' | tr '\n' ' ' | sed 's/ $//')"
    write_conf "domain sipdomain.com"
    expect_eq "srvsip.conf mode/owner" "644 root root" "$(stat -c '%a %U %G' "$SRVSIP_CONF")"
    write_nsswitch 'files dns'
    expect_eq "bare: AI_ADDRCONFIG sees no IPv4" "" "$(first_addr getent ahostsv4 www.plain.test)"
    addr_mode v4
    expect_eq "v4: getent via glibc dns" 127.0.0.50 "$(first_addr getent ahostsv4 www.plain.test)"
    addr_mode dual
    expect_eq "dual: IPv6 sorted first" fd53::50 "$(first_addr getent ahosts www.plain.test)"
}

# Proves the server (NSD, then BIND) serves the seed zones (answers,
# additional section, wildcard ".", NXDOMAIN from the root zone) and that the
# proxy forwards to it and logs queries.
rig_dns_zones() {
    local d="dig +norec +tries=1 +time=2 @127.0.0.1" out
    qlog_mark
    out=$($d SRV _sip._udp.sipdomain.com)
    expect_eq "sip SRV answers" 6 "$(echo "$out" | awk '$4 == "SRV"' | grep -c .)"
    expect_match "1x-load additional" '1x-load\.sipdomain\.com\.[[:space:]]+3600[[:space:]]+IN[[:space:]]+A[[:space:]]+127\.0\.0\.11' "$out"
    if echo "$out" | grep -q 'offsite-failover1.elsewhere.ca..*IN.*A'; then
        fail "other-zone target in additional section (cases assume it is not)"
    fi
    expect_eq "foobar SRV" "0 1 9 old-slow-box.example.com.|0 3 9 new-fast-box.example.com.|1 0 9 server.example.com.|1 0 9 sysadmins-box.example.com." \
        "$($d +short SRV _foobar._tcp.example.com | sort | paste -sd'|')"
    expect_eq "wildcard dot" "0 0 0 ." "$($d +short SRV _x._tcp.example.com)"
    expect_eq "sip tcp wildcard dot" "0 0 0 ." "$($d +short SRV _sip._tcp.sipdomain.com)"
    expect_eq "offsite A" 127.0.0.42 "$($d +short A offsite-failover2.elsewhere.ca)"
    expect_eq "plain A" 127.0.0.50 "$($d +short A www.plain.test)"
    expect_match "unknown name" 'status: NXDOMAIN' "$($d A nosuch.invalid)"
    expect_match "direct to the server" 'status: NOERROR' "$(dig +norec +tries=1 +time=2 -p "$(server_port)" @127.0.0.1 SRV _sip._udp.sipdomain.com)"
    expect_eq "logged SRV queries" 1 "$(qlog_count SRV _sip._udp.sipdomain.com)"
    expect_eq "logged A plain" 1 "$(qlog_count A www.plain.test)"
    expect_eq "logged queries total (direct queries not logged)" 7 "$(qlog_count)"
    if [ "$CASE_SERVER" = bind ]; then
        # rrset-order random: 8 answers show the RRset in more than one order
        local orders
        orders=$(for _ in $(seq 8); do $d +short SRV _sip._udp.sipdomain.com | paste -sd'|'; done | sort -u | grep -c .)
        note "BIND: $orders distinct record orders in 8 answers"
        [ "$orders" -ge 2 ] || fail "BIND answered 8 times in the same order (rrset-order random?)"
    fi
}

# Proves the e2e fixture zones (failover.test, other.test, families.test,
# faults.test, misroute.test, away.test) are served as the cases assume: a
# 30-record RRset is truncated over UDP without EDNS (TC=1, as glibc asks)
# and complete over TCP; a target in another zone has no Additional data,
# same-zone targets do; the faults and misroute domains have their own
# addresses.
rig_fixture_zones() {
    local d="dig +norec +tries=1 +time=2 @127.0.0.1" out
    out=$($d +noedns +ignore +notcp SRV _sip._udp.big.failover.test)
    expect_match "big over UDP: TC=1" 'flags: qr aa tc' "$out"
    out=$($d +noedns +tcp SRV _sip._udp.big.failover.test)
    expect_match "big over TCP: 30 records" 'ANSWER: 30,' "$out"
    expect_eq "big: priority-0 record" "0 1 5060 t30-long-target-name-to-overflow-the-udp-answer.big.failover.test." \
        "$(echo "$out" | awk '$4 == "SRV" && $5 == 0 { print $5, $6, $7, $8 }')"
    out=$($d SRV _sip._udp.offzone.failover.test)
    expect_match "offzone: one record" 'ANSWER: 1,' "$out"
    if echo "$out" | grep -q 'sip\.other\.test\..*IN[[:space:]]*A'; then
        fail "offzone: target of another zone in the additional section (cases assume it is not)"
    fi
    out=$($d SRV _sip._udp.noaddr.failover.test)
    expect_match "noaddr: backup1 glue" 'backup1\.failover\.test\.[[:space:]]+3600[[:space:]]+IN[[:space:]]+A' "$out"
    expect_eq "noaddr: ghost-txt has no A" "" "$($d +short A ghost-txt.failover.test)"
    expect_match "noaddr: ghost-nx does not exist" 'status: NXDOMAIN' "$($d A ghost-nx.failover.test)"
    expect_eq "wrongport records" "0 1 5070 p0-a.failover.test.|0 3 5070 p0-b.failover.test.|1 1 5060 p1-a.failover.test.|1 3 5060 p1-b.failover.test." \
        "$($d +short SRV _sip._udp.wrongport.failover.test | sort | paste -sd'|')"
    expect_eq "faults.test own address" 127.0.0.90 "$($d +short A faults.test)"
    expect_eq "mixed: v4only has no AAAA" "" "$($d +short AAAA v4only.families.test)"
    expect_eq "mixed: v6only AAAA" fd53::82 "$($d +short AAAA v6only.families.test)"
    out=$($d SRV _sip._udp.fo.misroute.test)
    expect_match "misroute fo: fo-p1 glue" 'fo-p1\.misroute\.test\.[[:space:]]+3600[[:space:]]+IN[[:space:]]+A' "$out"
    if echo "$out" | grep -q 'fo-p0\.away\.test\..*IN[[:space:]]*A'; then
        fail "misroute fo: away.test target in the additional section (cases assume it is not)"
    fi
    expect_eq "misroute fo: own address" 127.0.2.10 "$($d +short A fo.misroute.test)"
    expect_eq "misroute decide: udp-v4 has no AAAA" "" "$($d +short AAAA udp-v4.misroute.test)"
    expect_match "misroute alias: alias-t is a CNAME" 'alias-t\.misroute\.test\..*CNAME' "$($d A alias-t.misroute.test)"
}

# Proves the proxy's fault rules work (for later fault cases), and that
# use_server switches its upstream without a restart.
rig_proxy_faults() {
    local d="dig +norec +tries=1 +time=1 @127.0.0.1" t0 ms
    qlog_mark
    proxy_rules "www.plain.test A servfail" "*.example.com SRV noadditional" \
        "ns.plain.test A drop" "*.elsewhere.ca A delay 300" "_sip._udp.sipdomain.com SRV tc"
    expect_match "servfail" 'status: SERVFAIL' "$($d A www.plain.test)"
    expect_match "other type passes" 'status: NOERROR' "$($d AAAA www.plain.test)"
    expect_match "drop" 'timed out|no servers could be reached' "$($d A ns.plain.test)"
    expect_match "noadditional" 'ADDITIONAL: 0' "$($d SRV _foobar._tcp.example.com)"
    t0=$(date +%s%N)
    expect_eq "delay answer" 127.0.0.41 "$($d +short A offsite-failover1.elsewhere.ca)"
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    [ "$ms" -ge 300 ] || fail "delay: answered in $ms ms"
    expect_match "tc flag over udp" 'flags: qr aa tc' "$($d +ignore SRV _sip._udp.sipdomain.com)"
    expect_match "tcp retry gets answer" 'ANSWER: 6' "$($d SRV _sip._udp.sipdomain.com)"
    expect_eq "tcp query logged" 1 "$(qlog_since | awk '$2 == "tcp" && $4 == "_sip._udp.sipdomain.com."' | grep -c .)"
    proxy_rules "_sip._udp.sipdomain.com SRV tc notcp"
    expect_match "tc notcp: TCP connection reset" 'end of file|connection reset|communications error' \
        "$($d SRV _sip._udp.sipdomain.com 2>&1)"
    proxy_rules
    expect_match "rules cleared" 'status: NOERROR' "$($d A www.plain.test)"
    if [ -n "${BIND_PID:-}" ]; then
        # version.bind: BIND tells its version, NSD (hide-version) refuses
        use_server bind
        expect_match "upstream BIND" '"9\.[0-9]+' "$($d +short CH TXT version.bind 2>&1)"
        use_server nsd
        expect_match "upstream NSD again" 'status: REFUSED' "$($d CH TXT version.bind 2>&1)"
    fi
}

# Proves each "malformed KIND" rule breaks the answer the way the fault cases
# assume (dig's parser rejects or flags it) while other names pass, and each
# "badsrv KIND" rule corrupts one SRV record only (tools/srv_walk.py).
rig_proxy_malformed() {
    local d="dig +norec +tries=1 +time=1 @127.0.0.1" k
    for k in loop ptrpast; do
        proxy_rules "_sip._udp.faults.test SRV malformed $k"
        expect_match "malformed $k" 'bad compression pointer|malformed' "$($d SRV _sip._udp.faults.test 2>&1)"
    done
    for k in rdlen counts; do
        proxy_rules "_sip._udp.faults.test SRV malformed $k"
        expect_match "malformed $k" 'malformed message packet' "$($d SRV _sip._udp.faults.test 2>&1)"
    done
    expect_match "other names pass" 'status: NOERROR' "$($d A sip1.faults.test)"
    # badsrv: one SRV record's RDATA corrupt in a message that stays
    # well-formed (walked by RDLENGTH to its end), the other record intact.
    for k in short:3 loop:8 long:327 nothost:21 slack:26; do
        proxy_rules "_sip._udp.faults.test SRV badsrv ${k%:*}"
        expect_match "badsrv ${k%:*}" "^ok 0 2 [0-9]+ [0-9]+ ${k#*:},[0-9]+\$" \
            "$("$PY" "$E2E_DIR/tools/srv_walk.py" _sip._udp.faults.test)"
    done
    proxy_rules
    expect_match "srv_walk without a rule" '^ok 0 2 [0-9]+ [0-9]+ [0-9]+,[0-9]+$' \
        "$("$PY" "$E2E_DIR/tools/srv_walk.py" _sip._udp.faults.test)"
}

# Proves nfq_delay + NFQUEUE delay every DNS packet on lo once each way: one
# query from an unmodified program costs at least 2 * 20 ms (a hard floor:
# each packet is held 20 ms), and the packets were counted.
rig_delay() {
    delay_start 20
    write_nsswitch 'files dns'
    gai gai www.plain.test --family 4 --times >out || fail "gai.py failed"
    local ms
    ms=$(median out ms)
    note "files dns, one A query: $ms ms with 20 ms per packet"
    expect_eq "answer" 127.0.0.50 "$(vals out first)"
    [ "$ms" -ge 40 ] || fail "one query took $ms ms < 40 ms: the delay is not applied"
    [ "$ms" -lt 400 ] || fail "one query took $ms ms: the delayer holds packets far too long"
    [ "$(delayed_packets)" -ge 2 ] || fail "nfq_delay released $(delayed_packets) packets"
    delay_stop
    expect_eq "NFQUEUE rules after delay_stop" "" "$(iptables -t mangle -S OUTPUT | grep NFQUEUE)"
}
