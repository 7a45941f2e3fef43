//! Messages and ancillary data as N-API functions: sendmsg, recvmsg_into,
//! CMSG_LEN / CMSG_SPACE, the decoding of control messages, and sendfile.
//! As socket.rs: no call throws for an OS error; each returns its failure
//! value and leaves the error in state.rs, addresses go through the status
//! block. Received SCM_RIGHTS fds are closed if the result cannot be built.

use bsdsock_core::addr::sockaddr_from_bytes;
use bsdsock_core::msg::{self, Decoded, Received};
use bsdsock_core::{inet, Error, Timeout};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::js::{buffer_copy, Raw, Writable};
use crate::signals::{blocking, listeners_after};
use crate::state::{fail, ok, publish};

/// A Uint8Array read for the one synchronous call it is an argument of (see
/// js::Writable for why the borrow is sound).
pub struct Readable(&'static [u8]);

impl FromNapiValue for Readable {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> Result<Self> {
        <&'static [u8]>::from_napi_value(env, value).map(Readable)
    }
}

/// `CMSG_LEN(length)`, or null where Python raises OverflowError.
#[napi]
pub fn cmsg_len(length: f64) -> Option<f64> {
    msg::cmsg_len(length as i64).map(|n| n as f64)
}

/// `CMSG_SPACE(length)`, or null where Python raises OverflowError.
#[napi]
pub fn cmsg_space(length: f64) -> Option<f64> {
    msg::cmsg_space(length as i64).map(|n| n as f64)
}

/// sendmsg(fd, buffers, ancillary [level, type] pairs, ancillary data, flags,
/// timeout, sockaddr or null) -> bytes sent, or -1.
#[napi]
// The facade's arguments (ts/msg.ts), and the environment, for the signals' listeners.
#[allow(clippy::too_many_arguments)]
pub fn sendmsg(
    env: Env,
    fd: i32,
    buffers: Vec<Readable>,
    anc_kinds: Vec<i32>,
    anc_data: Vec<Readable>,
    flags: i32,
    timeout: f64,
    sockaddr: Option<Readable>,
) -> f64 {
    let bufs: Vec<&[u8]> = buffers.iter().map(|b| b.0).collect();
    if anc_kinds.len() != anc_data.len() * 2 {
        fail(Error::value("ancillary data: kinds and data differ in length"));
        return -1.0;
    }
    let anc: Vec<(i32, i32, &[u8])> = anc_data
        .iter()
        .enumerate()
        .map(|(i, d)| (anc_kinds[2 * i], anc_kinds[2 * i + 1], d.0))
        .collect();
    let addr = match sockaddr {
        None => None,
        Some(sa) => match sockaddr_from_bytes(sa.0) {
            Some(a) => Some(a),
            None => {
                fail(Error::os(
                    bsdsock_core::errno::value("EINVAL").unwrap_or(22),
                    "sendmsg",
                ));
                return -1.0;
            }
        },
    };
    let t = Timeout::from_secs(timeout);
    let sent = ok(msg::sendmsg(fd, &bufs, &anc, flags, addr.as_ref(), t));
    drop((bufs, anc, buffers, anc_data));
    // The buffers are let go first: a listener may detach them.
    match sent {
        Some(n) if listeners_after(env.raw(), t) => n as f64,
        _ => -1.0,
    }
}

/// `[nbytes, [[level, type, Buffer], ...], msg_flags]`.
fn received_to_js(env: &Env, r: &Received) -> Result<Raw> {
    let mut anc = env.create_array(r.ancdata.len() as u32)?;
    for (i, c) in r.ancdata.iter().enumerate() {
        let mut item = env.create_array(3)?;
        item.set(0, c.level)?;
        item.set(1, c.ty)?;
        item.set(2, buffer_copy(env, &c.data)?)?;
        anc.set(i as u32, item)?;
    }
    let mut out = env.create_array(3)?;
    out.set(0, r.nbytes as f64)?;
    out.set(1, anc)?;
    out.set(2, r.msg_flags)?;
    Ok(Raw(out.raw()))
}

/// recvmsg_into(fd, buffers, ancbufsize, flags, timeout) ->
/// `[nbytes, ancdata, msg_flags]` (the address through the status block), or null.
#[napi]
pub fn recvmsg_into(
    env: Env,
    fd: i32,
    buffers: Vec<Writable<u8>>,
    ancbufsize: f64,
    flags: i32,
    timeout: f64,
) -> Result<Option<Raw>> {
    let mut bufs: Vec<&mut [u8]> = buffers.into_iter().map(Writable::into_static).collect();
    let t = Timeout::from_secs(timeout);
    let Some(r) = ok(msg::recvmsg_into(fd, &mut bufs, ancbufsize as i64, flags, t)) else {
        return Ok(None);
    };
    drop(bufs);
    // The buffers are let go first: a listener may detach them.
    if !listeners_after(env.raw(), t) {
        r.close_fds();
        return Ok(None);
    }
    match received_to_js(&env, &r) {
        Ok(v) => {
            publish(r.address);
            Ok(Some(v))
        }
        Err(e) => {
            // The fds that arrived would be lost with the result: close them.
            r.close_fds();
            Err(e)
        }
    }
}

/// Decodes an ancillary item: `['rights', fds]`, `['credentials', pid, uid, gid]`,
/// `['pktinfo', addr, ifindex, spec_dst | null]`, `['hops', n]`,
/// `['timestamp', sec, nsec]`; null for another kind or data too short.
#[napi]
pub fn cmsg_decode(env: Env, level: i32, ty: i32, data: &[u8]) -> Result<Option<Raw>> {
    let Some(d) = msg::decode(level, ty, data) else {
        return Ok(None);
    };
    let mut out = env.create_array(4)?;
    match d {
        Decoded::Rights(fds) => {
            out.set(0, "rights")?;
            out.set(1, fds)?;
        }
        Decoded::Credentials { pid, uid, gid } => {
            out.set(0, "credentials")?;
            out.set(1, pid)?;
            out.set(2, uid)?;
            out.set(3, gid)?;
        }
        Decoded::Pktinfo {
            addr,
            ifindex,
            spec_dst,
        } => {
            let text = match addr {
                std::net::IpAddr::V4(a) => a.to_string(),
                std::net::IpAddr::V6(a) => inet::ipv6_text(&a),
            };
            out.set(0, "pktinfo")?;
            out.set(1, text)?;
            out.set(2, ifindex)?;
            out.set(3, spec_dst.map(|a| a.to_string()))?;
        }
        Decoded::Hops(n) => {
            out.set(0, "hops")?;
            out.set(1, n)?;
        }
        Decoded::Timestamp { sec, nsec } => {
            out.set(0, "timestamp")?;
            out.set(1, sec as f64)?;
            out.set(2, nsec as f64)?;
        }
    }
    Ok(Some(Raw(out.raw())))
}

/// The bytes of a `struct ucred`, or null where the OS has none.
#[napi]
pub fn ucred_bytes(env: Env, pid: i32, uid: u32, gid: u32) -> Result<Option<Raw>> {
    match msg::ucred_bytes(pid, uid, gid) {
        Some(b) => buffer_copy(&env, &b).map(Some),
        None => Ok(None),
    }
}

/// sendfile(sock, file, offset, count (negative: none), timeout) -> bytes sent, or -1.
/// A sendfile a signal interrupted goes on after the listeners from where it stopped.
#[napi]
pub fn sendfile(env: Env, sock: i32, file: i32, offset: f64, count: f64, timeout: f64) -> f64 {
    let count = (count >= 0.0).then_some(count as u64);
    let mut sent = 0u64;
    let n = blocking(env.raw(), sock, Timeout::from_secs(timeout), "sendfile", |t| {
        let rest = count.map(|c| c.saturating_sub(sent));
        match msg::sendfile(sock, file, offset as i64 + sent as i64, rest, t) {
            Ok(n) => Ok(sent + n),
            Err(e) => {
                sent += e.written.unwrap_or(0) as u64;
                Err(e.after_sending(sent as usize))
            }
        }
    });
    n.map_or(-1.0, |n| n as f64)
}

/// sendfileOnce(sock, file, offset, count) -> bytes sent by one sendfile(2) that does not wait, or -1.
#[napi]
pub fn sendfile_once(sock: i32, file: i32, offset: f64, count: f64) -> f64 {
    ok(msg::sendfile_once(sock, file, offset as u64, count as usize)).map_or(-1.0, |n| n as f64)
}

/// seekFile(file, offset) -> whether lseek(file, offset, SEEK_SET) worked.
#[napi]
pub fn seek_file(file: i32, offset: f64) -> bool {
    ok(msg::seek_file(file, offset as u64)).is_some()
}
