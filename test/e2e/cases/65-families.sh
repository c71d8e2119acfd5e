# shellcheck shell=bash disable=SC2317
# Address families (zones/families.test.zone), on IPv4-only, IPv6-only and
# dual-stack hosts (addr_mode: the extra addresses AI_ADDRCONFIG counts).
#   mixed.families.test  priority 0: v4only (A 127.0.0.81 only)
#                        priority 1: v6only (AAAA fd53::82 only)
#   both.families.test   one target, dual (127.0.0.83 and fd53::83)
# On a dual-stack host RFC 6724 sorts IPv6 first: had the module returned
# both targets, getaddrinfo would put the priority-1 IPv6 target first.
# Every case runs against NSD and BIND (_nsd / _bind).

e2e_case_servers families_dual_stack families_dual_stack module
e2e_case_servers families_ipv4_only families_ipv4_only module
e2e_case_servers families_ipv6_only families_ipv6_only module

# first_of WHAT GAI-ARGS...: gai.py 20 lookups; prints the distinct first
# addresses (fails on errors).
first_of() {
    local what=$1
    shift
    gai "$@" -n 20 >"$what.out" || fail "gai.py failed"
    note "$what: $(tr '\n' ';' <"$what.out")"
    [ -z "$(vals "$what.out" error)" ] || fail "$what: lookup errors $(vals "$what.out" error)"
    vals "$what.out" first
}

# Proves that on a dual-stack host every unmodified program's first address
# for mixed.families.test is the priority-0 target's IPv4 127.0.0.81, not the
# priority-1 IPv6 fd53::82 that RFC 6724 would sort first: python getaddrinfo
# AF_UNSPEC with and without AI_ADDRCONFIG, getent ahosts (10 runs),
# gethostbyname, and sipp (5 calls, per-call lookups, all answered by the UAS
# on 127.0.0.81).  For both.families.test getaddrinfo returns the one
# target's two addresses.
families_dual_stack() {
    need_cmd sipp ss
    addr_mode dual
    write_conf "domain mixed.families.test" "domain both.families.test"
    expect_eq "getaddrinfo AF_UNSPEC" 127.0.0.81 "$(first_of unspec gai mixed.families.test 5060)"
    expect_eq "getaddrinfo AF_UNSPEC + AI_ADDRCONFIG" 127.0.0.81 \
        "$(first_of addrconfig gai mixed.families.test 5060 --addrconfig)"
    expect_eq "gethostbyname" 127.0.0.81 "$(first_of ghbn ghbn mixed.families.test)"
    getent_loop 10 getent.out ahosts mixed.families.test
    note "getent ahosts: $(tr '\n' ';' <getent.out)"
    expect_eq "getent ahosts first address" 127.0.0.81 "$(vals getent.out first)"
    sip_uas uas81 127.0.0.81
    timeout 60 sipp -sf "$E2E_DIR/scenarios/options_per_call_uac.xml" -m 5 -r 10 -i 127.0.0.1 -p 5099 \
        -nostdin -timeout 30s -timeout_error mixed.families.test >uac.out 2>&1
    expect_eq "sipp exit status (5 calls answered)" 0 "$?"
    expect_eq "calls received by the priority-0 UAS 127.0.0.81" 5 "$(uas_calls uas81)"
    gai gai both.families.test 5060 >both.out || fail "gai.py failed"
    expect_eq "both.families.test: addresses (one target, both families)" "127.0.0.83 fd53::83" "$(vals both.out addr)"
}

# Proves on an IPv4-only host (AI_ADDRCONFIG narrows getaddrinfo to AF_INET:
# gethostbyname2_r) mixed.families.test gives 127.0.0.81 (getaddrinfo with
# AI_ADDRCONFIG, getent ahosts) and both.families.test only its IPv4.
families_ipv4_only() {
    addr_mode v4
    write_conf "domain mixed.families.test" "domain both.families.test"
    expect_eq "getaddrinfo AF_UNSPEC + AI_ADDRCONFIG" 127.0.0.81 \
        "$(first_of addrconfig gai mixed.families.test 5060 --addrconfig)"
    expect_eq "getent ahosts first address" 127.0.0.81 "$(first_addr getent ahosts mixed.families.test)"
    gai gai both.families.test 5060 --addrconfig >both.out || fail "gai.py failed"
    expect_eq "both.families.test: addresses" 127.0.0.83 "$(vals both.out addr)"
}

# Proves on an IPv6-only host getaddrinfo with AI_ADDRCONFIG (narrowed to
# AF_INET6) skips the priority-0 target that has no IPv6 and gives the
# priority-1 fd53::82 (getent ahosts too), while AF_UNSPEC without
# AI_ADDRCONFIG still gives the priority-0 127.0.0.81; both.families.test
# gives only its IPv6 with AI_ADDRCONFIG.
families_ipv6_only() {
    addr_mode v6
    write_conf "domain mixed.families.test" "domain both.families.test"
    expect_eq "getaddrinfo AF_UNSPEC + AI_ADDRCONFIG" fd53::82 \
        "$(first_of addrconfig gai mixed.families.test 5060 --addrconfig)"
    expect_eq "getaddrinfo AF_UNSPEC" 127.0.0.81 "$(first_of unspec gai mixed.families.test 5060)"
    expect_eq "getent ahosts first address" fd53::82 "$(first_addr getent ahosts mixed.families.test)"
    gai gai both.families.test 5060 --addrconfig >both.out || fail "gai.py failed"
    expect_eq "both.families.test: addresses" fd53::83 "$(vals both.out addr)"
}
