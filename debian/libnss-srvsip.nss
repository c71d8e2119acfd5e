# dh_installnss(1) directives: on first installation (and on reinstallation
# after a removal), postinst edits /etc/nsswitch.conf; postrm removes
# "srvsip" again on remove and purge.  If the hosts: or services: line
# already names srvsip, nothing is added at all (the admin's choice wins),
# and an upgrade never re-adds an entry the admin deleted.
#
# hosts: srvsip goes immediately before the FIRST of resolve, dns, mdns4,
# mdns, mdns6 found on the line (one anchor list, leftmost match wins), so
# it is asked before any module that would answer a SIP domain with the
# domain's own address record.  The *_minimal mDNS modules are deliberately
# not anchors: "mdns4_minimal [NOTFOUND=return]" only ever stops .local
# names, so srvsip after it loses nothing and .local lookups never reach it.
#   files dns                  -> files srvsip [!UNAVAIL=return] dns
#   files mdns4_minimal [NOTFOUND=return] resolve [!UNAVAIL=return] dns
#     -> files mdns4_minimal [NOTFOUND=return] srvsip [!UNAVAIL=return]
#        resolve [!UNAVAIL=return] dns
# A hosts: line with none of these anchors (no DNS at all) is left alone.
#
# Action: [!UNAVAIL=return] is exactly [NOTFOUND=return TRYAGAIN=return]
# (SUCCESS returns by default; "!" means every status except UNAVAIL,
# nsswitch.conf(5)).  Out-of-scope lookups get UNAVAIL and continue;
# NOTFOUND (SRV target ".") must not fall through to the domain's A record;
# TRYAGAIN (DNS server down) must not cost the timeout a second time in dns.
# The two-term spelling cannot be used here: dh_installnss 1.7 accepts one
# [STATUS=ACTION] term only, and its postrm strips one-term brackets only,
# so a two-term bracket would be left behind on removal, attached to the
# previous service ("files [NOTFOUND=return TRYAGAIN=return] dns"), which
# would break every lookup not in /etc/hosts.  An admin who respells it so
# is covered by debian/libnss-srvsip.postrm, which removes srvsip with a
# bracket of several terms first (test/pkg/install-matrix.sh admin-twoterm).
hosts before=resolve,dns,mdns4,mdns,mdns6 srvsip [!UNAVAIL=return]

# services: after files, so real entries always win; srvsip answers only its
# pseudo-services sipsrv, sipssrv, iaxsrv and stunsrv.
services after=files srvsip
