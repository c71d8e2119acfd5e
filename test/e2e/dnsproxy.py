#!/usr/bin/python3
"""Logging (and fault-injecting) DNS proxy for the e2e rig.

NSD cannot log queries, so the rig puts this proxy on 127.0.0.1:53 (the
address in the namespace's resolv.conf) and [::1]:53 in front of the real
server.  Every query is logged as one line:

    <epoch> <udp|tcp> <QTYPE> <qname> <action> from=<addr>#<port> to=<addr> id=<ID> edns=<edns> ad=<0|1>

(qname lower-cased, with its trailing dot), so a case can prove which queries
a lookup did or did not send, and how: from= is the sender's address and
source port, to= the proxy address the query reached (--listen, with %scope
for a link-local one), id= the message ID, edns= "-" without an OPT record,
else PAYLOAD/VERSION of the first one (e.g. 1200/0), ad= the AD bit.  The
first five columns never change (cases read them by position).

Optional rules file (re-read when it changes), first match wins, one rule per
line, '#' comments:

    NAME TYPE ACTION [ARG]

NAME is an exact name, '*' or '*.suffix'; TYPE is a QTYPE or '*'. ACTION:
    pass            forward unchanged
    servfail        answer SERVFAIL          refused   answer REFUSED
    nxdomain        answer NXDOMAIN          drop      never answer
    delay MS        forward after MS milliseconds
    tc              over UDP answer empty with TC=1 (TCP is forwarded)
    tc notcp        over UDP answer empty with TC=1; over TCP reset the
                    connection without answering (no TCP service)
    tc hang         over UDP answer empty with TC=1; over TCP read the query
                    and never answer, the connection left open until the
                    client closes it (a server whose TCP side is stuck)
    noadditional    forward, strip the additional section
    badid           forward, answer with a wrong message ID
    malformed KIND  forward, then break the answer (its first answer record):
                      loop     owner name is a compression pointer to itself
                      ptrpast  owner name points past the end of the message
                      rdlen    RDLENGTH runs past the end of the message
                      counts   ANCOUNT/NSCOUNT/ARCOUNT larger than the records
                               the message holds (each + 5)
    flood [MS]      never answer: for MS milliseconds (default 3000) send the
                    sender the real answer under wrong message IDs, as fast
                    as possible (UDP only; the count goes to stdout as
                    "flood QNAME QTYPE N packets in S s")
    badsrv KIND     forward, then corrupt the RDATA of the answer section's
                    first SRV record only: the message stays well-formed
                    (RDLENGTH matches, every other record intact), that
                    one record is not a valid SRV record:
                      short    RDATA of 3 octets
                      loop     target: a compression pointer to itself
                      long     target of 321 octets (five 63-octet labels)
                      nothost  target "bad!host.test." (not a host name)
                      slack    the target, then 2 octets more in the RDATA

Listen: --listen HOST:PORT, repeatable (UDP and TCP on each); an IPv6
address may be written [ADDR]:PORT, a link-local one with its scope,
[fe80::53%veth0]:53.

Upstream: --upstream HOST:PORT, or the first line of --upstream-file when
that file exists (re-read when it changes): the rig switches a case between
NSD and BIND without restarting the proxy.

Debian's /usr/bin/python3 has python3-dnslib.
"""
import argparse
import os
import socket
import socketserver
import struct
import sys
import threading
import time

from dnslib import DNSLabel, DNSRecord, QTYPE, RCODE, RD

RESET = object()   # handle(): reset the TCP connection instead of answering
HANG = object()    # handle(): keep the TCP connection open, never answer
UPSTREAM = None
UPSTREAM_DEFAULT = None
UPSTREAM_PATH = None
UPSTREAM_STAMP = None
UPSTREAM_LOCK = threading.Lock()
LOG = None
LOG_LOCK = threading.Lock()
RULES_PATH = None
RULES = []
RULES_STAMP = None
RULES_LOCK = threading.Lock()


def load_rules():
    global RULES, RULES_STAMP
    if not RULES_PATH:
        return []
    with RULES_LOCK:
        try:
            st = os.stat(RULES_PATH)
            stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            RULES, RULES_STAMP = [], None
            return RULES
        if stamp != RULES_STAMP:
            rules = []
            with open(RULES_PATH) as f:
                for line in f:
                    words = line.split('#', 1)[0].split()
                    if len(words) < 3:
                        continue
                    name = words[0].lower().rstrip('.') + '.' if words[0] != '*' else '*'
                    rules.append((name, words[1].upper(), words[2].lower(), words[3:]))
            RULES, RULES_STAMP = rules, stamp
        return RULES


def upstream():
    """The server to forward to: --upstream-file's first line, else --upstream."""
    global UPSTREAM, UPSTREAM_STAMP
    if not UPSTREAM_PATH:
        return UPSTREAM_DEFAULT
    with UPSTREAM_LOCK:
        try:
            st = os.stat(UPSTREAM_PATH)
            stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            UPSTREAM, UPSTREAM_STAMP = UPSTREAM_DEFAULT, None
            return UPSTREAM
        if stamp != UPSTREAM_STAMP:
            try:
                with open(UPSTREAM_PATH) as f:
                    UPSTREAM = hostport(f.readline().strip())
            except (OSError, ValueError):
                UPSTREAM = UPSTREAM_DEFAULT
            UPSTREAM_STAMP = stamp
        return UPSTREAM


def match_rule(qname, qtype):
    for name, rtype, action, args in load_rules():
        if rtype != '*' and rtype != qtype:
            continue
        if name == '*' or name == qname or (
                name.startswith('*.') and qname.endswith(name[1:])):
            return action, args
    return 'pass', []


def addr_text(addr):
    """ADDR#PORT of a socket address (IPv4 or IPv6, scope as %name)."""
    host = addr[0]
    if len(addr) == 4 and addr[3] and '%' not in host:
        try:
            host += '%' + socket.if_indextoname(addr[3])
        except OSError:
            host += '%' + str(addr[3])
    return '%s#%d' % (host, addr[1])


def query_fields(req):
    """The id=, edns= and ad= columns of a parsed query."""
    opt = next((rr for rr in req.ar if rr.rtype == QTYPE.OPT), None)
    edns = '-' if opt is None else '%d/%d' % (opt.rclass, (opt.ttl >> 16) & 0xff)
    return 'id=%d edns=%s ad=%d' % (req.header.id, edns, 1 if req.header.ad else 0)


def log(proto, qtype, qname, action, meta, fields='id=- edns=- ad=-'):
    """One query log line; meta = (sender address, listen address text)."""
    with LOG_LOCK:
        LOG.write('%.6f %s %s %s %s from=%s to=%s %s\n' % (
            time.time(), proto, qtype, qname, action, addr_text(meta[0]), meta[1], fields))
        LOG.flush()


def reply_rcode(req, rcode):
    r = req.reply()
    r.header.rcode = rcode
    r.header.aa = 1
    return r.pack()


def forward_udp(data):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.settimeout(5)
        s.connect(upstream())
        s.send(data)
        return s.recv(65535)
    except OSError:
        return None
    finally:
        s.close()


def recv_exact(sock, n):
    buf = b''
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def forward_tcp(data):
    try:
        with socket.create_connection(upstream(), timeout=5) as s:
            s.sendall(struct.pack('!H', len(data)) + data)
            hdr = recv_exact(s, 2)
            if hdr is None:
                return None
            return recv_exact(s, struct.unpack('!H', hdr)[0])
    except OSError:
        return None


def skip_name(msg, off):
    """Offset after the (possibly compressed) name at off."""
    while True:
        n = msg[off]
        if n & 0xc0 == 0xc0:
            return off + 2
        if n == 0:
            return off + 1
        off += 1 + n


def first_answer(msg):
    """Offset of the first answer record (after the question section)."""
    off = 12
    for _ in range(struct.unpack('!H', msg[4:6])[0]):
        off = skip_name(msg, off) + 4
    return off


def malform(ans, kind):
    """Break a well-formed answer as KIND says (see the module docstring).
    An answer without answer records is returned unchanged."""
    if struct.unpack('!H', ans[6:8])[0] == 0:
        return ans
    rr = first_answer(ans)
    owner_end = skip_name(ans, rr)
    if kind == 'loop':
        return ans[:rr] + struct.pack('!H', 0xc000 | rr) + ans[owner_end:]
    if kind == 'ptrpast':
        return ans[:rr] + struct.pack('!H', 0xc000 | (len(ans) + 64)) + ans[owner_end:]
    if kind == 'rdlen':
        at = owner_end + 8
        return ans[:at] + struct.pack('!H', 0xffff) + ans[at + 2:]
    if kind == 'counts':
        an, ns, ar = struct.unpack('!HHH', ans[6:12])
        return ans[:6] + struct.pack('!HHH', an + 5, ns + 5, ar + 5) + ans[12:]
    return ans


def wire_name(name):
    """Uncompressed wire form of a dnslib name."""
    return b''.join(bytes([len(label)]) + label for label in DNSLabel(name).label) + b'\0'


def bad_srv(ans, kind):
    """Corrupt the first SRV record's RDATA as KIND says (see the module
    docstring); an answer without an SRV record is returned unchanged."""
    msg = DNSRecord.parse(ans)
    idx = next((i for i, rr in enumerate(msg.rr) if rr.rtype == QTYPE.SRV), None)
    if idx is None:
        return ans
    srv = msg.rr[idx].rdata
    head = struct.pack('!HHH', srv.priority, srv.weight, srv.port)
    rdata = {
        'short': head[:3],
        'loop': head + b'\xc0\x00',             # patched below, once its offset is known
        'long': head + (b'\x3f' + b'a' * 63) * 5 + b'\0',
        'nothost': head + b'\x08bad!host\x04test\0',
        'slack': head + wire_name(srv.target) + b'\0\0',
    }.get(kind)
    if rdata is None:
        return ans
    msg.rr[idx].rdata = RD(rdata)       # packed as is, RDLENGTH set to its length
    out = bytearray(msg.pack())
    if kind == 'loop':
        off = first_answer(out)
        for _ in range(idx):            # the answer records before it
            off = skip_name(out, off)
            off += 10 + struct.unpack('!H', out[off + 8:off + 10])[0]
        target = skip_name(out, off) + 10 + 6
        out[target:target + 2] = struct.pack('!H', 0xc000 | target)
    return bytes(out)


def flood(data, meta, ms, qname, qtype):
    """The flood action: the real answer under wrong IDs (never the query's)
    to the sender, from the address it asked, for ms milliseconds."""
    ans = forward_udp(data)
    if ans is None:
        return
    qid = struct.unpack('!H', data[:2])[0]
    sock, dest = meta[2], meta[0]
    t0 = time.monotonic()
    end, sent = t0 + ms / 1000.0, 0
    while time.monotonic() < end:
        for _ in range(64):
            wrong = (qid + 1 + sent % 65535) & 0xffff      # never qid
            try:
                sock.sendto(struct.pack('!H', wrong) + ans[2:], dest)
            except OSError:
                pass
            sent += 1
    print('flood %s %s %d packets in %.2f s' % (qname, qtype, sent, time.monotonic() - t0), flush=True)


def handle(data, proto, meta):
    """Return the answer bytes for one query, or None to stay silent.
    meta: (sender address, listen address text, UDP socket or None)."""
    try:
        req = DNSRecord.parse(data)
        q = req.q
        qname = str(q.qname).lower()
        qtype = QTYPE.get(q.qtype, str(q.qtype))
    except Exception:  # not DNS: forward as is, log it
        log(proto, '?', '?', 'pass', meta)
        return forward_udp(data) if proto == 'udp' else forward_tcp(data)
    action, args = match_rule(qname, qtype)
    log(proto, qtype, qname, action, meta, query_fields(req))
    if action == 'drop':
        return None
    if action == 'flood':
        if proto == 'udp':
            flood(data, meta, int(args[0]) if args else 3000, qname, qtype)
        return None
    if action == 'servfail':
        return reply_rcode(req, RCODE.SERVFAIL)
    if action == 'refused':
        return reply_rcode(req, RCODE.REFUSED)
    if action == 'nxdomain':
        return reply_rcode(req, RCODE.NXDOMAIN)
    if action == 'tc' and args[:1] == ['notcp'] and proto == 'tcp':
        return RESET
    if action == 'tc' and args[:1] == ['hang'] and proto == 'tcp':
        return HANG
    if action == 'tc' and proto == 'udp':
        r = req.reply()
        r.header.tc = 1
        r.header.aa = 1
        return r.pack()
    if action == 'delay':
        time.sleep(int(args[0] if args else 1000) / 1000.0)
    ans = forward_udp(data) if proto == 'udp' else forward_tcp(data)
    if ans is None:
        return None
    if action == 'noadditional':
        r = DNSRecord.parse(ans)
        r.ar = []
        ans = r.pack()
    elif action == 'badid':
        ans = struct.pack('!H', (struct.unpack('!H', ans[:2])[0] + 1) & 0xffff) + ans[2:]
    elif action == 'malformed':
        ans = malform(ans, args[0] if args else 'loop')
    elif action == 'badsrv':
        ans = bad_srv(ans, args[0] if args else 'short')
    return ans


class UDPHandler(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        ans = handle(data, 'udp', (self.client_address, self.server.label, sock))
        if ans is not None and ans is not RESET and ans is not HANG:
            sock.sendto(ans, self.client_address)


class TCPHandler(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request
        s.settimeout(10)
        try:
            while True:
                hdr = recv_exact(s, 2)
                if hdr is None:
                    return
                data = recv_exact(s, struct.unpack('!H', hdr)[0])
                if data is None:
                    return
                ans = handle(data, 'tcp', (self.client_address, self.server.label, None))
                if ans is RESET:
                    # SO_LINGER 0: close() sends RST, as a host without TCP service
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
                    return
                if ans is HANG:
                    s.settimeout(60)
                    while s.recv(512):
                        pass
                    return
                if ans is None:
                    return
                s.sendall(struct.pack('!H', len(ans)) + ans)
        except OSError:
            return


class UDPServer(socketserver.ThreadingMixIn, socketserver.UDPServer):
    daemon_threads = True
    allow_reuse_address = True


class TCPServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def hostport(s):
    host, port = s.rsplit(':', 1)
    return host.strip('[]'), int(port)


def listen_address(s):
    """(family, socket address, label) of a --listen HOST:PORT: IPv4, IPv6
    ([ADDR]:PORT or ADDR:PORT), link-local with its scope (fe80::1%eth0)."""
    host, port = hostport(s)
    family = socket.AF_INET6 if ':' in host else socket.AF_INET
    info = socket.getaddrinfo(host, port, family, socket.SOCK_DGRAM, 0, socket.AI_NUMERICHOST)
    return family, info[0][4], host


def main():
    global UPSTREAM_DEFAULT, UPSTREAM_PATH, LOG, RULES_PATH
    ap = argparse.ArgumentParser()
    ap.add_argument('--listen', action='append', help='HOST:PORT, repeatable (default 127.0.0.1:53)')
    ap.add_argument('--upstream', type=hostport, required=True)
    ap.add_argument('--upstream-file', help='overrides --upstream while it exists')
    ap.add_argument('--log', required=True)
    ap.add_argument('--rules')
    ap.add_argument('--ready', help='file created once both sockets listen')
    a = ap.parse_args()
    UPSTREAM_DEFAULT, UPSTREAM_PATH, RULES_PATH = a.upstream, a.upstream_file, a.rules
    LOG = open(a.log, 'a')
    for listen in a.listen or ['127.0.0.1:53']:
        family, addr, label = listen_address(listen)
        for base, handler in ((UDPServer, UDPHandler), (TCPServer, TCPHandler)):
            cls = type(base.__name__, (base,), {'address_family': family})
            srv = cls(addr, handler)
            srv.label = label
            threading.Thread(target=srv.serve_forever, daemon=True).start()
    if a.ready:
        open(a.ready, 'w').close()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == '__main__':
    sys.exit(main())
