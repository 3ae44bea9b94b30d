//! The codec: decoding a dump of 100,000 route messages and of 10,000 link messages with
//! netplumb (zero-copy views reading every attribute, and the owned `parse`) and with
//! netlink-packet-route 0.34 on the same bytes; encoding 100,000 route requests with both.
//! Heap allocations per message are counted with a counting global allocator.
//!
//! The bytes are the kernel's own when run as root: 100,000 routes are added in a throwaway
//! namespace and the dump captured; links from a namespace with 100 veth pairs, repeated to
//! 10,000 messages. Without root they are synthesized in the kernel's layout (routes) or
//! taken from the captured link fixtures of tests/fixtures/link.
//!
//! Timing is criterion's (median of its samples); the comparisons are read back from
//! criterion's `estimates.json` and written with the other results.

mod common;

use common::{BenchNs, Report, Target, add_batch, create_flags, delete_group, route_link};
use criterion::{BenchmarkId, Criterion, Throughput};
use netlink_packet_core::{
    NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REQUEST, NetlinkMessage, NetlinkPayload,
};
use netlink_packet_route::RouteNetlinkMessage;
use netplumb::wire::link::{
    IFLA_ADDRESS, IFLA_IFNAME, IFLA_LINKINFO, IFLA_MTU, LinkMessage, LinkMessageBuffer,
};
use netplumb::wire::nlmsg::{RTM_GETLINK, RTM_GETROUTE, RTM_NEWLINK, RTM_NEWROUTE};
use netplumb::wire::route::{
    RTA_DST, RTA_GATEWAY, RTA_OIF, RTA_PREFSRC, RTA_PRIORITY, RTA_TABLE, RouteAttr, RouteHeader,
    RouteMessage, RouteMessageBuffer,
};
use netplumb::wire::{Builder, DecodeError, Emit, Messages, NlmsgFlags};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

// ---------------------------------------------------------------------------------------------
// Counting allocator

/// Counts every allocation (alloc, alloc_zeroed, realloc) of the process.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every method forwards to the system allocator with the caller's arguments; the
// counter has no effect on the memory handed out.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded unchanged; the caller upholds `alloc`'s contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as above; `ptr` came from this allocator, i.e. from `System`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made while running `f`.
fn allocations(f: impl FnOnce()) -> u64 {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    f();
    ALLOCATIONS.load(Ordering::Relaxed) - before
}

// ---------------------------------------------------------------------------------------------
// Data

const ROUTES: usize = 100_000;
const LINKS: usize = 10_000;
const AF_INET: u8 = libc::AF_INET as u8;

/// A stream of whole netlink messages (each 4-byte aligned), as they came in the dump's
/// datagrams, without the final `NLMSG_DONE`.
struct Data {
    routes: Vec<u8>,
    links: Vec<u8>,
    source: &'static str,
}

/// Appends `m` (a whole message) and pads it to 4 bytes.
fn push_message(out: &mut Vec<u8>, m: &[u8]) {
    out.extend_from_slice(m);
    out.resize(out.len().next_multiple_of(4), 0);
}

/// The first `count` records of `stream`, cycled as often as needed.
fn repeat_to(stream: &[u8], count: usize) -> Vec<u8> {
    let msgs: Vec<&[u8]> = Messages::new(stream)
        .map(|m| m.expect("captured message").1.into_inner())
        .collect();
    assert!(!msgs.is_empty());
    let mut out = Vec::new();
    for m in msgs.iter().cycle().take(count) {
        push_message(&mut out, m);
    }
    out
}

impl Data {
    fn load() -> Data {
        if common::privileged() {
            Data::capture()
        } else {
            Data::synthesize()
        }
    }

    /// Dumps from the kernel in a throwaway namespace.
    fn capture() -> Data {
        let ns = BenchNs::new("codec");
        let h = ns.handle();
        route_link(&h);
        add_batch(&h, ROUTES, RTM_NEWROUTE, create_flags(), common::route_msg);
        add_batch(&h, 100, RTM_NEWLINK, create_flags(), |i| {
            common::veth_msg(format!("npv{i}"), format!("npp{i}"))
        });
        let dump = |msg_type: u16, req: &dyn Emit| {
            let mut out = Vec::new();
            h.dump(msg_type, &req)
                .expect("dump")
                .for_each(|m| {
                    push_message(&mut out, m.bytes());
                    Ok(())
                })
                .expect("dump");
            out
        };
        let mut routes = dump(
            RTM_GETROUTE,
            &RouteMessage::new(RouteHeader {
                family: AF_INET,
                ..RouteHeader::default()
            }),
        );
        let links = dump(RTM_GETLINK, &LinkMessage::new(0));
        delete_group(&h);
        let n = Messages::new(&routes).count();
        assert!(n >= ROUTES, "captured {n} routes");
        routes = repeat_to(&routes, ROUTES);
        Data {
            routes,
            links: repeat_to(&links, LINKS),
            source: "captured from the kernel (6.x) in a throwaway namespace",
        }
    }

    /// Without root: routes in the kernel's layout (header, RTA_TABLE, RTA_DST,
    /// RTA_GATEWAY, RTA_OIF), links from the captured fixtures.
    fn synthesize() -> Data {
        let mut b = Builder::new();
        for i in 0..ROUTES {
            let m = RouteMessage::new(RouteHeader {
                dst_len: 32,
                ..RouteHeader::new(AF_INET)
            })
            .with_attr(RouteAttr::Table(254))
            .with_attr(RouteAttr::Destination(IpAddr::V4(common::v4(i))))
            .with_attr(RouteAttr::Gateway(IpAddr::V4(common::GW)))
            .with_attr(RouteAttr::Oif(2));
            b.message(RTM_NEWROUTE, NlmsgFlags::MULTI, 1, 1, &m)
                .expect("encode");
        }
        let mut links = Vec::new();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/link");
        for f in ["dump-1.hex", "dump-2.hex", "dump-3.hex"] {
            let text = std::fs::read_to_string(format!("{dir}/{f}")).expect("link fixture");
            let bytes = netplumb::wire::hex::parse(&text).expect("fixture hex");
            for m in Messages::new(&bytes) {
                let (_, m) = m.expect("fixture message");
                if m.message_type() == RTM_NEWLINK {
                    push_message(&mut links, m.bytes());
                }
            }
        }
        Data {
            routes: b.into_vec(),
            links: repeat_to(&links, LINKS),
            source: "synthesized (not root): routes in the kernel's layout, links from tests/fixtures/link",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Decoders. Each returns a checksum so that nothing is optimized away.

/// netplumb's views: the header and every attribute, typed where a caller would read it.
fn np_views_routes(stream: &[u8]) -> Result<usize, DecodeError> {
    let mut sum = 0usize;
    for m in Messages::new(stream) {
        let (_, m) = m?;
        let v = RouteMessageBuffer::new_checked(m.payload())?;
        sum += usize::from(v.dst_len()) + usize::from(v.table());
        for a in v.attrs() {
            let a = a?;
            sum += match a.kind() {
                RTA_DST => usize::from(a.ip("RTA_DST")?.is_ipv4()),
                RTA_GATEWAY => usize::from(a.ip("RTA_GATEWAY")?.is_ipv4()),
                RTA_PREFSRC => usize::from(a.ip("RTA_PREFSRC")?.is_ipv4()),
                RTA_OIF => a.u32("RTA_OIF")? as usize,
                RTA_TABLE => a.u32("RTA_TABLE")? as usize,
                RTA_PRIORITY => a.u32("RTA_PRIORITY")? as usize,
                _ => a.value().len(),
            };
        }
    }
    Ok(sum)
}

fn np_views_links(stream: &[u8]) -> Result<usize, DecodeError> {
    let mut sum = 0usize;
    for m in Messages::new(stream) {
        let (_, m) = m?;
        let v = LinkMessageBuffer::new_checked(m.payload())?;
        sum += v.index() as usize + v.flags().bits() as usize;
        for a in v.attrs() {
            let a = a?;
            sum += match a.kind() {
                IFLA_IFNAME => a.ifname("IFLA_IFNAME")?.len(),
                IFLA_MTU => a.u32("IFLA_MTU")? as usize,
                IFLA_ADDRESS => a.value().first().copied().map_or(0, usize::from),
                IFLA_LINKINFO => {
                    let mut s = 0;
                    for i in a.nested()? {
                        s += i?.value().len();
                    }
                    s
                }
                _ => a.value().len(),
            };
        }
    }
    Ok(sum)
}

/// netplumb's owned messages.
fn np_owned_routes(stream: &[u8]) -> Result<usize, DecodeError> {
    let mut sum = 0;
    for m in Messages::new(stream) {
        let (_, m) = m?;
        sum += black_box(RouteMessage::parse(m.payload())?).attrs.len();
    }
    Ok(sum)
}

fn np_owned_links(stream: &[u8]) -> Result<usize, DecodeError> {
    let mut sum = 0;
    for m in Messages::new(stream) {
        let (_, m) = m?;
        sum += black_box(LinkMessage::parse(m.payload())?).attrs.len();
    }
    Ok(sum)
}

/// netlink-packet-route: `NetlinkMessage::deserialize` message by message.
fn npr_decode(stream: &[u8]) -> usize {
    let mut sum = 0;
    let mut at = 0;
    while at < stream.len() {
        let m = NetlinkMessage::<RouteNetlinkMessage>::deserialize(&stream[at..])
            .expect("netlink-packet-route decodes the message");
        at += (m.header.length as usize).next_multiple_of(4);
        sum += match black_box(m).payload {
            NetlinkPayload::InnerMessage(RouteNetlinkMessage::NewRoute(r)) => r.attributes.len(),
            NetlinkPayload::InnerMessage(RouteNetlinkMessage::NewLink(l)) => l.attributes.len(),
            _ => 0,
        };
    }
    sum
}

// ---------------------------------------------------------------------------------------------
// Encoders: 100,000 `ip route add 198.18.x.y/32 via 198.19.255.2` requests into one buffer.

fn np_encode(n: usize, buf: Vec<u8>) -> Vec<u8> {
    let mut b = Builder::from_vec(buf);
    let flags = NlmsgFlags::REQUEST | NlmsgFlags::ACK | NlmsgFlags::CREATE | NlmsgFlags::EXCL;
    for i in 0..n {
        b.message(RTM_NEWROUTE, flags, i as u32, 0, &common::route_msg(i))
            .expect("encode");
    }
    b.into_vec()
}

fn npr_encode(n: usize, mut buf: Vec<u8>) -> Vec<u8> {
    buf.clear();
    for i in 0..n {
        let route = rtnetlink::RouteMessageBuilder::<Ipv4Addr>::new()
            .destination_prefix(common::v4(i), 32)
            .gateway(common::GW)
            .build();
        let mut m = NetlinkMessage::from(RouteNetlinkMessage::NewRoute(route));
        m.header.flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
        m.header.sequence_number = i as u32;
        m.finalize();
        let at = buf.len();
        buf.resize(at + m.buffer_len(), 0);
        m.serialize(&mut buf[at..]);
    }
    buf
}

// ---------------------------------------------------------------------------------------------

/// criterion's median time per iteration (ns) of `group/id`, if it ran in this process.
fn estimate(dir: &std::path::Path, group: &str, id: &str, since: SystemTime) -> Option<f64> {
    let path = dir.join(group).join(id).join("new").join("estimates.json");
    let modified = std::fs::metadata(&path).ok()?.modified().ok()?;
    if modified < since {
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
    v["median"]["point_estimate"].as_f64()
}

fn main() {
    let mut r = Report::new("codec");
    let data = Data::load();
    r.note(&format!("codec data: {}", data.source));
    let n_routes = Messages::new(&data.routes).count();
    let n_links = Messages::new(&data.links).count();

    // Sanity: every decoder agrees on what it read.
    assert_eq!(
        np_owned_routes(&data.routes).expect("decode"),
        npr_decode(&data.routes),
        "netplumb and netlink-packet-route see the same route attributes"
    );
    // The request bytes of both encoders decode to the same routes (protocol aside).
    let ours = np_encode(10, Vec::new());
    let theirs = npr_encode(10, Vec::new());
    for (a, b) in Messages::new(&ours).zip(Messages::new(&theirs)) {
        let (a, b) = (a.expect("ours").1, b.expect("theirs").1);
        let (a, b) = (
            RouteMessage::parse(a.payload()).expect("ours parse"),
            RouteMessage::parse(b.payload()).expect("theirs parse"),
        );
        assert_eq!(a.destination(), b.destination());
        assert_eq!(a.gateway(), b.gateway());
    }

    // Allocations per message, one pass each.
    let per = |allocs: u64, n: usize| allocs as f64 / n as f64;
    let allocs = [
        (
            "decode_routes",
            "netplumb views",
            per(
                allocations(|| {
                    black_box(np_views_routes(&data.routes).expect("decode"));
                }),
                n_routes,
            ),
        ),
        (
            "decode_routes",
            "netplumb owned",
            per(
                allocations(|| {
                    black_box(np_owned_routes(&data.routes).expect("decode"));
                }),
                n_routes,
            ),
        ),
        (
            "decode_routes",
            "netlink-packet-route",
            per(
                allocations(|| {
                    black_box(npr_decode(&data.routes));
                }),
                n_routes,
            ),
        ),
        (
            "decode_links",
            "netplumb views",
            per(
                allocations(|| {
                    black_box(np_views_links(&data.links).expect("decode"));
                }),
                n_links,
            ),
        ),
        (
            "decode_links",
            "netplumb owned",
            per(
                allocations(|| {
                    black_box(np_owned_links(&data.links).expect("decode"));
                }),
                n_links,
            ),
        ),
        (
            "decode_links",
            "netlink-packet-route",
            per(
                allocations(|| {
                    black_box(npr_decode(&data.links));
                }),
                n_links,
            ),
        ),
        (
            "encode_routes",
            "netplumb",
            per(
                allocations(|| {
                    black_box(np_encode(ROUTES, Vec::with_capacity(ROUTES * 64)));
                }),
                ROUTES,
            ),
        ),
        (
            "encode_routes",
            "netlink-packet-route",
            per(
                allocations(|| {
                    black_box(npr_encode(ROUTES, Vec::with_capacity(ROUTES * 64)));
                }),
                ROUTES,
            ),
        ),
    ];
    for &(w, tool, a) in &allocs {
        r.check(
            &format!("{w}: {tool} heap allocations per message"),
            a,
            "allocs/msg",
            if tool == "netplumb views" { "= 0" } else { "-" },
            tool != "netplumb views" || a == 0.0,
        );
    }
    for w in ["decode_routes", "decode_links", "encode_routes"] {
        let get = |t: &str| allocs.iter().find(|a| a.0 == w && a.1 == t).map(|a| a.2);
        let peer = get("netlink-packet-route").unwrap_or(0.0);
        for ours in ["netplumb views", "netplumb owned", "netplumb"] {
            if let Some(v) = get(ours) {
                let n = if w == "decode_links" { n_links } else { ROUTES };
                r.compare(
                    w,
                    n,
                    "allocs_per_msg",
                    (ours, v),
                    ("netlink-packet-route", peer),
                    Target::None,
                );
            }
        }
    }

    // Timing.
    let dir = common::out_dir().join("criterion");
    let quick = !common::full();
    let mut c = Criterion::default()
        .output_directory(&dir)
        .sample_size(if quick { 10 } else { 20 })
        .warm_up_time(Duration::from_millis(if quick { 300 } else { 1000 }))
        .measurement_time(Duration::from_secs(if quick { 1 } else { 4 }))
        .configure_from_args();
    let since = SystemTime::now() - Duration::from_secs(1);

    let mut g = c.benchmark_group("decode_routes");
    g.throughput(Throughput::Elements(n_routes as u64));
    g.bench_function(BenchmarkId::from_parameter("netplumb_views"), |b| {
        b.iter(|| np_views_routes(black_box(&data.routes)).expect("decode"))
    });
    g.bench_function(BenchmarkId::from_parameter("netplumb_owned"), |b| {
        b.iter(|| np_owned_routes(black_box(&data.routes)).expect("decode"))
    });
    g.bench_function(BenchmarkId::from_parameter("netlink_packet_route"), |b| {
        b.iter(|| npr_decode(black_box(&data.routes)))
    });
    g.finish();

    let mut g = c.benchmark_group("decode_links");
    g.throughput(Throughput::Elements(n_links as u64));
    g.bench_function(BenchmarkId::from_parameter("netplumb_views"), |b| {
        b.iter(|| np_views_links(black_box(&data.links)).expect("decode"))
    });
    g.bench_function(BenchmarkId::from_parameter("netplumb_owned"), |b| {
        b.iter(|| np_owned_links(black_box(&data.links)).expect("decode"))
    });
    g.bench_function(BenchmarkId::from_parameter("netlink_packet_route"), |b| {
        b.iter(|| npr_decode(black_box(&data.links)))
    });
    g.finish();

    let mut g = c.benchmark_group("encode_routes");
    g.throughput(Throughput::Elements(ROUTES as u64));
    let mut buf = Some(Vec::with_capacity(ROUTES * 64));
    g.bench_function(BenchmarkId::from_parameter("netplumb"), |b| {
        b.iter(|| {
            let v = np_encode(ROUTES, buf.take().unwrap_or_default());
            buf = Some(black_box(v));
        })
    });
    g.bench_function(BenchmarkId::from_parameter("netlink_packet_route"), |b| {
        b.iter(|| {
            let v = npr_encode(ROUTES, buf.take().unwrap_or_default());
            buf = Some(black_box(v));
        })
    });
    g.finish();
    c.final_summary();

    // Ratios from criterion's estimates.
    let cases = [
        (
            "decode_routes",
            n_routes,
            "netplumb_views",
            "netplumb views",
            Target::AtLeast(5.0),
        ),
        (
            "decode_routes",
            n_routes,
            "netplumb_owned",
            "netplumb owned",
            Target::None,
        ),
        (
            "decode_links",
            n_links,
            "netplumb_views",
            "netplumb views",
            Target::AtLeast(5.0),
        ),
        (
            "decode_links",
            n_links,
            "netplumb_owned",
            "netplumb owned",
            Target::None,
        ),
        (
            "encode_routes",
            ROUTES,
            "netplumb",
            "netplumb",
            Target::None,
        ),
    ];
    for (group, n, id, tool, target) in cases {
        let (Some(ours), Some(theirs)) = (
            estimate(&dir, group, id, since),
            estimate(&dir, group, "netlink_packet_route", since),
        ) else {
            continue;
        };
        r.compare(
            group,
            n,
            "ns_per_msg",
            (tool, ours / n as f64),
            ("netlink-packet-route", theirs / n as f64),
            target,
        );
    }
}
