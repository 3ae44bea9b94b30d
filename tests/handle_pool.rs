//! A Handle shared by many threads (issue 11): its pool of sockets against the kernel, in
//! namespaces the tests create.
//!
//! The tests of this file run one at a time (they count the process's descriptors).
//! Where a broken pool would deadlock (a call waiting for a socket its own thread holds,
//! or for a dump another thread is reading), the waiting side gives up after a minute and
//! fails: that is a deadlock detector, not a timing assertion.

mod common;

use common::{TestNs, open_fds};
use netplumb::addr::AddrSpec;
use netplumb::link::{LinkFilter, LinkSpec};
use netplumb::undo::FaultPlan;
use netplumb::wire::nlmsg::RTM_GETLINK;
use netplumb::{AddrFilter, Error, Handle, IpNet};
use std::sync::mpsc;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// One test at a time: the descriptor counts must see only their own test's descriptors.
fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

/// A minute: long enough for anything below on a loaded machine; reaching it means a
/// deadlock.
const DEADLOCK: Duration = Duration::from_secs(60);

fn addr(i: usize) -> IpNet {
    format!("198.18.{}.{}/32", i / 250, i % 250 + 1)
        .parse()
        .unwrap()
}

/// Thread `t` creates `n` veth pairs through `h`, reads each back and deletes it, checking
/// every answer; after each call the handle must be within its bound.
fn churn(h: &Handle, t: usize, n: usize) {
    for i in 0..n {
        let (a, b) = (format!("t{t}a{i}"), format!("t{t}b{i}"));
        h.link_add(&LinkSpec::veth(a.as_str(), b.as_str()))
            .unwrap_or_else(|e| panic!("create {a}: {e}"));
        let la = h.link_get(a.as_str()).unwrap();
        let lb = h.link_get(b.as_str()).unwrap();
        assert_eq!((la.name.as_str(), lb.name.as_str()), (&*a, &*b));
        assert_eq!(h.link_get(la.index).unwrap().name, a);
        assert!(h.open_sockets() <= h.max_sockets(), "{h:?}");
        h.link_del(a.as_str())
            .unwrap_or_else(|e| panic!("delete {a}: {e}"));
        assert!(h.link_get(b.as_str()).unwrap_err().is_not_found());
    }
}

#[test]
fn many_threads_share_one_handle_within_its_bound_and_leak_no_descriptor() {
    let _serial = serial();
    let Some(t) = TestNs::new("many_threads_share_one_handle") else {
        return;
    };
    let before = open_fds();
    let max = 6;
    let h = t.handle().with_max_sockets(max);
    assert_eq!((h.max_sockets(), h.open_sockets()), (max, 1));
    for round in 0..2 {
        std::thread::scope(|s| {
            for th in 0..24 {
                let h = &h;
                s.spawn(move || churn(h, th, 3));
            }
        });
        // The threads overlapped (a veth deletion alone waits ~15 ms in the kernel), so the
        // handle opened more sockets, never more than its bound; they stay open for the
        // next calls and are the only descriptors the handle holds, with its namespace's.
        let open = h.open_sockets();
        assert!(open > 1 && open <= max, "round {round}: {open} sockets");
        assert_eq!(open_fds(), before + 1 + open, "round {round}");
    }
    assert_eq!(t.ip_link_names(), ["lo"]);
    assert_eq!(h.link_list(&LinkFilter::default()).unwrap().len(), 1);
    drop(h);
    assert_eq!(open_fds(), before);
}

#[test]
fn other_threads_run_while_a_dump_is_read() {
    let _serial = serial();
    let Some(t) = TestNs::new("other_threads_run_while_a_dump_is_read") else {
        return;
    };
    let h = std::sync::Arc::new(t.handle());
    for i in 0..10 {
        h.link_add(&LinkSpec::veth(format!("d{i}"), format!("e{i}")))
            .unwrap();
    }
    let mut links = h.link_iter(&LinkFilter::default()).unwrap();
    let first = links.next().unwrap().unwrap();
    let (done, finished) = mpsc::channel();
    let h2 = h.clone();
    // Not a scoped thread: a broken pool must fail this test, not hang it.
    std::thread::spawn(move || {
        // Requests and a dump of its own while the first thread's dump is open.
        for i in 0..10 {
            let dev = format!("d{i}");
            h2.addr_add(dev.as_str(), &AddrSpec::new(addr(i))).unwrap();
            assert_eq!(h2.link_get(dev.as_str()).unwrap().name, dev);
        }
        let n = h2.addr_list(&AddrFilter::new()).unwrap().len();
        done.send(n).unwrap();
    });
    let n = finished
        .recv_timeout(DEADLOCK)
        .expect("another thread's calls waited for this thread's dump");
    assert!(n >= 10, "{n} addresses");
    // The dump goes on where it was, complete.
    let mut names = vec![first.name];
    names.extend(links.map(|l| l.unwrap().name));
    names.sort();
    assert_eq!(names, t.ip_link_names());
    assert_eq!(names.len(), 21);
}

#[test]
fn a_lookup_inside_a_dump_on_the_same_handle_does_not_deadlock() {
    let _serial = serial();
    let Some(t) = TestNs::new("a_lookup_inside_a_dump_does_not_deadlock") else {
        return;
    };
    for i in 0..5 {
        t.ip(&[
            "link",
            "add",
            &format!("l{i}"),
            "type",
            "veth",
            "peer",
            "name",
            &format!("m{i}"),
        ]);
    }
    let (tx, rx) = mpsc::channel();
    let ns = t.ns().try_clone().unwrap();
    // On a thread of its own, so that a deadlock fails the test instead of hanging it.
    std::thread::spawn(move || {
        let h = Handle::in_netns(&ns).unwrap().with_max_sockets(1);
        let mut pairs = Vec::new();
        // One socket, held by the dump: the lookups go beyond the bound, one at a time.
        for l in h.link_iter(&LinkFilter::default()).unwrap() {
            let l = l.unwrap();
            let again = h.link_get(l.index).unwrap();
            assert_eq!(h.open_sockets(), 1);
            pairs.push((l.name, again.name));
        }
        // ... and the raw dump too: the handle's request inside it.
        let mut d = h.dump(RTM_GETLINK, &[0u8; 16][..]).unwrap();
        let mut n = 0;
        while let Some(m) = d.next_message() {
            m.unwrap();
            h.link_get("lo").unwrap();
            n += 1;
        }
        tx.send((pairs, n)).unwrap();
    });
    let (pairs, n) = rx
        .recv_timeout(DEADLOCK)
        .expect("a lookup inside a dump deadlocked");
    assert_eq!(pairs.len(), 11);
    assert_eq!(n, 11);
    assert!(pairs.iter().all(|(a, b)| a == b), "{pairs:?}");
}

#[test]
fn a_fault_plan_numbers_the_requests_of_every_socket_and_thread() {
    let _serial = serial();
    let Some(t) = TestNs::new("a_fault_plan_numbers_the_requests_of_every_socket") else {
        return;
    };
    let h = std::sync::Arc::new(t.handle());
    for (plan, failed) in [(FaultPlan::never(), None), (FaultPlan::fail_at(7), Some(7))] {
        h.set_fault_plan(Some(plan.clone()));
        // Step 0; the dump holds the first socket, so the threads use the others.
        let dump = h.dump(RTM_GETLINK, &[0u8; 16][..]).unwrap();
        let (tx, rx) = mpsc::channel();
        for th in 0..6 {
            let (h, tx) = (h.clone(), tx.clone());
            std::thread::spawn(move || {
                for i in 0..3 {
                    let r = h.link_add(&LinkSpec::veth(format!("f{th}x{i}"), format!("f{th}y{i}")));
                    tx.send(r).unwrap();
                }
            });
        }
        let results: Vec<netplumb::Result<()>> = (0..18)
            .map(|_| {
                rx.recv_timeout(DEADLOCK)
                    .expect("the threads waited for the dump's socket")
            })
            .collect();
        drop(dump);
        assert!(h.open_sockets() > 1);
        assert_eq!(plan.steps(), 1 + 18);
        let log = plan.log();
        assert_eq!(log[0], "RTM_GETLINK");
        assert!(log[1..].iter().all(|s| s == "RTM_NEWLINK"), "{log:?}");
        let errors: Vec<&Error> = results.iter().filter_map(|r| r.as_ref().err()).collect();
        match failed {
            None => assert!(errors.is_empty(), "{errors:?}"),
            Some(step) => {
                assert_eq!(errors.len(), 1, "{errors:?}");
                assert!(matches!(errors[0], Error::Injected { step: s, .. } if *s == step));
            }
        }
        // A failed step was not sent: exactly the other pairs exist.
        h.set_fault_plan(None);
        let made = 18 - errors.len();
        assert_eq!(t.ip_link_names().len(), 1 + 2 * made);
        for th in 0..6 {
            for i in 0..3 {
                match h.link_del(format!("f{th}x{i}").as_str()) {
                    Ok(()) => {}
                    Err(e) if e.is_not_found() && failed.is_some() => {}
                    Err(e) => panic!("{e}"),
                }
            }
        }
    }
}
