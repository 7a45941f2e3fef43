//! The socket calls that every platform layer (crates/core/src/sys) makes its
//! own way, run the same on each: natively on Linux, and the Windows layer
//! (Winsock) where its tests can run.

use bsdsock_core::sys::{self, c};
use bsdsock_core::wait::Deadline;
use bsdsock_core::{msg, netdb, poll, sock, Address, AddressArg, Error, Result, Timeout};

const LOOPBACK: AddressArg<'static> = AddressArg::Inet {
    host: "127.0.0.1",
    port: 0,
};

/// The port a socket bound to 127.0.0.1 got.
fn port_of(fd: i32) -> Result<u16> {
    match sock::getsockname(fd)? {
        Some(Address::V4 { port, .. }) => Ok(port),
        other => Err(Error::value(format!("not an IPv4 address: {other:?}"))),
    }
}

fn close_all(fds: &[i32]) -> Result<()> {
    fds.iter().try_for_each(|&fd| sock::close(fd))
}

#[test]
fn new_sockets_are_not_inherited_and_a_dup_keeps_family_and_type() -> Result<()> {
    let s = sock::socket(c::AF_INET, c::SOCK_STREAM, 0)?;
    assert!(!sock::get_inheritable(s)?);
    sock::set_inheritable(s, true)?;
    assert!(sock::get_inheritable(s)?);
    let d = sock::dup(s)?;
    assert_ne!(d, s);
    assert!(!sock::get_inheritable(d)?);
    let (family, ty, _) = sock::adopt(d)?;
    assert_eq!((family, ty), (c::AF_INET, c::SOCK_STREAM));
    close_all(&[d, s])
}

#[test]
fn sendmsg_gathers_its_buffers_into_one_datagram() -> Result<()> {
    let rx = sock::socket(c::AF_INET, c::SOCK_DGRAM, 0)?;
    sock::bind(rx, &LOOPBACK)?;
    let to = AddressArg::Inet {
        host: "127.0.0.1",
        port: port_of(rx)?,
    }
    .to_sockaddr()?;
    let tx = sock::socket(c::AF_INET, c::SOCK_DGRAM, 0)?;
    let sent = msg::sendmsg(tx, &[b"ab", b"cd"], &[], 0, Some(&to), Timeout::BLOCKING)?;
    assert_eq!(sent, 4);
    let mut buf = [0u8; 8];
    let (n, from) = sock::recvfrom_into(rx, &mut buf, 0, Timeout::BLOCKING)?;
    assert_eq!(&buf[..n], b"abcd");
    let tx_port = port_of(tx)?;
    assert!(
        matches!(from, Some(Address::V4 { port, .. }) if port == tx_port),
        "{from:?}"
    );
    close_all(&[tx, rx])
}

#[test]
fn select_reports_a_listener_with_a_connection_waiting() -> Result<()> {
    let listener = sock::socket(c::AF_INET, c::SOCK_STREAM, 0)?;
    sock::bind(listener, &LOOPBACK)?;
    sock::listen(listener, 1)?;
    let mut r = [listener];
    assert_eq!(
        poll::select(&mut r, &mut [], &mut [], Deadline::after_secs(Some(0.0)))?,
        0
    );
    let client = sock::socket(c::AF_INET, c::SOCK_STREAM, 0)?;
    let to = AddressArg::Inet {
        host: "127.0.0.1",
        port: port_of(listener)?,
    };
    sock::connect(client, &to, Timeout::BLOCKING)?;
    let mut r = [listener];
    let mut w = [client];
    let ready = poll::select(&mut r, &mut w, &mut [], Deadline::after_secs(Some(10.0)))?;
    assert_eq!((ready, r, w), (2, [listener], [client]));
    let (server, peer) = sock::accept(listener, Timeout::BLOCKING)?;
    assert_eq!(peer, sock::getsockname(client)?);
    close_all(&[server, client, listener])
}

#[test]
fn the_protocol_and_service_tables_answer() -> Result<()> {
    assert_eq!(netdb::getprotobyname("tcp")?, c::IPPROTO_TCP);
    assert_eq!(netdb::getservbyname("http", Some("tcp"))?, 80);
    assert_eq!(netdb::getservbyport(80, Some("tcp"))?, "http");
    assert!(netdb::getservbyname("no-such-service", Some("tcp")).is_err());
    Ok(())
}

#[test]
fn interface_names_and_indexes_agree() -> Result<()> {
    let interfaces = netdb::if_nameindex()?;
    assert!(!interfaces.is_empty());
    for (index, name) in interfaces {
        assert_eq!(netdb::if_nametoindex(name.as_bytes())?, index);
        assert_eq!(netdb::if_indextoname(index)?, name);
    }
    Ok(())
}

/// The poller's reports within `ms`: a thread wakes the wait then, so a
/// report that never comes ends the wait empty instead of hanging.
fn reports(poller: &std::sync::Arc<sys::Poller>, ms: u64) -> Result<Vec<sys::Ready>> {
    let waker = std::sync::Arc::clone(poller);
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let timer = std::thread::spawn(move || {
        if finished
            .recv_timeout(std::time::Duration::from_millis(ms))
            .is_err()
        {
            let _ = waker.wake();
        }
    });
    let mut out = Vec::new();
    let waited = poller.wait(&mut out).map_err(|e| Error::io(&e, "poll"));
    let _ = done.send(());
    let _ = timer.join();
    waited.map(|()| out)
}

#[test]
fn the_poller_reports_an_armed_fd_once_per_arming_and_never_after_removal() -> Result<()> {
    let io = |e: std::io::Error| Error::io(&e, "poll");
    let poller = std::sync::Arc::new(sys::Poller::new().map_err(io)?);
    let rx = sock::socket(c::AF_INET, c::SOCK_DGRAM, 0)?;
    sock::bind(rx, &LOOPBACK)?;
    let to = AddressArg::Inet {
        host: "127.0.0.1",
        port: port_of(rx)?,
    };
    sock::sendto(rx, b"x", 0, &to, Timeout::BLOCKING)?;
    let token = 7 << 32 | rx as u32 as u64;
    let readable = sys::Ready {
        token,
        events: sys::POLL_READ,
    };
    poller.arm(rx, token, sys::POLL_READ).map_err(io)?;
    assert_eq!(reports(&poller, 5000)?, [readable]);
    // One-shot: still readable, but not reported until armed again.
    assert_eq!(reports(&poller, 50)?, []);
    poller
        .arm(rx, token, sys::POLL_READ | sys::POLL_WRITE)
        .map_err(io)?;
    let both = reports(&poller, 5000)?;
    let events = both.iter().fold(0, |acc, r| acc | r.events);
    assert!(
        both.iter().all(|r| r.token == token) && events == sys::POLL_READ | sys::POLL_WRITE,
        "{both:?}"
    );
    poller.arm(rx, token, sys::POLL_READ).map_err(io)?;
    poller.remove(rx).map_err(io)?;
    assert_eq!(reports(&poller, 50)?, []);
    sock::close(rx)
}
