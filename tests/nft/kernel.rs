//! The typed API against the kernel, in fresh namespaces: what it makes reads back as what
//! `nft -f` makes (through `nft -j list ruleset` and through the typed listing), handles,
//! refused transactions, removal, bad input, faults.

use crate::golden::{builder_transaction, script};
use crate::{nft_file, nft_ns, ruleset_json};
use netplumb::nft::ops::{
    self, DhcpFilter, Isolation, Masquerade, PortMapping, PublishedPorts, TableOp,
};
use netplumb::nft::*;
use netplumb::undo::FaultPlan;
use netplumb::{Error, IpNet};

fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}

/// The typed ruleset with every handle zeroed (they count per namespace) and the elements
/// sorted.
fn typed(nft: &Nft) -> Ruleset {
    let mut r = nft.ruleset().unwrap();
    r.tables.iter_mut().for_each(|t| t.handle = 0);
    r.chains.iter_mut().for_each(|c| c.handle = 0);
    r.rules.iter_mut().for_each(|x| x.handle = 0);
    // A hash set lists its elements in no particular order.
    r.sets.iter_mut().for_each(|(s, e)| {
        s.handle = 0;
        e.sort();
    });
    r
}

#[test]
fn the_typed_api_and_nft_f_make_the_same_ruleset() {
    let Some(a) = nft_ns("nft_typed_vs_nft_f") else {
        return;
    };
    let Some(b) = nft_ns("nft_typed_vs_nft_f") else {
        return;
    };
    for t in [&a, &b] {
        t.ip(&["link", "set", "lo", "up"]);
    }
    let na = Nft::in_netns(a.ns()).unwrap();
    na.commit(&builder_transaction()).unwrap();
    nft_file(&b, &(script("request_builder.hex").join("\n") + "\n"));
    // The same through nft's eyes...
    assert_eq!(ruleset_json(&a), ruleset_json(&b));
    // ... and through the typed listing of both.
    let nb = Nft::in_netns(b.ns()).unwrap();
    let (ra, rb) = (typed(&na), typed(&nb));
    assert_eq!(ra, rb);

    // What nft -f made, read through the typed API.
    let inet = Table::new(TableFamily::Inet, "nb");
    let names: Vec<&str> = rb.tables.iter().map(|t| t.table.name.as_str()).collect();
    assert_eq!(names, ["nb", "nbr", "n6"]);
    let chains = nb.chains(&inet).unwrap();
    let c = chains.iter().find(|c| c.name == "c").unwrap();
    assert_eq!(
        c.base,
        Chain::base("c", ChainType::Filter, Hook::Forward, priority::FILTER)
            .policy(Policy::Drop)
            .base
    );
    assert!(
        chains
            .iter()
            .find(|c| c.name == "sub")
            .unwrap()
            .base
            .is_none()
    );
    let nat = chains
        .iter()
        .find(|c| c.name == "nat")
        .unwrap()
        .base
        .unwrap();
    assert_eq!(
        (nat.chain_type, nat.hook, nat.priority),
        (ChainType::Nat, Hook::Prerouting, -100)
    );
    assert_eq!(nb.rules(&inet, Some("c")).unwrap().len(), 21);
    assert_eq!(nb.rules(&inet, None).unwrap().len(), 30);
    let sets = nb.sets(&inet).unwrap();
    let p = sets.iter().find(|s| s.name == "p").unwrap();
    assert_eq!((p.key, p.key_len), (Some(KeyType::InetService), 2));
    // The interval set's elements: 80 and 1000-2000 as start/end keys.
    let mut keys: Vec<(Vec<u8>, bool)> = nb
        .elements(&inet, "p")
        .unwrap()
        .into_iter()
        .map(|e| (e.key, e.interval_end))
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            (vec![0, 0], true),
            (vec![0, 80], false),
            (vec![0, 81], true),
            (vec![3, 232], false),
            (vec![7, 209], true)
        ]
    );
    let names = nb.elements(&inet, "names").unwrap();
    assert_eq!(names.len(), 2);
}

#[test]
fn rules_are_deleted_by_the_handle_the_echo_gave() {
    let Some(t) = nft_ns("nft_rule_handles") else {
        return;
    };
    let nft = Nft::in_netns(t.ns()).unwrap();
    let tab = Table::new(TableFamily::Inet, "h");
    nft.add_table(&tab).unwrap();
    nft.add_chain(&tab, &Chain::regular("c")).unwrap();
    let h1 = nft
        .add_rule(&tab, "c", &Rule::new().dport(Proto::Tcp, 1).accept())
        .unwrap();
    // A transaction learning several handles at once.
    let mut tx = Transaction::new();
    tx.learn_handles();
    let i2 = tx
        .add_rule(&tab, "c", &Rule::new().dport(Proto::Tcp, 2).drop())
        .unwrap();
    let i3 = tx.insert_rule(&tab, "c", &Rule::new().counter()).unwrap();
    let done = nft.commit(&tx).unwrap();
    let (h2, h3) = (done.handle(i2).unwrap(), done.handle(i3).unwrap());
    let listed: Vec<u64> = nft
        .rules(&tab, Some("c"))
        .unwrap()
        .iter()
        .map(|r| r.handle)
        .collect();
    assert_eq!(listed, [h3, h1, h2]); // inserted first, then in order
    let text =
        String::from_utf8(crate::nft(&t, &["-a", "list", "chain", "inet", "h", "c"], None).stdout)
            .unwrap();
    assert!(
        text.contains(&format!("tcp dport 2 drop # handle {h2}")),
        "{text}"
    );
    nft.delete_rule(&tab, "c", h1).unwrap();
    let listed: Vec<u64> = nft
        .rules(&tab, Some("c"))
        .unwrap()
        .iter()
        .map(|r| r.handle)
        .collect();
    assert_eq!(listed, [h3, h2]);
    let e = nft.delete_rule(&tab, "c", h1).unwrap_err();
    assert!(e.is_not_found(), "{e}");
    // Flush and delete.
    nft.flush_chain(&tab, "c").unwrap();
    assert!(nft.rules(&tab, Some("c")).unwrap().is_empty());
    nft.delete_chain(&tab, "c").unwrap();
    nft.delete_table(&tab).unwrap();
    assert!(nft.tables().unwrap().is_empty());
}

#[test]
fn sets_and_elements_change_one_at_a_time() {
    let Some(t) = nft_ns("nft_sets") else {
        return;
    };
    let nft = Nft::in_netns(t.ns()).unwrap();
    let tab = Table::new(TableFamily::Ip, "s");
    nft.add_table(&tab).unwrap();
    nft.add_set(&tab, &Set::new("a", KeyType::Ipv4Addr))
        .unwrap();
    let info = nft.sets(&tab).unwrap().remove(0);
    let addrs: Vec<Element> = ["198.18.0.1", "198.18.0.2"]
        .iter()
        .map(|a| Element::Addr(a.parse().unwrap()))
        .collect();
    nft.add_elements(&tab, &info, &addrs).unwrap();
    assert_eq!(nft.elements(&tab, "a").unwrap().len(), 2);
    let out = crate::nft(&t, &["list", "set", "ip", "s", "a"], None);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("198.18.0.1") && text.contains("198.18.0.2"),
        "{text}"
    );
    nft.delete_elements(&tab, &info, &addrs[..1]).unwrap();
    let left = nft.elements(&tab, "a").unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].key, [198, 18, 0, 2]);
    nft.commit(Transaction::new().flush_set(&tab, "a").unwrap())
        .unwrap();
    assert!(nft.elements(&tab, "a").unwrap().is_empty());
    nft.delete_set(&tab, "a").unwrap();
    assert!(nft.sets(&tab).unwrap().is_empty());
}

#[test]
fn a_refused_transaction_leaves_the_ruleset_as_it_was() {
    let Some(t) = nft_ns("nft_refused_tx") else {
        return;
    };
    let nft = Nft::in_netns(t.ns()).unwrap();
    Masquerade::new(net("198.18.0.0/24"), "br0")
        .apply(&nft, "np-masq")
        .unwrap();
    let before = ruleset_json(&t);
    let generation = nft.generation().unwrap();
    let other = Table::new(TableFamily::Inet, "np-new");
    let mut tx = Transaction::new();
    tx.add_table(&other).unwrap();
    tx.add_chain(&other, &Chain::base("c", ChainType::Filter, Hook::Input, 0))
        .unwrap();
    tx.add_rule(&other, "c", &Rule::new().dport(Proto::Tcp, 22).accept())
        .unwrap();
    // The kernel refuses this one: the table exists.
    tx.create_table(&Table::new(TableFamily::Inet, "np-masq"))
        .unwrap();
    tx.add_rule(&other, "c", &Rule::new().drop()).unwrap();
    let e = nft.commit(&tx).unwrap_err();
    let k = e.kernel().unwrap_or_else(|| panic!("{e:?}"));
    assert_eq!(k.errno, libc::EEXIST, "{e}");
    assert_eq!(k.request_index, Some(3), "{e}");
    assert_eq!(tx.describe(3), Some("create table inet np-masq"));
    assert!(
        e.to_string()
            .starts_with("NFT_MSG_NEWTABLE (batch request 3): File exists"),
        "{e}"
    );
    assert_eq!(ruleset_json(&t), before);
    assert_eq!(nft.generation().unwrap(), generation);
}

#[test]
fn removing_a_networks_tables_restores_the_ruleset() {
    let Some(t) = nft_ns("nft_remove_restores") else {
        return;
    };
    // Something that was there before the network, which must survive it.
    nft_file(
        &t,
        "table ip keep {\n\tchain c {\n\t\ttype filter hook input priority 0; policy accept;\n\t\ttcp dport 22 accept\n\t}\n}\n",
    );
    let nft = Nft::in_netns(t.ns()).unwrap();
    let before = ruleset_json(&t);
    let m = Masquerade::new(net("198.18.0.0/24"), "br0");
    let p = PublishedPorts::new(vec![PortMapping::new(
        Proto::Tcp,
        8080,
        "198.18.0.2".parse().unwrap(),
        80,
    )]);
    let i = Isolation::new().between("br0", "br1");
    let d = DhcpFilter::new("veth0", "tap0");
    let all: [(&str, &dyn TableOp); 4] = [
        ("n1-masq", &m),
        ("n1-ports", &p),
        ("n1-iso", &i),
        ("n1-dhcp", &d),
    ];
    ops::apply_all(&nft, &all).unwrap();
    let applied = ruleset_json(&t);
    assert_ne!(applied, before);
    // Applying again changes nothing: each table is replaced by the same.
    ops::apply_all(&nft, &all).unwrap();
    assert_eq!(ruleset_json(&t), applied);
    ops::remove_all(&nft, &all).unwrap();
    assert_eq!(ruleset_json(&t), before);
    // A second removal finds nothing and succeeds.
    ops::remove_all(&nft, &all).unwrap();
    assert_eq!(ruleset_json(&t), before);
}

#[test]
fn bad_input_is_refused_before_anything_is_sent() {
    let Some(t) = nft_ns("nft_bad_input") else {
        return;
    };
    let nft = Nft::in_netns(t.ns()).unwrap();
    let tab = Table::new(TableFamily::Inet, "np");
    let mut tx = Transaction::new();
    tx.add_table(&tab).unwrap();
    tx.add_chain(&tab, &Chain::regular("c")).unwrap();
    nft.commit(&tx).unwrap();
    let before = ruleset_json(&t);
    let plan = FaultPlan::never();
    nft.set_fault_plan(Some(plan.clone()));
    let c2 = "198.18.0.2".parse().unwrap();
    // Refused while the transaction is built.
    let refused: Vec<Error> = vec![
        Transaction::new()
            .add_rule(&tab, "c", &Rule::new().saddr(net("198.18.0.1/24")).accept())
            .unwrap_err(),
        Transaction::new()
            .add_rule(&tab, "c", &Rule::new().dport(Proto::Tcp, 0).accept())
            .unwrap_err(),
        Transaction::new()
            .add_rule(
                &tab,
                "c",
                &Rule::new()
                    .dport(
                        Proto::Udp,
                        PortRange {
                            first: 68,
                            last: 67,
                        },
                    )
                    .drop(),
            )
            .unwrap_err(),
        Transaction::new()
            .add_chain(&tab, &Chain::regular("no spaces"))
            .unwrap_err(),
        Transaction::new()
            .add_table(&Table::new(TableFamily::Inet, ""))
            .unwrap_err(),
        Transaction::new()
            .add_rule(&tab, "c", &Rule::new().iifname("br0/1").drop())
            .unwrap_err(),
        PublishedPorts::new(vec![PortMapping::new(Proto::Tcp, 0, c2, 80)])
            .apply(&nft, "p")
            .unwrap_err(),
        PublishedPorts::new(vec![PortMapping::new(Proto::Tcp, 80, c2, 80).host_ports(
            PortRange {
                first: 90,
                last: 80,
            },
        )])
        .apply(&nft, "p")
        .unwrap_err(),
        // A map element of port 0 on the container's side, and a host port the map would
        // hold twice.
        PublishedPorts::new(vec![PortMapping::new(Proto::Tcp, 80, c2, 0)])
            .apply(&nft, "p")
            .unwrap_err(),
        PublishedPorts::new(vec![
            PortMapping::new(Proto::Tcp, 80, c2, 80),
            PortMapping::new(Proto::Tcp, 80, c2, 81),
        ])
        .apply(&nft, "p")
        .unwrap_err(),
        Transaction::new()
            .add_set(
                &tab,
                &Set::new("m", KeyType::InetService)
                    .map_to(&[KeyType::Ipv4Addr, KeyType::InetService])
                    .element(Element::map(
                        Element::Port(0.into()),
                        Element::Concat(vec![Element::Addr(c2), Element::Port(80.into())]),
                    )),
            )
            .unwrap_err(),
        Masquerade::new(net("198.18.0.1/24"), "br0")
            .apply(&nft, "m")
            .unwrap_err(),
    ];
    for e in &refused {
        assert!(e.is_invalid(), "{e}");
    }
    assert_eq!(plan.steps(), 0, "{:?}", plan.log());
    // Refused at commit, after reading what exists: nothing of the batch is sent.
    let unknown = [
        Rule::new().accept(),        // into chain "nope"
        Rule::new().jump("nowhere"), // into "c", jumping to a chain that is not there
    ];
    // An empty transaction sends nothing.
    nft.commit(&Transaction::new()).unwrap();
    let mut tx = Transaction::new();
    tx.add_rule(&tab, "nope", &unknown[0]).unwrap();
    let e = nft.commit(&tx).unwrap_err();
    assert!(
        matches!(&e, Error::NotFound { what: "nf_tables chain", name } if name == "inet np nope"),
        "{e:?}"
    );
    let mut tx = Transaction::new();
    tx.add_rule(&tab, "c", &unknown[1]).unwrap();
    let e = nft.commit(&tx).unwrap_err();
    assert!(
        matches!(&e, Error::NotFound { name, .. } if name == "inet np nowhere"),
        "{e:?}"
    );
    let mut tx = Transaction::new();
    tx.delete_table(&tab).unwrap();
    tx.add_rule(&tab, "c", &Rule::new().accept()).unwrap();
    let e = nft.commit(&tx).unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
    assert!(
        !plan.log().iter().any(|s| s == "NFNL_MSG_BATCH_BEGIN"),
        "a batch was sent: {:?}",
        plan.log()
    );
    assert_eq!(ruleset_json(&t), before);
}

#[test]
fn a_fault_at_any_step_leaves_nothing_behind() {
    let Some(t) = nft_ns("nft_faults") else {
        return;
    };
    let nft = Nft::in_netns(t.ns()).unwrap();
    nft_file(
        &t,
        "table inet keep {\n\tchain c {\n\t\ttype filter hook forward priority 0; policy accept;\n\t}\n}\n",
    );
    let before = ruleset_json(&t);
    let m = Masquerade::new(net("198.18.0.0/24"), "br0");
    let p = PublishedPorts::new(vec![PortMapping::new(
        Proto::Udp,
        53,
        "198.18.0.2".parse().unwrap(),
        53,
    )]);
    let i = Isolation::new().between("br0", "br1").no_inter_port("br1");
    let d = DhcpFilter::new("veth0", "tap0");
    let all: [(&str, &dyn TableOp); 4] = [
        ("f-masq", &m),
        ("f-ports", &p),
        ("f-iso", &i),
        ("f-dhcp", &d),
    ];
    // A dry run counts the steps: one batch per operation.
    let plan = FaultPlan::never();
    nft.set_fault_plan(Some(plan.clone()));
    ops::apply_all(&nft, &all).unwrap();
    assert_eq!(plan.log(), ["NFNL_MSG_BATCH_BEGIN"; 4]);
    ops::remove_all(&nft, &all).unwrap();
    assert_eq!(ruleset_json(&t), before);
    for step in 0..4 {
        let plan = FaultPlan::fail_at(step);
        nft.set_fault_plan(Some(plan.clone()));
        let e = ops::apply_all(&nft, &all).unwrap_err();
        assert!(
            e.is_injected() && e.cleanup_errors().is_empty(),
            "step {step}: {e:?}"
        );
        // The operations before the failed one, then their removals.
        assert_eq!(plan.steps(), 2 * step + 1, "step {step}: {:?}", plan.log());
        assert_eq!(ruleset_json(&t), before, "step {step}");
    }
    // Every single operation fails whole too, and a failing removal is reported.
    for (name, op) in all {
        nft.set_fault_plan(Some(FaultPlan::fail_at(0)));
        assert!(op.apply(&nft, name).unwrap_err().is_injected());
        assert_eq!(ruleset_json(&t), before);
    }
    nft.set_fault_plan(Some(FaultPlan::fail_from(1)));
    let e = ops::apply_all(&nft, &all).unwrap_err();
    assert!(e.is_injected() && e.cleanup_errors().len() == 1, "{e:?}");
    nft.set_fault_plan(None);
    ops::remove_all(&nft, &all).unwrap();
    assert_eq!(ruleset_json(&t), before);
}

#[test]
fn a_large_transaction_goes_in_one_batch() {
    let Some(t) = nft_ns("nft_large_tx") else {
        return;
    };
    let nft = Nft::in_netns(t.ns()).unwrap();
    // 2,002 dnat rules (what published ports were before they became maps): bigger than
    // the default send buffer (the kernel would refuse it with EMSGSIZE), and with every
    // rule echoed back, bigger than the default receive buffer too.
    let n = 2002;
    let table = Table::new(TableFamily::Inet, "np-big");
    let mut tx = Transaction::new();
    tx.add_table(&table)
        .unwrap()
        .add_chain(&table, &Chain::regular("ports"))
        .unwrap();
    for i in 0..n {
        let c = std::net::Ipv4Addr::new(198, 18, (i / 250) as u8, (i % 250 + 2) as u8);
        let r = Rule::new()
            .dport(Proto::Tcp, 10_000 + i as u16)
            .dnat(c.into(), Some(80.into()));
        tx.add_rule(&table, "ports", &r).unwrap();
    }
    tx.learn_handles();
    let plan = FaultPlan::never();
    nft.set_fault_plan(Some(plan.clone()));
    let done = nft.commit(&tx).unwrap();
    assert_eq!(plan.log(), ["NFNL_MSG_BATCH_BEGIN"], "one batch");
    let handles: std::collections::HashSet<u64> =
        (0..tx.len()).filter_map(|i| done.handle(i)).collect();
    assert_eq!(handles.len(), n);
    let listed: std::collections::HashSet<u64> = nft
        .rules(&table, None)
        .unwrap()
        .iter()
        .map(|r| r.handle)
        .collect();
    assert_eq!(listed, handles);
    ops::remove(&nft, &table).unwrap();
    assert!(nft.tables().unwrap().is_empty());
}

/// 1,000 ports published in one batch: the kernel holds 4 rules, a map of 1,000 elements
/// (each host port to its container's address and port) and a hairpin set of 1,000.
#[test]
fn a_thousand_published_ports_are_a_map() {
    let Some(t) = nft_ns("nft_ports_map") else {
        return;
    };
    let nft = Nft::in_netns(t.ns()).unwrap();
    let n = 1000;
    let p = PublishedPorts::new(
        (0..n)
            .map(|i| {
                let c = std::net::Ipv4Addr::new(198, 18, (i / 250) as u8, (i % 250 + 2) as u8);
                PortMapping::new(Proto::Tcp, 10_000 + i as u16, c.into(), 80)
            })
            .collect(),
    );
    p.apply(&nft, "np-ports").unwrap();
    let table = p.table("np-ports");
    assert_eq!(nft.rules(&table, None).unwrap().len(), 4);
    let map = nft.elements(&table, "ports_ip_tcp").unwrap();
    assert_eq!(map.len(), n);
    // 10000 + 999 = 0x2af7 to 198.18.3.251 port 80.
    let last = map.iter().find(|e| e.key == [0x2a, 0xf7]).unwrap();
    assert_eq!(
        last.data.as_deref(),
        Some(&[198, 18, 3, 251, 0, 80, 0, 0][..])
    );
    assert_eq!(nft.elements(&table, "hairpin_ip_tcp").unwrap().len(), n);
    ops::remove(&nft, &table).unwrap();
    assert!(nft.tables().unwrap().is_empty());
}

/// What `PublishedPorts` makes (maps, concatenated sets, lookups with a destination
/// register) reads back through `nft -j list ruleset` the same as what `nft -f` makes of
/// its script.
#[test]
fn published_ports_and_nft_f_of_their_script_make_the_same_ruleset() {
    let Some(a) = nft_ns("nft_ports_vs_nft_f") else {
        return;
    };
    let Some(b) = nft_ns("nft_ports_vs_nft_f") else {
        return;
    };
    let ip = |s: &str| -> std::net::IpAddr { s.parse().unwrap() };
    let p = PublishedPorts::new(vec![
        PortMapping::new(Proto::Tcp, 8080, ip("198.18.0.2"), 80),
        PortMapping::new(Proto::Tcp, 8081, ip("198.18.0.2"), 80),
        PortMapping::new(Proto::Udp, 5353, ip("198.18.0.3"), 53).host_addr(ip("198.18.1.1")),
        PortMapping::new(Proto::Udp, 5000, ip("198.18.0.3"), 53).host_ports(5000..=5010),
        PortMapping::new(Proto::Tcp, 8443, ip("2001:db8::2"), 443).host_addr(ip("2001:db8:1::1")),
        PortMapping::new(Proto::Udp, 53, ip("2001:db8::3"), 53),
    ]);
    let na = Nft::in_netns(a.ns()).unwrap();
    p.apply(&na, "np-ports").unwrap();
    nft_file(&b, &p.script("np-ports").unwrap());
    let (ja, jb) = (ruleset_json(&a), ruleset_json(&b));
    assert_eq!(ja, jb);
    let text = ja.to_string();
    for name in [
        "ports_ip_tcp",
        "ports_ip_udp_addr",
        "ports_ip6_tcp_addr",
        "ports_ip6_udp",
    ] {
        assert!(text.contains(name), "{name} in {text}");
    }
    let nb = Nft::in_netns(b.ns()).unwrap();
    assert_eq!(typed(&na), typed(&nb));
}

/// Elements added to and deleted from an existing map and concatenated set
/// (`add_to_set`, `delete_from_set`) read back as what `nft add element` / `nft delete
/// element` make; an element that does not fit the shape is refused before sending.
#[test]
fn map_and_concatenation_elements_change_like_nft_add_element() {
    let (Some(a), Some(b)) = (nft_ns("nft_elems_typed"), nft_ns("nft_elems_nft")) else {
        return;
    };
    let t = Table::new(TableFamily::Inet, "np");
    let map =
        Set::new("m", KeyType::InetService).map_to(&[KeyType::Ipv4Addr, KeyType::InetService]);
    let hairpin = Set::new("h", KeyType::Ipv4Addr)
        .then(KeyType::Ipv4Addr)
        .then(KeyType::InetService);
    let nft = Nft::in_netns(a.ns()).unwrap();
    let mut tx = Transaction::new();
    tx.add_table(&t).unwrap();
    tx.add_set(&t, &map).unwrap();
    tx.add_set(&t, &hairpin).unwrap();
    nft.commit(&tx).unwrap();
    nft_file(
        &b,
        "table inet np {\n\tmap m {\n\t\ttype inet_service : ipv4_addr . inet_service\n\t}\n\
         \tset h {\n\t\ttype ipv4_addr . ipv4_addr . inet_service\n\t}\n}\n",
    );
    assert_eq!(ruleset_json(&a), ruleset_json(&b));

    let c = |i: u8| -> Element { Element::Addr(format!("198.18.0.{i}").parse().unwrap()) };
    let port = |p: u16| Element::Port(p.into());
    let mapping =
        |host: u16, i: u8, p: u16| Element::map(port(host), Element::Concat(vec![c(i), port(p)]));
    let pair = |i: u8, p: u16| Element::Concat(vec![c(i), c(i), port(p)]);
    let mut tx = Transaction::new();
    tx.add_to_set(&t, &map, &[mapping(8080, 2, 80), mapping(8443, 3, 443)])
        .unwrap();
    tx.add_to_set(&t, &hairpin, &[pair(2, 80), pair(3, 443)])
        .unwrap();
    nft.commit(&tx).unwrap();
    nft_file(
        &b,
        "add element inet np m { 8080 : 198.18.0.2 . 80, 8443 : 198.18.0.3 . 443 }\n\
         add element inet np h { 198.18.0.2 . 198.18.0.2 . 80, 198.18.0.3 . 198.18.0.3 . 443 }\n",
    );
    assert_eq!(ruleset_json(&a), ruleset_json(&b));
    assert_eq!(nft.elements(&t, "m").unwrap().len(), 2);

    let mut tx = Transaction::new();
    tx.delete_from_set(&t, &map, &[mapping(8080, 2, 80)])
        .unwrap();
    tx.delete_from_set(&t, &hairpin, &[pair(2, 80)]).unwrap();
    nft.commit(&tx).unwrap();
    nft_file(
        &b,
        "delete element inet np m { 8080 : 198.18.0.2 . 80 }\n\
         delete element inet np h { 198.18.0.2 . 198.18.0.2 . 80 }\n",
    );
    assert_eq!(ruleset_json(&a), ruleset_json(&b));
    let left = nft.elements(&t, "m").unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].key, [0x20, 0xfb]); // 8443

    // Refused before anything is sent: a map element without data, a set element with
    // data, a port 0 in a field, a field missing.
    let plan = FaultPlan::never();
    nft.set_fault_plan(Some(plan.clone()));
    let before = ruleset_json(&a);
    for (set, bad) in [
        (&map, port(8081)),
        (&hairpin, mapping(8081, 4, 81)),
        (&hairpin, pair(4, 0)),
        (&hairpin, Element::Concat(vec![c(4), port(81)])),
    ] {
        let mut tx = Transaction::new();
        let e = tx
            .add_to_set(&t, set, std::slice::from_ref(&bad))
            .unwrap_err();
        assert!(matches!(e, Error::InvalidInput { .. }), "{bad}: {e}");
    }
    assert_eq!(plan.steps(), 0);
    assert_eq!(ruleset_json(&a), before);
}
