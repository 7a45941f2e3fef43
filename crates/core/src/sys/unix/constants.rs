//! The platform's constants, by Python's names, with the values of the OS headers
//! (through the `libc` crate, and for names it lacks, from the C headers by
//! build.rs). Only names are listed here: no value is typed in by hand.

/// Lists `(name, value)` for every constant the platform has; `NAME => C_NAME`
/// where Python's name is not the C one.
macro_rules! table {
    ($($name:ident $(=> $c:ident)?,)*) => {
        &[$((stringify!($name), table!(@c $name $($c)?) as i64),)*]
    };
    (@c $name:ident) => { libc::$name };
    (@c $name:ident $c:ident) => { libc::$c };
}

/// Constants every Unix has.
#[cfg(unix)]
const COMMON: &[(&str, i64)] = table! {
    AF_INET,
    AF_INET6,
    AF_UNIX,
    AF_UNSPEC,
    AI_ADDRCONFIG,
    AI_ALL,
    AI_CANONNAME,
    AI_NUMERICHOST,
    AI_NUMERICSERV,
    AI_PASSIVE,
    AI_V4MAPPED,
    EAGAIN,
    EAI_AGAIN,
    EAI_BADFLAGS,
    EAI_FAIL,
    EAI_FAMILY,
    EAI_MEMORY,
    EAI_NONAME,
    EAI_OVERFLOW,
    EAI_SERVICE,
    EAI_SOCKTYPE,
    EAI_SYSTEM,
    EBADF,
    EWOULDBLOCK,
    INADDR_ANY,
    INADDR_BROADCAST,
    INADDR_LOOPBACK,
    INADDR_NONE,
    IPPROTO_ICMP,
    IPPROTO_ICMPV6,
    IPPROTO_IP,
    IPPROTO_IPV6,
    IPPROTO_RAW,
    IPPROTO_TCP,
    IPPROTO_UDP,
    IPV6_MULTICAST_HOPS,
    IPV6_MULTICAST_IF,
    IPV6_MULTICAST_LOOP,
    IPV6_UNICAST_HOPS,
    IPV6_V6ONLY,
    IP_ADD_MEMBERSHIP,
    IP_DROP_MEMBERSHIP,
    IP_HDRINCL,
    IP_MULTICAST_IF,
    IP_MULTICAST_LOOP,
    IP_MULTICAST_TTL,
    IP_TOS,
    IP_TTL,
    MSG_CTRUNC,
    MSG_DONTROUTE,
    MSG_EOR,
    MSG_OOB,
    MSG_PEEK,
    MSG_TRUNC,
    MSG_WAITALL,
    NI_DGRAM,
    NI_MAXHOST,
    NI_NAMEREQD,
    NI_NOFQDN,
    NI_NUMERICHOST,
    NI_NUMERICSERV,
    SCM_RIGHTS,
    SHUT_RD,
    SHUT_RDWR,
    SHUT_WR,
    SOCK_DGRAM,
    SOCK_RAW,
    SOCK_RDM,
    SOCK_SEQPACKET,
    SOCK_STREAM,
    SOL_SOCKET,
    SOMAXCONN,
    SO_ACCEPTCONN,
    SO_BROADCAST,
    SO_DEBUG,
    SO_DONTROUTE,
    SO_ERROR,
    SO_KEEPALIVE,
    SO_LINGER,
    SO_OOBINLINE,
    SO_RCVBUF,
    SO_RCVLOWAT,
    SO_RCVTIMEO,
    SO_REUSEADDR,
    SO_REUSEPORT,
    SO_SNDBUF,
    SO_SNDLOWAT,
    SO_SNDTIMEO,
    SO_TYPE,
    TCP_KEEPCNT,
    TCP_KEEPINTVL,
    TCP_NODELAY,
};

/// Constants of Linux (and Android).
#[cfg(any(target_os = "linux", target_os = "android"))]
const LINUX: &[(&str, i64)] = table! {
    AF_ALG,
    AF_APPLETALK,
    AF_ASH,
    AF_ATMPVC,
    AF_ATMSVC,
    AF_AX25,
    AF_BRIDGE,
    AF_CAN,
    AF_ECONET,
    AF_IPX,
    AF_IRDA,
    AF_KEY,
    AF_LLC,
    AF_NETBEUI,
    AF_NETLINK,
    AF_NETROM,
    AF_PACKET,
    AF_PPPOX,
    AF_RDS,
    AF_ROSE,
    AF_ROUTE,
    AF_SECURITY,
    AF_SNA,
    AF_TIPC,
    AF_VSOCK,
    AF_WANPIPE,
    AF_X25,
    ALG_OP_DECRYPT,
    ALG_OP_ENCRYPT,
    ALG_SET_AEAD_ASSOCLEN,
    ALG_SET_AEAD_AUTHSIZE,
    ALG_SET_IV,
    ALG_SET_KEY,
    ALG_SET_OP,
    CAN_BCM,
    CAN_EFF_FLAG,
    CAN_EFF_MASK,
    CAN_ERR_FLAG,
    CAN_ERR_MASK,
    CAN_ISOTP,
    CAN_J1939,
    CAN_RAW,
    CAN_RAW_FD_FRAMES,
    CAN_RAW_FILTER,
    CAN_RAW_JOIN_FILTERS,
    CAN_RAW_LOOPBACK,
    CAN_RAW_RECV_OWN_MSGS,
    CAN_RTR_FLAG,
    CAN_SFF_MASK,
    EAI_NODATA,
    IPPROTO_AH,
    IPPROTO_DSTOPTS,
    IPPROTO_EGP,
    IPPROTO_ESP,
    IPPROTO_FRAGMENT,
    IPPROTO_GRE,
    IPPROTO_HOPOPTS,
    IPPROTO_IDP,
    IPPROTO_IGMP,
    IPPROTO_IPIP,
    IPPROTO_MPTCP,
    IPPROTO_NONE,
    IPPROTO_PIM,
    IPPROTO_PUP,
    IPPROTO_ROUTING,
    IPPROTO_RSVP,
    IPPROTO_SCTP,
    IPPROTO_TP,
    IPPROTO_UDPLITE,
    IPV6_CHECKSUM,
    IPV6_DONTFRAG,
    IPV6_DSTOPTS,
    IPV6_HOPLIMIT,
    IPV6_HOPOPTS,
    IPV6_NEXTHOP,
    IPV6_PATHMTU,
    IPV6_PKTINFO,
    IPV6_RECVDSTOPTS,
    IPV6_RECVHOPLIMIT,
    IPV6_RECVHOPOPTS,
    IPV6_RECVPATHMTU,
    IPV6_RECVPKTINFO,
    IPV6_RECVRTHDR,
    IPV6_RECVTCLASS,
    IPV6_RTHDR,
    IPV6_RTHDRDSTOPTS,
    IPV6_TCLASS,
    IP_BIND_ADDRESS_NO_PORT,
    IP_DEFAULT_MULTICAST_LOOP,
    IP_DEFAULT_MULTICAST_TTL,
    IP_OPTIONS,
    IP_RECVOPTS,
    IP_RECVTOS,
    IP_PKTINFO,
    IP_RECVTTL,
    IP_RETOPTS,
    IP_TRANSPARENT,
    J1939_EE_INFO_NONE,
    J1939_EE_INFO_TX_ABORT,
    J1939_FILTER_MAX,
    J1939_IDLE_ADDR,
    J1939_MAX_UNICAST_ADDR,
    J1939_NLA_BYTES_ACKED,
    J1939_NLA_PAD,
    J1939_NO_ADDR,
    J1939_NO_NAME,
    J1939_NO_PGN,
    J1939_PGN_ADDRESS_CLAIMED,
    J1939_PGN_ADDRESS_COMMANDED,
    J1939_PGN_MAX,
    J1939_PGN_PDU1_MAX,
    J1939_PGN_REQUEST,
    MSG_CMSG_CLOEXEC,
    MSG_CONFIRM,
    MSG_DONTWAIT,
    MSG_ERRQUEUE,
    MSG_FASTOPEN,
    MSG_MORE,
    MSG_NOSIGNAL,
    MSG_WAITFORONE,
    NETLINK_CRYPTO,
    NETLINK_DNRTMSG,
    NETLINK_FIREWALL,
    NETLINK_IP6_FW,
    NETLINK_NFLOG,
    NETLINK_ROUTE,
    NETLINK_USERSOCK,
    NETLINK_XFRM,
    PACKET_BROADCAST,
    PACKET_HOST,
    PACKET_LOOPBACK,
    PACKET_MULTICAST,
    PACKET_OTHERHOST,
    PACKET_OUTGOING,
    PF_CAN,
    PF_PACKET,
    PF_RDS,
    SCM_CREDENTIALS,
    SCM_J1939_DEST_ADDR,
    SCM_J1939_DEST_NAME,
    SCM_J1939_ERRQUEUE,
    SCM_J1939_PRIO,
    SCM_TIMESTAMP,
    SCM_TIMESTAMPNS,
    SOCK_CLOEXEC,
    SOCK_NONBLOCK,
    SOL_ALG,
    SOL_CAN_BASE,
    SOL_CAN_RAW,
    SOL_IP,
    SOL_TCP,
    SOL_TIPC,
    SOL_UDP,
    SO_BINDTODEVICE,
    SO_DOMAIN,
    SO_INCOMING_CPU,
    SO_J1939_ERRQUEUE,
    SO_J1939_FILTER,
    SO_J1939_PROMISC,
    SO_J1939_SEND_PRIO,
    SO_MARK,
    SO_PASSCRED,
    SO_PASSSEC,
    SO_PEERCRED,
    SO_PEERSEC,
    SO_TIMESTAMP,
    SO_TIMESTAMPNS,
    SO_PRIORITY,
    SO_PROTOCOL,
    TCP_CONGESTION,
    TCP_CORK,
    TCP_DEFER_ACCEPT,
    TCP_FASTOPEN,
    TCP_INFO,
    TCP_KEEPIDLE,
    TCP_LINGER2,
    TCP_MAXSEG,
    TCP_NOTSENT_LOWAT,
    TCP_QUICKACK,
    TCP_SYNCNT,
    TCP_USER_TIMEOUT,
    TCP_WINDOW_CLAMP,
    VMADDR_CID_ANY,
    VMADDR_CID_HOST,
    VMADDR_PORT_ANY,
};

#[cfg(not(any(target_os = "linux", target_os = "android")))]
const LINUX: &[(&str, i64)] = &[];

/// The constants of Python's select module, every Unix.
#[cfg(unix)]
const SELECT_COMMON: &[(&str, i64)] = table! {
    POLLERR,
    POLLHUP,
    POLLIN,
    POLLNVAL,
    POLLOUT,
    POLLPRI,
    POLLRDBAND,
    POLLRDNORM,
    POLLWRBAND,
    POLLWRNORM,
    PIPE_BUF,
};

/// The constants of Python's select module on Linux.
#[cfg(any(target_os = "linux", target_os = "android"))]
const SELECT_LINUX: &[(&str, i64)] = table! {
    POLLRDHUP,
    EPOLLERR,
    EPOLLET,
    EPOLLEXCLUSIVE,
    EPOLLHUP,
    EPOLLIN,
    EPOLLMSG,
    EPOLLONESHOT,
    EPOLLOUT,
    EPOLLPRI,
    EPOLLRDBAND,
    EPOLLRDHUP,
    EPOLLRDNORM,
    EPOLLWRBAND,
    EPOLLWRNORM,
    EPOLL_CLOEXEC,
};

#[cfg(not(any(target_os = "linux", target_os = "android")))]
const SELECT_LINUX: &[(&str, i64)] = &[];

/// The kqueue constants of Python's select module, on macOS and FreeBSD.
// The libc crate deprecates FreeBSD's NOTE_PCTRLMASK (its value changed across
// versions); Python has it, with the value of the headers it was built with.
#[cfg(any(target_vendor = "apple", target_os = "freebsd"))]
#[allow(deprecated)]
const SELECT_KQUEUE: &[(&str, i64)] = table! {
    KQ_FILTER_READ => EVFILT_READ,
    KQ_FILTER_WRITE => EVFILT_WRITE,
    KQ_FILTER_AIO => EVFILT_AIO,
    KQ_FILTER_VNODE => EVFILT_VNODE,
    KQ_FILTER_PROC => EVFILT_PROC,
    KQ_FILTER_SIGNAL => EVFILT_SIGNAL,
    KQ_FILTER_TIMER => EVFILT_TIMER,
    KQ_EV_ADD => EV_ADD,
    KQ_EV_DELETE => EV_DELETE,
    KQ_EV_ENABLE => EV_ENABLE,
    KQ_EV_DISABLE => EV_DISABLE,
    KQ_EV_ONESHOT => EV_ONESHOT,
    KQ_EV_CLEAR => EV_CLEAR,
    KQ_EV_SYSFLAGS => EV_SYSFLAGS,
    KQ_EV_FLAG1 => EV_FLAG1,
    KQ_EV_EOF => EV_EOF,
    KQ_EV_ERROR => EV_ERROR,
    KQ_NOTE_LOWAT => NOTE_LOWAT,
    KQ_NOTE_DELETE => NOTE_DELETE,
    KQ_NOTE_WRITE => NOTE_WRITE,
    KQ_NOTE_EXTEND => NOTE_EXTEND,
    KQ_NOTE_ATTRIB => NOTE_ATTRIB,
    KQ_NOTE_LINK => NOTE_LINK,
    KQ_NOTE_RENAME => NOTE_RENAME,
    KQ_NOTE_REVOKE => NOTE_REVOKE,
    KQ_NOTE_EXIT => NOTE_EXIT,
    KQ_NOTE_FORK => NOTE_FORK,
    KQ_NOTE_EXEC => NOTE_EXEC,
    KQ_NOTE_PCTRLMASK => NOTE_PCTRLMASK,
    KQ_NOTE_PDATAMASK => NOTE_PDATAMASK,
    KQ_NOTE_TRACK => NOTE_TRACK,
    KQ_NOTE_CHILD => NOTE_CHILD,
    KQ_NOTE_TRACKERR => NOTE_TRACKERR,
};

#[cfg(not(any(target_vendor = "apple", target_os = "freebsd")))]
const SELECT_KQUEUE: &[(&str, i64)] = &[];

/// Python's value of a select constant: event masks are unsigned 32-bit
/// (EPOLLET is bit 31), as Python shows them; macOS's NOTE_PCTRLMASK is the
/// C int `~NOTE_PDATAMASK`, negative in Python, where the libc crate has it unsigned.
fn python_value(name: &str, v: i64) -> i64 {
    if name.starts_with("EPOLL") {
        v as u32 as i64
    } else if cfg!(target_vendor = "apple") && name == "KQ_NOTE_PCTRLMASK" {
        v as u32 as i32 as i64
    } else {
        v
    }
}

/// Every constant of Python's select module on this platform.
pub fn select() -> impl Iterator<Item = (&'static str, i64)> {
    let headers = headers::HEADERS.iter().filter(|(name, _)| is_select(name));
    SELECT_COMMON
        .iter()
        .chain(SELECT_LINUX.iter())
        .chain(SELECT_KQUEUE.iter())
        .chain(headers)
        .map(|&(name, v)| (name, python_value(name, v)))
}

mod headers {
    include!(concat!(env!("OUT_DIR"), "/header_constants.rs"));
}

/// Whether a name read from the headers belongs to the select module.
fn is_select(name: &str) -> bool {
    name.starts_with("POLL") || name.starts_with("EPOLL")
}

/// Every constant of this platform's socket module, as `(name, value)`.
pub fn all() -> impl Iterator<Item = (&'static str, i64)> {
    let headers = headers::HEADERS.iter().filter(|(name, _)| !is_select(name));
    COMMON.iter().chain(LINUX.iter()).chain(headers).copied()
}
