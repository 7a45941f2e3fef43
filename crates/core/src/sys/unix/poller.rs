//! The platform's half of sys::Poller on Unix: epoll on Linux, kqueue on
//! macOS and the BSDs, with one-shot interests (EPOLLONESHOT, EV_ONESHOT).

use std::io;

use super::Fd;
use crate::sys::poller::{drain, Ready, POLL_READ, POLL_WRITE, WAKE};

/// How many reports one wait takes at most.
const BATCH: usize = 64;

#[cfg(any(target_os = "linux", target_os = "android"))]
pub struct Imp {
    epfd: Fd,
}

#[cfg(any(target_os = "linux", target_os = "android"))]
impl Imp {
    pub fn new(wake: Fd) -> io::Result<Imp> {
        let imp = Imp {
            epfd: super::epoll_create(0)?,
        };
        super::epoll_ctl_token(imp.epfd, libc::EPOLL_CTL_ADD, wake, libc::EPOLLIN as u32, WAKE)?;
        Ok(imp)
    }

    /// Returns whether the waiter must be woken (never: epoll takes changes while it waits).
    pub fn arm(&self, fd: Fd, token: u64, events: i32) -> io::Result<bool> {
        let mut bits = libc::EPOLLONESHOT as u32;
        if events & POLL_READ != 0 {
            bits |= libc::EPOLLIN as u32;
        }
        if events & POLL_WRITE != 0 {
            bits |= libc::EPOLLOUT as u32;
        }
        match super::epoll_ctl_token(self.epfd, libc::EPOLL_CTL_MOD, fd, bits, token) {
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => {
                super::epoll_ctl_token(self.epfd, libc::EPOLL_CTL_ADD, fd, bits, token)?
            }
            r => r?,
        }
        Ok(false)
    }

    pub fn remove(&self, fd: Fd) -> io::Result<bool> {
        match super::epoll_ctl_token(self.epfd, libc::EPOLL_CTL_DEL, fd, 0, 0) {
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => Ok(false),
            r => r.map(|()| false),
        }
    }

    pub fn wait(&self, wake: Fd, out: &mut Vec<Ready>) -> io::Result<()> {
        let mut events = [super::EPOLL_EVENT_NONE; BATCH];
        let n = super::epoll_wait(self.epfd, &mut events, -1)?;
        for ev in &events[..n] {
            let (bits, token) = (ev.events, ev.u64);
            if token == WAKE {
                drain(wake);
                continue;
            }
            let mut ready = 0;
            if bits & (libc::EPOLLIN | libc::EPOLLPRI | libc::EPOLLRDHUP) as u32 != 0 {
                ready |= POLL_READ;
            }
            if bits & libc::EPOLLOUT as u32 != 0 {
                ready |= POLL_WRITE;
            }
            // An error or a hang-up is news both ways: the owner's next calls say which.
            if bits & (libc::EPOLLERR | libc::EPOLLHUP) as u32 != 0 {
                ready |= POLL_READ | POLL_WRITE;
            }
            out.push(Ready { token, events: ready });
        }
        Ok(())
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
impl Drop for Imp {
    fn drop(&mut self) {
        let _ = super::close(self.epfd);
    }
}

#[cfg(any(target_vendor = "apple", target_os = "freebsd"))]
pub struct Imp {
    kq: Fd,
}

#[cfg(any(target_vendor = "apple", target_os = "freebsd"))]
impl Imp {
    pub fn new(wake: Fd) -> io::Result<Imp> {
        let imp = Imp { kq: super::kqueue()? };
        imp.change(&[(wake as u64, libc::EVFILT_READ, libc::EV_ADD, WAKE)])?;
        Ok(imp)
    }

    /// Applies each change on its own (EV_RECEIPT); deleting a filter that is
    /// not there (it fired, or was never added) is no error.
    fn change(&self, changes: &[(u64, i16, u16, u64)]) -> io::Result<()> {
        let list: Vec<super::Kevent> = changes
            .iter()
            .map(|&(ident, filter, flags, udata)| super::Kevent {
                ident,
                filter,
                flags: flags | libc::EV_RECEIPT,
                udata,
                ..Default::default()
            })
            .collect();
        let mut receipts = vec![super::Kevent::default(); list.len()];
        let n = super::kevent_wait(self.kq, &list, &mut receipts, Some(std::time::Duration::ZERO))?;
        for r in &receipts[..n] {
            let errno = r.data as i32;
            if r.flags & libc::EV_ERROR != 0 && errno != 0 && errno != libc::ENOENT {
                return Err(io::Error::from_raw_os_error(errno));
            }
        }
        Ok(())
    }

    /// Returns whether the waiter must be woken (never: kqueue takes changes while it waits).
    pub fn arm(&self, fd: Fd, token: u64, events: i32) -> io::Result<bool> {
        let flags = |bit: i32| {
            if events & bit != 0 {
                libc::EV_ADD | libc::EV_ONESHOT
            } else {
                libc::EV_DELETE
            }
        };
        self.change(&[
            (fd as u64, libc::EVFILT_READ, flags(POLL_READ), token),
            (fd as u64, libc::EVFILT_WRITE, flags(POLL_WRITE), token),
        ])?;
        Ok(false)
    }

    pub fn remove(&self, fd: Fd) -> io::Result<bool> {
        self.change(&[
            (fd as u64, libc::EVFILT_READ, libc::EV_DELETE, 0),
            (fd as u64, libc::EVFILT_WRITE, libc::EV_DELETE, 0),
        ])?;
        Ok(false)
    }

    pub fn wait(&self, wake: Fd, out: &mut Vec<Ready>) -> io::Result<()> {
        let mut events = [super::Kevent::default(); BATCH];
        let n = super::kevent_wait(self.kq, &[], &mut events, None)?;
        for ev in &events[..n] {
            if ev.udata == WAKE {
                drain(wake);
                continue;
            }
            let ready = if ev.flags & libc::EV_ERROR != 0 {
                POLL_READ | POLL_WRITE
            } else if ev.filter == libc::EVFILT_WRITE {
                POLL_WRITE
            } else {
                POLL_READ
            };
            out.push(Ready {
                token: ev.udata,
                events: ready,
            });
        }
        Ok(())
    }
}

#[cfg(any(target_vendor = "apple", target_os = "freebsd"))]
impl Drop for Imp {
    fn drop(&mut self) {
        let _ = super::close(self.kq);
    }
}
