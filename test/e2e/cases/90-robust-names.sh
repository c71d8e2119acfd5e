# shellcheck shell=bash disable=SC2317,SC2119,SC2013,SC2001
# Hostile names through the real path (issue "Robustness", item 6, names):
# over-long names and labels, empty labels, trailing dots, mixed case and
# non-ASCII octets, for a listed suffix domain and for SRV owner names.
# Driver: test/robust/lookup.c (names may carry \xNN escapes).

. "$REPO/test/robust/robust-lib.sh"

e2e_case robust_names_suffix robust_names_suffix module
e2e_case robust_names_owner robust_names_owner module
e2e_case robust_names_memcheck robust_names_memcheck module

rep() { local s; printf -v s '%*s' "$2" ''; printf '%s' "${s// /$1}"; }
L63=$(rep a 63)
L64=$(rep b 64)
# name_of_length N DOMAIN: N octets: labels of 63 a's, one shorter label of
# c's, then DOMAIN (no leading dot); every label valid (1 to 63 octets).
name_of_length() {
    local n=$1 domain=$2 out="" need
    need=$(( n - ${#domain} ))
    while [ "$need" -gt 65 ]; do out+="$L63."; need=$(( need - 64 )); done
    [ "$need" -gt 1 ] || { echo "name_of_length: cannot make $n octets" >&2; return 1; }
    if [ "$need" -eq 65 ]; then out+="$(rep a 32).$(rep c 30)."; else out+="$(rep c $(( need - 1 )))."; fi
    printf '%s%s' "$out" "$domain"
}

# names_check FILE: lines "EXPECT<TAB>QUERIES<TAB>NAME"; EXPECT is ok:ADDR-ERE
# or noname; QUERIES is 0 (nothing may reach DNS), +  (at least one query: it
# was handled) or * (not checked).  Each name is looked up through
# getaddrinfo AF_UNSPEC (gethostbyname4_r), AF_INET (gethostbyname2_r) and
# gethostbyname (gethostbyname_r) in one process.
names_check() {
    local expect queries name out rc q shown bad=0
    while IFS=$'\t' read -r expect queries name; do
        [ -n "$name" ] || continue
        qlog_mark
        out=$(timeout 30 "$RB/lookup" "gai:$name" "gai4:$name" "ghbn:$name" 2>&1)
        rc=$?
        q=$(qlog_count)
        shown=$(head -n 1 <<<"$out" | awk '{ print $2 }')
        note "[$expect q=$q] $(tr '\n' ';' <<<"$out" | cut -c1-300)"
        robust_no_crash "lookup of $shown" "$rc"
        case $expect in
            ok:*) local ere=${expect#ok:} a
                  for a in $(awk '{ print $5 }' <<<"$out"); do
                      [[ $a =~ ^($ere)$ ]] || { note "BAD: $shown: $out"; bad=$((bad + 1)); }
                  done
                  [ "$(grep -c '=> OK ' <<<"$out")" = 3 ] || { note "BAD: $shown: not 3 answers"; bad=$((bad + 1)); } ;;
            noname) [ "$(sed 's/.* => //' <<<"$out" | sort -u | paste -sd' ')" = "EAI_NONAME HOST_NOT_FOUND" ] \
                        || { note "BAD: $shown: expected EAI_NONAME / HOST_NOT_FOUND"; bad=$((bad + 1)); } ;;
        esac
        case $queries in
            0) [ "$q" = 0 ] || { note "BAD: $shown: $q queries reached DNS: $(qlog_since | awk '{print $3, substr($4, 1, 60)}' | tr '\n' ';')"; bad=$((bad + 1)); } ;;
            +) [ "$q" -gt 0 ] || { note "BAD: $shown: no query (not handled?)"; bad=$((bad + 1)); } ;;
        esac
    done <"$1"
    expect_eq "names with a wrong status, query count or crash (see BAD lines)" 0 "$bad"
}

suffix_names() {
    printf '%s\t%s\t%s\n' \
        ok:127.0.0.34 + server.example.com \
        ok:127.0.0.34 + server.example.com. \
        ok:127.0.0.34 + SeRvEr.ExAmPlE.CoM \
        ok:127.0.0.34 + SERVER.EXAMPLE.COM. \
        noname + "$(name_of_length 253 example.com)" \
        noname + "$L63.example.com" \
        noname 0 "$(name_of_length 254 example.com)" \
        noname 0 "$(name_of_length 254 example.com)." \
        noname 0 "$(name_of_length 255 example.com)" \
        noname 0 "$(name_of_length 256 example.com)" \
        noname 0 "$(name_of_length 1025 example.com)" \
        noname 0 "$(name_of_length 16384 example.com)" \
        noname 0 "$L64.example.com" \
        noname 0 "$(rep d 300).example.com" \
        noname 0 "server.$L64.example.com" \
        noname 0 a..example.com \
        noname 0 ..example.com \
        noname 0 .example.com \
        noname 0 server..example.com. \
        noname 0 server.example.com.. \
        noname 0 'caf\xc3\xa9.example.com' \
        noname 0 '\xff\xfe.example.com' \
        noname 0 'a\x01b.example.com' \
        noname 0 'a\x20b.example.com' \
        noname 0 'a\x7fb.example.com' \
        noname 0 'a\x09b.example.com' \
        noname 0 '*.example.com' \
        noname 0 'a/b.example.com'
}

# Proves, with "domain .example.com", that a listed suffix's names get the
# expected status through getaddrinfo (AF_UNSPEC and AF_INET) and
# gethostbyname, with no crash: the valid name in any case and with a
# trailing dot resolves after SRV queries (server.example.com has no SRV
# records: the module steps aside and dns answers 127.0.0.34); the longest valid name (253 octets) and label
# (63) are queried (and do not exist: EAI_NONAME); a 254+ octet name (up to
# 16 KiB), a 64+ octet label, empty labels, a doubled trailing dot and
# octets outside letters/digits/-/_ (UTF-8, 0xff, controls, space, DEL, tab,
# '*', '/') give EAI_NONAME / HOST_NOT_FOUND without any DNS query.
robust_names_suffix() {
    robust_build
    write_conf "domain .example.com"
    suffix_names >names.txt
    names_check names.txt
}

owner_names() {
    printf '%s\t%s\t%s\n' \
        'ok:127\.0\.0\.1[13]' + _sip._udp.sipdomain.com \
        'ok:127\.0\.0\.1[13]' + _sip._udp.sipdomain.com. \
        'ok:127\.0\.0\.1[13]' + _SIP._UDP.SipDomain.COM \
        'ok:127\.0\.0\.1[13]' + _Sip._Udp.SIPDOMAIN.COM. \
        'ok:127\.0\.0\.3[12]' + _FOOBAR._TCP.EXAMPLE.COM \
        noname + "_sip._udp.$L63.sipdomain.com" \
        noname + "_sip._udp.$(name_of_length 243 sipdomain.com)" \
        noname 0 "_sip._udp.$L64.sipdomain.com" \
        noname 0 "_$(rep s 63)._udp.sipdomain.com" \
        noname 0 "_sip._udp.$(name_of_length 244 sipdomain.com)" \
        noname 0 "_sip._udp.$(name_of_length 4000 sipdomain.com)" \
        noname 0 _sip._udp.sipdomain..com \
        noname 0 _sip._udp..sipdomain.com \
        noname 0 _sip.._udp.sipdomain.com \
        noname 0 _sip._udp.sipdomain.com.. \
        noname 0 '_sip._udp.sipdom\xc3\xa4in.com' \
        noname 0 '_s\xffp._udp.sipdomain.com' \
        noname 0 '_sip._udp.sip\x0adomain.com'
}

# Proves the same for SRV owner names (no config file): an owner name in any
# case, with or without a trailing dot, resolves to a priority-0 target; a
# 63-octet label and a 253-octet owner name are queried (and do not exist);
# a 64-octet label (in the domain or the _service label), 254+ octets, empty
# labels anywhere, a doubled trailing dot and non-ASCII / control octets give
# EAI_NONAME / HOST_NOT_FOUND without any DNS query, and nothing crashes.
robust_names_owner() {
    robust_build
    owner_names >names.txt
    local n
    n=$(awk -F'\t' 'NR == 7 { print length($3) }' names.txt)
    expect_eq "length of the longest valid owner name" 253 "$n"
    names_check names.txt
}

# Proves every hostile name above goes through the module (getaddrinfo
# AF_UNSPEC and gethostbyname) under valgrind memcheck with zero errors and
# nothing definitely lost (--run-libc-freeres=no: see 86-robust-memcheck.sh;
# this case is about the names, not about unloading).
robust_names_memcheck() {
    need_cmd valgrind
    robust_build
    write_conf "domain .example.com"
    local specs=() name
    while IFS=$'\t' read -r _ _ name; do
        specs+=("gai:$name" "ghbn:$name")
    done < <(suffix_names; owner_names)
    valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
        --run-libc-freeres=no --log-file="$CASE_DIR/vg.txt" \
        "$RB/lookup" "${specs[@]}" >out.txt 2>err.txt
    local rc=$?
    robust_no_crash "lookup under valgrind" "$rc"
    expect_eq "results" "${#specs[@]}" "$(grep -c ' => ' out.txt)"
    local errs
    errs=$(grep -o 'ERROR SUMMARY: [0-9,]* errors' vg.txt | tail -n 1)
    note "valgrind: $errs; $(grep -o 'definitely lost: .*' vg.txt | tail -n 1)"
    if [ "$rc" != 0 ]; then
        grep -v '^==[0-9]*== *$' vg.txt | sed 's/^/#   /' | head -n 80 >&2
        fail "valgrind: ${errs:-exit $rc}"
    fi
    expect_eq "valgrind errors" "ERROR SUMMARY: 0 errors" "$errs"
}
