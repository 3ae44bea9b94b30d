//! The netlink socket against the real kernel, each test in a fresh namespace of its own.

use crate::common;

use common::*;
use netplumb::socket::{Protocol, RTNLGRP_LINK, Socket};
use netplumb::wire::NlmsgFlags;
use netplumb::wire::nlmsg::{RTM_DELLINK, RTM_GETLINK, RTM_NEWADDR, RTM_NEWLINK};
use netplumb::{Batch, BatchMode, Error, Handle};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const CREATE_EXCL: NlmsgFlags = NlmsgFlags::CREATE.union(NlmsgFlags::EXCL);

/// Creates `n` veth pairs `<p><i>a`/`<p><i>b` in one batch, asserting every request succeeded.
fn add_veth_pairs(h: &netplumb::Handle, p: &str, n: usize) {
    let mut b = Batch::new();
    for i in 0..n {
        b.push(
            RTM_NEWLINK,
            CREATE_EXCL,
            &veth(&format!("{p}{i}a"), &format!("{p}{i}b"))[..],
        )
        .unwrap();
    }
    let results = h.batch(&b, BatchMode::Force).unwrap();
    assert_eq!(results.len(), n);
    assert!(results.iter().all(Result::is_ok), "{results:?}");
}

#[test]
fn ack_for_a_valid_request() {
    let Some(t) = TestNs::new("ack_for_a_valid_request") else {
        return;
    };
    let h = t.handle();
    // ip link set dev lo up: RTM_NEWLINK on index 1 with IFF_UP in flags and change.
    h.request(RTM_NEWLINK, NlmsgFlags::empty(), &link_up(1)[..])
        .unwrap();
    let lo = t.ip_json(&["link", "show", "dev", "lo"]);
    let flags = lo[0]["flags"].as_array().unwrap();
    assert!(flags.iter().any(|f| f == "UP"), "{lo}");
}

#[test]
fn duplicate_veth_is_eexist() {
    let Some(t) = TestNs::new("duplicate_veth_is_eexist") else {
        return;
    };
    let h = t.handle();
    h.request(RTM_NEWLINK, CREATE_EXCL, &veth("va", "vb")[..])
        .unwrap();
    let e = h
        .request(RTM_NEWLINK, CREATE_EXCL, &veth("va", "vc")[..])
        .unwrap_err();
    assert!(e.is_exists(), "{e}");
    let k = e.kernel().unwrap();
    assert_eq!(k.errno, libc::EEXIST);
    assert_eq!(k.request_type, RTM_NEWLINK);
    assert_eq!(k.request_index, None);
    // The kernel may or may not explain; when it does the text is non-empty.
    if let Some(m) = &k.message {
        assert!(!m.is_empty());
    }
    assert!(!k.text().is_empty());
    assert_eq!(t.ip_link_names(), ["lo", "va", "vb"]);
}

#[test]
fn unknown_link_kind_has_the_kernels_ext_ack_message() {
    let Some(t) = TestNs::new("unknown_link_kind_has_the_kernels_ext_ack_message") else {
        return;
    };
    let h = t.handle();
    // This kernel has no dummy driver: ip link add d0 type dummy says "Unknown device type".
    let e = h
        .request(RTM_NEWLINK, CREATE_EXCL, &link_of_kind("d0", "dummy")[..])
        .unwrap_err();
    let k = e.kernel().unwrap();
    assert!(e.is_not_supported(), "{e}");
    assert_eq!(k.message.as_deref(), Some("Unknown device type"), "{e}");
    assert!(e.to_string().contains("Unknown device type"), "{e}");

    // A missing device: ENODEV, a not-found error.
    let e = h
        .request(RTM_NEWLINK, NlmsgFlags::empty(), &link_up(9999)[..])
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
}

#[test]
fn dump_error_arrives_in_done_with_ext_ack() {
    let Some(t) = TestNs::new("dump_error_arrives_in_done_with_ext_ack") else {
        return;
    };
    let h = t.handle();
    // With NETLINK_GET_STRICT_CHK, a link dump filtered by ifi_index is refused; the errno
    // and the message come back in NLMSG_DONE.
    let mut req = link_dump_request();
    req[4] = 1;
    let got: Vec<_> = h
        .dump_map(RTM_GETLINK, &req[..], link_name)
        .unwrap()
        .collect();
    assert_eq!(got.len(), 1, "{got:?}");
    let e = got[0].as_ref().unwrap_err();
    let k = e.kernel().expect("a kernel error");
    assert_eq!(k.errno, libc::EINVAL);
    assert_eq!(k.request_type, RTM_GETLINK);
    assert!(k.message.as_deref().is_some_and(|m| !m.is_empty()), "{e}");
    // The socket is clean afterwards.
    assert_eq!(dump_link_names(&h).unwrap(), ["lo"]);
}

#[test]
fn get_returns_one_message() {
    let Some(t) = TestNs::new("get_returns_one_message") else {
        return;
    };
    let h = t.handle();
    // ip link show dev lo: RTM_GETLINK with IFLA_IFNAME.
    let m = h
        .get(RTM_GETLINK, NlmsgFlags::empty(), &link_by_name("lo")[..])
        .unwrap();
    assert_eq!(m.message_type(), RTM_NEWLINK);
    assert_eq!(link_name(m.payload()).unwrap(), "lo");
    assert_eq!(link_index(m.payload()), 1);
    let e = h
        .get(RTM_GETLINK, NlmsgFlags::empty(), &link_by_name("nope0")[..])
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    // Still in step: the next get answers its own request.
    let idx = h
        .get_map(
            RTM_GETLINK,
            NlmsgFlags::empty(),
            &link_by_name("lo")[..],
            |m| Ok(link_index(m.payload())),
        )
        .unwrap();
    assert_eq!(idx, 1);
}

#[test]
fn link_dump_matches_ip() {
    let Some(t) = TestNs::new("link_dump_matches_ip") else {
        return;
    };
    for i in 0..3 {
        t.ip(&[
            "link",
            "add",
            &format!("d{i}a"),
            "type",
            "veth",
            "peer",
            &format!("d{i}b"),
        ]);
    }
    let h = t.handle();
    let ours = dump_link_names(&h).unwrap();
    assert_eq!(ours.len(), 7);
    assert_eq!(ours, t.ip_link_names());
    // Streaming, record by record, with the lending interface.
    let mut n = 0;
    let mut d = h.dump(RTM_GETLINK, &link_dump_request()[..]).unwrap();
    while let Some(m) = d.next_message() {
        let m = m.unwrap();
        assert_eq!(m.message_type(), RTM_NEWLINK);
        assert!(m.flags().contains(NlmsgFlags::MULTI));
        n += 1;
    }
    drop(d);
    assert_eq!(n, 7);
}

#[test]
fn early_dropped_dump_leaves_the_socket_clean() {
    let Some(t) = TestNs::new("early_dropped_dump_leaves_the_socket_clean") else {
        return;
    };
    let h = t.handle();
    add_veth_pairs(&h, "e", 40);
    {
        let mut d = h.dump(RTM_GETLINK, &link_dump_request()[..]).unwrap();
        d.next_message().unwrap().unwrap();
    }
    // A new dump would fail with EBUSY if the old one had not been drained.
    assert_eq!(dump_link_names(&h).unwrap().len(), 81);
    h.request(RTM_NEWLINK, NlmsgFlags::empty(), &link_up(1)[..])
        .unwrap();
}

#[test]
fn batch_of_three_with_a_failure_in_the_middle() {
    let Some(t) = TestNs::new("batch_of_three_with_a_failure_in_the_middle") else {
        return;
    };
    let h = t.handle();
    let mut b = Batch::new();
    b.push(RTM_NEWLINK, CREATE_EXCL, &veth("ba", "bap")[..])
        .unwrap();
    b.push(RTM_NEWLINK, CREATE_EXCL, &veth("ba", "bax")[..])
        .unwrap();
    b.push(RTM_NEWLINK, CREATE_EXCL, &veth("bb", "bbp")[..])
        .unwrap();
    let r = h.batch(&b, BatchMode::Force).unwrap();
    assert_eq!(r.len(), 3);
    assert!(r[0].is_ok(), "{:?}", r[0]);
    let e = r[1].as_ref().unwrap_err();
    assert!(e.is_exists(), "{e}");
    assert_eq!(e.kernel().unwrap().request_index, Some(1));
    assert!(e.to_string().contains("batch request 1"), "{e}");
    assert!(r[2].is_ok(), "{:?}", r[2]);
    // Nothing leaks into the next request.
    h.request(RTM_NEWLINK, NlmsgFlags::empty(), &link_up(1)[..])
        .unwrap();
    assert_eq!(t.ip_link_names(), ["ba", "bap", "bb", "bbp", "lo"]);

    // The same batch again with StopOnError: all three are in one chunk, so all were
    // processed by the kernel and reported (every one fails now).
    let r = h.batch(&b, BatchMode::StopOnError).unwrap();
    assert_eq!(r.len(), 3);
    assert!(r.iter().all(|r| r.as_ref().is_err_and(Error::is_exists)));
}

#[test]
fn large_batch_loses_no_ack() {
    let Some(t) = TestNs::new("large_batch_loses_no_ack") else {
        return;
    };
    let h = t.handle();
    // 2,000 ip addr add 198.18.x.y/32 dev lo; every 250th repeats the previous address and
    // fails with EEXIST (a failure echoes the whole request, so its ACK is larger).
    let mut b = Batch::new();
    let mut expected_fail = Vec::new();
    let addr = |i: usize| [198, 18, (i / 250) as u8, (i % 250) as u8 + 1];
    for i in 0..2000 {
        let a = if i % 250 == 249 {
            expected_fail.push(i);
            addr(i - 1)
        } else {
            addr(i)
        };
        b.push(RTM_NEWADDR, CREATE_EXCL, &ipv4_addr(1, a)[..])
            .unwrap();
    }
    let r = h.batch(&b, BatchMode::Force).unwrap();
    assert_eq!(r.len(), 2000);
    let failed: Vec<usize> = r
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            r.as_ref().err().map(|e| {
                assert!(e.is_exists(), "{e}");
                assert_eq!(e.kernel().unwrap().request_index, Some(i));
                i
            })
        })
        .collect();
    assert_eq!(failed, expected_fail);
    let lo = t.ip_json(&["addr", "show", "dev", "lo"]);
    let inet = lo[0]["addr_info"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["family"] == "inet")
        .count();
    assert_eq!(inet, 2000 - expected_fail.len());
}

#[test]
fn dump_interrupted_by_churn() {
    let Some(t) = TestNs::new("dump_interrupted_by_churn") else {
        return;
    };
    let h = t.handle();
    // Enough links that a dump spans several datagrams.
    add_veth_pairs(&h, "s", 60);

    let churning = AtomicBool::new(true);
    let (complete, interrupted) = std::thread::scope(|s| {
        let churn = s.spawn(|| {
            let c = t.handle();
            for i in 0..300 {
                c.request(RTM_NEWLINK, CREATE_EXCL, &veth("cx", "cy")[..])
                    .unwrap_or_else(|e| panic!("churn {i}: {e}"));
                c.request(RTM_DELLINK, NlmsgFlags::empty(), &link_by_name("cx")[..])
                    .unwrap_or_else(|e| panic!("churn {i}: {e}"));
            }
            churning.store(false, Ordering::SeqCst);
        });
        let (mut complete, mut interrupted) = (0, 0);
        let mut dumps = 0;
        while churning.load(Ordering::SeqCst) || dumps < 20 {
            dumps += 1;
            match dump_link_names(&h) {
                Ok(names) => {
                    complete += 1;
                    assert!(names.len() >= 121, "{}", names.len());
                }
                Err(Error::DumpInterrupted) => interrupted += 1,
                Err(e) => panic!("dump failed: {e}"),
            }
            if dumps >= 20 && !churning.load(Ordering::SeqCst) {
                break;
            }
        }
        // Retrying eventually gives a complete, consistent table.
        let names = h
            .dump_retry(100_000, RTM_GETLINK, &link_dump_request()[..], link_name)
            .unwrap();
        assert!(names.len() >= 121);
        churn.join().unwrap();
        (complete, interrupted)
    });
    eprintln!("dump_interrupted_by_churn: {complete} complete, {interrupted} interrupted");
    let names = {
        let mut n = h
            .dump_retry(3, RTM_GETLINK, &link_dump_request()[..], link_name)
            .unwrap();
        n.sort();
        n
    };
    assert_eq!(names, t.ip_link_names());
}

#[test]
fn monitor_overrun_is_reported_and_the_socket_recovers() {
    let Some(t) = TestNs::new("monitor_overrun_is_reported_and_the_socket_recovers") else {
        return;
    };
    let monitor = t.handle();
    {
        let mut m = monitor.socket();
        m.set_recv_buffer(1).unwrap(); // the kernel's minimum
        m.set_timeout(Some(Duration::from_secs(5))).unwrap();
        m.subscribe(RTNLGRP_LINK).unwrap();
    }
    // A burst of link events the monitor does not read.
    let h = t.handle();
    add_veth_pairs(&h, "m", 30);

    let mut m = monitor.socket();
    let mut events = 0;
    loop {
        match m.recv_event() {
            Ok(_) => events += 1,
            Err(Error::Overrun) => break,
            Err(e) => panic!("expected an overrun after {events} events, got {e}"),
        }
    }
    // The kernel drops every further event until the queue has been read empty: drain it.
    // All the burst's events were queued (or dropped) before the batch's ACKs came back, so
    // a short timeout means the queue is empty.
    m.set_timeout(Some(Duration::from_millis(200))).unwrap();
    loop {
        match m.recv_event() {
            Ok(_) => events += 1,
            Err(e) if e.is_timeout() => break,
            Err(e) => panic!("draining after the overrun: {e}"),
        }
    }
    // Recover as a monitor should: a bigger buffer, then a re-dump.
    m.set_recv_buffer(1 << 20).unwrap();
    m.set_timeout(Some(Duration::from_secs(5))).unwrap();
    drop(m);
    // A re-dump on the same socket resynchronises...
    assert_eq!(dump_link_names(&monitor).unwrap(), t.ip_link_names());
    // ...and events flow again.
    h.request(RTM_NEWLINK, CREATE_EXCL, &veth("after", "afterp")[..])
        .unwrap();
    let mut m = monitor.socket();
    loop {
        let ev = m.recv_event().expect("events after the overrun");
        if ev.message_type() == RTM_NEWLINK && link_name(ev.payload()).unwrap() == "after" {
            break;
        }
    }
    eprintln!("monitor: {events} events read around the overrun");
}

#[test]
fn receive_timeout_instead_of_hang() {
    let Some(ns) = anonymous_ns("receive_timeout_instead_of_hang") else {
        return;
    };
    let h = Handle::in_netns(&ns).unwrap();
    h.set_timeout(Some(Duration::from_millis(20))).unwrap();
    let e = h.socket().recv_event().map(|_| ()).unwrap_err();
    assert!(e.is_timeout(), "{e}");
    // And the socket still works.
    h.request(RTM_NEWLINK, NlmsgFlags::empty(), &link_up(1)[..])
        .unwrap();
}

#[test]
fn socket_reports_its_port_and_buffer() {
    let Some(ns) = anonymous_ns("socket_reports_its_port_and_buffer") else {
        return;
    };
    let s: Socket = ns.run(Socket::open).unwrap().unwrap();
    assert_ne!(s.port_id(), 0);
    assert!(s.recv_buffer().unwrap() >= 64 * 1024);
}

// ---- NETLINK_NETFILTER through the same machinery ----

/// `NFNL_MSG_BATCH_BEGIN` / `NFNL_MSG_BATCH_END` (linux/netfilter/nfnetlink.h).
const NFNL_MSG_BATCH_BEGIN: u16 = 0x10;
const NFNL_MSG_BATCH_END: u16 = 0x11;
/// `NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWTABLE`.
const NFT_NEWTABLE: u16 = 10 << 8;
/// `NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETTABLE`.
const NFT_GETTABLE: u16 = 10 << 8 | 1;

/// `struct nfgenmsg`: family, version 0, `res_id` (big endian).
fn nfgenmsg(b: &mut netplumb::wire::Builder<'_>, family: u8, res_id: u16) {
    b.put_u8(family).unwrap();
    b.put_u8(0).unwrap();
    b.put(&res_id.to_be_bytes()).unwrap();
}

/// The batch begin or end message's payload for subsystem `res_id`.
fn batch_marker(res_id: u16) -> Vec<u8> {
    let mut b = netplumb::wire::Builder::new();
    nfgenmsg(&mut b, 0, res_id);
    b.into_vec()
}

/// `NFT_MSG_NEWTABLE` for an inet table `name` (`NFTA_TABLE_NAME`).
fn inet_table(name: &str) -> Vec<u8> {
    let mut b = netplumb::wire::Builder::new();
    nfgenmsg(&mut b, libc::NFPROTO_INET as u8, 0);
    b.attr_str(1, name).unwrap();
    b.into_vec()
}

/// begin, `tables` (each acknowledged, `NLM_F_CREATE` plus `flags`), end.
fn table_transaction(tables: &[(&str, NlmsgFlags)]) -> Batch {
    let mut b = Batch::new();
    b.push_without_ack(
        NFNL_MSG_BATCH_BEGIN,
        NlmsgFlags::empty(),
        &batch_marker(10)[..],
    )
    .unwrap();
    for (name, flags) in tables {
        b.push(
            NFT_NEWTABLE,
            NlmsgFlags::CREATE | *flags,
            &inet_table(name)[..],
        )
        .unwrap();
    }
    b.push_without_ack(
        NFNL_MSG_BATCH_END,
        NlmsgFlags::empty(),
        &batch_marker(10)[..],
    )
    .unwrap();
    b
}

/// `NFT_MSG_GETTABLE` with `NLM_F_DUMP`: the names of the tables, read through the same
/// dump machinery as rtnetlink's.
fn nft_tables(s: &mut Socket) -> Vec<String> {
    let mut b = netplumb::wire::Builder::new();
    nfgenmsg(&mut b, 0, 0); // NFPROTO_UNSPEC: every family
    s.dump_map(NFT_GETTABLE, &b.into_vec()[..], |p| {
        let attrs = netplumb::wire::AttrIter::with_base(&p[4..], 4);
        let name = attrs
            .find(1)?
            .map(|a| a.string("NFTA_TABLE_NAME"))
            .transpose()?;
        Ok(name.unwrap_or_default().to_string())
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

#[test]
fn netfilter_transaction_in_one_sendmsg_names_the_refused_message() {
    let Some(t) = TestNs::new("netfilter_transaction_in_one_sendmsg_names_the_refused_message")
    else {
        return;
    };
    let mut s = Socket::open_in(t.ns(), Protocol::Netfilter).unwrap();
    assert_eq!(s.protocol(), Protocol::Netfilter);
    s.set_timeout(Some(Duration::from_secs(10))).unwrap();

    // Committed: the table is there, each message answered, begin and end silent.
    let r = s
        .batch_whole(&table_transaction(&[("np_a", NlmsgFlags::empty())]))
        .unwrap();
    assert!(r[0].is_none() && r[2].is_none(), "{r:?}");
    assert!(r[1].as_ref().unwrap().is_ok(), "{r:?}");
    assert_eq!(nft_tables(&mut s), ["np_a"]);

    // Refused: np_a exists (EXCL), and the transaction is aborted as a whole.
    let r = s
        .batch_whole(&table_transaction(&[
            ("np_b", NlmsgFlags::empty()),
            ("np_a", NlmsgFlags::EXCL),
        ]))
        .unwrap();
    let e = r[2].as_ref().unwrap().as_ref().unwrap_err();
    assert!(e.is_exists(), "{e}");
    let k = e.kernel().unwrap();
    assert_eq!(k.request_index, Some(2));
    assert_eq!(k.request_type, NFT_NEWTABLE);
    assert_eq!(k.protocol, Protocol::Netfilter);
    assert_eq!(nft_tables(&mut s), ["np_a"]);

    // Rejected on its begin message (a subsystem that does not exist): nothing else is
    // answered, and the socket does not wait for it.
    let mut b = Batch::new();
    b.push_without_ack(
        NFNL_MSG_BATCH_BEGIN,
        NlmsgFlags::empty(),
        &batch_marker(0xff)[..],
    )
    .unwrap();
    b.push(NFT_NEWTABLE, NlmsgFlags::CREATE, &inet_table("np_c")[..])
        .unwrap();
    b.push_without_ack(
        NFNL_MSG_BATCH_END,
        NlmsgFlags::empty(),
        &batch_marker(0xff)[..],
    )
    .unwrap();
    let r = s.batch_whole(&b).unwrap();
    assert!(r[0].as_ref().unwrap().is_err(), "{r:?}");
    assert_eq!(nft_tables(&mut s), ["np_a"]);

    // The socket is clean for the next transaction.
    let r = s
        .batch_whole(&table_transaction(&[("np_d", NlmsgFlags::empty())]))
        .unwrap();
    assert!(r[1].as_ref().unwrap().is_ok(), "{r:?}");
    let mut tables = nft_tables(&mut s);
    tables.sort();
    assert_eq!(tables, ["np_a", "np_d"]);
    // And `nft` agrees (where it is installed; CI installs it).
    if require_program("nft list tables agrees", "nft", "nftables") {
        let out = std::process::Command::new("ip")
            .args(["netns", "exec", t.name(), "nft", "list", "tables"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(text, "table inet np_a\ntable inet np_d\n");
    }
}
