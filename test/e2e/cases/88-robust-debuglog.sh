# shellcheck shell=bash disable=SC2317,SC2016,SC2119
# Debug logging (issue "administrator", item 5): `debug` in /etc/srvsip.conf
# makes each in-scope lookup log exactly one syslog line to /dev/log; off by
# default; out-of-scope lookups never log; malformed lines are reported.
# /dev/log is a listener of robust_devlog_run (test/robust/robust-lib.sh:
# a nested mount namespace with a replica of /dev, since the namespace's
# /dev is the host's devtmpfs).  Driver: test/robust/lookup.c.

. "$REPO/test/robust/robust-lib.sh"

e2e_case robust_debuglog_lines robust_debuglog_lines module
e2e_case robust_debuglog_off robust_debuglog_off module
e2e_case robust_debuglog_malformed robust_debuglog_malformed module
e2e_case robust_debuglog_hostile_name robust_debuglog_hostile_name module

# devlog_ops OP-SPEC...: inside robust_devlog_run, run "$RB/lookup SPEC" for
# each SPEC (word-split: "-n 5 gai:x"), and write "SPEC<TAB>N" to counts.txt,
# N = syslog lines that arrived during it; lookup output in ops.out.
devlog_ops() {
    export RB
    cat >"$CASE_DIR/ops.sh" <<'EOF'
log=$1; shift
: >ops.out; : >counts.txt
settle() { # wait until the listener has written everything queued
    local a b=-1
    a=$(wc -l <"$log")
    while [ "$a" != "$b" ]; do sleep 0.1; b=$a; a=$(wc -l <"$log"); done
    echo "$a"
}
for spec in "$@"; do
    before=$(settle)
    # shellcheck disable=SC2086
    "$RB/lookup" $spec >>ops.out
    after=$(settle)
    printf '%s\t%s\n' "$spec" "$(( after - before ))" >>counts.txt
done
EOF
    robust_devlog_run "$CASE_DIR/syslog.txt" /bin/bash "$CASE_DIR/ops.sh" "$CASE_DIR/syslog.txt" "$@" \
        || fail "lookups under the /dev/log listener failed (exit $?)"
    note "lines per op: $(tr '\t\n' '=;' <counts.txt)"
}
count_for() { S=$1 awk -F'\t' '$1 == ENVIRON["S"] { print $2 }' counts.txt; }

# The line of one lookup (log.c / nss_srvsip.c log_lookup):
# "<31>libnss_srvsip[PID]: lookup NAME program=P trigger=T family=F srv=S
#  target=T port=N targets=K ttl=S queries=Q duration_us=D status=S (REASON)"
LINE_RE='^<31>libnss_srvsip\[[0-9]+\]: lookup ([^ ]+) program=lookup trigger=([a-z-]+) family=[0-9]+ srv=[^ ]+ target=([^ ]+) port=([0-9]+) targets=[0-9]+ ttl=[0-9]+ queries=[0-9]+ duration_us=([0-9]+) status=([a-z-]+) \(.*\)$'

# expect_line WHAT LINE NAME TRIGGER TARGET-ERE PORT STATUS
expect_line() {
    local what=$1 line=$2
    [[ $line =~ $LINE_RE ]] || fail "$what: syslog line '$(short "$line")' does not have the documented fields"
    local m=("${BASH_REMATCH[@]}")   # expect_match runs =~ itself
    expect_eq "$what: name" "$3" "${m[1]}"
    expect_eq "$what: trigger" "$4" "${m[2]}"
    expect_match "$what: chosen target" "$5" "${m[3]}"
    expect_eq "$what: port" "$6" "${m[4]}"
    expect_match "$what: duration (us)" '^[0-9]+$' "${m[5]}"
    expect_eq "$what: status" "$7" "${m[6]}"
}

# Proves, with "debug" and "domain sipdomain.com", one line per in-scope
# lookup carrying name, trigger, chosen target and port, duration and
# status - 5 pairing lookups give 5 lines whose targets are, in order, the
# targets whose addresses the 5 lookups returned; an owner name, the listed
# domain, gethostbyname (failover list), the ERANGE pair (16-octet buffer,
# then 8 KiB: one lookup, one line), a "." target (status host-not-found)
# and a SERVFAIL (status try-again) one line each - and that out-of-scope lookups (www.plain.test by
# getaddrinfo and gethostbyname, an unknown name) log nothing.
robust_debuglog_lines() {
    robust_build
    write_conf "debug" "domain sipdomain.com"
    proxy_rules "_sip._tcp.elsewhere.ca SRV servfail"
    devlog_ops "-n 5 gai:sipdomain.com:sipsrv" "gai:_sip._udp.sipdomain.com" "gai:sipdomain.com" \
        "ghbn:sipdomain.com" "erange:sipdomain.com" "gai:_x._tcp.example.com" \
        "gai:_sip._tcp.elsewhere.ca" \
        "gai:www.plain.test" "ghbn:www.plain.test" "gai:nosuch.plain.test"
    sed 's/^/#   /' syslog.txt >&2
    expect_eq "lines for 5 pairing lookups" 5 "$(count_for "-n 5 gai:sipdomain.com:sipsrv")"
    local i line addr want
    for i in 1 2 3 4 5; do
        line=$(sed -n "${i}p" syslog.txt)
        addr=$(sed -n "${i}p" ops.out | awk '{ print $5 }')
        case $addr in 127.0.0.11) want='^1x-load\.sipdomain\.com$' ;; 127.0.0.13) want='^3x-load\.sipdomain\.com$' ;; *) want=none ;; esac
        expect_line "pairing lookup $i (got $addr)" "$line" sipdomain.com service "$want" 5060 success
    done
    expect_eq "lines for an owner-name lookup" 1 "$(count_for gai:_sip._udp.sipdomain.com)"
    expect_line "owner name" "$(sed -n 6p syslog.txt)" _sip._udp.sipdomain.com owner-name \
        '^[13]x-load\.sipdomain\.com$' 5060 success
    expect_eq "lines for a listed-domain lookup" 1 "$(count_for gai:sipdomain.com)"
    expect_line "listed domain" "$(sed -n 7p syslog.txt)" sipdomain.com domain '^[13]x-load\.sipdomain\.com$' 5060 success
    expect_eq "lines for gethostbyname" 1 "$(count_for ghbn:sipdomain.com)"
    expect_line "gethostbyname" "$(sed -n 8p syslog.txt)" sipdomain.com domain '^[13]x-load\.sipdomain\.com$' 5060 success
    expect_eq "lines for gethostbyname_r ERANGE + retry" 1 "$(count_for erange:sipdomain.com)"
    expect_line "ERANGE + retry" "$(sed -n 9p syslog.txt)" sipdomain.com domain '^[13]x-load\.sipdomain\.com$' 5060 success
    expect_eq "lines for a \".\" target" 1 "$(count_for gai:_x._tcp.example.com)"
    expect_line "\".\" target" "$(sed -n 10p syslog.txt)" _x._tcp.example.com owner-name '.*' 0 host-not-found
    expect_eq "lines for a SERVFAIL" 1 "$(count_for gai:_sip._tcp.elsewhere.ca)"
    expect_line "SERVFAIL" "$(sed -n 11p syslog.txt)" _sip._tcp.elsewhere.ca owner-name '.*' 0 try-again
    expect_eq "lines for out-of-scope getaddrinfo" 0 "$(count_for gai:www.plain.test)"
    expect_eq "lines for out-of-scope gethostbyname" 0 "$(count_for ghbn:www.plain.test)"
    expect_eq "lines for an out-of-scope unknown name" 0 "$(count_for gai:nosuch.plain.test)"
    expect_eq "lines in all" 11 "$(grep -c . syslog.txt)"
}

# Proves logging is off by default: with "domain sipdomain.com" and no
# "debug", and with no config file at all, in-scope lookups (pairing, owner
# name, listed domain, gethostbyname) send no line to a listening /dev/log,
# and strace -f -e trace=socket,connect,sendto,sendmsg shows no AF_UNIX
# datagram socket and nothing addressed to /dev/log (the AF_INET sockets are
# the DNS queries; glibc's own AF_UNIX stream socket to nscd is not ours).
# Positive control: with "debug" the same trace does show the module's
# socket(AF_UNIX, SOCK_DGRAM...) and its sendto(... "/dev/log").
robust_debuglog_off() {
    need_cmd strace
    robust_build
    local ops=(gai:sipdomain.com:sipsrv gai:_sip._udp.sipdomain.com gai:sipdomain.com ghbn:sipdomain.com)
    traced() { # TAG: the lookups under strace, inside the /dev/log listener
        robust_devlog_run "$CASE_DIR/syslog-$1.txt" strace -f -qq -e trace=socket,connect,sendto,sendmsg \
            -o "$CASE_DIR/strace-$1.txt" "$RB/lookup" "${ops[@]}" >"$CASE_DIR/ops-$1.out" \
            || fail "$1: traced lookups failed"
        note "$1: $(tr '\n' ';' <"$CASE_DIR/ops-$1.out")"
        note "$1: AF_UNIX syscalls: $(grep -c 'AF_UNIX\|/dev/log' "$CASE_DIR/strace-$1.txt"), AF_INET sockets: $(grep -c 'socket(AF_INET' "$CASE_DIR/strace-$1.txt")"
    }
    export RB
    write_conf "domain sipdomain.com"
    traced nodebug
    expect_eq "no debug: answered lookups" 4 "$(grep -c '=> OK 127\.0\.0\.1[13]' ops-nodebug.out)"
    expect_ne "no debug: DNS sockets seen by strace (the trace works)" 0 "$(grep -c 'socket(AF_INET' strace-nodebug.txt)"
    expect_eq "no debug: syslog lines" 0 "$(grep -c . syslog-nodebug.txt)"
    expect_eq "no debug: AF_UNIX datagram sockets" "" "$(grep 'socket(AF_UNIX, SOCK_DGRAM' strace-nodebug.txt)"
    expect_eq "no debug: syscalls naming /dev/log" "" "$(grep '/dev/log' strace-nodebug.txt)"
    rm_conf
    ops=(gai:sipdomain.com:sipsrv gai:_sip._udp.sipdomain.com ghbn:_sip._udp.sipdomain.com)
    traced noconf
    expect_eq "no config: answered lookups" 3 "$(grep -c '=> OK 127\.0\.0\.1[13]' ops-noconf.out)"
    expect_eq "no config: syslog lines" 0 "$(grep -c . syslog-noconf.txt)"
    expect_eq "no config: AF_UNIX datagram sockets" "" "$(grep 'socket(AF_UNIX, SOCK_DGRAM' strace-noconf.txt)"
    expect_eq "no config: syscalls naming /dev/log" "" "$(grep '/dev/log' strace-noconf.txt)"
    write_conf "debug" "domain sipdomain.com"
    ops=(gai:sipdomain.com:sipsrv gai:_sip._udp.sipdomain.com gai:sipdomain.com ghbn:sipdomain.com)
    traced debug
    expect_eq "debug (control): syslog lines" 4 "$(grep -c . syslog-debug.txt)"
    expect_eq "debug (control): AF_UNIX datagram sockets in the trace" 4 "$(grep -c 'socket(AF_UNIX, SOCK_DGRAM' strace-debug.txt)"
    expect_eq "debug (control): sends to /dev/log in the trace" 4 "$(grep -c 'sendto(.*sun_path="/dev/log"' strace-debug.txt)"
}

# Proves that with "debug", each malformed line of the config file is
# reported once per load with its line number, as a warning (<28> = daemon
# + warning), the rest of the file still applies (sipdomain.com resolves),
# the lines are reported even when "debug" comes after them, an out-of-scope
# lookup that loads the file reports them too but logs no lookup line, and
# without "debug" nothing is logged at all.
robust_debuglog_malformed() {
    robust_build
    write_conf "bogus keyword here" "debug" "domain sipdomain.com" "domain bad..name" \
        "domain sipdomain.org port 99999" "program" "# a comment" ""
    devlog_ops "gai:sipdomain.com gai:sipdomain.com" "gai:www.plain.test"
    sed 's/^/#   /' syslog.txt >&2
    expect_match "lookups answered" '=> OK 127\.0\.0\.1[13]' "$(head -n 1 ops.out)"
    local w pid
    pid=$(sed -n '1s/^<[0-9]*>libnss_srvsip\[\([0-9]*\)\].*/\1/p' syslog.txt)
    w=$(grep "^<28>libnss_srvsip\[$pid\]" syslog.txt)
    expect_match "warning for line 1 (before the debug line)" '/etc/srvsip\.conf line 1 ignored: ' "$(grep 'line 1 ' <<<"$w")"
    expect_match "warning for line 4" '/etc/srvsip\.conf line 4 ignored: invalid domain name' "$(grep 'line 4 ' <<<"$w")"
    expect_match "warning for line 5" '/etc/srvsip\.conf line 5 ignored: port must be' "$(grep 'line 5 ' <<<"$w")"
    expect_match "warning for line 6" '/etc/srvsip\.conf line 6 ignored: missing name' "$(grep 'line 6 ' <<<"$w")"
    expect_eq "warning lines of the first process (4 bad lines, one load, 2 lookups)" 4 "$(grep -c . <<<"$w")"
    expect_eq "lookup lines for 2 in-scope lookups" 2 "$(grep -c '^<31>.*: lookup sipdomain\.com ' syslog.txt)"
    expect_eq "lines during the out-of-scope lookup (new process: reloads and warns again, no lookup line)" 4 \
        "$(count_for gai:www.plain.test)"
    expect_eq "lookup lines in all" 2 "$(grep -c ': lookup ' syslog.txt)"
    # Without debug: silent.
    write_conf "bogus keyword here" "domain sipdomain.com" "domain bad..name"
    devlog_ops "gai:sipdomain.com"
    expect_match "no debug: lookup answered" '=> OK 127\.0\.0\.1[13]' "$(head -n 1 ops.out)"
    expect_eq "no debug: syslog lines" 0 "$(grep -c . syslog.txt)"
}

# Proves a hostile name cannot forge syslog content: with "debug" and
# "domain .example.com", names that are in scope but invalid (so logged with
# status host-not-found) and carry a newline followed by a fake syslog
# header, a carriage return, an ANSI escape, DEL and non-UTF-8 octets - also
# as an SRV owner name, in scope for every program without any config line -
# each produce exactly one datagram, and every datagram is printable ASCII
# (the name escaped), so no log reader shows a forged line or runs a
# terminal escape.
robust_debuglog_hostile_name() {
    robust_build
    write_conf "debug" "domain .example.com"
    local names=(
        'a\x0a<10>sshd[1]\x20Accepted\x20password\x20for\x20root.example.com'
        'b\x0d\x1b[2J\x1b[31mred.example.com'
        'c\x7f\xff\xfe\xc3\xa9.example.com'
        '_a._b.x\x0a<10>forged\x20owner\x20line'
    ) n specs=()
    for n in "${names[@]}"; do specs+=("gai:$n"); done
    devlog_ops "${specs[@]}"
    sed 's/^/#   /' syslog.txt >&2
    for n in "${names[@]}"; do
        expect_eq "datagrams for one lookup of $n" 1 "$(count_for "gai:$n")"
    done
    if [ -s syslog.txt.nonprint ]; then
        note "datagrams with octets outside printable ASCII (cat -v):"
        local h
        while read -r h; do xxd -r -p <<<"$h" | cat -v; echo; done <syslog.txt.nonprint | sed 's/^/#   /' >&2
    fi
    expect_eq "datagrams with octets outside printable ASCII (name not escaped)" 0 \
        "$(grep -c . syslog.txt.nonprint)"
}
