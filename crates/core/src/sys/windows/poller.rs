//! The platform's half of sys::Poller on Windows: WSAPoll over the armed
//! sockets. WSAPoll takes no changes while it waits, so the interests live
//! here, and arming or removing one wakes the waiter to poll the new list.
//! A reported socket is disarmed (one-shot) unless it was armed again since.

use std::collections::HashMap;
use std::io;
use std::sync::{Mutex, MutexGuard};

use super::{c, poll, pollfd, Fd};
use crate::sys::poller::{drain, Ready, POLL_READ, POLL_WRITE};

pub struct Imp {
    /// fd -> (token, POLL_READ / POLL_WRITE).
    armed: Mutex<HashMap<Fd, (u64, i32)>>,
}

impl Imp {
    pub fn new(_wake: Fd) -> io::Result<Imp> {
        Ok(Imp {
            armed: Mutex::new(HashMap::new()),
        })
    }

    fn armed(&self) -> io::Result<MutexGuard<'_, HashMap<Fd, (u64, i32)>>> {
        self.armed
            .lock()
            .map_err(|_| io::Error::other("the poller's list is poisoned"))
    }

    /// Returns whether the waiter must be woken: always, to poll the new list.
    pub fn arm(&self, fd: Fd, token: u64, events: i32) -> io::Result<bool> {
        self.armed()?.insert(fd, (token, events));
        Ok(true)
    }

    pub fn remove(&self, fd: Fd) -> io::Result<bool> {
        Ok(self.armed()?.remove(&fd).is_some())
    }

    pub fn wait(&self, wake: Fd, out: &mut Vec<Ready>) -> io::Result<()> {
        let list: Vec<(Fd, u64, i32)> = self.armed()?.iter().map(|(&fd, &(t, e))| (fd, t, e)).collect();
        let mut fds: Vec<c::pollfd> = list
            .iter()
            .map(|&(fd, _, events)| {
                let mut bits = 0;
                if events & POLL_READ != 0 {
                    bits |= c::POLLRDNORM;
                }
                if events & POLL_WRITE != 0 {
                    bits |= c::POLLWRNORM;
                }
                pollfd(fd, bits)
            })
            .collect();
        fds.push(pollfd(wake, c::POLLRDNORM));
        poll(&mut fds, None)?;
        if fds.last().is_some_and(|p| p.revents != 0) {
            drain(wake);
        }
        let mut armed = self.armed()?;
        for (&(fd, token, _), p) in list.iter().zip(&fds) {
            let mut ready = 0;
            if p.revents & c::POLLRDNORM != 0 {
                ready |= POLL_READ;
            }
            if p.revents & c::POLLWRNORM != 0 {
                ready |= POLL_WRITE;
            }
            if p.revents & (c::POLLERR | c::POLLHUP | c::POLLNVAL) != 0 {
                ready |= POLL_READ | POLL_WRITE;
            }
            if ready == 0 {
                continue;
            }
            if armed.get(&fd).is_some_and(|&(t, _)| t == token) {
                armed.remove(&fd);
            }
            out.push(Ready { token, events: ready });
        }
        Ok(())
    }
}
