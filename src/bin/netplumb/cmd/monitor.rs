//! `monitor` (ip-monitor(8)).

use crate::args::{Cursor, Globals};
use crate::cmd::{Command, Object};
use crate::error::Res;
use crate::help::Topic;
use crate::words::matches;

/// The `monitor` object.
pub const OBJECT: Object = Object {
    topic: TOPIC,
    parse,
};

/// `netplumb monitor help`.
pub const TOPIC: Topic = Topic::new("monitor", USAGE);

const USAGE: &str = "\
Usage: netplumb monitor [ all | OBJECTS ] [ label ] [ all-nsid ] [ dev DEVICE ]
OBJECTS := { link | address | route | neigh | ... }
";

/// `monitor [all | OBJECTS] [label] [all-nsid] [dev DEV] [file FILE]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Monitor {
    /// RTNLGRP_LINK.
    pub link: bool,
    /// RTNLGRP_IPV4_IFADDR / IPV6_IFADDR.
    pub address: bool,
    /// RTNLGRP_IPV4_ROUTE / IPV6_ROUTE.
    pub route: bool,
    /// RTNLGRP_NEIGH.
    pub neigh: bool,
    /// Other objects `ip` knows (`mroute`, `prefix`, `netconf`, `rule`, `nsid`, `nexthop`,
    /// `stats`): accepted, listed here for the executor to subscribe to or ignore.
    pub others: Vec<String>,
    /// `label`: prefix each event with `[LINK]`, `[ADDR]`, ...
    pub label: bool,
    /// `all-nsid`: events from peer namespaces too.
    pub all_nsid: bool,
    /// `dev DEV`: only events of this link.
    pub dev: Option<String>,
    /// `file FILE`: replay a saved dump instead of listening.
    pub file: Option<String>,
}

impl Monitor {
    /// True when no object was named (or `all` was): everything is monitored.
    pub fn everything(&self) -> bool {
        !(self.link || self.address || self.route || self.neigh) && self.others.is_empty()
    }
}

/// `monitor` words after the object.
fn parse(c: &mut Cursor, _: &Globals) -> Res<Command> {
    let mut m = Monitor::default();
    while let Some(w) = c.word() {
        let k = |key: &str| matches(w, key);
        if k("file") {
            m.file = Some(c.value()?.to_string());
        } else if k("label") {
            m.label = true;
        } else if k("link") {
            m.link = true;
        } else if k("address") {
            m.address = true;
        } else if k("route") {
            m.route = true;
        } else if k("mroute") || k("prefix") {
            m.others
                .push(if k("mroute") { "mroute" } else { "prefix" }.to_string());
        } else if k("neigh") {
            m.neigh = true;
        } else if let Some(o) = ["netconf", "rule", "nsid", "nexthop"].iter().find(|o| k(o)) {
            m.others.push(o.to_string());
        } else if k("all-nsid") {
            m.all_nsid = true;
        } else if w == "stats" {
            m.others.push(w.to_string());
        } else if w == "all" {
            // Same as naming nothing.
        } else if w == "dev" {
            let v = c.value()?;
            m.dev = Some(c.dev_ref(v)?);
        } else if k("help") {
            return Ok(Command::Help(TOPIC));
        } else {
            return Err(c.usage(format_args!(
                "Argument \"{w}\" is unknown, try \"netplumb monitor help\"."
            )));
        }
    }
    Ok(Command::of(m))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{err, parse_as, parse_ok};

    #[test]
    fn monitor_forms() {
        let m = parse_as::<Monitor>;
        assert!(m("monitor").everything());
        assert!(m("monitor all").everything());
        let x = m("monitor link addr route neigh");
        assert!(x.link && x.address && x.route && x.neigh && !x.everything());
        let x = m("mon li a r ne");
        assert!(x.link && x.address && x.route && x.neigh);
        // `l` is `label` and `al` is `all-nsid`, as with ip.
        assert!(m("monitor al").all_nsid);
        let x = m("monitor l");
        assert!(x.label && x.everything());
        let x = m("monitor label all-nsid dev v1 nsid stats n");
        assert!(x.label && x.all_nsid && x.neigh);
        assert_eq!(
            (x.dev.as_deref(), x.others.clone()),
            (Some("v1"), vec!["nsid".to_string(), "stats".into()])
        );
        assert_eq!(m("monitor file dump.bin").file.as_deref(), Some("dump.bin"));
        assert_eq!(parse_ok("monitor help"), Command::Help(TOPIC));
        for (line, first) in [
            (
                "monitor foo",
                "Argument \"foo\" is unknown, try \"netplumb monitor help\".",
            ),
            ("monitor st", "Argument \"st\" is unknown"),
            ("monitor de", "Argument \"de\" is unknown"),
            ("monitor dev", "Command line is not complete."),
            ("monitor file", "Command line is not complete."),
        ] {
            let e = err(line);
            assert!(e.starts_with(first), "{line}:\n{e}");
        }
    }
}
