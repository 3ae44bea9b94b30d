//! libcontainer's network strategies (`netplumb::container::strategy`) against the kernel.
//! A named namespace plays the host (with a bridge), another one the container; results are
//! checked with `ip -j` in each. The end-to-end test runs a real child process in a new
//! network namespace (this test binary again, under `unshare -n`).
use crate::common;
use common::TestNs;

use netplumb::container::strategy::{
    self, Loopback, Netns, Network, NetworkState, NetworkStats, Step, Strategy, StrategyError, Veth,
};
use netplumb::link::NetNsRef;
use netplumb::undo::FaultPlan;
use netplumb::{Handle, NetNs};
use serde_json::Value;

/// A namespace playing the host: bridge `br0`, up, with `198.18.0.1/24`. Its MAC is set:
/// a bridge whose MAC was never set takes its ports' (and all zeros once they are gone).
fn host_with_bridge(test: &str) -> Option<TestNs> {
    let t = TestNs::new(test)?;
    add_bridge(&t);
    t.ip(&["addr", "add", "198.18.0.1/24", "dev", "br0"]);
    t.ip(&["link", "set", "br0", "up"]);
    Some(t)
}

fn add_bridge(t: &TestNs) {
    t.ip(&[
        "link",
        "add",
        "br0",
        "address",
        "02:00:c6:12:00:01",
        "type",
        "bridge",
    ]);
}

fn veth_network() -> Network {
    Network {
        kind: "veth".into(),
        bridge: "br0".into(),
        veth_prefix: "npv".into(),
        address: "198.18.0.2/24".into(),
        gateway: "198.18.0.1".into(),
        mtu: 1400,
        ..Network::default()
    }
}

/// `ip -j link show dev NAME`, the one object.
fn link(t: &TestNs, name: &str) -> Value {
    t.ip_json(&["link", "show", "dev", name])[0].clone()
}

fn flags(l: &Value) -> Vec<String> {
    l["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect()
}

/// Everything `ip -j` shows of a namespace's links, addresses and routes, less what changes
/// with time alone (bridge timers, IPv6 duplicate address detection) and a bridge's TSO
/// limits, which the kernel lowers to a new port's and does not raise when it leaves.
fn snapshot(t: &TestNs) -> Value {
    let mut v = serde_json::json!({
        "links": t.ip_json(&["-d", "link", "show"]),
        "addrs": t.ip_json(&["addr", "show"]),
        "routes": t.ip_json(&["route", "show", "table", "all"]),
    });
    scrub(&mut v);
    v
}

fn scrub(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|k, _| {
                !k.ends_with("_timer") && !k.starts_with("tso_max") && k != "tentative"
            });
            m.values_mut().for_each(scrub);
        }
        Value::Array(a) => a.iter_mut().for_each(scrub),
        _ => {}
    }
}

#[test]
fn lookup_by_name() {
    for name in ["loopback", "veth", "netns"] {
        assert_eq!(strategy::strategy(name).unwrap().name(), name);
    }
    let e = strategy::strategy("bridge").unwrap_err();
    assert!(matches!(&e, StrategyError::NotValidStrategyType { name } if name == "bridge"));
    assert_eq!(
        e.to_string(),
        "not a valid network strategy type: \"bridge\""
    );
}

#[test]
fn veth_create_then_initialize() {
    let Some(host) = host_with_bridge("veth_create_then_initialize") else {
        return;
    };
    let Some(c) = TestNs::new("veth_create_then_initialize") else {
        return;
    };
    let net = veth_network();
    let mut state = NetworkState::default();
    let veth = strategy::strategy("veth").unwrap();
    veth.create(&host.handle(), &net, NetNsRef::from(c.ns()), &mut state)
        .unwrap();

    // Host end: PREFIX + 7 hex, port of br0, MTU, up; its peer is in the container.
    let h = link(&host, &state.veth_host);
    assert!(state.veth_host.starts_with("npv") && state.veth_host.len() == 10);
    assert!(state.veth_host[3..].chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(h["master"], "br0");
    assert_eq!(h["mtu"], 1400);
    assert!(flags(&h).contains(&"UP".to_string()), "{h}");
    let child = link(&c, &state.veth_child);
    assert!(state.veth_child.starts_with("npv"));
    assert_eq!(child["link_index"], h["ifindex"], "{child}");
    assert!(state.ns_path.is_empty());

    c.ns()
        .run(|| veth.initialize(&net, &state))
        .unwrap()
        .unwrap();
    let eth0 = link(&c, "eth0");
    assert_eq!(eth0["mtu"], 1400);
    assert!(flags(&eth0).contains(&"UP".to_string()));
    let addrs = c.ip_json(&["-4", "addr", "show", "dev", "eth0"]);
    assert_eq!(addrs[0]["addr_info"][0]["local"], "198.18.0.2");
    assert_eq!(addrs[0]["addr_info"][0]["prefixlen"], 24);
    let routes = c.ip_json(&["route", "show", "default"]);
    assert_eq!(routes[0]["gateway"], "198.18.0.1");
    assert_eq!(routes[0]["dev"], "eth0");
    // The container reaches the host's bridge through the pair.
    assert_tcp_reaches(&host, &c, "198.18.0.1");
}

/// A TCP connection from namespace `from` to a listener on `to_addr` in namespace `to`.
fn assert_tcp_reaches(to: &TestNs, from: &TestNs, to_addr: &str) {
    use std::io::{Read, Write};
    let listener = to
        .ns()
        .run(|| std::net::TcpListener::bind((to_addr, 0)))
        .unwrap()
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let mut s = from
        .ns()
        .run(|| std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_secs(10)))
        .unwrap()
        .unwrap();
    let (mut conn, _) = listener.accept().unwrap();
    s.write_all(b"ping").unwrap();
    let mut buf = [0u8; 4];
    conn.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"ping");
}

#[test]
fn veth_initialize_names_the_failed_step() {
    let Some(c) = TestNs::new("veth_initialize_names_the_failed_step") else {
        return;
    };
    c.ip(&["link", "add", "npa", "type", "veth", "peer", "name", "npb"]);
    let veth = Veth;
    // No such child: the first step fails, and says so.
    let state = NetworkState {
        veth_child: "npmissing".into(),
        ..NetworkState::default()
    };
    let e = c
        .ns()
        .run(|| veth.initialize(&veth_network(), &state))
        .unwrap();
    let e = e.unwrap_err();
    assert!(
        matches!(e.step(), Some(Step::Down { link }) if link == "npmissing"),
        "{e}"
    );
    assert!(e.to_string().starts_with("interface down npmissing"), "{e}");
    // A bare address is not a CIDR: refused before the link is touched.
    let state = NetworkState {
        veth_child: "npa".into(),
        ..NetworkState::default()
    };
    let bare = Network {
        address: "198.18.0.2".into(),
        ..veth_network()
    };
    let e = c.ns().run(|| veth.initialize(&bare, &state)).unwrap();
    assert!(matches!(e, Err(StrategyError::Invalid(_))), "{e:?}");
    assert_eq!(link(&c, "npa")["ifname"], "npa");
    // An unreachable gateway fails the last step, after the address and MTU are set.
    let far = Network {
        gateway: "198.19.9.9".into(),
        ..veth_network()
    };
    let e = c.ns().run(|| veth.initialize(&far, &state)).unwrap();
    let e = e.unwrap_err();
    assert!(matches!(e.step(), Some(Step::SetGateway { .. })), "{e}");
    assert!(
        e.to_string()
            .starts_with("set gateway to 198.19.9.9 on device eth0 failed"),
        "{e}"
    );
}

#[test]
fn veth_create_fault_at_every_step_leaves_nothing_behind() {
    let Some(host) = host_with_bridge("veth_create_fault_at_every_step") else {
        return;
    };
    let Some(c) = TestNs::new("veth_create_fault_at_every_step") else {
        return;
    };
    let net = veth_network();
    let h = host.handle();
    let create = |state: &mut NetworkState| Veth.create(&h, &net, NetNsRef::from(c.ns()), state);
    // A dry run counts the requests: create the pair, look the bridge up, master, MTU, up.
    let plan = FaultPlan::never();
    h.set_fault_plan(Some(plan.clone()));
    let mut state = NetworkState::default();
    create(&mut state).unwrap();
    h.set_fault_plan(None);
    h.link_del(&state.veth_host).unwrap();
    let steps = plan.steps();
    assert_eq!(steps, 5, "{:?}", plan.log());

    let (host_before, c_before) = (snapshot(&host), snapshot(&c));
    for n in 0..steps {
        h.set_fault_plan(Some(FaultPlan::fail_at(n)));
        let mut state = NetworkState::default();
        let e = create(&mut state).unwrap_err();
        assert!(
            e.error().is_some_and(netplumb::Error::is_injected),
            "step {n}: {e}"
        );
        assert_eq!(state, NetworkState::default(), "step {n}");
        assert_eq!(
            snapshot(&host),
            host_before,
            "step {n} left something on the host"
        );
        assert_eq!(
            snapshot(&c),
            c_before,
            "step {n} left something in the container"
        );
    }
    // When the rollback fails too, the error says so (and the pair is left for the caller).
    h.set_fault_plan(Some(FaultPlan::fail_from(2)));
    let e = create(&mut NetworkState::default()).unwrap_err();
    let cleanup = e.error().unwrap().cleanup_errors();
    assert_eq!(cleanup.len(), 1, "{e}");
    assert!(cleanup[0].is_injected());
    assert!(e.to_string().contains("rolling back failed too"), "{e}");
    h.set_fault_plan(None);
}

#[test]
fn veth_create_rolls_back_a_real_failure() {
    let Some(host) = TestNs::new("veth_create_rolls_back_a_real_failure") else {
        return;
    };
    let Some(c) = TestNs::new("veth_create_rolls_back_a_real_failure") else {
        return;
    };
    let (host_before, c_before) = (snapshot(&host), snapshot(&c));
    let mut state = NetworkState::default();
    // No bridge br0 here: the pair is made, then enslaving it fails.
    let e = Veth
        .create(
            &host.handle(),
            &veth_network(),
            NetNsRef::from(c.ns()),
            &mut state,
        )
        .unwrap_err();
    assert!(
        matches!(e.step(), Some(Step::SetMaster { bridge, .. }) if bridge == "br0"),
        "{e}"
    );
    assert_eq!(snapshot(&host), host_before);
    assert_eq!(snapshot(&c), c_before);
    // An MTU the kernel refuses fails the MTU step; nothing is left either.
    add_bridge(&host);
    let host_before = snapshot(&host);
    let huge = Network {
        mtu: 1 << 20,
        ..veth_network()
    };
    let e = Veth
        .create(&host.handle(), &huge, NetNsRef::from(c.ns()), &mut state)
        .unwrap_err();
    assert!(matches!(e.step(), Some(Step::SetMtu { .. })), "{e}");
    assert_eq!(snapshot(&host), host_before);
    assert_eq!(snapshot(&c), c_before);
}

/// A process (`sleep`) in a network namespace of its own, killed on drop.
struct NsProcess {
    child: std::process::Child,
    ns: NetNs,
}

impl NsProcess {
    fn start() -> NsProcess {
        let child = std::process::Command::new("unshare")
            .args(["-n", "sleep", "60"])
            .spawn()
            .unwrap();
        // Until `unshare` has moved, the pid is in this namespace: wait for the move, so
        // that nothing is ever put into the test's own namespace by pid.
        let me = NetNs::current().unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let ns = loop {
            let ns = NetNs::from_pid(child.id()).unwrap();
            if ns != me {
                break ns;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "unshare -n never moved"
            );
            std::thread::yield_now();
        };
        NsProcess { child, ns }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for NsProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn veth_create_by_pid() {
    let Some(host) = host_with_bridge("veth_create_by_pid") else {
        return;
    };
    // A process in a namespace of its own, found by pid as the seed's nspid.
    let p = NsProcess::start();
    let mut state = NetworkState::default();
    Veth.create(
        &host.handle(),
        &veth_network(),
        NetNsRef::Pid(p.pid()),
        &mut state,
    )
    .unwrap();
    let child = Handle::in_netns(&p.ns).unwrap().link_get(&state.veth_child);
    assert_eq!(child.unwrap().name, state.veth_child);
}

/// The seed's free functions are one `Handle` call each (the table in the module docs):
/// each as the table writes it, checked with `ip -j`.
#[test]
fn seed_helpers_are_handle_calls() {
    use netplumb::addr::AddrSpec;
    use netplumb::link::LinkSpec;
    use netplumb::route::RouteSpec;
    let Some(t) = TestNs::new("seed_helpers_are_handle_calls") else {
        return;
    };
    let Some(other) = TestNs::new("seed_helpers_are_handle_calls") else {
        return;
    };
    t.dad_off();
    add_bridge(&t);
    let h = t.handle();
    // CreateVethPair(a, b)
    h.link_add(&LinkSpec::veth("npa", "npb")).unwrap();
    assert_eq!(link(&t, "npa")["link"], "npb");
    // InterfaceUp / InterfaceDown
    h.link_up("npa").unwrap();
    assert!(flags(&link(&t, "npa")).contains(&"UP".to_string()));
    h.link_down("npa").unwrap();
    assert!(!flags(&link(&t, "npa")).contains(&"UP".to_string()));
    // ChangeInterfaceName(old, new)
    h.link_rename("npb", "npc").unwrap();
    assert_eq!(link(&t, "npa")["link"], "npc");
    // SetMtu
    h.link_set_mtu("npa", 1400).unwrap();
    assert_eq!(link(&t, "npa")["mtu"], 1400);
    // SetInterfaceMaster
    h.link_set_master("npa", "br0").unwrap();
    assert_eq!(link(&t, "npa")["master"], "br0");
    // SetInterfaceIp (a CIDR)
    h.addr_add("npc", &AddrSpec::new("198.18.0.2/24".parse().unwrap()))
        .unwrap();
    h.addr_add("npc", &AddrSpec::new("2001:db8::2/64".parse().unwrap()))
        .unwrap();
    let a = t.ip_json(&["addr", "show", "dev", "npc"]);
    let locals: Vec<&str> = a[0]["addr_info"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["local"].as_str())
        .collect();
    assert!(
        locals.contains(&"198.18.0.2") && locals.contains(&"2001:db8::2"),
        "{a}"
    );
    // SetDefaultGateway(ip, iface): the family follows the address.
    h.link_up("npc").unwrap();
    h.route_add(
        &RouteSpec::default_v4()
            .via("198.18.0.1".parse().unwrap())
            .dev("npc"),
    )
    .unwrap();
    h.route_add(
        &RouteSpec::default_v6()
            .via("2001:db8::1".parse().unwrap())
            .dev("npc"),
    )
    .unwrap();
    assert_eq!(
        t.ip_json(&["route", "show", "default"])[0]["gateway"],
        "198.18.0.1"
    );
    assert_eq!(
        t.ip_json(&["-6", "route", "show", "default"])[0]["gateway"],
        "2001:db8::1"
    );
    // SetInterfaceInNamespaceFd(name, fd)
    h.link_set_netns("npc", NetNsRef::from(other.ns())).unwrap();
    assert_eq!(link(&other, "npc")["ifname"], "npc");
    // SetInterfaceInNamespacePid(name, pid)
    let p = NsProcess::start();
    h.link_add(&LinkSpec::veth("npd", "npe")).unwrap();
    h.link_set_netns("npe", NetNsRef::Pid(p.pid())).unwrap();
    let moved = Handle::in_netns(&p.ns).unwrap().link_get("npe").unwrap();
    assert_eq!(moved.name, "npe");
    assert!(!t.try_ip(&["link", "show", "dev", "npe"]).status.success());
}

#[test]
fn loopback_brings_lo_up() {
    let Some(c) = TestNs::new("loopback_brings_lo_up") else {
        return;
    };
    assert!(!flags(&link(&c, "lo")).contains(&"UP".to_string()));
    let lo = strategy::strategy("loopback").unwrap();
    let mut state = NetworkState::default();
    lo.create(
        &c.handle(),
        &Network::default(),
        NetNsRef::from(c.ns()),
        &mut state,
    )
    .unwrap();
    assert_eq!(state, NetworkState::default());
    c.ns()
        .run(|| Loopback.initialize(&Network::default(), &state))
        .unwrap()
        .unwrap();
    assert!(flags(&link(&c, "lo")).contains(&"UP".to_string()));
}

#[test]
fn netns_joins_on_the_calling_thread_only() {
    let Some(c) = TestNs::new("netns_joins_on_the_calling_thread_only") else {
        return;
    };
    let net = Network {
        kind: "netns".into(),
        ns_path: format!("/run/netns/{}", c.name()),
        ..Network::default()
    };
    let mut state = NetworkState::default();
    let h = Handle::new().unwrap();
    Netns
        .create(&h, &net, NetNsRef::Pid(1), &mut state)
        .unwrap();
    assert_eq!(state.ns_path, net.ns_path);
    let before = NetNs::current().unwrap();
    // A thread made for it, which ends afterwards: setns is for good.
    let joined = std::thread::spawn(move || {
        Netns.initialize(&net, &state).unwrap();
        NetNs::current().unwrap()
    })
    .join()
    .unwrap();
    assert_eq!(&joined, c.ns());
    assert_eq!(NetNs::current().unwrap(), before, "another thread moved");

    let e = Netns
        .initialize(&Network::default(), &NetworkState::default())
        .unwrap_err();
    assert!(matches!(e, StrategyError::NsPathNotSpecified));
    let not_ns = NetworkState {
        ns_path: "/proc/self/status".into(),
        ..NetworkState::default()
    };
    let e = Netns.initialize(&Network::default(), &not_ns).unwrap_err();
    assert!(matches!(e.step(), Some(Step::OpenNetns { .. })), "{e}");
    assert_eq!(NetNs::current().unwrap(), before);
}

#[test]
fn stats_are_the_host_veths_swapped() {
    let Some(t) = TestNs::new("stats_are_the_host_veths_swapped") else {
        return;
    };
    let h = t.handle();
    assert_eq!(
        strategy::stats(&h, &NetworkState::default()).unwrap(),
        NetworkStats::default()
    );
    // No IPv6 (router solicitations would keep counting) and a static neighbour (no ARP):
    // exactly the datagrams sent below cross the pair.
    let sysctl = netplumb::Sysctls::in_netns(t.ns()).unwrap();
    sysctl.set("net.ipv6.conf.all.disable_ipv6", "1").unwrap();
    sysctl
        .set("net.ipv6.conf.default.disable_ipv6", "1")
        .unwrap();
    t.ip(&["link", "add", "nph", "type", "veth", "peer", "name", "npc"]);
    t.ip(&["addr", "add", "198.18.0.1/24", "dev", "nph"]);
    t.ip(&["link", "set", "nph", "up"]);
    t.ip(&["link", "set", "npc", "up"]);
    let npc_mac = link(&t, "npc")["address"].as_str().unwrap().to_string();
    t.ip(&[
        "neigh",
        "add",
        "198.18.0.2",
        "lladdr",
        &npc_mac,
        "dev",
        "nph",
    ]);
    t.ns()
        .run(|| {
            let s = std::net::UdpSocket::bind("198.18.0.1:0")?;
            for _ in 0..3 {
                s.send_to(b"to the container", "198.18.0.2:9")?;
            }
            std::io::Result::Ok(())
        })
        .unwrap()
        .unwrap();
    let state = NetworkState {
        veth_host: "nph".into(),
        ..NetworkState::default()
    };
    let s = strategy::stats(&h, &state).unwrap();
    let ip = t.ip_json(&["-s", "link", "show", "dev", "nph"])[0]["stats64"].clone();
    assert_eq!(ip["tx"]["packets"], 3, "{ip}");
    assert_eq!(s.rx_packets, ip["tx"]["packets"].as_u64().unwrap());
    assert_eq!(s.rx_bytes, ip["tx"]["bytes"].as_u64().unwrap());
    assert_eq!(s.tx_packets, ip["rx"]["packets"].as_u64().unwrap());
    assert_eq!(s.tx_bytes, ip["rx"]["bytes"].as_u64().unwrap());
    assert_eq!(s.rx_dropped, ip["tx"]["dropped"].as_u64().unwrap());
    assert_eq!(s.tx_errors, ip["rx"]["errors"].as_u64().unwrap());

    let missing = NetworkState {
        veth_host: "npgone".into(),
        ..NetworkState::default()
    };
    let e = strategy::stats(&h, &missing).unwrap_err();
    assert!(matches!(e.step(), Some(Step::Stats { .. })), "{e}");
}

#[cfg(feature = "serde")]
mod json {
    use super::*;

    #[test]
    fn network_keys_are_the_seeds() {
        let v = serde_json::to_value(veth_network()).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "type": "veth", "bridge": "br0", "veth_prefix": "npv",
                "address": "198.18.0.2/24", "gateway": "198.18.0.1", "mtu": 1400
            })
        );
        // omitempty: nothing set, nothing written.
        assert_eq!(serde_json::to_string(&Network::default()).unwrap(), "{}");
        assert_eq!(
            serde_json::to_string(&NetworkState::default()).unwrap(),
            "{}"
        );
        // What the seed writes reads back.
        let seed = r#"{"type":"netns","ns_path":"/var/run/netns/c1","mtu":1500}"#;
        let n: Network = serde_json::from_str(seed).unwrap();
        assert_eq!(
            (n.kind.as_str(), n.ns_path.as_str(), n.mtu),
            ("netns", "/var/run/netns/c1", 1500)
        );
        let s: NetworkState =
            serde_json::from_str(r#"{"veth_host":"veth1a2b","veth_child":"veth3c4d"}"#).unwrap();
        assert_eq!(s.veth_host, "veth1a2b");
        assert_eq!(
            serde_json::to_value(&s).unwrap(),
            serde_json::json!({"veth_host": "veth1a2b", "veth_child": "veth3c4d"})
        );
    }

    #[test]
    fn stats_keys_are_always_written() {
        let v = serde_json::to_value(NetworkStats::default()).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        let mut want = [
            "rx_bytes",
            "rx_packets",
            "rx_errors",
            "rx_dropped",
            "tx_bytes",
            "tx_packets",
            "tx_errors",
            "tx_dropped",
        ];
        want.sort_unstable();
        let mut keys = keys;
        keys.sort_unstable();
        assert_eq!(keys, want);
    }
}

/// End to end, as a runtime does it: the container's init is a real process in a new
/// network namespace; the parent runs `create` by the child's pid and pipes the state to it
/// as JSON; the child runs `initialize` and talks to the host over TCP.
#[cfg(feature = "serde")]
mod end_to_end {
    use super::*;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    const CHILD_ENV: &str = "NETPLUMB_TEST_CONTAINER_CHILD";

    /// The child's half: does nothing unless started by the parent below.
    #[test]
    fn container_init_child() {
        let Ok(port) = std::env::var(CHILD_ENV) else {
            return;
        };
        println!("READY");
        std::io::stdout().flush().unwrap();
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).unwrap();
        let (net, state): (Network, NetworkState) = serde_json::from_str(&line).unwrap();
        Loopback.initialize(&net, &state).unwrap();
        strategy::strategy(&net.kind)
            .unwrap()
            .initialize(&net, &state)
            .unwrap();
        let addr = format!("{}:{port}", net.gateway).parse().unwrap();
        let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(10)).unwrap();
        s.write_all(b"hello from the container\n").unwrap();
        let mut reply = String::new();
        BufReader::new(s).read_line(&mut reply).unwrap();
        assert_eq!(reply, "hello from the host\n");
        println!("DONE");
    }

    #[test]
    fn child_process_gets_its_network_from_create_and_initialize() {
        let Some(host) = host_with_bridge("child_process_gets_its_network") else {
            return;
        };
        let listener = host
            .ns()
            .run(|| TcpListener::bind("198.18.0.1:0"))
            .unwrap()
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut child = Command::new("unshare")
            .arg("-n")
            .arg(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "container::end_to_end::container_init_child",
                "--nocapture",
            ])
            .env(CHILD_ENV, port.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        while line.trim() != "READY" {
            line.clear();
            assert!(
                out.read_line(&mut line).unwrap() > 0,
                "the child ended early"
            );
        }
        // The child is in its own namespace now (it printed after `unshare -n`).
        // (Only compared: a descriptor kept open would keep the namespace, and the pair,
        // alive after the child ends.)
        assert_ne!(
            NetNs::from_pid(child.id()).unwrap(),
            NetNs::current().unwrap()
        );

        let net = veth_network();
        let mut state = NetworkState::default();
        strategy::strategy("veth")
            .unwrap()
            .create(&host.handle(), &net, NetNsRef::Pid(child.id()), &mut state)
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{}", serde_json::to_string(&(&net, &state)).unwrap()).unwrap();

        listener.set_nonblocking(true).unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        let (conn, peer) = loop {
            match listener.accept() {
                Ok(c) => break c,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    assert!(Instant::now() < deadline, "the child never connected");
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => panic!("accept: {e}"),
            }
        };
        assert_eq!(peer.ip().to_string(), "198.18.0.2");
        conn.set_nonblocking(false).unwrap();
        let mut msg = String::new();
        BufReader::new(&conn).read_line(&mut msg).unwrap();
        assert_eq!(msg, "hello from the container\n");
        (&conn).write_all(b"hello from the host\n").unwrap();

        let mut rest = String::new();
        out.read_to_string(&mut rest).unwrap();
        let status = child.wait().unwrap();
        assert!(status.success(), "child: {rest}");
        assert!(rest.contains("DONE"), "{rest}");
        // The pair goes with the child's namespace (the kernel cleans it up a little later).
        let deadline = Instant::now() + Duration::from_secs(30);
        while host
            .try_ip(&["link", "show", "dev", &state.veth_host])
            .status
            .success()
        {
            assert!(
                Instant::now() < deadline,
                "the host end outlived the container"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
