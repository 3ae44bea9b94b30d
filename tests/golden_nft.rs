mod common;
use common::golden::{encode, fixture};
use netplumb::wire::message::Message;

#[test]
fn smoke() {
    for name in [
        "dump_tables.hex",
        "dump_chains.hex",
        "dump_rules.hex",
        "dump_sets.hex",
        "dump_setelems_allowed.hex",
        "dump_setelems_ports.hex",
        "getgen_dump.hex",
        "error_create_existing_table.hex",
        "request_create_table.hex",
        "request_delete_rule.hex",
        "request_delete_table.hex",
        "request_ruleset_bridge.hex",
        "request_ruleset_ip.hex",
    ] {
        let d = fixture(&format!("nft/{name}"));
        let msgs: Vec<Message> = Message::decode_datagram(&d)
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let dbg = format!("{msgs:?}");
        for w in ["Unknown(", "Other("] {
            if let Some(i) = dbg.find(w) {
                println!(
                    "{name}: {}",
                    &dbg[i.saturating_sub(300)..(i + 200).min(dbg.len())]
                );
            }
        }
        assert_eq!(encode(&msgs), d, "{name}");
    }
}
