//! The contract between the addon and the facade, defined once: the words of
//! the status block (state.rs), the kinds of error `takeError` reports and the
//! separator of its fields, the layout of getaddrinfo's result block
//! (resolver.rs), that of the readiness batch (watch.rs), and `sendtoHeld`'s
//! answer for a destination it does not keep (io.rs). `wireConstants()` hands them to
//! scripts/gen-wire.js, which writes ts/wire.ts from them; the facade reads
//! only those names.

use std::collections::HashMap;

use napi::bindgen_prelude::Either;
use napi_derive::napi;

/// Status block word: the address slot of the last call (-1: no address).
pub const STATUS_SLOT: usize = 0;
/// Status block word: 1 when that slot holds a new address.
pub const STATUS_IS_NEW: usize = 1;
/// Status block word: the errno of the last failed call (0 for errors without
/// one), readable without a call: the async layer tells EAGAIN apart for free.
pub const STATUS_ERRNO: usize = 2;
/// Status block word: what the facade can make of the last error from the
/// block alone, FAST_OS (errno and syscall), FAST_TIMEOUT (syscall), or 0
/// (take it with `takeError`). The facade sets it back to 0 once it has made
/// the error.
pub const STATUS_FAST: usize = 3;
/// Status block word: the id of the last error's syscall name (`syscallName`).
pub const STATUS_SYSCALL: usize = 4;
/// Status block word, written by the facade: how many socket operations wait
/// on this thread's loop (ts/asyncio/loop.ts). The addon lets the loop go at
/// its next turn once none do (loop_resolver.rs), so that an operation that
/// ends and another that starts within one callback cost no call.
pub const STATUS_OPS: usize = 5;
/// Status block word: 1 while the addon holds this thread's loop open for
/// those operations (`keepAlive(true)`), 0 once it has let it go.
pub const STATUS_HELD: usize = 6;
/// The words of the status block (i32 each).
pub const STATUS_WORDS: usize = 7;

/// STATUS_FAST: an OS error, its errno in STATUS_ERRNO.
pub const FAST_OS: i32 = 1;
/// STATUS_FAST: a timeout.
pub const FAST_TIMEOUT: i32 = 2;

/// getaddrinfo's result block: word 0 the number of entries, then from word 1
/// RESOLVER_WORDS words per entry, at these offsets.
pub const RESOLVER_FAMILY: usize = 0;
pub const RESOLVER_TYPE: usize = 1;
pub const RESOLVER_PROTO: usize = 2;
pub const RESOLVER_PORT: usize = 3;
pub const RESOLVER_FLOWINFO: usize = 4;
pub const RESOLVER_SCOPE_ID: usize = 5;
/// 1 for an AF_INET6 address (a 4-tuple), 0 for AF_INET.
pub const RESOLVER_IS_V6: usize = 6;
/// Words per entry.
pub const RESOLVER_WORDS: usize = 7;

/// The readiness batch (watch.rs `flush`, the facade's `dispatchBatch`):
/// BATCH_WORDS words per ready fd, the fd at BATCH_FD and its events at
/// BATCH_EVENTS, where the facade answers the fd's new mask, or BATCH_KEEP
/// when it set the mask itself (the addon keeps what the watcher has); after
/// the BATCH_FDS entries, at BATCH_COUNT, how many the batch has (a word the
/// dispatch reads, not an argument: a number made and read per call costs
/// more than the word).
pub const BATCH_FD: usize = 0;
pub const BATCH_EVENTS: usize = 1;
pub const BATCH_WORDS: usize = 2;
pub const BATCH_KEEP: i32 = -1;
/// Ready fds one batch holds; more in a turn take more batches.
pub const BATCH_FDS: usize = 1024;
pub const BATCH_COUNT: usize = BATCH_WORDS * BATCH_FDS;

/// `sendtoHeld`'s answer when the fd keeps no destination for the token it
/// was given (io.rs): the facade then sends the sockaddr with `sendtoNow`.
pub const SEND_NOT_HELD: i32 = -2;

/// Between the fields of `takeError`'s string: kind, code, syscall, written, message.
pub const ERROR_SEPARATOR: char = '\u{1}';

/// `takeError`'s kinds: the `Kind` of the core's error.
pub const ERROR_OS: &str = "os";
pub const ERROR_TIMEOUT: &str = "timeout";
pub const ERROR_GAI: &str = "gai";
pub const ERROR_HERROR: &str = "herror";
pub const ERROR_VALUE: &str = "value";
pub const ERROR_TYPE: &str = "type";
pub const ERROR_MESSAGE: &str = "message";

/// Every constant above by name, for scripts/gen-wire.js.
#[napi]
pub fn wire_constants() -> HashMap<&'static str, Either<i32, String>> {
    let words = [
        ("STATUS_SLOT", STATUS_SLOT),
        ("STATUS_IS_NEW", STATUS_IS_NEW),
        ("STATUS_ERRNO", STATUS_ERRNO),
        ("STATUS_FAST", STATUS_FAST),
        ("STATUS_SYSCALL", STATUS_SYSCALL),
        ("STATUS_OPS", STATUS_OPS),
        ("STATUS_HELD", STATUS_HELD),
        ("STATUS_WORDS", STATUS_WORDS),
        ("RESOLVER_FAMILY", RESOLVER_FAMILY),
        ("RESOLVER_TYPE", RESOLVER_TYPE),
        ("RESOLVER_PROTO", RESOLVER_PROTO),
        ("RESOLVER_PORT", RESOLVER_PORT),
        ("RESOLVER_FLOWINFO", RESOLVER_FLOWINFO),
        ("RESOLVER_SCOPE_ID", RESOLVER_SCOPE_ID),
        ("RESOLVER_IS_V6", RESOLVER_IS_V6),
        ("RESOLVER_WORDS", RESOLVER_WORDS),
        ("BATCH_FD", BATCH_FD),
        ("BATCH_EVENTS", BATCH_EVENTS),
        ("BATCH_WORDS", BATCH_WORDS),
        ("BATCH_FDS", BATCH_FDS),
        ("BATCH_COUNT", BATCH_COUNT),
    ];
    let numbers = words
        .into_iter()
        .map(|(k, v)| (k, v as i32))
        .chain([
            ("FAST_OS", FAST_OS),
            ("FAST_TIMEOUT", FAST_TIMEOUT),
            ("BATCH_KEEP", BATCH_KEEP),
            ("SEND_NOT_HELD", SEND_NOT_HELD),
        ])
        .map(|(k, v)| (k, Either::A(v)));
    let texts = [
        ("ERROR_SEPARATOR", ERROR_SEPARATOR.to_string()),
        ("ERROR_OS", ERROR_OS.into()),
        ("ERROR_TIMEOUT", ERROR_TIMEOUT.into()),
        ("ERROR_GAI", ERROR_GAI.into()),
        ("ERROR_HERROR", ERROR_HERROR.into()),
        ("ERROR_VALUE", ERROR_VALUE.into()),
        ("ERROR_TYPE", ERROR_TYPE.into()),
        ("ERROR_MESSAGE", ERROR_MESSAGE.into()),
    ]
    .map(|(k, v)| (k, Either::B(v)));
    numbers.chain(texts).collect()
}
