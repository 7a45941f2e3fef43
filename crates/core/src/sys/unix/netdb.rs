//! The older resolver calls of Python's socket module (gethostbyname,
//! gethostbyname_ex, gethostbyaddr, getservbyname, getservbyport,
//! getprotobyname) and the interface calls (if_nameindex, if_nametoindex,
//! if_indextoname), with Python's results and errors.
//!
//! The gethostby* calls know only IPv4 names (and aliases no one needs): new
//! code uses getaddrinfo (resolve.rs). They are here so ported scripts run.
//!
//! Thread safety: on Linux with glibc the reentrant `_r` functions are used,
//! each call with its own buffer; elsewhere the classic functions, which return
//! static storage, run one at a time under a lock.

use std::ffi::{c_char, c_int, CStr};
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::addr::Address;
use crate::error::{Error, Result};
use crate::resolve::{c_string, setipaddr};

/// h_errno's HOST_NOT_FOUND, for a failure that did not say why.
const HOST_NOT_FOUND: i32 = 1;

/// What `gethostbyname_ex` and `gethostbyaddr` return:
/// `(hostname, aliaslist, ipaddrlist)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostEnt {
    pub name: String,
    pub aliases: Vec<String>,
    pub addrs: Vec<String>,
}

/// # Safety
/// `p` must be null or a NUL-terminated string that outlives the call.
unsafe fn text(p: *const c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    CStr::from_ptr(p).to_string_lossy().into_owned()
}

/// # Safety
/// `list` must be null or a null-terminated array of pointers, each as `each` takes.
unsafe fn each_of<T>(list: *mut *mut c_char, mut each: impl FnMut(*mut c_char) -> T) -> Vec<T> {
    let mut out = Vec::new();
    if list.is_null() {
        return out;
    }
    let mut i = 0;
    loop {
        let p = *list.add(i);
        if p.is_null() {
            return out;
        }
        out.push(each(p));
        i += 1;
    }
}

/// Python's `gethost_common`: a hostent as `(name, aliases, addresses)`,
/// provided its family is the one asked for.
///
/// Public (hidden) for the fuzz targets, which hand it hostents they build.
///
/// # Safety
/// `h` must be a hostent the C library filled (or one laid out as it would),
/// alive for the call.
#[doc(hidden)]
pub unsafe fn host_common(h: &libc::hostent, family: i32) -> Result<HostEnt> {
    if h.h_addrtype != family {
        return Err(Error::os(libc::EAFNOSUPPORT, "gethostbyname"));
    }
    if family != libc::AF_INET && family != libc::AF_INET6 {
        return Err(Error::message("unsupported address family", "gethostbyname"));
    }
    let aliases = each_of(h.h_aliases, |p| text(p));
    let addrs = each_of(h.h_addr_list, |p| match family {
        libc::AF_INET => {
            let mut o = [0u8; 4];
            std::ptr::copy_nonoverlapping(p.cast::<u8>(), o.as_mut_ptr(), 4);
            Ipv4Addr::from(o).to_string()
        }
        _ => {
            let mut o = [0u8; 16];
            std::ptr::copy_nonoverlapping(p.cast::<u8>(), o.as_mut_ptr(), 16);
            crate::inet::ipv6_text(&Ipv6Addr::from(o))
        }
    });
    Ok(HostEnt {
        name: text(h.h_name),
        aliases,
        addrs,
    })
}

/// gethostbyname(name) -> IPv4 address text. `name` is encoded already (see idna::encode_arg).
pub fn gethostbyname(name: &str) -> Result<String> {
    match setipaddr(name, libc::AF_INET)? {
        Address::V4 { ip, .. } => Ok(ip.to_string()),
        _ => Err(Error::os(libc::EAFNOSUPPORT, "gethostbyname")),
    }
}

/// gethostbyname_ex(name) -> (hostname, aliases, IPv4 addresses).
pub fn gethostbyname_ex(name: &str) -> Result<HostEnt> {
    // As Python: the name must resolve (literals need no lookup), then the C
    // library looks the name itself up.
    setipaddr(name, libc::AF_INET)?;
    let cname = c_string(name.as_bytes());
    sys::with_hostent(sys::HostQuery::Name(&cname), |h| {
        // SAFETY: `h` is the hostent the C library just filled, alive in this closure.
        unsafe { host_common(h, libc::AF_INET) }
    })
}

/// gethostbyaddr(ip) -> (hostname, aliases, addresses); `ip` may be a name,
/// resolved first (IPv4 or IPv6).
pub fn gethostbyaddr(ip: &str) -> Result<HostEnt> {
    let (family, packed) = match setipaddr(ip, libc::AF_UNSPEC)? {
        Address::V4 { ip, .. } => (libc::AF_INET, ip.octets().to_vec()),
        Address::V6 { ip, .. } => (libc::AF_INET6, ip.octets().to_vec()),
        _ => return Err(Error::message("unsupported address family", "gethostbyaddr")),
    };
    sys::with_hostent(sys::HostQuery::Addr(&packed, family), |h| {
        // SAFETY: `h` is the hostent the C library just filled, alive in this closure.
        unsafe { host_common(h, family) }
    })
}

/// getservbyname(name, proto) -> port.
pub fn getservbyname(name: &str, proto: Option<&str>) -> Result<u16> {
    let name = c_string(name.as_bytes());
    let proto = proto.map(|p| c_string(p.as_bytes()));
    let port = sys::with_servent(sys::ServQuery::Name(&name), proto.as_deref(), |s| s.s_port)?;
    port.map(|p| u16::from_be(p as u16))
        .ok_or_else(|| Error::message("service/proto not found", "getservbyname"))
}

/// getservbyport(port, proto) -> service name. `port` is 0-65535 (the facade checks).
pub fn getservbyport(port: u16, proto: Option<&str>) -> Result<String> {
    let proto = proto.map(|p| c_string(p.as_bytes()));
    let query = sys::ServQuery::Port(c_int::from(port.to_be()));
    // SAFETY: s_name of a servent the C library filled is a NUL-terminated string.
    let name = sys::with_servent(query, proto.as_deref(), |s| unsafe { text(s.s_name) })?;
    name.ok_or_else(|| Error::message("port/proto not found", "getservbyport"))
}

/// getprotobyname(name) -> protocol number.
pub fn getprotobyname(name: &str) -> Result<i32> {
    let name = c_string(name.as_bytes());
    sys::protocol(&name)?.ok_or_else(|| Error::message("protocol not found", "getprotobyname"))
}

/// if_nameindex() -> [(index, name)].
pub fn if_nameindex() -> Result<Vec<(u32, String)>> {
    // SAFETY: if_nameindex returns an array we own (freed below) or null.
    let list = unsafe { libc::if_nameindex() };
    if list.is_null() {
        return Err(Error::last("if_nameindex"));
    }
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        // SAFETY: the array ends with an entry whose index is 0; we stop there.
        let entry = unsafe { &*list.add(i) };
        if entry.if_index == 0 {
            break;
        }
        // SAFETY: if_name of an entry before the end is a NUL-terminated string.
        out.push((entry.if_index, unsafe { text(entry.if_name) }));
        i += 1;
    }
    // SAFETY: `list` came from if_nameindex and is freed once, after its last use.
    unsafe { libc::if_freenameindex(list) };
    Ok(out)
}

/// if_nametoindex(name) -> index.
pub fn if_nametoindex(name: &[u8]) -> Result<u32> {
    let name = c_string(name);
    // SAFETY: `name` is NUL-terminated.
    match unsafe { libc::if_nametoindex(name.as_ptr()) } {
        0 => Err(Error::message("no interface with this name", "if_nametoindex")),
        index => Ok(index),
    }
}

/// if_indextoname(index) -> name.
pub fn if_indextoname(index: u32) -> Result<String> {
    let mut buf = [0 as c_char; libc::IF_NAMESIZE + 1];
    // SAFETY: `buf` has room for IF_NAMESIZE bytes and the NUL.
    let p = unsafe { libc::if_indextoname(index, buf.as_mut_ptr()) };
    if p.is_null() {
        return Err(Error::last("if_indextoname"));
    }
    // SAFETY: on success the buffer holds a NUL-terminated name.
    Ok(unsafe { text(buf.as_ptr()) })
}

/// The platform part: reentrant lookups with a buffer per call (glibc), or the
/// classic ones under a lock.
mod sys {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    use std::ffi::c_char;
    use std::ffi::{c_int, c_void, CStr};

    use crate::error::{Error, Result};

    pub enum HostQuery<'a> {
        Name(&'a CStr),
        /// Packed address bytes and their family.
        Addr(&'a [u8], c_int),
    }

    pub enum ServQuery<'a> {
        Name(&'a CStr),
        /// The port in network byte order, as the C call takes it.
        Port(c_int),
    }

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    mod ffi {
        use std::ffi::{c_char, c_int, c_void};
        extern "C" {
            pub fn gethostbyname_r(
                name: *const c_char,
                ret: *mut libc::hostent,
                buf: *mut c_char,
                buflen: libc::size_t,
                result: *mut *mut libc::hostent,
                h_errnop: *mut c_int,
            ) -> c_int;
            #[allow(clippy::too_many_arguments)]
            pub fn gethostbyaddr_r(
                addr: *const c_void,
                len: libc::socklen_t,
                family: c_int,
                ret: *mut libc::hostent,
                buf: *mut c_char,
                buflen: libc::size_t,
                result: *mut *mut libc::hostent,
                h_errnop: *mut c_int,
            ) -> c_int;
            pub fn getservbyname_r(
                name: *const c_char,
                proto: *const c_char,
                ret: *mut libc::servent,
                buf: *mut c_char,
                buflen: libc::size_t,
                result: *mut *mut libc::servent,
            ) -> c_int;
            pub fn getservbyport_r(
                port: c_int,
                proto: *const c_char,
                ret: *mut libc::servent,
                buf: *mut c_char,
                buflen: libc::size_t,
                result: *mut *mut libc::servent,
            ) -> c_int;
            pub fn getprotobyname_r(
                name: *const c_char,
                ret: *mut libc::protoent,
                buf: *mut c_char,
                buflen: libc::size_t,
                result: *mut *mut libc::protoent,
            ) -> c_int;
        }
    }

    /// Buffer sizes to try: the C library says ERANGE when one is too small.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    const BUFFERS: [usize; 5] = [16 * 1024, 64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024];

    /// Runs a reentrant lookup with growing buffers until it fits.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn with_buffer<T>(
        syscall: &'static str,
        mut call: impl FnMut(&mut [c_char]) -> std::result::Result<T, c_int>,
    ) -> Result<T> {
        for size in BUFFERS {
            let mut buf = vec![0 as c_char; size];
            match call(&mut buf) {
                Ok(v) => return Ok(v),
                Err(libc::ERANGE) => continue,
                Err(e) => return Err(Error::os(e, syscall)),
            }
        }
        Err(Error::os(libc::ERANGE, syscall))
    }

    /// Looks a host up and hands the hostent to `f`; herror when there is none.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    pub fn with_hostent<T>(q: HostQuery<'_>, f: impl Fn(&libc::hostent) -> Result<T>) -> Result<T> {
        let syscall = match q {
            HostQuery::Name(_) => "gethostbyname",
            HostQuery::Addr(..) => "gethostbyaddr",
        };
        with_buffer(syscall, |buf| {
            // SAFETY: hostent is plain data; all-zero is a valid empty value to fill.
            let mut ent: libc::hostent = unsafe { std::mem::zeroed() };
            let mut result: *mut libc::hostent = std::ptr::null_mut();
            let mut h_errno: c_int = 0;
            // SAFETY: every pointer is valid for the call: the name is NUL-terminated,
            // the address bytes are as long as passed, `buf` is writable for its
            // length, and `ent`/`result`/`h_errno` are ours to fill.
            let rc = unsafe {
                match q {
                    HostQuery::Name(name) => ffi::gethostbyname_r(
                        name.as_ptr(),
                        &mut ent,
                        buf.as_mut_ptr(),
                        buf.len(),
                        &mut result,
                        &mut h_errno,
                    ),
                    HostQuery::Addr(addr, family) => ffi::gethostbyaddr_r(
                        addr.as_ptr().cast::<c_void>(),
                        addr.len() as libc::socklen_t,
                        family,
                        &mut ent,
                        buf.as_mut_ptr(),
                        buf.len(),
                        &mut result,
                        &mut h_errno,
                    ),
                }
            };
            if rc == libc::ERANGE {
                return Err(libc::ERANGE);
            }
            // SAFETY: a non-null result points at `ent`, filled, with strings in `buf`.
            Ok(match unsafe { result.as_ref() } {
                Some(h) => f(h),
                None => Err(Error::herror(
                    if h_errno == 0 {
                        super::HOST_NOT_FOUND
                    } else {
                        h_errno
                    },
                    syscall,
                )),
            })
        })?
    }

    /// Looks a service up and hands the servent to `f`; None when there is none.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    pub fn with_servent<T>(
        q: ServQuery<'_>,
        proto: Option<&CStr>,
        f: impl Fn(&libc::servent) -> T,
    ) -> Result<Option<T>> {
        let proto = proto.map_or(std::ptr::null(), CStr::as_ptr);
        with_buffer("getservbyname", |buf| {
            // SAFETY: servent is plain data; all-zero is a valid empty value to fill.
            let mut ent: libc::servent = unsafe { std::mem::zeroed() };
            let mut result: *mut libc::servent = std::ptr::null_mut();
            // SAFETY: the strings are NUL-terminated (or proto null, allowed), `buf`
            // is writable for its length, and `ent`/`result` are ours to fill.
            let rc = unsafe {
                match q {
                    ServQuery::Name(name) => ffi::getservbyname_r(
                        name.as_ptr(),
                        proto,
                        &mut ent,
                        buf.as_mut_ptr(),
                        buf.len(),
                        &mut result,
                    ),
                    ServQuery::Port(port) => {
                        ffi::getservbyport_r(port, proto, &mut ent, buf.as_mut_ptr(), buf.len(), &mut result)
                    }
                }
            };
            if rc == libc::ERANGE {
                return Err(libc::ERANGE);
            }
            // SAFETY: a non-null result points at `ent`, filled, with strings in `buf`.
            Ok(unsafe { result.as_ref() }.map(&f))
        })
    }

    /// The number of a protocol, None when there is none.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    pub fn protocol(name: &CStr) -> Result<Option<i32>> {
        with_buffer("getprotobyname", |buf| {
            // SAFETY: protoent is plain data; all-zero is a valid empty value to fill.
            let mut ent: libc::protoent = unsafe { std::mem::zeroed() };
            let mut result: *mut libc::protoent = std::ptr::null_mut();
            // SAFETY: the name is NUL-terminated, `buf` is writable for its length,
            // and `ent`/`result` are ours to fill.
            let rc = unsafe {
                ffi::getprotobyname_r(name.as_ptr(), &mut ent, buf.as_mut_ptr(), buf.len(), &mut result)
            };
            if rc == libc::ERANGE {
                return Err(libc::ERANGE);
            }
            // SAFETY: a non-null result points at `ent`, filled.
            Ok(unsafe { result.as_ref() }.map(|p| p.p_proto))
        })
    }

    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    mod classic {
        use std::ffi::{c_char, c_int, c_void};
        use std::sync::{Mutex, MutexGuard};

        extern "C" {
            pub fn gethostbyname(name: *const c_char) -> *mut libc::hostent;
            pub fn gethostbyaddr(
                addr: *const c_void,
                len: libc::socklen_t,
                family: c_int,
            ) -> *mut libc::hostent;
        }

        static LOCK: Mutex<()> = Mutex::new(());

        /// The lock around the calls that return static storage.
        pub fn lock() -> MutexGuard<'static, ()> {
            LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
        }
    }

    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    pub fn with_hostent<T>(q: HostQuery<'_>, f: impl Fn(&libc::hostent) -> Result<T>) -> Result<T> {
        let _guard = classic::lock();
        // SAFETY: the arguments are valid for the calls (a NUL-terminated name, or
        // address bytes as long as passed); the result is static storage that the
        // lock keeps from being overwritten while `f` reads it.
        let (h, syscall) = unsafe {
            match q {
                HostQuery::Name(name) => (classic::gethostbyname(name.as_ptr()), "gethostbyname"),
                HostQuery::Addr(addr, family) => (
                    classic::gethostbyaddr(
                        addr.as_ptr().cast::<c_void>(),
                        addr.len() as libc::socklen_t,
                        family,
                    ),
                    "gethostbyaddr",
                ),
            }
        };
        // SAFETY: non-null results point at the library's filled static hostent.
        match unsafe { h.as_ref() } {
            Some(h) => f(h),
            None => Err(Error::herror(super::HOST_NOT_FOUND, syscall)),
        }
    }

    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    pub fn with_servent<T>(
        q: ServQuery<'_>,
        proto: Option<&CStr>,
        f: impl Fn(&libc::servent) -> T,
    ) -> Result<Option<T>> {
        let _guard = classic::lock();
        let proto = proto.map_or(std::ptr::null(), CStr::as_ptr);
        // SAFETY: the strings are NUL-terminated (proto may be null); the result is
        // static storage the lock protects while `f` reads it.
        let s = unsafe {
            match q {
                ServQuery::Name(name) => libc::getservbyname(name.as_ptr(), proto),
                ServQuery::Port(port) => libc::getservbyport(port, proto),
            }
        };
        // SAFETY: non-null results point at the library's filled static servent.
        Ok(unsafe { s.as_ref() }.map(f))
    }

    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    pub fn protocol(name: &CStr) -> Result<Option<i32>> {
        let _guard = classic::lock();
        // SAFETY: the name is NUL-terminated; the result is static storage read under the lock.
        let p = unsafe { libc::getprotobyname(name.as_ptr()) };
        // SAFETY: a non-null result points at the library's filled static protoent.
        Ok(unsafe { p.as_ref() }.map(|p| p.p_proto))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Kind;

    #[test]
    fn hosts_from_etc_hosts() {
        assert_eq!(gethostbyname("localhost").ok().as_deref(), Some("127.0.0.1"));
        assert_eq!(gethostbyname("").ok().as_deref(), Some("0.0.0.0"));
        let h = gethostbyname_ex("localhost").ok();
        assert_eq!(
            h.as_ref().map(|h| h.addrs.clone()),
            Some(vec!["127.0.0.1".to_string()])
        );
        let h = gethostbyaddr("127.0.0.1").ok();
        assert_eq!(h.map(|h| h.addrs), Some(vec!["127.0.0.1".to_string()]));
    }

    #[test]
    fn herror_without_a_query() {
        // '<broadcast>' is an address to setipaddr, and a name no resolver accepts.
        let err = gethostbyname_ex("<broadcast>").err().map(|e| e.kind);
        assert_eq!(err, Some(Kind::Herror(HOST_NOT_FOUND)));
        assert_eq!(crate::sys::hstrerror(HOST_NOT_FOUND), "Unknown host");
    }

    #[test]
    fn services_and_protocols() {
        assert_eq!(getservbyname("http", Some("tcp")).ok(), Some(80));
        assert_eq!(getservbyname("domain", None).ok(), Some(53));
        assert_eq!(getservbyport(80, None).ok().as_deref(), Some("http"));
        let err = getservbyname("no-such-service", None).err().map(|e| e.kind);
        assert_eq!(err, Some(Kind::Message("service/proto not found".into())));
        assert_eq!(getprotobyname("tcp").ok(), Some(libc::IPPROTO_TCP));
        assert_eq!(getprotobyname("udp").ok(), Some(libc::IPPROTO_UDP));
    }

    #[test]
    fn interfaces() {
        let lo = if_nametoindex(b"lo").unwrap_or(0);
        assert!(lo > 0);
        assert_eq!(if_indextoname(lo).ok().as_deref(), Some("lo"));
        let all = if_nameindex().unwrap_or_default();
        assert!(all.contains(&(lo, "lo".to_string())));
        assert_eq!(
            if_indextoname(0).err().map(|e| e.kind),
            Some(Kind::Os(libc::ENXIO))
        );
    }
}
