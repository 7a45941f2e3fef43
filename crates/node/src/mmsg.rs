//! Batched datagrams (sendmmsg, recvmmsg) as plain N-API callbacks (raw.rs),
//! like io.rs's: they run once per burst, so their arguments are read directly,
//! without the `#[napi]` wrappers' bookkeeping.
//!
//! - `sendmmsg(fd, datas, sockaddrs, flags, timeout)`: `datas` an array of
//!   Uint8Array, `sockaddrs` an array of the same length (sockaddr bytes, or
//!   null for the connected peer), one sockaddr for all, or null for none;
//!   returns how many were sent, or -1.
//! - `recvmmsgInto(fd, buffers, meta, fresh, flags, timeout)`: one datagram per
//!   Uint8Array of `buffers`; returns how many arrived, or -1.
//! - `recvmmsgSlab(fd, buf, stride, count, meta, fresh, flags, timeout)`: the
//!   same into `count` windows of `stride` bytes of one buffer.
//!
//! For datagram i, `meta` (an Int32Array) gets `[nbytes, msg_flags, slot, new]`
//! at 4i: the sender's address is in the address table at `slot` (state.rs),
//! and when `new` is 1 its JS value is also put at `fresh[i]`, for the facade
//! to remember. Slots are assigned in order, as the facade reads them, so a
//! slot reused within one batch is still read right.

use std::ptr;

use bsdsock_core::addr::sockaddr_from_bytes;
use bsdsock_core::msg::{self, Datagram};
use bsdsock_core::{Address, SockAddr};
use napi::bindgen_prelude::ToNapiValue;
use napi::sys;

use crate::env::DatagramArea;
use crate::js::JsAddress;
use crate::raw::{bad_args, einval, okay, Args, Callback};
use crate::signals::blocking;
use crate::state::remember;

fn array_len(env: sys::napi_env, v: sys::napi_value) -> Option<u32> {
    let mut is_array = false;
    // SAFETY: env and v come from the current callback.
    let status = unsafe { sys::napi_is_array(env, v, &mut is_array) };
    if status != sys::Status::napi_ok || !is_array {
        return None;
    }
    let mut len = 0;
    // SAFETY: v is an array of the current callback.
    let status = unsafe { sys::napi_get_array_length(env, v, &mut len) };
    (status == sys::Status::napi_ok).then_some(len)
}

fn element(env: sys::napi_env, v: sys::napi_value, i: u32) -> Option<sys::napi_value> {
    let mut out = ptr::null_mut();
    // SAFETY: v is an array of the current callback.
    let status = unsafe { sys::napi_get_element(env, v, i, &mut out) };
    (status == sys::Status::napi_ok).then_some(out)
}

fn is_nullish(env: sys::napi_env, v: sys::napi_value) -> bool {
    let mut ty = 0;
    // SAFETY: v comes from the current callback.
    let status = unsafe { sys::napi_typeof(env, v, &mut ty) };
    status == sys::Status::napi_ok
        && (ty == sys::ValueType::napi_null || ty == sys::ValueType::napi_undefined)
}

/// The bytes of a Uint8Array value, borrowed for the current callback (see
/// raw.rs: no JS runs until it returns).
fn bytes_of<'call>(env: sys::napi_env, v: sys::napi_value) -> Option<&'call mut [u8]> {
    let a = Args::<1> { env, argv: [v] };
    a.bytes(0)
}

/// An Int32Array value, borrowed for the current callback (as `bytes_of`).
fn int32s<'call>(env: sys::napi_env, v: sys::napi_value) -> Option<&'call mut [i32]> {
    let a = Args::<1> { env, argv: [v] };
    a.ints(0)
}

/// sendmmsg(fd, datas, sockaddrs, flags, timeout) -> count or -1
unsafe extern "C" fn sendmmsg(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    let Some(a) = Args::<5>::read(env, info) else {
        return ptr::null_mut();
    };
    let n = match (a.i32(0), a.i32(3), a.timeout(4)) {
        (Some(fd), Some(flags), Some(t)) => blocking(env, fd, t, "sendmmsg", |t| {
            let (datas, addrs) = gather(env, a.argv[1], a.argv[2]).ok_or_else(einval)?;
            let refs: Vec<Option<&SockAddr>> = addrs.iter().map(Option::as_ref).collect();
            msg::sendmmsg(fd, &datas, &refs, flags, t)
        }),
        _ => bad_args(),
    };
    a.number(n)
}

type Batch<'call> = (Vec<&'call [u8]>, Vec<Option<SockAddr>>);

/// The datagrams and their addresses; an address equal (same bytes) to the
/// one before it is not parsed again.
fn gather<'call>(env: sys::napi_env, datas: sys::napi_value, addrs: sys::napi_value) -> Option<Batch<'call>> {
    let n = array_len(env, datas)?;
    if is_nullish(env, addrs) {
        return Some((datas_of(env, datas, n)?, vec![None; n as usize]));
    }
    if let Some(raw) = bytes_of(env, addrs) {
        // One sockaddr for every datagram.
        let sa = sockaddr_from_bytes(raw)?;
        return Some((datas_of(env, datas, n)?, vec![Some(sa); n as usize]));
    }
    let addr_list = (array_len(env, addrs)? == n).then_some(addrs);
    let mut out_data: Vec<&[u8]> = Vec::with_capacity(n as usize);
    let mut out_addr: Vec<Option<SockAddr>> = Vec::with_capacity(n as usize);
    let mut prev: Option<(&[u8], SockAddr)> = None;
    for i in 0..n {
        let data: &[u8] = bytes_of(env, element(env, datas, i)?)?;
        out_data.push(data);
        let Some(list) = addr_list else {
            out_addr.push(None);
            continue;
        };
        let v = element(env, list, i)?;
        if is_nullish(env, v) {
            out_addr.push(None);
            continue;
        }
        let raw: &[u8] = bytes_of(env, v)?;
        let sa = match &prev {
            Some((p, sa)) if *p == raw => sa.clone(),
            _ => {
                let sa = sockaddr_from_bytes(raw)?;
                prev = Some((raw, sa.clone()));
                sa
            }
        };
        out_addr.push(Some(sa));
    }
    Some((out_data, out_addr))
}

/// The bytes of each Uint8Array of the array `datas` (of length `n`).
fn datas_of<'call>(env: sys::napi_env, datas: sys::napi_value, n: u32) -> Option<Vec<&'call [u8]>> {
    (0..n)
        .map(|i| element(env, datas, i).and_then(|v| bytes_of(env, v)).map(|b| &*b))
        .collect()
}

/// Whether the facade may keep one JS value for this address (no bytes in it).
fn shareable(addr: &Address) -> bool {
    match addr {
        Address::V4 { .. } | Address::V6 { .. } | Address::Netlink { .. } | Address::Vsock { .. } => true,
        Address::Unix(name) => name.first() != Some(&0),
        _ => false,
    }
}

/// Writes `meta` and `fresh` (the array, looked up only when an address is new) for the datagrams received.
fn report(
    env: sys::napi_env,
    got: &[Datagram],
    meta: &mut [i32],
    fresh: &dyn Fn() -> Option<sys::napi_value>,
) -> Option<()> {
    for (i, d) in got.iter().enumerate() {
        let m = meta.get_mut(4 * i..4 * i + 4)?;
        m[0] = i32::try_from(d.nbytes).unwrap_or(i32::MAX);
        m[1] = d.msg_flags;
        match Address::from_sockaddr(&d.addr) {
            None => {
                m[2] = -1;
                m[3] = 0;
            }
            Some(addr) => {
                let share = shareable(&addr);
                let (slot, is_new) = remember(addr.clone());
                m[2] = slot as i32;
                m[3] = i32::from(is_new || !share);
                if is_new || !share {
                    // SAFETY: converting a value in the current callback's env.
                    let v = unsafe { JsAddress::to_napi_value(env, JsAddress(Some(addr))) }.ok()?;
                    // SAFETY: fresh is an array of the current callback.
                    let status = unsafe { sys::napi_set_element(env, fresh()?, i as u32, v) };
                    if status != sys::Status::napi_ok {
                        return None;
                    }
                }
            }
        }
    }
    Some(())
}

thread_local! {
    static GOT: std::cell::RefCell<Vec<Datagram>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Receives into the buffers `bufs` gives (read afresh each time the call
/// resumes after a signal's listeners) and reports; the count, or None with
/// the error recorded.
fn receive<'call>(
    env: sys::napi_env,
    fd: i32,
    mut bufs: impl FnMut() -> Option<Vec<&'call mut [u8]>>,
    meta: impl Fn() -> Option<&'call mut [i32]>,
    fresh: &dyn Fn() -> Option<sys::napi_value>,
    flags: i32,
    t: bsdsock_core::Timeout,
) -> Option<usize> {
    GOT.with(|cell| {
        let mut got = cell.borrow_mut();
        let n = blocking(env, fd, t, "recvmmsg", |t| {
            let mut bufs = bufs().ok_or_else(einval)?;
            if meta().ok_or_else(einval)?.len() < 4 * bufs.len() {
                return Err(einval());
            }
            msg::recvmmsg(fd, &mut bufs, flags, t, &mut got)
        })?;
        match meta().and_then(|m| report(env, &got[..n], m, fresh)) {
            Some(()) => Some(n),
            None => bad_args(),
        }
    })
}

/// `receive` with the meta array and the fresh array the call was given, arguments `at` and `at + 1`.
fn receive_given<'call, const N: usize>(
    a: &Args<N>,
    fd: i32,
    bufs: impl FnMut() -> Option<Vec<&'call mut [u8]>>,
    at: usize,
    flags: i32,
    t: bsdsock_core::Timeout,
) -> Option<usize> {
    receive(
        a.env,
        fd,
        bufs,
        || int32s(a.env, a.argv[at]),
        &|| Some(a.argv[at + 1]),
        flags,
        t,
    )
}

/// recvmmsgInto(fd, buffers, meta, fresh, flags, timeout) -> count or -1
unsafe extern "C" fn recvmmsg_into(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    let Some(a) = Args::<6>::read(env, info) else {
        return ptr::null_mut();
    };
    let bufs = || {
        array_len(env, a.argv[1]).and_then(|n| {
            (0..n)
                .map(|i| element(env, a.argv[1], i).and_then(|v| bytes_of(env, v)))
                .collect::<Option<Vec<&mut [u8]>>>()
        })
    };
    let n = match (a.i32(0), a.i32(4), a.timeout(5)) {
        (Some(fd), Some(flags), Some(t)) => receive_given(&a, fd, bufs, 2, flags, t),
        _ => bad_args(),
    };
    a.number(n)
}

/// recvmmsgSlab(fd, buf, stride, count, meta, fresh, flags, timeout) -> count or -1
unsafe extern "C" fn recvmmsg_slab(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    let Some(a) = Args::<8>::read(env, info) else {
        return ptr::null_mut();
    };
    let n = match (a.i32(0), a.i32(2), a.i32(3), a.i32(6), a.timeout(7)) {
        (Some(fd), Some(stride), Some(count), Some(flags), Some(t)) if stride > 0 && count >= 0 => {
            let stride = stride as usize;
            let bufs = || {
                let buf = a.bytes(1)?;
                let count = (count as usize).min(buf.len() / stride);
                Some(buf.chunks_exact_mut(stride).take(count).collect())
            };
            receive_given(&a, fd, bufs, 4, flags, t)
        }
        _ => bad_args(),
    };
    a.number(n)
}

/// A new batch of `count` windows of `stride` bytes.
///
/// SAFETY: call from a JS call on the environment's thread.
unsafe fn make_area(env: sys::napi_env, stride: usize, count: usize) -> Option<DatagramArea> {
    let len = stride.checked_mul(count)?;
    let meta_len = 4 * count;
    let (mut area, mut data) = (ptr::null_mut(), ptr::null_mut());
    okay(sys::napi_create_arraybuffer(env, len, &mut data, &mut area))?;
    let (mut meta_buffer, mut meta_data, mut meta) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
    okay(sys::napi_create_arraybuffer(
        env,
        4 * meta_len,
        &mut meta_data,
        &mut meta_buffer,
    ))?;
    okay(sys::napi_create_typedarray(
        env,
        sys::TypedarrayType::int32_array,
        meta_len,
        meta_buffer,
        0,
        &mut meta,
    ))?;
    let mut fresh = ptr::null_mut();
    okay(sys::napi_create_array(env, &mut fresh))?;
    let mut values = [ptr::null_mut(); 3];
    for (r, v) in values.iter_mut().zip([area, meta, fresh]) {
        okay(sys::napi_create_reference(env, v, 1, r))?;
    }
    Some(DatagramArea {
        data: data.cast(),
        len,
        stride,
        meta: meta_data.cast(),
        meta_len,
        values,
    })
}

/// datagramArea(stride, count) -> [area: ArrayBuffer, meta: Int32Array, fresh: Array], or null
/// with the error recorded: the batch every `recvmmsgArea` of this environment receives into
/// and reports in, made at the first call (`count` windows of `stride` bytes), the same at
/// every other (the facade's module may be loaded more than once).
unsafe extern "C" fn datagram_area(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    let Some(a) = Args::<2>::read(env, info) else {
        return ptr::null_mut();
    };
    let area = match crate::env::with(|s| s.datagrams) {
        None => None,
        Some(Some(area)) => Some(area),
        Some(None) => match (a.i32(0), a.i32(1)) {
            (Some(stride), Some(count)) if stride > 0 && count > 0 => {
                make_area(env, stride as usize, count as usize)
                    .and_then(|area| crate::env::with(|s| *s.datagrams.insert(area)))
            }
            _ => None,
        },
    };
    let mut out = ptr::null_mut();
    let values = area.and_then(|area| (0..3).map(|i| area.value(env, i)).collect::<Option<Vec<_>>>());
    match values {
        Some(values) if okay(sys::napi_create_array_with_length(env, 3, &mut out)).is_some() => {
            for (i, v) in values.into_iter().enumerate() {
                sys::napi_set_element(env, out, i as u32, v);
            }
            out
        }
        _ => {
            bad_args();
            sys::napi_get_null(env, &mut out);
            out
        }
    }
}

/// recvmmsgArea(fd, count) -> count or -1: a datagram transport's read, of up to `count`
/// datagrams into the registered area, never waiting (`datagramArea`).
unsafe extern "C" fn recvmmsg_area(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    let Some(a) = Args::<2>::read(env, info) else {
        return ptr::null_mut();
    };
    let area = crate::env::with(|s| s.datagrams).flatten();
    let n = match (a.i32(0), a.i32(1), area) {
        (Some(fd), Some(count), Some(area)) if count >= 0 => {
            let bufs = || Some(area.windows(count as usize));
            let t = bsdsock_core::Timeout::NONBLOCKING;
            receive(env, fd, bufs, || Some(area.meta()), &|| area.value(env, 2), 0, t)
        }
        _ => bad_args(),
    };
    a.number(n)
}

/// The batched calls, for raw::export.
pub(crate) const CALLS: &[(&std::ffi::CStr, Callback)] = &[
    (c"sendmmsg", sendmmsg),
    (c"recvmmsgInto", recvmmsg_into),
    (c"recvmmsgSlab", recvmmsg_slab),
    (c"datagramArea", datagram_area),
    (c"recvmmsgArea", recvmmsg_area),
];
