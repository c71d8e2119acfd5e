/* resolve_first NAME [SERVICE]: getaddrinfo(NAME, SERVICE) (AF_UNSPEC,
 * SOCK_DGRAM) and one line on stdout:
 *     secure=S euid=E prog=ARGV0-SHORT-NAME addr=FIRST-ADDRESS
 *     secure=S euid=E prog=ARGV0-SHORT-NAME error=EAI-CODE
 * secure is getauxval(AT_SECURE): 1 in a setuid/setcap process, where the
 * dynamic linker ignores LD_LIBRARY_PATH and libnss_srvsip ignores the
 * `program` lines of /etc/srvsip.conf (argv[0] is the caller's choice).
 * Built and installed setuid-root by cases/27-misroute.sh. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct addrinfo hints, *res = NULL;
	char text[INET6_ADDRSTRLEN] = "";

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: resolve_first NAME [SERVICE]\n");
		return 64;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	int rc = getaddrinfo(argv[1], argc > 2 ? argv[2] : NULL, &hints, &res);
	printf("secure=%lu euid=%u prog=%s ", getauxval(AT_SECURE), (unsigned)geteuid(),
	       program_invocation_short_name);
	if (rc != 0) {
		printf("error=%d\n", rc);
		return 2;
	}
	if (res->ai_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, text, sizeof(text));
	else
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr, text,
			  sizeof(text));
	printf("addr=%s\n", text);
	freeaddrinfo(res);
	return 0;
}
