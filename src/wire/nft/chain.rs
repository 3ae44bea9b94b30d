//! Chains (`NFTA_CHAIN_*`), their hook (`NFTA_HOOK_*`) and counters (`NFTA_COUNTER_*`).

use super::CounterAttr;

/// `NFTA_CHAIN_TABLE`: the table (string).
pub const NFTA_CHAIN_TABLE: u16 = 1;
/// `NFTA_CHAIN_HANDLE`: the chain's handle (u64, big-endian).
pub const NFTA_CHAIN_HANDLE: u16 = 2;
/// `NFTA_CHAIN_NAME`: the chain's name (string).
pub const NFTA_CHAIN_NAME: u16 = 3;
/// `NFTA_CHAIN_HOOK`: where a base chain hooks in (nest of `NFTA_HOOK_*`).
pub const NFTA_CHAIN_HOOK: u16 = 4;
/// `NFTA_CHAIN_POLICY`: a base chain's default verdict, `NF_ACCEPT` or `NF_DROP` (u32).
pub const NFTA_CHAIN_POLICY: u16 = 5;
/// `NFTA_CHAIN_USE`: how many rules jump here (u32, big-endian).
pub const NFTA_CHAIN_USE: u16 = 6;
/// `NFTA_CHAIN_TYPE`: `"filter"`, `"nat"` or `"route"` (string).
pub const NFTA_CHAIN_TYPE: u16 = 7;
/// `NFTA_CHAIN_COUNTERS`: a base chain's counters (nest of `NFTA_COUNTER_*`).
pub const NFTA_CHAIN_COUNTERS: u16 = 8;
/// `NFTA_CHAIN_PAD`: padding.
pub const NFTA_CHAIN_PAD: u16 = 9;
/// `NFTA_CHAIN_FLAGS`: `NFT_CHAIN_*` (u32, big-endian).
pub const NFTA_CHAIN_FLAGS: u16 = 10;
/// `NFTA_CHAIN_ID`: an id naming the chain within its batch (u32, big-endian).
pub const NFTA_CHAIN_ID: u16 = 11;
/// `NFTA_CHAIN_USERDATA`: opaque user data (bytes).
pub const NFTA_CHAIN_USERDATA: u16 = 12;

/// `NFT_CHAIN_BASE`: a base chain (has a hook).
pub const NFT_CHAIN_BASE: u32 = 1 << 0;
/// `NFT_CHAIN_HW_OFFLOAD`.
pub const NFT_CHAIN_HW_OFFLOAD: u32 = 1 << 1;
/// `NFT_CHAIN_BINDING`: an anonymous chain bound to a rule.
pub const NFT_CHAIN_BINDING: u32 = 1 << 2;

/// `NFTA_HOOK_HOOKNUM`: the hook, `NF_INET_*` (or `NF_NETDEV_INGRESS`) (u32, big-endian).
pub const NFTA_HOOK_HOOKNUM: u16 = 1;
/// `NFTA_HOOK_PRIORITY`: the priority (s32, big-endian).
pub const NFTA_HOOK_PRIORITY: u16 = 2;
/// `NFTA_HOOK_DEV`: the device of a netdev chain (string).
pub const NFTA_HOOK_DEV: u16 = 3;
/// `NFTA_HOOK_DEVS`: the devices of a netdev chain (nest).
pub const NFTA_HOOK_DEVS: u16 = 4;

/// `NF_INET_PRE_ROUTING`: `prerouting`.
pub const NF_INET_PRE_ROUTING: u32 = 0;
/// `NF_INET_LOCAL_IN`: `input`.
pub const NF_INET_LOCAL_IN: u32 = 1;
/// `NF_INET_FORWARD`: `forward`.
pub const NF_INET_FORWARD: u32 = 2;
/// `NF_INET_LOCAL_OUT`: `output`.
pub const NF_INET_LOCAL_OUT: u32 = 3;
/// `NF_INET_POST_ROUTING`: `postrouting`.
pub const NF_INET_POST_ROUTING: u32 = 4;
/// `NF_INET_INGRESS`: `ingress` (inet family).
pub const NF_INET_INGRESS: u32 = 5;

/// `NF_BR_PRI_FILTER_BRIDGED`: `filter` priority in the bridge family (-200).
pub const NF_BR_PRI_FILTER_BRIDGED: i32 = -200;
/// `NF_IP_PRI_NAT_DST`: `dstnat` in ip/ip6/inet (-100).
pub const NF_IP_PRI_NAT_DST: i32 = -100;
/// `NF_IP_PRI_FILTER`: `filter` in ip/ip6/inet (0).
pub const NF_IP_PRI_FILTER: i32 = 0;
/// `NF_IP_PRI_NAT_SRC`: `srcnat` in ip/ip6/inet (100).
pub const NF_IP_PRI_NAT_SRC: i32 = 100;

attribute_enum! {
    nf_tables;
    /// One `NFTA_CHAIN_*` attribute.
    pub enum ChainAttr {
        /// `NFTA_CHAIN_TABLE`.
        Table(String) = NFTA_CHAIN_TABLE: str,
        /// `NFTA_CHAIN_HANDLE`.
        Handle(u64) = NFTA_CHAIN_HANDLE: be64,
        /// `NFTA_CHAIN_NAME`.
        Name(String) = NFTA_CHAIN_NAME: str,
        /// `NFTA_CHAIN_HOOK`.
        Hook(Vec<HookAttr>) = NFTA_CHAIN_HOOK: nest,
        /// `NFTA_CHAIN_POLICY`: `NF_ACCEPT` (1) or `NF_DROP` (0).
        Policy(u32) = NFTA_CHAIN_POLICY: be32,
        /// `NFTA_CHAIN_USE`.
        Use(u32) = NFTA_CHAIN_USE: be32,
        /// `NFTA_CHAIN_TYPE`.
        Type(String) = NFTA_CHAIN_TYPE: str,
        /// `NFTA_CHAIN_COUNTERS`.
        Counters(Vec<CounterAttr>) = NFTA_CHAIN_COUNTERS: nest,
        /// `NFTA_CHAIN_FLAGS`: `NFT_CHAIN_*`.
        Flags(u32) = NFTA_CHAIN_FLAGS: be32,
        /// `NFTA_CHAIN_ID`.
        Id(u32) = NFTA_CHAIN_ID: be32,
        /// `NFTA_CHAIN_USERDATA`.
        UserData(Vec<u8>) = NFTA_CHAIN_USERDATA: bytes,
    }
}

attribute_enum! {
    nf_tables;
    /// One `NFTA_HOOK_*` attribute. `NFTA_HOOK_DEVS` is kept as an unknown attribute.
    pub enum HookAttr {
        /// `NFTA_HOOK_HOOKNUM`: `NF_INET_*`.
        Num(u32) = NFTA_HOOK_HOOKNUM: be32,
        /// `NFTA_HOOK_PRIORITY`, as the u32 of its big-endian bytes (`-100` is
        /// `0xffffff9c`; see [`ChainMessage::priority`](super::ChainMessage::priority)).
        Priority(u32) = NFTA_HOOK_PRIORITY: be32,
        /// `NFTA_HOOK_DEV`.
        Dev(String) = NFTA_HOOK_DEV: str,
    }
}

impl super::ChainMessage {
    /// `NFTA_CHAIN_NAME`.
    pub fn name(&self) -> Option<&str> {
        self.find(|a| match a {
            ChainAttr::Name(s) => Some(s.as_str()),
            _ => None,
        })
    }
    /// `NFTA_CHAIN_TABLE`.
    pub fn table(&self) -> Option<&str> {
        self.find(|a| match a {
            ChainAttr::Table(s) => Some(s.as_str()),
            _ => None,
        })
    }
    /// `NFTA_CHAIN_TYPE`.
    pub fn chain_type(&self) -> Option<&str> {
        self.find(|a| match a {
            ChainAttr::Type(s) => Some(s.as_str()),
            _ => None,
        })
    }
    /// `NFTA_CHAIN_HANDLE`.
    pub fn handle(&self) -> Option<u64> {
        self.find(|a| match a {
            ChainAttr::Handle(h) => Some(*h),
            _ => None,
        })
    }
    /// `NFTA_CHAIN_POLICY`.
    pub fn policy(&self) -> Option<u32> {
        self.find(|a| match a {
            ChainAttr::Policy(p) => Some(*p),
            _ => None,
        })
    }
    fn hook(&self) -> Option<&[HookAttr]> {
        self.find(|a| match a {
            ChainAttr::Hook(h) => Some(h.as_slice()),
            _ => None,
        })
    }
    /// `NFTA_HOOK_HOOKNUM` of a base chain.
    pub fn hook_num(&self) -> Option<u32> {
        self.hook()?.iter().find_map(|a| match a {
            HookAttr::Num(n) => Some(*n),
            _ => None,
        })
    }
    /// `NFTA_HOOK_PRIORITY` of a base chain, signed.
    pub fn priority(&self) -> Option<i32> {
        self.hook()?.iter().find_map(|a| match a {
            HookAttr::Priority(p) => Some(*p as i32),
            _ => None,
        })
    }
}
