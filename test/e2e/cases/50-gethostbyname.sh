# shellcheck shell=bash disable=SC2317
# gethostbyname-family paths: selected target first, then the failover list.

N_GHBN=2000

e2e_case getent_hosts_domain getent_hosts_domain module
e2e_case ghbn_failover_order ghbn_failover_order module
e2e_case ghbn_ex_python ghbn_ex_python module

# RFC 2782 order of sipdomain.com's six targets: the selected priority-0
# target, the other priority-0 one, failover1/2 (either order), then
# offsite-failover1/2 (either order; another zone, so resolved by queries).
RFC2782_LIST='^127\.0\.0\.(11,127\.0\.0\.13|13,127\.0\.0\.11),127\.0\.0\.(21,127\.0\.0\.22|22,127\.0\.0\.21),127\.0\.0\.(41,127\.0\.0\.42|42,127\.0\.0\.41)$'

# check_lists FILE: every "list" line of gai.py output is in RFC 2782 order
# and h_name is the first address's target.
check_lists() {
    local l bad=""
    for l in $(vals "$1" list); do [[ $l =~ $RFC2782_LIST ]] || bad+=" $l"; done
    expect_eq "address lists not in RFC 2782 order" "" "$bad"
    expect_eq "h_name" "1x-load.sipdomain.com 3x-load.sipdomain.com" "$(vals "$1" hname)"
    expect_eq "h_name 3x-load count = first 127.0.0.13 count" \
        "$(cnt "$1" first 127.0.0.13)" "$(cnt "$1" hname 3x-load.sipdomain.com)"
}

# Proves `getent hosts sipdomain.com` (gethostbyname2(AF_INET6) -> NO_DATA,
# then gethostbyname2(AF_INET) -> gethostbyname2_r) with the domain configured
# puts 1x-load or 3x-load first with h_name naming it, and lists only that
# target: glibc 2.36's getaddrinfo(AF_INET) calls the same gethostbyname2_r
# and re-sorts, so the module gives both the selected target only (DESIGN.md);
# 60 runs see both first (miss chance 0.75^60 = 3e-8).
getent_hosts_domain() {
    write_conf "domain sipdomain.com"
    getent_loop 60 out hosts sipdomain.com
    note "counts: $(tr '\n' ';' <out)"
    expect_eq "failed lookups" "" "$(vals out error)"
    expect_eq "first addresses" "127.0.0.11 127.0.0.13" "$(vals out first)"
    expect_eq "h_name" "127.0.0.11:1x-load.sipdomain.com 127.0.0.13:3x-load.sipdomain.com" "$(vals out canon)"
    expect_eq "addresses listed (selected target only)" 1 "$(vals out naddr)"
}

# Proves gethostbyname("sipdomain.com") (libc via ctypes: gethostbyname_r
# only, as sipsak/twinkle/kamailio call it) returns the RFC 2782 list (see
# RFC2782_LIST) with h_name = selected target; over 2000 lookups 3x-load leads
# 3/4 of the time and each weight-0 pair comes in either order 1/2 of the time
# (5 sigma bounds, see 10-weights.sh).
ghbn_failover_order() {
    write_conf "domain sipdomain.com"
    gai ghbn sipdomain.com -n "$N_GHBN" >out || fail "gai.py failed"
    note "counts: $(tr '\n' ';' <out)"
    expect_eq "failed lookups" "" "$(vals out error)"
    check_lists out
    expect_ratio "3x-load first" "$(cnt out first 127.0.0.13)" "$N_GHBN" 0.75
    expect_ratio "failover1 before failover2" \
        "$(awk '$1 == "list" && $2 ~ /127\.0\.0\.21,127\.0\.0\.22/ { n += $3 } END { print n + 0 }' out)" "$N_GHBN" 0.5
    expect_ratio "offsite-failover1 before offsite-failover2" \
        "$(awk '$1 == "list" && $2 ~ /127\.0\.0\.41,127\.0\.0\.42/ { n += $3 } END { print n + 0 }' out)" "$N_GHBN" 0.5
}

# Proves python socket.gethostbyname_ex("sipdomain.com") gets the same list
# (CPython resolves with getaddrinfo(AF_INET) first, then returns
# gethostbyname_r's h_name/h_addr_list); 200 lookups see both leaders.
ghbn_ex_python() {
    write_conf "domain sipdomain.com"
    gai ghbn_ex sipdomain.com -n 200 >out || fail "gai.py failed"
    note "counts: $(tr '\n' ';' <out)"
    expect_eq "failed lookups" "" "$(vals out error)"
    check_lists out
    expect_eq "first addresses" "127.0.0.11 127.0.0.13" "$(vals out first)"
}
