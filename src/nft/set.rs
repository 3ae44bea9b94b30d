//! Named sets as values: [`Set`] (a key type, flags, elements) and [`Element`].

use super::{Table, check_name};
use crate::error::{Error, Result};
use crate::ipnet::IpNet;
use crate::wire::nft::{
    NFT_SET_CONSTANT, NFT_SET_ELEM_INTERVAL_END, NFT_SET_INTERVAL, NFTA_LIST_ELEM, SetAttr,
    SetElem, SetElemAttr, SetElemListAttr, SetElemsMessage, SetMessage, value,
};
use std::net::IpAddr;

/// The type of a set's keys, with `nft`'s name and numbering (`NFTA_SET_KEY_TYPE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// `ipv4_addr` (4 bytes, network order).
    Ipv4Addr,
    /// `ipv6_addr` (16 bytes, network order).
    Ipv6Addr,
    /// `inet_service`: a port (2 bytes, network order).
    InetService,
    /// `ifname`: an interface name (16 bytes).
    IfName,
    /// `mark` (4 bytes, host order).
    Mark,
}

impl KeyType {
    /// `nft`'s data type number (`TYPE_IPADDR` 7, ...).
    pub fn number(self) -> u32 {
        match self {
            KeyType::Ipv4Addr => 7,
            KeyType::Ipv6Addr => 8,
            KeyType::InetService => 13,
            KeyType::Mark => 19,
            KeyType::IfName => 41,
        }
    }

    /// The key's length in bytes.
    pub fn key_len(self) -> u32 {
        match self {
            KeyType::Ipv4Addr | KeyType::Mark => 4,
            KeyType::Ipv6Addr | KeyType::IfName => 16,
            KeyType::InetService => 2,
        }
    }

    /// The name `nft` uses.
    pub fn name(self) -> &'static str {
        match self {
            KeyType::Ipv4Addr => "ipv4_addr",
            KeyType::Ipv6Addr => "ipv6_addr",
            KeyType::InetService => "inet_service",
            KeyType::IfName => "ifname",
            KeyType::Mark => "mark",
        }
    }

    /// The key type numbered `n`.
    pub fn from_number(n: u32) -> Option<KeyType> {
        [
            KeyType::Ipv4Addr,
            KeyType::Ipv6Addr,
            KeyType::InetService,
            KeyType::IfName,
            KeyType::Mark,
        ]
        .into_iter()
        .find(|k| k.number() == n)
    }

    /// `NFTA_SET_USERDATA` as `nft` writes it: the key's byte order (`NFTNL_UDATA_SET_KEYBYTEORDER`,
    /// 2 for big-endian, 1 for host order), which `nft list` needs to print the elements.
    fn userdata(self) -> Vec<u8> {
        let order: u32 = match self {
            KeyType::Mark | KeyType::IfName => 1,
            _ => 2,
        };
        let mut u = vec![0, 4];
        u.extend(order.to_ne_bytes());
        u
    }
}

/// One element of a set: a key, or for an interval set a range of keys.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Element {
    /// An address (`198.18.0.1`).
    Addr(IpAddr),
    /// A network (interval sets only): `198.18.0.0/24`.
    Net(IpNet),
    /// A port, or a range of ports (a range in interval sets only).
    Port(super::PortRange),
    /// An interface name.
    IfName(String),
    /// A mark.
    Mark(u32),
}

impl Element {
    /// The first and last key of the element, as the set stores keys.
    fn keys(&self, key: KeyType) -> Result<(Vec<u8>, Vec<u8>)> {
        let wrong = || {
            Err(Error::invalid(
                "set element",
                format!("{self:?} is not a {} key", key.name()),
            ))
        };
        Ok(match (self, key) {
            (Element::Addr(IpAddr::V4(a)), KeyType::Ipv4Addr) => {
                (a.octets().to_vec(), a.octets().to_vec())
            }
            (Element::Addr(IpAddr::V6(a)), KeyType::Ipv6Addr) => {
                (a.octets().to_vec(), a.octets().to_vec())
            }
            (Element::Net(n), KeyType::Ipv4Addr | KeyType::Ipv6Addr)
                if n.is_ipv4() == (key == KeyType::Ipv4Addr) =>
            {
                if n.network() != *n {
                    return Err(Error::invalid(
                        "prefix",
                        format!("{}/{}: host bits set", n.addr(), n.prefix_len()),
                    ));
                }
                let first = match n.addr() {
                    IpAddr::V4(a) => a.octets().to_vec(),
                    IpAddr::V6(a) => a.octets().to_vec(),
                };
                let last = last_of(&first, usize::from(n.prefix_len()));
                (first, last)
            }
            (Element::Port(p), KeyType::InetService) => {
                p.check()?;
                (
                    p.first.to_be_bytes().to_vec(),
                    p.last.to_be_bytes().to_vec(),
                )
            }
            (Element::IfName(n), KeyType::IfName) => {
                crate::ifname::validate(n)?;
                let mut v = n.as_bytes().to_vec();
                v.resize(16, 0);
                (v.clone(), v)
            }
            (Element::Mark(m), KeyType::Mark) => {
                (m.to_ne_bytes().to_vec(), m.to_ne_bytes().to_vec())
            }
            _ => return wrong(),
        })
    }
}

/// The last address of a prefix starting at `first`.
fn last_of(first: &[u8], plen: usize) -> Vec<u8> {
    first
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let keep = plen.saturating_sub(i * 8).min(8);
            b | (0xffu16 >> keep) as u8
        })
        .collect()
}

/// `key + 1` in network order; None when it overflows (the range reaches the top).
fn successor(key: &[u8]) -> Option<Vec<u8>> {
    let mut v = key.to_vec();
    for b in v.iter_mut().rev() {
        if *b == 0xff {
            *b = 0;
        } else {
            *b += 1;
            return Some(v);
        }
    }
    None
}

/// A named set to create.
///
/// ```
/// use netplumb::nft::{Element, KeyType, Set};
/// // set allowed { type ipv4_addr; flags interval; elements = { 198.18.0.0/24 } }
/// let s = Set::new("allowed", KeyType::Ipv4Addr)
///     .interval()
///     .element(Element::Net("198.18.0.0/24".parse()?));
/// assert_eq!(s.elements.len(), 1);
/// # Ok::<(), netplumb::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Set {
    /// The name.
    pub name: String,
    /// The key type.
    pub key: KeyType,
    /// `flags interval`: elements may be ranges.
    pub interval: bool,
    /// `flags constant`: the elements cannot change after creation.
    pub constant: bool,
    /// The elements to add with the set.
    pub elements: Vec<Element>,
}

impl Set {
    /// An empty set of `key`s.
    pub fn new(name: impl Into<String>, key: KeyType) -> Set {
        Set {
            name: name.into(),
            key,
            interval: false,
            constant: false,
            elements: Vec::new(),
        }
    }

    /// `flags interval`.
    #[must_use]
    pub fn interval(mut self) -> Set {
        self.interval = true;
        self
    }

    /// `flags constant`.
    #[must_use]
    pub fn constant(mut self) -> Set {
        self.constant = true;
        self
    }

    /// The set with one more element.
    #[must_use]
    pub fn element(mut self, e: Element) -> Set {
        self.elements.push(e);
        self
    }

    pub(crate) fn flags(&self) -> u32 {
        let mut f = 0;
        if self.constant {
            f |= NFT_SET_CONSTANT;
        }
        if self.interval {
            f |= NFT_SET_INTERVAL;
        }
        f
    }

    /// The `NFT_MSG_NEWSET` payload in `nft`'s attribute order; `id` names the set in its
    /// batch.
    pub(crate) fn message(&self, table: &Table, id: u32) -> Result<SetMessage> {
        check_name("set name", &self.name)?;
        Ok(SetMessage::new(table.header())
            .with(SetAttr::Table(table.name.clone()))
            .with(SetAttr::Name(self.name.clone()))
            .with(SetAttr::Flags(self.flags()))
            .with(SetAttr::KeyType(self.key.number()))
            .with(SetAttr::KeyLen(self.key.key_len()))
            .with(SetAttr::Id(id))
            .with(SetAttr::UserData(self.key.userdata())))
    }
}

/// The `NFT_MSG_NEWSETELEM`/`NFT_MSG_DELSETELEM` payload for `elements` of set `set`.
/// `set_id` is the batch id of a set made in the same transaction. An interval set stores a
/// range as its first key and, flagged `NFT_SET_ELEM_INTERVAL_END`, the key after its last;
/// `leading_end` adds the end element at key 0 that `nft` writes when it fills a set it
/// just made (from the start of the key space).
pub(crate) fn elements_message(
    table: &Table,
    set: &str,
    key: KeyType,
    interval: bool,
    set_id: Option<u32>,
    elements: &[Element],
    leading_end: bool,
) -> Result<SetElemsMessage> {
    check_name("set name", set)?;
    let mut keys: Vec<(Vec<u8>, Vec<u8>)> = elements
        .iter()
        .map(|e| e.keys(key))
        .collect::<Result<_>>()?;
    if !interval && let Some(e) = elements.iter().zip(&keys).find(|(_, k)| k.0 != k.1) {
        return Err(Error::invalid(
            "set element",
            format!("{:?}: a range needs an interval set", e.0),
        ));
    }
    let elem = |attrs| SetElem::Elem {
        kind: NFTA_LIST_ELEM,
        attrs,
    };
    let mut list = Vec::new();
    if interval {
        keys.sort();
        if leading_end && keys.first().is_some_and(|k| k.0.iter().any(|&b| b != 0)) {
            list.push(elem(vec![
                SetElemAttr::Flags(NFT_SET_ELEM_INTERVAL_END),
                SetElemAttr::Key(value(vec![0; key.key_len() as usize])),
            ]));
        }
        for (first, last) in keys {
            list.push(elem(vec![SetElemAttr::Key(value(first))]));
            if let Some(end) = successor(&last) {
                list.push(elem(vec![
                    SetElemAttr::Flags(NFT_SET_ELEM_INTERVAL_END),
                    SetElemAttr::Key(value(end)),
                ]));
            }
        }
    } else {
        list.extend(
            keys.into_iter()
                .map(|(k, _)| elem(vec![SetElemAttr::Key(value(k))])),
        );
    }
    // nft numbers the elements of its lists 1, 2, 3, ...
    for (i, e) in list.iter_mut().enumerate() {
        if let SetElem::Elem { kind, .. } = e {
            *kind = u16::try_from(i + 1).unwrap_or(u16::MAX);
        }
    }
    let mut m = SetElemsMessage::new(table.header())
        .with(SetElemListAttr::Table(table.name.clone()))
        .with(SetElemListAttr::Set(set.to_string()));
    if let Some(id) = set_id {
        m = m.with(SetElemListAttr::SetId(id));
    }
    Ok(m.with(SetElemListAttr::Elements(list)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nft::TableFamily;
    use crate::wire::Emit;

    #[test]
    fn interval_elements_as_nft_writes_them() {
        // The elements of `allowed` in tests/fixtures/nft/request_ruleset_ip.hex.
        let t = Table::new(TableFamily::Ip, "np");
        let m = elements_message(
            &t,
            "allowed",
            KeyType::Ipv4Addr,
            true,
            Some(1),
            &[
                Element::Net("198.18.0.0/24".parse().unwrap()),
                Element::Addr("198.18.5.1".parse().unwrap()),
            ],
            true,
        )
        .unwrap();
        let want = crate::wire::hex::parse(
            "02000000 0700 0100 6e700000 0c00 0200 616c6c6f 77656400 0800 0400 00000001
             6c00 0380
               1800 0180 0800 0300 00000001 0c00 0180 0800 0100 00000000
               1000 0280 0c000180 08000100 c6120000
               1800 0380 08000300 00000001 0c000180 08000100 c6120100
               1000 0480 0c000180 08000100 c6120501
               1800 0580 08000300 00000001 0c000180 08000100 c6120502",
        )
        .unwrap();
        assert_eq!(m.to_vec().unwrap(), want);
    }

    #[test]
    fn keys_and_refusals() {
        assert_eq!(last_of(&[198, 18, 0, 0], 23), [198, 18, 1, 255]);
        assert_eq!(successor(&[0, 255]), Some(vec![1, 0]));
        assert_eq!(successor(&[255, 255]), None);
        let t = Table::new(TableFamily::Inet, "t");
        let range = [Element::Port((80..=90).into())];
        let e = elements_message(&t, "s", KeyType::InetService, false, None, &range, false);
        assert!(e.unwrap_err().is_invalid());
        let wrong = [Element::Addr("2001:db8::1".parse().unwrap())];
        assert!(elements_message(&t, "s", KeyType::Ipv4Addr, false, None, &wrong, false).is_err());
        let port0 = [Element::Port(0.into())];
        assert!(
            elements_message(&t, "s", KeyType::InetService, false, None, &port0, false).is_err()
        );
    }
}
