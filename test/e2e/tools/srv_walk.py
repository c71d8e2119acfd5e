#!/usr/bin/python3
"""srv_walk.py NAME [SERVER[:PORT]]: asks SERVER (default 127.0.0.1:53, the
rig's proxy) for NAME's SRV records over UDP, without EDNS, and walks the
reply record by record with RDLENGTH alone, as a parser that reads no RDATA
would.  Prints one line:

    ok RCODE ANCOUNT NSCOUNT ARCOUNT SRV-RDLENGTHS   every record of every
                                       section walked, ending exactly at the
                                       end of the message (well-formed at
                                       the record level); SRV-RDLENGTHS: the
                                       answer's SRV RDATA lengths, in order,
                                       comma separated
    bad REASON                         otherwise

cases/27-misroute.sh uses it to prove that the proxy's `badsrv` rule leaves
the message well-formed and corrupts one record's RDATA only."""
import random
import socket
import struct
import sys


def skip_name(msg, off):
    """Offset after the (possibly compressed) name at off; pointers are not
    followed (a walk by lengths does not need their target)."""
    while True:
        if off >= len(msg):
            raise ValueError('name runs past the end')
        n = msg[off]
        if n & 0xc0 == 0xc0:
            return off + 2
        if n & 0xc0:
            raise ValueError('bad label type')
        if n == 0:
            return off + 1
        off += 1 + n


def main():
    name = sys.argv[1]
    host, _, port = (sys.argv[2] if len(sys.argv) > 2 else '127.0.0.1:53').partition(':')
    qid = random.randrange(65536)
    qname = b''.join(bytes([len(x)]) + x.encode() for x in name.rstrip('.').split('.')) + b'\0'
    query = struct.pack('!HHHHHH', qid, 0, 1, 0, 0, 0) + qname + struct.pack('!HH', 33, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.sendto(query, (host, int(port or 53)))
    msg = s.recv(65535)
    try:
        rid, flags, qd, an, ns, ar = struct.unpack('!HHHHHH', msg[:12])
        if rid != qid:
            raise ValueError('wrong id')
        off = 12
        for _ in range(qd):
            off = skip_name(msg, off) + 4
        rdlens = []
        for i in range(an + ns + ar):
            off = skip_name(msg, off)
            rtype, _cls, _ttl, rdlen = struct.unpack('!HHIH', msg[off:off + 10])
            off += 10 + rdlen
            if off > len(msg):
                raise ValueError('RDLENGTH of record %d runs past the end' % (i + 1))
            if i < an and rtype == 33:
                rdlens.append(str(rdlen))
        if off != len(msg):
            raise ValueError('%d octets after the last record' % (len(msg) - off))
    except (ValueError, struct.error) as e:
        print('bad', e)
        return 1
    print('ok', flags & 15, an, ns, ar, ','.join(rdlens) or '-')
    return 0


if __name__ == '__main__':
    sys.exit(main())
