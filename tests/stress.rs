//! The core under stress (issue 11): dumps and monitors while another thread changes the
//! tables, and what a kernel error keeps.
mod common;

use common::TestNs;
use netplumb::events::{Event, Group, Monitor};
use netplumb::link::{LinkFilter, LinkSpec, Veth};
use netplumb::route::{RouteFilter, RouteOp, RouteSpec};
use netplumb::wire::link::IfFlags;
use netplumb::wire::nlmsg::NLMSG_ERROR;
use netplumb::wire::{ErrorMessage, NlmsgBuffer};
use netplumb::{Batch, BatchMode, Handle, IpNet};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// Routes that stay put during the test: enough that an IPv6 dump of them spans several
/// datagrams (the kernel only goes wrong between two datagrams).
const STABLE: usize = 1500;

fn stable_route(i: usize) -> IpNet {
    format!("2001:db8:1:{i:x}::/64").parse().unwrap()
}

/// Brings `dev` up and waits until its carrier is (so no route flag flips later).
fn up_with_carrier(h: &Handle, devs: &[&str]) {
    for d in devs {
        h.link_up(*d).unwrap();
    }
    for _ in 0..1000 {
        if devs.iter().all(|d| {
            let l = h.link_get(*d).unwrap();
            l.flags.contains(IfFlags::LOWER_UP)
        }) {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("no carrier on {devs:?}");
}

/// What `got` has beyond `want` and lacks of it (both sorted), briefly.
fn diff(want: &[IpNet], got: &[IpNet]) -> String {
    let mut extra: Vec<String> = Vec::new();
    let mut missing: Vec<String> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < want.len() || j < got.len() {
        match (want.get(i), got.get(j)) {
            (Some(w), Some(g)) if w == g => (i, j) = (i + 1, j + 1),
            (Some(w), Some(g)) if w < g => (missing.push(w.to_string()), i += 1).1,
            (Some(_), Some(g)) | (None, Some(g)) => (extra.push(g.to_string()), j += 1).1,
            (Some(w), None) => (missing.push(w.to_string()), i += 1).1,
            (None, None) => break,
        }
    }
    extra.truncate(10);
    missing.truncate(10);
    format!(
        "{} routes instead of {}; extra (or repeated) {extra:?}, missing {missing:?}",
        got.len(),
        want.len()
    )
}

/// Sets the flag when dropped, so a churn thread stops also when the dumping side panics
/// (a scope waits for its threads before passing the panic on).
struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// IPv6 route dumps under churn: the kernel restarts its tree walk without flagging the
/// dump (`fib6_dump_table`), so a plain dump may repeat or miss a route; two agreeing dumps
/// in a row (`route_list_consistent`) give the exact table every time.
///
/// A churn thread adds and deletes IPv6 routes (through another link, in prefixes the tree
/// walks before the stable ones) and veth pairs with link-local addresses (whose routes go
/// into the same table), while this thread dumps the stable routes. Nothing here measures
/// time: the churn runs until the dumps are done.
#[test]
fn ipv6_route_dumps_under_churn_are_exact_when_consistent() {
    let Some(t) = TestNs::new("ipv6_route_dumps_under_churn_are_exact_when_consistent") else {
        return;
    };
    t.dad_off();
    let h = t.handle();
    h.link_add(&LinkSpec::new("s0", Veth::new("s1"))).unwrap();
    // No link-local address, so the only routes through s0 are the test's.
    for d in ["s0", "s1"] {
        t.ip(&["link", "set", d, "addrgenmode", "none"]);
    }
    up_with_carrier(&h, &["s0", "s1"]);
    let s0 = h.link_index("s0").unwrap();
    let mut batch = Batch::new();
    for i in 0..STABLE {
        RouteSpec::new(stable_route(i))
            .dev(s0)
            .request(RouteOp::Add)
            .unwrap()
            .push_to(&mut batch)
            .unwrap();
    }
    for r in h.batch(&batch, BatchMode::StopOnError).unwrap() {
        r.unwrap();
    }
    let mut expected: Vec<IpNet> = (0..STABLE).map(stable_route).collect();
    expected.sort();

    let filter = RouteFilter::new().ipv6().dev("s0");
    let dests = |routes: Vec<netplumb::route::Route>| {
        let mut d: Vec<IpNet> = routes.into_iter().map(|r| r.destination).collect();
        d.sort();
        d
    };
    let done = AtomicBool::new(false);
    let churned = AtomicUsize::new(0);
    let (plain_wrong, rounds) = std::thread::scope(|s| {
        let churn = s.spawn(|| {
            let c = t.handle();
            let s1 = c.link_index("s1").unwrap();
            let mut k = 0usize;
            while !done.load(Ordering::SeqCst) {
                // One change per step, and the table different after each: 64 routes come,
                // then go, so a change between two datagrams of a dump shifts the walk.
                let spec = RouteSpec::new(format!("2001:db8:0:{:x}::/64", k % 64).parse().unwrap())
                    .dev(s1);
                if k % 128 < 64 {
                    c.route_add(&spec).unwrap();
                } else {
                    c.route_del(&spec).unwrap();
                }
                if k.is_multiple_of(32) {
                    c.link_add(&LinkSpec::new("cx", Veth::new("cy")).up())
                        .unwrap();
                    c.link_del("cx").unwrap();
                }
                k += 1;
                churned.store(k, Ordering::SeqCst);
            }
        });
        let stop = StopOnDrop(&done);
        let mut plain_wrong = 0;
        let mut rounds = 0;
        // Dump until the churn has really run alongside, and for a fixed number of rounds.
        while (rounds < 100 || churned.load(Ordering::SeqCst) < 200) && !churn.is_finished() {
            rounds += 1;
            if dests(h.route_list(&filter).unwrap()) != expected {
                plain_wrong += 1;
            }
            let consistent = dests(h.route_list_consistent(&filter, 50).unwrap());
            assert!(
                consistent == expected,
                "round {rounds}: {}",
                diff(&expected, &consistent)
            );
            if rounds > 10_000 {
                break;
            }
        }
        drop(stop);
        churn.join().unwrap();
        (plain_wrong, rounds)
    });
    eprintln!(
        "ipv6 route dumps under churn: {rounds} rounds, {} churn steps; plain route_list \
         wrong {plain_wrong} times, route_list_consistent exact every time",
        churned.load(Ordering::SeqCst)
    );
    // The table is still exactly the stable routes once the churn stopped.
    let last = dests(h.route_list(&filter).unwrap());
    assert!(
        last == expected,
        "after the churn: {}",
        diff(&expected, &last)
    );
}

/// The link names `h` dumps, by index.
fn link_table(h: &Handle) -> BTreeMap<u32, String> {
    h.link_list(&LinkFilter::new())
        .unwrap()
        .into_iter()
        .map(|l| (l.index, l.name))
        .collect()
}

/// The resync pattern of `netplumb::events` (drain, re-dump, continue) keeps an exact
/// table of links through overruns: a monitor with a tiny receive buffer misses events
/// while nobody reads (certain overrun), then follows a churn thread, draining with a bound
/// after each overrun. When the churn is over and the events have stopped, its table is
/// the kernel's.
#[test]
fn monitor_resync_after_overrun_keeps_an_exact_table() {
    let Some(t) = TestNs::new("monitor_resync_after_overrun_keeps_an_exact_table") else {
        return;
    };
    let h = t.handle();
    let mut m = Monitor::in_netns(t.ns(), &[Group::Link])
        .unwrap()
        .with_recv_buffer(4096)
        .unwrap()
        // Only to notice that the events have stopped; nothing depends on how long.
        .with_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    // Subscribed first, then dumped.
    let mut links = link_table(&h);

    // 40 veth pairs (80 RTM_NEWLINK events and more) while nobody reads: far beyond 4 KiB.
    for i in 0..40 {
        h.link_add(&LinkSpec::new(
            format!("r{i}a"),
            Veth::new(format!("r{i}b")),
        ))
        .unwrap();
    }
    let (mut overruns, mut drains) = (0, 0);
    std::thread::scope(|s| {
        let churn = s.spawn(|| {
            let c = t.handle();
            for i in (0..40).step_by(2) {
                c.link_del(format!("r{i}a").as_str()).unwrap();
            }
            for i in 40..80 {
                c.link_add(&LinkSpec::new(
                    format!("r{i}a"),
                    Veth::new(format!("r{i}b")),
                ))
                .unwrap();
            }
        });
        loop {
            match m.next_event() {
                Ok(Event::NewLink(l)) => {
                    let name = l.name().unwrap_or_default().to_string();
                    links.insert(l.index().unsigned_abs(), name);
                }
                Ok(Event::DelLink(l)) => {
                    links.remove(&l.index().unsigned_abs());
                }
                Ok(other) => panic!("not a link event: {other:?}"),
                Err(e) if e.is_overrun() => {
                    overruns += 1;
                    loop {
                        drains += 1;
                        let d = m.drain(64, Duration::from_millis(20)).unwrap();
                        assert!(d.discarded <= 64, "{d:?}");
                        if d.emptied {
                            break;
                        }
                    }
                    links = link_table(&h);
                }
                Err(e) if e.is_timeout() && churn.is_finished() => break,
                Err(e) if e.is_timeout() => {}
                Err(e) => panic!("{e}"),
            }
        }
        churn.join().unwrap();
    });
    eprintln!("monitor resync: {overruns} overruns, {drains} bounded drains");
    assert!(overruns >= 1, "the burst did not overrun a 4 KiB queue");
    assert_eq!(links, link_table(&h));
    assert_eq!(links.len(), 1 + 2 * 20 + 2 * 40);
}

/// Kernel error replies keep their bytes (issue 11): `KernelError::reply` is the whole
/// NLMSG_ERROR message the fields were read from, for a single request and for each failed
/// request of a batch; it decodes again, round-trips through the hex text `netplumb decode`
/// reads, and is a valid `datagram` fuzz seed.
#[test]
fn kernel_errors_keep_the_reply_bytes() {
    let Some(t) = TestNs::new("kernel_errors_keep_the_reply_bytes") else {
        return;
    };
    let h = t.handle();
    let spec = LinkSpec::new("k0", Veth::new("k1"));
    h.link_add(&spec).unwrap();
    let single = h.link_add(&spec).unwrap_err();
    let batch = h
        .link_add_many(&[spec.clone(), LinkSpec::new("k2", Veth::new("k3")), spec])
        .unwrap();
    let batch_errors: Vec<_> = batch.iter().filter_map(|r| r.as_ref().err()).collect();
    assert_eq!(batch_errors.len(), 2);
    for e in [&single].into_iter().chain(batch_errors) {
        let k = e.kernel().unwrap_or_else(|| panic!("{e}"));
        let m = NlmsgBuffer::new_checked(&k.reply[..]).unwrap();
        assert_eq!(m.length() as usize, k.reply.len());
        assert_eq!(m.message_type(), NLMSG_ERROR);
        let parsed = ErrorMessage::parse(m.payload(), m.flags()).unwrap();
        assert_eq!(parsed.errno(), libc::EEXIST);
        assert_eq!(parsed.errno(), k.errno);
        assert_eq!(parsed.ext_ack.message.map(str::to_string), k.message);
        assert_eq!(parsed.request_sequence(), Some(k.request_seq));
        assert_eq!(netplumb::wire::hex::parse(&k.reply_hex()).unwrap(), k.reply);
        netplumb::fuzzing::datagram(&k.reply);
    }
}
