//! Link operations against the kernel, each test in its own namespace, checked against
//! `ip -j -d link show` there.
use crate::common;
use common::TestNs;

use netplumb::link::{
    Bridge, LinkChange, LinkFilter, LinkKind, LinkSpec, Macvlan, MacvlanMode, NetNsRef, Veth, Vxlan,
};
use netplumb::{Error, Handle, MacAddr, NetNs};
use serde_json::Value;
use std::time::Duration;

/// `ip -j -d link show dev NAME`, the one object.
fn show(t: &TestNs, name: &str) -> Value {
    let v = t.ip_json(&["-d", "link", "show", "dev", name]);
    v[0].clone()
}

/// Whether `ip link show dev NAME` finds the link.
fn exists(t: &TestNs, name: &str) -> bool {
    t.try_ip(&["link", "show", "dev", name]).status.success()
}

fn mac(s: &str) -> MacAddr {
    s.parse().unwrap()
}

fn assert_kernel_errno(e: &Error, errno: i32) {
    assert_eq!(e.errno(), Some(errno), "{e}");
    assert!(matches!(e, Error::Kernel(_)), "{e:?}");
}

// ---------------------------------------------------------------- create

#[test]
fn veth_with_settings_for_both_ends() {
    let Some(t) = TestNs::new("veth_with_settings_for_both_ends") else {
        return;
    };
    let h = t.handle();
    let peer = Veth::new("npv1")
        .mtu(1300)
        .address(mac("02:00:5e:00:00:02"))
        .txqlen(600)
        .group(4);
    let spec = LinkSpec::new("npv0", peer)
        .mtu(1400)
        .address(mac("02:00:5e:00:00:01"))
        .txqlen(500)
        .group(3);
    h.link_add(&spec).unwrap();

    let a = show(&t, "npv0");
    assert_eq!(a["linkinfo"]["info_kind"], "veth");
    assert_eq!(a["link"], "npv1");
    assert_eq!(a["mtu"], 1400);
    assert_eq!(a["address"], "02:00:5e:00:00:01");
    assert_eq!(a["txqlen"], 500);
    assert_eq!(a["group"], "3");
    let b = show(&t, "npv1");
    assert_eq!(b["link"], "npv0");
    assert_eq!(b["mtu"], 1300);
    assert_eq!(b["address"], "02:00:5e:00:00:02");
    assert_eq!(b["txqlen"], 600);
    assert_eq!(b["group"], "4");
    // Neither is up: nothing asked for it.
    assert!(!a["flags"].as_array().unwrap().contains(&"UP".into()));
}

#[test]
fn veth_peer_created_straight_into_another_namespace() {
    let Some(t) = TestNs::new("veth_peer_created_straight_into_another_namespace") else {
        return;
    };
    let Some(t2) = TestNs::new("veth_peer_created_straight_into_another_namespace/2") else {
        return;
    };
    let h = t.handle();
    h.link_add(&LinkSpec::new(
        "nphost0",
        Veth::new("eth0").netns(t2.ns()).mtu(1450),
    ))
    .unwrap();
    assert_eq!(t.ip_link_names(), ["lo", "nphost0"]);
    assert_eq!(t2.ip_link_names(), ["eth0", "lo"]);
    let peer = show(&t2, "eth0");
    assert_eq!(peer["mtu"], 1450);
    // The peer cannot be set up by the creating request; its own namespace does it.
    t2.handle().link_up("eth0").unwrap();
    assert!(
        show(&t2, "eth0")["flags"]
            .as_array()
            .unwrap()
            .contains(&"UP".into())
    );
    // This end names its peer by index in another namespace.
    let here = h.link_get("nphost0").unwrap();
    assert!(here.link_netnsid.is_some(), "{here:?}");
    assert_eq!(here.link, Some(peer["ifindex"].as_u64().unwrap() as u32));
}

#[test]
fn link_created_directly_in_a_target_namespace_up_and_in_a_group() {
    let Some(t) = TestNs::new("link_created_directly_in_a_target_namespace") else {
        return;
    };
    let Some(t2) = TestNs::new("link_created_directly_in_a_target_namespace/2") else {
        return;
    };
    let h = t.handle();
    // The container pattern: the link goes to the container, its peer stays here.
    h.link_add(&LinkSpec::veth("npc0", "nph0").netns(t2.ns()).up().group(9))
        .unwrap();
    assert_eq!(t.ip_link_names(), ["lo", "nph0"]);
    assert_eq!(t2.ip_link_names(), ["lo", "npc0"]);
    let c = show(&t2, "npc0");
    assert!(c["flags"].as_array().unwrap().contains(&"UP".into()));
    assert_eq!(c["group"], "9");

    h.link_add(&LinkSpec::bridge("npbr9").netns(t2.ns()).up())
        .unwrap();
    assert!(!exists(&t, "npbr9"));
    let b = show(&t2, "npbr9");
    assert_eq!(b["linkinfo"]["info_kind"], "bridge");
    assert!(b["flags"].as_array().unwrap().contains(&"UP".into()));
}

#[test]
fn bridge_with_options() {
    let Some(t) = TestNs::new("bridge_with_options") else {
        return;
    };
    let h = t.handle();
    let b = Bridge::new()
        .stp(true)
        .forward_delay(Duration::from_secs(4))
        .hello_time(Duration::from_secs(1))
        .max_age(Duration::from_secs(10))
        .ageing_time(Duration::from_secs(120))
        .priority(0x1000);
    h.link_add(
        &LinkSpec::new("npbr0", b)
            .address(mac("02:00:5e:00:01:01"))
            .mtu(1400),
    )
    .unwrap();
    let j = show(&t, "npbr0");
    assert_eq!(j["address"], "02:00:5e:00:01:01");
    assert_eq!(j["mtu"], 1400);
    let d = &j["linkinfo"]["info_data"];
    assert_eq!(j["linkinfo"]["info_kind"], "bridge");
    assert_eq!(d["stp_state"], 1);
    assert_eq!(d["forward_delay"], 400);
    assert_eq!(d["hello_time"], 100);
    assert_eq!(d["max_age"], 1000);
    assert_eq!(d["ageing_time"], 12000);
    assert_eq!(d["priority"], 4096);

    // The defaults, for contrast: the options above were not what the kernel does anyway.
    h.link_add(&LinkSpec::bridge("npbr1")).unwrap();
    let d = show(&t, "npbr1")["linkinfo"]["info_data"].clone();
    assert_eq!(d["stp_state"], 0);
    assert_eq!(d["forward_delay"], 1500);
    assert_eq!(d["ageing_time"], 30000);
}

#[test]
fn bridge_vlan_filtering_comes_back_as_the_kernels_error() {
    let Some(t) = TestNs::new("bridge_vlan_filtering_comes_back_as_the_kernels_error") else {
        return;
    };
    let h = t.handle();
    let e = h
        .link_add(&LinkSpec::new("npbrv", Bridge::new().vlan_filtering(true)))
        .unwrap_err();
    // This kernel is built without CONFIG_BRIDGE_VLAN_FILTERING.
    assert_kernel_errno(&e, libc::EOPNOTSUPP);
    assert!(e.is_not_supported(), "{e}");
    assert!(!exists(&t, "npbrv"));
    assert_eq!(t.ip_link_names(), ["lo"]);
}

#[test]
fn macvlan_and_macvtap_in_every_mode() {
    let Some(t) = TestNs::new("macvlan_and_macvtap_in_every_mode") else {
        return;
    };
    let h = t.handle();
    h.link_add(&LinkSpec::veth("nplow0", "nplow1")).unwrap();
    h.link_add(&LinkSpec::veth("nppt0", "nppt1")).unwrap();
    h.link_add(&LinkSpec::veth("nptap0", "nptap1")).unwrap();
    let modes = [
        (MacvlanMode::Private, "private"),
        (MacvlanMode::Vepa, "vepa"),
        (MacvlanMode::Bridge, "bridge"),
        (MacvlanMode::Source, "source"),
    ];
    for (i, (mode, text)) in modes.iter().enumerate() {
        let name = format!("npmv{i}");
        h.link_add(&LinkSpec::macvlan(&name, "nplow0", *mode))
            .unwrap();
        let j = show(&t, &name);
        assert_eq!(j["linkinfo"]["info_kind"], "macvlan", "{name}");
        assert_eq!(j["linkinfo"]["info_data"]["mode"], *text, "{name}");
        assert_eq!(j["link"], "nplow0", "{name}");
    }
    // passthru takes the whole lower device, so it gets its own, given by index.
    let lower = h.link_index("nppt0").unwrap();
    h.link_add(&LinkSpec::new(
        "npmvpt",
        Macvlan::new(lower, MacvlanMode::Passthru),
    ))
    .unwrap();
    let j = show(&t, "npmvpt");
    assert_eq!(j["linkinfo"]["info_data"]["mode"], "passthru");
    assert_eq!(j["link"], "nppt0");

    for (i, (mode, text)) in [(MacvlanMode::Vepa, "vepa"), (MacvlanMode::Bridge, "bridge")]
        .iter()
        .enumerate()
    {
        let name = format!("npmvt{i}");
        h.link_add(&LinkSpec::macvtap(&name, "nptap0", *mode))
            .unwrap();
        let j = show(&t, &name);
        assert_eq!(j["linkinfo"]["info_kind"], "macvtap", "{name}");
        assert_eq!(j["linkinfo"]["info_data"]["mode"], *text, "{name}");
        assert_eq!(j["link"], "nptap0", "{name}");
    }

    // A parent that does not exist is named in the error, and nothing is sent.
    let e = h
        .link_add(&LinkSpec::macvlan("npmvx", "nosuch0", MacvlanMode::Bridge))
        .unwrap_err();
    assert!(
        matches!(&e, Error::NotFound { name, .. } if name == "nosuch0"),
        "{e}"
    );
}

#[test]
fn vxlan_with_options() {
    let Some(t) = TestNs::new("vxlan_with_options") else {
        return;
    };
    let h = t.handle();
    let vx = Vxlan::new(42)
        .local("198.18.0.1".parse().unwrap())
        .remote("198.18.0.2".parse().unwrap())
        .port(4789)
        .ttl(16)
        .learning(false);
    h.link_add(&LinkSpec::new("npvx0", vx)).unwrap();
    let j = show(&t, "npvx0");
    let d = &j["linkinfo"]["info_data"];
    assert_eq!(j["linkinfo"]["info_kind"], "vxlan");
    assert_eq!(d["id"], 42);
    assert_eq!(d["local"], "198.18.0.1");
    assert_eq!(d["remote"], "198.18.0.2");
    assert_eq!(d["port"], 4789);
    assert_eq!(d["ttl"], 16);
    assert_eq!(d["learning"], false);

    // Multicast group on a device.
    h.link_add(&LinkSpec::veth("npund0", "npund1")).unwrap();
    let vx = Vxlan::new(43)
        .group("239.1.1.1".parse().unwrap())
        .dev("npund0")
        .port(4789)
        .learning(true);
    h.link_add(&LinkSpec::new("npvx1", vx)).unwrap();
    let d = show(&t, "npvx1")["linkinfo"]["info_data"].clone();
    assert_eq!(d["id"], 43);
    assert_eq!(d["group"], "239.1.1.1");
    assert_eq!(d["link"], "npund0");
    assert_eq!(d["learning"], true);

    // IPv6 endpoints.
    let vx = Vxlan::new(44)
        .local("2001:db8::1".parse().unwrap())
        .remote("2001:db8::2".parse().unwrap())
        .port(4790);
    h.link_add(&LinkSpec::new("npvx6", vx)).unwrap();
    let d = show(&t, "npvx6")["linkinfo"]["info_data"].clone();
    assert_eq!(d["id"], 44);
    assert_eq!(d["local6"], "2001:db8::1");
    assert_eq!(d["remote6"], "2001:db8::2");
    assert_eq!(d["port"], 4790);

    // Read back through the crate too.
    let l = h.link_get("npvx0").unwrap();
    assert_eq!(l.kind.as_deref(), Some("vxlan"));
    let Some(netplumb::link::InfoData::Vxlan(attrs)) = l.kind_data() else {
        panic!("{:?}", l.kind_data());
    };
    assert!(attrs.contains(&netplumb::wire::link::VxlanAttr::Id(42)));
    assert!(attrs.contains(&netplumb::wire::link::VxlanAttr::Port(4789)));
}

#[test]
fn ifb() {
    let Some(t) = TestNs::new("ifb") else {
        return;
    };
    let h = t.handle();
    h.link_add(&LinkSpec::ifb("npifb0").txqlen(64).up())
        .unwrap();
    let j = show(&t, "npifb0");
    assert_eq!(j["linkinfo"]["info_kind"], "ifb");
    assert_eq!(j["txqlen"], 64);
    assert!(j["flags"].as_array().unwrap().contains(&"UP".into()));
}

#[test]
fn unsupported_kind_fails_with_the_kernels_error() {
    let Some(t) = TestNs::new("unsupported_kind_fails_with_the_kernels_error") else {
        return;
    };
    let h = t.handle();
    for kind in ["dummy", "vlan", "bond"] {
        let e = h.link_add(&LinkSpec::other("npx0", kind)).unwrap_err();
        assert_kernel_errno(&e, libc::EOPNOTSUPP);
        assert!(e.is_not_supported(), "{kind}: {e}");
        assert_eq!(
            e.kernel().unwrap().message.as_deref(),
            Some("Unknown device type"),
            "{kind}"
        );
    }
    assert_eq!(t.ip_link_names(), ["lo"]);
}

#[test]
fn existing_name_is_eexist_with_the_kernels_text_and_changes_nothing() {
    let Some(t) = TestNs::new("existing_name_is_eexist") else {
        return;
    };
    let h = t.handle();
    h.link_add(&LinkSpec::veth("npdup0", "npdup1")).unwrap();
    let before = t.ip_json(&["link", "show"]);
    let e = h.link_add(&LinkSpec::bridge("npdup0")).unwrap_err();
    assert!(e.is_exists(), "{e}");
    assert_kernel_errno(&e, libc::EEXIST);
    assert!(e.to_string().contains("File exists"), "{e}");
    assert!(!e.kernel().unwrap().text().is_empty());
    // The peer's name taken: also EEXIST, and no half-made pair is left.
    let e = h.link_add(&LinkSpec::veth("npnew0", "npdup1")).unwrap_err();
    assert!(e.is_exists(), "{e}");
    assert_eq!(t.ip_json(&["link", "show"]), before);
}

#[test]
fn invalid_input_is_refused_before_sending() {
    let Some(t) = TestNs::new("invalid_input_is_refused_before_sending") else {
        return;
    };
    let h = t.handle();
    h.link_add(&LinkSpec::veth("npok0", "npok1")).unwrap();
    let before = t.ip_json(&["link", "show"]);
    let bad_specs = [
        LinkSpec::veth("0123456789abcdef", "npok2"),
        LinkSpec::veth("np/0", "npok2"),
        LinkSpec::veth("np 0", "npok2"),
        LinkSpec::veth("np\t0", "npok2"),
        LinkSpec::veth("npok2", "0123456789abcdef"),
        LinkSpec::veth("npok2", "npok3").mtu(0),
        LinkSpec::new("npok2", Veth::new("npok3").mtu(0)),
        LinkSpec::bridge("npok2").address(mac("01:00:5e:00:00:01")),
        LinkSpec::bridge("npok2").address(MacAddr([0; 6])),
        LinkSpec::new("npok2", Vxlan::new(1 << 24)),
        LinkSpec::new(
            "npok2",
            Vxlan::new(1)
                .local("198.18.0.1".parse().unwrap())
                .remote("2001:db8::2".parse().unwrap()),
        ),
        LinkSpec::new("npok2", Vxlan::new(1).remote("239.1.1.1".parse().unwrap())),
        LinkSpec::macvlan("npok2", "bad/parent", MacvlanMode::Bridge),
        // A reference (here the master) may be an alternative name of up to 127 bytes.
        LinkSpec::bridge("npok2").master("a".repeat(128)),
        LinkSpec::bridge("npok2").master("bad:name"),
        LinkSpec::other("npok2", ""),
    ];
    for s in &bad_specs {
        let e = h.link_add(s).unwrap_err();
        assert!(matches!(e, Error::InvalidInput { .. }), "{s:?}: {e}");
    }
    let bad_changes = [
        LinkChange::new().mtu(0),
        LinkChange::new().name("0123456789abcdef"),
        LinkChange::new().name("a/b"),
        LinkChange::new().name("a b"),
        LinkChange::new().address(mac("ff:ff:ff:ff:ff:ff")),
        LinkChange::new().alias("x".repeat(256)),
    ];
    for c in &bad_changes {
        let e = h.link_set("npok0", c).unwrap_err();
        assert!(matches!(e, Error::InvalidInput { .. }), "{c:?}: {e}");
    }
    assert!(matches!(
        h.link_set("np/ok", &LinkChange::new().up()).unwrap_err(),
        Error::InvalidInput { .. }
    ));
    assert!(h.link_del("0123456789abcdef:").unwrap_err().is_invalid());
    assert!(h.link_del("a".repeat(128)).unwrap_err().is_invalid());
    // 16 bytes is a valid alternative name: the kernel answers that there is none.
    assert!(h.link_del("0123456789abcdef").unwrap_err().is_not_found());
    assert!(h.link_get(0u32).unwrap_err().is_invalid());
    // A MAC that does not parse never becomes a request at all.
    for s in [
        "02:00:5e:00:00:zz",
        "02:00:5e:00:00",
        "02-00-5e-00-00-01",
        "",
    ] {
        assert!(s.parse::<MacAddr>().unwrap_err().is_invalid(), "{s}");
    }
    assert_eq!(t.ip_json(&["link", "show"]), before);
}

// ---------------------------------------------------------------- change

#[test]
fn every_change_is_seen_by_ip() {
    let Some(t) = TestNs::new("every_change_is_seen_by_ip") else {
        return;
    };
    let h = t.handle();
    h.link_add(&LinkSpec::veth("npch0", "npch1")).unwrap();
    let up = |j: &Value| j["flags"].as_array().unwrap().contains(&"UP".into());

    h.link_up("npch0").unwrap();
    assert!(up(&show(&t, "npch0")));
    assert!(h.link_get("npch0").unwrap().is_up());
    h.link_down("npch0").unwrap();
    assert!(!up(&show(&t, "npch0")));

    h.link_set_mtu("npch0", 1280).unwrap();
    assert_eq!(show(&t, "npch0")["mtu"], 1280);

    h.link_set_address("npch0", mac("02:00:5e:00:02:01"))
        .unwrap();
    assert_eq!(show(&t, "npch0")["address"], "02:00:5e:00:02:01");

    h.link_set("npch0", &LinkChange::new().txqlen(77)).unwrap();
    assert_eq!(show(&t, "npch0")["txqlen"], 77);

    h.link_set("npch0", &LinkChange::new().alias("container eth0"))
        .unwrap();
    assert_eq!(show(&t, "npch0")["ifalias"], "container eth0");
    assert_eq!(
        h.link_get("npch0").unwrap().alias.as_deref(),
        Some("container eth0")
    );
    h.link_set("npch0", &LinkChange::new().alias("")).unwrap();
    assert!(show(&t, "npch0").get("ifalias").is_none());

    h.link_set("npch0", &LinkChange::new().group(12)).unwrap();
    assert_eq!(show(&t, "npch0")["group"], "12");

    let index = h.link_index("npch0").unwrap();
    h.link_rename("npch0", "npren0").unwrap();
    assert!(!exists(&t, "npch0"));
    assert_eq!(show(&t, "npren0")["ifindex"], index);
    // Several fields in one request, by index.
    h.link_set(index, &LinkChange::new().name("npren1").mtu(1400).up())
        .unwrap();
    let j = show(&t, "npren1");
    assert_eq!(j["mtu"], 1400);
    assert!(up(&j));
    assert_eq!(j["ifindex"], index);

    // The kernel's own refusals come back typed.
    let e = h.link_set_mtu("npren1", 10).unwrap_err();
    assert!(e.is_invalid(), "{e}");
    let e = h.link_rename("npren1", "npch1").unwrap_err();
    assert!(e.is_exists(), "{e}");
}

#[test]
fn renaming_an_up_link_is_allowed_or_busy() {
    let Some(t) = TestNs::new("renaming_an_up_link_is_allowed_or_busy") else {
        return;
    };
    let h = t.handle();
    h.link_add(&LinkSpec::veth("npup0", "npup1").up()).unwrap();
    // Linux 6.2 started to allow renaming a link that is up; before, EBUSY.
    match h.link_rename("npup0", "npup2") {
        Ok(()) => {
            assert!(exists(&t, "npup2") && !exists(&t, "npup0"));
        }
        Err(e) => {
            assert!(e.is_busy(), "{e}");
            assert_kernel_errno(&e, libc::EBUSY);
            assert!(exists(&t, "npup0"));
        }
    }
}

#[test]
fn busy_is_typed() {
    let Some(t) = TestNs::new("busy_is_typed") else {
        return;
    };
    let h = t.handle();
    // A link that carries a macvlan cannot also be a bridge port: EBUSY.
    h.link_add(&LinkSpec::veth("npbz0", "npbz1")).unwrap();
    h.link_add(&LinkSpec::macvlan("npbzmv", "npbz0", MacvlanMode::Bridge))
        .unwrap();
    h.link_add(&LinkSpec::bridge("npbzbr")).unwrap();
    let e = h.link_set_master("npbz0", "npbzbr").unwrap_err();
    assert!(e.is_busy(), "{e}");
    assert_kernel_errno(&e, libc::EBUSY);
    assert!(show(&t, "npbz0").get("master").is_none());
}

#[test]
fn master_nomaster_and_bridge_port_options() {
    let Some(t) = TestNs::new("master_nomaster_and_bridge_port_options") else {
        return;
    };
    let h = t.handle();
    h.link_add(&LinkSpec::bridge("npbr0")).unwrap();
    h.link_add(&LinkSpec::veth("npp0", "npp1")).unwrap();
    h.link_add(&LinkSpec::veth("npq0", "npq1").master("npbr0"))
        .unwrap();
    assert_eq!(show(&t, "npq0")["master"], "npbr0");

    h.link_set_master("npp0", "npbr0").unwrap();
    assert_eq!(show(&t, "npp0")["master"], "npbr0");
    let br = h.link_index("npbr0").unwrap();
    assert_eq!(h.link_get("npp0").unwrap().master, Some(br));

    h.link_set(
        "npp0",
        &LinkChange::new().hairpin(true).learning(false).flood(false),
    )
    .unwrap();
    let d = show(&t, "npp0")["linkinfo"]["info_slave_data"].clone();
    assert_eq!(d["hairpin"], true);
    assert_eq!(d["learning"], false);
    assert_eq!(d["flood"], false);
    h.link_set(
        "npp0",
        &LinkChange::new().hairpin(false).learning(true).flood(true),
    )
    .unwrap();
    let d = show(&t, "npp0")["linkinfo"]["info_slave_data"].clone();
    assert_eq!(d["hairpin"], false);
    assert_eq!(d["learning"], true);
    assert_eq!(d["flood"], true);
    let l = h.link_get("npp0").unwrap();
    assert_eq!(l.info().unwrap().slave_kind(), Some("bridge"));

    h.link_set_nomaster("npp0").unwrap();
    assert!(show(&t, "npp0").get("master").is_none());
    assert_eq!(h.link_get("npp0").unwrap().master, None);

    // Master and port options together (two requests under the hood).
    h.link_set(
        "npp0",
        &LinkChange::new().master("npbr0").hairpin(true).up(),
    )
    .unwrap();
    let j = show(&t, "npp0");
    assert_eq!(j["master"], "npbr0");
    assert_eq!(j["linkinfo"]["info_slave_data"]["hairpin"], true);

    // Port options on a link with no master: the kernel refuses.
    let e = h
        .link_set("npp1", &LinkChange::new().hairpin(true))
        .unwrap_err();
    assert!(matches!(e, Error::Kernel(_)), "{e}");
}

#[test]
fn move_to_a_namespace_by_fd_with_rename() {
    let Some(t) = TestNs::new("move_to_a_namespace_by_fd_with_rename") else {
        return;
    };
    let Some(t2) = TestNs::new("move_to_a_namespace_by_fd_with_rename/2") else {
        return;
    };
    let h = t.handle();
    h.link_add(&LinkSpec::veth("npmv0", "npmv1")).unwrap();
    h.link_set(
        "npmv1",
        &LinkChange::new().netns(t2.ns()).name("eth0").mtu(1400),
    )
    .unwrap();
    assert_eq!(t.ip_link_names(), ["lo", "npmv0"]);
    assert_eq!(t2.ip_link_names(), ["eth0", "lo"]);
    assert_eq!(show(&t2, "eth0")["mtu"], 1400);

    // And the plain wrapper, moving it back.
    let h2 = t2.handle();
    h2.link_set_netns("eth0", t.ns()).unwrap();
    assert_eq!(t.ip_link_names(), ["eth0", "lo", "npmv0"]);
    assert_eq!(t2.ip_link_names(), ["lo"]);
}

#[test]
fn move_to_a_namespace_by_pid_with_rename() {
    let Some(t) = TestNs::new("move_to_a_namespace_by_pid_with_rename") else {
        return;
    };
    let Some(t2) = TestNs::new("move_to_a_namespace_by_pid_with_rename/2") else {
        return;
    };
    let mut child = std::process::Command::new("ip")
        .args(["netns", "exec", t2.name(), "sleep", "30"])
        .spawn()
        .expect("spawn ip netns exec");
    let pid = child.id();
    // Wait (bounded) until the child has entered the namespace.
    let mut entered = false;
    for _ in 0..500 {
        if NetNs::from_pid(pid).is_ok_and(|ns| ns.inode() == t2.ns().inode()) {
            entered = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let result = (|| -> netplumb::Result<()> {
        assert!(entered, "the child never entered {}", t2.name());
        let h = t.handle();
        h.link_add(&LinkSpec::veth("nppid0", "nppid1"))?;
        h.link_set(
            "nppid1",
            &LinkChange::new().netns(NetNsRef::Pid(pid)).name("eth1"),
        )?;
        Ok(())
    })();
    child.kill().expect("kill the child by its pid");
    child.wait().expect("reap the child");
    result.unwrap();
    assert_eq!(t.ip_link_names(), ["lo", "nppid0"]);
    assert_eq!(t2.ip_link_names(), ["eth1", "lo"]);
    assert_eq!(show(&t2, "eth1")["linkinfo"]["info_kind"], "veth");
}

// ---------------------------------------------------------------- read

/// The fields of a [`netplumb::link::Link`] that `ip -j -d link show` also reports.
fn assert_link_matches_ip(l: &netplumb::link::Link, j: &Value) {
    assert_eq!(j["ifindex"], l.index);
    assert_eq!(j["ifname"], l.name.as_str());
    assert_eq!(j["mtu"], l.mtu.unwrap());
    assert_eq!(j["min_mtu"], l.min_mtu.unwrap());
    assert_eq!(j["max_mtu"], l.max_mtu.unwrap());
    assert_eq!(j["txqlen"], l.txqlen.unwrap());
    assert_eq!(j["address"], l.address.unwrap().to_string());
    assert_eq!(j["broadcast"], l.broadcast.unwrap().to_string());
    assert_eq!(
        j["operstate"],
        format!("{:?}", l.operstate.unwrap()).to_uppercase()
    );
    assert_eq!(j["linkinfo"]["info_kind"], l.kind.as_deref().unwrap());
    assert_eq!(
        j["flags"].as_array().unwrap().contains(&"UP".into()),
        l.is_up()
    );
    let group = l.group.unwrap();
    let want = if group == 0 {
        "default".to_string()
    } else {
        group.to_string()
    };
    assert_eq!(j["group"], want);
    assert_eq!(j.get("ifalias").and_then(Value::as_str), l.alias.as_deref());
}

#[test]
fn get_by_name_and_by_index() {
    let Some(t) = TestNs::new("get_by_name_and_by_index") else {
        return;
    };
    let h = t.handle();
    h.link_add(&LinkSpec::bridge("npbr0")).unwrap();
    h.link_add(
        &LinkSpec::veth("npg0", "npg1")
            .master("npbr0")
            .mtu(1400)
            .group(5)
            .up(),
    )
    .unwrap();
    h.link_set("npg0", &LinkChange::new().alias("hello"))
        .unwrap();
    let j = show(&t, "npg0");
    let by_name = h.link_get("npg0").unwrap();
    assert_link_matches_ip(&by_name, &j);
    assert_eq!(by_name.master, Some(h.link_index("npbr0").unwrap()));
    assert_eq!(by_name.link, Some(h.link_index("npg1").unwrap()));
    assert_eq!(by_name.carrier, Some(false)); // the peer is down
    assert_eq!(by_name.message.name(), Some("npg0"));

    let by_index = h.link_get(by_name.index).unwrap();
    assert_eq!(by_index.name, "npg0");
    assert_link_matches_ip(&by_index, &j);

    let lo = h.link_get("lo").unwrap();
    assert_eq!(lo.index, 1);
    assert!(lo.flags.contains(netplumb::link::IfFlags::LOOPBACK));
}

#[test]
fn missing_device_is_not_found() {
    let Some(t) = TestNs::new("missing_device_is_not_found") else {
        return;
    };
    let h = t.handle();
    let nf = |e: Error, name: &str| {
        assert!(
            matches!(&e, Error::NotFound { what: "link", name: n } if n == name),
            "{e:?}"
        );
        assert!(e.is_not_found());
    };
    nf(h.link_get("nosuch0").unwrap_err(), "nosuch0");
    nf(h.link_get(999u32).unwrap_err(), "index 999");
    nf(h.link_del("nosuch0").unwrap_err(), "nosuch0");
    nf(h.link_up("nosuch0").unwrap_err(), "nosuch0");
    nf(
        h.link_set(999u32, &LinkChange::new().mtu(1400))
            .unwrap_err(),
        "index 999",
    );
    nf(h.link_rename("nosuch0", "other0").unwrap_err(), "nosuch0");
    nf(
        h.link_list(&LinkFilter::new().master("nosuch0"))
            .unwrap_err(),
        "nosuch0",
    );
    assert_eq!(t.ip_link_names(), ["lo"]);
}

#[test]
fn list_with_kind_master_up_and_group_filters() {
    let Some(t) = TestNs::new("list_with_kind_master_up_and_group_filters") else {
        return;
    };
    let h = t.handle();
    h.link_add(&LinkSpec::bridge("npbr0")).unwrap();
    h.link_add(&LinkSpec::bridge("npbr1")).unwrap();
    h.link_add(&LinkSpec::veth("npa0", "npa1").master("npbr0").up())
        .unwrap();
    h.link_add(&LinkSpec::veth("npb0", "npb1").master("npbr0").group(3))
        .unwrap();
    h.link_add(&LinkSpec::veth("npc0", "npc1").master("npbr1"))
        .unwrap();
    h.link_add(&LinkSpec::ifb("npifb0")).unwrap();

    let names = |f: LinkFilter<'_>| {
        let mut v: Vec<String> = h
            .link_list(&f)
            .unwrap()
            .into_iter()
            .map(|l| l.name)
            .collect();
        v.sort();
        v
    };
    let all = names(LinkFilter::new());
    assert_eq!(all, t.ip_link_names());
    assert_eq!(
        names(LinkFilter::new().kind("veth")),
        ["npa0", "npa1", "npb0", "npb1", "npc0", "npc1"]
    );
    assert_eq!(names(LinkFilter::new().kind("bridge")), ["npbr0", "npbr1"]);
    assert_eq!(names(LinkFilter::new().kind("ifb")), ["npifb0"]);
    assert_eq!(names(LinkFilter::new().master("npbr0")), ["npa0", "npb0"]);
    let br1 = h.link_index("npbr1").unwrap();
    assert_eq!(names(LinkFilter::new().master(br1)), ["npc0"]);
    assert_eq!(
        names(LinkFilter::new().master("npbr0").kind("veth").up(true)),
        ["npa0"]
    );
    assert_eq!(names(LinkFilter::new().group(3)), ["npb0"]);
    // The kernel ignores a kind it does not know; the client-side check does not.
    assert!(names(LinkFilter::new().kind("dummy")).is_empty());
    // Compare with ip's own filters.
    let ip_names = |args: &[&str]| {
        let mut v: Vec<String> = t
            .ip_json(args)
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["ifname"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        names(LinkFilter::new().kind("veth")),
        ip_names(&["link", "show", "type", "veth"])
    );
    assert_eq!(
        names(LinkFilter::new().master("npbr0")),
        ip_names(&["link", "show", "master", "npbr0"])
    );

    // The streaming form gives the same links (and does not borrow the filter).
    let iter = h.link_iter(&LinkFilter::new().kind("veth")).unwrap();
    let mut streamed: Vec<String> = iter.map(|l| l.unwrap().name).collect();
    streamed.sort();
    assert_eq!(streamed, names(LinkFilter::new().kind("veth")));
    // And the handle is usable again after the iterator is dropped early.
    let first = h.link_iter(&LinkFilter::new()).unwrap().next();
    assert!(first.unwrap().is_ok());
    assert!(h.link_get("npa0").is_ok());
}

#[test]
fn stats64_are_present_and_agree_with_ip_after_traffic() {
    let Some(t) = TestNs::new("stats64_are_present_and_agree_with_ip") else {
        return;
    };
    let Some(t2) = TestNs::new("stats64_are_present_and_agree_with_ip/2") else {
        return;
    };
    let h = t.handle();
    h.link_add(&LinkSpec::new("npst0", Veth::new("npst1").netns(t2.ns())).up())
        .unwrap();
    t2.handle().link_up("npst1").unwrap();
    t.ip(&["addr", "add", "198.18.0.1/30", "dev", "npst0"]);
    t2.ip(&["addr", "add", "198.18.0.2/30", "dev", "npst1"]);
    t.ns()
        .run(|| {
            let s = std::net::UdpSocket::bind("198.18.0.1:0").unwrap();
            for _ in 0..5 {
                s.send_to(b"netplumb", "198.18.0.2:9").unwrap();
            }
        })
        .unwrap();
    // Some traffic went out (at least the ARP request), bounded wait for the counters.
    let mut tx = 0;
    for _ in 0..200 {
        tx = h.link_get("npst0").unwrap().stats.unwrap().tx_packets;
        if tx > 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(tx > 0);

    // Other traffic (IPv6 neighbour discovery) may still flow: ours must lie between two
    // readings of ip.
    let ip_stats = || t.ip_json(&["-s", "link", "show", "dev", "npst0"])[0]["stats64"].clone();
    let before = ip_stats();
    let s = h.link_get("npst0").unwrap().stats.unwrap();
    let after = ip_stats();
    for (dir, field, ours) in [
        ("rx", "packets", s.rx_packets),
        ("rx", "bytes", s.rx_bytes),
        ("tx", "packets", s.tx_packets),
        ("tx", "bytes", s.tx_bytes),
        ("rx", "errors", s.rx_errors),
        ("tx", "dropped", s.tx_dropped),
    ] {
        let lo = before[dir][field].as_u64().unwrap();
        let hi = after[dir][field].as_u64().unwrap();
        assert!(
            lo <= ours && ours <= hi,
            "{dir} {field}: {lo} <= {ours} <= {hi}"
        );
    }
    // And the listing carries them too.
    let listed = h.link_list(&LinkFilter::new().kind("veth")).unwrap();
    assert!(listed[0].stats.as_ref().unwrap().tx_packets >= tx);
}

// ---------------------------------------------------------------- delete

#[test]
fn delete_one_and_many() {
    let Some(t) = TestNs::new("delete_one_and_many") else {
        return;
    };
    let h = t.handle();
    h.link_add(&LinkSpec::veth("npd0", "npd1")).unwrap();
    h.link_add(&LinkSpec::bridge("npdbr")).unwrap();
    h.link_add(&LinkSpec::ifb("npdifb")).unwrap();
    h.link_add(&LinkSpec::veth("npe0", "npe1")).unwrap();
    // Deleting one end of a veth deletes both.
    h.link_del("npd1").unwrap();
    assert_eq!(t.ip_link_names(), ["lo", "npdbr", "npdifb", "npe0", "npe1"]);
    let e = h.link_del("npd0").unwrap_err();
    assert!(e.is_not_found(), "{e}");

    let idx = h.link_index("npdifb").unwrap();
    let results = h
        .link_del_many([
            "npdbr".into(),
            netplumb::link::LinkRef::Index(idx),
            "nosuch0".into(),
            "npe0".into(),
        ])
        .unwrap();
    assert_eq!(results.len(), 4);
    assert!(
        results[0].is_ok() && results[1].is_ok() && results[3].is_ok(),
        "{results:?}"
    );
    assert!(
        matches!(&results[2], Err(Error::NotFound { name, .. }) if name == "nosuch0"),
        "{results:?}"
    );
    assert_eq!(t.ip_link_names(), ["lo"]);

    // A plain slice of names.
    h.link_add(&LinkSpec::veth("npf0", "npf1")).unwrap();
    h.link_add(&LinkSpec::ifb("npf2")).unwrap();
    let names: &[&str] = &["npf0", "npf2"];
    let results = h.link_del_many(names).unwrap();
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(t.ip_link_names(), ["lo"]);
}

#[test]
fn group_delete_of_100_veth_pairs_leaves_none() {
    let Some(t) = TestNs::new("group_delete_of_100_veth_pairs_leaves_none") else {
        return;
    };
    let h = t.handle();
    let specs: Vec<LinkSpec<'_>> = (0..100)
        .map(|i| LinkSpec::veth(format!("npg{i}a"), format!("npg{i}b")).group(42))
        .collect();
    let results = h.link_add_many(&specs).unwrap();
    assert_eq!(results.len(), 100);
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(t.ip_link_names().len(), 201);
    assert_eq!(
        h.link_list(&LinkFilter::new().group(42)).unwrap().len(),
        100
    );
    // A link outside the group survives.
    h.link_add(&LinkSpec::bridge("npkeep")).unwrap();

    h.link_del_group(42).unwrap();
    assert_eq!(t.ip_link_names(), ["lo", "npkeep"]);
    let e = h.link_del_group(42).unwrap_err();
    assert!(
        matches!(&e, Error::NotFound { what: "link group", name } if name == "42"),
        "{e}"
    );
    // Group 0 is every link's default group: refused before sending.
    let e = h.link_del_group(0).unwrap_err();
    assert!(matches!(e, Error::InvalidInput { .. }), "{e}");
    assert_eq!(t.ip_link_names(), ["lo", "npkeep"]);
}

#[test]
fn requests_pushed_into_one_batch() {
    let Some(t) = TestNs::new("requests_pushed_into_one_batch") else {
        return;
    };
    let h = t.handle();
    let mut batch = netplumb::Batch::new();
    LinkSpec::bridge("npbb0")
        .to_request()
        .unwrap()
        .push_to(&mut batch)
        .unwrap();
    LinkSpec::veth("npbv0", "npbv1")
        .to_request()
        .unwrap()
        .push_to(&mut batch)
        .unwrap();
    for r in LinkChange::new()
        .mtu(1300)
        .up()
        .to_requests("npbv0")
        .unwrap()
    {
        r.push_to(&mut batch).unwrap();
    }
    netplumb::link::link_del_request("npbb0")
        .unwrap()
        .push_to(&mut batch)
        .unwrap();
    let results = h.batch(&batch, netplumb::BatchMode::StopOnError).unwrap();
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(t.ip_link_names(), ["lo", "npbv0", "npbv1"]);
    assert_eq!(show(&t, "npbv0")["mtu"], 1300);
}

// ---------------------------------------------------------------- unique names

#[test]
fn unique_names_are_retried_on_collision() {
    let Some(t) = TestNs::new("unique_names_are_retried_on_collision") else {
        return;
    };
    let h = t.handle();
    // Names the generator will draw first are taken already.
    t.ip(&["link", "add", "npu0", "type", "bridge"]);
    t.ip(&["link", "add", "npp0", "type", "bridge"]);

    let mut n = 0;
    let made = h
        .link_add_unique_with(
            5,
            || {
                n += 1;
                Ok(format!("npu{}", n - 1))
            },
            |name| Ok(LinkSpec::bridge(name)),
        )
        .unwrap();
    assert_eq!(made.name(), "npu1");
    assert_eq!(n, 2);
    assert!(exists(&t, "npu1"));

    // A collision on the veth peer's name is retried too, with a fresh peer name.
    let (mut main, mut peer) = (10, 0);
    let made = h
        .link_add_unique_with(
            5,
            || {
                main += 1;
                Ok(format!("npu{main}"))
            },
            |name| {
                peer += 1;
                Ok(LinkSpec::veth(name, format!("npp{}", peer - 1)))
            },
        )
        .unwrap();
    assert_eq!((made.name(), made.peer_name()), ("npu12", Some("npp1")));
    assert_eq!(show(&t, "npu12")["link"], "npp1");
    // The failed attempt left nothing behind.
    assert!(!exists(&t, "npu11"));

    // Every attempt colliding: the last EEXIST comes back.
    let before = t.ip_link_names();
    let e = h
        .link_add_unique_with(3, || Ok("npu0".into()), |name| Ok(LinkSpec::bridge(name)))
        .unwrap_err();
    assert!(e.is_exists(), "{e}");
    assert_eq!(t.ip_link_names(), before);

    // Other errors are not retried.
    let mut calls = 0;
    let e = h
        .link_add_unique_with(
            3,
            || {
                calls += 1;
                Ok("npz0".into())
            },
            |name| Ok(LinkSpec::other(name, "dummy")),
        )
        .unwrap_err();
    assert!(e.is_not_supported(), "{e}");
    assert_eq!(calls, 1);

    // The random form.
    let made = h
        .link_add_unique("npr", 8, |name| {
            Ok(LinkSpec::veth(name, netplumb::ifname::random("npr", 8)?))
        })
        .unwrap();
    assert_eq!(made.name().len(), 11);
    assert!(exists(&t, made.name()) && exists(&t, made.peer_name().unwrap()));
    assert!(matches!(made.kind(), LinkKind::Veth(_)));
}

#[test]
fn handle_on_another_namespace_sees_only_its_links() {
    let Some(t) = TestNs::new("handle_on_another_namespace_sees_only_its_links") else {
        return;
    };
    let h = t.handle();
    h.link_add(&LinkSpec::veth("npo0", "npo1")).unwrap();
    let host = Handle::in_netns(t.ns()).unwrap();
    let mut names: Vec<String> = host
        .link_list(&LinkFilter::new())
        .unwrap()
        .into_iter()
        .map(|l| l.name)
        .collect();
    names.sort();
    assert_eq!(names, t.ip_link_names());
}

#[test]
fn interface_flags_arp_multicast_promisc_allmulti() {
    let Some(t) = TestNs::new("interface_flags_arp_multicast_promisc_allmulti") else {
        return;
    };
    let h = t.handle();
    h.link_add(&LinkSpec::new("npf0", Veth::new("npf1")))
        .unwrap();
    let flags = |t: &TestNs| -> Vec<String> {
        show(t, "npf0")["flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap().to_string())
            .collect()
    };
    let before = flags(&t);
    assert!(before.contains(&"MULTICAST".to_string()), "{before:?}");
    use netplumb::link::IfFlags;
    // ip link set npf0 arp off multicast off promisc on allmulticast on
    let c = LinkChange::new()
        .flag(IfFlags::NOARP, true)
        .flag(IfFlags::MULTICAST, false)
        .flag(IfFlags::PROMISC, true)
        .flag(IfFlags::ALLMULTI, true);
    h.link_set("npf0", &c).unwrap();
    let f = flags(&t);
    for want in ["NOARP", "PROMISC", "ALLMULTI"] {
        assert!(f.contains(&want.to_string()), "{want} missing: {f:?}");
    }
    assert!(!f.contains(&"MULTICAST".to_string()), "{f:?}");
    assert!(
        !f.contains(&"UP".to_string()),
        "a flag change must not bring the link up"
    );
    // Undo, leaving the others as they are: only the named bits change.
    h.link_set("npf0", &LinkChange::new().flag(IfFlags::PROMISC, false))
        .unwrap();
    let f = flags(&t);
    assert!(
        !f.contains(&"PROMISC".to_string()) && f.contains(&"NOARP".to_string()),
        "{f:?}"
    );
    // The same through the library's reader.
    let l = h.link_get("npf0").unwrap();
    assert!(l.flags.contains(IfFlags::NOARP) && !l.flags.contains(IfFlags::MULTICAST));
}

// ---------------------------------------------------------------- alternative names

/// A name longer than 15 bytes can only be an alternative name: it goes out as
/// `IFLA_ALT_IFNAME` (as `ip` sends it) and finds, changes and deletes the link; one over
/// 127 bytes is refused before anything is sent.
#[test]
fn links_are_found_changed_and_deleted_by_a_long_alternative_name() {
    let Some(t) = TestNs::new("links_are_found_changed_and_deleted_by_a_long_alternative_name")
    else {
        return;
    };
    let h = t.handle();
    h.link_add(&LinkSpec::veth("alt0", "alt1")).unwrap();
    let long = "container-0123456789abcdef-eth0";
    t.ip(&["link", "property", "add", "dev", "alt0", "altname", long]);
    let l = h.link_get(long).unwrap();
    assert_eq!(l.name, "alt0");
    h.link_set_mtu(long, 1400).unwrap();
    assert_eq!(show(&t, "alt0")["mtu"], 1400);
    // A short alternative name is found through IFLA_IFNAME, as the kernel matches both.
    t.ip(&["link", "property", "add", "dev", "alt0", "altname", "a0"]);
    assert_eq!(h.link_get("a0").unwrap().name, "alt0");
    // Not there: the kernel's answer, as for a short name.
    let e = h.link_get("container-0123456789abcdef-eth9").unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
    let too_long = "x".repeat(128);
    let e = h.link_get(too_long.as_str()).unwrap_err();
    assert!(matches!(e, Error::InvalidInput { .. }), "{e:?}");
    assert!(h.link_del("container:0123456789abcdef").is_err());
    h.link_del(long).unwrap();
    assert!(!exists(&t, "alt0"));
    assert!(!exists(&t, "alt1"));
}
