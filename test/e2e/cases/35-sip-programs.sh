# shellcheck shell=bash disable=SC2317
# Real SIP programs, invoked exactly as a user would, reach the server the
# SRV records select (test/e2e/README.md "Cases"): sipp re-resolving per call, sipsak and
# twinkle-console with the domain listed in /etc/srvsip.conf, and twinkle
# doing its own SRV lookup, which the module must not double.
#
# Statistics: the UAS counts of sipdomain.com's priority-0 targets
# (1x-load .11 weight 1, 3x-load .13 weight 3) are Binomial(N, 1/4) for .11;
# accepted within 5 sigma (false failure about 6e-7, see 10-weights.sh).

e2e_case sipp_per_call_weights sipp_per_call_weights module
e2e_case sipsak_options_domain sipsak_options_domain module
e2e_case twinkle_options_domain twinkle_options_domain module
e2e_case twinkle_walks_address_list twinkle_walks_address_list module
e2e_case twinkle_own_srv_no_extra_query twinkle_own_srv_no_extra_query module

# sipp_uac_per_call N OUT [DOMAIN]: the UAC of scenarios/options_per_call_uac.xml
# sends N calls (one OPTIONS each) to DOMAIN, re-resolving it per call.
sipp_uac_per_call() {
    local n=$1 out=$2 domain=${3:-sipdomain.com}
    timeout 120 sipp -sf "$E2E_DIR/scenarios/options_per_call_uac.xml" -m "$n" -r 100 -l 50 \
        -i 127.0.0.1 -p 5099 -nostdin -timeout 60s -timeout_error "$domain" >"$out" 2>&1
}

# Proves sipp resolving the domain on every call (<setdest> in
# scenarios/options_per_call_uac.xml: one getaddrinfo per call) spreads 200
# calls over the two priority-0 targets 1:3 (UAS on .11 and .13 count what
# they got: .11 in 50 +- 30.6, 5 sigma), every call answered; and, with the
# module's reply cache off, that every call really made its own lookup (one
# SRV query at start plus one per call).
sipp_per_call_weights() {
    need_cmd sipp ss
    local n=200 a b rc
    write_conf "domain sipdomain.com"
    sip_uas uas11 127.0.0.11
    sip_uas uas13 127.0.0.13
    sipp_uac_per_call "$n" uac.out
    rc=$?
    note "uac: $(grep -E 'Successful call|Failed call' uac.out | tr -s ' ' | tr '\n' ';')"
    expect_eq "sipp UAC exit status (all calls answered)" 0 "$rc"
    a=$(uas_calls uas11) b=$(uas_calls uas13)
    note "calls received: 1x-load $a, 3x-load $b (OPTIONS incl. retransmissions: $(uas_requests uas11), $(uas_requests uas13))"
    expect_eq "calls received by the two priority-0 UAS" "$n" "$((a + b))"
    expect_ratio "1x-load's share (weight 1 of 4)" "$a" "$n" 0.25
    write_conf "domain sipdomain.com" "cache off"
    qlog_mark
    sipp_uac_per_call 20 uac2.out
    expect_eq "sipp UAC exit status (cache off)" 0 "$?"
    expect_eq "SRV queries for 20 calls, cache off (1 at start + 1 per call)" 21 \
        "$(qlog_count SRV _sip._udp.sipdomain.com)"
}

# Proves `sipsak -s sip:ping@sipdomain.com:5060` (gethostbyname on the plain
# domain, listed in srvsip.conf) reaches a priority-0 target's UAS every time
# (exit 0 = 200 OK), 1x-load in 1/4 of 100 runs (25 +- 21.7, 5 sigma).
sipsak_options_domain() {
    need_cmd sipsak sipp ss
    local n=100 i bad=0 a b
    write_conf "domain sipdomain.com"
    sip_uas uas11 127.0.0.11
    sip_uas uas13 127.0.0.13
    for ((i = 0; i < n; i++)); do
        timeout 10 sipsak -s sip:ping@sipdomain.com:5060 >>sipsak.out 2>&1 || bad=$((bad + 1))
    done
    expect_eq "sipsak runs without a 200" 0 "$bad"
    a=$(uas_calls uas11) b=$(uas_calls uas13)
    note "calls received: 1x-load $a, 3x-load $b (OPTIONS incl. retransmissions: $(uas_requests uas11), $(uas_requests uas13))"
    expect_eq "calls received by the two priority-0 UAS" "$n" "$((a + b))"
    expect_ratio "1x-load's share (weight 1 of 4)" "$a" "$n" 0.25
}

# ------------------------------------------------------------- twinkle --

# twinkle_home: a scratch $HOME with ~/.twinkle: profile e2e.cfg (no
# registration, no presence publication) started by twinkle.sys, SIP on udp
# 127.0.0.1:5098; twinkle logs every message it sends to twinkle.log.
twinkle_home() {
    need_cmd twinkle-console
    export HOME="$CASE_DIR/home"
    mkdir -p "$HOME/.twinkle"
    printf '%s\n' user_name=e2e user_domain=127.0.0.1 user_display=e2e \
        register_at_startup=no pres_publish_startup=no sip_transport=udp >"$HOME/.twinkle/e2e.cfg"
    printf '%s\n' sip_udp_port=5098 rtp_port=40000 start_user_profile=e2e log_show_sip=yes \
        >"$HOME/.twinkle/twinkle.sys"
}

# twinkle_options URI OUT: runs twinkle-console, types "options URI" on its
# stdin, waits (up to 15 s) for the response, types "quit".  OUT gets the
# console output, OUT.sent the destinations twinkle sent to, in order
# ("127.0.0.13 icmp" when an ICMP error came back for it).  SKIPs the case
# when twinkle cannot run headless here.
twinkle_options() {
    local uri=$1 out=$2 fifo="$CASE_DIR/twinkle.in" pid
    rm -f "$fifo" "$HOME/.twinkle/twinkle.log"
    mkfifo "$fifo"
    twinkle-console <"$fifo" >"$out" 2>&1 &
    pid=$!
    exec 7>"$fifo"
    echo "options $uri" >&7
    wait_until 15 grep -q 'OPTIONS response received' "$out"
    echo quit >&7
    exec 7>&-
    timeout 10 tail --pid="$pid" -f /dev/null || kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    if ! grep -q '^Users:' "$out"; then
        skip "twinkle-console did not start headless: $(grep -v '^ALSA' "$out" | grep -m 1 .)"
    fi
    awk '/^Send to: udp:/ { sub(/^Send to: udp:/, ""); sub(/:5060$/, ""); print }
         /^Destination of packet causing ICMP: / { sub(/^.*ICMP: /, ""); sub(/:5060$/, ""); print $0, "icmp" }' \
        "$HOME/.twinkle/twinkle.log" >"$out.sent"
    note "twinkle: $(grep -m 1 'OPTIONS response received' "$out"); sent: $(tr '\n' ';' <"$out.sent")"
}

# twinkle_result OUT: twinkle's "OPTIONS response received: ..." line.
twinkle_result() { grep -m 1 'OPTIONS response received' "$1"; }

# twinkle_reached OUT: the address whose UAS answered (last Send to without
# an ICMP error).
twinkle_reached() { awk '$2 != "icmp" { a = $1 } END { print a }' "$1.sent"; }

# Proves `twinkle-console` with `options sip:ping@sipdomain.com:5060` (a port
# given: gethostbyname on the plain domain, listed in srvsip.conf) reaches a
# priority-0 target: "OPTIONS response received: 200", exactly one of the
# UAS on .11/.13 got the OPTIONS, and it is the first address twinkle used.
twinkle_options_domain() {
    need_cmd sipp ss
    twinkle_home
    write_conf "domain sipdomain.com"
    sip_uas uas11 127.0.0.11
    sip_uas uas13 127.0.0.13
    qlog_mark
    twinkle_options sip:ping@sipdomain.com:5060 tw.out
    expect_match "twinkle result" 'OPTIONS response received: 200' "$(twinkle_result tw.out)"
    local a b first
    a=$(uas_calls uas11) b=$(uas_calls uas13)
    expect_in "calls at .11/.13" "$a/$b" 1/0 0/1
    first=$(awk 'NR == 1 { print $1 }' tw.out.sent)
    expect_eq "first address twinkle used = the UAS that answered" \
        "$([ "$a" = 1 ] && echo 127.0.0.11 || echo 127.0.0.13)" "$first"
    expect_eq "SRV queries for the domain (the module's)" 1 "$(qlog_count SRV _sip._udp.sipdomain.com)"
}

# Proves twinkle walks gethostbyname's address list (the module's RFC 2782
# failover order) on transport errors: with all four UAS up twinkle reaches
# the selected target X; with X's UAS stopped it still gets 200 from a live
# UAS; with both priority-0 UAS stopped it sends to .11 and .13 first (ICMP
# errors) and then reaches a priority-1 target (failover1 .21 / failover2 .22).
twinkle_walks_address_list() {
    need_cmd sipp ss
    twinkle_home
    write_conf "domain sipdomain.com"
    local ip x
    for ip in 11 13 21 22; do sip_uas "uas$ip" "127.0.0.$ip"; done
    twinkle_options sip:ping@sipdomain.com:5060 tw1.out
    expect_match "all up: result" 'OPTIONS response received: 200' "$(twinkle_result tw1.out)"
    x=$(twinkle_reached tw1.out)
    expect_in "all up: reached" "$x" 127.0.0.11 127.0.0.13
    uas_stop "uas${x##*.}"
    twinkle_options sip:ping@sipdomain.com:5060 tw2.out
    expect_match "$x stopped: result" 'OPTIONS response received: 200' "$(twinkle_result tw2.out)"
    expect_ne "$x stopped: reached" "$x" "$(twinkle_reached tw2.out)"
    if grep -q "^$x icmp" tw2.out.sent; then note "$x was first again: twinkle walked on to the next address"; fi
    uas_stop uas11
    uas_stop uas13
    twinkle_options sip:ping@sipdomain.com:5060 tw3.out
    expect_match "both priority-0 stopped: result" 'OPTIONS response received: 200' "$(twinkle_result tw3.out)"
    expect_in "both priority-0 stopped: first two sends" \
        "$(awk '$2 != "icmp"' tw3.out.sent | head -n 2 | paste -sd' ')" "127.0.0.11 127.0.0.13" "127.0.0.13 127.0.0.11"
    expect_in "both priority-0 stopped: reached" "$(twinkle_reached tw3.out)" 127.0.0.21 127.0.0.22
}

# Proves a program doing its own SRV lookup (twinkle, `options
# sip:ping@sipdomain.com` without a port) asks the module only for target
# names, which it steps aside for at no cost: twinkle gets its 200, and the
# queries sent are exactly those sent with srvsip off the hosts line (its own
# SRV query, then the targets' A queries by dns), in particular no
# _sip._udp/_sip._tcp query for any target name.
twinkle_own_srv_no_extra_query() {
    need_cmd sipp ss
    twinkle_home
    write_conf "domain sipdomain.com"
    local ip with without
    for ip in 11 13 21 22 41 42; do sip_uas "uas$ip" "127.0.0.$ip"; done
    qlog_mark
    twinkle_options sip:ping@sipdomain.com tw.out
    with=$(qlog_since | awk '{ print $3, $4 }' | sort | paste -sd';')
    expect_match "with srvsip: result" 'OPTIONS response received: 200' "$(twinkle_result tw.out)"
    write_nsswitch 'files dns'
    qlog_mark
    twinkle_options sip:ping@sipdomain.com tw0.out
    without=$(qlog_since | awk '{ print $3, $4 }' | sort | paste -sd';')
    expect_match "without srvsip: result" 'OPTIONS response received: 200' "$(twinkle_result tw0.out)"
    note "queries with srvsip: $with"
    expect_eq "queries with srvsip = without srvsip" "$without" "$with"
    expect_eq "SRV queries for target names" "" \
        "$(echo "$with" | tr ';' '\n' | awk '$1 == "SRV" && $2 != "_sip._udp.sipdomain.com." && $2 != "_sip._tcp.sipdomain.com."')"
}
