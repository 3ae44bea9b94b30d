//! Named sets as values: [`Set`] (a key type, flags, elements) and [`Element`].

use super::{Table, check_name};
use crate::error::{Error, Result};
use crate::ipnet::IpNet;
use crate::wire::nft::{
    NFT_SET_CONSTANT, NFT_SET_ELEM_INTERVAL_END, NFT_SET_INTERVAL, NFT_SET_MAP, NFTA_LIST_ELEM,
    SetAttr, SetElem, SetElemAttr, SetElemListAttr, SetElemsMessage, SetMessage, value,
};
use std::fmt;
use std::net::IpAddr;

/// `nft`'s `TYPE_BITS`: a concatenation's type number is its fields' numbers, each shifted
/// in by this many bits (`ipv4_addr . inet_service` is `7 << 6 | 13`).
const TYPE_BITS: u32 = 6;

/// The `NFTNL_UDATA_SET_*` records `nft` writes in `NFTA_SET_USERDATA`.
const UDATA_KEYBYTEORDER: u8 = 0;
const UDATA_DATABYTEORDER: u8 = 1;
const UDATA_KEY_TYPEOF: u8 = 3;
const UDATA_DATA_TYPEOF: u8 = 4;
const UDATA_DATA_INTERVAL: u8 = 6;
/// What `nft` 1.0.6 writes as the `typeof` of a concatenation declared with `type`: a nest
/// holding `NFTNL_UDATA_SET_TYPEOF_EXPR` = `EXPR_CONCAT` (13) and an empty
/// `NFTNL_UDATA_SET_TYPEOF_DATA`.
const CONCAT_TYPEOF: [u8; 8] = [0, 4, 13, 0, 0, 0, 1, 0];

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

    /// The byte order `nft` records for the type (`BYTEORDER_HOST_ENDIAN` 1,
    /// `BYTEORDER_BIG_ENDIAN` 2), which `nft list` needs to print the elements.
    fn byteorder(self) -> u32 {
        match self {
            KeyType::Mark | KeyType::IfName => 1,
            _ => 2,
        }
    }
}

/// The type number of a key or data made of `fields` (a concatenation when more than one).
fn type_number(fields: &[KeyType]) -> u32 {
    fields
        .iter()
        .fold(0, |acc, f| (acc << TYPE_BITS) | f.number())
}

/// The length of a key or data made of `fields`: one field's length, or in a
/// concatenation each field's rounded up to 4 bytes (a 32-bit register each).
fn fields_len(fields: &[KeyType]) -> u32 {
    match fields {
        [one] => one.key_len(),
        _ => fields.iter().map(|f| f.key_len().next_multiple_of(4)).sum(),
    }
}

/// The byte order `nft` records for `fields`: a concatenation has none (0).
fn fields_byteorder(fields: &[KeyType]) -> u32 {
    match fields {
        [one] => one.byteorder(),
        _ => 0,
    }
}

/// `fields` as `nft` writes a type: `ipv4_addr . inet_service`.
fn fields_name(fields: &[KeyType]) -> String {
    fields
        .iter()
        .map(|f| f.name())
        .collect::<Vec<_>>()
        .join(" . ")
}

/// One `NFTNL_UDATA` record.
fn udata(out: &mut Vec<u8>, kind: u8, v: &[u8]) {
    out.push(kind);
    out.push(u8::try_from(v.len()).unwrap_or(u8::MAX));
    out.extend_from_slice(v);
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
    /// A key of a concatenated set: one element per field, in order (no ranges):
    /// `198.18.0.2 . 80`.
    Concat(Vec<Element>),
    /// A map element: the key and the data it maps to (`8080 : 198.18.0.2 . 80`).
    Map(Box<Element>, Box<Element>),
}

impl Element {
    /// The map element `key : data`.
    pub fn map(key: Element, data: Element) -> Element {
        Element::Map(Box::new(key), Box::new(data))
    }

    /// The bytes of this element as a key or data of `fields`: one field's bytes (a range
    /// only for one field), or a concatenation's, each field padded to 4 bytes.
    fn values(&self, fields: &[KeyType]) -> Result<(Vec<u8>, Vec<u8>)> {
        match (self, fields) {
            (Element::Concat(parts), _) if fields.len() > 1 => {
                if parts.len() != fields.len() {
                    return Err(Error::invalid(
                        "set element",
                        format!(
                            "{self}: {} fields, not {}",
                            parts.len(),
                            fields_name(fields)
                        ),
                    ));
                }
                let mut v = Vec::new();
                for (p, f) in parts.iter().zip(fields) {
                    let (first, last) = p.keys(*f)?;
                    if first != last {
                        return Err(Error::invalid(
                            "set element",
                            format!("{self}: a range in a concatenation"),
                        ));
                    }
                    v.extend(&first);
                    v.resize(v.len().next_multiple_of(4), 0);
                }
                Ok((v.clone(), v))
            }
            (_, [one]) => self.keys(*one),
            _ => Err(Error::invalid(
                "set element",
                format!("{self} is not a {} key", fields_name(fields)),
            )),
        }
    }

    /// The first and last key of the element, as the set stores keys.
    fn keys(&self, key: KeyType) -> Result<(Vec<u8>, Vec<u8>)> {
        let wrong = || {
            Err(Error::invalid(
                "set element",
                format!("{self} is not a {} key", key.name()),
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

/// A named set or map to create.
///
/// A set's key is one type, or a concatenation of types (`type ipv4_addr . inet_service`,
/// [`Set::then`]); a map ([`Set::map_to`]) maps each key to data of one type or a
/// concatenation. `NFT_MSG_NEWSET` carries, as `nft` 1.0.6 sends it: the flags
/// (`NFT_SET_MAP` for a map, `NFT_SET_INTERVAL`, `NFT_SET_CONSTANT`), the key's type number
/// (a concatenation's numbers shifted together, 6 bits each) and length (each field of a
/// concatenation rounded up to 4 bytes), a map's `NFTA_SET_DATA_TYPE` and
/// `NFTA_SET_DATA_LEN` the same way, the set's id in the batch, and `nft`'s user data (byte
/// orders, and a mark for each concatenation) that `nft list` reads.
///
/// ```
/// use netplumb::nft::{Element, KeyType, Set};
/// // set allowed { type ipv4_addr; flags interval; elements = { 198.18.0.0/24 } }
/// let s = Set::new("allowed", KeyType::Ipv4Addr)
///     .interval()
///     .element(Element::Net("198.18.0.0/24".parse()?));
/// assert_eq!(s.elements.len(), 1);
/// // map m { type inet_service : ipv4_addr . inet_service; elements = { 8080 : 198.18.0.2 . 80 } }
/// let m = Set::new("m", KeyType::InetService)
///     .map_to(&[KeyType::Ipv4Addr, KeyType::InetService])
///     .element(Element::map(
///         Element::Port(8080.into()),
///         Element::Concat(vec![Element::Addr("198.18.0.2".parse()?), Element::Port(80.into())]),
///     ));
/// assert_eq!(m.to_string(), "map m {\n\ttype inet_service : ipv4_addr . inet_service\n\telements = { 8080 : 198.18.0.2 . 80 }\n}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Set {
    /// The name.
    pub name: String,
    /// The key type (the first field of a concatenation).
    pub key: KeyType,
    /// The further fields of a concatenated key, after `key` (empty for a plain key).
    pub key_concat: Vec<KeyType>,
    /// A map's data type: one type or the fields of a concatenation (empty for a set).
    pub data: Vec<KeyType>,
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
            key_concat: Vec::new(),
            data: Vec::new(),
            interval: false,
            constant: false,
            elements: Vec::new(),
        }
    }

    /// The key with one more field concatenated (`type ipv4_addr . inet_service`).
    #[must_use]
    pub fn then(mut self, field: KeyType) -> Set {
        self.key_concat.push(field);
        self
    }

    /// A map from the keys to data of `data` (one type, or the fields of a
    /// concatenation): `map NAME { type KEY : DATA }`.
    #[must_use]
    pub fn map_to(mut self, data: &[KeyType]) -> Set {
        self.data = data.to_vec();
        self
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

    /// True for a map.
    pub fn is_map(&self) -> bool {
        !self.data.is_empty()
    }

    /// The key's fields: `key`, then `key_concat`.
    pub fn key_fields(&self) -> Vec<KeyType> {
        let mut k = vec![self.key];
        k.extend(&self.key_concat);
        k
    }

    /// The key type as `nft` writes it (`ipv4_addr . inet_service`).
    pub fn key_name(&self) -> String {
        fields_name(&self.key_fields())
    }

    /// The type as `nft` writes it: the key's, and a map's ` : DATA`.
    pub fn type_name(&self) -> String {
        if self.is_map() {
            format!("{} : {}", self.key_name(), fields_name(&self.data))
        } else {
            self.key_name()
        }
    }

    pub(crate) fn flags(&self) -> u32 {
        let mut f = 0;
        if self.constant {
            f |= NFT_SET_CONSTANT;
        }
        if self.interval {
            f |= NFT_SET_INTERVAL;
        }
        if self.is_map() {
            f |= NFT_SET_MAP;
        }
        f
    }

    /// Refuses what netplumb cannot write as `nft` does: an interval set with a
    /// concatenated key or data (`nft` makes those a pipapo set with `NFTA_SET_DESC`), and
    /// interval maps.
    fn check(&self) -> Result<()> {
        check_name("set name", &self.name)?;
        if self.interval && (self.is_map() || !self.key_concat.is_empty()) {
            return Err(Error::invalid(
                "set",
                format!(
                    "{}: interval maps and interval sets of concatenations are not supported",
                    self.name
                ),
            ));
        }
        Ok(())
    }

    /// `NFTA_SET_USERDATA` as `nft` writes it: the key's byte order, a map's data byte
    /// order, a mark for a concatenated key and for concatenated data, and for a map
    /// whether its data are intervals (never here).
    fn userdata(&self) -> Vec<u8> {
        let key = self.key_fields();
        let mut u = Vec::new();
        udata(
            &mut u,
            UDATA_KEYBYTEORDER,
            &fields_byteorder(&key).to_ne_bytes(),
        );
        if self.is_map() {
            udata(
                &mut u,
                UDATA_DATABYTEORDER,
                &fields_byteorder(&self.data).to_ne_bytes(),
            );
        }
        if key.len() > 1 {
            udata(&mut u, UDATA_KEY_TYPEOF, &CONCAT_TYPEOF);
        }
        if self.data.len() > 1 {
            udata(&mut u, UDATA_DATA_TYPEOF, &CONCAT_TYPEOF);
        }
        if self.is_map() {
            udata(&mut u, UDATA_DATA_INTERVAL, &0u32.to_ne_bytes());
        }
        u
    }

    /// The `NFT_MSG_NEWSET` payload in `nft`'s attribute order; `id` names the set in its
    /// batch.
    pub(crate) fn message(&self, table: &Table, id: u32) -> Result<SetMessage> {
        self.check()?;
        let key = self.key_fields();
        let mut m = SetMessage::new(table.header())
            .with(SetAttr::Table(table.name.clone()))
            .with(SetAttr::Name(self.name.clone()))
            .with(SetAttr::Flags(self.flags()))
            .with(SetAttr::KeyType(type_number(&key)))
            .with(SetAttr::KeyLen(fields_len(&key)));
        if self.is_map() {
            m = m
                .with(SetAttr::DataType(type_number(&self.data)))
                .with(SetAttr::DataLen(fields_len(&self.data)));
        }
        Ok(m.with(SetAttr::Id(id))
            .with(SetAttr::UserData(self.userdata())))
    }

    /// The `NFT_MSG_NEWSETELEM` payload for this set's elements, `None` without elements.
    pub(crate) fn elements_message(
        &self,
        table: &Table,
        set_id: Option<u32>,
    ) -> Result<Option<SetElemsMessage>> {
        if self.elements.is_empty() {
            return Ok(None);
        }
        let ty = ElemType {
            key: &self.key_fields(),
            data: &self.data,
            interval: self.interval,
        };
        elements_message(table, &self.name, &ty, set_id, &self.elements, true).map(Some)
    }
}

/// `nft`'s text: `set NAME {` (or `map`), the type, the flags, the elements, `}`; fields
/// on lines of their own, indented by one tab.
impl fmt::Display for Set {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.is_map() { "map" } else { "set" };
        writeln!(f, "{kind} {} {{", self.name)?;
        writeln!(f, "\ttype {}", self.type_name())?;
        let flags: Vec<&str> = [(self.constant, "constant"), (self.interval, "interval")]
            .into_iter()
            .filter(|x| x.0)
            .map(|x| x.1)
            .collect();
        if !flags.is_empty() {
            writeln!(f, "\tflags {}", flags.join(","))?;
        }
        if !self.elements.is_empty() {
            f.write_str("\telements = { ")?;
            for (i, e) in self.elements.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{e}")?;
            }
            f.write_str(" }\n")?;
        }
        f.write_str("}")
    }
}

/// An element as `nft` writes it: `198.18.0.2`, `198.18.0.0/24`, `80`, `1000-2000`,
/// `"br0"`, `0x00000001`, `198.18.0.2 . 80`, `8080 : 198.18.0.2 . 80`.
impl fmt::Display for Element {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Element::Addr(a) => write!(f, "{a}"),
            Element::Net(n) => write!(f, "{}/{}", n.addr(), n.prefix_len()),
            Element::Port(p) => write!(f, "{p}"),
            Element::IfName(n) => write!(f, "\"{n}\""),
            Element::Mark(m) => write!(f, "{m:#010x}"),
            Element::Concat(parts) => {
                for (i, p) in parts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" . ")?;
                    }
                    write!(f, "{p}")?;
                }
                Ok(())
            }
            Element::Map(k, d) => write!(f, "{k} : {d}"),
        }
    }
}

/// What the elements of a set must look like: the key's fields, a map's data fields, and
/// whether keys may be ranges.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ElemType<'a> {
    pub key: &'a [KeyType],
    pub data: &'a [KeyType],
    pub interval: bool,
}

/// The `NFT_MSG_NEWSETELEM`/`NFT_MSG_DELSETELEM` payload for `elements` of set `set`.
/// `set_id` is the batch id of a set made in the same transaction. An interval set stores a
/// range as its first key and, flagged `NFT_SET_ELEM_INTERVAL_END`, the key after its last;
/// `leading_end` adds the end element at key 0 that `nft` writes when it fills a set it
/// just made (from the start of the key space). A map element carries its data
/// (`NFTA_SET_ELEM_DATA`) after its key.
pub(crate) fn elements_message(
    table: &Table,
    set: &str,
    ty: &ElemType<'_>,
    set_id: Option<u32>,
    elements: &[Element],
    leading_end: bool,
) -> Result<SetElemsMessage> {
    check_name("set name", set)?;
    let map = !ty.data.is_empty();
    let elem = |attrs| SetElem::Elem {
        kind: NFTA_LIST_ELEM,
        attrs,
    };
    let mut list = Vec::new();
    if map {
        if ty.interval {
            return Err(Error::invalid("set", "interval maps are not supported"));
        }
        for e in elements {
            let Element::Map(k, d) = e else {
                return Err(Error::invalid(
                    "map element",
                    format!("{e}: a map element needs data (KEY : DATA)"),
                ));
            };
            let (key, key_last) = k.values(ty.key)?;
            let (data, data_last) = d.values(ty.data)?;
            if key != key_last || data != data_last {
                return Err(Error::invalid(
                    "map element",
                    format!("{e}: a range needs an interval map"),
                ));
            }
            list.push(elem(vec![
                SetElemAttr::Key(value(key)),
                SetElemAttr::Data(value(data)),
            ]));
        }
    } else {
        let mut keys: Vec<(Vec<u8>, Vec<u8>)> = elements
            .iter()
            .map(|e| e.values(ty.key))
            .collect::<Result<_>>()?;
        if !ty.interval
            && let Some(e) = elements.iter().zip(&keys).find(|(_, k)| k.0 != k.1)
        {
            return Err(Error::invalid(
                "set element",
                format!("{}: a range needs an interval set", e.0),
            ));
        }
        if ty.interval {
            keys.sort();
            let len = fields_len(ty.key) as usize;
            if leading_end && keys.first().is_some_and(|k| k.0.iter().any(|&b| b != 0)) {
                list.push(elem(vec![
                    SetElemAttr::Flags(NFT_SET_ELEM_INTERVAL_END),
                    SetElemAttr::Key(value(vec![0; len])),
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
    use crate::nft::{PortRange, TableFamily};
    use crate::wire::Emit;

    #[test]
    fn interval_elements_as_nft_writes_them() {
        // The elements of `allowed` in tests/fixtures/nft/request_ruleset_ip.hex.
        let t = Table::new(TableFamily::Ip, "np");
        let ty = ElemType {
            key: &[KeyType::Ipv4Addr],
            data: &[],
            interval: true,
        };
        let m = elements_message(
            &t,
            "allowed",
            &ty,
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
        let plain = |key: &'static [KeyType]| ElemType {
            key,
            data: &[],
            interval: false,
        };
        let port = plain(&[KeyType::InetService]);
        let e = elements_message(&t, "s", &port, None, &range, false);
        assert!(e.unwrap_err().is_invalid());
        let wrong = [Element::Addr("2001:db8::1".parse().unwrap())];
        let v4 = plain(&[KeyType::Ipv4Addr]);
        assert!(elements_message(&t, "s", &v4, None, &wrong, false).is_err());
        let port0 = [Element::Port(0.into())];
        assert!(elements_message(&t, "s", &port, None, &port0, false).is_err());
    }

    fn addr(s: &str) -> Element {
        Element::Addr(s.parse().unwrap())
    }

    fn port(p: u16) -> Element {
        Element::Port(p.into())
    }

    #[test]
    fn maps_and_concatenations_as_nft_sends_them() {
        // `map m { type inet_service : ipv4_addr }` and
        // `map m2 { type ipv4_addr . inet_service : mark }`, as nft 1.0.6 sent them.
        let t = Table::new(TableFamily::Inet, "t");
        let m = Set::new("m", KeyType::InetService).map_to(&[KeyType::Ipv4Addr]);
        let attrs = m.message(&t, 1).unwrap().attrs;
        assert!(attrs.contains(&SetAttr::Flags(NFT_SET_MAP)));
        assert!(attrs.contains(&SetAttr::DataType(7)));
        assert!(attrs.contains(&SetAttr::DataLen(4)));
        let ud = crate::wire::hex::parse("00040200 00000104 02000000 06040000 0000").unwrap();
        assert!(attrs.contains(&SetAttr::UserData(ud)));
        let m2 = Set::new("m2", KeyType::Ipv4Addr)
            .then(KeyType::InetService)
            .map_to(&[KeyType::Mark]);
        let attrs = m2.message(&t, 2).unwrap().attrs;
        assert!(attrs.contains(&SetAttr::KeyType(461)));
        assert!(attrs.contains(&SetAttr::KeyLen(8)));
        assert!(attrs.contains(&SetAttr::DataType(19)));
        let ud = crate::wire::hex::parse(
            "00040000 00000104 01000000 03080004 0d000000 01000604 00000000",
        )
        .unwrap();
        assert!(attrs.contains(&SetAttr::UserData(ud)));
        // An IPv6 concatenation: 16 + 16 + 4 bytes, type 8 . 8 . 13.
        let h = Set::new("h", KeyType::Ipv6Addr)
            .then(KeyType::Ipv6Addr)
            .then(KeyType::InetService);
        let attrs = h.message(&t, 3).unwrap().attrs;
        assert!(attrs.contains(&SetAttr::KeyType(0x820d)));
        assert!(attrs.contains(&SetAttr::KeyLen(36)));
        assert!(attrs.contains(&SetAttr::Flags(0)));
    }

    #[test]
    fn map_elements_carry_padded_data_and_bad_ones_are_refused() {
        let t = Table::new(TableFamily::Inet, "t");
        let m = Set::new("m", KeyType::InetService)
            .map_to(&[KeyType::Ipv4Addr, KeyType::InetService])
            .element(Element::map(
                port(8080),
                Element::Concat(vec![addr("198.18.0.2"), port(80)]),
            ));
        let e = m.elements_message(&t, Some(1)).unwrap().unwrap();
        // The elements of ports_ip_tcp in tests/fixtures/nft/request_op_ports.hex.
        let want = crate::wire::hex::parse(
            "01000000 0600 0100 74000000 0600 0200 6d000000 0800 0400 00000001
             2400 0380 2000 0180 0c00 0180 0600 0100 1f900000
               1000 0280 0c00 0100 c6120002 00500000",
        )
        .unwrap();
        assert_eq!(e.to_vec().unwrap(), want);
        assert_eq!(
            m.to_string(),
            "map m {\n\ttype inet_service : ipv4_addr . inet_service\n\telements = { 8080 : 198.18.0.2 . 80 }\n}"
        );
        let bad = [
            // Port 0 in the key or in the data.
            Element::map(port(0), Element::Concat(vec![addr("198.18.0.2"), port(80)])),
            Element::map(port(1), Element::Concat(vec![addr("198.18.0.2"), port(0)])),
            // A reversed range, a range in a concatenation, a range without interval.
            Element::map(
                Element::Port(PortRange { first: 9, last: 8 }),
                Element::Concat(vec![addr("198.18.0.2"), port(80)]),
            ),
            Element::map(
                port(1),
                Element::Concat(vec![addr("198.18.0.2"), Element::Port((80..=81).into())]),
            ),
            Element::map(
                Element::Port((1..=2).into()),
                Element::Concat(vec![addr("198.18.0.2"), port(80)]),
            ),
            // Wrong shapes: no data, too few fields, the wrong family.
            port(1),
            Element::map(port(1), addr("198.18.0.2")),
            Element::map(
                port(1),
                Element::Concat(vec![addr("2001:db8::2"), port(80)]),
            ),
        ];
        for b in bad {
            let m = m.clone();
            let m = Set {
                elements: vec![b.clone()],
                ..m
            };
            let e = m.elements_message(&t, None).unwrap_err();
            assert!(e.is_invalid(), "{b}: {e}");
        }
        // Interval maps and interval concatenations are refused, not sent wrong.
        assert!(m.clone().interval().message(&t, 1).is_err());
        let c = Set::new("c", KeyType::Ipv4Addr).then(KeyType::InetService);
        assert!(c.interval().message(&t, 1).is_err());
    }
}
