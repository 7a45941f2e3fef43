//! The constants of Python's socket and select modules on Windows, by name,
//! with the values of windows-sys (Winsock's headers); the module
//! `bsdsock_core::constants` there. Python's own aliases (SHUT_* for SD_*,
//! SOL_IP for IPPROTO_IP ...) are listed as such. No value is typed in by hand.

use windows_sys::Win32::Networking::WinSock as ws;

use crate::sys::c;

/// `(name, value)` for each name, read from `$from`; `NAME = OTHER` for an alias.
macro_rules! table {
    ($from:ident: $($name:ident $(= $other:ident)?,)*) => {
        &[$((stringify!($name), table!(@value $from $name $($other)?)),)*]
    };
    (@value $from:ident $name:ident) => { $from::$name as i64 };
    (@value $from:ident $name:ident $other:ident) => { $from::$other as i64 };
}

/// Every constant of the socket module on Windows, as `(name, value)`.
pub fn all() -> impl Iterator<Item = (&'static str, i64)> {
    SOCKET.iter().chain(CODES).copied()
}

/// Every constant of the select module on Windows.
pub fn select() -> impl Iterator<Item = (&'static str, i64)> {
    SELECT.iter().copied()
}

/// The socket module's constants.
const SOCKET: &[(&str, i64)] = table! { ws:
    AF_APPLETALK, AF_DECnet, AF_HYPERV, AF_INET, AF_INET6, AF_IPX, AF_IRDA, AF_LINK, AF_SNA,
    AF_UNSPEC,
    AI_ADDRCONFIG, AI_ALL, AI_CANONNAME, AI_NUMERICHOST, AI_NUMERICSERV, AI_PASSIVE, AI_V4MAPPED,
    INADDR_ANY, INADDR_BROADCAST, INADDR_LOOPBACK, INADDR_NONE,
    IPPORT_RESERVED,
    IPPROTO_AH, IPPROTO_CBT, IPPROTO_DSTOPTS, IPPROTO_EGP, IPPROTO_ESP, IPPROTO_FRAGMENT,
    IPPROTO_GGP, IPPROTO_HOPOPTS, IPPROTO_ICLFXBM, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_IDP,
    IPPROTO_IGMP, IPPROTO_IGP, IPPROTO_IP, IPPROTO_IPV4, IPPROTO_IPV6, IPPROTO_L2TP, IPPROTO_MAX,
    IPPROTO_ND, IPPROTO_NONE, IPPROTO_PGM, IPPROTO_PIM, IPPROTO_PUP, IPPROTO_RAW, IPPROTO_RDP,
    IPPROTO_ROUTING, IPPROTO_SCTP, IPPROTO_ST, IPPROTO_TCP, IPPROTO_UDP,
    IPV6_CHECKSUM, IPV6_DONTFRAG, IPV6_HOPLIMIT, IPV6_HOPOPTS, IPV6_JOIN_GROUP, IPV6_LEAVE_GROUP,
    IPV6_MULTICAST_HOPS, IPV6_MULTICAST_IF, IPV6_MULTICAST_LOOP, IPV6_PKTINFO, IPV6_RECVRTHDR,
    IPV6_RECVTCLASS, IPV6_RTHDR, IPV6_TCLASS, IPV6_UNICAST_HOPS, IPV6_V6ONLY,
    IP_ADD_MEMBERSHIP, IP_ADD_SOURCE_MEMBERSHIP, IP_BLOCK_SOURCE, IP_DROP_MEMBERSHIP,
    IP_DROP_SOURCE_MEMBERSHIP, IP_HDRINCL, IP_MAX_MEMBERSHIPS, IP_MULTICAST_IF, IP_MULTICAST_LOOP,
    IP_MULTICAST_TTL, IP_OPTIONS, IP_PKTINFO, IP_RECVDSTADDR, IP_RECVTOS, IP_TOS, IP_TTL,
    IP_UNBLOCK_SOURCE,
    MSG_BCAST, MSG_CTRUNC, MSG_DONTROUTE, MSG_ERRQUEUE, MSG_MCAST, MSG_OOB, MSG_PEEK, MSG_TRUNC,
    MSG_WAITALL,
    NI_DGRAM, NI_MAXHOST, NI_MAXSERV, NI_NAMEREQD, NI_NOFQDN, NI_NUMERICHOST, NI_NUMERICSERV,
    RCVALL_IPLEVEL, RCVALL_OFF, RCVALL_ON, RCVALL_SOCKETLEVELONLY,
    SHUT_RD = SD_RECEIVE, SHUT_RDWR = SD_BOTH, SHUT_WR = SD_SEND,
    SIO_KEEPALIVE_VALS, SIO_LOOPBACK_FAST_PATH, SIO_RCVALL,
    SOCK_DGRAM, SOCK_RAW, SOCK_RDM, SOCK_SEQPACKET, SOCK_STREAM,
    SOL_IP = IPPROTO_IP, SOL_SOCKET, SOL_TCP = IPPROTO_TCP, SOL_UDP = IPPROTO_UDP,
    SO_ACCEPTCONN, SO_BROADCAST, SO_DEBUG, SO_DONTROUTE, SO_ERROR, SO_EXCLUSIVEADDRUSE,
    SO_KEEPALIVE, SO_LINGER, SO_OOBINLINE, SO_RCVBUF, SO_RCVLOWAT, SO_RCVTIMEO, SO_REUSEADDR,
    SO_SNDBUF, SO_SNDLOWAT, SO_SNDTIMEO, SO_TYPE, SO_USELOOPBACK,
    TCP_FASTOPEN, TCP_KEEPCNT, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_MAXSEG, TCP_NODELAY,
};

/// The names c.rs gives: the resolver's and errno's (Winsock codes), and
/// winsock2.h's SOMAXCONN.
const CODES: &[(&str, i64)] = table! { c:
    EAGAIN, EAI_AGAIN, EAI_BADFLAGS, EAI_FAIL, EAI_FAMILY, EAI_MEMORY, EAI_NODATA, EAI_NONAME,
    EAI_SERVICE, EAI_SOCKTYPE, EBADF, EWOULDBLOCK, SOMAXCONN,
};

/// The select module's poll events: WSAPoll's.
const SELECT: &[(&str, i64)] = table! { c:
    POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, POLLRDBAND, POLLRDNORM, POLLWRBAND,
    POLLWRNORM,
};
