# shellcheck shell=bash disable=SC2317
# Target "." means "decidedly not available": no fallback to addresses.
# Against NSD and BIND (_nsd / _bind).

e2e_case_servers dot_target_noname dot_target_noname module

# Proves _x._tcp.example.com (wildcard SRV 0 0 0 .) fails with EAI_NONAME
# (gaierror -2) / gethostbyname HOST_NOT_FOUND, and no A/AAAA query is ever
# sent: the SRV RRset decides (NOTFOUND), so the module does not step aside
# and the dns module is not asked after [NOTFOUND=return].
dot_target_noname() {
    qlog_mark
    gai gai _x._tcp.example.com -n 3 >out || fail "gai.py failed"
    expect_eq "getaddrinfo result" "error -2 3" "$(cat out)"
    gai ghbn _x._tcp.example.com >out2 || fail "gai.py failed"
    expect_eq "gethostbyname h_errno (HOST_NOT_FOUND)" "error h1 1" "$(cat out2)"
    getent -s hosts:srvsip ahosts _x._tcp.example.com >/dev/null
    expect_eq "getent -s hosts:srvsip exit status (2 = not found)" 2 "$?"
    note "queries: $(qlog_since | awk '{print $3, $4}' | sort | uniq -c | tr '\n' ';')"
    expect_ne "SRV queries for _x._tcp.example.com" 0 "$(qlog_count SRV _x._tcp.example.com)"
    expect_eq "A queries" 0 "$(qlog_count A)"
    expect_eq "AAAA queries" 0 "$(qlog_count AAAA)"
    expect_eq "queries for other names" 0 \
        "$(qlog_since | awk '$4 != "_x._tcp.example.com."' | grep -c .)"
}
