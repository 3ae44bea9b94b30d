//! A CNI result handed to the VM side: the real bridge plugin ADDs a pod, its result
//! becomes the VM side's pod information ([`CniResult::pod_interface_info`]), the VM side
//! sets the pod up for a VM (the test plays the VM: it asks for the gateway's MAC through
//! the tap), and teardown and DEL leave the pod as it was.

use crate::fixture::*;
use netplumb::MacAddr;
use netplumb::container::vm::{self, ContainerSideNetwork, SetupOptions};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::Ipv4Addr;
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

/// The pod's links, addresses and routes as `ip -j` shows them, less what changes with time
/// alone (timers, duplicate address detection).
fn snapshot(pod: &Pod) -> Value {
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
    let t = pod.ns();
    let mut v = serde_json::json!({
        "links": t.ip_json(&["-d", "link", "show"]),
        "addrs": t.ip_json(&["addr", "show"]),
        "routes": t.ip_json(&["route", "show", "table", "all"]),
    });
    scrub(&mut v);
    v
}

/// Writes an ARP request for `gw` from `mac`/`ip` into the tap and returns the MAC in the
/// reply read back from it (asking again every second, as a VM's stack does; panics after
/// a while: a hang guard, not a timing assertion).
fn arp_through_tap(tap: &mut std::fs::File, mac: MacAddr, ip: Ipv4Addr, gw: Ipv4Addr) -> MacAddr {
    let fl = nix::fcntl::fcntl(tap.as_fd(), nix::fcntl::FcntlArg::F_GETFL).unwrap();
    let fl = nix::fcntl::OFlag::from_bits_retain(fl) | nix::fcntl::OFlag::O_NONBLOCK;
    nix::fcntl::fcntl(tap.as_fd(), nix::fcntl::FcntlArg::F_SETFL(fl)).unwrap();
    let mut req = vec![0xff; 6];
    req.extend_from_slice(&mac.0);
    req.extend_from_slice(&[0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1]);
    req.extend_from_slice(&mac.0);
    req.extend_from_slice(&ip.octets());
    req.extend_from_slice(&[0; 6]);
    req.extend_from_slice(&gw.octets());
    req.resize(60, 0);
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut resend = Instant::now();
    let mut buf = [0u8; 2048];
    loop {
        if Instant::now() >= resend {
            tap.write_all(&req).unwrap();
            resend = Instant::now() + Duration::from_secs(1);
        }
        match tap.read(&mut buf) {
            Ok(n) => {
                let r = &buf[..n];
                if r.len() >= 42
                    && r[0..6] == mac.0
                    && r[12..14] == [0x08, 0x06]
                    && r[20..22] == [0, 2]
                    && r[28..32] == gw.octets()
                {
                    return MacAddr(r[22..28].try_into().unwrap());
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                assert!(
                    Instant::now() < deadline,
                    "no ARP reply came back from the tap"
                );
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => panic!("read tap: {e}"),
        }
    }
}

#[test]
fn a_bridge_plugin_result_sets_up_the_vm_side() {
    with_host("cni_result_to_vm", |h| {
        let cni = h.cni();
        let net = "np-vm";
        let l = parse(&list(
            net,
            "1.0.0",
            vec![bridge(h, "npbr0", &["198.18.24.0/24"])],
        ));
        let pod = Pod::new("cni_vm");
        pod.ns().ip(&["link", "set", "lo", "up"]);
        pod.ns().dad_off();
        let before_add = snapshot(&pod);
        let rt = pod.rt("v1", "eth0");
        let r = cni.add_list(&l, &rt, None).unwrap();

        // The conversion agrees with what the VM side reads off the link itself (the MTU
        // only comes from a 1.1.0 result).
        let info = r.pod_interface_info(&pod.path).unwrap();
        let read = vm::extract_link_info(&pod.ns().handle(), "eth0").unwrap();
        assert_eq!(info.mtu, None);
        assert_eq!(
            info,
            vm::PodInterfaceInfo {
                mtu: None,
                ..read.clone()
            }
        );
        assert_eq!(info.gateway, Some("198.18.24.1".parse().unwrap()));
        let eth0 = r.interfaces.iter().find(|i| i.name == "eth0").unwrap();
        assert_eq!(info.mac, Some(eth0.mac.parse().unwrap()));

        let after_add = snapshot(&pod);
        let opts = SetupOptions::new().interfaces(vec![info.clone()]);
        let mut n = ContainerSideNetwork::setup(pod.netns(), &opts).unwrap();
        let iface = &mut n.interfaces_mut()[0];
        // Given info is taken as it is, with the link's MTU where the result had none.
        let with_mtu = vm::PodInterfaceInfo {
            mtu: read.mtu,
            ..info.clone()
        };
        assert_eq!(iface.info, with_mtu);
        assert_eq!(iface.mac(), info.mac.unwrap());
        // The VM, behind the tap with the pod's MAC and address, reaches the gateway: the
        // host's bridge.
        let std::net::IpAddr::V4(ip) = info.address.addr() else {
            panic!("{} is not IPv4", info.address)
        };
        let bridge_mac: MacAddr = host_links()
            .iter()
            .find(|l| l["ifname"] == "npbr0")
            .and_then(|l| l["address"].as_str())
            .unwrap()
            .parse()
            .unwrap();
        let mut tap = iface.take_tap().unwrap();
        let gw = "198.18.24.1".parse().unwrap();
        assert_eq!(arp_through_tap(&mut tap, iface.mac(), ip, gw), bridge_mac);
        drop(tap);

        n.teardown().unwrap();
        assert_eq!(snapshot(&pod), after_add);
        cni.del_list(&l, &rt, None).unwrap();
        assert_eq!(snapshot(&pod), before_add);
        h.assert_clean(net);
    });
}
