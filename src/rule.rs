//! Policy routing rules on a [`Handle`]: like `ip rule`.
//!
//! - [`RuleSpec`] describes a rule to add or delete ([`Handle::rule_add`],
//!   [`Handle::rule_del`]); [`RuleSpec::request`] gives the message for a
//!   [`crate::Batch`].
//! - [`Handle::rule_list`] dumps the rules of one family or both (the kernel filters by
//!   family) and keeps those a [`RuleFilter`] selects, as `ip rule show SELECTOR` does;
//!   [`Handle::rule_flush`] deletes them, as `ip rule flush SELECTOR` does.
//! - Results are [`Rule`]s: typed fields and the [`RuleMessage`] they came from.
//!
//! ```no_run
//! use netplumb::{Handle, rule::{RuleFilter, RuleSpec}};
//! let h = Handle::new()?;
//! // ip rule add from 198.18.1.0/24 lookup 100 pref 1000
//! h.rule_add(&RuleSpec::new().from("198.18.1.0/24".parse()?).table(100).priority(1000))?;
//! for r in h.rule_list(&RuleFilter::new().table(100))? {
//!     println!("{}: from {:?} lookup {}", r.priority, r.from, r.table);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::handle::Handle;
use crate::ops::{FlushPolicy, check_ip_family, is_ip_family, reported_prefix};
use crate::socket::Request;
use crate::wire::NlmsgFlags;
use crate::wire::family::{AF_INET, AF_UNSPEC};
use crate::wire::nlmsg::{RTM_DELRULE, RTM_GETRULE, RTM_NEWRULE};
use crate::wire::route::{RT_TABLE_MAIN, RouteProtocol};
use crate::wire::rule::{
    PortRange, RuleAction, RuleAttr, RuleFlags, RuleHeader, RuleMessage, UidRange,
};
use crate::{Error, Family, IpNet, Result};

/// Which `ip rule` verb a [`RuleSpec`] is sent as: the message type and the `NLM_F_*` flags,
/// as iproute2's `ip/iprule.c` sets them.
///
/// ```
/// use netplumb::rule::RuleOp;
/// use netplumb::wire::NlmsgFlags;
/// assert_eq!(RuleOp::Add.flags(), NlmsgFlags::CREATE | NlmsgFlags::EXCL);
/// assert_eq!(RuleOp::Del.msg_type(), netplumb::wire::nlmsg::RTM_DELRULE);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleOp {
    /// `RTM_NEWRULE` with `NLM_F_CREATE|NLM_F_EXCL`: `ip rule add`.
    Add,
    /// `RTM_DELRULE`: `ip rule del`.
    Del,
}

impl RuleOp {
    /// `RTM_NEWRULE` or `RTM_DELRULE`.
    pub fn msg_type(self) -> u16 {
        match self {
            RuleOp::Add => RTM_NEWRULE,
            RuleOp::Del => RTM_DELRULE,
        }
    }

    /// The request flags besides `NLM_F_REQUEST|NLM_F_ACK`.
    pub fn flags(self) -> NlmsgFlags {
        match self {
            RuleOp::Add => NlmsgFlags::CREATE | NlmsgFlags::EXCL,
            RuleOp::Del => NlmsgFlags::empty(),
        }
    }
}

/// What a rule does with the packets it selects: the rule's type in `ip rule`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// `FR_ACT_TO_TBL`: look the route up in the rule's table (`lookup TABLE`, the default).
    ToTable,
    /// `FR_ACT_GOTO` with `FRA_GOTO`: go on at the rule of this priority (`goto PRIO`);
    /// it must be higher than the rule's own.
    Goto(u32),
    /// `FR_ACT_NOP`: nothing, go on with the next rule (`nop`).
    Nop,
    /// `FR_ACT_BLACKHOLE`: drop silently (`blackhole`).
    Blackhole,
    /// `FR_ACT_UNREACHABLE`: drop, "network unreachable" (`unreachable`).
    Unreachable,
    /// `FR_ACT_PROHIBIT`: drop, "permission denied" (`prohibit`).
    Prohibit,
    /// Any other `action` value, sent as it is (the kernel judges it).
    Other(RuleAction),
}

impl Action {
    /// The `FR_ACT_*` value.
    pub fn wire(self) -> RuleAction {
        match self {
            Action::ToTable => RuleAction::TO_TBL,
            Action::Goto(_) => RuleAction::GOTO,
            Action::Nop => RuleAction::NOP,
            Action::Blackhole => RuleAction::BLACKHOLE,
            Action::Unreachable => RuleAction::UNREACHABLE,
            Action::Prohibit => RuleAction::PROHIBIT,
            Action::Other(a) => a,
        }
    }
}

/// A rule to add or delete: the arguments of `ip rule add|del ...`, as a builder with one
/// setter per `ip` keyword.
///
/// The family is the one of `from`/`to` when given, else [`RuleSpec::family`], else IPv4,
/// as `ip rule` without `-6` does.
///
/// Adding ([`RuleOp::Add`]): the action is [`Action::ToTable`] unless another is set, and a
/// rule that looks a table up without naming one looks up `main`, as `ip rule add` does;
/// without a priority the kernel gives one: one below the priority of the second rule in
/// the list (32765 on a fresh namespace, then 32764, ...). Deleting ([`RuleOp::Del`]):
/// unset fields match any rule (action `FR_ACT_UNSPEC`, table 0), and the kernel deletes
/// the first rule that matches everything given, like `ip rule del`.
///
/// Checked when the message is built, before anything is sent: `from` and `to` of
/// different families or not of [`RuleSpec::family`], interface names the kernel would not
/// take, a table next to `l3mdev`. What only the kernel can judge (a goto backwards, a uid
/// or port range whose end is below its start, ECN bits in the TOS) comes back as its
/// error, with its message.
///
/// Attributes are written in the order `ip rule add from .. to .. uidrange .. ipproto ..
/// sport .. dport .. tun_id .. protocol .. fwmark .. iif .. oif .. l3mdev goto ..
/// suppress_prefixlength .. suppress_ifgroup .. realms .. pref .. table ..` writes them.
///
/// ```
/// use netplumb::rule::{RuleOp, RuleSpec};
/// use netplumb::wire::rule::PortRange;
/// // ip rule add not from 198.18.1.0/24 fwmark 0x10/0xff iif veth0 ipproto 6 dport 80 pref 100 table 7
/// let spec = RuleSpec::new()
///     .invert()
///     .from("198.18.1.0/24".parse().unwrap())
///     .fwmark_mask(0x10, 0xff)
///     .iif("veth0")
///     .ip_proto(6)
///     .dport(PortRange::single(80))
///     .priority(100)
///     .table(7);
/// let req = spec.request(RuleOp::Add).unwrap();
/// assert_eq!(req.message.header.table, 7);
/// assert_eq!(req.message.priority(), Some(100));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleSpec {
    /// The family when neither `from` nor `to` says it (`-4`/`-6`).
    pub family: Option<Family>,
    /// `not`: `FIB_RULE_INVERT`, the selector is negated.
    pub invert: bool,
    /// `from PREFIX`: source prefix (`FRA_SRC`, `src_len`).
    pub from: Option<IpNet>,
    /// `to PREFIX`: destination prefix (`FRA_DST`, `dst_len`).
    pub to: Option<IpNet>,
    /// `tos TOS` / `dsfield TOS`: the header's `tos`.
    pub tos: u8,
    /// `fwmark MARK` (`FRA_FWMARK`).
    pub fwmark: Option<u32>,
    /// `fwmark MARK/MASK`: the mask (`FRA_FWMASK`).
    pub fwmask: Option<u32>,
    /// `iif NAME` (`FRA_IIFNAME`): the input interface, by name (it need not exist yet).
    pub iif: Option<String>,
    /// `oif NAME` (`FRA_OIFNAME`): the output interface (of locally generated packets).
    pub oif: Option<String>,
    /// `pref PRIO` (`FRA_PRIORITY`).
    pub priority: Option<u32>,
    /// `l3mdev` (`FRA_L3MDEV`): look up the table of the packet's L3 master device (VRF).
    pub l3mdev: bool,
    /// `uidrange START-END` (`FRA_UID_RANGE`).
    pub uid_range: Option<UidRange>,
    /// `ipproto PROTO` (`FRA_IP_PROTO`).
    pub ip_proto: Option<u8>,
    /// `sport START[-END]` (`FRA_SPORT_RANGE`).
    pub sport: Option<PortRange>,
    /// `dport START[-END]` (`FRA_DPORT_RANGE`).
    pub dport: Option<PortRange>,
    /// `tun_id ID` (`FRA_TUN_ID`).
    pub tun_id: Option<u64>,
    /// `table ID` / `lookup ID`; ids below 256 go in the header, larger ones in
    /// `FRA_TABLE`.
    pub table: Option<u32>,
    /// The rule's type; `None` is [`Action::ToTable`] when adding, any when deleting.
    pub action: Option<Action>,
    /// `protocol PROTO` (`FRA_PROTOCOL`): who installed the rule.
    pub protocol: Option<RouteProtocol>,
    /// `realms [FROM/]TO` (`FRA_FLOW`, `from << 16 | to`).
    pub realms: Option<u32>,
    /// `suppress_prefixlength N` (`FRA_SUPPRESS_PREFIXLEN`).
    pub suppress_prefixlen: Option<u32>,
    /// `suppress_ifgroup GROUP` (`FRA_SUPPRESS_IFGROUP`).
    pub suppress_ifgroup: Option<u32>,
}

impl RuleSpec {
    /// A rule with nothing set: `ip rule add` with no selector (`from all lookup main`).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the family used when no prefix gives one (`-4`/`-6`).
    #[must_use]
    pub fn family(mut self, family: Family) -> Self {
        self.family = Some(family);
        self
    }

    /// An IPv6 rule (`ip -6 rule`).
    #[must_use]
    pub fn ipv6(self) -> Self {
        self.family(Family::Ipv6)
    }

    /// Negates the selector (`not`).
    #[must_use]
    pub fn invert(mut self) -> Self {
        self.invert = true;
        self
    }

    /// Source prefix (`from PREFIX`).
    #[must_use]
    pub fn from(mut self, prefix: IpNet) -> Self {
        self.from = Some(prefix);
        self
    }

    /// Destination prefix (`to PREFIX`).
    #[must_use]
    pub fn to(mut self, prefix: IpNet) -> Self {
        self.to = Some(prefix);
        self
    }

    /// The dsfield to match (`tos TOS`, `dsfield TOS`).
    #[must_use]
    pub fn tos(mut self, tos: u8) -> Self {
        self.tos = tos;
        self
    }

    /// Firewall mark (`fwmark MARK`).
    #[must_use]
    pub fn fwmark(mut self, mark: u32) -> Self {
        self.fwmark = Some(mark);
        self
    }

    /// Firewall mark and mask (`fwmark MARK/MASK`).
    #[must_use]
    pub fn fwmark_mask(mut self, mark: u32, mask: u32) -> Self {
        self.fwmark = Some(mark);
        self.fwmask = Some(mask);
        self
    }

    /// Input interface (`iif NAME`).
    #[must_use]
    pub fn iif(mut self, name: impl Into<String>) -> Self {
        self.iif = Some(name.into());
        self
    }

    /// Output interface (`oif NAME`).
    #[must_use]
    pub fn oif(mut self, name: impl Into<String>) -> Self {
        self.oif = Some(name.into());
        self
    }

    /// Priority (`pref PRIO`, `priority PRIO`, `order PRIO`).
    #[must_use]
    pub fn priority(mut self, priority: u32) -> Self {
        self.priority = Some(priority);
        self
    }

    /// Look up the L3 master device's table (`l3mdev`).
    #[must_use]
    pub fn l3mdev(mut self) -> Self {
        self.l3mdev = true;
        self
    }

    /// Socket owner uids `start` to `end` (`uidrange START-END`).
    #[must_use]
    pub fn uid_range(mut self, start: u32, end: u32) -> Self {
        self.uid_range = Some(UidRange { start, end });
        self
    }

    /// IP protocol (`ipproto PROTO`).
    #[must_use]
    pub fn ip_proto(mut self, proto: u8) -> Self {
        self.ip_proto = Some(proto);
        self
    }

    /// Source ports (`sport PORT`, `sport START-END`).
    #[must_use]
    pub fn sport(mut self, ports: PortRange) -> Self {
        self.sport = Some(ports);
        self
    }

    /// Destination ports (`dport PORT`, `dport START-END`).
    #[must_use]
    pub fn dport(mut self, ports: PortRange) -> Self {
        self.dport = Some(ports);
        self
    }

    /// Tunnel id (`tun_id ID`).
    #[must_use]
    pub fn tun_id(mut self, id: u64) -> Self {
        self.tun_id = Some(id);
        self
    }

    /// Table to look up (`table ID`, `lookup ID`).
    #[must_use]
    pub fn table(mut self, id: u32) -> Self {
        self.table = Some(id);
        self
    }

    /// The rule's type.
    #[must_use]
    pub fn action(mut self, action: Action) -> Self {
        self.action = Some(action);
        self
    }

    /// Jump to the rule of priority `target` (`goto PRIO`).
    #[must_use]
    pub fn goto(self, target: u32) -> Self {
        self.action(Action::Goto(target))
    }

    /// Do nothing (`nop`).
    #[must_use]
    pub fn nop(self) -> Self {
        self.action(Action::Nop)
    }

    /// Drop silently (`blackhole`).
    #[must_use]
    pub fn blackhole(self) -> Self {
        self.action(Action::Blackhole)
    }

    /// Drop with "network unreachable" (`unreachable`).
    #[must_use]
    pub fn unreachable(self) -> Self {
        self.action(Action::Unreachable)
    }

    /// Drop with "permission denied" (`prohibit`).
    #[must_use]
    pub fn prohibit(self) -> Self {
        self.action(Action::Prohibit)
    }

    /// Who installs the rule (`protocol PROTO`).
    #[must_use]
    pub fn protocol(mut self, protocol: RouteProtocol) -> Self {
        self.protocol = Some(protocol);
        self
    }

    /// Routing realms (`realms FROM/TO`).
    #[must_use]
    pub fn realms(mut self, from: u16, to: u16) -> Self {
        self.realms = Some(u32::from(from) << 16 | u32::from(to));
        self
    }

    /// Ignore lookup results with a prefix of `len` bits or less
    /// (`suppress_prefixlength N`).
    #[must_use]
    pub fn suppress_prefixlen(mut self, len: u32) -> Self {
        self.suppress_prefixlen = Some(len);
        self
    }

    /// Ignore lookup results through a device of group `group` (`suppress_ifgroup GROUP`).
    #[must_use]
    pub fn suppress_ifgroup(mut self, group: u32) -> Self {
        self.suppress_ifgroup = Some(group);
        self
    }

    /// `AF_INET` or `AF_INET6`, from the prefixes or the family; see the type's docs.
    fn af(&self) -> Result<u8> {
        let mut af = self.family.map(Family::af);
        for (what, net) in [("from", self.from), ("to", self.to)] {
            let Some(net) = net else { continue };
            if let Some(f) = af
                && f != net.family()
            {
                return Err(Error::invalid(
                    "rule family",
                    format!("{what} {net} is not of the rule's family"),
                ));
            }
            af = Some(net.family());
        }
        Ok(af.unwrap_or(AF_INET))
    }

    /// Checks the spec and builds the `RTM_NEWRULE` (add) or `RTM_DELRULE` (del) payload,
    /// as `ip rule add|del` would send it for the same keywords.
    ///
    /// # Errors
    /// [`Error::InvalidInput`]: see the type's docs.
    pub fn to_message(&self, op: RuleOp) -> Result<RuleMessage> {
        let family = self.af()?;
        for name in [&self.iif, &self.oif].into_iter().flatten() {
            crate::ifname::validate(name)?;
        }
        if self.l3mdev && self.table.is_some() {
            return Err(Error::invalid(
                "rule",
                "table can not be specified for l3mdev rules",
            ));
        }
        let action = match (op, self.action) {
            (_, Some(a)) => a.wire(),
            (RuleOp::Add, None) => RuleAction::TO_TBL,
            (RuleOp::Del, None) => RuleAction::UNSPEC,
        };
        let mut header = RuleHeader {
            family,
            dst_len: self.to.map_or(0, |n| n.prefix_len()),
            src_len: self.from.map_or(0, |n| n.prefix_len()),
            tos: self.tos,
            action,
            flags: if self.invert {
                RuleFlags::INVERT
            } else {
                RuleFlags::empty()
            },
            ..RuleHeader::default()
        };
        // ip picks `main` when adding a rule that looks a table up without naming one.
        let implicit_main =
            op == RuleOp::Add && self.action.is_none() && !self.l3mdev && self.table.is_none();
        let table = if implicit_main {
            Some(RT_TABLE_MAIN)
        } else {
            self.table
        };
        let mut attrs = Vec::with_capacity(8);
        let mut push = |a: Option<RuleAttr>| attrs.extend(a);
        push(self.from.map(|n| RuleAttr::Source(n.addr())));
        push(self.to.map(|n| RuleAttr::Destination(n.addr())));
        push(self.uid_range.map(RuleAttr::UidRange));
        push(self.ip_proto.map(RuleAttr::IpProto));
        push(self.sport.map(RuleAttr::SourcePortRange));
        push(self.dport.map(RuleAttr::DestinationPortRange));
        push(self.tun_id.map(RuleAttr::TunId));
        push(self.protocol.map(RuleAttr::Protocol));
        push(self.fwmark.map(RuleAttr::FwMark));
        push(self.fwmask.map(RuleAttr::FwMask));
        push(self.iif.clone().map(RuleAttr::IifName));
        push(self.oif.clone().map(RuleAttr::OifName));
        push(self.l3mdev.then_some(RuleAttr::L3mdev(1)));
        if let Some(Action::Goto(target)) = self.action {
            push(Some(RuleAttr::Goto(target)));
        }
        push(self.suppress_prefixlen.map(RuleAttr::SuppressPrefixLen));
        push(self.suppress_ifgroup.map(RuleAttr::SuppressIfGroup));
        push(self.realms.map(RuleAttr::Flow));
        push(self.priority.map(RuleAttr::Priority));
        if let Some(t) = table {
            match u8::try_from(t) {
                Ok(small) => header.table = small,
                Err(_) => push(Some(RuleAttr::Table(t))),
            }
        }
        Ok(RuleMessage { header, attrs })
    }

    /// The request for sending the spec as `op` (message type, flags besides
    /// `NLM_F_REQUEST|NLM_F_ACK`, and payload), e.g. into a [`Batch`](crate::Batch).
    ///
    /// # Errors
    /// As [`RuleSpec::to_message`].
    pub fn request(&self, op: RuleOp) -> Result<RuleRequest> {
        Ok(Request::new(
            op.msg_type(),
            op.flags(),
            self.to_message(op)?,
        ))
    }
}

/// A rule request, built but not sent: the shared [`Request`] type for a [`RuleMessage`].
pub type RuleRequest = Request<RuleMessage>;

/// A rule, as `ip rule show` reports it: the fields of an `RTM_NEWRULE` from the kernel,
/// typed, and the message itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// `AF_INET` or `AF_INET6`.
    pub family: u8,
    /// The priority (0 when the kernel sent no `FRA_PRIORITY`).
    pub priority: u32,
    /// `not`: `FIB_RULE_INVERT`.
    pub invert: bool,
    /// Source prefix (`FRA_SRC` with `src_len`).
    pub from: Option<IpNet>,
    /// Destination prefix (`FRA_DST` with `dst_len`).
    pub to: Option<IpNet>,
    /// The dsfield matched.
    pub tos: u8,
    /// `FRA_FWMARK`.
    pub fwmark: Option<u32>,
    /// `FRA_FWMASK`.
    pub fwmask: Option<u32>,
    /// `FRA_IIFNAME`.
    pub iif: Option<String>,
    /// `FRA_OIFNAME`.
    pub oif: Option<String>,
    /// `FRA_L3MDEV` set.
    pub l3mdev: bool,
    /// `FRA_UID_RANGE`.
    pub uid_range: Option<UidRange>,
    /// `FRA_IP_PROTO`.
    pub ip_proto: Option<u8>,
    /// `FRA_SPORT_RANGE`.
    pub sport: Option<PortRange>,
    /// `FRA_DPORT_RANGE`.
    pub dport: Option<PortRange>,
    /// `FRA_TUN_ID`.
    pub tun_id: Option<u64>,
    /// The table (`FRA_TABLE`, else the header's); 0 for rules of other actions.
    pub table: u32,
    /// The action.
    pub action: RuleAction,
    /// `FRA_GOTO`: the target of a goto rule.
    pub goto: Option<u32>,
    /// `FRA_PROTOCOL` (`RTPROT_UNSPEC` when absent).
    pub protocol: RouteProtocol,
    /// `FRA_FLOW`: the realms.
    pub realms: Option<u32>,
    /// `FRA_SUPPRESS_PREFIXLEN` when set.
    pub suppress_prefixlen: Option<u32>,
    /// `FRA_SUPPRESS_IFGROUP` when set.
    pub suppress_ifgroup: Option<u32>,
    /// The header's flags (`FIB_RULE_INVERT`, and in dumps `FIB_RULE_UNRESOLVED`,
    /// `FIB_RULE_IIF_DETACHED`, `FIB_RULE_OIF_DETACHED`).
    pub flags: RuleFlags,
    /// The message the rule was read from.
    pub message: RuleMessage,
}

impl Rule {
    /// Reads a rule from a kernel message. Only `AF_INET` and `AF_INET6` rules are
    /// accepted; others are [`Error::Protocol`].
    pub fn from_message(message: RuleMessage) -> Result<Rule> {
        let h = message.header;
        check_ip_family("rule", h.family)?;
        let net = |prefix, what| reported_prefix("rule", h.family, what, prefix);
        Ok(Rule {
            family: h.family,
            priority: message.priority().unwrap_or(0),
            invert: h.flags.contains(RuleFlags::INVERT),
            from: message.source().map(|s| net(s, "from")).transpose()?,
            to: message.destination().map(|d| net(d, "to")).transpose()?,
            tos: h.tos,
            fwmark: message.fwmark(),
            fwmask: message.fwmask(),
            iif: message.iif_name().map(str::to_owned),
            oif: message.oif_name().map(str::to_owned),
            l3mdev: message.l3mdev(),
            uid_range: message.uid_range(),
            ip_proto: message.ip_proto(),
            sport: message.sport(),
            dport: message.dport(),
            tun_id: message.tun_id(),
            table: message.table(),
            action: h.action,
            goto: message.goto_target(),
            protocol: message.protocol().unwrap_or_default(),
            realms: message.flow(),
            suppress_prefixlen: message.suppress_prefixlen(),
            suppress_ifgroup: message.suppress_ifgroup(),
            flags: h.flags,
            message,
        })
    }

    /// The action as an [`Action`].
    pub fn kind(&self) -> Action {
        match self.action {
            RuleAction::TO_TBL => Action::ToTable,
            RuleAction::GOTO => Action::Goto(self.goto.unwrap_or(0)),
            RuleAction::NOP => Action::Nop,
            RuleAction::BLACKHOLE => Action::Blackhole,
            RuleAction::UNREACHABLE => Action::Unreachable,
            RuleAction::PROHIBIT => Action::Prohibit,
            other => Action::Other(other),
        }
    }

    /// The `RTM_DELRULE` payload that deletes exactly this rule (what [`Handle::rule_flush`]
    /// sends): the message as the kernel reported it, priority included, as `ip rule flush`
    /// sends it back.
    pub fn delete_message(&self) -> &RuleMessage {
        &self.message
    }
}

impl TryFrom<RuleMessage> for Rule {
    type Error = Error;
    fn try_from(m: RuleMessage) -> Result<Rule> {
        Rule::from_message(m)
    }
}

/// Which rules [`Handle::rule_list`] and [`Handle::rule_flush`] select: the selectors of
/// `ip rule show|flush` (`-4`/`-6`, `pref`, `not`, `from`, `to`, `tos`, `fwmark`, `iif`,
/// `oif`, `l3mdev`, `uidrange`, `ipproto`, `sport`, `dport`, `tun_id`, `table`,
/// `protocol`).
///
/// The family goes to the kernel, which dumps only that family's rules (the only filter a
/// rule dump takes); the rest is checked on each rule as it arrives, as `ip` does: a field
/// left `None` (or `false`) matches any rule. `from` and `to` match a rule whose prefix is
/// at least as long and lies inside the filter's (a rule without the prefix, `from all`,
/// matches only a `/0` filter).
///
/// ```
/// use netplumb::rule::RuleFilter;
/// use netplumb::Family;
/// let f = RuleFilter::new().family(Family::Ipv6).table(100).priority(1000);
/// assert_eq!(f.family, Some(Family::Ipv6));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleFilter {
    /// `AF_INET`/`AF_INET6`, or `None` for both (a dump of `AF_UNSPEC`).
    pub family: Option<Family>,
    /// `pref PRIO` (0 for the rule without `FRA_PRIORITY`).
    pub priority: Option<u32>,
    /// `not`: only inverted rules.
    pub invert: bool,
    /// `from PREFIX`.
    pub from: Option<IpNet>,
    /// `to PREFIX`.
    pub to: Option<IpNet>,
    /// `tos TOS`.
    pub tos: Option<u8>,
    /// `fwmark MARK` (a rule without `FRA_FWMARK` has mark 0).
    pub fwmark: Option<u32>,
    /// `fwmark MARK/MASK`: the mask (a rule without `FRA_FWMASK` has mask 0).
    pub fwmask: Option<u32>,
    /// `iif NAME`.
    pub iif: Option<String>,
    /// `oif NAME`.
    pub oif: Option<String>,
    /// `l3mdev`: only l3mdev rules.
    pub l3mdev: bool,
    /// `uidrange START-END`.
    pub uid_range: Option<UidRange>,
    /// `ipproto PROTO`.
    pub ip_proto: Option<u8>,
    /// `sport RANGE`.
    pub sport: Option<PortRange>,
    /// `dport RANGE`.
    pub dport: Option<PortRange>,
    /// `tun_id ID`.
    pub tun_id: Option<u64>,
    /// `table ID`.
    pub table: Option<u32>,
    /// `protocol PROTO`.
    pub protocol: Option<RouteProtocol>,
}

impl RuleFilter {
    /// Every rule of both families.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only rules of `family` (`-4`, `-6`).
    #[must_use]
    pub fn family(mut self, family: Family) -> Self {
        self.family = Some(family);
        self
    }

    /// Only the rule of priority `p`.
    #[must_use]
    pub fn priority(mut self, p: u32) -> Self {
        self.priority = Some(p);
        self
    }

    /// Only rules looking up table `id`.
    #[must_use]
    pub fn table(mut self, id: u32) -> Self {
        self.table = Some(id);
        self
    }

    /// Only rules installed by `p`.
    #[must_use]
    pub fn protocol(mut self, p: RouteProtocol) -> Self {
        self.protocol = Some(p);
        self
    }

    /// The `RTM_GETRULE` dump request payload: the family in the header, every other field
    /// zero (the kernel refuses anything else in a strict dump request).
    pub fn to_message(&self) -> RuleMessage {
        RuleMessage::new(RuleHeader::new(self.family.map_or(AF_UNSPEC, Family::af)))
    }

    /// Whether `r` passes the filter.
    pub fn matches(&self, r: &Rule) -> bool {
        let prefix = |want: Option<IpNet>, have: Option<IpNet>, have_len: u8| {
            want.is_none_or(|w| {
                w.family() == r.family
                    && w.prefix_len() <= have_len
                    && have.is_none_or(|h| w.network().contains(h.addr()))
            })
        };
        self.family.is_none_or(|f| f.af() == r.family)
            && self.priority.is_none_or(|p| p == r.priority)
            && (!self.invert || r.invert)
            && prefix(self.from, r.from, r.message.header.src_len)
            && prefix(self.to, r.to, r.message.header.dst_len)
            && self.tos.is_none_or(|t| t == r.tos)
            && self.fwmark.is_none_or(|m| m == r.fwmark.unwrap_or(0))
            && self.fwmask.is_none_or(|m| m == r.fwmask.unwrap_or(0))
            && self.iif.as_ref().is_none_or(|n| r.iif.as_ref() == Some(n))
            && self.oif.as_ref().is_none_or(|n| r.oif.as_ref() == Some(n))
            && (!self.l3mdev || r.l3mdev)
            && self.uid_range.is_none_or(|u| r.uid_range == Some(u))
            && self.ip_proto.is_none_or(|p| p == r.ip_proto.unwrap_or(0))
            && self.sport.is_none_or(|p| r.sport == Some(p))
            && self.dport.is_none_or(|p| r.dport == Some(p))
            && self.tun_id.is_none_or(|t| r.tun_id == Some(t))
            && self.table.is_none_or(|t| t == r.table)
            && self.protocol.is_none_or(|p| p == r.protocol)
    }
}

/// Parses one dump record; `None` for a rule of a family other than IPv4/IPv6 (an
/// `AF_UNSPEC` dump also lists multicast routing rules).
fn parse_rule(payload: &[u8]) -> Result<Option<Rule>> {
    let m = RuleMessage::parse(payload)?;
    if !is_ip_family(m.header.family) {
        return Ok(None);
    }
    Rule::from_message(m).map(Some)
}

impl Handle {
    fn rule_op(&self, op: RuleOp, spec: &RuleSpec) -> Result<()> {
        self.send(&spec.request(op)?)
    }

    /// Adds a rule: `RTM_NEWRULE` with `NLM_F_CREATE|NLM_F_EXCL`; like `ip rule add`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] before anything is sent (see [`RuleSpec`]); [`Error::Kernel`]
    /// with the kernel's message, e.g. `EEXIST` ([`Error::is_exists`]) for a rule with the
    /// same priority and selectors, `EINVAL` "Backward goto not supported." or "Invalid
    /// uid range".
    #[doc(alias = "RTM_NEWRULE")]
    pub fn rule_add(&self, spec: &RuleSpec) -> Result<()> {
        self.rule_op(RuleOp::Add, spec)
    }

    /// Deletes the first rule matching `spec`: `RTM_DELRULE`; like `ip rule del`.
    ///
    /// # Errors
    /// As [`Handle::rule_add`]; no matching rule is `ENOENT` ([`Error::is_not_found`]).
    #[doc(alias = "RTM_DELRULE")]
    pub fn rule_del(&self, spec: &RuleSpec) -> Result<()> {
        self.rule_op(RuleOp::Del, spec)
    }

    /// Lists rules: an `RTM_GETRULE` dump of `filter`'s family (or both), the records
    /// `filter` does not select dropped as they arrive; like `ip rule show` (`ip -6 rule
    /// show`, `ip rule show table 100`, ...), in priority order. A dump interrupted by a
    /// concurrent change (`NLM_F_DUMP_INTR`) is retried [`Handle::dump_retries`] times.
    ///
    /// # Errors
    /// [`Error::DumpInterrupted`] when every retry was interrupted; decode errors.
    #[doc(alias = "RTM_GETRULE")]
    pub fn rule_list(&self, filter: &RuleFilter) -> Result<Vec<Rule>> {
        let req = filter.to_message();
        self.dump_selected(RTM_GETRULE, &req, |p| {
            Ok(parse_rule(p)?.filter(|r| filter.matches(r)))
        })
    }

    /// Deletes every rule `filter` selects, except the one of priority 0 (the kernel
    /// reports it without a priority, and `ip rule flush` leaves it), and returns how many
    /// were deleted: dumps (as [`Handle::rule_list`]), sends one `RTM_DELRULE` per rule
    /// ([`Rule::delete_message`]) in a batch, and repeats until none is left; like
    /// `ip rule flush`. With an empty filter that includes the default `main` and `default`
    /// rules, as with `ip rule flush`.
    ///
    /// # Errors
    /// As [`Handle::rule_list`]; [`Error::Kernel`] for a delete the kernel refused;
    /// [`Error::Protocol`] when rules remain that the kernel does not find to delete.
    pub fn rule_flush(&self, filter: &RuleFilter) -> Result<usize> {
        self.flush_rounds(
            FlushPolicy::Selected { noun: "rule" },
            |_| {
                let rules = self.rule_list(filter)?.into_iter();
                Ok(rules.filter(|r| r.message.priority().is_some()).collect())
            },
            |r: &Rule, b| b.push(RTM_DELRULE, NlmsgFlags::empty(), r.delete_message()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Emit;
    use crate::wire::family::AF_INET6;

    fn net(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    #[test]
    fn add_defaults_follow_ip() {
        // ip rule add (nothing): from all lookup main, action to_tbl, IPv4.
        let m = RuleSpec::new().to_message(RuleOp::Add).unwrap();
        assert_eq!(m.header.family, AF_INET);
        assert_eq!(m.header.action, RuleAction::TO_TBL);
        assert_eq!(u32::from(m.header.table), RT_TABLE_MAIN);
        assert!(m.attrs.is_empty());
        // Another action, or l3mdev: no table.
        for spec in [
            RuleSpec::new().blackhole(),
            RuleSpec::new().goto(10),
            RuleSpec::new().l3mdev(),
        ] {
            assert_eq!(spec.to_message(RuleOp::Add).unwrap().header.table, 0);
        }
        let m = RuleSpec::new().goto(10).to_message(RuleOp::Add).unwrap();
        assert_eq!(m.attrs, [RuleAttr::Goto(10)]);
        // Delete: unspec action, no table.
        let m = RuleSpec::new().priority(5).to_message(RuleOp::Del).unwrap();
        assert_eq!((m.header.action, m.header.table), (RuleAction::UNSPEC, 0));
        assert_eq!(m.attrs, [RuleAttr::Priority(5)]);
    }

    #[test]
    fn tables_above_255_go_in_an_attribute() {
        let m = RuleSpec::new().table(255).to_message(RuleOp::Add).unwrap();
        assert_eq!((m.header.table, m.attrs.len()), (255, 0));
        let m = RuleSpec::new().table(256).to_message(RuleOp::Add).unwrap();
        assert_eq!(
            (m.header.table, &m.attrs[..]),
            (0, &[RuleAttr::Table(256)][..])
        );
        assert_eq!(m.table(), 256);
    }

    #[test]
    fn the_family_comes_from_the_prefixes() {
        let m = RuleSpec::new()
            .to(net("2001:db8::/32"))
            .to_message(RuleOp::Add)
            .unwrap();
        assert_eq!((m.header.family, m.header.dst_len), (AF_INET6, 32));
        assert_eq!(
            RuleSpec::new()
                .ipv6()
                .to_message(RuleOp::Del)
                .unwrap()
                .header
                .family,
            AF_INET6
        );
        for bad in [
            RuleSpec::new()
                .from(net("198.18.0.0/15"))
                .to(net("2001:db8::/32")),
            RuleSpec::new().ipv6().from(net("198.18.0.0/15")),
            RuleSpec::new()
                .family(Family::Ipv4)
                .to(net("2001:db8::/32")),
        ] {
            let e = bad.to_message(RuleOp::Add).unwrap_err();
            assert!(
                matches!(
                    e,
                    Error::InvalidInput {
                        what: "rule family",
                        ..
                    }
                ),
                "{e}"
            );
        }
    }

    #[test]
    fn bad_input_is_refused() {
        for bad in [
            RuleSpec::new().iif(""),
            RuleSpec::new().oif("0123456789abcdef"),
            RuleSpec::new().iif("a/b"),
            RuleSpec::new().l3mdev().table(5),
        ] {
            for op in [RuleOp::Add, RuleOp::Del] {
                assert!(bad.to_message(op).unwrap_err().is_invalid(), "{bad:?}");
            }
        }
    }

    #[test]
    fn every_field_goes_out_and_comes_back() {
        let spec = RuleSpec::new()
            .invert()
            .from(net("198.18.1.0/24"))
            .to(net("198.18.2.0/24"))
            .tos(0x10)
            .fwmark_mask(7, 0xff)
            .iif("veth0")
            .oif("veth1")
            .priority(100)
            .uid_range(1, 2)
            .ip_proto(17)
            .sport(PortRange { start: 1, end: 2 })
            .dport(PortRange::single(53))
            .tun_id(9)
            .table(1000)
            .protocol(RouteProtocol::STATIC)
            .realms(3, 4)
            .suppress_prefixlen(0)
            .suppress_ifgroup(5);
        let m = spec.to_message(RuleOp::Add).unwrap();
        let m = RuleMessage::parse(&m.to_vec().unwrap()).unwrap();
        let r = Rule::from_message(m).unwrap();
        assert_eq!(
            (r.family, r.priority, r.invert, r.from, r.to, r.tos),
            (
                AF_INET,
                100,
                true,
                Some(net("198.18.1.0/24")),
                Some(net("198.18.2.0/24")),
                0x10
            )
        );
        assert_eq!((r.fwmark, r.fwmask), (Some(7), Some(0xff)));
        assert_eq!(
            (r.iif.as_deref(), r.oif.as_deref()),
            (Some("veth0"), Some("veth1"))
        );
        assert_eq!(r.uid_range, Some(UidRange { start: 1, end: 2 }));
        assert_eq!(
            (r.ip_proto, r.dport),
            (Some(17), Some(PortRange::single(53)))
        );
        assert_eq!(
            (r.tun_id, r.table, r.kind()),
            (Some(9), 1000, Action::ToTable)
        );
        assert_eq!(
            (r.protocol, r.realms),
            (RouteProtocol::STATIC, Some(3 << 16 | 4))
        );
        assert_eq!(
            (r.suppress_prefixlen, r.suppress_ifgroup),
            (Some(0), Some(5))
        );
        // The filter built from the same values selects it; others do not.
        let f = RuleFilter {
            family: Some(Family::Ipv4),
            priority: Some(100),
            invert: true,
            from: Some(net("198.18.0.0/16")),
            to: Some(net("198.18.2.0/24")),
            tos: Some(0x10),
            fwmark: Some(7),
            fwmask: Some(0xff),
            iif: Some("veth0".into()),
            oif: Some("veth1".into()),
            l3mdev: false,
            uid_range: Some(UidRange { start: 1, end: 2 }),
            ip_proto: Some(17),
            sport: Some(PortRange { start: 1, end: 2 }),
            dport: Some(PortRange::single(53)),
            tun_id: Some(9),
            table: Some(1000),
            protocol: Some(RouteProtocol::STATIC),
        };
        assert!(f.matches(&r));
        assert!(RuleFilter::new().matches(&r));
        for miss in [
            RuleFilter {
                from: Some(net("198.18.1.0/25")),
                ..f.clone()
            },
            RuleFilter {
                from: Some(net("198.19.0.0/16")),
                ..f.clone()
            },
            RuleFilter {
                to: Some(net("2001:db8::/32")),
                ..f.clone()
            },
            RuleFilter {
                family: Some(Family::Ipv6),
                ..f.clone()
            },
            RuleFilter {
                l3mdev: true,
                ..f.clone()
            },
            RuleFilter {
                table: Some(1),
                ..f.clone()
            },
            RuleFilter {
                iif: Some("veth1".into()),
                ..f.clone()
            },
            RuleFilter {
                fwmark: Some(0),
                ..f.clone()
            },
            RuleFilter {
                protocol: Some(RouteProtocol::BOOT),
                ..f.clone()
            },
        ] {
            assert!(!miss.matches(&r), "{miss:?}");
        }
    }

    #[test]
    fn rules_of_other_families_are_skipped() {
        let m = RuleMessage::new(RuleHeader::new(128)).to_vec().unwrap();
        assert!(parse_rule(&m).unwrap().is_none());
        assert!(Rule::from_message(RuleMessage::new(RuleHeader::new(128))).is_err());
        // A prefix of the wrong family is a protocol error, not a panic.
        let m = RuleMessage::new(RuleHeader {
            src_len: 8,
            ..RuleHeader::new(AF_INET6)
        })
        .with(RuleAttr::Source("198.18.0.0".parse().unwrap()));
        assert!(matches!(Rule::from_message(m), Err(Error::Protocol(_))));
    }
}
