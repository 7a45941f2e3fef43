/*
 * Checks one behaviour of Windows that Wine may lack, by name; built with
 * mingw-w64 and run in the Wine prefix by scripts/test-wine.js:
 *
 *   probe.exe NAME
 *
 * Prints what it found on one line. Exits 0 when the system behaves as
 * Windows 10 does, 1 when it shows the limitation, 2 when the probe itself
 * could not run (a call it needs failed).
 *
 *   bcryptprimitives      bcryptprimitives.dll and its ProcessPrng, which Rust's
 *                         std imports, are there.
 *   getservbyport         getservbyport(443) names the service getservbyname
 *                         ("https") gives port 443 for.
 *   winsock-messages      FormatMessageW has a message for WSAEWOULDBLOCK.
 *   udp-connreset         a UDP socket that sent to a closed port on 127.0.0.1
 *                         (ICMP port unreachable) fails its next receive with
 *                         WSAECONNRESET.
 */
#include <winsock2.h>
#include <stdio.h>
#include <string.h>

static int bcryptprimitives(void)
{
    HMODULE dll = LoadLibraryA("bcryptprimitives.dll");
    if (dll == NULL) {
        printf("LoadLibrary(\"bcryptprimitives.dll\") failed: error %lu\n", GetLastError());
        return 1;
    }
    FARPROC f = GetProcAddress(dll, "ProcessPrng");
    if (f == NULL) {
        printf("GetProcAddress(bcryptprimitives.dll, \"ProcessPrng\") failed: error %lu\n", GetLastError());
        return 1;
    }
    BYTE buf[16];
    BOOL ok = ((BOOL(WINAPI *)(PBYTE, SIZE_T))f)(buf, sizeof buf);
    printf("bcryptprimitives.dll ProcessPrng: %s\n", ok ? "works" : "returned FALSE");
    return ok ? 0 : 1;
}

static int getservbyport_https(void)
{
    struct servent *byname = getservbyname("https", NULL);
    if (byname == NULL) {
        printf("getservbyname(\"https\", NULL) failed: %d\n", WSAGetLastError());
        return 2;
    }
    int port = ntohs(byname->s_port);
    struct servent *byport = getservbyport(htons(port), NULL);
    printf("getservbyname(\"https\", NULL): %d; getservbyport(%d, NULL): %s\n", port, port,
           byport ? byport->s_name : "NULL");
    return byport != NULL && strcmp(byport->s_name, "https") == 0 ? 0 : 1;
}

static int winsock_messages(void)
{
    WCHAR text[512];
    DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, WSAEWOULDBLOCK,
                             MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT), text, 512, NULL);
    if (n == 0) {
        printf("FormatMessageW(%d, WSAEWOULDBLOCK) failed: error %lu\n", WSAEWOULDBLOCK, GetLastError());
        return 1;
    }
    printf("FormatMessageW(%d): %ls", WSAEWOULDBLOCK, text);
    return 0;
}

static int udp_connreset(void)
{
    struct sockaddr_in closed;
    memset(&closed, 0, sizeof closed);
    closed.sin_family = AF_INET;
    closed.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int len = sizeof closed;
    SOCKET gone = socket(AF_INET, SOCK_DGRAM, 0);
    SOCKET u = socket(AF_INET, SOCK_DGRAM, 0);
    if (gone == INVALID_SOCKET || u == INVALID_SOCKET || bind(gone, (struct sockaddr *)&closed, sizeof closed) != 0 ||
        getsockname(gone, (struct sockaddr *)&closed, &len) != 0 || closesocket(gone) != 0 ||
        connect(u, (struct sockaddr *)&closed, sizeof closed) != 0 || send(u, "x", 1, 0) != 1) {
        printf("setting up a UDP socket towards a closed port failed: %d\n", WSAGetLastError());
        return 2;
    }
    fd_set readable;
    FD_ZERO(&readable);
    FD_SET(u, &readable);
    struct timeval wait = {1, 0};
    int ready = select(0, &readable, NULL, NULL, &wait);
    u_long nonblocking = 1;
    ioctlsocket(u, FIONBIO, &nonblocking);
    char buf[8];
    int rc = recv(u, buf, sizeof buf, 0);
    int error = rc < 0 ? WSAGetLastError() : 0;
    closesocket(u);
    printf("UDP send to closed port %d, then: select readable %d, recv %d, error %d (Windows: WSAECONNRESET, %d)\n",
           ntohs(closed.sin_port), ready, rc, error, WSAECONNRESET);
    return error == WSAECONNRESET ? 0 : 1;
}

int main(int argc, char **argv)
{
    WSADATA wsa;
    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) {
        printf("WSAStartup failed\n");
        return 2;
    }
    const char *name = argc > 1 ? argv[1] : "";
    if (strcmp(name, "bcryptprimitives") == 0)
        return bcryptprimitives();
    if (strcmp(name, "getservbyport") == 0)
        return getservbyport_https();
    if (strcmp(name, "winsock-messages") == 0)
        return winsock_messages();
    if (strcmp(name, "udp-connreset") == 0)
        return udp_connreset();
    printf("probe.exe: no probe named \"%s\"\n", name);
    return 2;
}
