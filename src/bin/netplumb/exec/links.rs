//! The link cache every printer looks names up in (`ll_index_to_name` and friends): names,
//! flags and link-layer types of the links by index, filled from a dump or from link
//! events, and completed with one `RTM_GETLINK` per index it has not seen; and the names
//! under /run/netns of the namespaces by the ids this one gives them (`link-netns`,
//! `monitor nsid`).

use crate::json::Value;
use netplumb::Handle;
use netplumb::link::{IfFlags, LinkFilter};
use netplumb::wire::link::{IFLA_IFNAME, LinkMessage, LinkMessageBuffer};
use std::cell::RefCell;
use std::collections::HashMap;

/// What the cache knows of one link.
#[derive(Debug, Clone)]
struct Known {
    name: String,
    flags: IfFlags,
    link_type: u16,
}

/// Names, flags and types of the links of a namespace by index.
pub struct Links<'h> {
    /// Asked for an index not seen yet; `None` (replaying saved events) knows only what it
    /// is told.
    handle: Option<&'h Handle>,
    known: RefCell<HashMap<u32, Option<Known>>>,
    /// Named namespaces by the id this namespace gives them, read on first use.
    netns: RefCell<Option<HashMap<i32, String>>>,
}

impl<'h> Links<'h> {
    /// An empty cache that asks `handle` (if any) for what it does not know.
    pub fn new(handle: Option<&'h Handle>) -> Self {
        Links {
            handle,
            known: RefCell::new(HashMap::new()),
            netns: RefCell::new(None),
        }
    }

    /// A cache filled with one dump of the links.
    pub fn load(h: &'h Handle) -> Self {
        let links = Links::new(Some(h));
        links.refresh();
        links
    }

    /// Dumps the links again (after lost events). A failure keeps what was known.
    pub fn refresh(&self) {
        let Some(h) = self.handle else { return };
        if let Ok(all) = h.link_list(&LinkFilter::new()) {
            let mut known = self.known.borrow_mut();
            for l in all {
                known.insert(l.index, Some(known_of(&l.message)));
            }
        }
    }

    /// Records a link seen in a dump, a reply or an event. A deleted link's name is kept for
    /// the address and route removals that follow it.
    pub fn learn(&self, m: &LinkMessage) {
        if let (Ok(i), Some(_)) = (u32::try_from(m.index()), m.name()) {
            self.known.borrow_mut().insert(i, Some(known_of(m)));
        }
    }

    /// Records a link from the payload of an `RTM_NEWLINK` as the kernel sent it, read
    /// through the zero-copy view (nothing is decoded but the name). Malformed payloads are
    /// ignored: decoding them for printing reports the error.
    pub fn learn_payload(&self, payload: &[u8]) {
        let Ok(v) = LinkMessageBuffer::new_checked(payload) else {
            return;
        };
        let name = v.attrs().flatten().find(|a| a.kind() == IFLA_IFNAME);
        let name = name.and_then(|a| a.string("IFLA_IFNAME").ok());
        if let (Ok(i), Some(name)) = (u32::try_from(v.index()), name) {
            let k = Known {
                name: name.to_string(),
                flags: v.flags(),
                link_type: v.link_layer_type(),
            };
            self.known.borrow_mut().insert(i, Some(k));
        }
    }

    fn lookup(&self, index: u32) -> Option<Known> {
        self.with(index, Known::clone)
    }

    /// `f` of what is known of the link, asking the kernel first if it was not seen yet.
    fn with<R>(&self, index: u32, f: impl FnOnce(&Known) -> R) -> Option<R> {
        if let Some(v) = self.known.borrow().get(&index) {
            return v.as_ref().map(f);
        }
        let h = self.handle?;
        let found = h.link_get(index).ok().map(|l| known_of(&l.message));
        let r = found.as_ref().map(f);
        self.known.borrow_mut().insert(index, found);
        r
    }

    /// The link's name; `if<N>` when there is no such link, `*` for 0.
    pub fn name(&self, index: u32) -> String {
        if index == 0 {
            return "*".into();
        }
        self.lookup(index)
            .map_or_else(|| format!("if{index}"), |k| k.name)
    }

    /// The link's name as a JSON string (as [`Links::name`]), made without allocating
    /// for names of up to 15 bytes.
    pub fn name_value(&self, index: u32) -> Value {
        if index == 0 {
            return Value::from("*");
        }
        self.with(index, |k| Value::from(k.name.as_str()))
            .unwrap_or_else(|| Value::display(format_args!("if{index}")))
    }

    /// The link's flags; empty when there is no such link.
    pub fn flags(&self, index: u32) -> IfFlags {
        self.lookup(index).map(|k| k.flags).unwrap_or_default()
    }

    /// Whether the link is up (unknown links are down).
    pub fn is_up(&self, index: u32) -> bool {
        self.flags(index).contains(IfFlags::UP)
    }

    /// Its `ARPHRD_*` type (0 when unknown, as `ll_index_to_type`).
    pub fn kind(&self, index: u32) -> u16 {
        self.lookup(index).map_or(0, |k| k.link_type)
    }

    /// The name under /run/netns of the namespace with id `nsid` here, if any.
    pub fn netns_name(&self, nsid: i32) -> Option<String> {
        self.with_netns(|map| map.get(&nsid).cloned())
    }

    /// `f` of the map of named namespaces by id, read on first use.
    fn with_netns<R>(&self, f: impl FnOnce(&mut HashMap<i32, String>) -> R) -> R {
        let mut cache = self.netns.borrow_mut();
        let map = cache.get_or_insert_with(|| self.read_netns());
        f(map)
    }

    /// Every name under /run/netns whose namespace has an id here, by id.
    fn read_netns(&self) -> HashMap<i32, String> {
        let Some(h) = self.handle else {
            return HashMap::new();
        };
        netplumb::NetNs::list()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|n| {
                let ns = netplumb::NetNs::open_name(&n).ok()?;
                let id = h.nsid(&ns).ok()??;
                Some((id, n))
            })
            .collect()
    }

    /// The name for an id an `RTM_NEWNSID`/`RTM_DELNSID` event names, as `ip monitor`'s
    /// `print_nsid` finds it: taken out of the map (read when the monitor started, so a
    /// namespace deleted since is still there); for a new id not in it, looked up again
    /// under /run/netns (`new`) and remembered for its removal.
    pub fn netns_name_for_event(&self, nsid: i32, new: bool) -> Option<String> {
        if let Some(n) = self.with_netns(|map| map.remove(&nsid)) {
            return Some(n);
        }
        if !new {
            return None;
        }
        let name = self.read_netns().remove(&nsid)?;
        self.with_netns(|map| map.insert(nsid, name.clone()));
        Some(name)
    }

    /// Reads the map of named namespaces now (`ip monitor nsid` does at its start).
    pub fn load_netns(&self) {
        self.with_netns(|_| ());
    }
}

fn known_of(m: &LinkMessage) -> Known {
    Known {
        name: m.name().unwrap_or_default().to_string(),
        flags: m.flags(),
        link_type: m.header.link_layer_type,
    }
}
