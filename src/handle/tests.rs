//! Unit tests of the handle's socket pool over the scripted transport.

use super::*;
use crate::socket::fake::{self, PORT, error_reply, kernel, message, requests};
use crate::wire::nlmsg::{NLMSG_DONE, RTM_GETLINK, RTM_NEWLINK};
use std::sync::Arc;
use std::sync::mpsc;

type FakeState = Arc<Mutex<fake::State>>;

/// The fake sockets a pool opened, in the order it opened them (the first one first).
type Opened = Arc<Mutex<Vec<FakeState>>>;

const IFINFO: [u8; 16] = [0; 16];

/// A kernel that acknowledges every request and answers a dump with `records` link
/// messages (`ifi_index` 1, 2, ...) and `NLMSG_DONE`, every message flagged
/// `NLM_F_DUMP_INTR` when `intr`.
fn kernel_of(records: u32, intr: bool) -> fake::Responder {
    Box::new(move |d| {
        let req = &requests(d)[0];
        let hdr = NlmsgBuffer::new_checked(&req[..]).unwrap();
        if !hdr.flags().contains(NlmsgFlags::DUMP) {
            return vec![kernel(error_reply(req, 0, None))];
        }
        let seq = hdr.sequence_number();
        let mut flags = NlmsgFlags::MULTI;
        if intr {
            flags |= NlmsgFlags::DUMP_INTR;
        }
        let mut dg = Vec::new();
        for i in 1..=records {
            let mut link = IFINFO;
            link[4..8].copy_from_slice(&i.to_ne_bytes());
            dg.extend(message(RTM_NEWLINK, flags, seq, PORT, &link));
        }
        dg.extend(message(NLMSG_DONE, flags, seq, PORT, &0i32.to_ne_bytes()));
        vec![kernel(dg)]
    })
}

fn fake_socket(records: u32, intr: bool) -> (Socket, FakeState) {
    let (s, st) = fake::socket();
    st.lock().unwrap().responder = Some(kernel_of(records, intr));
    (s, st)
}

/// A handle of at most `max` fake sockets, each answering as [`kernel_of`]`(3, false)`.
fn pool(max: usize) -> (Handle, Opened) {
    let (first, st) = fake_socket(3, false);
    let opened: Opened = Arc::new(Mutex::new(vec![st]));
    let o = opened.clone();
    let h = Handle::with_opener(first, max, move || {
        let (s, st) = fake_socket(3, false);
        o.lock().unwrap().push(st);
        s
    });
    (h, opened)
}

/// How many datagrams fake socket `i` of `opened` sent.
fn sent(opened: &Opened, i: usize) -> usize {
    opened.lock().unwrap()[i].lock().unwrap().sent.len()
}

fn opened_count(opened: &Opened) -> usize {
    opened.lock().unwrap().len()
}

fn link_up(h: &Handle) -> Result<()> {
    h.request(RTM_NEWLINK, NlmsgFlags::empty(), &IFINFO[..])
}

fn dump_links(h: &Handle) -> Result<Dump<PooledSocket<'_>>> {
    h.dump(RTM_GETLINK, &IFINFO[..])
}

/// The `ifi_index` of every record of `d`.
fn indexes(d: Dump<PooledSocket<'_>>) -> Vec<u32> {
    d.map(|p| Ok(u32::from_ne_bytes(p[4..8].try_into().unwrap())))
        .collect::<Result<_>>()
        .unwrap()
}

/// Runs `f` on a thread and returns what it returns; panics if it has not returned after a
/// minute, which here means it waits for something that never comes (a deadlock), not that
/// it is slow: every call below is answered at once by the scripted transport.
fn without_deadlock<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| panic!("{what}: deadlocked"))
}

/// Waits until `n` threads wait for a socket of `h`.
fn until_waiting(h: &Handle, n: usize) {
    while h.pool.lock().waiting_any != n {
        std::thread::yield_now();
    }
}

#[test]
fn handle_is_send_and_sync() {
    fn shared<T: Send + Sync>() {}
    shared::<Handle>();
}

#[test]
fn calls_that_do_not_overlap_use_the_first_socket() {
    let (h, opened) = pool(4);
    for _ in 0..10 {
        link_up(&h).unwrap();
        assert_eq!(indexes(dump_links(&h).unwrap()), [1, 2, 3]);
    }
    assert_eq!(opened_count(&opened), 1);
    assert_eq!(sent(&opened, 0), 20);
    assert_eq!(h.open_sockets(), 1);
    assert_eq!(h.max_sockets(), 4);
    assert_eq!(h.port_id(), PORT);
}

#[test]
fn a_call_inside_a_dump_runs_on_another_socket() {
    let h = Arc::new(pool(4));
    let h2 = h.clone();
    without_deadlock("a request while this thread reads a dump", move || {
        let (h, opened) = &*h2;
        let mut d = dump_links(h).unwrap();
        let first = d.next_message().unwrap().unwrap().payload().to_vec();
        // The lookup a caller makes for each record (a link's name, say).
        link_up(h).unwrap();
        assert_eq!(opened_count(opened), 2);
        assert_eq!((sent(opened, 0), sent(opened, 1)), (1, 1));
        // The dump goes on where it was.
        assert_eq!(first[4], 1);
        assert_eq!(indexes(d), [2, 3]);
    });
    let (h, opened) = &*h;
    assert_eq!(h.open_sockets(), 2);
    // Not overlapping again: back on the first socket.
    link_up(h).unwrap();
    assert_eq!((sent(opened, 0), sent(opened, 1)), (2, 1));
}

#[test]
fn a_full_pool_makes_callers_wait_and_opens_no_more() {
    without_deadlock("a full pool", || {
        let (h, opened) = pool(2);
        let h = &h;
        let held = dump_links(h).unwrap(); // socket 0
        std::thread::scope(|s| {
            let (release, released) = mpsc::channel::<()>();
            let (holding, held_b) = mpsc::channel::<()>();
            // Thread B holds socket 1 until told to let go.
            let b = s.spawn(move || {
                let d = dump_links(h).unwrap();
                holding.send(()).unwrap();
                released.recv().unwrap();
                indexes(d)
            });
            held_b.recv().unwrap();
            assert_eq!(h.open_sockets(), 2);
            // Thread C finds the pool full: it waits, and no third socket is opened.
            let c = s.spawn(move || link_up(h));
            until_waiting(h, 1);
            assert_eq!(opened_count(&opened), 2);
            assert_eq!(h.open_sockets(), 2);
            release.send(()).unwrap();
            assert_eq!(b.join().unwrap(), [1, 2, 3]);
            c.join().unwrap().unwrap();
            // C ran on the socket B gave back.
            assert_eq!(sent(&opened, 1), 2);
        });
        assert_eq!(sent(&opened, 0), 1);
        drop(held);
    });
}

#[test]
fn a_thread_holding_a_socket_never_waits_for_a_full_pool() {
    let (h, opened) = pool(2);
    let h = Arc::new(h);
    let (release, released) = mpsc::channel::<()>();
    let (holding, held_b) = mpsc::channel::<()>();
    let b = {
        let h = h.clone();
        std::thread::spawn(move || {
            let d = dump_links(&h).unwrap(); // socket 0
            holding.send(()).unwrap();
            released.recv().unwrap();
            indexes(d)
        })
    };
    held_b.recv().unwrap();
    let h2 = h.clone();
    without_deadlock("a request inside a dump with the pool full", move || {
        let d = dump_links(&h2).unwrap(); // socket 1: the pool is full now
        assert_eq!(h2.open_sockets(), 2);
        // Beyond the bound, for this call only.
        link_up(&h2).unwrap();
        assert_eq!(h2.open_sockets(), 2);
        assert_eq!(indexes(d), [1, 2, 3]);
    });
    assert_eq!(opened_count(&opened), 3);
    assert_eq!(sent(&opened, 2), 1);
    release.send(()).unwrap();
    assert_eq!(b.join().unwrap(), [1, 2, 3]);
    assert_eq!(h.open_sockets(), 2);
}

#[test]
fn a_handle_from_a_socket_refuses_a_nested_call_instead_of_deadlocking() {
    let (s, st) = fake_socket(3, false);
    let h = Handle::from_socket(s);
    assert_eq!(h.max_sockets(), 1);
    let h = without_deadlock("a nested call on a one-socket handle", move || {
        let d = dump_links(&h).unwrap();
        let e = link_up(&h).unwrap_err();
        assert_eq!(e.errno(), Some(libc::EDEADLK), "{e}");
        assert_eq!(indexes(d), [1, 2, 3]);
        h
    });
    link_up(&h).unwrap();
    assert_eq!(st.lock().unwrap().sent.len(), 2);
    // Bounds never grow past the one socket.
    assert_eq!(h.with_max_sockets(8).max_sockets(), 1);
}

/// The receive timeout of socket `i` of `h` (idle).
fn timeout_of(h: &Handle, i: usize) -> Option<Duration> {
    lock_socket(h.pool.socket_of(i).unwrap()).timeout()
}

#[test]
fn settings_reach_every_socket_busy_idle_or_new() {
    without_deadlock("settings", || {
        let (h, _) = pool(3);
        let five = Some(Duration::from_secs(5));
        let seven = Some(Duration::from_secs(7));
        h.set_timeout(five).unwrap();
        assert_eq!(timeout_of(&h, 0), five);
        {
            let d = dump_links(&h).unwrap(); // socket 0, busy
            link_up(&h).unwrap(); // opens socket 1, with the setting
            assert_eq!(timeout_of(&h, 1), five);
            h.set_timeout(seven).unwrap(); // socket 1 idle: now; socket 0: when next taken
            assert_eq!(timeout_of(&h, 1), seven);
            drop(d);
        }
        link_up(&h).unwrap();
        assert_eq!(timeout_of(&h, 0), seven);
        assert_eq!(h.timeout(), seven);
        // A setting made on the first socket itself stays until the handle sets it again.
        h.socket().set_timeout(five).unwrap();
        h.set_fault_plan(None);
        link_up(&h).unwrap();
        assert_eq!(timeout_of(&h, 0), five);
        h.set_timeout(None).unwrap();
        assert_eq!((timeout_of(&h, 0), timeout_of(&h, 1)), (None, None));
    });
}

#[test]
fn a_fault_plan_counts_the_steps_of_every_socket() {
    without_deadlock("fault plan", || {
        let (h, opened) = pool(3);
        let plan = FaultPlan::fail_at(1);
        h.set_fault_plan(Some(plan.clone()));
        {
            let d = dump_links(&h).unwrap(); // step 0, socket 0
            // Step 1, on a socket opened after the plan was set: failed, not sent.
            let e = link_up(&h).unwrap_err();
            assert!(matches!(e, Error::Injected { step: 1, .. }), "{e:?}");
            assert_eq!(opened_count(&opened), 2);
            assert_eq!(sent(&opened, 1), 0);
            link_up(&h).unwrap(); // step 2
            assert_eq!(sent(&opened, 1), 1);
            // A plan set while socket 0 is busy reaches it when it is next taken.
            h.set_fault_plan(Some(FaultPlan::fail_at(0)));
            assert_eq!(indexes(d), [1, 2, 3]);
        }
        assert_eq!(plan.log(), ["RTM_GETLINK", "RTM_NEWLINK", "RTM_NEWLINK"]);
        assert!(link_up(&h).unwrap_err().is_injected());
        assert_eq!(sent(&opened, 0), 1);
        h.set_fault_plan(None);
        link_up(&h).unwrap();
        assert_eq!(sent(&opened, 0), 2);
    });
}

/// Dumps `st` has sent.
fn dumps_sent(st: &FakeState) -> usize {
    st.lock()
        .unwrap()
        .sent
        .iter()
        .filter(|d| {
            NlmsgBuffer::new_checked(&d[..])
                .unwrap()
                .flags()
                .contains(NlmsgFlags::DUMP)
        })
        .count()
}

#[test]
fn list_operations_retry_an_interrupted_dump_as_often_as_the_handle_says() {
    use crate::{AddrFilter, LinkFilter, NeighFilter, RouteFilter};
    type Op = fn(&Handle) -> Result<()>;
    let ops: [(&str, Op); 5] = [
        ("link_list", |h| {
            h.link_list(&LinkFilter::default()).map(drop)
        }),
        ("addr_list", |h| {
            h.addr_list(&AddrFilter::default()).map(drop)
        }),
        ("route_list", |h| {
            h.route_list(&RouteFilter::new()).map(drop)
        }),
        ("neigh_list", |h| {
            h.neigh_list(&NeighFilter::default()).map(drop)
        }),
        ("nsid_list", |h| h.nsid_list().map(drop)),
    ];
    for (name, op) in ops {
        for retries in [None, Some(0), Some(3)] {
            // Every dump of this kernel is interrupted.
            let (s, st) = fake_socket(0, true);
            let h = Handle::from_socket(s);
            if let Some(n) = retries {
                h.set_dump_retries(n);
            }
            let want = retries.unwrap_or(DUMP_RETRIES);
            assert_eq!(h.dump_retries(), want);
            let e = op(&h).unwrap_err();
            assert!(matches!(e, Error::DumpInterrupted), "{name}: {e:?}");
            assert_eq!(dumps_sent(&st), want + 1, "{name} with {retries:?} retries");
        }
    }
}
