//! bsdsock's own threads for the calls that can only block (getaddrinfo,
//! getnameinfo): a bounded pool with one queue, shared by every environment of
//! the process. libuv's threadpool (four threads, shared with fs and zlib) is
//! left alone, so fs work keeps running while lookups wait on the network.
//! Threads start on demand, up to `MAX_THREADS`, and then stay, idle, for the
//! life of the process; an idle thread keeps no event loop alive.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, OnceLock};

/// At most this many lookups run at once; the rest wait in the queue.
const MAX_THREADS: usize = 8;

type Job = Box<dyn FnOnce() + Send + 'static>;

struct Pool {
    state: Mutex<Queue>,
    ready: Condvar,
}

struct Queue {
    jobs: VecDeque<Job>,
    threads: usize,
    idle: usize,
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| Pool {
        state: Mutex::new(Queue {
            jobs: VecDeque::new(),
            threads: 0,
            idle: 0,
        }),
        ready: Condvar::new(),
    })
}

fn worker(pool: &'static Pool) {
    loop {
        let job = {
            let Ok(mut q) = pool.state.lock() else { return };
            loop {
                if let Some(job) = q.jobs.pop_front() {
                    break job;
                }
                q.idle += 1;
                q = match pool.ready.wait(q) {
                    Ok(q) => q,
                    Err(_) => return,
                };
                q.idle -= 1;
            }
        };
        job();
    }
}

/// Queues `job` to run on a pool thread. Fails only when no thread exists and
/// none can be started.
pub fn submit(job: impl FnOnce() + Send + 'static) -> bool {
    let pool = pool();
    let Ok(mut q) = pool.state.lock() else {
        return false;
    };
    q.jobs.push_back(Box::new(job));
    if q.idle >= q.jobs.len() {
        pool.ready.notify_one();
        return true;
    }
    if q.threads < MAX_THREADS {
        let started = std::thread::Builder::new()
            .name("bsdsock-resolver".into())
            .spawn(move || worker(pool))
            .is_ok();
        if started {
            q.threads += 1;
        }
    }
    if q.threads == 0 {
        q.jobs.pop_back();
        return false;
    }
    pool.ready.notify_one();
    true
}
