//! tun/tap data: `IFLA_TUN_*` (linux/if_link.h). Read-only in practice: the kernel refuses to
//! create tun devices over rtnetlink (they are made through `/dev/net/tun`).

/// `IFLA_TUN_OWNER` (u32 uid).
pub const IFLA_TUN_OWNER: u16 = 1;
/// `IFLA_TUN_GROUP` (u32 gid).
pub const IFLA_TUN_GROUP: u16 = 2;
/// `IFLA_TUN_TYPE` (u8: `IFF_TUN` 1 or `IFF_TAP` 2).
pub const IFLA_TUN_TYPE: u16 = 3;
/// `IFLA_TUN_PI` (u8).
pub const IFLA_TUN_PI: u16 = 4;
/// `IFLA_TUN_VNET_HDR` (u8).
pub const IFLA_TUN_VNET_HDR: u16 = 5;
/// `IFLA_TUN_PERSIST` (u8).
pub const IFLA_TUN_PERSIST: u16 = 6;
/// `IFLA_TUN_MULTI_QUEUE` (u8).
pub const IFLA_TUN_MULTI_QUEUE: u16 = 7;
/// `IFLA_TUN_NUM_QUEUES` (u32).
pub const IFLA_TUN_NUM_QUEUES: u16 = 8;
/// `IFLA_TUN_NUM_DISABLED_QUEUES` (u32).
pub const IFLA_TUN_NUM_DISABLED_QUEUES: u16 = 9;

attribute_enum! {
    /// An `IFLA_TUN_*` attribute (tun `IFLA_INFO_DATA`).
    pub enum TunAttr {
        /// `IFLA_TUN_OWNER`: owning uid, when set.
        Owner(u32) = IFLA_TUN_OWNER: u32,
        /// `IFLA_TUN_GROUP`: owning gid, when set.
        Group(u32) = IFLA_TUN_GROUP: u32,
        /// `IFLA_TUN_TYPE`: 1 tun, 2 tap.
        Type(u8) = IFLA_TUN_TYPE: u8,
        /// `IFLA_TUN_PI`: packet information header.
        Pi(u8) = IFLA_TUN_PI: u8,
        /// `IFLA_TUN_VNET_HDR`.
        VnetHdr(u8) = IFLA_TUN_VNET_HDR: u8,
        /// `IFLA_TUN_PERSIST`.
        Persist(u8) = IFLA_TUN_PERSIST: u8,
        /// `IFLA_TUN_MULTI_QUEUE`.
        MultiQueue(u8) = IFLA_TUN_MULTI_QUEUE: u8,
        /// `IFLA_TUN_NUM_QUEUES`.
        NumQueues(u32) = IFLA_TUN_NUM_QUEUES: u32,
        /// `IFLA_TUN_NUM_DISABLED_QUEUES`.
        NumDisabledQueues(u32) = IFLA_TUN_NUM_DISABLED_QUEUES: u32,
    }
}
