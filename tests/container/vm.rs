//! virtlet's VM side (`netplumb::container::vm`) against the kernel. A named namespace
//! plays the pod (with a veth configured as a CNI plugin would), another one the gateway at
//! the veth's other end; results are checked with `ip -j`. The datapath tests play the VM:
//! they write Ethernet frames into the tap and read the gateway's answers back from it.
use crate::common;
use common::TestNs;

use netplumb::container::vm::{
    self, ContainerSideNetwork, LinkConfig, PodInterfaceInfo, PodRoute, SetupOptions, VmError,
    VmStep,
};
use netplumb::link::LinkRef;
use netplumb::nft::Nft;
use netplumb::nft::ops::{DhcpFilter, TableOp};
use netplumb::undo::FaultPlan;
use netplumb::{Handle, IpNet, MacAddr};
use serde_json::Value;
use std::fs::File;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, UdpSocket};
use std::os::fd::AsFd;
use std::process::Command;
use std::time::{Duration, Instant};

// ------------------------------------------------------------------ fixtures

/// A pod namespace whose veth `eth0` (198.18.N.2/24, MTU 1450) leads to a gateway namespace
/// (198.18.N.1/24), configured as a CNI plugin would: the address, a default route via the
/// gateway, and a static route with a metric.
struct Pod {
    pod: TestNs,
    gws: Vec<TestNs>,
}

impl Pod {
    fn new(test: &str, interfaces: usize) -> Option<Pod> {
        // The snapshots compare the pod's nf_tables ruleset too (the DHCP filter).
        if !common::require_program(test, "nft", "nftables") {
            return None;
        }
        let pod = TestNs::new(test)?;
        pod.dad_off();
        // A pod's lo is up (the CNI runtime does it). Setting lo up for the first time also
        // gives it 127.0.0.1 and a qdisc, which the kernel keeps when it goes down again; see
        // `lo_goes_back_down`.
        pod.ip(&["link", "set", "lo", "up"]);
        let mut gws = Vec::new();
        for n in 0..interfaces {
            let gw = TestNs::new(test)?;
            gw.dad_off();
            let eth = format!("eth{n}");
            let (outer, inner) =
                vm::create_escape_veth_pair(&gw.handle(), pod.ns(), &eth, 1450).unwrap();
            assert_eq!(inner.name, eth);
            gw.ip(&[
                "addr",
                "add",
                &format!("198.18.{n}.1/24"),
                "dev",
                &outer.name,
            ]);
            pod.ip(&["addr", "add", &format!("198.18.{n}.2/24"), "dev", &eth]);
            if n == 0 {
                pod.ip(&[
                    "route",
                    "add",
                    "default",
                    "via",
                    "198.18.0.1",
                    "dev",
                    "eth0",
                ]);
            }
            pod.ip(&[
                "route",
                "add",
                &format!("198.19.{n}.0/24"),
                "via",
                &format!("198.18.{n}.1"),
                "dev",
                &eth,
                "metric",
                "50",
                "proto",
                "static",
            ]);
            gws.push(gw);
        }
        Some(Pod { pod, gws })
    }

    fn h(&self) -> Handle {
        self.pod.handle()
    }
}

/// Everything `ip -j` shows of a namespace's links, addresses and routes, less what changes
/// with time alone (bridge timers, IPv6 duplicate address detection).
fn snapshot(t: &TestNs) -> Value {
    let mut v = serde_json::json!({
        "links": t.ip_json(&["-d", "link", "show"]),
        "addrs": t.ip_json(&["addr", "show"]),
        "routes": t.ip_json(&["route", "show", "table", "all"]),
        "nftables": nft_ruleset(t),
    });
    scrub(&mut v);
    v
}

/// `nft -j list ruleset` in `t`.
fn nft_ruleset(t: &TestNs) -> Value {
    let out = Command::new("ip")
        .args(["netns", "exec", t.name(), "nft", "-j", "list", "ruleset"])
        .output()
        .expect("nft (Debian package nftables) is needed by the VM tests");
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The rules of `t`'s nf_tables table `bridge NAME`, as `nft` prints them (`nft list table`).
fn nft_table_text(t: &TestNs, name: &str) -> String {
    let out = Command::new("ip")
        .args([
            "netns",
            "exec",
            t.name(),
            "nft",
            "list",
            "table",
            "bridge",
            name,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn scrub(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|k, _| !k.ends_with("_timer") && k != "tentative");
            m.values_mut().for_each(scrub);
        }
        Value::Array(a) => a.iter_mut().for_each(scrub),
        _ => {}
    }
}

fn link(t: &TestNs, name: &str) -> Value {
    t.ip_json(&["-d", "link", "show", "dev", name])[0].clone()
}

fn is_up(l: &Value) -> bool {
    l["flags"].as_array().unwrap().iter().any(|f| f == "UP")
}

fn mac_of(t: &TestNs, name: &str) -> MacAddr {
    link(t, name)["address"].as_str().unwrap().parse().unwrap()
}

fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}

fn ip4(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

// ------------------------------------------------------------------ seed functions

#[test]
fn find_veth_needs_exactly_one() {
    let Some(t) = TestNs::new("find_veth_needs_exactly_one") else {
        return;
    };
    let h = t.handle();
    assert!(matches!(vm::find_veth(&h), Err(VmError::NoVeth)));
    assert_eq!(
        vm::find_veth(&h).unwrap_err().to_string(),
        "no veth interface found"
    );
    t.ip(&["link", "add", "npa", "type", "veth", "peer", "name", "npb"]);
    t.ip(&["link", "add", "npbr", "type", "bridge"]);
    let e = vm::find_veth(&h).unwrap_err();
    assert!(
        matches!(&e, VmError::MultipleVeths { names } if names == &["npb", "npa"] || names == &["npa", "npb"]),
        "{e}"
    );
    t.ip(&["link", "del", "npa"]);
    // One veth left: its peer is in another namespace the test made.
    let Some(other) = TestNs::new("find_veth_needs_exactly_one") else {
        return;
    };
    let peer_ns = ["peer", "name", "npd", "netns", other.name()];
    t.ip(&[&["link", "add", "npc", "type", "veth"][..], &peer_ns].concat());
    let only = t.ip_json(&["link", "show", "type", "veth"]);
    assert_eq!(only.as_array().unwrap().len(), 1);
    assert_eq!(
        vm::find_veth(&h).unwrap().name,
        only[0]["ifname"].as_str().unwrap()
    );
}

#[test]
fn extract_link_info_reads_address_routes_mtu_mac() {
    let Some(p) = Pod::new("extract_link_info", 1) else {
        return;
    };
    let h = p.h();
    // A device route without a gateway, and a default route without one (left out).
    p.pod.ip(&["route", "add", "198.19.7.0/24", "dev", "eth0"]);
    let info = vm::extract_link_info(&h, "eth0").unwrap();
    let l = link(&p.pod, "eth0");
    assert_eq!(info.link, "eth0");
    assert_eq!(info.address, net("198.18.0.2/24"));
    assert_eq!(info.gateway, Some("198.18.0.1".parse().unwrap()));
    assert_eq!(info.mtu, Some(1450));
    assert_eq!(info.mtu.map(u64::from), l["mtu"].as_u64());
    assert_eq!(info.mac, Some(mac_of(&p.pod, "eth0")));
    let mut routes = info.routes.clone();
    routes.sort_by_key(|r| r.dst);
    assert_eq!(
        routes,
        [
            PodRoute {
                dst: net("0.0.0.0/0"),
                gw: Some("198.18.0.1".parse().unwrap())
            },
            PodRoute {
                dst: net("198.19.0.0/24"),
                gw: Some("198.18.0.1".parse().unwrap())
            },
            PodRoute {
                dst: net("198.19.7.0/24"),
                gw: None
            },
        ]
    );
    // Exactly what `ip -4 route show dev eth0` lists, less the kernel's prefix route.
    let ip_routes = p.pod.ip_json(&["-4", "route", "show", "dev", "eth0"]);
    let not_kernel = ip_routes
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["protocol"] != "kernel")
        .count();
    assert_eq!(not_kernel, info.routes.len());

    p.pod.ip(&["addr", "add", "198.18.0.3/24", "dev", "eth0"]);
    let e = vm::extract_link_info(&h, "eth0").unwrap_err();
    assert!(matches!(e, VmError::AddressCount { count: 2, .. }), "{e}");
}

#[test]
fn strip_link_removes_ipv4_only_and_restores_exactly() {
    let Some(p) = Pod::new("strip_link", 1) else {
        return;
    };
    let h = p.h();
    p.pod
        .ip(&["addr", "add", "2001:db8::2/64", "dev", "eth0", "nodad"]);
    p.pod.ip(&[
        "route",
        "add",
        "198.19.8.0/24",
        "dev",
        "eth0",
        "scope",
        "link",
        "src",
        "198.18.0.2",
    ]);
    let before = snapshot(&p.pod);
    let v6 = p.pod.ip_json(&["-6", "addr", "show", "dev", "eth0"]);
    let removed = vm::strip_link(&h, "eth0").unwrap();
    assert_eq!(removed.addresses.len(), 1);
    assert_eq!(removed.routes.len(), 3);
    assert_eq!(
        p.pod.ip_json(&["-4", "addr", "show", "dev", "eth0"]),
        serde_json::json!([])
    );
    assert_eq!(
        p.pod.ip_json(&["-4", "route", "show", "dev", "eth0"]),
        serde_json::json!([])
    );
    assert_eq!(p.pod.ip_json(&["-6", "addr", "show", "dev", "eth0"]), v6);
    // Again: nothing left to strip, not an error.
    let again = vm::strip_link(&h, "eth0").unwrap();
    assert!(again.addresses.is_empty() && again.routes.is_empty());
    removed.restore(&h).unwrap();
    assert_eq!(snapshot(&p.pod), before);
    removed.restore(&h).unwrap();
    assert_eq!(snapshot(&p.pod), before);
    let now = LinkConfig::read(&h, "eth0").unwrap();
    let locals = |c: &LinkConfig| c.addresses.iter().map(|a| a.local).collect::<Vec<_>>();
    let dsts = |c: &LinkConfig| c.routes.iter().map(|r| r.destination).collect::<Vec<_>>();
    assert_eq!(
        (locals(&now), dsts(&now)),
        (locals(&removed), dsts(&removed))
    );
}

#[test]
fn configure_link_adds_address_and_routes_and_can_run_twice() {
    let Some(p) = Pod::new("configure_link", 1) else {
        return;
    };
    let h = p.h();
    let info = vm::extract_link_info(&h, "eth0").unwrap();
    vm::strip_link(&h, "eth0").unwrap();
    vm::configure_link(&h, "eth0", &info).unwrap();
    vm::configure_link(&h, "eth0", &info).unwrap();
    let a = p.pod.ip_json(&["-4", "addr", "show", "dev", "eth0"]);
    assert_eq!(a[0]["addr_info"][0]["local"], "198.18.0.2");
    assert_eq!(a[0]["addr_info"].as_array().unwrap().len(), 1);
    let d = p.pod.ip_json(&["route", "show", "default"]);
    assert_eq!(d[0]["gateway"], "198.18.0.1");
    assert_eq!(d[0]["dev"], "eth0");
    let r = p.pod.ip_json(&["route", "show", "198.19.0.0/24"]);
    assert_eq!(r[0]["gateway"], "198.18.0.1");
}

#[test]
fn setup_and_teardown_bridge() {
    let Some(t) = TestNs::new("setup_and_teardown_bridge") else {
        return;
    };
    let h = t.handle();
    t.ip(&[
        "link", "add", "npa", "mtu", "1400", "type", "veth", "peer", "name", "npb",
    ]);
    t.ip(&["link", "add", "npc", "type", "veth", "peer", "name", "npd"]);
    assert!(matches!(
        vm::setup_bridge(&h, "npbr", &[]),
        Err(VmError::NoLinks)
    ));
    let before = snapshot(&t);
    let br = vm::setup_bridge(&h, "npbr", &["npa".into(), "npc".into()]).unwrap();
    assert_eq!(br.mtu, Some(1400));
    let b = link(&t, "npbr");
    assert_eq!(b["mtu"], 1400);
    assert!(is_up(&b));
    assert_eq!(link(&t, "npa")["master"], "npbr");
    assert_eq!(link(&t, "npc")["master"], "npbr");
    // An existing name is an error, and the failed attempt changes nothing.
    let mid = snapshot(&t);
    let e = vm::setup_bridge(&h, "npbr", &["npb".into()]).unwrap_err();
    assert_eq!(e.step(), Some(VmStep::CreateBridge));
    assert_eq!(snapshot(&t), mid);
    // A port that cannot join (a missing link) rolls the bridge back.
    let e = vm::setup_bridge(&h, "npbr2", &["npb".into(), "npmissing".into()]).unwrap_err();
    assert_eq!(e.step(), Some(VmStep::ReadLinks));
    assert_eq!(snapshot(&t), mid);

    let ports: [LinkRef; 2] = ["npa".into(), "npc".into()];
    vm::teardown_bridge(&h, "npbr".into(), &ports).unwrap();
    vm::teardown_bridge(&h, "npbr".into(), &ports).unwrap();
    let b = link(&t, "npbr");
    assert!(!is_up(&b));
    assert!(link(&t, "npa").get("master").is_none());
    assert!(link(&t, "npc").get("master").is_none());
    t.ip(&["link", "del", "npbr"]);
    assert_eq!(snapshot(&t), before);
    vm::teardown_bridge(&h, "npbr".into(), &ports).unwrap();
}

#[test]
fn escape_veth_pair_crosses_namespaces() {
    let Some(outer) = TestNs::new("escape_veth_pair") else {
        return;
    };
    let Some(inner) = TestNs::new("escape_veth_pair") else {
        return;
    };
    let (o, i) = vm::create_escape_veth_pair(&outer.handle(), inner.ns(), "eth5", 1300).unwrap();
    assert!(
        o.name.starts_with("veth") && o.name.len() == 12,
        "{}",
        o.name
    );
    assert!(o.name[4..].chars().all(|c| c.is_ascii_hexdigit()));
    let (ol, il) = (link(&outer, &o.name), link(&inner, "eth5"));
    assert_eq!(
        (ol["mtu"].as_u64(), il["mtu"].as_u64()),
        (Some(1300), Some(1300))
    );
    assert!(is_up(&ol) && is_up(&il));
    assert_eq!(il["ifindex"].as_u64(), Some(u64::from(i.index)));
    assert_eq!(ol["link_index"].as_u64(), Some(u64::from(i.index)));
    // The inner name is taken now: an error, and no new outer end is left behind.
    let before = snapshot(&outer);
    assert!(vm::create_escape_veth_pair(&outer.handle(), inner.ns(), "eth5", 1300).is_err());
    assert_eq!(snapshot(&outer), before);
}

#[test]
fn open_tap_is_tun_attach_in_the_pod_and_honours_the_name() {
    use netplumb::tun::{Mode, Tun};
    let Some(t) = TestNs::new("open_tap_honours_the_name") else {
        return;
    };
    t.ip(&["tuntap", "add", "vmtap5", "mode", "tap"]);
    t.ip(&["tuntap", "add", "tap0", "mode", "tap"]);
    let tap = t
        .ns()
        .run(|| Tun::attach("vmtap5", Mode::Tap))
        .unwrap()
        .unwrap();
    let f = File::from(tap.into_fd());
    assert_eq!(tap_name_of(&f), "vmtap5");
    let e = t
        .ns()
        .run(|| Tun::attach("vmtap6", Mode::Tap))
        .unwrap()
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    // Attached already (one queue): refused, and the name was not swapped for another.
    let e = t
        .ns()
        .run(|| Tun::attach("vmtap5", Mode::Tap))
        .unwrap()
        .unwrap_err();
    assert!(e.is_busy(), "{e}");
}

// ------------------------------------------------------------------ setup / teardown

#[test]
fn setup_moves_the_address_to_the_vm_and_teardown_restores_everything() {
    let Some(p) = Pod::new("setup_and_teardown", 1) else {
        return;
    };
    let before = snapshot(&p.pod);
    let original = mac_of(&p.pod, "eth0");
    let mut n = ContainerSideNetwork::setup(p.pod.ns(), &SetupOptions::new()).unwrap();
    assert!(n.dhcp_filtered());
    let i = &n.interfaces()[0];
    assert_eq!(i.dhcp_filter, "netplumb-vm-br0");
    let text = nft_table_text(&p.pod, "netplumb-vm-br0");
    for rule in [
        "iifname \"tap0\" oifname \"eth0\" ether type ip udp dport 67-68 drop",
        "iifname \"eth0\" oifname \"tap0\" ether type ip udp dport 67-68 drop",
        "oifname \"eth0\" ether type ip udp sport 67 drop",
    ] {
        assert!(text.contains(rule), "{rule} missing from\n{text}");
    }
    assert_eq!(
        (i.veth.as_str(), i.tap_name.as_str(), i.bridge.as_str()),
        ("eth0", "tap0", "br0")
    );
    assert_eq!(i.original_mac, original);
    assert_eq!(i.mac(), original);
    assert_eq!(i.mtu(), 1450);
    assert_eq!(i.info.address, net("198.18.0.2/24"));
    assert_eq!(i.info.gateway, Some("198.18.0.1".parse().unwrap()));
    assert!(i.info.routes.contains(&PodRoute {
        dst: net("0.0.0.0/0"),
        gw: Some("198.18.0.1".parse().unwrap())
    }));
    assert!(i.tap().is_some());

    let eth0 = link(&p.pod, "eth0");
    let veth_mac: MacAddr = eth0["address"].as_str().unwrap().parse().unwrap();
    assert_eq!(&veth_mac.0[..3], &vm::VM_MAC_PREFIX);
    assert_ne!(veth_mac, original);
    assert_eq!(eth0["master"], "br0");
    assert!(is_up(&eth0));
    assert_eq!(
        p.pod.ip_json(&["-4", "addr", "show", "dev", "eth0"]),
        serde_json::json!([])
    );
    let tap = link(&p.pod, "tap0");
    assert_eq!(tap["master"], "br0");
    assert_eq!(tap["mtu"], 1450);
    assert_eq!(tap["linkinfo"]["info_kind"], "tun");
    let br = link(&p.pod, "br0");
    assert_eq!(br["mtu"], 1450);
    assert!(is_up(&br));
    let a = p.pod.ip_json(&["-4", "addr", "show", "dev", "br0"]);
    assert_eq!(a[0]["addr_info"][0]["local"], "169.254.254.2");
    assert_eq!(a[0]["addr_info"][0]["prefixlen"], 24);
    assert!(is_up(&link(&p.pod, "lo")));
    // The descriptor is attached to tap0 (the seed always opened "tap0", whatever it was
    // asked; see the named-tap test below).
    assert_eq!(tap_name_of(n.interfaces()[0].tap().unwrap()), "tap0");

    n.teardown().unwrap();
    assert!(n.interfaces()[0].tap().is_none());
    assert!(!n.dhcp_filtered());
    assert_eq!(snapshot(&p.pod), before);
    n.teardown().unwrap();
    assert_eq!(snapshot(&p.pod), before);
}

/// The device a tun/tap descriptor is attached to, from `/proc/self/fdinfo` (`iff:`).
fn tap_name_of(f: &File) -> String {
    use std::os::fd::AsRawFd;
    let info = std::fs::read_to_string(format!("/proc/self/fdinfo/{}", f.as_raw_fd())).unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix("iff:"))
        .unwrap()
        .trim()
        .to_string()
}

#[test]
fn setup_honours_tap_and_bridge_names_and_given_info() {
    let Some(p) = Pod::new("setup_honours_names", 1) else {
        return;
    };
    let before = snapshot(&p.pod);
    let given = PodInterfaceInfo {
        link: "eth0".into(),
        address: net("198.18.0.2/24"),
        gateway: Some("198.18.0.1".parse().unwrap()),
        routes: vec![PodRoute {
            dst: net("0.0.0.0/0"),
            gw: Some("198.18.0.1".parse().unwrap()),
        }],
        mtu: Some(1400),
        mac: Some("02:00:00:00:00:07".parse().unwrap()),
    };
    let opts = SetupOptions::new()
        .interfaces(vec![given.clone()])
        .tap("vmtap7")
        .bridge("vmbr7");
    let mut n = ContainerSideNetwork::setup(p.pod.ns(), &opts).unwrap();
    let i = &n.interfaces()[0];
    assert_eq!(i.info, given);
    assert_eq!(i.mac(), "02:00:00:00:00:07".parse().unwrap());
    assert_eq!(tap_name_of(i.tap().unwrap()), "vmtap7");
    assert_eq!(link(&p.pod, "vmtap7")["master"], "vmbr7");
    assert_eq!(link(&p.pod, "vmtap7")["mtu"], 1400);
    assert!(p.pod.try_ip(&["link", "show", "dev", "tap0"]).status.code() != Some(0));
    n.teardown().unwrap();
    assert_eq!(snapshot(&p.pod), before);
    // Given info without routes is read from the link (the seed's Weave case).
    let bare = PodInterfaceInfo {
        routes: vec![],
        mtu: None,
        mac: None,
        ..given
    };
    let mut n =
        ContainerSideNetwork::setup(p.pod.ns(), &SetupOptions::new().interfaces(vec![bare]))
            .unwrap();
    assert_eq!(n.interfaces()[0].info.routes.len(), 2);
    assert_eq!(n.interfaces()[0].mtu(), 1450);
    n.teardown().unwrap();
    assert_eq!(snapshot(&p.pod), before);
}

/// How many steps (requests and other steps) a setup of `p` takes: a dry run.
fn count_setup_steps(p: &Pod) -> usize {
    let plan = FaultPlan::never();
    let mut net =
        ContainerSideNetwork::setup(p.pod.ns(), &SetupOptions::new().faults(plan.clone())).unwrap();
    let steps = plan.steps();
    net.teardown().unwrap();
    steps
}

#[test]
fn setup_fault_at_every_step_leaves_nothing_behind() {
    let Some(p) = Pod::new("setup_fault_at_every_step", 2) else {
        return;
    };
    let before = snapshot(&p.pod);
    let steps = count_setup_steps(&p);
    assert_eq!(snapshot(&p.pod), before);
    // Reads included: well over the 20 changes of two interfaces.
    assert!(steps > 20, "{steps}");
    for n in 0..steps {
        let opts = SetupOptions::new().faults(FaultPlan::fail_at(n));
        let e = ContainerSideNetwork::setup(p.pod.ns(), &opts).unwrap_err();
        assert!(e.is_injected(), "step {n}: {e}");
        assert_eq!(snapshot(&p.pod), before, "step {n} left something behind");
    }
}

#[test]
fn a_failed_rollback_says_so() {
    let Some(p) = Pod::new("a_failed_rollback_says_so", 1) else {
        return;
    };
    // Every step from the 10th on fails, the rollback's too.
    let opts = SetupOptions::new().faults(FaultPlan::fail_from(10));
    let e = ContainerSideNetwork::setup(p.pod.ns(), &opts).unwrap_err();
    assert!(e.is_injected(), "{e}");
    let cleanup = e.error().unwrap().cleanup_errors();
    assert!(
        !cleanup.is_empty() && cleanup.iter().all(netplumb::Error::is_injected),
        "{e}"
    );
    assert!(e.to_string().contains("rolling back failed too"), "{e}");
}

#[test]
fn teardown_after_every_partial_setup_restores_the_namespace() {
    let Some(p) = Pod::new("teardown_after_partial_setup", 2) else {
        return;
    };
    let before = snapshot(&p.pod);
    for n in 0..count_setup_steps(&p) {
        let opts = SetupOptions::new()
            .faults(FaultPlan::fail_at(n))
            .stop_at_fault();
        let mut net = ContainerSideNetwork::setup(p.pod.ns(), &opts).unwrap();
        net.teardown()
            .unwrap_or_else(|e| panic!("stopped at step {n}: {e}"));
        assert_eq!(snapshot(&p.pod), before, "stopped at step {n}");
        net.teardown().unwrap();
    }
}

#[test]
fn lo_goes_back_down() {
    let Some(p) = Pod::new("lo_goes_back_down", 1) else {
        return;
    };
    p.pod.ip(&["link", "set", "lo", "down"]);
    let before = snapshot(&p.pod);
    let mut n = ContainerSideNetwork::setup(p.pod.ns(), &SetupOptions::new()).unwrap();
    assert!(is_up(&link(&p.pod, "lo")));
    n.teardown().unwrap();
    assert!(!is_up(&link(&p.pod, "lo")));
    assert_eq!(snapshot(&p.pod), before);
    // A fault at the last step (opening the tap, after lo is up) rolls lo back down too.
    let last = count_setup_steps(&p) - 1;
    let opts = SetupOptions::new().faults(FaultPlan::fail_at(last));
    let e = ContainerSideNetwork::setup(p.pod.ns(), &opts).unwrap_err();
    assert_eq!(e.step(), Some(VmStep::OpenTap), "{e}");
    assert!(!is_up(&link(&p.pod, "lo")));
    assert_eq!(snapshot(&p.pod), before);
}

#[test]
fn a_failed_real_step_rolls_back() {
    let Some(p) = Pod::new("a_failed_real_step_rolls_back", 1) else {
        return;
    };
    // br0 is taken (by a veth, so find_veth still sees one veth in the pod... two now:
    // name the pod's interface explicitly).
    p.pod.ip(&["link", "add", "br0", "type", "bridge"]);
    let before = snapshot(&p.pod);
    let info = vm::extract_link_info(&p.h(), "eth0").unwrap();
    let e = ContainerSideNetwork::setup(p.pod.ns(), &SetupOptions::new().interfaces(vec![info]))
        .unwrap_err();
    assert_eq!(e.step(), Some(VmStep::CreateBridge), "{e}");
    assert!(!e.is_injected());
    assert_eq!(snapshot(&p.pod), before);
}

#[test]
fn teardown_attempts_every_step_and_retries_what_failed() {
    let Some(p) = Pod::new("teardown_attempts_every_step", 1) else {
        return;
    };
    let before = snapshot(&p.pod);
    let original = mac_of(&p.pod, "eth0");
    let mut n = ContainerSideNetwork::setup(p.pod.ns(), &SetupOptions::new()).unwrap();
    // With the veth down, its routes via the gateway cannot come back ("Nexthop device is
    // not up"): that step fails, the others still run.
    p.pod.ip(&["link", "set", "eth0", "down"]);
    let e = n.teardown().unwrap_err();
    let netplumb::Error::Teardown { errors } = &e else {
        panic!("{e:?}")
    };
    // The two routes via the gateway, in one step (the IPv4 configuration of eth0).
    assert_eq!(errors.len(), 1, "{e}");
    assert!(e.to_string().contains("RTM_NEWROUTE"), "{e}");
    // Done anyway: the bridge and tap are gone, the MAC is back.
    assert!(
        !p.pod
            .try_ip(&["link", "show", "dev", "br0"])
            .status
            .success()
    );
    assert!(
        !p.pod
            .try_ip(&["link", "show", "dev", "tap0"])
            .status
            .success()
    );
    assert_eq!(mac_of(&p.pod, "eth0"), original);
    // Once the veth is up again, a second teardown finishes the job.
    p.pod.ip(&["link", "set", "eth0", "up"]);
    n.teardown().unwrap();
    assert_eq!(snapshot(&p.pod), before);
}

#[test]
fn teardown_goes_on_after_an_injected_fault_and_retries_it() {
    let Some(p) = Pod::new("teardown_goes_on_after_a_fault", 1) else {
        return;
    };
    let before = snapshot(&p.pod);
    let original = mac_of(&p.pod, "eth0");
    let mut n = ContainerSideNetwork::setup(p.pod.ns(), &SetupOptions::new()).unwrap();
    // The teardown's first request (deleting the bridge's address) fails.
    n.handle().set_fault_plan(Some(FaultPlan::fail_at(0)));
    let e = n.teardown().unwrap_err();
    let netplumb::Error::Teardown { errors } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(errors.len(), 1, "{e}");
    assert!(errors[0].is_injected());
    // Everything else was done.
    assert!(
        !p.pod
            .try_ip(&["link", "show", "dev", "br0"])
            .status
            .success()
    );
    assert_eq!(mac_of(&p.pod, "eth0"), original);
    n.handle().set_fault_plan(None);
    n.teardown().unwrap();
    assert_eq!(snapshot(&p.pod), before);
}

#[test]
fn several_interfaces_get_a_tap_and_bridge_each() {
    let Some(p) = Pod::new("several_interfaces", 2) else {
        return;
    };
    let before = snapshot(&p.pod);
    let mut n = ContainerSideNetwork::setup(p.pod.ns(), &SetupOptions::new()).unwrap();
    let names: Vec<_> = n
        .interfaces()
        .iter()
        .map(|i| {
            (
                i.veth.clone(),
                i.tap_name.clone(),
                i.bridge.clone(),
                i.info.address,
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            (
                "eth0".into(),
                "tap0".into(),
                "br0".into(),
                net("198.18.0.2/24")
            ),
            (
                "eth1".into(),
                "tap1".into(),
                "br1".into(),
                net("198.18.1.2/24")
            ),
        ]
    );
    assert_eq!(n.interfaces()[1].info.gateway, None);
    assert_eq!(link(&p.pod, "eth1")["master"], "br1");
    assert_eq!(link(&p.pod, "tap1")["master"], "br1");
    // Each tap reaches its own gateway.
    for (k, iface) in n.interfaces_mut().iter_mut().enumerate() {
        let mut vm = Vm::new(iface.take_tap().unwrap(), iface.mac(), k);
        vm.arp_gateway();
    }
    n.teardown().unwrap();
    assert_eq!(snapshot(&p.pod), before);
}

// ------------------------------------------------------------------ the datapath

/// The test plays the VM behind a tap: hand-made Ethernet frames in, frames out.
struct Vm {
    tap: File,
    mac: MacAddr,
    ip: Ipv4Addr,
    gw: Ipv4Addr,
    gw_mac: Option<MacAddr>,
}

const ETH_ARP: u16 = 0x0806;
const ETH_IPV4: u16 = 0x0800;

impl Vm {
    /// The VM on pod interface `n` (198.18.n.2, gateway 198.18.n.1).
    fn new(tap: File, mac: MacAddr, n: usize) -> Vm {
        let fl = nix::fcntl::fcntl(tap.as_fd(), nix::fcntl::FcntlArg::F_GETFL).unwrap();
        let fl = nix::fcntl::OFlag::from_bits_retain(fl) | nix::fcntl::OFlag::O_NONBLOCK;
        nix::fcntl::fcntl(tap.as_fd(), nix::fcntl::FcntlArg::F_SETFL(fl)).unwrap();
        Vm {
            tap,
            mac,
            ip: ip4(&format!("198.18.{n}.2")),
            gw: ip4(&format!("198.18.{n}.1")),
            gw_mac: None,
        }
    }

    fn send(&mut self, frame: &[u8]) {
        let mut f = frame.to_vec();
        f.resize(f.len().max(60), 0);
        assert_eq!(self.tap.write(&f).unwrap(), f.len());
    }

    /// Sends `frame`, then waits for the first frame `pick` accepts, skipping others (IPv6
    /// chatter...) and sending `frame` again every second, as a VM's stack retries; panics
    /// after a while (a hang guard, not a timing assertion).
    fn exchange<T>(
        &mut self,
        frame: &[u8],
        what: &str,
        mut pick: impl FnMut(&[u8]) -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut buf = [0u8; 2048];
        let mut resend = Instant::now();
        loop {
            if Instant::now() >= resend {
                self.send(frame);
                resend = Instant::now() + Duration::from_secs(1);
            }
            match self.tap.read(&mut buf) {
                Ok(n) => {
                    if let Some(t) = pick(&buf[..n]) {
                        return t;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    assert!(
                        Instant::now() < deadline,
                        "no {what} came back from the tap"
                    );
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => panic!("read tap: {e}"),
            }
        }
    }

    /// Asks for the gateway's MAC and reads the reply from the tap.
    fn arp_gateway(&mut self) -> MacAddr {
        let mut f = eth_header(MacAddr([0xff; 6]), self.mac, ETH_ARP);
        f.extend_from_slice(&[0, 1, 8, 0, 6, 4, 0, 1]);
        f.extend_from_slice(&self.mac.0);
        f.extend_from_slice(&self.ip.octets());
        f.extend_from_slice(&[0; 6]);
        f.extend_from_slice(&self.gw.octets());
        let (me, gw) = (self.mac, self.gw);
        let mac = self.exchange(&f, "ARP reply", |r| {
            let is_reply = r.len() >= 42
                && r[0..6] == me.0
                && u16::from_be_bytes([r[12], r[13]]) == ETH_ARP
                && r[20..22] == [0, 2]
                && r[28..32] == gw.octets();
            is_reply.then(|| MacAddr(r[22..28].try_into().unwrap()))
        });
        self.gw_mac = Some(mac);
        mac
    }

    fn ipv4(&self, proto: u8, dst: Ipv4Addr, payload: &[u8]) -> Vec<u8> {
        let mut f = eth_header(self.gw_mac.unwrap(), self.mac, ETH_IPV4);
        let total = u16::try_from(20 + payload.len()).unwrap();
        let mut ip = vec![0x45, 0];
        ip.extend_from_slice(&total.to_be_bytes());
        ip.extend_from_slice(&[0x12, 0x34, 0x40, 0, 64, proto, 0, 0]);
        ip.extend_from_slice(&self.ip.octets());
        ip.extend_from_slice(&dst.octets());
        let sum = checksum(&ip);
        ip[10..12].copy_from_slice(&sum.to_be_bytes());
        f.extend_from_slice(&ip);
        f.extend_from_slice(payload);
        f
    }

    /// Pings the gateway and reads the echo reply from the tap.
    fn ping_gateway(&mut self) {
        let mut icmp = vec![8, 0, 0, 0, 0x4e, 0x50, 0, 1];
        icmp.extend_from_slice(b"netplumb vm datapath");
        let sum = checksum(&icmp);
        icmp[2..4].copy_from_slice(&sum.to_be_bytes());
        let f = self.ipv4(1, self.gw, &icmp);
        let (me, my_ip, gw) = (self.mac, self.ip, self.gw);
        self.exchange(&f, "ICMP echo reply", |r| {
            (r.len() >= 42
                && r[0..6] == me.0
                && u16::from_be_bytes([r[12], r[13]]) == ETH_IPV4
                && r[23] == 1
                && r[26..30] == gw.octets()
                && r[30..34] == my_ip.octets()
                && r[34] == 0
                && r[38..40] == [0x4e, 0x50])
            .then_some(())
        });
    }

    /// Whether a UDP datagram to `port` comes out of the tap (for the VM) within two
    /// seconds, skipping other frames.
    fn udp_seen(&mut self, port: u16) -> bool {
        let deadline = Instant::now() + Duration::from_secs(2);
        let mut buf = [0u8; 2048];
        while Instant::now() < deadline {
            match self.tap.read(&mut buf) {
                Ok(n) => {
                    let r = &buf[..n];
                    let ihl = usize::from(r.get(14).copied().unwrap_or(0) & 0x0f) * 4;
                    if r.len() >= 14 + ihl + 8
                        && u16::from_be_bytes([r[12], r[13]]) == ETH_IPV4
                        && r[23] == 17
                        && u16::from_be_bytes([r[14 + ihl + 2], r[14 + ihl + 3]]) == port
                    {
                        return true;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => panic!("read tap: {e}"),
            }
        }
        false
    }

    /// A UDP datagram from the VM to the gateway's `port`.
    fn udp_to_gateway(&mut self, sport: u16, port: u16, data: &[u8]) {
        let mut udp = Vec::new();
        udp.extend_from_slice(&sport.to_be_bytes());
        udp.extend_from_slice(&port.to_be_bytes());
        udp.extend_from_slice(&u16::try_from(8 + data.len()).unwrap().to_be_bytes());
        udp.extend_from_slice(&[0, 0]); // no checksum (allowed for IPv4)
        udp.extend_from_slice(data);
        let f = self.ipv4(17, self.gw, &udp);
        self.send(&f);
    }
}

fn eth_header(dst: MacAddr, src: MacAddr, kind: u16) -> Vec<u8> {
    let mut f = Vec::with_capacity(64);
    f.extend_from_slice(&dst.0);
    f.extend_from_slice(&src.0);
    f.extend_from_slice(&kind.to_be_bytes());
    f
}

fn checksum(b: &[u8]) -> u16 {
    let mut sum: u32 = b
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// Receives one datagram on `s`, or `None` after a while.
fn recv(s: &UdpSocket) -> Option<Vec<u8>> {
    s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let mut buf = [0u8; 1500];
    s.recv(&mut buf).ok().map(|n| buf[..n].to_vec())
}

#[test]
fn the_vm_reaches_the_gateway_through_the_tap() {
    let Some(p) = Pod::new("the_vm_reaches_the_gateway", 1) else {
        return;
    };
    let gw_mac = mac_of(&p.gws[0], &link_peer_name(&p.gws[0]));
    let mut n = ContainerSideNetwork::setup(p.pod.ns(), &SetupOptions::new()).unwrap();
    let iface = &mut n.interfaces_mut()[0];
    let mut vm = Vm::new(iface.take_tap().unwrap(), iface.mac(), 0);
    assert_eq!(vm.arp_gateway(), gw_mac);
    vm.ping_gateway();
    // UDP to another port crosses the bridge to the gateway.
    let other = p.gws[0]
        .ns()
        .run(|| UdpSocket::bind("198.18.0.1:5000"))
        .unwrap()
        .unwrap();
    vm.udp_to_gateway(40000, 5000, b"not dhcp");
    assert_eq!(recv(&other).as_deref(), Some(&b"not dhcp"[..]));
    drop(vm);
    n.teardown().unwrap();
}

/// The DHCP filter (virtlet's ebtables rules, in nf_tables' bridge family): a datagram to
/// port 67 from the VM does not come out of the pod's veth while other UDP does; DHCP from
/// the pod network does not reach the VM while other UDP does; and what a DHCP server on the
/// bridge sends (from 169.254.254.2:67) reaches the VM but not the pod network.
#[test]
fn dhcp_stays_between_the_vm_and_the_bridge() {
    let Some(p) = Pod::new("dhcp_stays_between", 1) else {
        return;
    };
    let mut n = ContainerSideNetwork::setup(p.pod.ns(), &SetupOptions::new()).unwrap();
    assert!(n.dhcp_filtered());
    let iface = &mut n.interfaces_mut()[0];
    let mut vm = Vm::new(iface.take_tap().unwrap(), iface.mac(), 0);
    vm.arp_gateway();
    let gw = p.gws[0].ns();
    let bind = |ns: &netplumb::NetNs, addr: &str| {
        let s = ns.run(|| UdpSocket::bind(addr)).unwrap().unwrap();
        s.set_broadcast(true).unwrap();
        s
    };

    // From the VM: DHCP stays in, other UDP goes out.
    let server = bind(gw, "0.0.0.0:67");
    vm.udp_to_gateway(68, 67, b"DHCPDISCOVER");
    let other = bind(gw, "198.18.0.1:5000");
    vm.udp_to_gateway(40000, 5000, b"not dhcp");
    assert_eq!(recv(&other).as_deref(), Some(&b"not dhcp"[..]));
    assert_eq!(
        recv(&server),
        None,
        "DHCP from the VM reached the pod network"
    );

    // From the pod network (broadcast, so the bridge floods it to the tap): DHCP stays out,
    // other UDP comes in.
    let from_gw = bind(gw, "198.18.0.1:0");
    for port in [68, 5001] {
        from_gw
            .send_to(format!("to {port}").as_bytes(), ("255.255.255.255", port))
            .unwrap();
    }
    assert!(
        vm.udp_seen(5001),
        "other UDP from the pod network did not reach the VM"
    );
    assert!(!vm.udp_seen(68), "DHCP from the pod network reached the VM");

    // From a DHCP server on the bridge: to the VM, not to the pod network.
    let client = bind(gw, "0.0.0.0:68");
    let bridge = bind(p.pod.ns(), "169.254.254.2:67");
    bridge
        .send_to(b"DHCPOFFER", ("255.255.255.255", 68))
        .unwrap();
    assert!(
        vm.udp_seen(68),
        "the bridge's DHCP answer did not reach the VM"
    );
    assert_eq!(
        recv(&client),
        None,
        "the bridge's DHCP answer reached the pod network"
    );
    // Another port from the bridge's address does go out (the rule is about DHCP only).
    let bridge_other = bind(p.pod.ns(), "169.254.254.2:5002");
    let listener = bind(gw, "0.0.0.0:5003");
    bridge_other
        .send_to(b"not dhcp", ("255.255.255.255", 5003))
        .unwrap();
    assert_eq!(recv(&listener).as_deref(), Some(&b"not dhcp"[..]));
    drop(vm);
    n.teardown().unwrap();
    assert!(!n.dhcp_filtered());
}

/// The VM's DHCP filter (`DhcpFilter` with a local server) made through netplumb's
/// nf_tables API and made by `nft -f` from its script are the same ruleset, as `nft -j`
/// lists them (handles aside).
#[test]
fn the_dhcp_filter_is_what_nft_makes_of_its_script() {
    if !common::require_program("the_dhcp_filter_is_what_nft_makes", "nft", "nftables") {
        return;
    }
    let (Some(a), Some(b)) = (
        TestNs::new("dhcp_filter_typed"),
        TestNs::new("dhcp_filter_nft"),
    ) else {
        return;
    };
    let f = DhcpFilter::new("tap0", "eth0").local_server("eth0");
    f.apply(&Nft::in_netns(a.ns()).unwrap(), "netplumb-vm-br0")
        .unwrap();
    let script = f.script("netplumb-vm-br0").unwrap();
    let mut nft = Command::new("ip")
        .args(["netns", "exec", b.name(), "nft", "-f", "-"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    nft.stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    assert!(nft.wait().unwrap().success(), "nft -f failed on\n{script}");
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                m.remove("handle");
                m.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let (mut ra, mut rb) = (nft_ruleset(&a), nft_ruleset(&b));
    strip(&mut ra);
    strip(&mut rb);
    assert_eq!(ra, rb);
    // Three rules in two chains.
    let rules = ra["nftables"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o.get("rule").is_some())
        .count();
    assert_eq!(rules, 3, "{ra}");
}

/// The gateway's end of the pod's veth (its only veth).
fn link_peer_name(gw: &TestNs) -> String {
    gw.ip_json(&["link", "show", "type", "veth"])[0]["ifname"]
        .as_str()
        .unwrap()
        .to_string()
}

#[cfg(feature = "serde")]
#[test]
fn pod_info_json() {
    let info = PodInterfaceInfo {
        link: "eth0".into(),
        address: net("198.18.0.2/24"),
        gateway: Some("198.18.0.1".parse().unwrap()),
        routes: vec![
            PodRoute {
                dst: net("0.0.0.0/0"),
                gw: Some("198.18.0.1".parse().unwrap()),
            },
            PodRoute {
                dst: net("198.19.0.0/16"),
                gw: None,
            },
        ],
        mtu: Some(1450),
        mac: Some("02:65:02:00:00:01".parse().unwrap()),
    };
    let v = serde_json::to_value(&info).unwrap();
    assert_eq!(
        v,
        serde_json::json!({
            "link": "eth0", "address": "198.18.0.2/24", "gateway": "198.18.0.1",
            "routes": [{"dst": "0.0.0.0/0", "gw": "198.18.0.1"}, {"dst": "198.19.0.0/16"}],
            "mtu": 1450, "mac": "02:65:02:00:00:01"
        })
    );
    let back: PodInterfaceInfo = serde_json::from_value(v).unwrap();
    assert_eq!(back, info);
}

// ------------------------------------------------------------------ netplumb vm run

mod vm_run {
    use super::*;
    use std::process::{Output, Stdio};

    fn netplumb(p: &Pod) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_netplumb"));
        c.args(["-n", p.pod.name(), "vm", "run"]);
        c
    }

    fn stdout(o: &Output) -> String {
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    fn var<'a>(out: &'a str, name: &str) -> &'a str {
        out.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("{name} missing in {out}"))
    }

    #[test]
    fn cmd_gets_the_taps_and_the_variables_in_the_pod() {
        let Some(p) = Pod::new("vm_run_cmd_gets_the_taps", 2) else {
            return;
        };
        let before = snapshot(&p.pod);
        let original = mac_of(&p.pod, "eth0");
        let script = "env | grep ^NETPLUMB_VM_; \
            echo FD3=$(grep ^iff: /proc/self/fdinfo/3 | cut -f2); \
            echo FD4=$(grep ^iff: /proc/self/fdinfo/4 | cut -f2); \
            echo NS=$(readlink /proc/self/ns/net)";
        let o = netplumb(&p)
            .args(["--tap", "vmtap0", "--", "sh", "-c", script])
            .env("NETPLUMB_VM_MAC_7", "stale, from a parent")
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{o:?}");
        let out = stdout(&o);
        assert_eq!(var(&out, "NETPLUMB_VM_INTERFACES"), "2");
        assert!(!out.contains("NETPLUMB_VM_MAC_7"), "{out}");
        assert_eq!(var(&out, "NETPLUMB_VM_MAC"), original.to_string());
        assert_eq!(var(&out, "NETPLUMB_VM_MAC_0"), original.to_string());
        assert_eq!(var(&out, "NETPLUMB_VM_IP"), "198.18.0.2/24");
        assert_eq!(var(&out, "NETPLUMB_VM_IP_1"), "198.18.1.2/24");
        assert_eq!(var(&out, "NETPLUMB_VM_GW"), "198.18.0.1");
        assert_eq!(var(&out, "NETPLUMB_VM_GW_1"), "");
        assert_eq!(var(&out, "NETPLUMB_VM_MTU"), "1450");
        assert_eq!(var(&out, "NETPLUMB_VM_FD_1"), "4");
        let routes: Value = serde_json::from_str(var(&out, "NETPLUMB_VM_ROUTES")).unwrap();
        let routes = routes.as_array().unwrap();
        assert!(
            routes.contains(&serde_json::json!({"dst": "0.0.0.0/0", "gw": "198.18.0.1"})),
            "{routes:?}"
        );
        assert!(routes.contains(&serde_json::json!({"dst": "198.19.0.0/24", "gw": "198.18.0.1"})));
        assert_eq!(var(&out, "FD3"), "vmtap0");
        assert_eq!(var(&out, "FD4"), "tap1");
        assert_eq!(var(&out, "NS"), format!("net:[{}]", p.pod.ns().inode()));
        assert_eq!(snapshot(&p.pod), before);
    }

    #[test]
    fn exit_status_is_cmds_or_says_what_failed() {
        let Some(p) = Pod::new("vm_run_exit_status", 1) else {
            return;
        };
        let before = snapshot(&p.pod);
        let status = |args: &[&str]| netplumb(&p).args(args).output().unwrap().status.code();
        assert_eq!(status(&["--", "sh", "-c", "exit 7"]), Some(7));
        assert_eq!(snapshot(&p.pod), before);
        assert_eq!(status(&["--", "sh", "-c", "kill -9 $$"]), Some(128 + 9));
        assert_eq!(snapshot(&p.pod), before);
        assert_eq!(status(&["--", "netplumb-no-such-command"]), Some(127));
        let dir = std::env::temp_dir().join(format!("netplumb-vm-run-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let not_exec = dir.join("not-executable");
        std::fs::write(&not_exec, "#!/bin/sh\n").unwrap();
        assert_eq!(status(&["--", not_exec.to_str().unwrap()]), Some(126));
        assert_eq!(snapshot(&p.pod), before);
        // Bad usage and failed setup: 125, and CMD does not run.
        let marker = dir.join("ran");
        let touch = ["--", "touch", marker.to_str().unwrap()];
        assert_eq!(status(&[&["--bogus"][..], &touch].concat()), Some(125));
        let Some(empty) = TestNs::new("vm_run_exit_status") else {
            return;
        };
        let o = Command::new(env!("CARGO_BIN_EXE_netplumb"))
            .args(["-n", empty.name(), "vm", "run"])
            .args(touch)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(125));
        assert!(String::from_utf8_lossy(&o.stderr).contains("no veth interface found"));
        assert!(!marker.exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn signals_reach_cmd_and_the_pod_is_restored() {
        let Some(p) = Pod::new("vm_run_signals", 1) else {
            return;
        };
        let before = snapshot(&p.pod);
        for (sig, code) in [
            (nix::sys::signal::Signal::SIGTERM, 128 + 15),
            (nix::sys::signal::Signal::SIGINT, 128 + 2),
        ] {
            // `exec sleep` so that the signal reaches sleep itself (sh would wait).
            let mut child = netplumb(&p)
                .args(["--", "sh", "-c", "echo started; exec sleep 60"])
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            let mut line = String::new();
            std::io::BufRead::read_line(
                &mut std::io::BufReader::new(child.stdout.as_mut().unwrap()),
                &mut line,
            )
            .unwrap();
            assert_eq!(line, "started\n");
            let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap());
            nix::sys::signal::kill(pid, sig).unwrap();
            assert_eq!(child.wait().unwrap().code(), Some(code), "{sig}");
            assert_eq!(snapshot(&p.pod), before, "{sig}");
        }
    }

    /// The veth's random MAC comes from the kernel's CSPRNG: two processes draw different
    /// ones (the seed's unseeded math/rand repeated the same sequence in every process).
    #[test]
    fn each_run_draws_a_new_random_mac() {
        let Some(p) = Pod::new("vm_run_random_mac", 1) else {
            return;
        };
        let draw = || {
            let o = netplumb(&p)
                .args(["--", "ip", "-br", "link", "show", "dev", "eth0"])
                .output()
                .unwrap();
            assert!(o.status.success(), "{o:?}");
            let out = stdout(&o);
            let mac: MacAddr = out.split_whitespace().nth(2).unwrap().parse().unwrap();
            assert_eq!(&mac.0[..3], &vm::VM_MAC_PREFIX, "{out}");
            mac
        };
        assert_ne!(draw(), draw());
    }

    #[test]
    fn help_documents_the_variables() {
        let o = Command::new(env!("CARGO_BIN_EXE_netplumb"))
            .args(["vm", "help"])
            .output()
            .unwrap();
        assert!(o.status.success());
        let help = stdout(&o);
        for v in [
            "NETPLUMB_VM_MAC_N",
            "NETPLUMB_VM_ROUTES_N",
            "3+N",
            "125",
            "126",
            "127",
        ] {
            assert!(help.contains(v), "{v}");
        }
    }
}

// ------------------------------------------------------------------ a real QEMU guest

/// `netplumb vm run` with a real VM: QEMU boots a kernel and a tiny busybox initramfs this
/// test builds, with the tap as `-netdev tap,fd=3` and the pod's MAC; the guest's init
/// (`tests/fixtures/vm/guest-init.sh`) takes its address and gateway from the kernel command
/// line, which the launcher fills from `NETPLUMB_VM_*`, and pings the gateway namespace.
///
/// Needs `qemu-system-x86` and `busybox-static`, and a kernel: `NETPLUMB_VM_KERNEL`, else the
/// newest `/boot/vmlinuz-*` (Debian: `linux-image-cloud-amd64`), with its modules under
/// `/lib/modules/RELEASE` (the virtio NIC's driver goes into the initramfs). QEMU emulates
/// the CPU (TCG; a few seconds to boot) unless `NETPLUMB_VM_ACCEL` says otherwise (`kvm`).
/// Without these the test says SKIPPED, or fails under `NETPLUMB_REQUIRE_PRIVILEGED=1`.
mod qemu {
    use super::*;
    use std::path::{Path, PathBuf};
    use std::process::Command;

    const BUSYBOX: &str = "/bin/busybox";
    const QEMU: &str = "qemu-system-x86_64";

    /// The kernel image and its modules directory, or why not.
    fn kernel() -> Result<(PathBuf, Option<PathBuf>), String> {
        let image = match std::env::var_os("NETPLUMB_VM_KERNEL") {
            Some(k) => PathBuf::from(k),
            None => {
                let mut found: Vec<PathBuf> = std::fs::read_dir("/boot")
                    .map_err(|e| format!("/boot: {e}"))?
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| {
                        p.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| n.starts_with("vmlinuz-"))
                    })
                    .collect();
                found.sort();
                found.pop().ok_or("no /boot/vmlinuz-*")?
            }
        };
        std::fs::File::open(&image).map_err(|e| format!("{}: {e}", image.display()))?;
        let release = image
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix("vmlinuz-"))
            .map(|r| Path::new("/lib/modules").join(r))
            .filter(|d| d.is_dir());
        Ok((image, release))
    }

    fn which(cmd: &str) -> bool {
        Command::new("sh")
            .args(["-c", &format!("command -v {cmd}")])
            .output()
            .is_ok_and(|o| o.status.success())
    }

    /// A `newc` cpio archive (what the kernel unpacks as an initramfs), uncompressed.
    #[derive(Default)]
    struct Cpio {
        out: Vec<u8>,
        ino: u32,
    }

    impl Cpio {
        fn entry(&mut self, name: &str, mode: u32, rdev: (u32, u32), data: &[u8]) {
            self.ino += 1;
            let fields = [
                self.ino,
                mode,
                0,
                0,
                1,
                0,
                u32::try_from(data.len()).unwrap(),
                0,
                0,
                rdev.0,
                rdev.1,
                u32::try_from(name.len() + 1).unwrap(),
                0,
            ];
            self.out.extend_from_slice(b"070701");
            for f in fields {
                self.out.extend_from_slice(format!("{f:08x}").as_bytes());
            }
            self.out.extend_from_slice(name.as_bytes());
            self.out.push(0);
            self.pad();
            self.out.extend_from_slice(data);
            self.pad();
        }

        fn pad(&mut self) {
            while !self.out.len().is_multiple_of(4) {
                self.out.push(0);
            }
        }

        fn dir(&mut self, name: &str) {
            self.entry(name, 0o040_755, (0, 0), &[]);
        }

        fn file(&mut self, name: &str, mode: u32, data: &[u8]) {
            self.entry(name, 0o100_000 | mode, (0, 0), data);
        }

        fn finish(mut self) -> Vec<u8> {
            self.entry("TRAILER!!!", 0, (0, 0), &[]);
            self.out
        }
    }

    /// The guest's initramfs: busybox, the init script, `/dev/console`, and the virtio NIC
    /// driver with its dependencies from `modules`.
    fn initramfs(modules: Option<&Path>) -> Vec<u8> {
        let mut c = Cpio::default();
        for d in ["bin", "dev", "proc", "sys", "modules"] {
            c.dir(d);
        }
        // The kernel opens /dev/console for init before anything is mounted.
        c.entry("dev/console", 0o020_600, (5, 1), &[]);
        c.file(
            "init",
            0o755,
            include_bytes!("../fixtures/vm/guest-init.sh"),
        );
        c.file("bin/busybox", 0o755, &std::fs::read(BUSYBOX).unwrap());
        if let Some(dir) = modules {
            let wanted = [
                "virtio",
                "virtio_ring",
                "virtio_pci_legacy_dev",
                "virtio_pci_modern_dev",
                "virtio_pci",
                "failover",
                "net_failover",
                "virtio_net",
            ];
            let dep = std::fs::read_to_string(dir.join("modules.dep")).unwrap_or_default();
            for line in dep.lines() {
                let path = line.split(':').next().unwrap_or_default();
                let file = Path::new(path).file_name().and_then(|n| n.to_str());
                if let Some(f) = file.filter(|f| wanted.iter().any(|w| *f == format!("{w}.ko"))) {
                    c.file(
                        &format!("modules/{f}"),
                        0o644,
                        &std::fs::read(dir.join(path)).unwrap(),
                    );
                }
            }
        }
        c.finish()
    }

    #[test]
    fn a_qemu_guest_pings_the_gateway_through_vm_run() {
        if !common::require_privilege("a_qemu_guest_pings_the_gateway") {
            return;
        }
        let missing = if !which(QEMU) {
            Some(format!("{QEMU} (Debian: qemu-system-x86)"))
        } else if !Path::new(BUSYBOX).exists() {
            Some(format!("{BUSYBOX} (Debian: busybox-static)"))
        } else {
            kernel().err().map(|e| {
                format!(
                    "a kernel image ({e}; Debian: linux-image-cloud-amd64, or NETPLUMB_VM_KERNEL)"
                )
            })
        };
        if let Some(m) = missing {
            if std::env::var("NETPLUMB_REQUIRE_PRIVILEGED").as_deref() == Ok("1") {
                panic!("the QEMU guest test needs {m}");
            }
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED a_qemu_guest_pings_the_gateway: needs {m}"
            );
            return;
        }
        let (image, modules) = kernel().unwrap();
        let Some(p) = Pod::new("a_qemu_guest_pings_the_gateway", 1) else {
            return;
        };
        let before = snapshot(&p.pod);
        let original = mac_of(&p.pod, "eth0");
        let dir = std::env::temp_dir().join(format!("netplumb-qemu-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let initrd = dir.join("initramfs.cpio");
        std::fs::write(&initrd, initramfs(modules.as_deref())).unwrap();

        // TCG by default: on this project's machines /dev/kvm exists but a KVM guest never
        // runs (nested virtualization); NETPLUMB_VM_ACCEL=kvm where it works.
        let accel = std::env::var("NETPLUMB_VM_ACCEL").unwrap_or_else(|_| "tcg".into());
        let accel = format!("-accel {accel}");
        // What a launcher does with the variables; `timeout` guards against a hung guest.
        let launcher = format!(
            "exec timeout 300 {QEMU} {accel} -m 256 -nodefaults -display none -serial stdio \
             -no-reboot -kernel '{}' -initrd '{}' \
             -append \"console=ttyS0 panic=-1 np.ip=$NETPLUMB_VM_IP np.gw=$NETPLUMB_VM_GW\" \
             -netdev tap,fd=3,id=n0 -device virtio-net-pci,netdev=n0,mac=$NETPLUMB_VM_MAC",
            image.display(),
            initrd.display()
        );
        let o = Command::new(env!("CARGO_BIN_EXE_netplumb"))
            .args(["-n", p.pod.name(), "vm", "run", "--", "sh", "-c", &launcher])
            .output()
            .unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let console = String::from_utf8_lossy(&o.stdout);
        let tail: String = {
            let lines: Vec<&str> = console.lines().collect();
            lines[lines.len().saturating_sub(40)..].join("\n")
        };
        assert!(
            console.contains(&format!(
                "NETPLUMB-GUEST eth0 {original} 198.18.0.2/24 via 198.18.0.1"
            )),
            "the guest did not configure eth0 as told: {tail}\n{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(console.contains("NETPLUMB-GUEST-PING-OK"), "{tail}");
        assert_eq!(o.status.code(), Some(0), "{tail}");
        assert_eq!(snapshot(&p.pod), before);
    }
}
