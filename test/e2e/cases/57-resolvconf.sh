# shellcheck shell=bash disable=SC2317
# The module's own DNS queries honour /etc/resolv.conf as glibc's res_send
# does (DESIGN.md "resolv.conf, option by option", docs/glibc-facts.md
# "res_send"), seen through unmodified programs (python3's getaddrinfo and
# gethostbyname through gai.py, getent) with `domain` lines in srvsip.conf:
# a dead first nameserver that refuses costs nothing, a silent one costs its
# turn once per lookup, edns0, trust-ad, single-request(-reopen), no-aaaa,
# use-vc, ndots/search, IPv6 and link-local nameservers, rotate, a flood of
# wrong replies, and res_send's timeout schedule.
#
# Fixtures: zones/resolvconf.test.zone (each name with its own address
# 127.0.3.x0, the "wrong machine") and zones/rc-targets.test.zone (targets
# in another zone: no glue, so the module asks their addresses itself):
#   one.resolvconf.test    -> t0.rc-targets.test (A .11, AAAA fd53::3:11):
#                             getaddrinfo sends SRV, then A + AAAA
#   three.resolvconf.test  -> t1, t2, t3.rc-targets.test (A .21-.23):
#                             gethostbyname sends SRV, then 3 A together
#   glue6.resolvconf.test  -> dual.resolvconf.test, A and AAAA in the
#                             SRV answer's Additional section
#   _sip._udp.solo.resolvconf.test: SRV name of the single-label domain solo
# The query log's from= (source address#port), to= (the nameserver the
# query reached), edns= and ad= columns (dnsproxy.py) show how each query
# was sent.  Every lookup runs in a new process (the module's reply cache
# is per process), timed inside it (gai.py --times).  With the rig's
# nsswitch line a lookup the module answers never reaches dns, so every
# query logged during it is the module's.

ONE=one.resolvconf.test
THREE=three.resolvconf.test
GLUE6=glue6.resolvconf.test
REFUSING=127.0.0.9    # nothing listens there: ICMP port unreachable at once
SILENT=127.0.0.8      # dropped in the namespace's INPUT chain: no reply, no ICMP
THIRD=127.0.0.3       # a third proxy (proxy_extra) for three-server cases
THREE_LIST=127.0.3.21,127.0.3.22,127.0.3.23
EAI_AGAIN=-3 EAI_NODATA=-5

e2e_case resolvconf_rig_proxy_columns resolvconf_rig_proxy_columns
e2e_case resolvconf_dead_server_refuses resolvconf_dead_server_refuses module
e2e_case resolvconf_silent_server_once resolvconf_silent_server_once module
e2e_case resolvconf_edns0_trust_ad resolvconf_edns0_trust_ad module
e2e_case resolvconf_single_request resolvconf_single_request module
e2e_case resolvconf_no_aaaa resolvconf_no_aaaa module
e2e_case resolvconf_use_vc resolvconf_use_vc module
e2e_case resolvconf_tc_with_a_query_awaited resolvconf_tc_with_a_query_awaited module
e2e_case resolvconf_search_ndots resolvconf_search_ndots module
e2e_case resolvconf_search_tcp_bounded resolvconf_search_tcp_bounded module
e2e_case resolvconf_ipv6_server resolvconf_ipv6_server module
e2e_case resolvconf_linklocal_server resolvconf_linklocal_server module
e2e_case resolvconf_rotate resolvconf_rotate module
e2e_case resolvconf_flood resolvconf_flood module
e2e_case resolvconf_schedule_one_server resolvconf_schedule_one_server module
e2e_case resolvconf_schedule_three_servers resolvconf_schedule_three_servers module

# ---------------------------------------------------------------- helpers --

# listed: srvsip.conf lists the fixture domains.
listed() { write_conf "domain $ONE" "domain $THREE" "domain $GLUE6" "$@"; }

# queries: the queries since the mark, "proto type name to" each, for notes.
queries() { qlog_fields proto type name to | tr '\n' ';'; }

# distinct FIELD: the distinct values of a query log field since the mark
# (qlog_fields), space separated.
distinct() { qlog_fields "$1" | sort -u | paste -sd' '; }

# udp_counter ADDR / udp_sent ADDR: an iptables rule (no target: it only
# counts) in the namespace's OUTPUT chain for DNS datagrams to ADDR, and the
# datagrams it has counted.
udp_counter() {
    need_cmd iptables
    undo_later iptables -D OUTPUT -d "$1/32" -p udp --dport 53
    iptables -A OUTPUT -d "$1/32" -p udp --dport 53 2>"$CASE_DIR/iptables.err" ||
        skip "iptables refused a rule: $(head -n 1 "$CASE_DIR/iptables.err")"
}
udp_sent() {
    iptables -v -S OUTPUT | awk -v d="$1/32" '$4 == d && /--dport 53/ { for (i = 1; i < NF; i++) if ($i == "-c") print $(i + 1) }'
}

# gaps FILE: the milliseconds between consecutive "time ..." lines of FILE.
gaps() { awk 'NR > 1 { printf "%s%d", (NR > 2 ? " " : ""), ($1 - t) * 1000 } { t = $1 } END { print "" }' "$1"; }

# offsets FILE: milliseconds of each "time ..." line of FILE after the first.
offsets() { awk 'NR == 1 { t = $1 } { printf "%s%d", (NR > 1 ? " " : ""), ($1 - t) * 1000 } END { print "" }' "$1"; }

# ------------------------------------------------------------------ rig --

# Proves the proxy's query log columns that the cases below rely on: dig's
# queries to 127.0.0.1 and to [::1] (UDP and TCP) are logged with the
# sender's address and source port (from=), the address that received them
# (to=), dig's message ID, edns= "-" without an OPT record and PAYLOAD/
# VERSION with one, ad= the AD bit; and that the flood rule sends a
# continuous stream of the answer under wrong IDs, never the query's, and
# no real answer.
resolvconf_rig_proxy_columns() {
    local out id line
    qlog_mark
    out=$(dig +noedns +noadflag +tries=1 +time=2 @127.0.0.1 A www.plain.test)
    id=$(echo "$out" | sed -n 's/.*, id: \([0-9]*\)$/\1/p')
    line=$(qlog_fields proto type name to id edns ad | tail -n 1)
    expect_eq "dig +noedns +noadflag @127.0.0.1" "udp A www.plain.test. 127.0.0.1 $id - 0" "$line"
    expect_match "from= is 127.0.0.1#PORT" '^127\.0\.0\.1#[0-9]+$' "$(qlog_fields from | tail -n 1)"
    qlog_mark
    out=$(dig +edns=0 +bufsize=1200 +adflag +tries=1 +time=2 @::1 A www.plain.test)
    id=$(echo "$out" | sed -n 's/.*, id: \([0-9]*\)$/\1/p')
    expect_eq "dig +edns=0 +bufsize=1200 +adflag @::1" "udp A www.plain.test. ::1 $id 1200/0 1" \
        "$(qlog_fields proto type name to id edns ad | tail -n 1)"
    expect_match "from= is ::1#PORT" '^::1#[0-9]+$' "$(qlog_fields from | tail -n 1)"
    qlog_mark
    dig +tcp +tries=1 +time=2 @::1 A www.plain.test >/dev/null
    expect_eq "dig +tcp @::1" "tcp A ::1" "$(qlog_fields proto type to | tail -n 1)"
    proxy_rules "flood.probe.test A flood 1000"
    out=$("$PY" - <<'EOF'
import socket, struct, time
from dnslib import DNSRecord
q = DNSRecord.question('flood.probe.test', 'A')
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(('127.0.0.1', 53))
s.send(q.pack())
s.settimeout(0.2)
n = right = 0
end = time.monotonic() + 0.5
while time.monotonic() < end:
    try:
        d = s.recv(4096)
    except socket.timeout:
        break
    n += 1
    right += struct.unpack('!H', d[:2])[0] == q.header.id
print(n, right)
EOF
)
    note "flood probe: received (in 0.5 s) and with the query's ID: $out"
    expect_match "flood: at least 1000 replies in 0.5 s, none with the query's ID" '^[0-9]{4,} 0$' "$out"
}

# ------------------------------------------------------- dead nameservers --

# Proves a dead first nameserver that refuses (resolv.conf: nameserver
# 127.0.0.9, where nothing listens, then the proxy; timeout:1 attempts:2)
# costs the module nothing, as it costs glibc nothing: the ICMP port
# unreachable moves each query to the next server at once.  Three
# getaddrinfo lookups of one.resolvconf.test (SRV without glue: SRV, A,
# AAAA) through srvsip, three of www.plain.test through `files dns`, in the
# same case: bound, srvsip median <= files dns median + 250 ms (the 1 s
# timeout never waited; files dns itself < 500 ms).  One datagram per
# lookup reached 127.0.0.9 (the SRV query): the address queries went first
# to the server that had answered.
resolvconf_dead_server_refuses() {
    local base m before sent
    listed
    resolv_conf "nameserver $REFUSING" "nameserver $DNS_ADDR" "options timeout:1 attempts:2"
    udp_counter "$REFUSING"
    write_nsswitch 'files dns'
    gai_runs 3 dns gai www.plain.test || fail "gai.py failed"
    write_nsswitch
    before=$(udp_sent "$REFUSING")
    qlog_mark
    gai_runs 3 srvsip gai "$ONE" 5060 || fail "gai.py failed"
    sent=$(( $(udp_sent "$REFUSING") - before ))
    base=$(median dns ms) m=$(median srvsip ms)
    note "files dns: $(tr '\n' ' ' <dns); srvsip: $(tr '\n' ' ' <srvsip)"
    note "datagrams to $REFUSING: files dns $before, srvsip $sent; queries $(queries)"
    check expect_eq "files dns: www.plain.test" "answer 127.0.0.50" "$(outcome dns)"
    check expect_eq "srvsip: $ONE" "answer 127.0.3.11" "$(outcome srvsip)"
    check expect_ms "files dns median (glibc moves on at the ICMP error)" "$base" 0 500
    check expect_ms "srvsip median (files dns median $base ms + 250)" "$m" 0 $((base + 250))
    check expect_eq "srvsip: datagrams to $REFUSING (the SRV query of each lookup)" 3 "$sent"
    check expect_eq "srvsip: SRV A AAAA queries at $DNS_ADDR" "3 3 3" \
        "$(qlog_count SRV) $(qlog_count A t0.rc-targets.test) $(qlog_count AAAA t0.rc-targets.test)"
    check_done
}

# Proves a silent first nameserver (127.0.0.8, dropped in the namespace's
# INPUT chain: no reply, no ICMP; then the proxy; timeout:1 attempts:2)
# costs one turn (1 s: server 0 gets `timeout` s) for the SRV query and no
# second wait for the address queries, which go first to the server that
# answered: getaddrinfo of one.resolvconf.test (A + AAAA of t0) and
# gethostbyname of three.resolvconf.test (A of t1-t3) each take 900-1700 ms
# (a second wait would be >= 2000), and one datagram per lookup reached
# 127.0.0.8.
resolvconf_silent_server_once() {
    local sent
    listed
    udp_counter "$SILENT"
    undo_later iptables -D INPUT -d "$SILENT/32" -j DROP
    iptables -A INPUT -d "$SILENT/32" -j DROP || fail "iptables refused the DROP rule"
    resolv_conf "nameserver $SILENT" "nameserver $DNS_ADDR" "options timeout:1 attempts:2"
    qlog_mark
    gai_runs 1 gai gai "$ONE" 5060 || fail "gai.py failed"
    gai_runs 1 ghbn ghbn "$THREE" || fail "gai.py failed"
    sent=$(udp_sent "$SILENT")
    note "getaddrinfo: $(tr '\n' ' ' <gai); gethostbyname: $(tr '\n' ' ' <ghbn)"
    note "datagrams to $SILENT: $sent; queries $(queries)"
    check expect_eq "getaddrinfo $ONE" "answer 127.0.3.11" "$(outcome gai)"
    check expect_eq "gethostbyname $THREE" "$THREE_LIST" "$(vals ghbn list)"
    check expect_ms "getaddrinfo (one turn of the silent server)" "$(maxv gai ms)" 900 1700
    check expect_ms "gethostbyname (one turn of the silent server)" "$(maxv ghbn ms)" 900 1700
    check expect_eq "datagrams to $SILENT (the SRV query of each lookup)" 2 "$sent"
    check expect_eq "queries at $DNS_ADDR: SRV A AAAA" "2 4 1" "$(qlog_count SRV) $(qlog_count A) $(qlog_count AAAA)"
    check_done
}

# ------------------------------------------------------- query contents --

# edns_ad OPTS WANT_EDNS WANT_AD: with `options timeout:1 attempts:1 OPTS`,
# getaddrinfo of one.resolvconf.test and gethostbyname of
# three.resolvconf.test send their 7 queries (2 SRV, 4 A, 1 AAAA), every one
# with edns= WANT_EDNS and ad= WANT_AD.
edns_ad() {
    local opts=$1 want_edns=$2 want_ad=$3 tag=${1// /+}
    write_resolv "$opts"
    qlog_mark
    gai gai "$ONE" 5060 >"gai-$tag" || fail "gai.py failed"
    gai ghbn "$THREE" >"ghbn-$tag" || fail "gai.py failed"
    note "options '$opts': $(qlog_fields type name edns ad | tr '\n' ';')"
    expect_eq "'$opts': getaddrinfo" "answer 127.0.3.11" "$(outcome "gai-$tag")"
    expect_eq "'$opts': gethostbyname" "$THREE_LIST" "$(vals "ghbn-$tag" list)"
    expect_eq "'$opts': queries" 7 "$(qlog_count)"
    expect_eq "'$opts': edns= of every query" "$want_edns" "$(distinct edns)"
    expect_eq "'$opts': ad= of every query" "$want_ad" "$(distinct ad)"
}

# Proves `options edns0` puts an OPT record (payload 1200, version 0, as
# glibc's res_nquery) in every query the module sends, the SRV query and
# the targets' A and AAAA queries alike, and `options trust-ad` the AD bit;
# without them, none has either; each option alone sets only its own.
resolvconf_edns0_trust_ad() {
    listed
    check edns_ad "" - 0
    check edns_ad edns0 1200/0 0
    check edns_ad trust-ad - 1
    check_done
}

SR_DELAY_MS=100

# request_pattern MODE OPTS: with OPTS and every rc-targets.test query held
# SR_DELAY_MS by the proxy, gethostbyname of three.resolvconf.test (the A
# queries of t1-t3 in one batch) and getaddrinfo of one.resolvconf.test (A
# and AAAA of t0): MODE "together" = all of a lookup's address queries reach
# the server within 50 ms of each other, from one source port;
# "sequential" = each more than SR_DELAY_MS after the one before (after its
# reply), from one source port; "reopen" = the same, each from a new port.
request_pattern() {
    local mode=$1 opts=$2 what ports
    write_resolv "$opts"
    for what in ghbn gai; do
        qlog_mark
        if [ $what = ghbn ]; then gai_runs 1 "$mode-$what" ghbn "$THREE" || fail "gai.py failed"
        else gai_runs 1 "$mode-$what" gai "$ONE" 5060 || fail "gai.py failed"; fi
        qlog_fields time from type name | awk '$3 == "A" || $3 == "AAAA"' | sort -n >"$mode-$what.q"
        note "$mode ($opts) $what: $(tr '\n' ' ' <"$mode-$what"); address queries: $(tr '\n' ';' <"$mode-$what.q")"
        expect_eq "$mode $what: address queries" "$([ $what = ghbn ] && echo 3 || echo 2)" "$(grep -c . "$mode-$what.q")"
        if [ $what = ghbn ]; then expect_eq "$mode $what: list" "$THREE_LIST" "$(vals "$mode-$what" list)"
        else expect_eq "$mode $what: answer" "answer 127.0.3.11" "$(outcome "$mode-$what")"; fi
        ports=$(awk '{ print $2 }' "$mode-$what.q" | sort -u | grep -c .)
        local gap g
        gap=$(gaps "$mode-$what.q")
        case $mode in
            together)
                for g in $gap; do [ "$g" -lt 50 ] || fail "$mode $what: queries ${gap// /, } ms apart (all at once: < 50)"; done
                expect_eq "$mode $what: source ports" 1 "$ports" ;;
            sequential|reopen)
                for g in $gap; do [ "$g" -ge "$SR_DELAY_MS" ] || fail "$mode $what: queries ${gap// /, } ms apart (one after the other's reply: >= $SR_DELAY_MS)"; done
                if [ "$mode" = sequential ]; then expect_eq "$mode $what: source ports" 1 "$ports"
                else expect_eq "$mode $what: source ports (one per query)" "$(grep -c . "$mode-$what.q")" "$ports"; fi ;;
        esac
        note "ok: $mode $what: gaps ${gap// /, } ms, $ports source port(s)"
    done
}

# Proves the address queries of one lookup follow single-request: with the
# proxy holding every rc-targets.test reply 100 ms, by default all of them
# are sent at once (three A queries of gethostbyname, the A + AAAA pair of
# getaddrinfo: < 50 ms apart, one source port); with `single-request` each
# is sent after the previous one's reply (>= 100 ms apart in the log), on
# the same socket (one source port); with `single-request-reopen` the same,
# each query after the first from a new source port.
resolvconf_single_request() {
    listed
    proxy_rules "*.rc-targets.test * delay $SR_DELAY_MS"
    check request_pattern together ""
    check request_pattern sequential single-request
    check request_pattern reopen single-request-reopen
    check_done
}

# Proves `options no-aaaa`: no AAAA query is sent and no IPv6 address is
# returned, even one the SRV answer's Additional section holds.  Control
# without the option: getaddrinfo of glue6.resolvconf.test gives its AAAA
# (fd53::3:31) from the Additional section.  With it: getaddrinfo AF_UNSPEC
# of one.resolvconf.test (no glue) gives 127.0.3.11 only, of
# glue6.resolvconf.test 127.0.3.31 only; AF_INET6 lookups of both give
# EAI_NODATA; the query log holds no AAAA query, and only one A query (for
# t0, by the AF_UNSPEC lookup); getent ahosts of glue6.resolvconf.test
# lists 127.0.3.31 only.
resolvconf_no_aaaa() {
    listed
    gai gai "$GLUE6" 5060 >control || fail "gai.py failed"
    note "without no-aaaa: $GLUE6: $(tr '\n' ' ' <control)"
    check expect_eq "without no-aaaa: $GLUE6 addresses (glue holds the AAAA)" "127.0.3.31 fd53::3:31" "$(vals control addr)"
    write_resolv no-aaaa
    qlog_mark
    gai gai "$ONE" 5060 >one || fail "gai.py failed"
    gai gai "$GLUE6" 5060 >glue || fail "gai.py failed"
    gai gai "$ONE" 5060 --family 6 >one6 || fail "gai.py failed"
    gai gai "$GLUE6" 5060 --family 6 >glue6 || fail "gai.py failed"
    getent ahosts "$GLUE6" >getent.out
    note "no-aaaa: one $(tr '\n' ' ' <one); glue6 $(tr '\n' ' ' <glue); AF_INET6: $(outcome one6) / $(outcome glue6)"
    note "no-aaaa: queries $(queries)"
    check expect_eq "no-aaaa: getaddrinfo AF_UNSPEC $ONE addresses" 127.0.3.11 "$(vals one addr)"
    check expect_eq "no-aaaa: getaddrinfo AF_UNSPEC $GLUE6 addresses (AAAA glue ignored)" 127.0.3.31 "$(vals glue addr)"
    check expect_eq "no-aaaa: getaddrinfo AF_INET6 $ONE (EAI_NODATA)" "error $EAI_NODATA" "$(outcome one6)"
    check expect_eq "no-aaaa: getaddrinfo AF_INET6 $GLUE6 (EAI_NODATA)" "error $EAI_NODATA" "$(outcome glue6)"
    check expect_eq "no-aaaa: getent ahosts $GLUE6 addresses" 127.0.3.31 "$(awk '{ print $1 }' getent.out | sort -u | paste -sd' ')"
    check expect_eq "no-aaaa: AAAA queries" 0 "$(qlog_count AAAA)"
    check expect_eq "no-aaaa: A queries (t0, AF_UNSPEC only)" 1 "$(qlog_count A)"
    check_done
}

# Proves `options use-vc`: every query of the module goes over TCP, the
# SRV queries and the address queries of getaddrinfo (one.resolvconf.test)
# and gethostbyname (three.resolvconf.test) alike: 7 queries, all tcp; the
# address queries of a lookup share one connection (one source port).
resolvconf_use_vc() {
    local start
    listed
    write_resolv use-vc
    qlog_mark
    start=$QLOG_MARK
    gai gai "$ONE" 5060 >gai.out || fail "gai.py failed"
    check expect_eq "getaddrinfo: connections of the A and AAAA queries" 1 "$(address_ports)"
    qlog_mark
    gai ghbn "$THREE" >ghbn.out || fail "gai.py failed"
    check expect_eq "gethostbyname: connections of the 3 A queries" 1 "$(address_ports)"
    QLOG_MARK=$start    # both lookups from here on
    note "use-vc: $(tr '\n' ' ' <gai.out) / $(tr '\n' ' ' <ghbn.out); queries $(qlog_fields proto type name from | tr '\n' ';')"
    check expect_eq "getaddrinfo $ONE" "answer 127.0.3.11" "$(outcome gai.out)"
    check expect_eq "gethostbyname $THREE" "$THREE_LIST" "$(vals ghbn.out list)"
    check expect_eq "queries: SRV A AAAA" "2 4 1" "$(qlog_count SRV) $(qlog_count A) $(qlog_count AAAA)"
    check expect_eq "protocols" tcp "$(distinct proto)"
    check_done
}

# address_ports: the distinct source ports (from=) of the A and AAAA
# queries since the mark.
address_ports() { qlog_fields type from | awk '$1 == "A" || $1 == "AAAA" { print $2 }' | sort -u | grep -c .; }

# names_since: the names queried since the mark, in order, space separated.
names_since() { qlog_fields type name | awk -v t="${1:-*}" 't == "*" || $1 == t { print $2 }' | paste -sd' '; }

# Proves ndots and search never reach the SRV names of a domain with a
# dot, and that a single-label domain follows the search list as the dns
# module does.  resolv.conf: `search a.test resolvconf.test` (a.test does
# not exist, resolvconf.test does), `options ndots:5`.  getaddrinfo of
# sipdomain.com (glue) sends exactly one query, SRV _sip._udp.sipdomain.com.
# (absolute); of one.resolvconf.test exactly SRV, A and AAAA of the
# absolute names; of www.plain.test (listed, no SRV records) the module asks
# _sip._udp and _sip._tcp once each, absolute, and steps aside (dns, which
# searches, answers 127.0.0.50).  `domain solo` (single label): the module
# asks _sip._udp.solo.a.test. then _sip._udp.solo.resolvconf.test. and
# gives its target solo-sip (.41); `files dns` asks solo.a.test. then
# solo.resolvconf.test.: the same search domains in the same order.
resolvconf_search_ndots() {
    listed "domain sipdomain.com" "domain www.plain.test" "domain solo"
    resolv_conf "nameserver $DNS_ADDR" "search a.test resolvconf.test" "options ndots:5 timeout:1 attempts:1"
    local srv dns
    qlog_mark
    gai gai sipdomain.com 5060 >sipdomain || fail "gai.py failed"
    note "sipdomain.com: $(tr '\n' ' ' <sipdomain); queries $(queries)"
    check expect_in "sipdomain.com: answer" "$(outcome sipdomain)" "answer 127.0.0.11" "answer 127.0.0.13"
    check expect_eq "sipdomain.com: queries" "_sip._udp.sipdomain.com." "$(names_since)"
    qlog_mark
    gai gai "$ONE" 5060 >one || fail "gai.py failed"
    note "$ONE: $(tr '\n' ' ' <one); queries $(queries)"
    check expect_eq "$ONE: answer" "answer 127.0.3.11" "$(outcome one)"
    check expect_eq "$ONE: queries (sorted)" "A t0.rc-targets.test.;AAAA t0.rc-targets.test.;SRV _sip._udp.one.resolvconf.test." \
        "$(qlog_fields type name | sort | paste -sd';')"
    qlog_mark
    gai gai www.plain.test 5060 >plain || fail "gai.py failed"
    note "www.plain.test: $(tr '\n' ' ' <plain); queries $(queries)"
    check expect_match "www.plain.test: dns answers after the module steps aside" "(^| )127\.0\.0\.50( |$)" "$(vals plain addr)"
    check expect_eq "www.plain.test: SRV queries" "_sip._udp.www.plain.test. _sip._tcp.www.plain.test." "$(names_since SRV)"
    qlog_mark
    gai gai solo 5060 >solo.out || fail "gai.py failed"
    srv=$(names_since SRV)
    note "solo: $(tr '\n' ' ' <solo.out); queries $(queries)"
    check expect_eq "solo: answer (solo-sip)" "answer 127.0.3.41" "$(outcome solo.out)"
    check expect_eq "solo: SRV names, in order" "_sip._udp.solo.a.test. _sip._udp.solo.resolvconf.test." "$srv"
    write_nsswitch 'files dns'
    qlog_mark
    gai gai solo 5060 >solo-dns || fail "gai.py failed"
    dns=$(names_since A)
    note "solo through files dns: $(tr '\n' ' ' <solo-dns); queries $(queries)"
    check expect_eq "solo through files dns: answer (its own address)" "answer 127.0.3.40" "$(outcome solo-dns)"
    check expect_eq "search domains tried, module (SRV) = dns module (A)" "$dns" "${srv//_sip._udp./}"
    check_done
}

# Proves the search walk of a single-label domain stays within the
# resolv.conf budget over TCP too (glibc's own TCP has no time limit, so
# res_nsearch would wait for ever).  resolv.conf: `search resolvconf.test`,
# `options ndots:5 timeout:1 attempts:1`; the proxy answers
# _sip._udp.solo.resolvconf.test SRV over UDP with TC and never over TCP.
# getaddrinfo("solo", 5060) asks that name over UDP, then TCP, gives up at
# the end of the 1 s turn, asks _sip._udp.solo. as it is, and fails with
# EAI_AGAIN (a failure in the walk is never "no SRV", so the dns module
# never answers with solo's own address) within 2.5 s.  Then, with
# `search a.test resolvconf.test` and SERVFAIL for the a.test name, the
# walk goes on (as res_nsearch's does) and the next domain's SRV answers.
resolvconf_search_tcp_bounded() {
    listed "domain solo"
    resolv_conf "nameserver $DNS_ADDR" "search resolvconf.test" "options ndots:5 timeout:1 attempts:1"
    proxy_rules "_sip._udp.solo.resolvconf.test SRV tc hang"
    qlog_mark
    gai_runs 1 gai gai solo 5060 || fail "gai.py failed"
    note "solo: $(tr '\n' ' ' <gai); queries $(queries)"
    check expect_eq "solo: a temporary failure (EAI_AGAIN)" "error -3" "$(outcome gai)"
    check expect_ms "solo: one 1 s turn, then the as-is query" "$(maxv gai ms)" 900 2500
    check expect_eq "SRV queries in order (proto name)" \
        "udp _sip._udp.solo.resolvconf.test.;tcp _sip._udp.solo.resolvconf.test.;udp _sip._udp.solo.;" \
        "$(qlog_fields proto type name | awk '$2 == "SRV" { print $1, $3 }' | tr '\n' ';')"
    resolv_conf "nameserver $DNS_ADDR" "search a.test resolvconf.test" "options ndots:5 timeout:1 attempts:1"
    proxy_rules "_sip._udp.solo.a.test SRV servfail"
    qlog_mark
    gai_runs 1 servfail gai solo 5060 || fail "gai.py failed"
    note "solo after SERVFAIL: $(tr '\n' ' ' <servfail); queries $(queries)"
    check expect_eq "solo after SERVFAIL: the next domain's target (solo-sip)" "answer 127.0.3.41" "$(outcome servfail)"
    check expect_eq "solo after SERVFAIL: SRV names in order" \
        "_sip._udp.solo.a.test. _sip._udp.solo.resolvconf.test." "$(names_since SRV)"
    check_done
}

# --------------------------------------------------------- nameservers --

# servers_used WHAT ADDR: getaddrinfo of one.resolvconf.test and
# gethostbyname of three.resolvconf.test succeed, and all their 7 queries
# reached the nameserver ADDR (to=).
servers_used() {
    qlog_mark
    gai gai "$ONE" 5060 >"gai-$1" || fail "gai.py failed"
    gai ghbn "$THREE" >"ghbn-$1" || fail "gai.py failed"
    note "$1: $(tr '\n' ' ' <"gai-$1") / $(tr '\n' ' ' <"ghbn-$1"); queries $(queries)"
    expect_eq "$1: getaddrinfo $ONE" "answer 127.0.3.11" "$(outcome "gai-$1")"
    expect_eq "$1: gethostbyname $THREE" "$THREE_LIST" "$(vals "ghbn-$1" list)"
    expect_eq "$1: queries: SRV A AAAA" "2 4 1" "$(qlog_count SRV) $(qlog_count A) $(qlog_count AAAA)"
    expect_eq "$1: nameserver reached (to=)" "$2" "$(distinct to)"
}

# Proves an IPv6 nameserver works for the module's queries: with
# `nameserver ::1` only (the proxy listens there too), getaddrinfo and
# gethostbyname succeed and their SRV, A and AAAA queries all reach ::1.
resolvconf_ipv6_server() {
    listed
    resolv_conf "nameserver $DNS_ADDR6" "options timeout:1 attempts:1"
    servers_used "nameserver ::1" "$DNS_ADDR6"
}

LL_IF=e2e57a LL_PEER=e2e57b LL_ADDR=fe80::53

# Proves a link-local nameserver with its scope works: a veth pair in the
# namespace, fe80::53 on one end, a second proxy listening on
# [fe80::53%e2e57a]:53, `nameserver fe80::53%e2e57a` only: getaddrinfo and
# gethostbyname succeed and every query reaches fe80::53%e2e57a.  SKIPs
# when the kernel refuses the veth pair.
resolvconf_linklocal_server() {
    listed
    undo_later ip link del "$LL_IF"
    ip link add "$LL_IF" type veth peer name "$LL_PEER" 2>"$CASE_DIR/ip.err" ||
        skip "cannot create a veth pair in the namespace: $(head -n 1 "$CASE_DIR/ip.err")"
    { ip link set "$LL_IF" up && ip link set "$LL_PEER" up &&
        ip -6 addr add "$LL_ADDR/64" dev "$LL_IF" nodad; } || fail "cannot set up $LL_IF with $LL_ADDR"
    proxy_extra ll "[$LL_ADDR%$LL_IF]:53"
    resolv_conf "nameserver $LL_ADDR%$LL_IF" "options timeout:1 attempts:1"
    servers_used "nameserver $LL_ADDR%$LL_IF" "$LL_ADDR%$LL_IF"
}

# per_lookup: one line per lookup of the query log since the mark (a
# lookup starts at its SRV query): the to= of its queries, in order.
per_lookup() {
    qlog_fields type to | awk '$1 == "SRV" && NR > 1 { print line; line = "" }
        { line = line (line == "" ? "" : " ") $2 } END { if (line != "") print line }'
}

# Proves `options rotate` and "the server that answered is asked first":
# three nameservers (the proxy on 127.0.0.1 and ::1, a second proxy on
# 127.0.0.3), all answering.  Without rotate, 4 lookups of
# one.resolvconf.test send all their queries to 127.0.0.1.  With rotate,
# 12 lookups (new processes) start at more than one server (all 12 at the
# same one: probability 3^-11), and each lookup's A and AAAA queries go to
# the server that answered its SRV query.
resolvconf_rotate() {
    listed
    proxy_extra third "$THIRD:53"
    resolv_conf "nameserver $DNS_ADDR" "nameserver $DNS_ADDR6" "nameserver $THIRD" "options timeout:1 attempts:1"
    qlog_mark
    gai_runs 4 plain gai "$ONE" 5060 || fail "gai.py failed"
    note "without rotate: $(per_lookup | paste -sd';')"
    check expect_eq "without rotate: answers" "answer 127.0.3.11" "$(outcome plain)"
    check expect_eq "without rotate: nameservers reached" "$DNS_ADDR" "$(distinct to)"
    resolv_conf "nameserver $DNS_ADDR" "nameserver $DNS_ADDR6" "nameserver $THIRD" "options rotate timeout:1 attempts:1"
    qlog_mark
    gai_runs 12 rot gai "$ONE" 5060 || fail "gai.py failed"
    per_lookup >lookups
    note "rotate: $(paste -sd';' lookups)"
    check expect_eq "rotate: answers" "answer 127.0.3.11" "$(outcome rot)"
    check expect_eq "rotate: lookups seen" 12 "$(grep -c . lookups)"
    check expect_eq "rotate: lookups whose address queries went elsewhere than the SRV query" 0 \
        "$(awk '{ for (i = 2; i <= NF; i++) if ($i != $1) { n++; break } } END { print n + 0 }' lookups)"
    check expect_ne "rotate: distinct first servers" 1 "$(awk '{ print $1 }' lookups | sort -u | grep -c .)"
    check_done
}

# ------------------------------------------------------------- timing --

FLOOD_MS=2000

# flood_lookup WHAT RULE: with RULE (a flood) in the proxy, getaddrinfo of
# one.resolvconf.test gives EAI_AGAIN within 900-1600 ms (the 1 s turn;
# the flood lasts 2 s, so a wait that restarted on every packet would
# end after it); the proxy sent at least 10000 wrong replies.
flood_lookup() {
    local what=$1 before sent
    shift
    proxy_rules "$@"
    before=$(floods)
    gai_runs 1 "$what" gai "$ONE" 5060 || fail "gai.py failed"
    wait_until 10 floods_after "$before" || fail "$what: the proxy's flood did not end"
    sleep 0.2   # a second flood (A and AAAA) ends at the same time
    sent=$(flood_lines "$before" | awk '{ n += $4 } END { print n + 0 }')
    note "$what: $(tr '\n' ' ' <"$what"); $(flood_lines "$before" | paste -sd';')"
    expect_eq "$what: getaddrinfo (EAI_AGAIN)" "error $EAI_AGAIN" "$(outcome "$what")"
    expect_ms "$what: getaddrinfo" "$(maxv "$what" ms)" 900 1600
    [ "$sent" -ge 10000 ] || fail "$what: the proxy sent only $sent wrong replies"
    note "ok: $what: $sent wrong replies sent"
}

# floods: the floods the rig proxy has ended ("flood NAME TYPE N packets in
# S s" lines on its stdout); floods_after N: more than N; flood_lines N:
# those after the first N.
floods() { grep -c '^flood ' "$E2E_TMP/dnsproxy/stdout"; }
floods_after() { [ "$(floods)" -gt "$1" ]; }
flood_lines() { grep '^flood ' "$E2E_TMP/dnsproxy/stdout" | tail -n "+$(($1 + 1))"; }

# Proves every wait ends at its deadline under a flood: the proxy answers
# a query with a continuous stream of its answer under wrong message IDs
# (dnsproxy.py flood: tens of thousands a second for 2 s) and never the
# answer.  timeout:1 attempts:1, one server: the lookup of
# one.resolvconf.test ends with EAI_AGAIN after about 1 s, both when the
# SRV query is flooded and when the target's A and AAAA queries are.
resolvconf_flood() {
    listed
    check flood_lookup srv-flood "_sip._udp.$ONE SRV flood $FLOOD_MS"
    qlog_mark
    check flood_lookup addr-flood "t0.rc-targets.test * flood $FLOOD_MS"
    check expect_eq "address flood: A and AAAA asked" "1 1" "$(qlog_count A) $(qlog_count AAAA)"
    check_done
}

# Proves res_send's schedule with one silent server: `timeout:1 attempts:2`
# and the SRV query of one.resolvconf.test dropped: EAI_AGAIN after 2 s
# (1900-2600 ms), the query sent twice (one per attempt), the second
# about 1 s after the first (950-1300 ms), both to 127.0.0.1.
resolvconf_schedule_one_server() {
    listed
    resolv_conf "nameserver $DNS_ADDR" "options timeout:1 attempts:2"
    proxy_rules "_sip._udp.$ONE SRV drop"
    qlog_mark
    gai_runs 1 out gai "$ONE" 5060 || fail "gai.py failed"
    qlog_fields time to type | awk '$3 == "SRV"' >srv.q
    note "$(tr '\n' ' ' <out); queries $(queries)"
    check expect_eq "getaddrinfo (EAI_AGAIN)" "error $EAI_AGAIN" "$(outcome out)"
    check expect_ms "getaddrinfo" "$(maxv out ms)" 1900 2600
    check expect_eq "SRV queries (one per attempt), to" "$DNS_ADDR $DNS_ADDR" "$(awk '{ print $2 }' srv.q | paste -sd' ')"
    check expect_ms "second SRV query after the first" "$(gaps srv.q)" 950 1300
    check_done
}

# expect_offsets WHAT FILE WANT...: the queries of FILE were sent WANT ms
# after the first (within 150 ms each).
expect_offsets() {
    local what=$1 f=$2 got=() i=0 o
    shift 2
    read -ra got <<<"$(offsets "$f")"
    [ "${#got[@]}" = $# ] || fail "$what: ${#got[@]} queries at ${got[*]} ms (expected $# at $*)"
    for o in "$@"; do
        if [ $(( got[i] - o )) -gt 150 ] || [ $(( o - got[i] )) -gt 150 ]; then
            fail "$what: queries at ${got[*]} ms (expected $* +- 150)"
        fi
        i=$((i + 1))
    done
    note "ok: $what: queries at ${got[*]} ms (expected $*)"
}

# Proves res_send's schedule over three silent servers: server ns waits
# timeout << ns seconds, divided by the server count for ns > 0, at least
# 1 s.  Three nameservers (the proxy on 127.0.0.1 and ::1, a second proxy
# on 127.0.0.3), `timeout:2 attempts:1`, the SRV query of
# one.resolvconf.test dropped by all: 127.0.0.1 gets 2 s, ::1 (4/3) 1 s,
# 127.0.0.3 (8/3) 2 s, so the query goes to them at 0, 2 and 3 s, in that
# order, and getaddrinfo gives EAI_AGAIN after 5 s (4900-5600 ms).  glibc's
# own res_send, measured at the same time (the dns module's lookup of
# www.plain.test, dropped too, which srvsip leaves to dns: not listed),
# sends its A query at the same times to the same servers.
resolvconf_schedule_three_servers() {
    listed
    proxy_extra third "$THIRD:53"
    resolv_conf "nameserver $DNS_ADDR" "nameserver $DNS_ADDR6" "nameserver $THIRD" "options timeout:2 attempts:1"
    proxy_rules "_sip._udp.$ONE SRV drop" "www.plain.test * drop"
    qlog_mark
    gai_runs 1 dns gai www.plain.test &
    local glibc=$!
    gai_runs 1 out gai "$ONE" 5060 || fail "gai.py failed"
    wait "$glibc" || fail "gai.py failed (www.plain.test)"
    qlog_fields time to type | awk '$3 == "SRV"' >srv.q
    qlog_fields time to type | awk '$3 == "A"' >dns.q
    note "srvsip: $(tr '\n' ' ' <out); glibc: $(tr '\n' ' ' <dns); queries $(qlog_fields time to type name | tr '\n' ';')"
    check expect_eq "srvsip: getaddrinfo (EAI_AGAIN)" "error $EAI_AGAIN" "$(outcome out)"
    check expect_ms "srvsip: getaddrinfo" "$(maxv out ms)" 4900 5600
    check expect_eq "srvsip: SRV query sent to" "$DNS_ADDR $DNS_ADDR6 $THIRD" "$(awk '{ print $2 }' srv.q | paste -sd' ')"
    check expect_offsets "srvsip: SRV query" srv.q 0 2000 3000
    check expect_eq "glibc: getaddrinfo (EAI_AGAIN)" "error $EAI_AGAIN" "$(outcome dns)"
    check expect_ms "glibc: getaddrinfo" "$(maxv dns ms)" 4900 5600
    check expect_eq "glibc: A query sent to" "$DNS_ADDR $DNS_ADDR6 $THIRD" "$(awk '{ print $2 }' dns.q | paste -sd' ')"
    check expect_offsets "glibc: A query" dns.q 0 2000 3000
    check_done
}

# The target's A reply is truncated while its AAAA reply is still awaited
# (1.5 s late, the rig's timeout:1 attempts:1).  glibc's dns module
# (send_dg returns at the TC; send_vc sends both queries) gets both over TCP;
# so must the module, instead of waiting out the UDP turn and never reaching
# TCP (before: EAI_AGAIN after 1,007 ms, no TCP query).
resolvconf_tc_with_a_query_awaited() {
    listed
    proxy_rules "t0.rc-targets.test. A tc" "t0.rc-targets.test. AAAA delay 1500"
    qlog_mark
    getent ahosts t0.rc-targets.test >glibc.out 2>&1 || true
    note "glibc dns queries: $(queries)"
    qlog_mark
    gai gai $ONE 5060 --times >gai.out || true
    note "module queries: $(queries)"
    check expect_match "glibc's dns module gets the target" "127\.0\.3\.11" "$(cat glibc.out)"
    check expect_eq "getaddrinfo $ONE" "answer 127.0.3.11" "$(outcome gai.out)"
    check expect_match "the module asked A over TCP" "tcp A t0\.rc-targets\.test" "$(queries)"
    check_done
}

