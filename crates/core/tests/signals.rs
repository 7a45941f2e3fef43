//! A caught signal pending on the thread that handles signals, and the calls
//! that meet it: a multiplexer returns what is ready before the signal's
//! EINTR, and a sending loop (sendall, sendfile) stops for the listeners
//! after the bytes that went, before a next send. The signal is raised for real on the test's
//! thread (raise(2) delivers it there before returning).
#![cfg(unix)]

use std::sync::Mutex;

use bsdsock_core::sys::c;
use bsdsock_core::wait::Deadline;
use bsdsock_core::{msg, poll, signals, sock, Result, Timeout};

/// The pending signals are the process's: one test at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Makes this thread the one that handles signals and SIGUSR2 caught, runs
/// `f` with SIGUSR2 pending, and then takes what is still pending.
fn with_pending_signal<T>(f: impl FnOnce() -> T) -> T {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    signals::set_main_thread();
    assert!(signals::catch(libc::SIGUSR2, true));
    // SAFETY: raise(2) with a valid signal number; the handler just installed only marks it pending.
    assert_eq!(unsafe { libc::raise(libc::SIGUSR2) }, 0);
    assert!(signals::interrupted());
    let out = f();
    signals::take_pending();
    signals::catch(libc::SIGUSR2, false);
    out
}

fn eintr<T: std::fmt::Debug>(r: Result<T>) -> Option<usize> {
    match r {
        Err(e) if e.errno() == Some(libc::EINTR) => Some(e.written.unwrap_or(0)),
        other => panic!("expected EINTR, got {other:?}"),
    }
}

/// A reader that drains `fd` as fast as it can, to its end: how many bytes came.
fn drain(fd: i32) -> std::thread::JoinHandle<Result<usize>> {
    std::thread::spawn(move || {
        let (mut got, mut buf) = (0, vec![0u8; 1 << 20]);
        loop {
            let n = sock::recv_into(fd, &mut buf, 0, Timeout::BLOCKING)?;
            if n == 0 {
                return Ok(got);
            }
            got += n;
        }
    })
}

#[test]
fn select_returns_a_ready_fd_before_a_pending_signals_eintr() -> Result<()> {
    let (a, b) = sock::socketpair(c::AF_UNIX, c::SOCK_STREAM, 0)?;
    sock::send(b, b"x", 0, Timeout::BLOCKING)?;
    let (ready, nothing) = with_pending_signal(|| {
        let mut r = [a];
        let ready = poll::select(&mut r, &mut [], &mut [], Deadline::after_secs(Some(5.0)));
        // Still pending: nothing else is ready now, so the signal's EINTR.
        let mut r = [b];
        let nothing = poll::select(&mut r, &mut [], &mut [], Deadline::after_secs(Some(5.0)));
        (ready, nothing)
    });
    assert_eq!(ready?, 1);
    assert_eq!(eintr(nothing), Some(0));
    sock::close(a)?;
    sock::close(b)
}

#[test]
fn a_pending_signal_stops_sendall_with_the_count_of_the_bytes_that_went_and_the_peer_has_them() -> Result<()>
{
    let (a, b) = sock::socketpair(c::AF_UNIX, c::SOCK_STREAM, 0)?;
    // Without the signal, sendall would finish.
    let reader = drain(b);
    let data = vec![7u8; 32 << 20];
    let written = with_pending_signal(|| eintr(sock::sendall(a, &data, 0, Timeout::BLOCKING)));
    sock::shutdown(a, c::SHUT_WR)?;
    let received = reader.join().unwrap_or_else(|_| panic!("reader panicked"))?;
    // One send(2) went, a part of the data, and the peer has exactly those bytes.
    let written = written.unwrap_or(0);
    assert!(written > 0 && written < data.len(), "{written}");
    assert_eq!(received, written);
    sock::close(a)?;
    sock::close(b)
}

#[test]
fn a_pending_signal_stops_a_blocking_sendfile_after_what_fit_and_the_peer_has_it() -> Result<()> {
    use std::os::fd::AsRawFd;
    const SIZE: u64 = 8 << 20;
    let path = std::env::temp_dir().join(format!("bsdsock-signals-sendfile-{}", std::process::id()));
    let file = std::fs::File::create(&path).and_then(|f| f.set_len(SIZE).map(|()| f));
    let file = file.and_then(|_| std::fs::File::open(&path));
    let _ = std::fs::remove_file(&path);
    let file = file.unwrap_or_else(|e| panic!("a file: {e}"));
    let (a, b) = sock::socketpair(c::AF_UNIX, c::SOCK_STREAM, 0)?;
    // The peer reads only later: a blocking sendfile(2) would sleep until then, with the
    // signal's listeners waiting, and then send the whole file.
    let reader = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(500));
        drain(b).join()
    });
    let sent = with_pending_signal(|| msg::sendfile(a, file.as_raw_fd(), 0, None, Timeout::BLOCKING));
    sock::shutdown(a, c::SHUT_WR)?;
    let received = reader
        .join()
        .and_then(|r| r)
        .unwrap_or_else(|_| panic!("reader panicked"))?;
    // What fit went at once, and the call stopped there for the listeners.
    let written = eintr(sent).unwrap_or(0);
    assert!(written > 0 && (written as u64) < SIZE, "{written}");
    assert_eq!(received, written);
    sock::close(a)?;
    sock::close(b)
}
