# shellcheck shell=bash disable=SC2317,SC2016
# Never a silent misroute (zones/misroute.test.zone, zones/away.test.zone):
# whatever goes wrong, an unmodified program either reaches a server the
# SRV records select or gets an error - never the domain's own address (the
# "wrong machine" every misroute.test name has) and never the target of an
# SRV name that did not decide:
#   - failover: a target whose address queries fail is passed over for the
#     next one in RFC 2782 order, by every entry point; TRYAGAIN only when
#     no target has an address and one failed temporarily;
#   - an SRV RRset with one malformed record is unusable as a whole;
#   - the first SRV name with an RRset decides, whatever it holds;
#   - a pseudo-service pairing dies 250 ms after its services lookup;
#   - under nscd, pseudo-services are refused rather than paired wrongly;
#   - setuid programs cannot put their lookups in scope with argv[0];
#   - a target that is an alias is "not found", not "no data".
# Fault rules act on targets in away.test (another zone: no Additional data,
# so their addresses are queried); targets in misroute.test are in the
# Additional section and cost no query.

MISROUTE_FILE=${BASH_SOURCE[0]}
QUICK_MS=750        # a fault answered at once: no timeout may be spent
DROP_MIN_MS=900     # one dropped query: the 1 s timeout (timeout:1 attempts:1) ...
DROP_MAX_MS=1800    # ... once, never twice (two would be >= 2000 ms)
EAI_NONAME=-2 EAI_AGAIN=-3 EAI_NODATA=-5 EAI_SERVICE=-8

e2e_case_servers misroute_failover_servfail misroute_failover_servfail module
e2e_case misroute_failover_refused misroute_failover_refused module
e2e_case misroute_failover_drop misroute_failover_drop module
e2e_case_servers misroute_failover_next_draw misroute_failover_next_draw module
e2e_case misroute_failover_all_fail misroute_failover_all_fail module
e2e_case_servers misroute_bad_srv_rrset misroute_bad_srv_rrset module
e2e_case_servers misroute_first_srv_name_decides misroute_first_srv_name_decides module
e2e_case misroute_pairing_leftover misroute_pairing_leftover module
e2e_case misroute_pairing_v4mapped misroute_pairing_v4mapped module
e2e_case misroute_nscd misroute_nscd module
e2e_case misroute_setuid_program misroute_setuid_program module
e2e_case_servers misroute_alias_target misroute_alias_target module

# queries_since: the query log since the mark, one "proto type name action" a line.
queries_since() { qlog_since | awk '{ print $2, $3, $4, $5 }' | tr '\n' ';'; }

# address_queries NAME: A + AAAA queries for NAME since the mark.
address_queries() { echo $(( $(qlog_count A "$1") + $(qlog_count AAAA "$1") )); }

# in_private_mounts FUNCTION: run FUNCTION (of this file) in a nested mount
# namespace (unshare --mount): its mounts vanish when it ends, nothing else
# in the rig sees them.  Its FAIL/SKIP ends the case.
in_private_mounts() {
    unshare --mount --propagation private /bin/bash -c \
        '. "$E2E_DIR/lib.sh"; . "$1"; BG_PIDS=(); trap bg_stop_all EXIT; "$2"' _ "$MISROUTE_FILE" "$1"
    local rc=$?
    [ "$rc" = 0 ] || exit "$rc"
}

# ------------------------------------------------------------- failover --

# failover_paths MIN_MS MAX_MS ACTION...: with the proxy failing every address
# query of fo-p0.away.test (the priority-0 target) as ACTION says, every
# getaddrinfo path and gethostbyname give fo-p1 (priority 1, in the
# Additional section): python getaddrinfo AF_UNSPEC (gethostbyname4_r),
# AF_INET, AI_CANONNAME (canonical name fo-p1), AF_INET + AI_CANONNAME, the
# pseudo-service "sipsrv", getent ahosts, and gethostbyname (its list: fo-p1
# only).  fo-p0 was asked (failover, not a skip), fo-p1 was not (glue costs
# no query), fo.misroute.test's own address never.  Each lookup is one new
# process, timed: MIN_MS <= duration < MAX_MS.
failover_paths() {
    local min=$1 max=$2 what t0 ms out
    shift 2
    write_conf "domain fo.misroute.test"
    proxy_rules "fo-p0.away.test * $*"
    qlog_mark
    for what in unspec inet canon canon4 sipsrv; do
        case $what in
            unspec) gai_runs 1 "$what" gai fo.misroute.test 5060 ;;
            inet) gai_runs 1 "$what" gai fo.misroute.test 5060 --family 4 ;;
            canon) gai_runs 1 "$what" gai fo.misroute.test 5060 --canon ;;
            canon4) gai_runs 1 "$what" gai fo.misroute.test 5060 --canon --family 4 ;;
            sipsrv) gai_runs 1 "$what" gai fo.misroute.test sipsrv ;;
        esac || fail "gai.py failed"
        note "getaddrinfo $what: $(tr '\n' ' ' <"$what")"
        check expect_eq "getaddrinfo $what ($*)" "answer 127.0.2.12" "$(outcome "$what")"
        check expect_ms "getaddrinfo $what ($*)" "$(maxv "$what" ms)" "$min" "$max"
    done
    check expect_eq "AI_CANONNAME: canonical name" fo-p1.misroute.test "$(vals canon canon)"
    check expect_eq "AF_INET + AI_CANONNAME: canonical name" fo-p1.misroute.test "$(vals canon4 canon)"
    t0=$(now_ms)
    out=$(getent ahosts fo.misroute.test)
    ms=$(( $(now_ms) - t0 ))
    note "getent ahosts: $(echo "$out" | tr '\n' ';') ($ms ms)"
    check expect_eq "getent ahosts ($*)" "127.0.2.12 fo-p1.misroute.test" \
        "$(echo "$out" | awk 'NR == 1 { print $1, $3 } { a[$1] = 1 } END { for (x in a) if (x != "127.0.2.12") print "also", x }' | paste -sd' ')"
    check expect_ms "getent ahosts ($*)" "$ms" "$min" "$((max + 200))"
    gai_runs 1 ghbn.out ghbn fo.misroute.test || fail "gai.py failed"
    note "gethostbyname: $(tr '\n' ' ' <ghbn.out)"
    check expect_eq "gethostbyname list ($*)" "127.0.2.12" "$(vals ghbn.out list)"
    check expect_eq "gethostbyname h_name" fo-p1.misroute.test "$(vals ghbn.out hname)"
    check expect_ms "gethostbyname ($*)" "$(maxv ghbn.out ms)" "$min" "$max"
    note "queries: $(queries_since)"
    check expect_ne "address queries for fo-p0 (the selected target, asked)" 0 "$(address_queries fo-p0.away.test)"
    check expect_eq "address queries for fo-p1 (Additional section)" 0 "$(address_queries fo-p1.misroute.test)"
    check expect_eq "address queries for fo.misroute.test itself" 0 "$(address_queries fo.misroute.test)"
    check_done
}

# Proves failover in every entry point on SERVFAIL: when the priority-0
# target's A/AAAA queries get SERVFAIL, getaddrinfo (AF_UNSPEC, AF_INET,
# AI_CANONNAME, both, "sipsrv"), getent ahosts and gethostbyname all give
# the priority-1 target fo-p1 at once (< 750 ms), named as canonical name,
# with no query for fo-p1 (Additional section) nor for the domain's own
# address (see failover_paths).
misroute_failover_servfail() { failover_paths 0 "$QUICK_MS" servfail; }

# Proves the same failover when the priority-0 target's address queries
# are REFUSED.
misroute_failover_refused() { failover_paths 0 "$QUICK_MS" refused; }

# Proves the same failover when the priority-0 target's address queries
# are never answered (dropped): with resolv.conf "timeout:1 attempts:1"
# every lookup takes about 1 s (>= 900 ms: it did wait for fo-p0; < 1800
# ms: one timeout, not two), then gives fo-p1, whose address the
# Additional section holds.
misroute_failover_drop() { failover_paths "$DROP_MIN_MS" "$DROP_MAX_MS" drop; }

# Proves failover follows RFC 2782 order within a priority: draw-bad and
# draw-good share priority 0 with equal weights, draw-p1 is priority 1.
# With draw-bad's address queries failing (SERVFAIL), 60 getaddrinfo
# lookups (one process, fresh draw each) all give draw-good, never draw-p1
# nor the domain's own address, though draw-bad was drawn first about half
# the time (its A/AAAA queries show in the log; all 60 missing it has
# probability 2^-60); 20 gethostbyname lists are always draw-good,
# draw-p1 (draw-bad dropped).
misroute_failover_next_draw() {
    write_conf "domain draw.misroute.test"
    proxy_rules "draw-bad.away.test * servfail"
    qlog_mark
    gai gai draw.misroute.test 5060 -n 60 >out || fail "gai.py failed"
    note "getaddrinfo: $(tr '\n' ' ' <out); queries: $(qlog_since | awk '{ print $3, $4 }' | sort | uniq -c | tr '\n' ';')"
    expect_eq "getaddrinfo, 60 lookups" "answer 127.0.2.22" "$(outcome out)"
    expect_ne "address queries for draw-bad (drawn first, failed)" 0 "$(address_queries draw-bad.away.test)"
    gai gai draw.misroute.test sipsrv -n 20 >svc || fail "gai.py failed"
    expect_eq "getaddrinfo sipsrv, 20 lookups" "answer 127.0.2.22" "$(outcome svc)"
    gai ghbn draw.misroute.test -n 20 >ghbn.out || fail "gai.py failed"
    note "gethostbyname: $(tr '\n' ' ' <ghbn.out)"
    expect_eq "gethostbyname lists" "127.0.2.22,127.0.2.23" "$(vals ghbn.out list)"
    expect_eq "address queries for draw.misroute.test itself" 0 "$(address_queries draw.misroute.test)"
}

# allfail_lookup WHAT EXPECTED-GAI EXPECTED-GHBN LIMIT RULE...: with the
# proxy rules on the targets of allfail.misroute.test (both looked up:
# away.test), getaddrinfo and gethostbyname give the expected outcomes
# (outcome) within LIMIT ms, never the name's own address (no query for it
# either).
allfail_lookup() {
    local what=$1 want_gai=$2 want_ghbn=$3 limit=$4
    shift 4
    proxy_rules "$@"
    qlog_mark
    gai_runs 1 "gai-$what" gai allfail.misroute.test 5060 || fail "gai.py failed"
    gai_runs 1 "ghbn-$what" ghbn allfail.misroute.test || fail "gai.py failed"
    note "$what: $(tr '\n' ' ' <"gai-$what") / $(tr '\n' ' ' <"ghbn-$what"); queries $(queries_since)"
    expect_eq "$what: getaddrinfo" "$want_gai" "$(outcome "gai-$what")"
    expect_eq "$what: gethostbyname" "$want_ghbn" "$(outcome "ghbn-$what")"
    expect_ms "$what: getaddrinfo" "$(maxv "gai-$what" ms)" 0 "$limit"
    expect_ms "$what: gethostbyname" "$(maxv "ghbn-$what" ms)" 0 "$limit"
    expect_eq "$what: address queries for allfail.misroute.test itself" 0 \
        "$(address_queries allfail.misroute.test)"
}

# Proves TRYAGAIN is kept for when no target yields an address and at
# least one failed temporarily, with both targets of allfail.misroute.test
# looked up (no Additional data): the priority-0 target failing (SERVFAIL,
# REFUSED) and the priority-1 one answering gives the priority-1 target
# (.27) by getaddrinfo and gethostbyname; both failing (SERVFAIL, REFUSED)
# give EAI_AGAIN / TRY_AGAIN at once; one failing and the other nonexistent
# (NXDOMAIN, either order) still EAI_AGAIN / TRY_AGAIN; both dropped,
# EAI_AGAIN within 1.8 s (the 1 s timeout once for the whole lookup, not
# once per target); both nonexistent (no temporary failure) EAI_NONAME /
# HOST_NOT_FOUND.  Never the name's own address.
misroute_failover_all_fail() {
    write_conf "domain allfail.misroute.test"
    check allfail_lookup "servfail+answer" "answer 127.0.2.27" "answer 127.0.2.27" "$QUICK_MS" \
        "af-p0.away.test * servfail"
    check allfail_lookup "refused+answer" "answer 127.0.2.27" "answer 127.0.2.27" "$QUICK_MS" \
        "af-p0.away.test * refused"
    check allfail_lookup "servfail+refused" "error $EAI_AGAIN" "error h2" "$QUICK_MS" \
        "af-p0.away.test * servfail" "af-p1.away.test * refused"
    check allfail_lookup "servfail+nxdomain" "error $EAI_AGAIN" "error h2" "$QUICK_MS" \
        "af-p0.away.test * servfail" "af-p1.away.test * nxdomain"
    check allfail_lookup "nxdomain+servfail" "error $EAI_AGAIN" "error h2" "$QUICK_MS" \
        "af-p0.away.test * nxdomain" "af-p1.away.test * servfail"
    check allfail_lookup "drop+drop" "error $EAI_AGAIN" "error h2" "$DROP_MAX_MS" "*.away.test * drop"
    check allfail_lookup "nxdomain+nxdomain" "error $EAI_NONAME" "error h1" "$QUICK_MS" "*.away.test * nxdomain"
    check_done
}

# ------------------------------------------------------ malformed RRset --

# bad_rrset KIND RDLENGTHS: the proxy corrupts the first SRV record of
# _sip._udp.one (its only record) and of _sip._udp.two (one of two) as
# KIND says (dnsproxy.py badsrv).
bad_rrset() {
    local kind=$1 rdlens=$2 name walk
    proxy_rules "_sip._udp.one.misroute.test SRV badsrv $kind" "_sip._udp.two.misroute.test SRV badsrv $kind"
    for name in one two; do
        walk=$("$PY" "$E2E_DIR/tools/srv_walk.py" "_sip._udp.$name.misroute.test")
        note "$kind: $name: $walk"
        expect_match "$kind: $name: the reply is well-formed, the first SRV RDATA corrupt" \
            "^ok 0 $([ $name = one ] && echo 1 || echo 2) [0-9]+ [0-9]+ ($rdlens)(,|$)" "$walk"
    done
    qlog_mark
    gai gai one.misroute.test 5060 >"one-$kind" || fail "gai.py failed"
    gai gai one.misroute.test sipsrv >"onesvc-$kind" || fail "gai.py failed"
    gai ghbn one.misroute.test >"oneghbn-$kind" || fail "gai.py failed"
    gai gai two.misroute.test 5060 -n 8 >"two-$kind" || fail "gai.py failed"
    gai ghbn two.misroute.test -n 4 >"twoghbn-$kind" || fail "gai.py failed"
    note "$kind: one $(outcome "one-$kind") / sipsrv $(outcome "onesvc-$kind") / ghbn $(outcome "oneghbn-$kind");" \
        "two $(outcome "two-$kind") / ghbn $(outcome "twoghbn-$kind"); queries $(queries_since)"
    expect_eq "$kind: the only record corrupt: getaddrinfo" "error $EAI_AGAIN" "$(outcome "one-$kind")"
    expect_eq "$kind: the only record corrupt: getaddrinfo sipsrv" "error $EAI_AGAIN" "$(outcome "onesvc-$kind")"
    expect_eq "$kind: the only record corrupt: gethostbyname" "error h2" "$(outcome "oneghbn-$kind")"
    expect_eq "$kind: one record of two corrupt: getaddrinfo (8 lookups)" "error $EAI_AGAIN" "$(outcome "two-$kind")"
    expect_eq "$kind: one record of two corrupt: gethostbyname (4 lookups)" "error h2" "$(outcome "twoghbn-$kind")"
    expect_eq "$kind: address queries for one/two.misroute.test themselves" 0 \
        "$(( $(address_queries one.misroute.test) + $(address_queries two.misroute.test) ))"
    expect_eq "$kind: SRV queries for _sip._tcp (no other SRV name asked)" 0 \
        "$(( $(qlog_count SRV _sip._tcp.one.misroute.test) + $(qlog_count SRV _sip._tcp.two.misroute.test) ))"
}

# Proves a malformed SRV RRset is unusable as a whole: the proxy corrupts
# one SRV record's RDATA while the message stays well-formed (tools/
# srv_walk.py walks every record by RDLENGTH to the end of the message) -
# RDATA of 3 octets, a target that is a compression pointer to itself, a
# target of 321 octets, a target that is not a host name, a target not
# filling the RDATA.  When it is the RRset's only record (one.misroute.test)
# or one of two (two.misroute.test), getaddrinfo (listed domain and
# "sipsrv") gives EAI_AGAIN and gethostbyname TRY_AGAIN: no draw among the
# remaining records, no fallback to the domain's own address (127.0.2.30 /
# .40; no query for it), no _sip._tcp query.
misroute_bad_srv_rrset() {
    write_conf "domain one.misroute.test" "domain two.misroute.test"
    check bad_rrset short 3
    check bad_rrset loop 8
    check bad_rrset long 327
    check bad_rrset nothost 21
    check bad_rrset slack '29|31'
    check_done
}

# ------------------------------------------------------- first SRV name --

# Proves the first SRV name with an RRset decides (services default
# _sip._udp, then _sip._tcp), through `getent hosts D` (gethostbyname2
# AF_INET6 first, then AF_INET) for listed domains whose _sip._tcp target
# tcp-only has A and AAAA:
# - decide: _sip._udp's only target udp-v4 has only an A record: the answer
#   is udp-v4's 127.0.2.51 (the IPv6 request is NO_DATA, the IPv4 one
#   answers), never tcp-only's fd53::2:52; python getaddrinfo AF_INET6 (also
#   with "sipsrv") fails rather than give tcp-only;
# - decide-dot: _sip._udp holds only ".": not found (exit 2);
# - decide-port: _sip._udp holds only records on port 5070: not found;
# and in all of them no _sip._tcp query is sent, and never the domain's own
# address.
misroute_first_srv_name_decides() {
    write_conf "domain decide.misroute.test" "domain decide-dot.misroute.test" "domain decide-port.misroute.test"
    local out rc d
    qlog_mark
    out=$(getent hosts decide.misroute.test)
    note "getent hosts decide: $out; queries $(queries_since)"
    check expect_eq "getent hosts decide.misroute.test" "127.0.2.51 udp-v4.misroute.test decide.misroute.test" \
        "$(echo "$out" | tr -s ' \t' ' ')"
    gai gai decide.misroute.test 5060 --family 6 >v6 || fail "gai.py failed"
    gai gai decide.misroute.test sipsrv --family 6 >v6svc || fail "gai.py failed"
    gai gai decide.misroute.test 5060 >unspec || fail "gai.py failed"
    note "getaddrinfo AF_INET6: $(tr '\n' ' ' <v6); sipsrv: $(tr '\n' ' ' <v6svc); AF_UNSPEC: $(tr '\n' ' ' <unspec)"
    check expect_eq "getaddrinfo AF_INET6 decide (udp-v4 has no AAAA: no data)" "error $EAI_NODATA" "$(outcome v6)"
    check expect_eq "getaddrinfo AF_INET6 decide sipsrv" "error $EAI_NODATA" "$(outcome v6svc)"
    check expect_eq "getaddrinfo AF_UNSPEC decide" "answer 127.0.2.51" "$(outcome unspec)"
    for d in decide-dot decide-port; do
        out=$(getent hosts "$d.misroute.test")
        rc=$?
        note "getent hosts $d: exit $rc '$out'"
        check expect_eq "getent hosts $d.misroute.test: exit status (2 = not found)" 2 "$rc"
        check expect_eq "getent hosts $d.misroute.test: output" "" "$out"
        gai gai "$d.misroute.test" sipsrv >"$d" || fail "gai.py failed"
        check expect_eq "getaddrinfo $d sipsrv" "error $EAI_NONAME" "$(outcome "$d")"
    done
    note "queries: $(queries_since)"
    for d in decide decide-dot decide-port; do
        check expect_eq "SRV queries for _sip._tcp.$d (_sip._udp decided)" 0 "$(qlog_count SRV "_sip._tcp.$d.misroute.test")"
        check expect_ne "SRV queries for _sip._udp.$d" 0 "$(qlog_count SRV "_sip._udp.$d.misroute.test")"
        check expect_eq "address queries for $d.misroute.test itself" 0 "$(address_queries "$d.misroute.test")"
    done
    check expect_eq "address queries for tcp-only" 0 "$(address_queries tcp-only.misroute.test)"
    check_done
}

# --------------------------------------------------------------- pairing --

# seq_line FILE N: the Nth line of tools/gai_seq.py output without its gap.
seq_line() { sed -n "${2}p" "$1" | awk '{ $NF = ""; sub(/ $/, ""); print }'; }
seq_gap() { sed -n "${2}p" "$1" | awk '{ print $NF }'; }

# leftover WHAT FIRST-STEP NAME EXPECTED: tools/gai_seq.py runs FIRST-STEP (a
# getaddrinfo that leaves a pairing no hosts lookup of the module
# consumed), 0.3 s later getaddrinfo(NAME, "5060") in the same thread, which
# must give EXPECTED (what dns alone says), with no SRV query at all.
leftover() {
    local what=$1 first=$2 name=$3 want=$4
    qlog_mark
    gai_seq "$first" sleep=0.3 "$name,5060" >"seq-$what" || fail "gai_seq.py failed"
    note "$what: $(tr '\n' ';' <"seq-$what"); queries $(queries_since)"
    expect_match "$what: the first lookup" " ok " "$(sed -n 1p "seq-$what")"
    expect_ms "$what: pause before the second lookup" "$(seq_gap "seq-$what" 2)" 300 2000
    expect_eq "$what: getaddrinfo($name, 5060) 0.3 s later" "$name 5060 $want" "$(seq_line "seq-$what" 2)"
    expect_eq "$what: SRV queries" 0 "$(qlog_count SRV)"
}

gai_seq() { "$PY" -B "$E2E_DIR/tools/gai_seq.py" "$@"; }

# Proves a pairing dies 250 ms after its services lookup: a python3 thread
# calls getaddrinfo(HOST, "sipsrv") whose services lookup the module answers
# but whose hosts lookup never reaches the module - a numeric host
# (127.0.0.1), no host (NULL, AI_PASSIVE), a name /etc/hosts answers
# (sip-local) - then, 0.3 s later, getaddrinfo(D, "5060") for a domain D
# that is not listed: D gets what dns alone gives (the same lookup with
# `hosts: files dns`), never an SRV target, and no SRV query is sent - for
# sipdomain.com (SRV records, no address of its own: dns says no data) and
# lone.misroute.test (SRV target lone-sip .61, its own address .60).  The
# pairing's own lookup, getaddrinfo(D, "sipsrv") right after, still gets the
# SRV target.
misroute_pairing_leftover() {
    printf '127.0.0.5\tsip-local\n' >>/etc/hosts
    local d first base want what
    write_nsswitch 'files dns'
    for d in sipdomain.com lone.misroute.test; do
        gai_seq "$d,5060" >"base-$d" || fail "gai_seq.py failed"
        note "without srvsip: $(cat "base-$d")"
    done
    write_nsswitch
    check expect_eq "without srvsip: lone.misroute.test" "lone.misroute.test 5060 ok 127.0.2.60" "$(seq_line base-lone.misroute.test 1)"
    for d in sipdomain.com lone.misroute.test; do
        base=$(seq_line "base-$d" 1)
        want=${base#"$d 5060 "}
        for first in 127.0.0.1,sipsrv -,sipsrv,passive sip-local,sipsrv; do
            what=${first%%,*}
            [ "$what" = - ] && what=NULL
            check leftover "$what-then-$d" "$first" "$d" "$want"
        done
    done
    gai_seq sipdomain.com,sipsrv lone.misroute.test,sipsrv >paired || fail "gai_seq.py failed"
    note "paired: $(tr '\n' ';' <paired)"
    check expect_match "getaddrinfo(sipdomain.com, sipsrv)" '^sipdomain\.com sipsrv ok 127\.0\.0\.1[13]$' "$(seq_line paired 1)"
    check expect_eq "getaddrinfo(lone.misroute.test, sipsrv)" "lone.misroute.test sipsrv ok 127.0.2.61" "$(seq_line paired 2)"
    check_done
}

# ------------------------------------------------------------------ nscd --

NSCD_SOCKET=/var/run/nscd/socket

# nscd_conf HOSTS SERVICES: an nscd.conf caching hosts and services (yes/no)
# only, nothing on disk (persistent no).
nscd_conf() {
    cat <<EOF
debug-level 0
paranoia no
enable-cache passwd no
enable-cache group no
enable-cache netgroup no
enable-cache hosts $1
positive-time-to-live hosts 600
negative-time-to-live hosts 60
check-files hosts yes
persistent hosts no
shared hosts yes
enable-cache services $2
positive-time-to-live services 600
negative-time-to-live services 60
check-files services yes
persistent services no
shared services yes
EOF
}

# nscd_start HOSTS SERVICES: nscd in the foreground with that config as
# /etc/nscd.conf (a bind mount of $CASE_DIR/nscd.conf in this mount
# namespace: the module reads it too), LD_LIBRARY_PATH as the rig's so
# nscd loads the module under test.  Sets NSCD_PID.
nscd_start() {
    nscd_conf "$1" "$2" >"$CASE_DIR/nscd.conf"   # same inode: the bind mount shows it
    rm -f "$NSCD_SOCKET"
    bg_start "nscd-$1-$2" "$NSCD" -d -f /etc/nscd.conf
    NSCD_PID=$BG_LAST
    if ! wait_until 10 test -S "$NSCD_SOCKET"; then
        local why
        why="nscd did not create $NSCD_SOCKET: $(tail -n 3 "$CASE_DIR/nscd-$1-$2.out" | paste -sd' ')"
        [ -n "${NSCD_RAN:-}" ] && fail "$why"
        skip "$why"     # nscd cannot run here at all
    fi
    NSCD_RAN=1
    note "nscd (hosts $1, services $2) pid $NSCD_PID"
}

nscd_stop() {
    kill "$NSCD_PID" 2>/dev/null
    wait "$NSCD_PID" 2>/dev/null
    rm -f "$NSCD_SOCKET"
}

# nscd_refuses TAG: getaddrinfo(D, "sipsrv") fails (EAI_SERVICE, or
# EAI_NONAME) for closed.faults.test (SRV target ".", own address
# 127.0.0.94) and lone.misroute.test (own address .60), never the domain's
# own address.
nscd_refuses() {
    local tag=$1 d
    for d in closed.faults.test lone.misroute.test; do
        gai gai "$d" sipsrv >"$tag-$d" || fail "gai.py failed"
        note "$tag: getaddrinfo($d, sipsrv): $(tr '\n' ' ' <"$tag-$d")"
        expect_in "$tag: getaddrinfo($d, sipsrv)" "$(outcome "$tag-$d")" \
            "error $EAI_SERVICE" "error $EAI_NONAME"
    done
}

# The part of misroute_nscd that runs in its own mount namespace.
nscd_inner() {
    # The socket directory: a tmpfs over /var/run/nscd (ns_setup masked it
    # too, when it existed); the config: a bind mount over /etc/nscd.conf.
    local rundir
    rundir=$(readlink -f /var/run)
    if [ -d "$rundir/nscd" ]; then mount -t tmpfs -o mode=0755 e2e-nscd "$rundir/nscd"
    else mount -t tmpfs -o mode=0755 e2e-run "$rundir" && mkdir "$rundir/nscd"; fi || fail "cannot mount a tmpfs for nscd's socket"
    : >"$CASE_DIR/nscd.conf"
    [ -e /etc/nscd.conf ] || : >/etc/nscd.conf
    mount --bind "$CASE_DIR/nscd.conf" /etc/nscd.conf || fail "cannot bind-mount /etc/nscd.conf"

    nscd_start yes yes
    qlog_mark
    getent ahosts www.plain.test >/dev/null
    getent ahosts www.plain.test >/dev/null
    check expect_eq "nscd caches hosts: A queries for two getent ahosts www.plain.test" 1 "$(qlog_count A www.plain.test)"
    check expect_match "the module is loaded in nscd" "$MODULE" "$(grep -F libnss_srvsip "/proc/$NSCD_PID/maps" | head -n 1)"
    check nscd_refuses "hosts+services cached"
    nscd_stop

    nscd_start yes no
    check nscd_refuses "hosts cached, services not"
    nscd_stop

    # Services cached, hosts not: the services lookup runs in nscd, which
    # refuses it; whatever comes, never a domain's own address.
    nscd_start no yes
    gai gai lone.misroute.test sipsrv >svc-lone || fail "gai.py failed"
    gai gai closed.faults.test sipsrv >svc-closed || fail "gai.py failed"
    note "enable-cache hosts no, services yes: lone $(tr '\n' ' ' <svc-lone); closed $(tr '\n' ' ' <svc-closed)"
    check expect_in "hosts no, services yes: getaddrinfo(lone.misroute.test, sipsrv)" "$(outcome svc-lone)" \
        "answer 127.0.2.61" "error $EAI_SERVICE"
    check expect_in "hosts no, services yes: getaddrinfo(closed.faults.test, sipsrv)" "$(outcome svc-closed)" \
        "error $EAI_NONAME" "error $EAI_SERVICE"
    nscd_stop

    nscd_start no no
    gai gai lone.misroute.test sipsrv >paired || fail "gai.py failed"
    gai gai closed.faults.test sipsrv >closed || fail "gai.py failed"
    note "enable-cache hosts no: lone $(tr '\n' ' ' <paired); closed $(tr '\n' ' ' <closed)"
    check expect_eq "enable-cache hosts no: getaddrinfo(lone.misroute.test, sipsrv)" "answer 127.0.2.61" "$(outcome paired)"
    check expect_eq "enable-cache hosts no: getaddrinfo(closed.faults.test, sipsrv)" "error $EAI_NONAME" "$(outcome closed)"
    nscd_stop
    check_done
}

# Proves pseudo-services are refused when nscd caches hosts (its threads
# serve every client, so a pairing can neither be kept in nscd nor reach it
# from the client): nscd (glibc's, Debian package nscd) runs in a private
# mount namespace (socket on a tmpfs over /var/run/nscd, config bound over
# /etc/nscd.conf) with LD_LIBRARY_PATH, so it loads the module under test
# (seen in its maps), and really answers hosts lookups (two getent runs,
# one query).  With `enable-cache hosts yes`, both with `enable-cache
# services yes` (refused inside nscd) and `no` (refused in the client, which
# sees the socket and the config), getaddrinfo(D, "sipsrv") fails
# (EAI_SERVICE) for closed.faults.test, whose SRV target is "." but which
# has an address of its own, and lone.misroute.test: never the domain's own
# address.  With `enable-cache hosts no` and `enable-cache services yes`
# (the services lookup runs in nscd), lone.misroute.test gives lone-sip or
# EAI_SERVICE and closed.faults.test EAI_NONAME or EAI_SERVICE: never an own
# address.  With `enable-cache hosts no` and services not cached the
# pairing works again: lone-sip (.61), and "." is not found.  SKIPs without
# nscd.
misroute_nscd() {
    find_nscd
    in_private_mounts nscd_inner
}

# find_nscd: NSCD, the nscd binary: the installed one, or one unpacked from
# the package tools/install-deps.sh downloads into $NSCD_DEB_DIR (nscd is
# never installed for the tests: an installed nscd would cache every lookup
# of the machine from its next boot).  SKIPs without either.
NSCD_DEB_DIR=${NSCD_DEB_DIR:-/var/cache/srvsip-tests}
find_nscd() {
    local debs deb
    export NSCD
    NSCD=$(command -v nscd || true)
    [ -n "$NSCD" ] && return 0
    debs=("$NSCD_DEB_DIR"/nscd_*.deb)
    deb=${debs[0]}
    [ -e "$deb" ] || skip "no nscd: neither installed nor downloaded into $NSCD_DEB_DIR (tools/install-deps.sh downloads it)"
    dpkg-deb -x "$deb" "$CASE_DIR/nscd-pkg" || fail "cannot unpack $deb"
    NSCD=$CASE_DIR/nscd-pkg/usr/sbin/nscd
    [ -x "$NSCD" ] || skip "$deb holds no usr/sbin/nscd"
}

# ---------------------------------------------------------------- setuid --

# as_program ARGV0 CMD ARG...: CMD run with argv[0] = ARGV0.
as_program() { local a=$1; shift; ( exec -a "$a" "$@" ); }
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)

# The part of misroute_setuid_program that runs in its own mount namespace.
setuid_inner() {
    local libc libdir out
    # Setuid programs ignore LD_LIBRARY_PATH: the module goes into the libc
    # directory, through an overlay (upper layer on a tmpfs) seen only here.
    libc=$(ldd /bin/true | awk '$1 == "libc.so.6" { print $3 }')
    libdir=$(dirname "$(readlink -f "$libc")")
    [ -d "$libdir" ] || fail "no libc directory ($libc)"
    mkdir -p "$CASE_DIR/ov" "$CASE_DIR/suid"
    mount -t tmpfs -o mode=0755 e2e-libdir "$CASE_DIR/ov" || fail "cannot mount a tmpfs"
    mkdir "$CASE_DIR/ov/upper" "$CASE_DIR/ov/work"
    cp "$MODULE" "$CASE_DIR/ov/upper/libnss_srvsip.so.2"
    mount -t overlay e2e-libdir \
        -o "lowerdir=$libdir,upperdir=$CASE_DIR/ov/upper,workdir=$CASE_DIR/ov/work" "$libdir" ||
        fail "cannot mount an overlay over $libdir"
    cmp -s "$MODULE" "$libdir/libnss_srvsip.so.2" || fail "module not in $libdir"
    # The binaries on a tmpfs (setuid allowed whatever /tmp's options).
    mount -t tmpfs -o mode=0755 e2e-suid "$CASE_DIR/suid" || fail "cannot mount a tmpfs"
    install -m 4755 -o root -g root "$CASE_DIR/resolve_first" "$CASE_DIR/suid/resolve_first"
    install -m 0755 -o root -g root "$CASE_DIR/resolve_first" "$CASE_DIR/suid/resolve_plain"

    # The control: the module is loaded in the setuid program (an SRV owner
    # name is in scope whatever the program: lone-sip; dns has no address).
    out=$("${NOBODY[@]}" "$CASE_DIR/suid/resolve_first" _sip._udp.lone.misroute.test)
    note "setuid, uid 65534, owner name: $out"
    check expect_eq "setuid, uid 65534: owner name (module loaded)" \
        "secure=1 euid=0 prog=resolve_first addr=127.0.2.61" "$out"
    qlog_mark
    out=$("${NOBODY[@]}" bash -c 'exec -a sipcaller "$0" "$@"' "$CASE_DIR/suid/resolve_first" lone.misroute.test)
    note "setuid, uid 65534, argv[0] sipcaller: $out; queries $(queries_since)"
    check expect_eq "setuid, uid 65534, argv[0] sipcaller: lone.misroute.test from dns" \
        "secure=1 euid=0 prog=sipcaller addr=127.0.2.60" "$out"
    check expect_eq "setuid: SRV queries" 0 "$(qlog_count SRV)"
    out=$(as_program sipcaller "$CASE_DIR/suid/resolve_plain" lone.misroute.test)
    note "not setuid, root, argv[0] sipcaller: $out"
    check expect_eq "not setuid, root, argv[0] sipcaller: in scope (program line)" \
        "secure=0 euid=0 prog=sipcaller addr=127.0.2.61" "$out"
    out=$("${NOBODY[@]}" bash -c 'exec -a sipcaller "$0" "$@"' "$CASE_DIR/suid/resolve_plain" lone.misroute.test)
    note "not setuid, uid 65534, argv[0] sipcaller: $out"
    check expect_eq "not setuid, uid 65534, argv[0] sipcaller: in scope (program line)" \
        "secure=0 euid=65534 prog=sipcaller addr=127.0.2.61" "$out"
    check_done
}

# Proves `program` lines are ignored in setuid programs (AT_SECURE: argv[0]
# is the caller's choice): tools/resolve_first.c (getaddrinfo, prints the
# first address and AT_SECURE) installed setuid-root and run by uid 65534
# with argv[0] "sipcaller" (`program sipcaller` in srvsip.conf) gets
# lone.misroute.test's own address from dns (.60), with no SRV query; the
# same program not setuid gets lone-sip (.61, in scope), run as root or as
# uid 65534.  The module is put in the libc directory through an overlay in
# a private mount namespace (setuid programs ignore LD_LIBRARY_PATH), and a
# control proves the setuid program loads it: an SRV owner name (in scope
# for every program) gives lone-sip.
misroute_setuid_program() {
    need_cmd gcc setpriv unshare
    gcc -O2 -Wall -o "$CASE_DIR/resolve_first" "$E2E_DIR/tools/resolve_first.c" 2>"$CASE_DIR/gcc.err" ||
        fail "gcc failed: $(head -n 3 "$CASE_DIR/gcc.err" | paste -sd' ')"
    local d=$CASE_DIR
    while [ "$d" != / ]; do
        "${NOBODY[@]}" test -x "$d" || skip "uid 65534 cannot enter $d ($(stat -c '%A %U' "$d"))"
        d=$(dirname "$d")
    done
    write_conf "program sipcaller"
    in_private_mounts setuid_inner
}

# ----------------------------------------------------------------- alias --

# Proves a target that is an alias (alias-t CNAME alias-real), refused by
# default (RFC 2782), makes the name not found rather than "no data":
# getaddrinfo EAI_NONAME (AF_UNSPEC, AF_INET, "sipsrv"), gethostbyname
# HOST_NOT_FOUND, getent ahosts exit 2 with no output; never alias-real
# (.81) nor the domain's own address (.80).
misroute_alias_target() {
    write_conf "domain alias.misroute.test"
    local out rc
    gai gai alias.misroute.test 5060 >unspec || fail "gai.py failed"
    gai gai alias.misroute.test 5060 --family 4 >inet || fail "gai.py failed"
    gai gai alias.misroute.test sipsrv >svc || fail "gai.py failed"
    gai ghbn alias.misroute.test >ghbn.out || fail "gai.py failed"
    note "AF_UNSPEC $(outcome unspec); AF_INET $(outcome inet); sipsrv $(outcome svc); gethostbyname $(outcome ghbn.out)"
    check expect_eq "getaddrinfo AF_UNSPEC" "error $EAI_NONAME" "$(outcome unspec)"
    check expect_eq "getaddrinfo AF_INET" "error $EAI_NONAME" "$(outcome inet)"
    check expect_eq "getaddrinfo sipsrv" "error $EAI_NONAME" "$(outcome svc)"
    check expect_eq "gethostbyname (h_errno HOST_NOT_FOUND = 1)" "error h1" "$(outcome ghbn.out)"
    out=$(getent ahosts alias.misroute.test)
    rc=$?
    check expect_eq "getent ahosts: exit status (2 = not found)" 2 "$rc"
    check expect_eq "getent ahosts: output" "" "$out"
    check_done
}

# getaddrinfo(D, "sipsrv", AF_INET6, AI_V4MAPPED [| AI_ALL]) on an IPv4-only
# SRV target: glibc asks the module for AF_INET6 (no address: NO_DATA), then
# for AF_INET with a second hosts lookup of the same call.  Both halves are
# paired, so the program gets the SRV target as ::ffff:127.0.2.22 - never the
# domain's own address (::ffff:127.0.2.20), which `hosts: files srvsip dns`
# gave before (the second half was out of scope, so dns answered it), nor
# EAI_NONAME (with the documented [!UNAVAIL=return]).
misroute_pairing_v4mapped() {
    local line flags
    proxy_rules "draw-bad.away.test * servfail"
    for line in 'files srvsip dns' 'files srvsip [!UNAVAIL=return] dns'; do
        write_nsswitch "$line"
        for flags in AI_V4MAPPED 'AI_V4MAPPED | socket.AI_ALL'; do
            "$PY" - "$flags" >v4m.out 2>&1 <<'PYEOF'
import socket, sys
flags = eval("socket." + sys.argv[1])
seen = set()
for _ in range(20):
    try:
        res = socket.getaddrinfo("draw.misroute.test", "sipsrv", socket.AF_INET6,
                                 socket.SOCK_DGRAM, 0, flags)
        seen.add("%s %d" % (res[0][4][0], res[0][4][1]))
    except socket.gaierror as e:
        seen.add("error %d" % e.errno)
print(";".join(sorted(seen)))
PYEOF
            check expect_eq "hosts: $line; AF_INET6, $flags: first addresses of 20 lookups" \
                "::ffff:127.0.2.22 5060" "$(cat v4m.out)"
        done
    done
    check_done
}

