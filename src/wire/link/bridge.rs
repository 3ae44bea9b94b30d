//! Bridge data: `IFLA_BR_*` (the bridge's `IFLA_INFO_DATA`) and `IFLA_BRPORT_*` (a port's
//! `IFLA_INFO_SLAVE_DATA`), from linux/if_link.h.
//!
//! Times are in hundredths of a second (`FORWARD_DELAY`, `HELLO_TIME`, `MAX_AGE`,
//! `AGEING_TIME`, the `*_INTVL` and `*_TIMER` values), as the kernel reports them.

use crate::wire::attr_enum::AttrValue;
use crate::wire::{Attr, Builder, DecodeError, EncodeError};

/// `IFLA_BR_FORWARD_DELAY` (u32).
pub const IFLA_BR_FORWARD_DELAY: u16 = 1;
/// `IFLA_BR_HELLO_TIME` (u32).
pub const IFLA_BR_HELLO_TIME: u16 = 2;
/// `IFLA_BR_MAX_AGE` (u32).
pub const IFLA_BR_MAX_AGE: u16 = 3;
/// `IFLA_BR_AGEING_TIME` (u32).
pub const IFLA_BR_AGEING_TIME: u16 = 4;
/// `IFLA_BR_STP_STATE` (u32).
pub const IFLA_BR_STP_STATE: u16 = 5;
/// `IFLA_BR_PRIORITY` (u16).
pub const IFLA_BR_PRIORITY: u16 = 6;
/// `IFLA_BR_VLAN_FILTERING` (u8).
pub const IFLA_BR_VLAN_FILTERING: u16 = 7;
/// `IFLA_BR_VLAN_PROTOCOL` (be16 ethertype).
pub const IFLA_BR_VLAN_PROTOCOL: u16 = 8;
/// `IFLA_BR_GROUP_FWD_MASK` (u16).
pub const IFLA_BR_GROUP_FWD_MASK: u16 = 9;
/// `IFLA_BR_ROOT_ID` (`struct ifla_bridge_id`).
pub const IFLA_BR_ROOT_ID: u16 = 10;
/// `IFLA_BR_BRIDGE_ID` (`struct ifla_bridge_id`).
pub const IFLA_BR_BRIDGE_ID: u16 = 11;
/// `IFLA_BR_ROOT_PORT` (u16).
pub const IFLA_BR_ROOT_PORT: u16 = 12;
/// `IFLA_BR_ROOT_PATH_COST` (u32).
pub const IFLA_BR_ROOT_PATH_COST: u16 = 13;
/// `IFLA_BR_TOPOLOGY_CHANGE` (u8).
pub const IFLA_BR_TOPOLOGY_CHANGE: u16 = 14;
/// `IFLA_BR_TOPOLOGY_CHANGE_DETECTED` (u8).
pub const IFLA_BR_TOPOLOGY_CHANGE_DETECTED: u16 = 15;
/// `IFLA_BR_HELLO_TIMER` (u64).
pub const IFLA_BR_HELLO_TIMER: u16 = 16;
/// `IFLA_BR_TCN_TIMER` (u64).
pub const IFLA_BR_TCN_TIMER: u16 = 17;
/// `IFLA_BR_TOPOLOGY_CHANGE_TIMER` (u64).
pub const IFLA_BR_TOPOLOGY_CHANGE_TIMER: u16 = 18;
/// `IFLA_BR_GC_TIMER` (u64).
pub const IFLA_BR_GC_TIMER: u16 = 19;
/// `IFLA_BR_GROUP_ADDR` (6-byte MAC).
pub const IFLA_BR_GROUP_ADDR: u16 = 20;
/// `IFLA_BR_FDB_FLUSH` (flag).
pub const IFLA_BR_FDB_FLUSH: u16 = 21;
/// `IFLA_BR_MCAST_ROUTER` (u8).
pub const IFLA_BR_MCAST_ROUTER: u16 = 22;
/// `IFLA_BR_MCAST_SNOOPING` (u8).
pub const IFLA_BR_MCAST_SNOOPING: u16 = 23;
/// `IFLA_BR_MCAST_QUERY_USE_IFADDR` (u8).
pub const IFLA_BR_MCAST_QUERY_USE_IFADDR: u16 = 24;
/// `IFLA_BR_MCAST_QUERIER` (u8).
pub const IFLA_BR_MCAST_QUERIER: u16 = 25;
/// `IFLA_BR_MCAST_HASH_ELASTICITY` (u32).
pub const IFLA_BR_MCAST_HASH_ELASTICITY: u16 = 26;
/// `IFLA_BR_MCAST_HASH_MAX` (u32).
pub const IFLA_BR_MCAST_HASH_MAX: u16 = 27;
/// `IFLA_BR_MCAST_LAST_MEMBER_CNT` (u32).
pub const IFLA_BR_MCAST_LAST_MEMBER_CNT: u16 = 28;
/// `IFLA_BR_MCAST_STARTUP_QUERY_CNT` (u32).
pub const IFLA_BR_MCAST_STARTUP_QUERY_CNT: u16 = 29;
/// `IFLA_BR_MCAST_LAST_MEMBER_INTVL` (u64).
pub const IFLA_BR_MCAST_LAST_MEMBER_INTVL: u16 = 30;
/// `IFLA_BR_MCAST_MEMBERSHIP_INTVL` (u64).
pub const IFLA_BR_MCAST_MEMBERSHIP_INTVL: u16 = 31;
/// `IFLA_BR_MCAST_QUERIER_INTVL` (u64).
pub const IFLA_BR_MCAST_QUERIER_INTVL: u16 = 32;
/// `IFLA_BR_MCAST_QUERY_INTVL` (u64).
pub const IFLA_BR_MCAST_QUERY_INTVL: u16 = 33;
/// `IFLA_BR_MCAST_QUERY_RESPONSE_INTVL` (u64).
pub const IFLA_BR_MCAST_QUERY_RESPONSE_INTVL: u16 = 34;
/// `IFLA_BR_MCAST_STARTUP_QUERY_INTVL` (u64).
pub const IFLA_BR_MCAST_STARTUP_QUERY_INTVL: u16 = 35;
/// `IFLA_BR_NF_CALL_IPTABLES` (u8).
pub const IFLA_BR_NF_CALL_IPTABLES: u16 = 36;
/// `IFLA_BR_NF_CALL_IP6TABLES` (u8).
pub const IFLA_BR_NF_CALL_IP6TABLES: u16 = 37;
/// `IFLA_BR_NF_CALL_ARPTABLES` (u8).
pub const IFLA_BR_NF_CALL_ARPTABLES: u16 = 38;
/// `IFLA_BR_VLAN_DEFAULT_PVID` (u16).
pub const IFLA_BR_VLAN_DEFAULT_PVID: u16 = 39;
/// `IFLA_BR_PAD`: alignment padding for 64-bit values (kept as Unknown).
pub const IFLA_BR_PAD: u16 = 40;
/// `IFLA_BR_VLAN_STATS_ENABLED` (u8).
pub const IFLA_BR_VLAN_STATS_ENABLED: u16 = 41;
/// `IFLA_BR_MCAST_STATS_ENABLED` (u8).
pub const IFLA_BR_MCAST_STATS_ENABLED: u16 = 42;
/// `IFLA_BR_MCAST_IGMP_VERSION` (u8).
pub const IFLA_BR_MCAST_IGMP_VERSION: u16 = 43;
/// `IFLA_BR_MCAST_MLD_VERSION` (u8).
pub const IFLA_BR_MCAST_MLD_VERSION: u16 = 44;
/// `IFLA_BR_VLAN_STATS_PER_PORT` (u8).
pub const IFLA_BR_VLAN_STATS_PER_PORT: u16 = 45;
/// `IFLA_BR_MULTI_BOOLOPT` (`struct br_boolopt_multi`, kept as bytes).
pub const IFLA_BR_MULTI_BOOLOPT: u16 = 46;
/// `IFLA_BR_MCAST_QUERIER_STATE` (nest, kept as Unknown).
pub const IFLA_BR_MCAST_QUERIER_STATE: u16 = 47;
/// `IFLA_BR_FDB_N_LEARNED` (u32).
pub const IFLA_BR_FDB_N_LEARNED: u16 = 48;
/// `IFLA_BR_FDB_MAX_LEARNED` (u32).
pub const IFLA_BR_FDB_MAX_LEARNED: u16 = 49;

/// `IFLA_BRPORT_STATE` (u8, `BR_STATE_*`).
pub const IFLA_BRPORT_STATE: u16 = 1;
/// `IFLA_BRPORT_PRIORITY` (u16).
pub const IFLA_BRPORT_PRIORITY: u16 = 2;
/// `IFLA_BRPORT_COST` (u32).
pub const IFLA_BRPORT_COST: u16 = 3;
/// `IFLA_BRPORT_MODE`: hairpin (u8).
pub const IFLA_BRPORT_MODE: u16 = 4;
/// `IFLA_BRPORT_GUARD`: BPDU guard (u8).
pub const IFLA_BRPORT_GUARD: u16 = 5;
/// `IFLA_BRPORT_PROTECT`: root port protection (u8).
pub const IFLA_BRPORT_PROTECT: u16 = 6;
/// `IFLA_BRPORT_FAST_LEAVE`: multicast fast leave (u8).
pub const IFLA_BRPORT_FAST_LEAVE: u16 = 7;
/// `IFLA_BRPORT_LEARNING`: MAC learning (u8).
pub const IFLA_BRPORT_LEARNING: u16 = 8;
/// `IFLA_BRPORT_UNICAST_FLOOD` (u8).
pub const IFLA_BRPORT_UNICAST_FLOOD: u16 = 9;
/// `IFLA_BRPORT_PROXYARP` (u8).
pub const IFLA_BRPORT_PROXYARP: u16 = 10;
/// `IFLA_BRPORT_LEARNING_SYNC` (u8).
pub const IFLA_BRPORT_LEARNING_SYNC: u16 = 11;
/// `IFLA_BRPORT_PROXYARP_WIFI` (u8).
pub const IFLA_BRPORT_PROXYARP_WIFI: u16 = 12;
/// `IFLA_BRPORT_ROOT_ID` (`struct ifla_bridge_id`).
pub const IFLA_BRPORT_ROOT_ID: u16 = 13;
/// `IFLA_BRPORT_BRIDGE_ID` (`struct ifla_bridge_id`).
pub const IFLA_BRPORT_BRIDGE_ID: u16 = 14;
/// `IFLA_BRPORT_DESIGNATED_PORT` (u16).
pub const IFLA_BRPORT_DESIGNATED_PORT: u16 = 15;
/// `IFLA_BRPORT_DESIGNATED_COST` (u16).
pub const IFLA_BRPORT_DESIGNATED_COST: u16 = 16;
/// `IFLA_BRPORT_ID` (u16).
pub const IFLA_BRPORT_ID: u16 = 17;
/// `IFLA_BRPORT_NO` (u16).
pub const IFLA_BRPORT_NO: u16 = 18;
/// `IFLA_BRPORT_TOPOLOGY_CHANGE_ACK` (u8).
pub const IFLA_BRPORT_TOPOLOGY_CHANGE_ACK: u16 = 19;
/// `IFLA_BRPORT_CONFIG_PENDING` (u8).
pub const IFLA_BRPORT_CONFIG_PENDING: u16 = 20;
/// `IFLA_BRPORT_MESSAGE_AGE_TIMER` (u64).
pub const IFLA_BRPORT_MESSAGE_AGE_TIMER: u16 = 21;
/// `IFLA_BRPORT_FORWARD_DELAY_TIMER` (u64).
pub const IFLA_BRPORT_FORWARD_DELAY_TIMER: u16 = 22;
/// `IFLA_BRPORT_HOLD_TIMER` (u64).
pub const IFLA_BRPORT_HOLD_TIMER: u16 = 23;
/// `IFLA_BRPORT_FLUSH` (flag).
pub const IFLA_BRPORT_FLUSH: u16 = 24;
/// `IFLA_BRPORT_MULTICAST_ROUTER` (u8).
pub const IFLA_BRPORT_MULTICAST_ROUTER: u16 = 25;
/// `IFLA_BRPORT_PAD`: alignment padding.
pub const IFLA_BRPORT_PAD: u16 = 26;
/// `IFLA_BRPORT_MCAST_FLOOD` (u8).
pub const IFLA_BRPORT_MCAST_FLOOD: u16 = 27;
/// `IFLA_BRPORT_MCAST_TO_UCAST` (u8).
pub const IFLA_BRPORT_MCAST_TO_UCAST: u16 = 28;
/// `IFLA_BRPORT_VLAN_TUNNEL` (u8).
pub const IFLA_BRPORT_VLAN_TUNNEL: u16 = 29;
/// `IFLA_BRPORT_BCAST_FLOOD` (u8).
pub const IFLA_BRPORT_BCAST_FLOOD: u16 = 30;
/// `IFLA_BRPORT_GROUP_FWD_MASK` (u16).
pub const IFLA_BRPORT_GROUP_FWD_MASK: u16 = 31;
/// `IFLA_BRPORT_NEIGH_SUPPRESS` (u8).
pub const IFLA_BRPORT_NEIGH_SUPPRESS: u16 = 32;
/// `IFLA_BRPORT_ISOLATED` (u8).
pub const IFLA_BRPORT_ISOLATED: u16 = 33;
/// `IFLA_BRPORT_BACKUP_PORT` (u32 ifindex).
pub const IFLA_BRPORT_BACKUP_PORT: u16 = 34;
/// `IFLA_BRPORT_MRP_RING_OPEN` (u8).
pub const IFLA_BRPORT_MRP_RING_OPEN: u16 = 35;
/// `IFLA_BRPORT_MRP_IN_OPEN` (u8).
pub const IFLA_BRPORT_MRP_IN_OPEN: u16 = 36;
/// `IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT` (u32).
pub const IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT: u16 = 37;
/// `IFLA_BRPORT_MCAST_EHT_HOSTS_CNT` (u32).
pub const IFLA_BRPORT_MCAST_EHT_HOSTS_CNT: u16 = 38;
/// `IFLA_BRPORT_LOCKED` (u8).
pub const IFLA_BRPORT_LOCKED: u16 = 39;
/// `IFLA_BRPORT_MAB` (u8).
pub const IFLA_BRPORT_MAB: u16 = 40;
/// `IFLA_BRPORT_MCAST_N_GROUPS` (u32).
pub const IFLA_BRPORT_MCAST_N_GROUPS: u16 = 41;
/// `IFLA_BRPORT_MCAST_MAX_GROUPS` (u32).
pub const IFLA_BRPORT_MCAST_MAX_GROUPS: u16 = 42;
/// `IFLA_BRPORT_NEIGH_VLAN_SUPPRESS` (u8).
pub const IFLA_BRPORT_NEIGH_VLAN_SUPPRESS: u16 = 43;
/// `IFLA_BRPORT_BACKUP_NHID` (u32).
pub const IFLA_BRPORT_BACKUP_NHID: u16 = 44;

/// `struct ifla_bridge_id`: an STP bridge identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct BridgeId {
    /// Bridge priority (`prio[2]`, network order on the wire).
    pub priority: u16,
    /// Bridge MAC address.
    pub address: [u8; 6],
}

impl AttrValue for BridgeId {
    fn parse_value(a: &Attr<'_>, name: &'static str, _: usize) -> Result<Self, DecodeError> {
        let v: [u8; 8] = a.u64(name)?.to_ne_bytes();
        let [p0, p1, m0, m1, m2, m3, m4, m5] = v;
        Ok(BridgeId {
            priority: u16::from_be_bytes([p0, p1]),
            address: [m0, m1, m2, m3, m4, m5],
        })
    }
    fn value_len(&self) -> usize {
        8
    }
    fn emit_value(&self, b: &mut Builder<'_>, kind: u16) -> Result<(), EncodeError> {
        let mut v = [0u8; 8];
        let (p, m) = v.split_at_mut(2);
        p.copy_from_slice(&self.priority.to_be_bytes());
        m.copy_from_slice(&self.address);
        b.attr(kind, &v)
    }
}

attribute_enum! {
    /// An `IFLA_BR_*` attribute (bridge `IFLA_INFO_DATA`).
    pub enum BridgeAttr {
        /// `IFLA_BR_FORWARD_DELAY`.
        ForwardDelay(u32) = IFLA_BR_FORWARD_DELAY: u32,
        /// `IFLA_BR_HELLO_TIME`.
        HelloTime(u32) = IFLA_BR_HELLO_TIME: u32,
        /// `IFLA_BR_MAX_AGE`.
        MaxAge(u32) = IFLA_BR_MAX_AGE: u32,
        /// `IFLA_BR_AGEING_TIME`.
        AgeingTime(u32) = IFLA_BR_AGEING_TIME: u32,
        /// `IFLA_BR_STP_STATE`.
        StpState(u32) = IFLA_BR_STP_STATE: u32,
        /// `IFLA_BR_PRIORITY`.
        Priority(u16) = IFLA_BR_PRIORITY: u16,
        /// `IFLA_BR_VLAN_FILTERING`.
        VlanFiltering(u8) = IFLA_BR_VLAN_FILTERING: u8,
        /// `IFLA_BR_VLAN_PROTOCOL`: ethertype, e.g. 0x8100.
        VlanProtocol(u16) = IFLA_BR_VLAN_PROTOCOL: be16,
        /// `IFLA_BR_GROUP_FWD_MASK`.
        GroupFwdMask(u16) = IFLA_BR_GROUP_FWD_MASK: u16,
        /// `IFLA_BR_ROOT_ID`.
        RootId(BridgeId) = IFLA_BR_ROOT_ID: custom,
        /// `IFLA_BR_BRIDGE_ID`.
        BridgeId(BridgeId) = IFLA_BR_BRIDGE_ID: custom,
        /// `IFLA_BR_ROOT_PORT`.
        RootPort(u16) = IFLA_BR_ROOT_PORT: u16,
        /// `IFLA_BR_ROOT_PATH_COST`.
        RootPathCost(u32) = IFLA_BR_ROOT_PATH_COST: u32,
        /// `IFLA_BR_TOPOLOGY_CHANGE`.
        TopologyChange(u8) = IFLA_BR_TOPOLOGY_CHANGE: u8,
        /// `IFLA_BR_TOPOLOGY_CHANGE_DETECTED`.
        TopologyChangeDetected(u8) = IFLA_BR_TOPOLOGY_CHANGE_DETECTED: u8,
        /// `IFLA_BR_HELLO_TIMER`.
        HelloTimer(u64) = IFLA_BR_HELLO_TIMER: u64,
        /// `IFLA_BR_TCN_TIMER`.
        TcnTimer(u64) = IFLA_BR_TCN_TIMER: u64,
        /// `IFLA_BR_TOPOLOGY_CHANGE_TIMER`.
        TopologyChangeTimer(u64) = IFLA_BR_TOPOLOGY_CHANGE_TIMER: u64,
        /// `IFLA_BR_GC_TIMER`.
        GcTimer(u64) = IFLA_BR_GC_TIMER: u64,
        /// `IFLA_BR_GROUP_ADDR`.
        GroupAddr([u8; 6]) = IFLA_BR_GROUP_ADDR: mac,
        /// `IFLA_BR_FDB_FLUSH`.
        FdbFlush = IFLA_BR_FDB_FLUSH: flag,
        /// `IFLA_BR_MCAST_ROUTER`.
        McastRouter(u8) = IFLA_BR_MCAST_ROUTER: u8,
        /// `IFLA_BR_MCAST_SNOOPING`.
        McastSnooping(u8) = IFLA_BR_MCAST_SNOOPING: u8,
        /// `IFLA_BR_MCAST_QUERY_USE_IFADDR`.
        McastQueryUseIfaddr(u8) = IFLA_BR_MCAST_QUERY_USE_IFADDR: u8,
        /// `IFLA_BR_MCAST_QUERIER`.
        McastQuerier(u8) = IFLA_BR_MCAST_QUERIER: u8,
        /// `IFLA_BR_MCAST_HASH_ELASTICITY`.
        McastHashElasticity(u32) = IFLA_BR_MCAST_HASH_ELASTICITY: u32,
        /// `IFLA_BR_MCAST_HASH_MAX`.
        McastHashMax(u32) = IFLA_BR_MCAST_HASH_MAX: u32,
        /// `IFLA_BR_MCAST_LAST_MEMBER_CNT`.
        McastLastMemberCnt(u32) = IFLA_BR_MCAST_LAST_MEMBER_CNT: u32,
        /// `IFLA_BR_MCAST_STARTUP_QUERY_CNT`.
        McastStartupQueryCnt(u32) = IFLA_BR_MCAST_STARTUP_QUERY_CNT: u32,
        /// `IFLA_BR_MCAST_LAST_MEMBER_INTVL`.
        McastLastMemberIntvl(u64) = IFLA_BR_MCAST_LAST_MEMBER_INTVL: u64,
        /// `IFLA_BR_MCAST_MEMBERSHIP_INTVL`.
        McastMembershipIntvl(u64) = IFLA_BR_MCAST_MEMBERSHIP_INTVL: u64,
        /// `IFLA_BR_MCAST_QUERIER_INTVL`.
        McastQuerierIntvl(u64) = IFLA_BR_MCAST_QUERIER_INTVL: u64,
        /// `IFLA_BR_MCAST_QUERY_INTVL`.
        McastQueryIntvl(u64) = IFLA_BR_MCAST_QUERY_INTVL: u64,
        /// `IFLA_BR_MCAST_QUERY_RESPONSE_INTVL`.
        McastQueryResponseIntvl(u64) = IFLA_BR_MCAST_QUERY_RESPONSE_INTVL: u64,
        /// `IFLA_BR_MCAST_STARTUP_QUERY_INTVL`.
        McastStartupQueryIntvl(u64) = IFLA_BR_MCAST_STARTUP_QUERY_INTVL: u64,
        /// `IFLA_BR_NF_CALL_IPTABLES`.
        NfCallIptables(u8) = IFLA_BR_NF_CALL_IPTABLES: u8,
        /// `IFLA_BR_NF_CALL_IP6TABLES`.
        NfCallIp6tables(u8) = IFLA_BR_NF_CALL_IP6TABLES: u8,
        /// `IFLA_BR_NF_CALL_ARPTABLES`.
        NfCallArptables(u8) = IFLA_BR_NF_CALL_ARPTABLES: u8,
        /// `IFLA_BR_VLAN_DEFAULT_PVID`.
        VlanDefaultPvid(u16) = IFLA_BR_VLAN_DEFAULT_PVID: u16,
        /// `IFLA_BR_VLAN_STATS_ENABLED`.
        VlanStatsEnabled(u8) = IFLA_BR_VLAN_STATS_ENABLED: u8,
        /// `IFLA_BR_MCAST_STATS_ENABLED`.
        McastStatsEnabled(u8) = IFLA_BR_MCAST_STATS_ENABLED: u8,
        /// `IFLA_BR_MCAST_IGMP_VERSION`.
        McastIgmpVersion(u8) = IFLA_BR_MCAST_IGMP_VERSION: u8,
        /// `IFLA_BR_MCAST_MLD_VERSION`.
        McastMldVersion(u8) = IFLA_BR_MCAST_MLD_VERSION: u8,
        /// `IFLA_BR_VLAN_STATS_PER_PORT`.
        VlanStatsPerPort(u8) = IFLA_BR_VLAN_STATS_PER_PORT: u8,
        /// `IFLA_BR_MULTI_BOOLOPT`: `struct br_boolopt_multi` as bytes.
        MultiBoolopt(Vec<u8>) = IFLA_BR_MULTI_BOOLOPT: bytes,
        /// `IFLA_BR_FDB_N_LEARNED`.
        FdbNLearned(u32) = IFLA_BR_FDB_N_LEARNED: u32,
        /// `IFLA_BR_FDB_MAX_LEARNED`.
        FdbMaxLearned(u32) = IFLA_BR_FDB_MAX_LEARNED: u32,
    }
}

attribute_enum! {
    /// An `IFLA_BRPORT_*` attribute (`IFLA_INFO_SLAVE_DATA` of a bridge port).
    pub enum BridgePortAttr {
        /// `IFLA_BRPORT_STATE` (`BR_STATE_*`: 0 disabled ... 3 forwarding, 4 blocking).
        State(u8) = IFLA_BRPORT_STATE: u8,
        /// `IFLA_BRPORT_PRIORITY`.
        Priority(u16) = IFLA_BRPORT_PRIORITY: u16,
        /// `IFLA_BRPORT_COST`.
        Cost(u32) = IFLA_BRPORT_COST: u32,
        /// `IFLA_BRPORT_MODE`: hairpin mode.
        Mode(u8) = IFLA_BRPORT_MODE: u8,
        /// `IFLA_BRPORT_GUARD`: BPDU guard.
        Guard(u8) = IFLA_BRPORT_GUARD: u8,
        /// `IFLA_BRPORT_PROTECT`: root port protection.
        Protect(u8) = IFLA_BRPORT_PROTECT: u8,
        /// `IFLA_BRPORT_FAST_LEAVE`.
        FastLeave(u8) = IFLA_BRPORT_FAST_LEAVE: u8,
        /// `IFLA_BRPORT_LEARNING`.
        Learning(u8) = IFLA_BRPORT_LEARNING: u8,
        /// `IFLA_BRPORT_UNICAST_FLOOD`.
        UnicastFlood(u8) = IFLA_BRPORT_UNICAST_FLOOD: u8,
        /// `IFLA_BRPORT_PROXYARP`.
        ProxyArp(u8) = IFLA_BRPORT_PROXYARP: u8,
        /// `IFLA_BRPORT_LEARNING_SYNC`.
        LearningSync(u8) = IFLA_BRPORT_LEARNING_SYNC: u8,
        /// `IFLA_BRPORT_PROXYARP_WIFI`.
        ProxyArpWifi(u8) = IFLA_BRPORT_PROXYARP_WIFI: u8,
        /// `IFLA_BRPORT_ROOT_ID`.
        RootId(BridgeId) = IFLA_BRPORT_ROOT_ID: custom,
        /// `IFLA_BRPORT_BRIDGE_ID`.
        BridgeId(BridgeId) = IFLA_BRPORT_BRIDGE_ID: custom,
        /// `IFLA_BRPORT_DESIGNATED_PORT`.
        DesignatedPort(u16) = IFLA_BRPORT_DESIGNATED_PORT: u16,
        /// `IFLA_BRPORT_DESIGNATED_COST`.
        DesignatedCost(u16) = IFLA_BRPORT_DESIGNATED_COST: u16,
        /// `IFLA_BRPORT_ID`.
        Id(u16) = IFLA_BRPORT_ID: u16,
        /// `IFLA_BRPORT_NO`.
        No(u16) = IFLA_BRPORT_NO: u16,
        /// `IFLA_BRPORT_TOPOLOGY_CHANGE_ACK`.
        TopologyChangeAck(u8) = IFLA_BRPORT_TOPOLOGY_CHANGE_ACK: u8,
        /// `IFLA_BRPORT_CONFIG_PENDING`.
        ConfigPending(u8) = IFLA_BRPORT_CONFIG_PENDING: u8,
        /// `IFLA_BRPORT_MESSAGE_AGE_TIMER`.
        MessageAgeTimer(u64) = IFLA_BRPORT_MESSAGE_AGE_TIMER: u64,
        /// `IFLA_BRPORT_FORWARD_DELAY_TIMER`.
        ForwardDelayTimer(u64) = IFLA_BRPORT_FORWARD_DELAY_TIMER: u64,
        /// `IFLA_BRPORT_HOLD_TIMER`.
        HoldTimer(u64) = IFLA_BRPORT_HOLD_TIMER: u64,
        /// `IFLA_BRPORT_FLUSH`.
        Flush = IFLA_BRPORT_FLUSH: flag,
        /// `IFLA_BRPORT_MULTICAST_ROUTER`.
        MulticastRouter(u8) = IFLA_BRPORT_MULTICAST_ROUTER: u8,
        /// `IFLA_BRPORT_MCAST_FLOOD`.
        McastFlood(u8) = IFLA_BRPORT_MCAST_FLOOD: u8,
        /// `IFLA_BRPORT_MCAST_TO_UCAST`.
        McastToUcast(u8) = IFLA_BRPORT_MCAST_TO_UCAST: u8,
        /// `IFLA_BRPORT_VLAN_TUNNEL`.
        VlanTunnel(u8) = IFLA_BRPORT_VLAN_TUNNEL: u8,
        /// `IFLA_BRPORT_BCAST_FLOOD`.
        BcastFlood(u8) = IFLA_BRPORT_BCAST_FLOOD: u8,
        /// `IFLA_BRPORT_GROUP_FWD_MASK`.
        GroupFwdMask(u16) = IFLA_BRPORT_GROUP_FWD_MASK: u16,
        /// `IFLA_BRPORT_NEIGH_SUPPRESS`.
        NeighSuppress(u8) = IFLA_BRPORT_NEIGH_SUPPRESS: u8,
        /// `IFLA_BRPORT_ISOLATED`.
        Isolated(u8) = IFLA_BRPORT_ISOLATED: u8,
        /// `IFLA_BRPORT_BACKUP_PORT`.
        BackupPort(u32) = IFLA_BRPORT_BACKUP_PORT: u32,
        /// `IFLA_BRPORT_MRP_RING_OPEN`.
        MrpRingOpen(u8) = IFLA_BRPORT_MRP_RING_OPEN: u8,
        /// `IFLA_BRPORT_MRP_IN_OPEN`.
        MrpInOpen(u8) = IFLA_BRPORT_MRP_IN_OPEN: u8,
        /// `IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT`.
        McastEhtHostsLimit(u32) = IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT: u32,
        /// `IFLA_BRPORT_MCAST_EHT_HOSTS_CNT`.
        McastEhtHostsCnt(u32) = IFLA_BRPORT_MCAST_EHT_HOSTS_CNT: u32,
        /// `IFLA_BRPORT_LOCKED`.
        Locked(u8) = IFLA_BRPORT_LOCKED: u8,
        /// `IFLA_BRPORT_MAB`.
        Mab(u8) = IFLA_BRPORT_MAB: u8,
        /// `IFLA_BRPORT_MCAST_N_GROUPS`.
        McastNGroups(u32) = IFLA_BRPORT_MCAST_N_GROUPS: u32,
        /// `IFLA_BRPORT_MCAST_MAX_GROUPS`.
        McastMaxGroups(u32) = IFLA_BRPORT_MCAST_MAX_GROUPS: u32,
        /// `IFLA_BRPORT_NEIGH_VLAN_SUPPRESS`.
        NeighVlanSuppress(u8) = IFLA_BRPORT_NEIGH_VLAN_SUPPRESS: u8,
        /// `IFLA_BRPORT_BACKUP_NHID`.
        BackupNhid(u32) = IFLA_BRPORT_BACKUP_NHID: u32,
    }
}
