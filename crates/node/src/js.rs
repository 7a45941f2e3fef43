//! Conversions between core values and JS values: errors, addresses, buffers.

use std::ptr;

use bsdsock_core::{inet, Address, AddressArg, Error};
use napi::bindgen_prelude::*;
use napi::sys;

/// A napi_value made by hand, returned as is.
pub struct Raw(pub sys::napi_value);

impl ToNapiValue for Raw {
    unsafe fn to_napi_value(_env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        Ok(val.0)
    }
}

/// A Buffer holding a copy of `data`: the one copy of received bytes.
pub fn buffer_copy(env: &Env, data: &[u8]) -> Result<Raw> {
    let mut value = ptr::null_mut();
    let mut out_data = ptr::null_mut();
    // SAFETY: data is readable for its length; napi copies it into a new Buffer.
    let status = unsafe {
        sys::napi_create_buffer_copy(
            env.raw(),
            data.len(),
            data.as_ptr().cast(),
            &mut out_data,
            &mut value,
        )
    };
    if status != sys::Status::napi_ok {
        return Err(napi::Error::new(
            Status::GenericFailure,
            "cannot allocate a Buffer",
        ));
    }
    Ok(Raw(value))
}

/// An address as Python returns it: an array, a string, a Buffer or null.
pub struct JsAddress(pub Option<Address>);

impl ToNapiValue for JsAddress {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        let Some(addr) = val.0 else {
            return Null::to_napi_value(env, Null);
        };
        match addr {
            Address::V4 { ip, port } => {
                <(String, u32)>::to_napi_value(env, (ip.to_string(), u32::from(port)))
            }
            Address::V6 {
                ip,
                port,
                flowinfo,
                scope_id,
            } => <(String, u32, u32, u32)>::to_napi_value(
                env,
                (inet::ipv6_text(&ip), u32::from(port), flowinfo, scope_id),
            ),
            Address::Unix(name) => unix_name(env, name),
            Address::Netlink { pid, groups } => <(u32, u32)>::to_napi_value(env, (pid, groups)),
            Address::Vsock { cid, port } => <(u32, u32)>::to_napi_value(env, (cid, port)),
            Address::Packet {
                ifname,
                proto,
                pkttype,
                hatype,
                addr,
            } => <(String, u32, u32, u32, Buffer)>::to_napi_value(
                env,
                (
                    ifname,
                    u32::from(proto),
                    u32::from(pkttype),
                    u32::from(hatype),
                    addr.into(),
                ),
            ),
            Address::Other { family, data } => <(i32, Buffer)>::to_napi_value(env, (family, data.into())),
        }
    }
}

/// An AF_UNIX name: abstract names (leading NUL) as a Buffer, paths as a string
/// (`''` for an unnamed socket), as Python does on Linux.
unsafe fn unix_name(env: sys::napi_env, name: Vec<u8>) -> Result<sys::napi_value> {
    if name.first() == Some(&0) {
        Buffer::to_napi_value(env, name.into())
    } else {
        String::to_napi_value(env, String::from_utf8_lossy(&name).into_owned())
    }
}

/// The address arguments the facade passes after checking their shape:
/// family, then host (string) or path (bytes), then up to three numbers and
/// extra bytes (AF_PACKET's hardware address).
pub struct AddrParts<'a> {
    pub family: i32,
    pub host: &'a Either<String, Uint8Array>,
    pub a: u32,
    pub b: u32,
    pub c: u32,
    pub extra: Option<&'a [u8]>,
}

impl AddrParts<'_> {
    pub fn to_arg(&self) -> bsdsock_core::Result<AddressArg<'_>> {
        let text = || match self.host {
            Either::A(s) => Ok(s.as_str()),
            Either::B(_) => Err(Error::value("host must be a string")),
        };
        Ok(match self.family {
            libc_af::INET => AddressArg::Inet {
                host: text()?,
                port: self.a as u16,
            },
            libc_af::INET6 => AddressArg::Inet6 {
                host: text()?,
                port: self.a as u16,
                flowinfo: self.b,
                scope_id: self.c,
            },
            libc_af::UNIX => match self.host {
                Either::A(s) => AddressArg::Unix(s.as_bytes()),
                Either::B(b) => AddressArg::Unix(b),
            },
            libc_af::NETLINK => AddressArg::Netlink {
                pid: self.a,
                groups: self.b,
            },
            libc_af::VSOCK => AddressArg::Vsock {
                cid: self.a,
                port: self.b,
            },
            libc_af::PACKET => AddressArg::Packet {
                ifname: text()?,
                proto: self.a as u16,
                pkttype: self.b as u8,
                hatype: self.c as u16,
                addr: self.extra.unwrap_or_default(),
            },
            _ => return Err(Error::os(bsdsock_core::sys::EAFNOSUPPORT, "address")),
        })
    }
}

/// The address families the N-API layer passes through, from the core's table.
mod libc_af {
    pub const INET: i32 = bsdsock_core::sys::AF_INET;
    pub const INET6: i32 = bsdsock_core::sys::AF_INET6;
    pub const UNIX: i32 = bsdsock_core::sys::AF_UNIX;
    pub const NETLINK: i32 = bsdsock_core::sys::AF_NETLINK;
    pub const PACKET: i32 = bsdsock_core::sys::AF_PACKET;
    pub const VSOCK: i32 = bsdsock_core::sys::AF_VSOCK;
}

/// A typed array (Uint8Array for bytes, Int32Array for fd lists) the call
/// writes into in place, with no copy: `recv_into`, select's fd lists.
pub struct Writable<T: 'static>(&'static mut [T]);

impl<T: 'static> Writable<T> {
    /// The elements beyond this call; see state.rs's take_block for what keeps them valid.
    pub fn into_static(self) -> &'static mut [T] {
        self.0
    }
}

impl<T: 'static> FromNapiValue for Writable<T>
where
    &'static mut [T]: FromNapiValue,
{
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> Result<Self> {
        // The slice borrows the view's memory for the one synchronous call it is an
        // argument of: the JS value is alive on the caller's stack until we return,
        // and nothing else runs JS meanwhile, so its backing store cannot be freed
        // or detached while we hold it.
        <&'static mut [T]>::from_napi_value(env, value).map(Writable)
    }
}

impl<T: 'static> std::ops::Deref for Writable<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        self.0
    }
}

impl<T: 'static> std::ops::DerefMut for Writable<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        self.0
    }
}
