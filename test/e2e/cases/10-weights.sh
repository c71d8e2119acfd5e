# shellcheck shell=bash disable=SC2317
# RFC 2782 weighted selection seen by unmodified programs.  Every case runs
# against NSD (records in zone-file order) and BIND (random order in every
# answer, so selection cannot depend on the order): _nsd / _bind.
#
# Statistics: N = 2000 lookups of a priority-0 group with weights 1 and 3.
# The heavy target's count is Binomial(2000, 0.75): mean 1500, sigma =
# sqrt(2000 * 0.75 * 0.25) = 19.4.  We accept |count - 1500| <= 5 sigma (97):
# a correct module fails this about 6e-7 of the time; a module that ignores
# weights (50%: 1000) or always takes the first record (0 or 2000) cannot pass.
# getent costs a process per lookup (~15 ms here), so its cases use N = 400:
# sigma 8.7, accept 300 +- 43 (64%..86%), same 6e-7 false-failure rate; a
# 50% module (200) still cannot pass.  Against BIND the getent cases use
# N = 200 (they are there for BIND's random record order, and time counts):
# sigma 6.1, accept 150 +- 31 (60%..90%), same 6e-7; a 50% module (100)
# still cannot pass.

N_WEIGHTS=2000
N_GETENT=400
N_GETENT_BIND=200

# n_getent: N_GETENT, or N_GETENT_BIND against BIND.
n_getent() { if [ "${CASE_SERVER:-nsd}" = bind ]; then echo "$N_GETENT_BIND"; else echo "$N_GETENT"; fi; }

e2e_case_servers sip_weights_gai sip_weights_gai module
e2e_case_servers sip_weights_getent_owner sip_weights_getent_owner module
e2e_case_servers foobar_weights_gai foobar_weights_gai module
e2e_case_servers foobar_weights_getent_v4 foobar_weights_getent_v4 module

# check_weights N FILE WHAT LIGHT HEAVY: all N lookups answered, first
# address always LIGHT or HEAVY, HEAVY at 3/4 within 5 sigma.
check_weights() {
    local n=$1 f=$2 what=$3 light=$4 heavy=$5
    note "counts: $(tr '\n' ';' <"$f")"
    expect_eq "$what: failed lookups" "" "$(vals "$f" error)"
    expect_eq "$what: answered lookups" "$n" "$(total "$f" first)"
    local a
    for a in $(vals "$f" first); do
        expect_in "$what: first address (priority 0 only)" "$a" "$light" "$heavy"
    done
    expect_ratio "$what: heavy target $heavy first" "$(cnt "$f" first "$heavy")" "$n" 0.75
}

# Proves getaddrinfo("sipdomain.com", "sipsrv") (pseudo-service pairing, no
# config file, gethostbyname4_r) picks 3x-load:1x-load at 3:1, port 5060,
# only the selected target's address, never a priority-1/2 target.
sip_weights_gai() {
    gai gai sipdomain.com sipsrv -n "$N_WEIGHTS" >out || fail "gai.py failed"
    check_weights "$N_WEIGHTS" out "getaddrinfo sipsrv" 127.0.0.11 127.0.0.13
    expect_eq "ports" 5060 "$(vals out port)"
    expect_eq "one address per result (selected target only)" "$N_WEIGHTS" "$(total out addr)"
}

# Proves the SRV owner-name path through getent (gethostbyname4_r, bare
# namespace) weighs 1x-load:3x-load at 1:3 and names the selected target.
sip_weights_getent_owner() {
    local n
    n=$(n_getent)
    getent_loop "$n" out -s hosts:srvsip ahosts _sip._udp.sipdomain.com
    check_weights "$n" out "getent ahosts _sip._udp" 127.0.0.11 127.0.0.13
    expect_eq "addresses per lookup (selected target only)" 1 "$(vals out naddr)"
    expect_eq "canonical names" "127.0.0.11:1x-load.sipdomain.com 127.0.0.13:3x-load.sipdomain.com" \
        "$(vals out canon)"
}

# Proves RFC 2782's own example: _foobar._tcp.example.com (port 9, owner names
# accept any port) gives old-slow-box:new-fast-box at 1:3, never the priority-1
# sysadmins-box/server, via python getaddrinfo (gethostbyname4_r).
foobar_weights_gai() {
    gai gai _foobar._tcp.example.com -n "$N_WEIGHTS" >out || fail "gai.py failed"
    check_weights "$N_WEIGHTS" out "getaddrinfo _foobar._tcp" 127.0.0.31 127.0.0.32
    expect_eq "one address per result" "$N_WEIGHTS" "$(total out addr)"
}

# Proves the same 1:3 split on the IPv4-only path: with 127.0.0.2 on lo,
# getent ahosts (AI_ADDRCONFIG) narrows to AF_INET -> gethostbyname3_r, which
# like every getaddrinfo path returns the selected target's address only.
foobar_weights_getent_v4() {
    addr_mode v4
    local n
    n=$(n_getent)
    getent_loop "$n" out -s hosts:srvsip ahosts _foobar._tcp.example.com
    check_weights "$n" out "getent ahosts v4 _foobar._tcp" 127.0.0.31 127.0.0.32
    expect_eq "addresses per lookup (selected target only)" 1 "$(vals out naddr)"
    expect_eq "canonical names" "127.0.0.31:old-slow-box.example.com 127.0.0.32:new-fast-box.example.com" \
        "$(vals out canon)"
}
