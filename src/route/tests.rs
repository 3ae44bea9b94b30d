//! Pure tests of request building: no kernel.

use super::*;
use crate::socket::Batch;
use crate::wire::Emit;
use crate::wire::route::{RTAX_LOCK, RTAX_MTU, RouteCacheInfo};
use std::time::Duration;

fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}
fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn add(spec: &RouteSpec) -> RouteMessage {
    spec.to_message(RouteOp::Add).unwrap()
}

#[test]
fn ops_map_to_ip_flags() {
    use NlmsgFlags as F;
    let want = [
        (RouteOp::Add, F::CREATE | F::EXCL),
        (RouteOp::Replace, F::CREATE | F::REPLACE),
        (RouteOp::Change, F::REPLACE),
        (RouteOp::Append, F::CREATE | F::APPEND),
        (RouteOp::Prepend, F::CREATE),
        (RouteOp::Del, F::empty()),
    ];
    for (op, flags) in want {
        assert_eq!(op.flags(), flags, "{op:?}");
        let t = if op == RouteOp::Del {
            RTM_DELROUTE
        } else {
            crate::wire::nlmsg::RTM_NEWROUTE
        };
        assert_eq!(op.msg_type(), t, "{op:?}");
    }
}

#[test]
fn defaults_follow_ip() {
    // Device route: scope link, main, boot, unicast.
    let m = add(&RouteSpec::new(net("198.18.5.0/24")).dev(3u32));
    assert_eq!(m.header.scope, RouteScope::LINK);
    assert_eq!(m.header.table, 254);
    assert_eq!(m.header.protocol, RouteProtocol::BOOT);
    assert_eq!(m.header.kind, RouteType::UNICAST);
    assert_eq!(
        m.attrs,
        vec![RouteAttr::Destination(ip("198.18.5.0")), RouteAttr::Oif(3)]
    );
    // Gateway route: scope universe.
    let m = add(&RouteSpec::new(net("198.18.5.0/24")).via(ip("198.18.0.254")));
    assert_eq!(m.header.scope, RouteScope::UNIVERSE);
    // Multipath: universe.
    let m = add(&RouteSpec::new(net("198.18.5.0/24")).nexthop(NextHopSpec::on(3u32)));
    assert_eq!(m.header.scope, RouteScope::UNIVERSE);
    // Local: table local, scope host.
    let m = add(&RouteSpec::new(net("198.18.0.9/32"))
        .kind(RouteType::LOCAL)
        .dev(3u32));
    assert_eq!(m.header.table, 255);
    assert_eq!(m.header.scope, RouteScope::HOST);
    // Blackhole: universe, main.
    let m = add(&RouteSpec::new(net("198.18.6.0/24")).kind(RouteType::BLACKHOLE));
    assert_eq!(m.header.scope, RouteScope::UNIVERSE);
    assert_eq!(m.header.table, 254);
    // IPv6 device route: universe.
    let m = add(&RouteSpec::new(net("2001:db8:5::/64")).dev(3u32));
    assert_eq!(m.header.scope, RouteScope::UNIVERSE);
    assert_eq!(m.header.family, libc::AF_INET6 as u8);
    // Explicit values win.
    let m = add(&RouteSpec::new(net("198.18.5.0/24"))
        .dev(3u32)
        .scope(RouteScope::HOST)
        .protocol(RouteProtocol::STATIC));
    assert_eq!(m.header.scope, RouteScope::HOST);
    assert_eq!(m.header.protocol, RouteProtocol::STATIC);
}

#[test]
fn delete_matches_any_unset_field() {
    let m = RouteSpec::new(net("198.18.20.0/24"))
        .to_message(RouteOp::Del)
        .unwrap();
    // What `ip route del 198.18.20.0/24` sends (strace): 02 18 00 00 fe 00 ff 00.
    assert_eq!(
        m.to_vec().unwrap(),
        [
            2, 24, 0, 0, 254, 0, 255, 0, 0, 0, 0, 0, 8, 0, 1, 0, 198, 18, 20, 0
        ]
    );
    let m = RouteSpec::new(net("198.18.9.0/24"))
        .kind(RouteType::THROW)
        .table(100)
        .to_message(RouteOp::Del)
        .unwrap();
    assert_eq!(m.header.kind, RouteType::THROW);
    assert_eq!(m.header.table, 100);
}

#[test]
fn tables_small_in_header_large_in_attribute() {
    let m = add(&RouteSpec::new(net("198.18.5.0/24")).dev(3u32).table(100));
    assert_eq!(m.header.table, 100);
    assert_eq!(m.table(), 100);
    assert!(!m.attrs.iter().any(|a| matches!(a, RouteAttr::Table(_))));
    let m = add(&RouteSpec::new(net("198.18.5.0/24"))
        .dev(3u32)
        .table(100_000));
    assert_eq!(m.header.table, 0);
    assert!(m.attrs.contains(&RouteAttr::Table(100_000)));
    assert_eq!(m.table(), 100_000);
}

#[test]
fn default_routes_have_no_rta_dst() {
    let m = add(&RouteSpec::default_v4().via(ip("198.18.0.254")));
    assert_eq!(m.header.dst_len, 0);
    assert_eq!(m.attrs, vec![RouteAttr::Gateway(ip("198.18.0.254"))]);
    let m = add(&RouteSpec::default_v6().via(ip("2001:db8::ff")));
    assert_eq!(m.header.family, libc::AF_INET6 as u8);
    assert_eq!(m.attrs, vec![RouteAttr::Gateway(ip("2001:db8::ff"))]);
}

#[test]
fn ipv4_via_ipv6_uses_rta_via() {
    let m = add(&RouteSpec::new(net("198.18.7.0/24")).via(ip("2001:db8::9")));
    assert_eq!(
        m.attrs[1],
        RouteAttr::Via(RouteVia::Inet6("2001:db8::9".parse().unwrap()))
    );
    let m = add(&RouteSpec::new(net("198.18.7.0/24"))
        .nexthop(NextHopSpec::via(ip("2001:db8::9")).dev(3u32))
        .nexthop(NextHopSpec::via(ip("198.18.0.2")).weight(256)));
    let hops = m.multipath().unwrap();
    assert!(matches!(hops[0].via_attr(), Some(RouteVia::Inet6(_))));
    assert_eq!(hops[0].ifindex, 3);
    assert_eq!(hops[1].gateway(), Some(ip("198.18.0.2")));
    assert_eq!(hops[1].weight(), 256);
}

#[test]
fn metrics_and_locks() {
    let m = add(&RouteSpec::new(net("198.18.5.0/24"))
        .dev(3u32)
        .mtu_lock(1400)
        .advmss(1360)
        .rtt(Duration::from_millis(10))
        .rttvar(Duration::from_millis(5))
        .congctl("reno")
        .mtu(1300));
    let ms = m.metrics().unwrap();
    assert!(ms.contains(&RouteMetric::Mtu(1300)));
    assert!(!ms.contains(&RouteMetric::Mtu(1400)));
    assert!(ms.contains(&RouteMetric::AdvMss(1360)));
    assert!(ms.contains(&RouteMetric::Rtt(80)));
    assert!(ms.contains(&RouteMetric::RttVar(20)));
    assert!(ms.contains(&RouteMetric::CcAlgo("reno".into())));
    assert!(ms.contains(&RouteMetric::Lock(1 << RTAX_MTU)));
    assert_eq!(ms.iter().filter(|m| m.kind() == RTAX_LOCK).count(), 1);
}

#[test]
fn flags_pref_expires_tos_source() {
    let m = add(&RouteSpec::new(net("198.18.11.0/24"))
        .via(ip("198.18.0.5"))
        .dev(3u32)
        .onlink()
        .tos(0x10)
        .src(ip("198.18.0.1"))
        .metric(7));
    assert_eq!(m.header.flags, RouteFlags::ONLINK);
    assert_eq!(m.header.tos, 0x10);
    assert_eq!(m.prefsrc(), Some(ip("198.18.0.1")));
    assert_eq!(m.priority(), Some(7));
    let m = add(&RouteSpec::new(net("2001:db8:5::/64"))
        .via(ip("2001:db8::2"))
        .from(net("2001:db8:9::/48"))
        .pref(RoutePref::HIGH)
        .expires(300));
    assert_eq!(m.header.src_len, 48);
    assert_eq!(m.source(), Some((ip("2001:db8:9::"), 48)));
    assert_eq!(m.pref(), Some(RoutePref::HIGH));
    assert_eq!(m.expires(), Some(300));
}

#[test]
fn invalid_specs_are_refused() {
    let v4 = || RouteSpec::new(net("198.18.5.0/24"));
    let v6 = || RouteSpec::new(net("2001:db8:5::/64"));
    let bad = [
        ("v6 via v4", v6().via(ip("198.18.0.1"))),
        ("prefsrc family", v4().dev(3u32).src(ip("2001:db8::1"))),
        ("source family", v6().dev(3u32).from(net("198.18.0.0/24"))),
        (
            "weight 0",
            v4().nexthop(NextHopSpec::via(ip("198.18.0.2")).weight(0)),
        ),
        (
            "weight 257",
            v4().nexthop(NextHopSpec::via(ip("198.18.0.2")).weight(257)),
        ),
        ("empty next hop", v4().nexthop(NextHopSpec::default())),
        (
            "v6 next hop via v4",
            v6().nexthop(NextHopSpec::via(ip("198.18.0.2"))),
        ),
        (
            "gateway and multipath",
            v4().via(ip("198.18.0.3"))
                .nexthop(NextHopSpec::via(ip("198.18.0.2"))),
        ),
        (
            "dev and multipath",
            v4().dev(3u32).nexthop(NextHopSpec::on(3u32)),
        ),
        ("pref on v4", v4().dev(3u32).pref(RoutePref::HIGH)),
        ("expires on v4", v4().dev(3u32).expires(5)),
        ("empty congctl", v4().dev(3u32).congctl("")),
        ("long congctl", v4().dev(3u32).congctl("0123456789abcdef")),
        ("NUL congctl", v4().dev(3u32).congctl("re\0no")),
        ("device name without handle", v4().dev("veth0")),
        ("device index 0", v4().dev(0u32)),
        ("device index too large", v4().dev(u32::MAX)),
    ];
    for (what, spec) in bad {
        for op in [RouteOp::Add, RouteOp::Del] {
            let e = spec.to_message(op).unwrap_err();
            assert!(matches!(e, Error::InvalidInput { .. }), "{what}: {e}");
        }
    }
    // The IPv4-via-IPv6 case is the one accepted family mix.
    v4().via(ip("2001:db8::1")).validate().unwrap();
}

#[test]
fn batch_requests_are_built_without_a_handle() {
    let mut batch = Batch::new();
    for i in 0..100u32 {
        let dst = IpNet::new(IpAddr::V4((0xc613_0000 | (i << 8)).into()), 24).unwrap();
        let (t, f, m) = RouteSpec::new(dst)
            .dev(2u32)
            .request(RouteOp::Replace)
            .unwrap()
            .into_parts();
        assert_eq!(m.attrs.capacity(), m.attrs.len());
        batch.push(t, f, &m).unwrap();
    }
    assert_eq!(batch.len(), 100);
}

#[test]
fn filter_requests_follow_ip() {
    // ip route show table 100 dev IDX: rtm_table 0, RTA_TABLE, RTA_OIF.
    let f = RouteFilter::new().ipv4().table(100);
    let m = f.to_message(Some(3)).unwrap();
    assert_eq!(
        m.to_vec().unwrap(),
        [
            2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 15, 0, 100, 0, 0, 0, 8, 0, 4, 0, 3, 0, 0, 0
        ]
    );
    let m = RouteFilter::all_tables()
        .protocol(RouteProtocol::STATIC)
        .kind(RouteType::BLACKHOLE)
        .to_message(None)
        .unwrap();
    assert_eq!(m.header.family, 0);
    assert_eq!(m.header.protocol, RouteProtocol::STATIC);
    assert_eq!(m.header.kind, RouteType::BLACKHOLE);
    assert!(m.attrs.is_empty());
    assert_eq!(RouteFilter::new().table(0), RouteFilter::all_tables());
    assert!(
        RouteFilter::new()
            .family(7)
            .to_message(None)
            .unwrap_err()
            .is_invalid()
    );
}

fn route(spec: &RouteSpec) -> Route {
    Route::from_message(add(spec)).unwrap()
}

#[test]
fn filter_matches_client_side() {
    let r = route(&RouteSpec::new(net("198.18.5.0/24")).dev(3u32).table(100));
    assert!(RouteFilter::new().table(100).matches(&r, Some(3)));
    assert!(!RouteFilter::new().matches(&r, None));
    assert!(!RouteFilter::new().table(100).matches(&r, Some(4)));
    assert!(!RouteFilter::new().table(100).ipv6().matches(&r, None));
    assert!(
        !RouteFilter::all_tables()
            .protocol(RouteProtocol::STATIC)
            .matches(&r, None)
    );
    assert!(
        RouteFilter::all_tables()
            .kind(RouteType::UNICAST)
            .matches(&r, None)
    );
    let mp = route(
        &RouteSpec::new(net("198.18.5.0/24"))
            .nexthop(NextHopSpec::via(ip("198.18.0.2")).dev(4u32))
            .nexthop(NextHopSpec::via(ip("198.18.0.3")).dev(5u32)),
    );
    assert!(RouteFilter::new().matches(&mp, Some(5)));
    assert!(!RouteFilter::new().matches(&mp, Some(3)));
}

#[test]
fn route_from_message_and_back_to_delete() {
    let r = route(
        &RouteSpec::new(net("198.18.7.0/24"))
            .via(ip("2001:db8::9"))
            .dev(3u32)
            .table(100_000)
            .metric(9),
    );
    assert_eq!(r.destination, net("198.18.7.0/24"));
    assert_eq!(r.gateway, Some(ip("2001:db8::9")));
    assert_eq!(r.table, 100_000);
    assert_eq!(r.metric, Some(9));
    assert_eq!(r.oif, Some(3));
    let d = r.delete_message();
    assert_eq!(d.header.table, 0);
    assert_eq!(d.table(), 100_000);
    assert!(d.via().is_some());
    assert_eq!(d.oif(), Some(3));

    let r = route(&RouteSpec::default_v6().via(ip("2001:db8::1")));
    assert_eq!(r.destination, net("::/0"));
    assert!(
        r.delete_message()
            .attrs
            .iter()
            .all(|a| !matches!(a, RouteAttr::Destination(_)))
    );

    let mp = route(
        &RouteSpec::new(net("198.18.5.0/24")).nexthop(
            NextHopSpec::via(ip("198.18.0.2"))
                .dev(4u32)
                .weight(3)
                .onlink(),
        ),
    );
    assert_eq!(
        mp.nexthops,
        vec![RouteNextHop {
            gateway: Some(ip("198.18.0.2")),
            ifindex: 4,
            weight: 3,
            flags: NextHopFlags::ONLINK
        }]
    );
    assert!(mp.delete_message().multipath().is_none());

    let mut m = add(&RouteSpec::new(net("198.18.5.0/24")).dev(3u32));
    m.header.family = 128; // RTNL_FAMILY_IPMR
    assert!(matches!(Route::from_message(m), Err(Error::Protocol(_))));
    let mut m = add(&RouteSpec::new(net("198.18.5.0/24")).dev(3u32));
    m.header.dst_len = 40;
    assert!(matches!(Route::from_message(m), Err(Error::Protocol(_))));
}

#[test]
fn get_requests_follow_ip() {
    let mut no_links = |_: &LinkRef<'static>| -> Result<u32> { unreachable!() };
    // ip route get 198.18.0.5 from 198.18.0.1 mark 5 (strace).
    let m = RouteGetOpts::new()
        .from(ip("198.18.0.1"))
        .mark(5)
        .request(ip("198.18.0.5"), &mut no_links)
        .unwrap();
    assert_eq!(
        m.to_vec().unwrap(),
        [
            2, 32, 32, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 8, 0, 1, 0, 198, 18, 0, 5, 8, 0, 2, 0, 198,
            18, 0, 1, 8, 0, 16, 0, 5, 0, 0, 0
        ]
    );
    let m = RouteGetOpts::new()
        .fibmatch()
        .request(ip("2001:db8:5::1"), &mut no_links)
        .unwrap();
    assert_eq!(m.header.dst_len, 128);
    // What `ip -6 route get fibmatch` sends: no RTM_F_LOOKUP_TABLE for IPv6.
    assert_eq!(m.header.flags, RouteFlags::FIB_MATCH);
    let e = RouteGetOpts::new()
        .from(ip("2001:db8::1"))
        .request(ip("198.18.0.5"), &mut no_links)
        .unwrap_err();
    assert!(e.is_invalid());
    let mut links = |l: &LinkRef<'static>| -> Result<u32> {
        Ok(match l {
            LinkRef::Name(n) if n == "a" => 7,
            _ => 8,
        })
    };
    let m = RouteGetOpts::new()
        .iif("a")
        .oif(8u32)
        .request(ip("198.18.0.5"), &mut links)
        .unwrap();
    assert_eq!(m.iif(), Some(7));
    assert_eq!(m.oif(), Some(8));
}

#[test]
fn expires_from_cacheinfo_or_attribute() {
    use crate::wire::route::RouteCacheInfo;
    let mut m = add(&RouteSpec::new(net("2001:db8:5::/64")).dev(3u32));
    assert_eq!(Route::from_message(m.clone()).unwrap().expires, None);
    m.attrs.push(RouteAttr::CacheInfo(RouteCacheInfo {
        expires: 29_950,
        ..Default::default()
    }));
    assert_eq!(
        Route::from_message(m.clone()).unwrap().expires,
        Some(Duration::from_millis(299_500))
    );
    // Already expired (negative): not a lifetime; RTA_EXPIRES is the fallback.
    m.attrs.pop();
    m.attrs.push(RouteAttr::CacheInfo(RouteCacheInfo {
        expires: -5,
        ..Default::default()
    }));
    m.attrs.push(RouteAttr::Expires(60));
    assert_eq!(
        Route::from_message(m).unwrap().expires,
        Some(Duration::from_secs(60))
    );
}

/// `route_list_consistent` compares dumps without what changes between any two of them
/// (cache info, lifetimes), and with everything else: header, order, count.
#[test]
fn consistent_dumps_compare_lasting_fields_only() {
    let route = |dst: &str, used: u32, expires: i32| {
        let mut m = add(&RouteSpec::new(net(dst)).dev(3u32));
        m.attrs.push(RouteAttr::CacheInfo(RouteCacheInfo {
            used,
            expires,
            ..RouteCacheInfo::default()
        }));
        Route::from_message(m).unwrap()
    };
    let a = [
        route("2001:db8:1::/64", 1, 500),
        route("2001:db8:2::/64", 0, 0),
    ];
    let counters_moved = [
        route("2001:db8:1::/64", 9, 300),
        route("2001:db8:2::/64", 4, 0),
    ];
    assert!(same_routes(&a, &counters_moved));
    // A duplicate, a missing route, another order, another route: not the same table.
    let dup = [a[0].clone(), a[0].clone(), a[1].clone()];
    assert!(!same_routes(&a, &dup));
    assert!(!same_routes(&a, &a[..1]));
    assert!(!same_routes(&a, &[a[1].clone(), a[0].clone()]));
    let other = [a[0].clone(), route("2001:db8:3::/64", 0, 0)];
    assert!(!same_routes(&a, &other));
    let mut metric = a.clone();
    metric[1].message.attrs.push(RouteAttr::Priority(7));
    assert!(!same_routes(&a, &metric));
}

// ---- route_list_consistent over the scripted transport ----

mod consistent {
    use super::*;
    use crate::socket::fake::{self, Incoming, PORT, kernel, message, requests};
    use crate::wire::NlmsgBuffer;
    use crate::wire::nlmsg::{NLMSG_DONE, RTM_NEWLINK, RTM_NEWROUTE};
    use std::sync::{Arc, Mutex};

    type FakeState = Arc<Mutex<fake::State>>;

    fn route_bytes(dst: &str) -> Vec<u8> {
        add(&RouteSpec::new(net(dst)).dev(3u32)).to_vec().unwrap()
    }

    /// What the scripted kernel does around dump `n` (counted from 1).
    struct Script {
        /// The routes dump `n` returns.
        routes: Box<dyn Fn(usize) -> Vec<&'static str> + Send>,
        /// What arrives on the watching socket while dump `n` runs.
        during: Box<dyn Fn(usize) -> Vec<Incoming> + Send>,
    }

    /// A handle whose one socket answers `RTM_GETROUTE` dumps as `script` says, and whose
    /// second socket (the one `route_list_consistent` watches) is scripted by the first's
    /// answers. Returns the handle, the dump socket's state and the watch socket's state.
    fn kernel_with_watch(script: Script) -> (Handle, FakeState, FakeState) {
        let (watch, watch_state) = fake::socket();
        let (dumper, dump_state) = fake::socket();
        let during = watch_state.clone();
        let mut n = 0;
        dump_state.lock().unwrap().responder = Some(Box::new(move |d| {
            let req = &requests(d)[0];
            let hdr = NlmsgBuffer::new_checked(&req[..]).unwrap();
            assert_eq!(hdr.message_type(), RTM_GETROUTE);
            assert!(hdr.flags().contains(NlmsgFlags::DUMP));
            n += 1;
            // The event lands while the dump is being read, before NLMSG_DONE.
            during.lock().unwrap().incoming.extend((script.during)(n));
            let seq = hdr.sequence_number();
            let mut dg = Vec::new();
            for dst in (script.routes)(n) {
                dg.extend(message(
                    RTM_NEWROUTE,
                    NlmsgFlags::MULTI,
                    seq,
                    PORT,
                    &route_bytes(dst),
                ));
            }
            dg.extend(message(
                NLMSG_DONE,
                NlmsgFlags::MULTI,
                seq,
                PORT,
                &0i32.to_ne_bytes(),
            ));
            vec![kernel(dg)]
        }));
        let watch = Mutex::new(Some(watch));
        let h = Handle::with_opener(dumper, 1, move || {
            watch.lock().unwrap().take().expect("one watching socket")
        });
        (h, dump_state, watch_state)
    }

    fn link_event() -> Incoming {
        let link = crate::wire::link::LinkMessage::new(9).to_vec().unwrap();
        kernel(message(RTM_NEWLINK, NlmsgFlags::empty(), 0, 0, &link))
    }

    fn dumps_sent(st: &FakeState) -> usize {
        st.lock().unwrap().sent.len()
    }

    fn dests(routes: &[Route]) -> Vec<String> {
        routes.iter().map(|r| r.destination.to_string()).collect()
    }

    const TABLE: [&str; 2] = ["2001:db8:1::/64", "2001:db8:2::/64"];

    /// The defect this fixes: two dumps agreed, so they were believed, though the table
    /// changed while the first ran. An event on the watching socket during dump 1 makes
    /// dump 1 not count: dumps 2 and 3 are the two quiet ones that agree.
    #[test]
    fn an_event_during_a_dump_forces_another_dump() {
        let (h, dumps, watch) = kernel_with_watch(Script {
            routes: Box::new(|_| TABLE.to_vec()),
            during: Box::new(|n| if n == 1 { vec![link_event()] } else { vec![] }),
        });
        let routes = h
            .route_list_consistent(&RouteFilter::new().ipv6(), 10)
            .unwrap();
        assert_eq!(dests(&routes), TABLE);
        assert_eq!(dumps_sent(&dumps), 3);
        // The watching socket only listens, and its queue was read empty.
        assert!(dumps_sent(&watch) == 0 && watch.lock().unwrap().incoming.is_empty());
    }

    /// Two agreeing dumps are not enough when they are not in a row of quiet ones: the
    /// kernel tears two dumps the same way (a periodic change), and an event arrives during
    /// each. Only after that do two quiet dumps give the table.
    #[test]
    fn agreeing_dumps_with_events_are_not_believed() {
        let torn = ["2001:db8:1::/64"];
        let (h, dumps, _) = kernel_with_watch(Script {
            routes: Box::new(move |n| {
                if n <= 2 {
                    torn.to_vec()
                } else {
                    TABLE.to_vec()
                }
            }),
            during: Box::new(|n| if n <= 2 { vec![link_event()] } else { vec![] }),
        });
        let routes = h
            .route_list_consistent(&RouteFilter::new().ipv6(), 10)
            .unwrap();
        assert_eq!(dests(&routes), TABLE);
        assert_eq!(dumps_sent(&dumps), 4);
    }

    /// An overrun on the watching socket means events were lost: not quiet.
    #[test]
    fn an_overrun_during_a_dump_forces_another_dump() {
        let (h, dumps, _) = kernel_with_watch(Script {
            routes: Box::new(|_| TABLE.to_vec()),
            during: Box::new(|n| {
                if n == 2 {
                    vec![Incoming::Errno(libc::ENOBUFS)]
                } else {
                    vec![]
                }
            }),
        });
        let routes = h
            .route_list_consistent(&RouteFilter::new().ipv6(), 10)
            .unwrap();
        assert_eq!(dests(&routes), TABLE);
        // 1 quiet, 2 not, 3 and 4 quiet and agreeing.
        assert_eq!(dumps_sent(&dumps), 4);
    }

    /// A table that never stays still: every dump sees an event, `max_dumps` bounds the
    /// dumps, and the answer is an error rather than a guess.
    #[test]
    fn a_table_that_never_stays_still_is_an_error() {
        let (h, dumps, _) = kernel_with_watch(Script {
            routes: Box::new(|_| TABLE.to_vec()),
            during: Box::new(|_| vec![link_event(), link_event()]),
        });
        let e = h
            .route_list_consistent(&RouteFilter::new().ipv6(), 7)
            .unwrap_err();
        assert!(e.is_dump_interrupted(), "{e}");
        assert_eq!(dumps_sent(&dumps), 7);
    }

    /// A restarted IPv6 walk sends a node again without any event (a serial number bump
    /// that changes no route): a dump holding the same route twice is never believed, even
    /// quiet and repeated.
    #[test]
    fn a_dump_with_a_route_twice_is_not_believed() {
        let (h, dumps, _) = kernel_with_watch(Script {
            routes: Box::new(|n| {
                if n <= 2 {
                    vec![TABLE[0], TABLE[1], TABLE[1]]
                } else {
                    TABLE.to_vec()
                }
            }),
            during: Box::new(|_| vec![]),
        });
        let routes = h
            .route_list_consistent(&RouteFilter::new().ipv6(), 10)
            .unwrap();
        assert_eq!(dests(&routes), TABLE);
        assert_eq!(dumps_sent(&dumps), 4);
    }

    /// A handle made from a socket cannot open the watching socket in the right namespace:
    /// refused before anything is sent, as not supported.
    #[test]
    fn a_handle_made_from_a_socket_cannot_watch() {
        let (s, st) = fake::socket();
        let h = Handle::from_socket(s);
        let e = h
            .route_list_consistent(&RouteFilter::new().ipv6(), 10)
            .unwrap_err();
        assert!(e.is_not_supported(), "{e}");
        assert_eq!(dumps_sent(&st), 0);
    }

    #[test]
    fn the_watched_groups_follow_the_family() {
        use crate::socket::*;
        assert_eq!(
            TableWatch::groups(Some(AF_INET6)),
            [
                RTNLGRP_LINK,
                RTNLGRP_IPV6_ROUTE,
                RTNLGRP_IPV6_IFADDR,
                RTNLGRP_NEXTHOP
            ]
        );
        assert_eq!(
            TableWatch::groups(Some(AF_INET)),
            [
                RTNLGRP_LINK,
                RTNLGRP_IPV4_ROUTE,
                RTNLGRP_IPV4_IFADDR,
                RTNLGRP_NEXTHOP
            ]
        );
        assert_eq!(TableWatch::groups(None).len(), 6);
    }

    #[test]
    fn repeats_are_the_same_route_twice_in_one_table() {
        let r = |dst: &str, metric: Option<u32>, table: u32| {
            let mut spec = RouteSpec::new(net(dst)).dev(3u32).table(table);
            if let Some(m) = metric {
                spec = spec.metric(m);
            }
            Route::from_message(add(&spec)).unwrap()
        };
        let a = r("2001:db8:1::/64", None, 254);
        let b = r("2001:db8:2::/64", None, 254);
        assert!(!has_repeats(&[a.clone(), b.clone()]));
        assert!(has_repeats(&[a.clone(), b.clone(), a.clone()]));
        // Same prefix, another metric or table: different routes.
        assert!(!has_repeats(&[
            a.clone(),
            r("2001:db8:1::/64", Some(7), 254),
            r("2001:db8:1::/64", None, 100),
        ]));
    }
}
