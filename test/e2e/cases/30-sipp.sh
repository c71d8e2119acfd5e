# shellcheck shell=bash disable=SC2317
# Unmodified sipp reaches the SRV-selected server of a configured domain.

e2e_case sipp_invite_domain sipp_invite_domain module

uas_listening() { ss -Hlun "src $1:5060" | grep -q .; }

# Proves that with "domain sipdomain.com" in /etc/srvsip.conf, plain
# `sipp ... sipdomain.com` (getaddrinfo(host, "5060") -> gethostbyname4_r)
# completes an INVITE call against 1x-load (.11) or 3x-load (.13), exit 0,
# and exactly one of the two UAS got the INVITE.
sipp_invite_domain() {
    need_cmd sipp ss
    write_conf "domain sipdomain.com"
    local ip
    for ip in 127.0.0.11 127.0.0.13; do
        bg_start "uas-$ip" sipp -sn uas -i "$ip" -p 5060 -m 1 -nostdin -trace_msg \
            -message_file "$CASE_DIR/uas-$ip.msg"
    done
    for ip in 127.0.0.11 127.0.0.13; do
        wait_until 10 uas_listening "$ip" || fail "sipp UAS on $ip:5060 did not start"
    done
    qlog_mark
    timeout 30 sipp -sn uac -m 1 -i 127.0.0.1 -p 5099 -nostdin -timeout 10s -timeout_error \
        -trace_msg -message_file "$CASE_DIR/uac.msg" sipdomain.com >uac.out 2>&1
    local rc=$?
    note "uac output: $(tail -n 5 uac.out | tr '\n' ';')"
    expect_eq "sipp UAC exit status" 0 "$rc"
    local got=""
    for ip in 127.0.0.11 127.0.0.13; do
        grep -q '^INVITE sip:' "$CASE_DIR/uas-$ip.msg" 2>/dev/null && got+="${got:+ }$ip"
    done
    expect_in "UAS that received the INVITE" "$got" 127.0.0.11 127.0.0.13
    expect_ne "SRV queries sent for the domain" 0 "$(qlog_count SRV _sip._udp.sipdomain.com)"
}
