#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes the seed corpora of the fuzz harnesses (fuzz/corpus/answer and
fuzz/corpus/config).  The generated files are committed; run this again only
to change them:

    /usr/bin/python3 fuzz/make_corpus.py

Needs python3-dnslib (Debian package) for the well-formed messages; the
malformed ones are assembled byte by byte.

Answer seeds are DNS messages in wire format.  A seed may hold several
messages separated by SEPARATOR: fuzz_answer parses each one, and its fake
transport answers the engine's queries with them (see fuzz/fuzz_answer.c).
"""

import os
import struct
import sys

from dnslib import (AAAA, CNAME, DNSHeader, DNSQuestion, DNSRecord, NS, QTYPE, RCODE, RR, SOA,
                    SRV, A, CLASS)

HERE = os.path.dirname(os.path.abspath(__file__))
ANSWER_DIR = os.path.join(HERE, "corpus", "answer")
CONFIG_DIR = os.path.join(HERE, "corpus", "config")
# Inputs that exposed bugs of src/ (fuzz/regressions/README.md).
REGRESSION_DIR = os.path.join(HERE, "regressions", "answer")
REGRESSIONS = ("scenario-fallback-cname-odd", "scenario-fallback-cname-root")

# Keep in sync with fuzz/fuzz_answer.c.
SEPARATOR = b"\xff\xffMSG"

# Message ids: fuzz_answer's fake transport maps a reply the way libresolv
# does (NXDOMAIN, NODATA, SERVFAIL...) unless bit 15 of the id is set, in
# which case it hands the reply to the engine as it is.
ID_MAPPED = 0x1234
ID_RAW = 0x9234


def message(qname, qtype, answers=(), authority=(), additional=(), rcode=RCODE.NOERROR,
            ident=ID_MAPPED, aa=True, qclass=CLASS.IN):
    rec = DNSRecord(DNSHeader(id=ident, qr=1, aa=int(aa), rd=1, ra=1, rcode=rcode),
                    q=DNSQuestion(qname, qtype, qclass))
    for rr in answers:
        rec.add_answer(rr)
    for rr in authority:
        rec.add_auth(rr)
    for rr in additional:
        rec.add_ar(rr)
    return rec.pack()


def srv(owner, prio, weight, port, target, ttl=3600):
    return RR(owner, QTYPE.SRV, rdata=SRV(prio, weight, port, target), ttl=ttl)


def a(owner, addr, ttl=3600):
    return RR(owner, QTYPE.A, rdata=A(addr), ttl=ttl)


def aaaa(owner, addr, ttl=3600):
    return RR(owner, QTYPE.AAAA, rdata=AAAA(addr), ttl=ttl)


def cname(owner, target, ttl=3600):
    return RR(owner, QTYPE.CNAME, rdata=CNAME(target), ttl=ttl)


def soa(zone):
    return RR(zone, QTYPE.SOA, ttl=3600,
              rdata=SOA("ns1." + zone, "root." + zone, (1995032001, 3600, 3600, 604800, 86400)))


# ---- the seed zones (test/e2e/zones) ---------------------------------------

SIP = "_sip._udp.sipdomain.com."
SIP_RRSET = [
    srv(SIP, 0, 1, 5060, "1x-load.sipdomain.com."),
    srv(SIP, 0, 3, 5060, "3x-load.sipdomain.com."),
    srv(SIP, 1, 0, 5060, "failover1.sipdomain.com."),
    srv(SIP, 1, 0, 5060, "failover2.sipdomain.com."),
    srv(SIP, 2, 0, 5060, "offsite-failover1.elsewhere.ca."),
    srv(SIP, 2, 0, 5060, "offsite-failover2.elsewhere.ca."),
]
SIP_NS = [RR("sipdomain.com.", QTYPE.NS, rdata=NS(n), ttl=3600)
          for n in ("ns1.sipdomain.com.", "ns1.elsewhere.ca.", "ns2.elsewhere.ca.")]
SIP_GLUE = [
    a("1x-load.sipdomain.com.", "127.0.0.11"),
    a("3x-load.sipdomain.com.", "127.0.0.13"),
    a("failover1.sipdomain.com.", "127.0.0.21"),
    a("failover2.sipdomain.com.", "127.0.0.22"),
    a("ns1.sipdomain.com.", "127.0.0.10"),
]

FOOBAR = "_foobar._tcp.example.com."
FOOBAR_RRSET = [
    srv(FOOBAR, 0, 1, 9, "old-slow-box.example.com."),
    srv(FOOBAR, 0, 3, 9, "new-fast-box.example.com."),
    srv(FOOBAR, 1, 0, 9, "sysadmins-box.example.com."),
    srv(FOOBAR, 1, 0, 9, "server.example.com."),
]
FOOBAR_GLUE = [
    a("server.example.com.", "127.0.0.34"),
    a("old-slow-box.example.com.", "127.0.0.31"),
    a("sysadmins-box.example.com.", "127.0.0.33"),
    a("new-fast-box.example.com.", "127.0.0.32"),
]


def well_formed():
    seeds = {}
    seeds["sipdomain-sip-udp"] = message(SIP, QTYPE.SRV, SIP_RRSET, SIP_NS, SIP_GLUE)
    seeds["sipdomain-sip-udp-noglue"] = message(SIP, QTYPE.SRV, SIP_RRSET, SIP_NS)
    seeds["sipdomain-sip-udp-raw"] = message(SIP, QTYPE.SRV, SIP_RRSET, SIP_NS, SIP_GLUE,
                                             ident=ID_RAW)
    seeds["sipdomain-sip-udp-0x20"] = message("_SiP._uDp.SIPdomain.cOm.", QTYPE.SRV,
                                              [srv("_sip._UDP.sipdomain.com.", r.rdata.priority,
                                                   r.rdata.weight, r.rdata.port,
                                                   str(r.rdata.target).upper())
                                               for r in SIP_RRSET], [], SIP_GLUE)
    seeds["example-foobar-tcp"] = message(FOOBAR, QTYPE.SRV, FOOBAR_RRSET, [], FOOBAR_GLUE)
    seeds["example-foobar-tcp-noglue"] = message(FOOBAR, QTYPE.SRV, FOOBAR_RRSET)
    # "*._tcp SRV 0 0 0 ." answering any other service.
    seeds["wildcard-dot"] = message("_stun._tcp.sipdomain.com.", QTYPE.SRV,
                                    [srv("_stun._tcp.sipdomain.com.", 0, 0, 0, ".")])
    seeds["dot-plus-real"] = message(SIP, QTYPE.SRV,
                                     [srv(SIP, 0, 0, 0, "."),
                                      srv(SIP, 0, 5, 5060, "1x-load.sipdomain.com.")],
                                     [], SIP_GLUE[:1])
    big = "_sip._udp.big.test."
    rrset = [srv(big, i % 4, (i * 7919) % 65536, 5060 if i % 5 else 5061,
                 "host%02d.big.test." % i) for i in range(30)]
    glue = []
    for i in range(0, 30, 2):
        glue.append(a("host%02d.big.test." % i, "10.0.%d.%d" % (i, i + 1)))
        glue.append(aaaa("host%02d.big.test." % i, "2001:db8::%x" % (i + 1)))
    seeds["rrset-30"] = message(big, QTYPE.SRV, rrset, [], glue)
    seeds["rrset-30-maxweights"] = message(big, QTYPE.SRV,
                                           [srv(big, 7, 65535, 5060, "h%d.big.test." % i)
                                            for i in range(30)])
    # Address answers.
    seeds["a-1x-load"] = message("1x-load.sipdomain.com.", QTYPE.A,
                                 [a("1x-load.sipdomain.com.", "127.0.0.11", ttl=60)])
    seeds["aaaa-host"] = message("host00.big.test.", QTYPE.AAAA,
                                 [aaaa("host00.big.test.", "2001:db8::1"),
                                  aaaa("host00.big.test.", "2001:db8::2")])
    seeds["a-20-addresses"] = message("many.test.", QTYPE.A,
                                      [a("many.test.", "192.0.2.%d" % i) for i in range(1, 21)])
    seeds["a-duplicates"] = message("dup.test.", QTYPE.A, [a("dup.test.", "192.0.2.1")] * 4)
    seeds["aaaa-nodata"] = message("1x-load.sipdomain.com.", QTYPE.AAAA, [],
                                   [soa("sipdomain.com.")])
    seeds["nxdomain"] = message("_sip._tcp.nope.test.", QTYPE.SRV, [], [soa("test.")],
                                rcode=RCODE.NXDOMAIN)
    seeds["nxdomain-raw"] = message("_sip._tcp.nope.test.", QTYPE.SRV, [], [soa("test.")],
                                    rcode=RCODE.NXDOMAIN, ident=ID_RAW)
    seeds["nodata-srv"] = message("_sip._tcp.sipdomain.com.", QTYPE.SRV, [],
                                  [soa("sipdomain.com.")])
    seeds["servfail"] = message(SIP, QTYPE.SRV, rcode=RCODE.SERVFAIL)
    seeds["refused-raw"] = message(SIP, QTYPE.SRV, rcode=RCODE.REFUSED, ident=ID_RAW)
    # CNAME chains.
    seeds["cname-srv"] = message("_sip._udp.alias.test.", QTYPE.SRV,
                                 [cname("_sip._udp.alias.test.", "_sip._udp.real.test."),
                                  srv("_sip._udp.real.test.", 0, 0, 5060, "pbx.real.test.")],
                                 [], [a("pbx.real.test.", "192.0.2.7")])
    seeds["cname-a"] = message("pbx.alias.test.", QTYPE.A,
                               [cname("pbx.alias.test.", "pbx2.alias.test."),
                                cname("pbx2.alias.test.", "pbx.real.test."),
                                a("pbx.real.test.", "192.0.2.7")])
    hops = [cname("c%d.test." % i, "c%d.test." % (i + 1)) for i in range(12)]
    seeds["cname-12-hops"] = message("c0.test.", QTYPE.A, hops + [a("c12.test.", "192.0.2.9")])
    seeds["cname-loop"] = message("_sip._udp.loop.test.", QTYPE.SRV,
                                  [cname("_sip._udp.loop.test.", "x.loop.test."),
                                   cname("x.loop.test.", "_sip._udp.loop.test.")])
    # Question for another name / type / class than the records.
    seeds["other-name"] = message("_sip._udp.other.test.", QTYPE.SRV, SIP_RRSET, [], SIP_GLUE)
    seeds["other-type"] = message(SIP, QTYPE.A, SIP_RRSET, [], SIP_GLUE)
    seeds["other-class"] = message(SIP, QTYPE.SRV, SIP_RRSET, [], SIP_GLUE, qclass=CLASS.CH)
    seeds["duplicates"] = message(SIP, QTYPE.SRV, SIP_RRSET[:2] * 5 + SIP_RRSET, [], SIP_GLUE)
    seeds["glue-aaaa-and-a"] = message(SIP, QTYPE.SRV, SIP_RRSET[:2], [],
                                       [a("1x-load.sipdomain.com.", "127.0.0.11"),
                                        aaaa("1x-load.sipdomain.com.", "::1"),
                                        aaaa("3x-load.sipdomain.com.", "::3")])
    # 1000 records (the engine keeps SRV_MAX_RECORDS of them).
    recs = [srv(big, i % 3, i % 17, 5060, "t%d.big.test." % i, ttl=i) for i in range(1000)]
    seeds["rrset-1000"] = message(big, QTYPE.SRV, recs)
    # Engine scenarios: an SRV answer without glue followed by the address
    # answers the engine asks for next (the fake transport picks the message
    # whose question matches each query).
    seeds["scenario-sip"] = SEPARATOR.join([
        message(SIP, QTYPE.SRV, SIP_RRSET),
    ] + [message(rr.rname, QTYPE.A, [rr]) for rr in SIP_GLUE[:4]] + [
        message("offsite-failover1.elsewhere.ca.", QTYPE.A,
                [a("offsite-failover1.elsewhere.ca.", "127.0.0.41")]),
        message("offsite-failover2.elsewhere.ca.", QTYPE.AAAA,
                [aaaa("offsite-failover2.elsewhere.ca.", "::42")]),
        message("1x-load.sipdomain.com.", QTYPE.AAAA, [aaaa("1x-load.sipdomain.com.", "::11")]),
    ])
    seeds["scenario-fallback"] = SEPARATOR.join([
        message("_sip._udp.plain.test.", QTYPE.SRV, [], [soa("plain.test.")],
                rcode=RCODE.NXDOMAIN),
        message("_sip._tcp.plain.test.", QTYPE.SRV, [], [soa("plain.test.")]),
        message("plain.test.", QTYPE.A, [cname("plain.test.", "www.plain.test."),
                                        a("www.plain.test.", "192.0.2.80")]),
        message("plain.test.", QTYPE.AAAA, [aaaa("plain.test.", "2001:db8::80")]),
    ])
    seeds["scenario-cname-target"] = SEPARATOR.join([
        message(FOOBAR, QTYPE.SRV, FOOBAR_RRSET),
        message("old-slow-box.example.com.", QTYPE.A,
                [cname("old-slow-box.example.com.", "server.example.com."),
                 a("server.example.com.", "127.0.0.34")]),
        message("new-fast-box.example.com.", QTYPE.A, [], [soa("example.com.")],
                rcode=RCODE.SERVFAIL),
        message("sysadmins-box.example.com.", QTYPE.A, [a("sysadmins-box.example.com.",
                                                          "127.0.0.33")]),
    ])
    return seeds


# ---- malformed messages, byte by byte ---------------------------------------

def header(ident=ID_RAW, flags=0x8580, qd=1, an=0, ns=0, ar=0):
    return struct.pack(">HHHHHH", ident, flags, qd, an, ns, ar)


def wire_name(text):
    out = b""
    for label in text.strip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\x00"


def question(name=SIP, qtype=33, qclass=1):
    return wire_name(name) + struct.pack(">HH", qtype, qclass)


def rr_bytes(owner, rtype, rdata, rclass=1, ttl=3600, rdlength=None):
    if rdlength is None:
        rdlength = len(rdata)
    return owner + struct.pack(">HHIH", rtype, rclass, ttl, rdlength) + rdata


def srv_rdata(target, prio=0, weight=0, port=5060):
    return struct.pack(">HHH", prio, weight, port) + target


PTR_Q = b"\xc0\x0c"  # pointer to the question name


def malformed():
    seeds = {}
    q = question()
    good = rr_bytes(PTR_Q, 33, srv_rdata(wire_name("pbx.sipdomain.com")))
    body = header(an=1) + q
    target = len(body) + 12 + 6  # offset of the SRV target
    # A pointer to itself, and a label followed by a pointer back to it.
    seeds["bad-compression-loop"] = body + rr_bytes(PTR_Q, 33, srv_rdata(b"\xc0" + bytes([target])))
    seeds["bad-compression-loop-label"] = body + rr_bytes(
        PTR_Q, 33, srv_rdata(b"\x01a\xc0" + bytes([target])))
    # Two pointers that point at each other.
    seeds["bad-pointer-pair"] = body + rr_bytes(
        PTR_Q, 33, srv_rdata(b"\xc0" + bytes([target + 2]) + b"\xc0" + bytes([target])))
    seeds["bad-forward-pointer"] = header(an=1) + q + rr_bytes(
        PTR_Q, 33, srv_rdata(b"\xc0\xff")) + b"\x03pbx\x00" + b"\x00" * 200
    seeds["bad-pointer-past-end"] = header(an=1) + q + rr_bytes(PTR_Q, 33, srv_rdata(b"\xff\xff"))
    seeds["bad-pointer-half"] = header(an=1) + q + PTR_Q + struct.pack(">HHIH", 33, 1, 60, 7) + \
        b"\x00\x00\x00\x00\x13\xc4\xc0"
    seeds["bad-rdlength-past-end"] = header(an=2) + q + good + rr_bytes(
        PTR_Q, 33, srv_rdata(wire_name("x.sipdomain.com")), rdlength=400)
    seeds["bad-counts-too-large"] = header(an=60000, ns=60000, ar=60000) + q + good + good
    seeds["bad-qdcount-0"] = header(qd=0, an=1) + good[2:]
    seeds["bad-qdcount-2"] = header(qd=2, an=1) + q + q + good
    seeds["bad-header-only"] = header(qd=0)
    seeds["bad-short"] = header()[:7]
    seeds["bad-truncated-question"] = header() + q[:-3]
    seeds["bad-tc-bit"] = header(flags=0x8780, an=1) + q + good
    seeds["bad-not-response"] = header(flags=0x0100, an=1) + q + good
    seeds["target-empty-rdata6"] = header(an=1) + q + rr_bytes(PTR_Q, 33, srv_rdata(b""))
    seeds["target-root"] = header(an=1) + q + rr_bytes(PTR_Q, 33, srv_rdata(b"\x00"))
    seeds["target-trailing-junk"] = header(an=1) + q + rr_bytes(
        PTR_Q, 33, srv_rdata(wire_name("pbx.sipdomain.com") + b"junk"))
    seeds["target-rdlength-short"] = header(an=1) + q + rr_bytes(
        PTR_Q, 33, srv_rdata(wire_name("pbx.sipdomain.com")), rdlength=10) + b"\x00" * 12
    long_target = b"".join(b"\x3f" + b"a" * 63 for _ in range(4)) + b"\x28" + b"b" * 40 + b"\x00"
    seeds["target-300-octets"] = header(an=1) + q + rr_bytes(PTR_Q, 33, srv_rdata(long_target))
    max_target = b"".join(b"\x3f" + b"a" * 63 for _ in range(3)) + b"\x3d" + b"c" * 61 + b"\x00"
    seeds["target-255-octets"] = header(an=1, ar=1) + q + rr_bytes(
        PTR_Q, 33, srv_rdata(max_target)) + rr_bytes(max_target, 1, b"\xc0\x00\x02\x01")
    seeds["target-label-64"] = header(an=1) + q + rr_bytes(
        PTR_Q, 33, srv_rdata(b"\x40" + b"a" * 64 + b"\x00"))
    seeds["target-extended-label"] = header(an=1) + q + rr_bytes(
        PTR_Q, 33, srv_rdata(b"\x81" + b"a" + b"\x00"))
    seeds["target-odd-octets"] = header(an=2) + q + rr_bytes(
        PTR_Q, 33, srv_rdata(b"\x05a b.c\x03com\x00")) + rr_bytes(
        PTR_Q, 33, srv_rdata(b"\x03a\x00b\x01*\x00"))
    # Name compressed into the middle of another name, and into the header.
    seeds["pointer-into-label"] = header(an=1) + q + rr_bytes(
        PTR_Q, 33, srv_rdata(b"\x03pbx\xc0\x16"))
    seeds["pointer-into-header"] = header(an=1) + q + rr_bytes(
        PTR_Q, 33, srv_rdata(b"\xc0\x02"))
    # 1000 records that all point back into the first one.
    body = header(an=1000) + q
    first = len(body) + 12 + 6
    recs = [rr_bytes(PTR_Q, 33, srv_rdata(wire_name("t0.sipdomain.com"), 0, 0, 5060))]
    for i in range(1, 1000):
        label = ("t%d" % i).encode()
        recs.append(rr_bytes(PTR_Q, 33, srv_rdata(bytes([len(label)]) + label +
                                                   b"\xc0" + bytes([first + 3]), i % 5, i, 5060)))
    seeds["rrset-1000-compressed"] = body + b"".join(recs)
    # The same record 50 times.
    seeds["duplicates-50"] = header(an=50) + q + good * 50
    # SRV records whose owner is a pointer to a pointer.
    seeds["owner-pointer-chain"] = header(an=1) + q + rr_bytes(PTR_Q, 5, b"\xc0\x0c") + b""
    # A records with the wrong RDLENGTH among good ones.
    aq = question("pbx.test", 1)
    seeds["a-bad-rdlength"] = header(an=3) + aq + rr_bytes(PTR_Q, 1, b"\x01\x02\x03") + \
        rr_bytes(PTR_Q, 1, b"\x01\x02\x03\x04\x05") + rr_bytes(PTR_Q, 1, b"\xc0\x00\x02\x05")
    seeds["aaaa-bad-rdlength"] = header(an=2) + question("pbx.test", 28) + \
        rr_bytes(PTR_Q, 28, b"\x20\x01" * 7) + rr_bytes(PTR_Q, 28, b"\x20\x01" * 8)
    seeds["a-root-owner"] = header(an=1) + question(".", 1) + rr_bytes(b"\x00", 1,
                                                                        b"\xc0\x00\x02\x01")
    seeds["cname-bad-rdata"] = header(an=2) + question("pbx.test", 1) + \
        rr_bytes(PTR_Q, 5, b"\x03www\xc0\x0c" + b"zz") + rr_bytes(PTR_Q, 1, b"\xc0\x00\x02\x01")
    # Fallback whose CNAME leads to a name that is not a host name, or to ".".
    plain_srv = [message("_sip._udp.plain.test.", QTYPE.SRV, [], [soa("plain.test.")],
                         rcode=RCODE.NXDOMAIN),
                 message("_sip._tcp.plain.test.", QTYPE.SRV, [], [soa("plain.test.")],
                         rcode=RCODE.NXDOMAIN)]
    aq = question("plain.test", 1)
    alias = 12 + len(aq) + 12  # offset of the CNAME's RDATA
    seeds["scenario-fallback-cname-odd"] = SEPARATOR.join(plain_srv + [
        header(ident=ID_MAPPED, an=2) + aq + rr_bytes(PTR_Q, 5, b"\x03x y\xc0\x0c") +
        rr_bytes(b"\xc0" + bytes([alias]), 1, b"\xc0\x00\x02\x50")])
    seeds["scenario-fallback-cname-root"] = SEPARATOR.join(plain_srv + [
        header(ident=ID_MAPPED, an=2) + aq + rr_bytes(PTR_Q, 5, b"\x00") +
        rr_bytes(b"\x00", 1, b"\xc0\x00\x02\x50")])
    seeds["empty"] = b""
    return seeds


# ---- config files -------------------------------------------------------------

CONFIGS = {
    "example": open(os.path.join(HERE, "..", "srvsip.conf.example"), "rb").read()
    if os.path.exists(os.path.join(HERE, "..", "srvsip.conf.example")) else b"",
    "minimal": b"domain sipdomain.com\n",
    "full": b"""# every keyword
debug
allow-cname
domain sipdomain.com
domain SIPDOMAIN.org.
domain .example.org port 5061 services _sips._tcp
domain .voip.example.org services _sip._udp,_sip._tcp,_iax._udp,_stun._udp port 5080
program sipp
program twinkle port 5060 services _sip._udp,_sip._tcp
\tprogram\tlinphone\t port\t5062 # trailing comment
""",
    "malformed": b"""debug extra
domain
domain bad..name
domain .
domain -ok.example port 0
domain a.example port 65536
domain b.example port 5x
domain c.example port
domain d.example services sip._udp
domain e.example services _sip._udp,_sip._tcp,_a._b,_c._d,_e._f
domain f.example services _sip
domain g.example services _sip._udp._x
domain h.example colour blue
program a/b
program
unknown keyword
DOMAIN upper.example
domain one two three four five six seven eight
domain \x01ctl.example
domain caf\xc3\xa9.example
domain good.example
""",
    "crlf": b"domain crlf.example\r\nprogram sipp\r\n\r\n",
    "nul": b"domain nul.example\x00\ndomain after.example\n",
    "long-line": b"domain " + b"a" * 2000 + b".example\ndomain after.example\n",
    "long-name": b"domain " + b".".join([b"a" * 63] * 4) + b"\ndomain " +
                 b".".join([b"b" * 63] * 3) + b"." + b"c" * 61 + b"\n",
    "no-newline": b"domain last.example port 5070",
    "suffixes": b"domain .org\ndomain .example.org\ndomain .a.example.org\n"
                b"domain a.example.org\ndomain .A.EXAMPLE.ORG port 7\n",
    "empty": b"",
}


def write_all(directory, seeds):
    os.makedirs(directory, exist_ok=True)
    for name, data in sorted(seeds.items()):
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)


def main():
    seeds = well_formed()
    seeds.update(malformed())
    write_all(REGRESSION_DIR, {"canon-name-" + k: seeds.pop(k) for k in REGRESSIONS})
    write_all(ANSWER_DIR, seeds)
    write_all(CONFIG_DIR, CONFIGS)
    print("%d answer seeds, %d config seeds" % (len(seeds), len(CONFIGS)), file=sys.stderr)


if __name__ == "__main__":
    main()
