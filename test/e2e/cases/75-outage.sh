# shellcheck shell=bash disable=SC2317
# A dead DNS server (proxy and servers stopped with SIGSTOP: queries time
# out, as with a server that vanished; a killed one would refuse at once).

RUNS=5

e2e_case outage_out_of_scope_no_extra_wait outage_out_of_scope_no_extra_wait module

# Proves that with the DNS server dead, an out-of-scope name (www.plain.test)
# fails through `files srvsip dns` (and the rig's line with
# [NOTFOUND=return TRYAGAIN=return]) after no longer than through `files dns`
# (EAI_AGAIN after dns's one timeout; median of 5 lookups each, allowed
# slack 150 ms for a loaded machine), and that srvsip sent no query of its
# own: once the proxy runs again, the queries it had queued are only dns's
# A/AAAA for www.plain.test.
outage_out_of_scope_no_extra_wait() {
    local line what m base
    qlog_mark
    dns_stop
    for what in files-dns srvsip-default srvsip-strict; do
        case $what in
            files-dns) line='files dns' ;;
            srvsip-default) line='files srvsip dns' ;;
            srvsip-strict) line=$NSS_HOSTS_DEFAULT ;;
        esac
        write_nsswitch "$line"
        gai_runs "$RUNS" "$what" gai www.plain.test || { dns_cont; fail "gai.py failed"; }
    done
    dns_cont
    base=$(median files-dns ms)
    for what in files-dns srvsip-default srvsip-strict; do
        note "$what: median $(median "$what" ms) ms (all: $(awk '$1 == "ms" { printf "%sx%s ", $2, $3 }' "$what")); $(grep error "$what")"
        expect_eq "$what: getaddrinfo result (EAI_AGAIN)" -3 "$(vals "$what" error)"
    done
    for what in srvsip-default srvsip-strict; do
        m=$(median "$what" ms)
        [ "$m" -le $((base + 150)) ] || fail "$what: median $m ms, files dns $base ms (+150 ms allowed)"
        note "ok: $what median $m ms <= files dns $base ms + 150"
    done
    # the stopped proxy queued the queries: once running it logs them
    wait_until 10 test "$(qlog_count)" -ge $((3 * RUNS * 2))
    note "queries queued during the outage: $(qlog_since | awk '{ print $2, $3, $4 }' | sort | uniq -c | tr '\n' ';')"
    expect_eq "queries for other names than www.plain.test" 0 \
        "$(qlog_since | awk '$4 != "www.plain.test."' | grep -c .)"
    expect_eq "SRV queries" 0 "$(qlog_count SRV)"
}
