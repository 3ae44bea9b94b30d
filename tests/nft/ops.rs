//! The ready-made operations proved with packets between namespaces the tests make: one
//! namespace plays the host (bridges, forwarding, the nf_tables tables), others the
//! containers and a remote host. Addresses from 198.18.0.0/15 only.

use crate::common::TestNs;
use netplumb::nft::ops::{
    self, DhcpFilter, Isolation, Masquerade, PortMapping, PublishedPorts, TableOp,
};
use netplumb::nft::{Nft, Proto, Table, TableFamily};
use netplumb::sysctl::Sysctls;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::mpsc;
use std::time::Duration;

/// How long a connection or datagram that should get through may take; one that should not
/// is given as long before it counts as stopped.
const WAIT: Duration = Duration::from_secs(2);

fn sock(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// A veth pair from `host` (end `end`) to `peer` (named `eth0` there, with `addr` and, when
/// `gw` is not empty, a default route via `gw`).
fn veth(host: &TestNs, end: &str, peer: &TestNs, addr: &str, gw: &str) {
    host.ip(&[
        "link",
        "add",
        end,
        "type",
        "veth",
        "peer",
        "name",
        "eth0",
        "netns",
        peer.name(),
    ]);
    peer.ip(&["link", "set", "lo", "up"]);
    peer.ip(&["addr", "add", addr, "dev", "eth0"]);
    peer.ip(&["link", "set", "eth0", "up"]);
    if !gw.is_empty() {
        peer.ip(&["route", "add", "default", "via", gw]);
    }
}

/// [`veth`] whose host end is a port of `bridge`.
fn port(host: &TestNs, bridge: &str, end: &str, peer: &TestNs, addr: &str, gw: &str) {
    veth(host, end, peer, addr, gw);
    host.ip(&["link", "set", end, "master", bridge, "up"]);
}

/// [`veth`] whose host end has `host_addr`: a routed link.
fn link(host: &TestNs, end: &str, host_addr: &str, peer: &TestNs, addr: &str, gw: &str) {
    veth(host, end, peer, addr, gw);
    host.ip(&["addr", "add", host_addr, "dev", end]);
    host.ip(&["link", "set", end, "up"]);
}

fn bridge(host: &TestNs, name: &str, addr: Option<&str>) {
    host.ip(&["link", "add", name, "type", "bridge"]);
    if let Some(a) = addr {
        host.ip(&["addr", "add", a, "dev", name]);
    }
    host.ip(&["link", "set", name, "up"]);
}

fn forwarding(host: &TestNs) {
    let s = Sysctls::in_netns(host.ns()).unwrap();
    s.set("net.ipv4.ip_forward", "1").unwrap();
}

/// A TCP server on `addr` inside `t`: for every connection it sends "ok" and reports the
/// peer's address.
fn serve(t: &TestNs, addr: &str) -> mpsc::Receiver<SocketAddr> {
    let addr = sock(addr);
    let listener = t
        .ns()
        .run(move || TcpListener::bind(addr))
        .unwrap()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for s in listener.incoming() {
            let Ok(mut s) = s else { return };
            let _ = s.write_all(b"ok");
            if tx.send(s.peer_addr().unwrap()).is_err() {
                return;
            }
        }
    });
    rx
}

/// Connects from inside `t` to `to`, reads the server's "ok"; false when it does not get
/// through within [`WAIT`].
fn connects(t: &TestNs, to: &str) -> bool {
    let to = sock(to);
    t.ns()
        .run(move || {
            let mut s = TcpStream::connect_timeout(&to, WAIT)?;
            s.set_read_timeout(Some(WAIT))?;
            let mut buf = [0u8; 2];
            s.read_exact(&mut buf)?;
            Ok::<_, std::io::Error>(&buf == b"ok")
        })
        .unwrap()
        .unwrap_or(false)
}

/// The peer a connection to `to` from `t` arrived from, at the server `rx` reports on.
fn arrives_from(t: &TestNs, to: &str, rx: &mpsc::Receiver<SocketAddr>) -> Option<SocketAddr> {
    if !connects(t, to) {
        return None;
    }
    rx.recv_timeout(WAIT).ok()
}

#[test]
fn masquerade_lets_a_host_that_knows_only_the_host_answer() {
    let Some(host) = TestNs::new("nft_masq_host") else {
        return;
    };
    let Some(c1) = TestNs::new("nft_masq_c1") else {
        return;
    };
    let Some(remote) = TestNs::new("nft_masq_remote") else {
        return;
    };
    host.ip(&["link", "set", "lo", "up"]);
    bridge(&host, "br0", Some("198.18.0.1/24"));
    port(&host, "br0", "h-c1", &c1, "198.18.0.2/24", "198.18.0.1");
    // The remote host knows the host's address only: no route back to 198.18.0.0/24.
    link(&host, "h-r", "198.18.1.1/24", &remote, "198.18.1.2/24", "");
    forwarding(&host);
    let rx = serve(&remote, "198.18.1.2:7000");
    let nft = Nft::in_netns(host.ns()).unwrap();

    assert!(
        !connects(&c1, "198.18.1.2:7000"),
        "answered without masquerade"
    );
    let m = Masquerade::new("198.18.0.0/24".parse().unwrap(), "br0");
    m.apply(&nft, "np-masq").unwrap();
    assert_eq!(
        arrives_from(&c1, "198.18.1.2:7000", &rx).map(|a| a.ip()),
        Some("198.18.1.1".parse().unwrap()),
        "the remote host must see the host's address"
    );
    // Traffic within the bridge keeps its addresses: the host sees the container's.
    let rx_host = serve(&host, "198.18.0.1:7001");
    assert_eq!(
        arrives_from(&c1, "198.18.0.1:7001", &rx_host).map(|a| a.ip()),
        Some("198.18.0.2".parse().unwrap())
    );
    ops::remove(&nft, &m.table("np-masq")).unwrap();
    assert!(
        !connects(&c1, "198.18.1.2:7000"),
        "answered after the removal"
    );
}

#[test]
fn a_published_port_is_reached_from_outside_from_the_host_and_from_the_container() {
    let Some(host) = TestNs::new("nft_ports_host") else {
        return;
    };
    let Some(c1) = TestNs::new("nft_ports_c1") else {
        return;
    };
    let Some(remote) = TestNs::new("nft_ports_remote") else {
        return;
    };
    host.ip(&["link", "set", "lo", "up"]);
    bridge(&host, "br0", Some("198.18.0.1/24"));
    port(&host, "br0", "h-c1", &c1, "198.18.0.2/24", "198.18.0.1");
    // With bridged traffic through the IP hooks (bridge-nf-call-iptables, on by default),
    // a connection DNATed back to the port it came in on is bridged there: the port must
    // be in hairpin mode, as Docker and CNI's bridge plugin (hairpinMode) set it.
    host.ip(&[
        "link",
        "set",
        "h-c1",
        "type",
        "bridge_slave",
        "hairpin",
        "on",
    ]);
    link(
        &host,
        "h-r",
        "198.18.1.1/24",
        &remote,
        "198.18.1.2/24",
        "198.18.1.1",
    );
    forwarding(&host);
    let rx = serve(&c1, "198.18.0.2:80");
    let nft = Nft::in_netns(host.ns()).unwrap();

    assert!(
        !connects(&remote, "198.18.1.1:8080"),
        "published before the table"
    );
    let ports = PublishedPorts::new(vec![
        PortMapping::new(Proto::Tcp, 8080, "198.18.0.2".parse().unwrap(), 80),
        PortMapping::new(Proto::Tcp, 9000, "198.18.0.2".parse().unwrap(), 80)
            .host_ports(9000..=9002),
        PortMapping::new(Proto::Tcp, 8081, "198.18.0.2".parse().unwrap(), 80)
            .host_addr("198.18.0.1".parse().unwrap()),
    ]);
    ports.apply(&nft, "np-ports").unwrap();

    // From another host: the container sees that host.
    assert_eq!(
        arrives_from(&remote, "198.18.1.1:8080", &rx).map(|a| a.ip()),
        Some("198.18.1.2".parse().unwrap())
    );
    // Any port of a published range.
    assert!(arrives_from(&remote, "198.18.1.1:9001", &rx).is_some());
    // A port published on one host address only: not on the other.
    assert!(!connects(&remote, "198.18.1.1:8081"));
    // From the host itself (output hook), to its outer address and to the bridge's.
    assert!(arrives_from(&host, "198.18.1.1:8080", &rx).is_some());
    assert!(arrives_from(&host, "198.18.0.1:8081", &rx).is_some());
    // From the container itself, through the host's address (hairpin): masqueraded to the
    // bridge's address, so the answer goes back through the host.
    assert_eq!(
        arrives_from(&c1, "198.18.1.1:8080", &rx).map(|a| a.ip()),
        Some("198.18.0.1".parse().unwrap())
    );
    // Applying again is the same; removing ends it.
    ports.apply(&nft, "np-ports").unwrap();
    assert!(arrives_from(&remote, "198.18.1.1:8080", &rx).is_some());
    ops::remove(&nft, &Table::new(TableFamily::Inet, "np-ports")).unwrap();
    assert!(!connects(&remote, "198.18.1.1:8080"));
}

#[test]
fn isolated_bridges_do_not_reach_each_other() {
    let Some(host) = TestNs::new("nft_iso_host") else {
        return;
    };
    let Some(c1) = TestNs::new("nft_iso_c1") else {
        return;
    };
    let Some(c2) = TestNs::new("nft_iso_c2") else {
        return;
    };
    let Some(c3) = TestNs::new("nft_iso_c3") else {
        return;
    };
    host.ip(&["link", "set", "lo", "up"]);
    bridge(&host, "br0", Some("198.18.0.1/24"));
    bridge(&host, "br1", Some("198.18.2.1/24"));
    port(&host, "br0", "h-c1", &c1, "198.18.0.2/24", "198.18.0.1");
    port(&host, "br0", "h-c2", &c2, "198.18.0.3/24", "198.18.0.1");
    port(&host, "br1", "h-c3", &c3, "198.18.2.2/24", "198.18.2.1");
    forwarding(&host);
    // Bridged traffic goes through the inet hooks (what icc=false needs).
    let s = Sysctls::in_netns(host.ns()).unwrap();
    assert_eq!(s.get("net.bridge.bridge-nf-call-iptables").unwrap(), "1");
    let _rx2 = serve(&c2, "198.18.0.3:7000");
    let _rx3 = serve(&c3, "198.18.2.2:7000");
    let nft = Nft::in_netns(host.ns()).unwrap();

    assert!(
        connects(&c1, "198.18.2.2:7000"),
        "no route between the bridges"
    );
    let iso = Isolation::new().between("br0", "br1");
    iso.apply(&nft, "np-iso").unwrap();
    assert!(!connects(&c1, "198.18.2.2:7000"), "across isolated bridges");
    assert!(
        !connects(&c3, "198.18.0.3:7000"),
        "across isolated bridges, back"
    );
    assert!(connects(&c1, "198.18.0.3:7000"), "within a bridge");
    // No traffic between the ports of br0 either (icc=false).
    Isolation::new()
        .between("br0", "br1")
        .no_inter_port("br0")
        .apply(&nft, "np-iso")
        .unwrap();
    assert!(!connects(&c1, "198.18.0.3:7000"), "between ports of br0");
    ops::remove(&nft, &iso.table("np-iso")).unwrap();
    assert!(connects(&c1, "198.18.2.2:7000"));
    assert!(connects(&c1, "198.18.0.3:7000"));
}

/// Sends one datagram from inside `from` (bound to `src` port) to `to`, and says whether
/// `socket` (inside another namespace) got it.
fn datagram_arrives(from: &TestNs, src: u16, to: &str, socket: &UdpSocket) -> bool {
    let to = sock(to);
    from.ns()
        .run(move || {
            let s = UdpSocket::bind(("0.0.0.0", src))?;
            s.send_to(b"dhcp?", to)
        })
        .unwrap()
        .unwrap();
    socket.set_read_timeout(Some(WAIT)).unwrap();
    let mut buf = [0u8; 16];
    matches!(socket.recv_from(&mut buf), Ok((5, _)))
}

fn udp(t: &TestNs, addr: &str) -> UdpSocket {
    let addr = sock(addr);
    t.ns().run(move || UdpSocket::bind(addr)).unwrap().unwrap()
}

#[test]
fn the_dhcp_filter_stops_dhcp_between_two_bridge_ports_only() {
    let Some(host) = TestNs::new("nft_dhcp_host") else {
        return;
    };
    let Some(vm) = TestNs::new("nft_dhcp_vm") else {
        return;
    };
    let Some(pod) = TestNs::new("nft_dhcp_pod") else {
        return;
    };
    bridge(&host, "br0", None);
    port(&host, "br0", "tap0", &vm, "198.18.0.2/24", "");
    port(&host, "br0", "veth0", &pod, "198.18.0.3/24", "");
    let server = udp(&pod, "0.0.0.0:67");
    let other = udp(&pod, "0.0.0.0:9999");
    let client = udp(&vm, "0.0.0.0:68");
    let nft = Nft::in_netns(host.ns()).unwrap();

    assert!(
        datagram_arrives(&vm, 6800, "198.18.0.3:67", &server),
        "no DHCP before the filter"
    );
    let f = DhcpFilter::new("tap0", "veth0");
    f.apply(&nft, "np-dhcp").unwrap();
    assert!(
        !datagram_arrives(&vm, 6801, "198.18.0.3:67", &server),
        "DHCP crossed tap0 -> veth0"
    );
    assert!(
        !datagram_arrives(&pod, 6802, "198.18.0.2:68", &client),
        "DHCP crossed veth0 -> tap0"
    );
    assert!(
        datagram_arrives(&vm, 6803, "198.18.0.3:9999", &other),
        "other UDP stopped"
    );
    // The same table again, then removed: DHCP passes again.
    f.apply(&nft, "np-dhcp").unwrap();
    assert!(!datagram_arrives(&vm, 6804, "198.18.0.3:67", &server));
    ops::remove(&nft, &f.table("np-dhcp")).unwrap();
    assert!(datagram_arrives(&vm, 6805, "198.18.0.3:67", &server));
}
