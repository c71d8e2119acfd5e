#!/usr/bin/python3
"""Loop host lookups in one process (through NSS, like any program) and print
counts, one "KEY VALUE COUNT" line each, sorted:

  gai NAME [SERVICE]   socket.getaddrinfo (gethostbyname4_r / 2_r paths)
      first ADDR n      first address of each result
      addr ADDR n       every address seen (any position)
      port PORT n       every port seen
      canon NAME n      canonical name (with --canon)
      error ERRNO n     socket.gaierror errno (e.g. -2 = EAI_NONAME)
      ms MS n           (with --times, every mode) duration of each lookup in
                        whole milliseconds, measured in-process (no start-up)
  ghbn_ex NAME         socket.gethostbyname_ex.  NB: CPython first resolves the
                       name with getaddrinfo(AF_INET) (setipaddr), THEN calls
                       gethostbyname_r, whose h_name/h_addr_list it returns; a
                       failure of the first step is a gaierror (error -2)
      first ADDR n, hname NAME n, list A,B,... n (whole address list), error ERRNO n
  ghbn NAME            libc gethostbyname() through ctypes: gethostbyname_r
                       only (as sipsak/twinkle call it); same keys, errors
                       are "error hH_ERRNO n" (h1 = HOST_NOT_FOUND, h2 = TRY_AGAIN,
                       h3 = NO_RECOVERY, h4 = NO_DATA)
"""
import argparse
import collections
import socket
import sys
import time

LIBC = None  # ctypes' libc, loaded for the ghbn mode only (start-up time)


def load_libc():
    """libc with gethostbyname() typed; ctypes is imported only here."""
    global LIBC
    import ctypes

    class HostEnt(ctypes.Structure):
        _fields_ = [('h_name', ctypes.c_char_p),
                    ('h_aliases', ctypes.POINTER(ctypes.c_char_p)),
                    ('h_addrtype', ctypes.c_int),
                    ('h_length', ctypes.c_int),
                    ('h_addr_list', ctypes.POINTER(ctypes.POINTER(ctypes.c_ubyte)))]

    LIBC = ctypes.CDLL('libc.so.6')
    LIBC.gethostbyname.restype = ctypes.POINTER(HostEnt)
    LIBC.gethostbyname.argtypes = [ctypes.c_char_p]
    LIBC.__h_errno_location.restype = ctypes.POINTER(ctypes.c_int)


def c_gethostbyname(name):
    """(h_name, [addresses]) or raise socket.herror(h_errno)."""
    if LIBC is None:
        load_libc()
    he = LIBC.gethostbyname(name.encode())
    if not he:
        raise socket.herror(LIBC.__h_errno_location()[0], 'gethostbyname failed')
    h = he.contents
    fam = socket.AF_INET if h.h_addrtype == socket.AF_INET else socket.AF_INET6
    addrs, i = [], 0
    while h.h_addr_list[i]:
        addrs.append(socket.inet_ntop(fam, bytes(h.h_addr_list[i][:h.h_length])))
        i += 1
    return h.h_name.decode(), addrs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('mode', choices=['gai', 'ghbn_ex', 'ghbn'])
    ap.add_argument('name')
    ap.add_argument('service', nargs='?')
    ap.add_argument('-n', type=int, default=1)
    ap.add_argument('--family', choices=['0', '4', '6'], default='0')
    ap.add_argument('--socktype', choices=['0', 'stream', 'dgram'], default='0')
    ap.add_argument('--addrconfig', action='store_true')
    ap.add_argument('--canon', action='store_true')
    ap.add_argument('--times', action='store_true')
    a = ap.parse_args()
    fam = {'0': socket.AF_UNSPEC, '4': socket.AF_INET, '6': socket.AF_INET6}[a.family]
    st = {'0': 0, 'stream': socket.SOCK_STREAM, 'dgram': socket.SOCK_DGRAM}[a.socktype]
    flags = (socket.AI_ADDRCONFIG if a.addrconfig else 0) | (socket.AI_CANONNAME if a.canon else 0)
    c = collections.Counter()
    for _ in range(a.n):
        t0 = time.monotonic()
        try:
            lookup(a, fam, st, flags, c)
        finally:
            if a.times:
                c['ms', str(round((time.monotonic() - t0) * 1000))] += 1
    for (k, v), n in sorted(c.items()):
        print(k, v, n)


def lookup(a, fam, st, flags, c):
    """One lookup; counts what it returned into c."""
    if a.mode == 'gai':
        try:
            res = socket.getaddrinfo(a.name, a.service, fam, st, 0, flags)
        except socket.gaierror as e:
            c['error', str(e.errno)] += 1
            return
        c['first', res[0][4][0]] += 1
        for addr in {r[4][0] for r in res}:
            c['addr', addr] += 1
        for port in {r[4][1] for r in res}:
            c['port', str(port)] += 1
        if a.canon:
            c['canon', res[0][3]] += 1
    else:
        try:
            if a.mode == 'ghbn':
                hname, addrs = c_gethostbyname(a.name)
            else:
                hname, _aliases, addrs = socket.gethostbyname_ex(a.name)
        except socket.herror as e:
            c['error', 'h%d' % e.errno] += 1
            return
        except socket.gaierror as e:
            c['error', str(e.errno)] += 1
            return
        c['first', addrs[0]] += 1
        c['hname', hname] += 1
        c['list', ','.join(addrs)] += 1


if __name__ == '__main__':
    sys.exit(main())
