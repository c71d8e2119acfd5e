# shellcheck shell=bash disable=SC2317
# Out-of-scope names: the module steps aside at once, with no DNS query.

e2e_case scope_plain_name scope_plain_name module

# Proves www.plain.test (not SRV-shaped, not configured) resolves exactly as
# without srvsip on the hosts line, no SRV query is sent, nothing is asked for
# _sip._udp/_sip._tcp.www.plain.test, and srvsip alone answers it with
# "not found" (UNAVAIL) without sending any query.
scope_plain_name() {
    write_conf "domain sipdomain.com" "domain .example.org port 5061 services _sips._tcp"
    local with without
    qlog_mark
    with=$(getent ahosts www.plain.test) || fail "getent ahosts www.plain.test failed with srvsip"
    note "with srvsip: $(echo "$with" | tr '\n' ';')"
    expect_eq "SRV queries" 0 "$(qlog_count SRV)"
    expect_eq "queries for _sip._udp.www.plain.test" 0 "$(qlog_count '*' _sip._udp.www.plain.test)"
    expect_eq "queries for _sip._tcp.www.plain.test" 0 "$(qlog_count '*' _sip._tcp.www.plain.test)"
    expect_eq "queries for other names" 0 "$(qlog_since | awk '$4 != "www.plain.test."' | grep -c .)"
    write_nsswitch 'files dns'
    without=$(getent ahosts www.plain.test) || fail "getent ahosts www.plain.test failed without srvsip"
    expect_eq "getent ahosts with vs without srvsip" "$without" "$with"
    write_nsswitch
    qlog_mark
    getent -s hosts:srvsip ahosts www.plain.test >/dev/null
    expect_eq "srvsip alone: getent exit status (2 = not found)" 2 "$?"
    expect_eq "srvsip alone: queries sent" 0 "$(qlog_count)"
}
