//! The main job: plumb two "containers" from nothing, prove they talk, tear it all down.
//!
//! Three anonymous network namespaces stand in for a host and two containers. The "host"
//! gets a bridge `br0` with 198.18.0.1/24 and 2001:db8::1/64; each container gets a veth pair
//! whose container end is created straight inside it as `eth0`, an IPv4 and an IPv6 address,
//! and default routes via the bridge. A UDP exchange over IPv4 and IPv6 between the two
//! containers shows the plumbing works; then everything is deleted.
//!
//! The namespaces are anonymous (held only by file descriptors), so even a crash cannot leave
//! anything behind, and the machine's own namespace is only ever read: its links are listed
//! before and after to show it is unchanged.
//!
//! Run as root: `cargo run --release --example two_containers`.

use netplumb::addr::{AddrFilter, AddrSpec};
use netplumb::link::{Bridge, LinkChange, LinkFilter, LinkSpec, Veth};
use netplumb::route::{RouteFilter, RouteSpec};
use netplumb::{Handle, IpNet, NetNs, Result};
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::process::ExitCode;
use std::time::Duration;

/// One container: its namespace, a handle bound to it, and its addresses.
struct Container {
    name: &'static str,
    ns: NetNs,
    handle: Handle,
    v4: IpNet,
    v6: IpNet,
    host_veth: String,
}

const BRIDGE: &str = "br0";

fn net(s: &str) -> IpNet {
    s.parse().expect("a valid literal prefix")
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("two_containers: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<()> {
    // Read-only look at the machine's own namespace, to prove at the end that it is untouched.
    let machine = Handle::new()?;
    let machine_links_before = link_names(&machine)?;

    let host_ns = NetNs::new_anonymous()?;
    let host = Handle::in_netns(&host_ns)?;
    println!("== building");

    // The "host" side: loopback and a bridge with the containers' gateway addresses.
    host.link_up("lo")?;
    host.link_add(&LinkSpec::new(BRIDGE, Bridge::new().stp(false)).up())?;
    host.addr_add(BRIDGE, &AddrSpec::new(net("198.18.0.1/24")))?;
    host.addr_add(BRIDGE, &AddrSpec::new(net("2001:db8::1/64")).nodad())?;
    println!("host: bridge {BRIDGE} 198.18.0.1/24 2001:db8::1/64");

    let mut containers = Vec::new();
    for (i, name) in ["c1", "c2"].into_iter().enumerate() {
        let c = plumb_container(&host, name, i + 1)?;
        containers.push(c);
    }
    // Everything that was built, from the kernel's own account.
    show("host", &host)?;
    for c in &containers {
        show(c.name, &c.handle)?;
    }

    println!("== talking");
    let (a, b) = (&containers[0], &containers[1]);
    exchange(a, b, a.v4.addr(), b.v4.addr())?;
    exchange(a, b, a.v6.addr(), b.v6.addr())?;

    println!("== tearing down");
    for c in &containers {
        // Deleting the host end deletes the pair, and with it the container's eth0.
        host.link_del(c.host_veth.as_str())?;
        let left = c.handle.link_list(&LinkFilter::new().kind("veth"))?;
        assert_eq!(left.len(), 0, "{}: the veth went with its peer", c.name);
        println!("{}: veth pair deleted", c.name);
    }
    host.link_del(BRIDGE)?;
    println!("host: bridge deleted");
    drop(containers);
    drop(host);
    drop(host_ns); // the last reference: the kernel frees the namespaces now

    let machine_links_after = link_names(&machine)?;
    if machine_links_after != machine_links_before {
        return Err(netplumb::Error::Protocol(format!(
            "the machine's links changed: {machine_links_before:?} -> {machine_links_after:?}"
        )));
    }
    println!(
        "machine namespace unchanged: {} links before and after",
        machine_links_after.len()
    );
    println!("ok");
    Ok(())
}

/// A container: its namespace, a veth pair from the host bridge into it (created directly in
/// the container, so the container end never appears on the host), addresses and routes.
fn plumb_container(host: &Handle, name: &'static str, n: usize) -> Result<Container> {
    let ns = NetNs::new_anonymous()?;
    let host_veth = format!("veth-{name}");
    host.link_add(&LinkSpec::new(
        host_veth.as_str(),
        Veth::new("eth0").netns(&ns),
    ))?;
    host.link_set(host_veth.as_str(), &LinkChange::new().master(BRIDGE).up())?;

    let handle = Handle::in_netns(&ns)?;
    let v4 = net(&format!("198.18.0.{}/24", 10 + n));
    let v6 = net(&format!("2001:db8::{}/64", 10 + n));
    handle.link_up("lo")?;
    handle.link_up("eth0")?;
    handle.addr_add("eth0", &AddrSpec::new(v4))?;
    // No duplicate address detection: the address is usable at once.
    handle.addr_add("eth0", &AddrSpec::new(v6).nodad())?;
    handle.route_add(&RouteSpec::default_v4().via("198.18.0.1".parse().expect("literal")))?;
    handle.route_add(&RouteSpec::default_v6().via("2001:db8::1".parse().expect("literal")))?;
    println!("{name}: eth0 {v4} {v6}, default via 198.18.0.1 and 2001:db8::1");
    Ok(Container {
        name,
        ns,
        handle,
        v4,
        v6,
        host_veth,
    })
}

/// Prints a namespace's links, addresses and routes as the kernel reports them.
fn show(who: &str, h: &Handle) -> Result<()> {
    for l in h.link_list(&LinkFilter::new())? {
        let addrs: Vec<String> = h
            .addr_list(&AddrFilter::new().dev(l.index))?
            .iter()
            .map(|a| a.local.to_string())
            .collect();
        println!(
            "  {who}: {}: {} kind={} mtu={} {} [{}]",
            l.index,
            l.name,
            l.kind.as_deref().unwrap_or("-"),
            l.mtu.unwrap_or_default(),
            if l.is_up() { "UP" } else { "DOWN" },
            addrs.join(" ")
        );
    }
    for r in h.route_list(&RouteFilter::new())? {
        let via = r.gateway.map(|g| format!(" via {g}")).unwrap_or_default();
        println!("  {who}: route {}{via}", r.destination);
    }
    Ok(())
}

/// A UDP round trip from `a` to `b`: the sockets are opened inside each container's
/// namespace (a socket keeps the namespace it was created in) and used from this thread.
fn exchange(a: &Container, b: &Container, from: IpAddr, to: IpAddr) -> Result<()> {
    let io = |op: &str| {
        let op = op.to_string();
        move |e: std::io::Error| netplumb::Error::io(op, e)
    };
    let server =
        b.ns.run(move || UdpSocket::bind(SocketAddr::new(to, 0)))?
            .map_err(io("bind server"))?;
    let client =
        a.ns.run(move || UdpSocket::bind(SocketAddr::new(from, 0)))?
            .map_err(io("bind client"))?;
    let wait = Some(Duration::from_millis(500));
    server.set_read_timeout(wait).map_err(io("timeout"))?;
    client.set_read_timeout(wait).map_err(io("timeout"))?;
    let dest = server.local_addr().map_err(io("local_addr"))?;
    let mut buf = [0u8; 64];
    // Neighbour discovery may drop the first datagram: try a few times, then give up.
    for _ in 0..10 {
        client.send_to(b"ping", dest).map_err(io("send"))?;
        let Ok((n, peer)) = server.recv_from(&mut buf) else {
            continue;
        };
        server.send_to(&buf[..n], peer).map_err(io("reply"))?;
        let (m, _) = client.recv_from(&mut buf).map_err(io("receive reply"))?;
        if &buf[..m] == b"ping" {
            println!("{} {from} -> {} {to}: ping, echoed back", a.name, b.name);
            return Ok(());
        }
    }
    Err(netplumb::Error::Timeout(Duration::from_secs(5)))
}

fn link_names(h: &Handle) -> Result<Vec<String>> {
    let mut names: Vec<String> = h
        .link_list(&LinkFilter::new())?
        .into_iter()
        .map(|l| l.name)
        .collect();
    names.sort();
    Ok(names)
}
