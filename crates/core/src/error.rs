//! Errors of the socket calls, in the shape Python reports them.

use std::fmt;
use std::io;

/// What went wrong, before the facade picks Python's exception class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// An OS error: `errno`; on Windows the Winsock code as the OS gave it
    /// (ts/errors.ts maps it to errno and winerror, as CPython's
    /// winerror_to_errno does).
    Os(i32),
    /// The socket's timeout passed: Python's `TimeoutError('timed out')`.
    Timeout,
    /// A resolver error: the `EAI_*` code, Python's `gaierror`.
    Gai(i32),
    /// An argument the OS call cannot take: Python's `ValueError`, with its message.
    Value(String),
    /// An `OSError` with a message and no errno (Python raises a few of these).
    Message(String),
    /// A legacy resolver error: the `h_errno` code, Python's `herror`.
    Herror(i32),
    /// An argument of the wrong type found late (Python's `TypeError`), with its message.
    Type(String),
}

/// An error of one call: what, in which syscall, and for an interrupted
/// `sendall` how many bytes had been sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: Kind,
    pub syscall: &'static str,
    pub written: Option<usize>,
}

pub type Result<T> = std::result::Result<T, Error>;

/// Resizes `v` to `len`, new places holding `value`; where the memory cannot
/// be had (a size the caller chose: a huge maxevents or ancillary buffer), an
/// OSError saying so (Python's MemoryError) rather than the abort of a failed allocation.
pub fn resize<T: Clone>(v: &mut Vec<T>, len: usize, value: T, syscall: &'static str) -> Result<()> {
    v.try_reserve_exact(len.saturating_sub(v.len()))
        .map_err(|_| Error::message("Cannot allocate memory", syscall))?;
    v.resize(len, value);
    Ok(())
}

impl Error {
    pub fn os(errno: i32, syscall: &'static str) -> Self {
        Error {
            kind: Kind::Os(errno),
            syscall,
            written: None,
        }
    }

    pub fn io(err: &io::Error, syscall: &'static str) -> Self {
        match err.raw_os_error() {
            Some(errno) => Error::os(errno, syscall),
            // A call the platform lacks: the message names it.
            None if err.kind() == io::ErrorKind::Unsupported => Error::message(err.to_string(), syscall),
            None => Error::os(crate::sys::c::EIO, syscall),
        }
    }

    pub fn last(syscall: &'static str) -> Self {
        Error::io(&io::Error::last_os_error(), syscall)
    }

    pub fn timeout(syscall: &'static str) -> Self {
        Error {
            kind: Kind::Timeout,
            syscall,
            written: None,
        }
    }

    pub fn value(msg: impl Into<String>) -> Self {
        Error {
            kind: Kind::Value(msg.into()),
            syscall: "",
            written: None,
        }
    }

    pub fn message(msg: impl Into<String>, syscall: &'static str) -> Self {
        Error {
            kind: Kind::Message(msg.into()),
            syscall,
            written: None,
        }
    }

    pub fn herror(code: i32, syscall: &'static str) -> Self {
        Error {
            kind: Kind::Herror(code),
            syscall,
            written: None,
        }
    }

    pub fn type_error(msg: impl Into<String>) -> Self {
        Error {
            kind: Kind::Type(msg.into()),
            syscall: "",
            written: None,
        }
    }

    pub fn gai(code: i32, syscall: &'static str) -> Self {
        Error {
            kind: Kind::Gai(code),
            syscall,
            written: None,
        }
    }

    /// The errno of an OS error, if it is one.
    pub fn errno(&self) -> Option<i32> {
        match self.kind {
            Kind::Os(e) => Some(e),
            _ => None,
        }
    }

    pub fn with_written(mut self, written: usize) -> Self {
        self.written = Some(written);
        self
    }

    /// The error of a call that had sent `written` bytes before it failed: it
    /// carries them when there were any (Python's `characters_written`, and
    /// where a call resumed after a signal's listeners goes on from).
    pub fn after_sending(self, written: usize) -> Self {
        if written > 0 {
            self.with_written(written)
        } else {
            self
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Os(e) => write!(f, "[Errno {e}] {}", strerror(*e)),
            Kind::Timeout => f.write_str("timed out"),
            Kind::Gai(c) => write!(f, "[Errno {c}] {}", gai_strerror(*c)),
            #[cfg(unix)]
            Kind::Herror(c) => write!(f, "[Errno {c}] {}", hstrerror(*c)),
            #[cfg(not(unix))]
            Kind::Herror(c) => write!(f, "[Errno {c}] Resolver Error {c}"),
            Kind::Value(m) | Kind::Message(m) | Kind::Type(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

/// The C library's message for an errno, as Python's `strerror` (on Windows
/// the system's message for a Winsock code, as CPython's WinError).
pub fn strerror(errno: i32) -> String {
    crate::sys::strerror(errno)
}

/// The C library's message for an h_errno code, as Python's herror carries it.
pub fn hstrerror(code: i32) -> String {
    crate::sys::hstrerror(code)
}

/// The C library's message for an `EAI_*` code.
pub fn gai_strerror(code: i32) -> String {
    crate::sys::gai_strerror(code)
}
