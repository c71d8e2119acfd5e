# shellcheck shell=bash disable=SC2317
# Rig self-checks: they need no module and prove the namespace, NSD, the
# zones and the logging proxy behave as the module cases assume.

e2e_case rig_isolation rig_isolation
e2e_case rig_dns_zones rig_dns_zones
e2e_case rig_proxy_faults rig_proxy_faults

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

# Proves NSD serves the seed zones (answers, additional section, wildcard ".",
# NXDOMAIN from the root zone) and that the proxy forwards and logs queries.
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
    expect_match "direct NSD" 'status: NOERROR' "$(dig +norec +tries=1 +time=2 -p 5300 @127.0.0.1 SRV _sip._udp.sipdomain.com)"
    expect_eq "logged SRV queries" 1 "$(qlog_count SRV _sip._udp.sipdomain.com)"
    expect_eq "logged A plain" 1 "$(qlog_count A www.plain.test)"
    expect_eq "logged queries total (direct NSD not logged)" 7 "$(qlog_count)"
}

# Proves the proxy's fault rules work (for later fault cases).
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
    proxy_rules
    expect_match "rules cleared" 'status: NOERROR' "$($d A www.plain.test)"
}
