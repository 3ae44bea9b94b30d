//! Tests: numbers are read the way iproute2 6.1 reads each of them (issue 11).
//!
//! Most of ip's numbers go through `strtoul(s, &end, 0)` (`words::parse_uint`), but not all:
//! some are decimal (`atoi`, `strtol(.., 10)`), some hex (`strtoul(.., 16)`), some signed
//! (`strtol(.., 0)`), and RTT times go through their own parser. Each case here was run
//! through `ip` in a throwaway namespace (values read back with `ip -j`, or the request
//! seen with `strace -e sendmsg`); where `ip` accepts a form, netplumb may accept it too,
//! but it never reads another value or accepts a form `ip` refuses.

use crate::cmd::link::LinkCmd;
use crate::cmd::netns::NetnsCmd;
use crate::cmd::route::RouteCmd;
use crate::cmd::tuntap::TuntapCmd;
use crate::tests::{err, parse_as};

fn route_tos(line: &str) -> Option<u8> {
    match parse_as::<RouteCmd>(line) {
        RouteCmd::Change(r) => r.tos,
        c => panic!("{line}: {c:?}"),
    }
}

/// `rtnl_dsfield_a2n` is `strtoul(s, 16)`: a sign comes before `0x`, never after it.
#[test]
fn tos_is_strtoul_base_16() {
    let add = |t: &str| format!("route add 198.18.9.0/24 dev v1 tos {t}");
    assert_eq!(route_tos(&add("0x10")), Some(0x10));
    assert_eq!(route_tos(&add("10")), Some(0x10));
    assert_eq!(route_tos(&add("+10")), Some(0x10));
    assert_eq!(route_tos(&add("+0x10")), Some(0x10));
    for bad in ["0x+10", "0x-10", "0x", "10zz", "0x100"] {
        assert!(err(&add(bad)).contains("\"tos\" value is invalid"), "{bad}");
    }
}

fn link_add(line: &str) -> crate::cmd::link::LinkAdd {
    match parse_as::<LinkCmd>(line) {
        LinkCmd::Add(a) => a,
        c => panic!("{line}: {c:?}"),
    }
}

/// `link-netnsid` is `get_integer(.., 0)`: `010` is 8 (strace showed IFLA_LINK_NETNSID 8).
#[test]
fn link_netnsid_is_strtol_base_0() {
    let id = |v: &str| {
        link_add(&format!("link add lx link-netnsid {v} type veth"))
            .attrs
            .link_netnsid
    };
    assert_eq!(id("010"), Some(8));
    assert_eq!(id("0x10"), Some(16));
    assert_eq!(id("+1"), Some(1));
    assert_eq!(id("-1"), Some(-1));
    assert!(err("link add lx link-netnsid 0x+1 type veth").contains("link-netnsid"));
}

/// `netns set NAME NSID` is `get_integer(.., 0)` too: `010` is nsid 8.
#[test]
fn netns_set_is_strtol_base_0() {
    let nsid = |v: &str| match parse_as::<NetnsCmd>(&format!("netns set n1 {v}")) {
        NetnsCmd::Set { nsid, .. } => nsid,
        c => panic!("{c:?}"),
    };
    assert_eq!(nsid("010"), 8);
    assert_eq!(nsid("0x10"), 16);
    assert_eq!(nsid("+7"), 7);
    assert_eq!(nsid("auto"), -1);
    for bad in ["-1", "0x+5", "1zz", "08"] {
        assert!(
            err(&format!("netns set n1 {bad}")).contains("netnsid"),
            "{bad}"
        );
    }
}

/// `tuntap ... user U` is `strtol(.., 10)` before the name lookup: `010` is uid 10 (ip -j
/// showed the owner `uucp`), and `0x10` is not a number (ip looked it up as a name).
#[test]
fn tuntap_owner_is_decimal() {
    let owner =
        |k: &str, v: &str| match parse_as::<TuntapCmd>(&format!("tuntap add tp0 mode tap {k} {v}"))
        {
            TuntapCmd::Add(t) => (t.user, t.group),
            c => panic!("{c:?}"),
        };
    assert_eq!(owner("user", "010"), (Some(10), None));
    assert_eq!(owner("user", "+10"), (Some(10), None));
    assert_eq!(owner("group", "010"), (None, Some(10)));
    // No account on a test machine is called `0x10`.
    assert!(err("tuntap add tp0 mode tap user 0x10").contains("invalid user"));
    assert!(err("tuntap add tp0 mode tap group 0x10").contains("invalid group"));
}

/// `link add ... index N` is `atoi`, and 0 (or less) is refused.
#[test]
fn link_index_is_decimal_and_positive() {
    let idx = |v: &str| {
        link_add(&format!("link add lx index {v} type veth"))
            .attrs
            .index
    };
    assert_eq!(idx("010"), Some(10));
    assert_eq!(idx("+20"), Some(20));
    for bad in ["0", "0x10", "-5", "00", "2147483648"] {
        assert!(
            err(&format!("link add lx index {bad} type veth")).contains("Invalid \"index\""),
            "{bad}"
        );
    }
}

/// `-loops N` is `atoi`: decimal, the rest of the word ignored, 0 when there is no number.
#[test]
fn loops_is_atoi() {
    let loops = |v: &str| {
        let words: Vec<String> = format!("-loops {v} addr flush dev v1")
            .split_whitespace()
            .map(String::from)
            .collect();
        crate::args::parse_globals(&words).unwrap().0.loops
    };
    assert_eq!(loops("010"), Some(10));
    assert_eq!(loops("0x10"), Some(0));
    assert_eq!(loops("5zz"), Some(5));
    assert_eq!(loops("+3"), Some(3));
    assert_eq!(loops("zz"), Some(0));
}

/// `netns identify PID` takes decimal digits only (ip checks `isdigit` on every byte).
#[test]
fn identify_pid_is_digits_only() {
    assert_eq!(
        parse_as::<NetnsCmd>("netns identify 42"),
        NetnsCmd::Identify(Some(42))
    );
    for bad in ["+1", "0x1", "-0", "1zz"] {
        assert!(
            err(&format!("netns identify {bad}")).contains("is not a pid"),
            "{bad}"
        );
    }
}

/// `get_time_rtt`: a number with `.` is a fraction, any other is `strtoul(.., 0)`; units
/// are case-insensitive; the result is rounded up (ip -j showed `rtt 2ms` for `1.5ms` and
/// `rtt 8ms` for `010ms`).
#[test]
fn rtt_times_like_get_time_rtt() {
    let m = |s: &str| match parse_as::<RouteCmd>(&format!("route add 198.18.9.0/24 dev v {s}")) {
        RouteCmd::Change(r) => r.metrics[0].value,
        c => panic!("{c:?}"),
    };
    // rtt is sent in 1/8 ms, rttvar in 1/4 ms.
    assert_eq!(m("rtt 1.5ms"), 16);
    assert_eq!(m("rtt .5ms"), 8);
    assert_eq!(m("rtt +1.5ms"), 16);
    assert_eq!(m("rtt 1.5MS"), 16);
    assert_eq!(m("rtt 1.5e1ms"), 120);
    assert_eq!(m("rtt 010ms"), 64);
    assert_eq!(m("rtt 0x10ms"), 128);
    assert_eq!(m("rtt 2.5s"), 20000);
    assert_eq!(m("rtt 2Sec"), 16000);
    assert_eq!(m("rttvar 1.2ms"), 8);
    // Raw values are rounded up too.
    assert_eq!(m("rtt 1.5"), 2);
    for bad in [
        "1e1", "inf.0", "nan.ms", "1,5ms", "08ms", "-1.5ms", "0x1.8ms", "1.5us",
    ] {
        assert!(
            err(&format!("route add 198.18.9.0/24 dev v rtt {bad}"))
                .contains("\"rtt\" value is invalid"),
            "{bad}"
        );
    }
}
