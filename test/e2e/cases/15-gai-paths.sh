# shellcheck shell=bash disable=SC2317
# Every getaddrinfo entry point returns the selected target's addresses only.

e2e_case gai_paths_selected_only gai_paths_selected_only module

# Proves getaddrinfo("sipdomain.com", "5060") with the domain configured returns
# exactly one address, 1x-load's or 3x-load's, on each path: AF_UNSPEC
# (gethostbyname4_r), AF_INET (gethostbyname2_r), AF_INET + AI_CANONNAME
# (gethostbyname3_r, canonical name = selected target), AF_UNSPEC +
# AI_ADDRCONFIG on an IPv4-only host (narrowed to gethostbyname2_r AF_INET).
gai_paths_selected_only() {
    write_conf "domain sipdomain.com"
    local n=200
    check_path() { # WHAT GAI-ARGS...
        local what=$1 a
        shift
        gai gai sipdomain.com 5060 -n "$n" "$@" >out || fail "gai.py failed"
        note "$what: $(tr '\n' ';' <out)"
        expect_eq "$what: failed lookups" "" "$(vals out error)"
        for a in $(vals out first); do expect_in "$what: first address" "$a" 127.0.0.11 127.0.0.13; done
        expect_eq "$what: distinct addresses over $n results (1 per result)" "$n" "$(total out addr)"
        expect_eq "$what: ports" 5060 "$(vals out port)"
    }
    check_canon() {
        check_path "AF_INET+AI_CANONNAME (3_r)" --family 4 --canon
        expect_eq "3_r canonical names" "1x-load.sipdomain.com 3x-load.sipdomain.com" "$(vals out canon)"
        expect_eq "3_r canonical name matches address" "$(cnt out first 127.0.0.13)" \
            "$(cnt out canon 3x-load.sipdomain.com)"
    }
    check check_path "AF_UNSPEC (4_r)"
    check check_path "AF_INET (2_r)" --family 4
    check check_canon
    addr_mode v4
    check check_path "AF_UNSPEC+AI_ADDRCONFIG, IPv4-only host (2_r)" --addrconfig
    check_done
}
