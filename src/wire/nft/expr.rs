//! Rule expressions: the `NFTA_EXPR_*` envelope and each expression's attributes.
//!
//! A rule's `NFTA_RULE_EXPRESSIONS` is a list of `NFTA_LIST_ELEM` nests, each holding
//! `NFTA_EXPR_NAME` ("meta", "cmp", ...) and `NFTA_EXPR_DATA`, whose attributes depend on the
//! name. Expressions exchange values through registers: `meta load iifname => reg 1`,
//! `cmp eq reg 1 "br0"`, `immediate reg 0 accept` (register 0 is the verdict).
//!
//! `nft add rule ip t c iifname "br0" accept` is the list
//! `[meta_load(IIFNAME, REG_1), cmp(EQ, REG_1, "br0\0" padded to 16), verdict(Accept)]`.
//!
//! [`Expr`] types the expressions below; an expression with another name, or in another
//! shape than name-then-data, is [`Expr::Other`] and re-encodes byte for byte. [`exprs`]
//! walks a list without allocating.

use super::{
    Cx, Data, NFTA_LIST_ELEM, Nesting, NftAttr, Verdict, emit_list, list_len, parse_attrs,
};
use crate::wire::attr::{Attr, AttrIter};
use crate::wire::attr_enum::string_value;
use crate::wire::builder::attr_size;
use crate::wire::{Builder, DecodeError, EncodeError, UnknownAttr};

/// `NFTA_EXPR_NAME`: the expression's name (string).
pub const NFTA_EXPR_NAME: u16 = 1;
/// `NFTA_EXPR_DATA`: its attributes (nest).
pub const NFTA_EXPR_DATA: u16 = 2;

/// `NFT_REG_VERDICT`: the verdict register.
pub const NFT_REG_VERDICT: u32 = 0;
/// `NFT_REG_1`: the first 16-byte register (`NFT_REG_2` .. `NFT_REG_4` follow).
pub const NFT_REG_1: u32 = 1;
/// `NFT_REG_2`.
pub const NFT_REG_2: u32 = 2;
/// `NFT_REG_3`.
pub const NFT_REG_3: u32 = 3;
/// `NFT_REG_4`.
pub const NFT_REG_4: u32 = 4;
/// `NFT_REG32_00`: the first 4-byte register (up to `NFT_REG32_15` = 23).
pub const NFT_REG32_00: u32 = 8;

// ---- meta ----
/// `NFTA_META_DREG`: load into this register (u32, big-endian).
pub const NFTA_META_DREG: u16 = 1;
/// `NFTA_META_KEY`: `NFT_META_*` (u32, big-endian).
pub const NFTA_META_KEY: u16 = 2;
/// `NFTA_META_SREG`: set from this register (u32, big-endian).
pub const NFTA_META_SREG: u16 = 3;
/// `NFT_META_LEN`: packet length.
pub const NFT_META_LEN: u32 = 0;
/// `NFT_META_PROTOCOL`: the link-layer protocol (EtherType).
pub const NFT_META_PROTOCOL: u32 = 1;
/// `NFT_META_PRIORITY`: the packet's priority.
pub const NFT_META_PRIORITY: u32 = 2;
/// `NFT_META_MARK`: the packet mark.
pub const NFT_META_MARK: u32 = 3;
/// `NFT_META_IIF`: input interface index.
pub const NFT_META_IIF: u32 = 4;
/// `NFT_META_OIF`: output interface index.
pub const NFT_META_OIF: u32 = 5;
/// `NFT_META_IIFNAME`: input interface name (16 bytes).
pub const NFT_META_IIFNAME: u32 = 6;
/// `NFT_META_OIFNAME`: output interface name (16 bytes).
pub const NFT_META_OIFNAME: u32 = 7;
/// `NFT_META_IIFTYPE`: input interface type (`ARPHRD_*`).
pub const NFT_META_IIFTYPE: u32 = 8;
/// `NFT_META_OIFTYPE`: output interface type.
pub const NFT_META_OIFTYPE: u32 = 9;
/// `NFT_META_SKUID`: socket owner's uid.
pub const NFT_META_SKUID: u32 = 10;
/// `NFT_META_SKGID`: socket owner's gid.
pub const NFT_META_SKGID: u32 = 11;
/// `NFT_META_NFTRACE`: the trace bit.
pub const NFT_META_NFTRACE: u32 = 12;
/// `NFT_META_RTCLASSID`: the route's realm.
pub const NFT_META_RTCLASSID: u32 = 13;
/// `NFT_META_SECMARK`: the security mark.
pub const NFT_META_SECMARK: u32 = 14;
/// `NFT_META_NFPROTO`: the netfilter family (`NFPROTO_*`; useful in `inet` tables).
pub const NFT_META_NFPROTO: u32 = 15;
/// `NFT_META_L4PROTO`: the transport protocol (`IPPROTO_*`).
pub const NFT_META_L4PROTO: u32 = 16;
/// `NFT_META_BRI_IIFNAME`: the input bridge's name.
pub const NFT_META_BRI_IIFNAME: u32 = 17;
/// `NFT_META_BRI_OIFNAME`: the output bridge's name.
pub const NFT_META_BRI_OIFNAME: u32 = 18;
/// `NFT_META_PKTTYPE`: `PACKET_HOST`, `PACKET_BROADCAST`, ...
pub const NFT_META_PKTTYPE: u32 = 19;
/// `NFT_META_CPU`: the CPU.
pub const NFT_META_CPU: u32 = 20;
/// `NFT_META_IIFGROUP`: input interface group.
pub const NFT_META_IIFGROUP: u32 = 21;
/// `NFT_META_OIFGROUP`: output interface group.
pub const NFT_META_OIFGROUP: u32 = 22;
/// `NFT_META_CGROUP`: the socket's cgroup (v1 classid).
pub const NFT_META_CGROUP: u32 = 23;
/// `NFT_META_PRANDOM`: a pseudo-random number.
pub const NFT_META_PRANDOM: u32 = 24;

attribute_enum! {
    nf_tables;
    /// One `NFTA_META_*` attribute (`meta`: load a packet property, or set it).
    pub enum MetaAttr {
        /// `NFTA_META_DREG`.
        Dreg(u32) = NFTA_META_DREG: be32,
        /// `NFTA_META_KEY`: `NFT_META_*`.
        Key(u32) = NFTA_META_KEY: be32,
        /// `NFTA_META_SREG`.
        Sreg(u32) = NFTA_META_SREG: be32,
    }
}

// ---- payload ----
/// `NFTA_PAYLOAD_DREG` (u32, big-endian).
pub const NFTA_PAYLOAD_DREG: u16 = 1;
/// `NFTA_PAYLOAD_BASE`: `NFT_PAYLOAD_*_HEADER` (u32, big-endian).
pub const NFTA_PAYLOAD_BASE: u16 = 2;
/// `NFTA_PAYLOAD_OFFSET`: bytes from the start of the header (u32, big-endian).
pub const NFTA_PAYLOAD_OFFSET: u16 = 3;
/// `NFTA_PAYLOAD_LEN`: bytes to load (u32, big-endian).
pub const NFTA_PAYLOAD_LEN: u16 = 4;
/// `NFTA_PAYLOAD_SREG`: write from this register (u32, big-endian).
pub const NFTA_PAYLOAD_SREG: u16 = 5;
/// `NFTA_PAYLOAD_CSUM_TYPE` (u32, big-endian).
pub const NFTA_PAYLOAD_CSUM_TYPE: u16 = 6;
/// `NFTA_PAYLOAD_CSUM_OFFSET` (u32, big-endian).
pub const NFTA_PAYLOAD_CSUM_OFFSET: u16 = 7;
/// `NFTA_PAYLOAD_CSUM_FLAGS` (u32, big-endian).
pub const NFTA_PAYLOAD_CSUM_FLAGS: u16 = 8;
/// `NFT_PAYLOAD_LL_HEADER`: the link-layer header.
pub const NFT_PAYLOAD_LL_HEADER: u32 = 0;
/// `NFT_PAYLOAD_NETWORK_HEADER`: the network header (IP).
pub const NFT_PAYLOAD_NETWORK_HEADER: u32 = 1;
/// `NFT_PAYLOAD_TRANSPORT_HEADER`: the transport header (TCP, UDP).
pub const NFT_PAYLOAD_TRANSPORT_HEADER: u32 = 2;
/// `NFT_PAYLOAD_INNER_HEADER`.
pub const NFT_PAYLOAD_INNER_HEADER: u32 = 3;

attribute_enum! {
    nf_tables;
    /// One `NFTA_PAYLOAD_*` attribute (`payload`: load bytes of a packet header, or write
    /// them).
    pub enum PayloadAttr {
        /// `NFTA_PAYLOAD_DREG`.
        Dreg(u32) = NFTA_PAYLOAD_DREG: be32,
        /// `NFTA_PAYLOAD_BASE`.
        Base(u32) = NFTA_PAYLOAD_BASE: be32,
        /// `NFTA_PAYLOAD_OFFSET`.
        Offset(u32) = NFTA_PAYLOAD_OFFSET: be32,
        /// `NFTA_PAYLOAD_LEN`.
        Len(u32) = NFTA_PAYLOAD_LEN: be32,
        /// `NFTA_PAYLOAD_SREG`.
        Sreg(u32) = NFTA_PAYLOAD_SREG: be32,
        /// `NFTA_PAYLOAD_CSUM_TYPE`.
        CsumType(u32) = NFTA_PAYLOAD_CSUM_TYPE: be32,
        /// `NFTA_PAYLOAD_CSUM_OFFSET`.
        CsumOffset(u32) = NFTA_PAYLOAD_CSUM_OFFSET: be32,
        /// `NFTA_PAYLOAD_CSUM_FLAGS`.
        CsumFlags(u32) = NFTA_PAYLOAD_CSUM_FLAGS: be32,
    }
}

// ---- cmp ----
/// `NFTA_CMP_SREG` (u32, big-endian).
pub const NFTA_CMP_SREG: u16 = 1;
/// `NFTA_CMP_OP`: `NFT_CMP_*` (u32, big-endian).
pub const NFTA_CMP_OP: u16 = 2;
/// `NFTA_CMP_DATA`: the value compared with (data).
pub const NFTA_CMP_DATA: u16 = 3;
/// `NFT_CMP_EQ`.
pub const NFT_CMP_EQ: u32 = 0;
/// `NFT_CMP_NEQ`.
pub const NFT_CMP_NEQ: u32 = 1;
/// `NFT_CMP_LT`.
pub const NFT_CMP_LT: u32 = 2;
/// `NFT_CMP_LTE`.
pub const NFT_CMP_LTE: u32 = 3;
/// `NFT_CMP_GT`.
pub const NFT_CMP_GT: u32 = 4;
/// `NFT_CMP_GTE`.
pub const NFT_CMP_GTE: u32 = 5;

attribute_enum! {
    nf_tables;
    /// One `NFTA_CMP_*` attribute (`cmp`: compare a register with a value; the rule stops
    /// when it does not hold).
    pub enum CmpAttr {
        /// `NFTA_CMP_SREG`.
        Sreg(u32) = NFTA_CMP_SREG: be32,
        /// `NFTA_CMP_OP`: `NFT_CMP_*`.
        Op(u32) = NFTA_CMP_OP: be32,
        /// `NFTA_CMP_DATA`.
        Data(Data) = NFTA_CMP_DATA: nest,
    }
}

// ---- bitwise ----
/// `NFTA_BITWISE_SREG` (u32, big-endian).
pub const NFTA_BITWISE_SREG: u16 = 1;
/// `NFTA_BITWISE_DREG` (u32, big-endian).
pub const NFTA_BITWISE_DREG: u16 = 2;
/// `NFTA_BITWISE_LEN`: bytes (u32, big-endian).
pub const NFTA_BITWISE_LEN: u16 = 3;
/// `NFTA_BITWISE_MASK`: AND with this (data).
pub const NFTA_BITWISE_MASK: u16 = 4;
/// `NFTA_BITWISE_XOR`: then XOR with this (data).
pub const NFTA_BITWISE_XOR: u16 = 5;
/// `NFTA_BITWISE_OP`: `NFT_BITWISE_*` (u32, big-endian).
pub const NFTA_BITWISE_OP: u16 = 6;
/// `NFTA_BITWISE_DATA`: the shift of LSHIFT/RSHIFT (data).
pub const NFTA_BITWISE_DATA: u16 = 7;
/// `NFT_BITWISE_MASK_XOR` (also `NFT_BITWISE_BOOL`).
pub const NFT_BITWISE_MASK_XOR: u32 = 0;
/// `NFT_BITWISE_LSHIFT`.
pub const NFT_BITWISE_LSHIFT: u32 = 1;
/// `NFT_BITWISE_RSHIFT`.
pub const NFT_BITWISE_RSHIFT: u32 = 2;

attribute_enum! {
    nf_tables;
    /// One `NFTA_BITWISE_*` attribute (`bitwise`: `dreg = (sreg & mask) ^ xor`, how prefixes
    /// and flag tests are written).
    pub enum BitwiseAttr {
        /// `NFTA_BITWISE_SREG`.
        Sreg(u32) = NFTA_BITWISE_SREG: be32,
        /// `NFTA_BITWISE_DREG`.
        Dreg(u32) = NFTA_BITWISE_DREG: be32,
        /// `NFTA_BITWISE_LEN`.
        Len(u32) = NFTA_BITWISE_LEN: be32,
        /// `NFTA_BITWISE_MASK`.
        Mask(Data) = NFTA_BITWISE_MASK: nest,
        /// `NFTA_BITWISE_XOR`.
        Xor(Data) = NFTA_BITWISE_XOR: nest,
        /// `NFTA_BITWISE_OP`.
        Op(u32) = NFTA_BITWISE_OP: be32,
        /// `NFTA_BITWISE_DATA`.
        Data(Data) = NFTA_BITWISE_DATA: nest,
    }
}

// ---- immediate ----
/// `NFTA_IMMEDIATE_DREG` (u32, big-endian; 0 for a verdict).
pub const NFTA_IMMEDIATE_DREG: u16 = 1;
/// `NFTA_IMMEDIATE_DATA`: the value or verdict (data).
pub const NFTA_IMMEDIATE_DATA: u16 = 2;

attribute_enum! {
    nf_tables;
    /// One `NFTA_IMMEDIATE_*` attribute (`immediate`: put a value in a register, or set
    /// the verdict).
    pub enum ImmediateAttr {
        /// `NFTA_IMMEDIATE_DREG`.
        Dreg(u32) = NFTA_IMMEDIATE_DREG: be32,
        /// `NFTA_IMMEDIATE_DATA`.
        Data(Data) = NFTA_IMMEDIATE_DATA: nest,
    }
}

// ---- counter ----
/// `NFTA_COUNTER_BYTES` (u64, big-endian).
pub const NFTA_COUNTER_BYTES: u16 = 1;
/// `NFTA_COUNTER_PACKETS` (u64, big-endian).
pub const NFTA_COUNTER_PACKETS: u16 = 2;
/// `NFTA_COUNTER_PAD`: padding.
pub const NFTA_COUNTER_PAD: u16 = 3;

attribute_enum! {
    nf_tables;
    /// One `NFTA_COUNTER_*` attribute (`counter`, and a base chain's counters).
    pub enum CounterAttr {
        /// `NFTA_COUNTER_BYTES`.
        Bytes(u64) = NFTA_COUNTER_BYTES: be64,
        /// `NFTA_COUNTER_PACKETS`.
        Packets(u64) = NFTA_COUNTER_PACKETS: be64,
    }
}

// ---- ct ----
/// `NFTA_CT_DREG` (u32, big-endian).
pub const NFTA_CT_DREG: u16 = 1;
/// `NFTA_CT_KEY`: `NFT_CT_*` (u32, big-endian).
pub const NFTA_CT_KEY: u16 = 2;
/// `NFTA_CT_DIRECTION`: `IP_CT_DIR_ORIGINAL` (0) or `IP_CT_DIR_REPLY` (1) (u8).
pub const NFTA_CT_DIRECTION: u16 = 3;
/// `NFTA_CT_SREG` (u32, big-endian).
pub const NFTA_CT_SREG: u16 = 4;
/// `NFT_CT_STATE`: `NF_CT_STATE_*` bits (u32, host order in the register).
pub const NFT_CT_STATE: u32 = 0;
/// `NFT_CT_DIRECTION`: the packet's direction (u8).
pub const NFT_CT_DIRECTION: u32 = 1;
/// `NFT_CT_STATUS`: `IPS_*` bits.
pub const NFT_CT_STATUS: u32 = 2;
/// `NFT_CT_MARK`: the connection mark.
pub const NFT_CT_MARK: u32 = 3;
/// `NF_CT_STATE_INVALID_BIT`.
pub const NF_CT_STATE_INVALID: u32 = 1 << 0;
/// `NF_CT_STATE_BIT(IP_CT_ESTABLISHED)`.
pub const NF_CT_STATE_ESTABLISHED: u32 = 1 << 1;
/// `NF_CT_STATE_BIT(IP_CT_RELATED)`.
pub const NF_CT_STATE_RELATED: u32 = 1 << 2;
/// `NF_CT_STATE_BIT(IP_CT_NEW)`.
pub const NF_CT_STATE_NEW: u32 = 1 << 3;
/// `NF_CT_STATE_UNTRACKED_BIT`.
pub const NF_CT_STATE_UNTRACKED: u32 = 1 << 6;

attribute_enum! {
    nf_tables;
    /// One `NFTA_CT_*` attribute (`ct`: load a conntrack property, or set it).
    pub enum CtAttr {
        /// `NFTA_CT_DREG`.
        Dreg(u32) = NFTA_CT_DREG: be32,
        /// `NFTA_CT_KEY`: `NFT_CT_*`.
        Key(u32) = NFTA_CT_KEY: be32,
        /// `NFTA_CT_DIRECTION`.
        Direction(u8) = NFTA_CT_DIRECTION: u8,
        /// `NFTA_CT_SREG`.
        Sreg(u32) = NFTA_CT_SREG: be32,
    }
}

// ---- nat, masq, redir ----
/// `NFTA_NAT_TYPE`: `NFT_NAT_SNAT` or `NFT_NAT_DNAT` (u32, big-endian).
pub const NFTA_NAT_TYPE: u16 = 1;
/// `NFTA_NAT_FAMILY`: `NFPROTO_IPV4` or `NFPROTO_IPV6` (u32, big-endian).
pub const NFTA_NAT_FAMILY: u16 = 2;
/// `NFTA_NAT_REG_ADDR_MIN`: register with the (first) address (u32, big-endian).
pub const NFTA_NAT_REG_ADDR_MIN: u16 = 3;
/// `NFTA_NAT_REG_ADDR_MAX`: register with the last address of a range.
pub const NFTA_NAT_REG_ADDR_MAX: u16 = 4;
/// `NFTA_NAT_REG_PROTO_MIN`: register with the (first) port.
pub const NFTA_NAT_REG_PROTO_MIN: u16 = 5;
/// `NFTA_NAT_REG_PROTO_MAX`: register with the last port of a range.
pub const NFTA_NAT_REG_PROTO_MAX: u16 = 6;
/// `NFTA_NAT_FLAGS`: `NF_NAT_RANGE_*` (u32, big-endian).
pub const NFTA_NAT_FLAGS: u16 = 7;
/// `NFT_NAT_SNAT`.
pub const NFT_NAT_SNAT: u32 = 0;
/// `NFT_NAT_DNAT`.
pub const NFT_NAT_DNAT: u32 = 1;
/// `NF_NAT_RANGE_MAP_IPS`: an address is given.
pub const NF_NAT_RANGE_MAP_IPS: u32 = 1 << 0;
/// `NF_NAT_RANGE_PROTO_SPECIFIED`: a port is given.
pub const NF_NAT_RANGE_PROTO_SPECIFIED: u32 = 1 << 1;
/// `NF_NAT_RANGE_PROTO_RANDOM`: `random`.
pub const NF_NAT_RANGE_PROTO_RANDOM: u32 = 1 << 2;
/// `NF_NAT_RANGE_PERSISTENT`: `persistent`.
pub const NF_NAT_RANGE_PERSISTENT: u32 = 1 << 3;
/// `NF_NAT_RANGE_PROTO_RANDOM_FULLY`: `fully-random`.
pub const NF_NAT_RANGE_PROTO_RANDOM_FULLY: u32 = 1 << 4;

attribute_enum! {
    nf_tables;
    /// One `NFTA_NAT_*` attribute (`nat`: snat or dnat to the address and port the
    /// registers hold).
    pub enum NatAttr {
        /// `NFTA_NAT_TYPE`.
        Type(u32) = NFTA_NAT_TYPE: be32,
        /// `NFTA_NAT_FAMILY`.
        Family(u32) = NFTA_NAT_FAMILY: be32,
        /// `NFTA_NAT_REG_ADDR_MIN`.
        RegAddrMin(u32) = NFTA_NAT_REG_ADDR_MIN: be32,
        /// `NFTA_NAT_REG_ADDR_MAX`.
        RegAddrMax(u32) = NFTA_NAT_REG_ADDR_MAX: be32,
        /// `NFTA_NAT_REG_PROTO_MIN`.
        RegProtoMin(u32) = NFTA_NAT_REG_PROTO_MIN: be32,
        /// `NFTA_NAT_REG_PROTO_MAX`.
        RegProtoMax(u32) = NFTA_NAT_REG_PROTO_MAX: be32,
        /// `NFTA_NAT_FLAGS`.
        Flags(u32) = NFTA_NAT_FLAGS: be32,
    }
}

/// `NFTA_MASQ_FLAGS`: `NF_NAT_RANGE_*` (u32, big-endian).
pub const NFTA_MASQ_FLAGS: u16 = 1;
/// `NFTA_MASQ_REG_PROTO_MIN` (u32, big-endian).
pub const NFTA_MASQ_REG_PROTO_MIN: u16 = 2;
/// `NFTA_MASQ_REG_PROTO_MAX` (u32, big-endian).
pub const NFTA_MASQ_REG_PROTO_MAX: u16 = 3;

attribute_enum! {
    nf_tables;
    /// One `NFTA_MASQ_*` attribute (`masquerade`: snat to the output interface's address).
    pub enum MasqAttr {
        /// `NFTA_MASQ_FLAGS`.
        Flags(u32) = NFTA_MASQ_FLAGS: be32,
        /// `NFTA_MASQ_REG_PROTO_MIN`.
        RegProtoMin(u32) = NFTA_MASQ_REG_PROTO_MIN: be32,
        /// `NFTA_MASQ_REG_PROTO_MAX`.
        RegProtoMax(u32) = NFTA_MASQ_REG_PROTO_MAX: be32,
    }
}

/// `NFTA_REDIR_REG_PROTO_MIN` (u32, big-endian).
pub const NFTA_REDIR_REG_PROTO_MIN: u16 = 1;
/// `NFTA_REDIR_REG_PROTO_MAX` (u32, big-endian).
pub const NFTA_REDIR_REG_PROTO_MAX: u16 = 2;
/// `NFTA_REDIR_FLAGS`: `NF_NAT_RANGE_*` (u32, big-endian).
pub const NFTA_REDIR_FLAGS: u16 = 3;

attribute_enum! {
    nf_tables;
    /// One `NFTA_REDIR_*` attribute (`redirect`: dnat to this host).
    pub enum RedirAttr {
        /// `NFTA_REDIR_REG_PROTO_MIN`.
        RegProtoMin(u32) = NFTA_REDIR_REG_PROTO_MIN: be32,
        /// `NFTA_REDIR_REG_PROTO_MAX`.
        RegProtoMax(u32) = NFTA_REDIR_REG_PROTO_MAX: be32,
        /// `NFTA_REDIR_FLAGS`.
        Flags(u32) = NFTA_REDIR_FLAGS: be32,
    }
}

// ---- lookup, dynset ----
/// `NFTA_LOOKUP_SET`: the set's name (string).
pub const NFTA_LOOKUP_SET: u16 = 1;
/// `NFTA_LOOKUP_SREG`: the key's register (u32, big-endian).
pub const NFTA_LOOKUP_SREG: u16 = 2;
/// `NFTA_LOOKUP_DREG`: a map's data goes here (u32, big-endian).
pub const NFTA_LOOKUP_DREG: u16 = 3;
/// `NFTA_LOOKUP_SET_ID`: the set by its id in the batch (u32, big-endian).
pub const NFTA_LOOKUP_SET_ID: u16 = 4;
/// `NFTA_LOOKUP_FLAGS`: `NFT_LOOKUP_F_INV` (u32, big-endian).
pub const NFTA_LOOKUP_FLAGS: u16 = 5;
/// `NFT_LOOKUP_F_INV`: match when the key is not in the set.
pub const NFT_LOOKUP_F_INV: u32 = 1;

attribute_enum! {
    nf_tables;
    /// One `NFTA_LOOKUP_*` attribute (`lookup`: is the register's value in the set?).
    pub enum LookupAttr {
        /// `NFTA_LOOKUP_SET`.
        Set(String) = NFTA_LOOKUP_SET: str,
        /// `NFTA_LOOKUP_SREG`.
        Sreg(u32) = NFTA_LOOKUP_SREG: be32,
        /// `NFTA_LOOKUP_DREG`.
        Dreg(u32) = NFTA_LOOKUP_DREG: be32,
        /// `NFTA_LOOKUP_SET_ID`.
        SetId(u32) = NFTA_LOOKUP_SET_ID: be32,
        /// `NFTA_LOOKUP_FLAGS`.
        Flags(u32) = NFTA_LOOKUP_FLAGS: be32,
    }
}

/// `NFTA_DYNSET_SET_NAME` (string).
pub const NFTA_DYNSET_SET_NAME: u16 = 1;
/// `NFTA_DYNSET_SET_ID` (u32, big-endian).
pub const NFTA_DYNSET_SET_ID: u16 = 2;
/// `NFTA_DYNSET_OP`: `NFT_DYNSET_OP_*` (u32, big-endian).
pub const NFTA_DYNSET_OP: u16 = 3;
/// `NFTA_DYNSET_SREG_KEY` (u32, big-endian).
pub const NFTA_DYNSET_SREG_KEY: u16 = 4;
/// `NFTA_DYNSET_SREG_DATA` (u32, big-endian).
pub const NFTA_DYNSET_SREG_DATA: u16 = 5;
/// `NFTA_DYNSET_TIMEOUT`: ms (u64, big-endian).
pub const NFTA_DYNSET_TIMEOUT: u16 = 6;
/// `NFTA_DYNSET_EXPR`: one expression for the element (nest; kept unknown here).
pub const NFTA_DYNSET_EXPR: u16 = 7;
/// `NFTA_DYNSET_PAD`: padding.
pub const NFTA_DYNSET_PAD: u16 = 8;
/// `NFTA_DYNSET_FLAGS`: `NFT_DYNSET_F_*` (u32, big-endian).
pub const NFTA_DYNSET_FLAGS: u16 = 9;
/// `NFTA_DYNSET_EXPRESSIONS`: expressions for the element (list).
pub const NFTA_DYNSET_EXPRESSIONS: u16 = 10;
/// `NFT_DYNSET_OP_ADD`.
pub const NFT_DYNSET_OP_ADD: u32 = 0;
/// `NFT_DYNSET_OP_UPDATE`.
pub const NFT_DYNSET_OP_UPDATE: u32 = 1;
/// `NFT_DYNSET_OP_DELETE`.
pub const NFT_DYNSET_OP_DELETE: u32 = 2;

attribute_enum! {
    nf_tables;
    /// One `NFTA_DYNSET_*` attribute (`dynset`: add or update an element from the packet
    /// path, `update @set { ip saddr }`).
    pub enum DynsetAttr {
        /// `NFTA_DYNSET_SET_NAME`.
        SetName(String) = NFTA_DYNSET_SET_NAME: str,
        /// `NFTA_DYNSET_SET_ID`.
        SetId(u32) = NFTA_DYNSET_SET_ID: be32,
        /// `NFTA_DYNSET_OP`.
        Op(u32) = NFTA_DYNSET_OP: be32,
        /// `NFTA_DYNSET_SREG_KEY`.
        SregKey(u32) = NFTA_DYNSET_SREG_KEY: be32,
        /// `NFTA_DYNSET_SREG_DATA`.
        SregData(u32) = NFTA_DYNSET_SREG_DATA: be32,
        /// `NFTA_DYNSET_TIMEOUT`.
        Timeout(u64) = NFTA_DYNSET_TIMEOUT: be64,
        /// `NFTA_DYNSET_FLAGS`.
        Flags(u32) = NFTA_DYNSET_FLAGS: be32,
        /// `NFTA_DYNSET_EXPRESSIONS`.
        Expressions(Vec<Expr>) = NFTA_DYNSET_EXPRESSIONS: nest,
    }
}

// ---- reject, log ----
/// `NFTA_REJECT_TYPE`: `NFT_REJECT_*` (u32, big-endian).
pub const NFTA_REJECT_TYPE: u16 = 1;
/// `NFTA_REJECT_ICMP_CODE`: the ICMP code (u8).
pub const NFTA_REJECT_ICMP_CODE: u16 = 2;
/// `NFT_REJECT_ICMP_UNREACH`: an ICMP destination unreachable.
pub const NFT_REJECT_ICMP_UNREACH: u32 = 0;
/// `NFT_REJECT_TCP_RST`: a TCP reset.
pub const NFT_REJECT_TCP_RST: u32 = 1;
/// `NFT_REJECT_ICMPX_UNREACH`: ICMP or ICMPv6, by family (inet).
pub const NFT_REJECT_ICMPX_UNREACH: u32 = 2;

attribute_enum! {
    nf_tables;
    /// One `NFTA_REJECT_*` attribute (`reject`).
    pub enum RejectAttr {
        /// `NFTA_REJECT_TYPE`.
        Type(u32) = NFTA_REJECT_TYPE: be32,
        /// `NFTA_REJECT_ICMP_CODE`.
        IcmpCode(u8) = NFTA_REJECT_ICMP_CODE: u8,
    }
}

/// `NFTA_LOG_GROUP`: nflog group (u16, big-endian).
pub const NFTA_LOG_GROUP: u16 = 1;
/// `NFTA_LOG_PREFIX` (string).
pub const NFTA_LOG_PREFIX: u16 = 2;
/// `NFTA_LOG_SNAPLEN` (u32, big-endian).
pub const NFTA_LOG_SNAPLEN: u16 = 3;
/// `NFTA_LOG_QTHRESHOLD` (u16, big-endian).
pub const NFTA_LOG_QTHRESHOLD: u16 = 4;
/// `NFTA_LOG_LEVEL`: syslog level, `NFT_LOGLEVEL_*` (u32, big-endian).
pub const NFTA_LOG_LEVEL: u16 = 5;
/// `NFTA_LOG_FLAGS`: `NF_LOG_*` (u32, big-endian).
pub const NFTA_LOG_FLAGS: u16 = 6;

attribute_enum! {
    nf_tables;
    /// One `NFTA_LOG_*` attribute (`log`).
    pub enum LogAttr {
        /// `NFTA_LOG_GROUP`.
        Group(u16) = NFTA_LOG_GROUP: be16,
        /// `NFTA_LOG_PREFIX`.
        Prefix(String) = NFTA_LOG_PREFIX: str,
        /// `NFTA_LOG_SNAPLEN`.
        Snaplen(u32) = NFTA_LOG_SNAPLEN: be32,
        /// `NFTA_LOG_QTHRESHOLD`.
        Qthreshold(u16) = NFTA_LOG_QTHRESHOLD: be16,
        /// `NFTA_LOG_LEVEL`.
        Level(u32) = NFTA_LOG_LEVEL: be32,
        /// `NFTA_LOG_FLAGS`.
        Flags(u32) = NFTA_LOG_FLAGS: be32,
    }
}

// ---- range, fib, limit ----
/// `NFTA_RANGE_SREG` (u32, big-endian).
pub const NFTA_RANGE_SREG: u16 = 1;
/// `NFTA_RANGE_OP`: `NFT_RANGE_EQ` (0) or `NFT_RANGE_NEQ` (1) (u32, big-endian).
pub const NFTA_RANGE_OP: u16 = 2;
/// `NFTA_RANGE_FROM_DATA` (data).
pub const NFTA_RANGE_FROM_DATA: u16 = 3;
/// `NFTA_RANGE_TO_DATA` (data).
pub const NFTA_RANGE_TO_DATA: u16 = 4;
/// `NFT_RANGE_EQ`: within the range.
pub const NFT_RANGE_EQ: u32 = 0;
/// `NFT_RANGE_NEQ`: outside the range.
pub const NFT_RANGE_NEQ: u32 = 1;

attribute_enum! {
    nf_tables;
    /// One `NFTA_RANGE_*` attribute (`range`: is the register within from..=to?).
    pub enum RangeAttr {
        /// `NFTA_RANGE_SREG`.
        Sreg(u32) = NFTA_RANGE_SREG: be32,
        /// `NFTA_RANGE_OP`.
        Op(u32) = NFTA_RANGE_OP: be32,
        /// `NFTA_RANGE_FROM_DATA`.
        From(Data) = NFTA_RANGE_FROM_DATA: nest,
        /// `NFTA_RANGE_TO_DATA`.
        To(Data) = NFTA_RANGE_TO_DATA: nest,
    }
}

/// `NFTA_FIB_DREG` (u32, big-endian).
pub const NFTA_FIB_DREG: u16 = 1;
/// `NFTA_FIB_RESULT`: `NFT_FIB_RESULT_*` (u32, big-endian).
pub const NFTA_FIB_RESULT: u16 = 2;
/// `NFTA_FIB_FLAGS`: `NFTA_FIB_F_*` (u32, big-endian).
pub const NFTA_FIB_FLAGS: u16 = 3;
/// `NFT_FIB_RESULT_OIF`: the output interface index.
pub const NFT_FIB_RESULT_OIF: u32 = 1;
/// `NFT_FIB_RESULT_OIFNAME`: the output interface name.
pub const NFT_FIB_RESULT_OIFNAME: u32 = 2;
/// `NFT_FIB_RESULT_ADDRTYPE`: the address type (`RTN_LOCAL`, ...).
pub const NFT_FIB_RESULT_ADDRTYPE: u32 = 3;
/// `NFTA_FIB_F_SADDR`: look up the source address.
pub const NFTA_FIB_F_SADDR: u32 = 1 << 0;
/// `NFTA_FIB_F_DADDR`: look up the destination address.
pub const NFTA_FIB_F_DADDR: u32 = 1 << 1;
/// `NFTA_FIB_F_MARK`: use the packet mark.
pub const NFTA_FIB_F_MARK: u32 = 1 << 2;
/// `NFTA_FIB_F_IIF`: within the input interface.
pub const NFTA_FIB_F_IIF: u32 = 1 << 3;
/// `NFTA_FIB_F_OIF`: within the output interface.
pub const NFTA_FIB_F_OIF: u32 = 1 << 4;

attribute_enum! {
    nf_tables;
    /// One `NFTA_FIB_*` attribute (`fib`: a routing lookup, `fib daddr type local`).
    pub enum FibAttr {
        /// `NFTA_FIB_DREG`.
        Dreg(u32) = NFTA_FIB_DREG: be32,
        /// `NFTA_FIB_RESULT`.
        Result(u32) = NFTA_FIB_RESULT: be32,
        /// `NFTA_FIB_FLAGS`.
        Flags(u32) = NFTA_FIB_FLAGS: be32,
    }
}

/// `NFTA_LIMIT_RATE` (u64, big-endian).
pub const NFTA_LIMIT_RATE: u16 = 1;
/// `NFTA_LIMIT_UNIT`: seconds (u64, big-endian).
pub const NFTA_LIMIT_UNIT: u16 = 2;
/// `NFTA_LIMIT_BURST` (u32, big-endian).
pub const NFTA_LIMIT_BURST: u16 = 3;
/// `NFTA_LIMIT_TYPE`: `NFT_LIMIT_PKTS` (0) or `NFT_LIMIT_PKT_BYTES` (1) (u32, big-endian).
pub const NFTA_LIMIT_TYPE: u16 = 4;
/// `NFTA_LIMIT_FLAGS`: `NFT_LIMIT_F_INV` (u32, big-endian).
pub const NFTA_LIMIT_FLAGS: u16 = 5;

attribute_enum! {
    nf_tables;
    /// One `NFTA_LIMIT_*` attribute (`limit rate 10/second`).
    pub enum LimitAttr {
        /// `NFTA_LIMIT_RATE`.
        Rate(u64) = NFTA_LIMIT_RATE: be64,
        /// `NFTA_LIMIT_UNIT`.
        Unit(u64) = NFTA_LIMIT_UNIT: be64,
        /// `NFTA_LIMIT_BURST`.
        Burst(u32) = NFTA_LIMIT_BURST: be32,
        /// `NFTA_LIMIT_TYPE`.
        Type(u32) = NFTA_LIMIT_TYPE: be32,
        /// `NFTA_LIMIT_FLAGS`.
        Flags(u32) = NFTA_LIMIT_FLAGS: be32,
    }
}

/// Defines [`Expr`] from the list of typed expressions.
macro_rules! expressions {
    ($( $(#[$m:meta])* $Var:ident($A:ident) = $name:literal, )*) => {
        /// One expression of a rule (an `NFTA_LIST_ELEM` of `NFTA_RULE_EXPRESSIONS`).
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum Expr {
            $( $(#[$m])* $Var(Vec<$A>), )*
            /// An expression without a typed variant, or a list item not in the
            /// name-then-data shape: the whole list item as read.
            Other(UnknownAttr),
        }

        impl Expr {
            /// The expression's name (`NFTA_EXPR_NAME`), for `Other` when it has one.
            pub fn name(&self) -> Option<&str> {
                match self {
                    $( Expr::$Var(_) => Some($name), )*
                    Expr::Other(u) => other_name(u),
                }
            }

            fn parse_data(
                name: &str,
                data: &Attr<'_>,
                cx: &mut Cx,
            ) -> Result<Option<Self>, DecodeError> {
                Ok(Some(match name {
                    $( $name => Expr::$Var(parse_attrs(data.nested()?, cx)?), )*
                    _ => return Ok(None),
                }))
            }

            fn data_len(&self) -> usize {
                match self {
                    $( Expr::$Var(a) => list_len(a), )*
                    Expr::Other(_) => 0,
                }
            }

            fn emit_data(&self, b: &mut Builder<'_>, nesting: Nesting) -> Result<(), EncodeError> {
                match self {
                    $( Expr::$Var(a) => emit_list(b, a, nesting), )*
                    Expr::Other(_) => Ok(()),
                }
            }
        }
    };
}

expressions! {
    /// `meta`.
    Meta(MetaAttr) = "meta",
    /// `payload`.
    Payload(PayloadAttr) = "payload",
    /// `cmp`.
    Cmp(CmpAttr) = "cmp",
    /// `bitwise`.
    Bitwise(BitwiseAttr) = "bitwise",
    /// `immediate`.
    Immediate(ImmediateAttr) = "immediate",
    /// `counter`.
    Counter(CounterAttr) = "counter",
    /// `ct`.
    Ct(CtAttr) = "ct",
    /// `nat`.
    Nat(NatAttr) = "nat",
    /// `masq`.
    Masq(MasqAttr) = "masq",
    /// `redir`.
    Redir(RedirAttr) = "redir",
    /// `lookup`.
    Lookup(LookupAttr) = "lookup",
    /// `dynset`.
    Dynset(DynsetAttr) = "dynset",
    /// `reject`.
    Reject(RejectAttr) = "reject",
    /// `log`.
    Log(LogAttr) = "log",
    /// `range`.
    Range(RangeAttr) = "range",
    /// `fib`.
    Fib(FibAttr) = "fib",
    /// `limit`.
    Limit(LimitAttr) = "limit",
}

/// `NFTA_EXPR_NAME` inside a kept list item.
fn other_name(u: &UnknownAttr) -> Option<&str> {
    let a = AttrIter::new(&u.value).find(NFTA_EXPR_NAME).ok()??;
    a.string("NFTA_EXPR_NAME").ok()
}

impl NftAttr for Expr {
    fn parse_in(a: &Attr<'_>, cx: &mut Cx) -> Result<Self, DecodeError> {
        let other = || Ok(Expr::Other(a.to_unknown()));
        if a.kind() != NFTA_LIST_ELEM || !cx.nest_ok(a) {
            return other();
        }
        let mut inner = a.nested()?;
        let Some(name) = inner.next().transpose()? else {
            return other();
        };
        let Some(data) = inner.next().transpose()? else {
            return other();
        };
        if inner.next().transpose()?.is_some()
            || name.raw_kind() != NFTA_EXPR_NAME
            || data.kind() != NFTA_EXPR_DATA
        {
            return other();
        }
        let Some(name) = string_value(&name) else {
            return other();
        };
        if !cx.nest_ok(&data) {
            return other();
        }
        match Expr::parse_data(&name, &data, cx)? {
            Some(e) => Ok(e),
            None => other(),
        }
    }

    fn attr_len(&self) -> usize {
        match (self, self.name()) {
            (Expr::Other(u), _) => u.buffer_len(),
            (_, name) => {
                attr_size(attr_size(name.map_or(0, str::len) + 1) + attr_size(self.data_len()))
            }
        }
    }

    fn emit_attr(&self, b: &mut Builder<'_>, nesting: Nesting) -> Result<(), EncodeError> {
        if let Expr::Other(u) = self {
            return u.emit(b);
        }
        let elem = b.nest_start(nesting.kind(NFTA_LIST_ELEM))?;
        b.attr_str(NFTA_EXPR_NAME, self.name().unwrap_or_default())?;
        let data = b.nest_start(nesting.kind(NFTA_EXPR_DATA))?;
        self.emit_data(b, nesting)?;
        b.nest_end(data)?;
        b.nest_end(elem)
    }
}

/// Constructors in the attribute order `nft` uses.
impl Expr {
    /// `meta load KEY => reg DREG` (`meta iifname`, `meta l4proto`, ...).
    pub fn meta_load(key: u32, dreg: u32) -> Self {
        Expr::Meta(vec![MetaAttr::Key(key), MetaAttr::Dreg(dreg)])
    }
    /// `meta set KEY from reg SREG` (`meta mark set ...`).
    pub fn meta_set(key: u32, sreg: u32) -> Self {
        Expr::Meta(vec![MetaAttr::Key(key), MetaAttr::Sreg(sreg)])
    }
    /// `payload load LEN bytes at OFFSET of BASE => reg DREG`.
    pub fn payload_load(base: u32, offset: u32, len: u32, dreg: u32) -> Self {
        Expr::Payload(vec![
            PayloadAttr::Dreg(dreg),
            PayloadAttr::Base(base),
            PayloadAttr::Offset(offset),
            PayloadAttr::Len(len),
        ])
    }
    /// `cmp OP reg SREG VALUE`.
    pub fn cmp(op: u32, sreg: u32, value: impl Into<Vec<u8>>) -> Self {
        Expr::Cmp(vec![
            CmpAttr::Sreg(sreg),
            CmpAttr::Op(op),
            CmpAttr::Data(super::value(value)),
        ])
    }
    /// `bitwise reg DREG = (reg SREG & MASK) ^ XOR` over `mask.len()` bytes.
    pub fn bitwise(sreg: u32, dreg: u32, mask: Vec<u8>, xor: Vec<u8>) -> Self {
        Expr::Bitwise(vec![
            BitwiseAttr::Sreg(sreg),
            BitwiseAttr::Dreg(dreg),
            BitwiseAttr::Len(u32::try_from(mask.len()).unwrap_or(u32::MAX)),
            BitwiseAttr::Mask(super::value(mask)),
            BitwiseAttr::Xor(super::value(xor)),
        ])
    }
    /// `immediate reg DREG VALUE`.
    pub fn immediate(dreg: u32, value: impl Into<Vec<u8>>) -> Self {
        Expr::Immediate(vec![
            ImmediateAttr::Dreg(dreg),
            ImmediateAttr::Data(super::value(value)),
        ])
    }
    /// The verdict `v`: `immediate reg 0 VERDICT`.
    pub fn verdict(v: Verdict) -> Self {
        Expr::Immediate(vec![
            ImmediateAttr::Dreg(NFT_REG_VERDICT),
            ImmediateAttr::Data(super::verdict(&v)),
        ])
    }
    /// `counter`, as `nft` sends it (no initial values).
    pub fn counter() -> Self {
        Expr::Counter(Vec::new())
    }
    /// `ct load KEY => reg DREG` (`ct state`).
    pub fn ct_load(key: u32, dreg: u32) -> Self {
        Expr::Ct(vec![CtAttr::Key(key), CtAttr::Dreg(dreg)])
    }
    /// `lookup reg SREG set NAME` (`ip saddr @NAME`).
    pub fn lookup(set: &str, sreg: u32) -> Self {
        Expr::Lookup(vec![
            LookupAttr::Sreg(sreg),
            LookupAttr::Set(set.to_owned()),
        ])
    }
    /// `masq` with `NF_NAT_RANGE_*` flags (0 for a plain `masquerade`).
    pub fn masq(flags: u32) -> Self {
        if flags == 0 {
            Expr::Masq(Vec::new())
        } else {
            Expr::Masq(vec![MasqAttr::Flags(flags)])
        }
    }
    /// `masq` to the ports in registers `min` (and `max`), with `NF_NAT_RANGE_*` flags
    /// (`masquerade to :1000-2000`; `nft` adds `NF_NAT_RANGE_PROTO_SPECIFIED`).
    pub fn masq_ports(min: u32, max: Option<u32>, flags: u32) -> Self {
        let mut a = vec![MasqAttr::Flags(flags), MasqAttr::RegProtoMin(min)];
        a.extend(max.map(MasqAttr::RegProtoMax));
        Expr::Masq(a)
    }
    /// `nat` of `kind` (`NFT_NAT_SNAT`, `NFT_NAT_DNAT`) for `family` (`NFPROTO_IPV4`,
    /// `NFPROTO_IPV6`) to the address in register `addr` and, optionally, the ports in
    /// registers `proto_min` (and `proto_max`); `flags` (`NFTA_NAT_FLAGS`) only when
    /// nonzero, as `nft` writes it.
    pub fn nat(
        kind: u32,
        family: u32,
        addr: u32,
        proto_min: Option<u32>,
        proto_max: Option<u32>,
        flags: u32,
    ) -> Self {
        let mut a = vec![
            NatAttr::Type(kind),
            NatAttr::Family(family),
            NatAttr::RegAddrMin(addr),
        ];
        a.extend(proto_min.map(NatAttr::RegProtoMin));
        a.extend(proto_max.map(NatAttr::RegProtoMax));
        if flags != 0 {
            a.push(NatAttr::Flags(flags));
        }
        Expr::Nat(a)
    }
    /// `redir` to the ports in registers `min` (and `max`), with `NF_NAT_RANGE_*` flags.
    pub fn redir(min: u32, max: Option<u32>, flags: u32) -> Self {
        let mut a = vec![RedirAttr::RegProtoMin(min)];
        a.extend(max.map(RedirAttr::RegProtoMax));
        a.push(RedirAttr::Flags(flags));
        Expr::Redir(a)
    }
    /// `fib FLAGS RESULT => reg DREG` (`fib daddr type`: `NFTA_FIB_F_DADDR`,
    /// `NFT_FIB_RESULT_ADDRTYPE`).
    pub fn fib(flags: u32, result: u32, dreg: u32) -> Self {
        Expr::Fib(vec![
            FibAttr::Flags(flags),
            FibAttr::Result(result),
            FibAttr::Dreg(dreg),
        ])
    }
    /// `range OP reg SREG FROM TO` (`NFT_RANGE_EQ` 0, `NFT_RANGE_NEQ` 1).
    pub fn range(op: u32, sreg: u32, from: impl Into<Vec<u8>>, to: impl Into<Vec<u8>>) -> Self {
        Expr::Range(vec![
            RangeAttr::Sreg(sreg),
            RangeAttr::Op(op),
            RangeAttr::From(super::value(from)),
            RangeAttr::To(super::value(to)),
        ])
    }
    /// `reject` of `NFT_REJECT_*` type with an ICMP code.
    pub fn reject(kind: u32, icmp_code: u8) -> Self {
        Expr::Reject(vec![
            RejectAttr::Type(kind),
            RejectAttr::IcmpCode(icmp_code),
        ])
    }
    /// `log`, with a prefix if one is given.
    pub fn log(prefix: Option<&str>) -> Self {
        Expr::Log(
            prefix
                .map(|p| LogAttr::Prefix(p.to_owned()))
                .into_iter()
                .collect(),
        )
    }
    /// `lookup reg SREG set NAME`, with the set's id in the batch when it is made there and
    /// `NFT_LOOKUP_F_INV` when `invert` (`ip saddr != @NAME`).
    pub fn lookup_in(set: &str, sreg: u32, set_id: Option<u32>, invert: bool) -> Self {
        let mut a = vec![LookupAttr::Sreg(sreg), LookupAttr::Set(set.to_owned())];
        a.extend(set_id.map(LookupAttr::SetId));
        if invert {
            a.push(LookupAttr::Flags(NFT_LOOKUP_F_INV));
        }
        Expr::Lookup(a)
    }

    /// `lookup reg SREG set NAME dreg DREG`: a map lookup, the data of the key's element
    /// into `dreg` (`dnat ip to tcp dport map @NAME`), with the set's id in the batch when
    /// it is made there; in `nft`'s order (sreg, dreg, set, set id).
    pub fn lookup_map(set: &str, sreg: u32, dreg: u32, set_id: Option<u32>) -> Self {
        let mut a = vec![
            LookupAttr::Sreg(sreg),
            LookupAttr::Dreg(dreg),
            LookupAttr::Set(set.to_owned()),
        ];
        a.extend(set_id.map(LookupAttr::SetId));
        Expr::Lookup(a)
    }

    /// The verdict of an `immediate` to the verdict register.
    pub fn as_verdict(&self) -> Option<Verdict> {
        let Expr::Immediate(a) = self else {
            return None;
        };
        let to_verdict_reg = a
            .iter()
            .any(|x| matches!(x, ImmediateAttr::Dreg(NFT_REG_VERDICT)));
        let data = a.iter().find_map(|x| match x {
            ImmediateAttr::Data(d) => Some(d),
            _ => None,
        })?;
        if to_verdict_reg {
            super::verdict_of(data)
        } else {
            None
        }
    }
}

/// One expression as [`exprs`] sees it: borrowed from the message, nothing decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExprRef<'a> {
    /// The list item.
    pub item: Attr<'a>,
    /// `NFTA_EXPR_NAME`, when present and a string.
    pub name: Option<&'a str>,
    /// `NFTA_EXPR_DATA`, when present: walk it with [`Attr::nested`].
    pub data: Option<Attr<'a>>,
}

/// Walks an expression list (the value of `NFTA_RULE_EXPRESSIONS`, or of a set's or
/// dynset's `*_EXPRESSIONS`) without allocating. Only a malformed list is an error; inside
/// an item, what precedes a malformed attribute is reported.
#[derive(Debug, Clone)]
pub struct ExprIter<'a> {
    items: AttrIter<'a>,
}

/// The expressions of list attribute `list` (e.g. `NFTA_RULE_EXPRESSIONS`).
pub fn exprs<'a>(list: &Attr<'a>) -> Result<ExprIter<'a>, DecodeError> {
    Ok(ExprIter {
        items: list.nested()?,
    })
}

impl<'a> ExprIter<'a> {
    /// Walks the list items in `value` (the value of a list attribute); offsets count from
    /// the start of `value`.
    pub fn over(value: &'a [u8]) -> Self {
        ExprIter {
            items: AttrIter::new(value),
        }
    }
}

impl<'a> Iterator for ExprIter<'a> {
    type Item = Result<ExprRef<'a>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        let item = match self.items.next()? {
            Ok(a) => a,
            Err(e) => return Some(Err(e)),
        };
        let mut r = ExprRef {
            item,
            name: None,
            data: None,
        };
        // A malformed item is the owned decoder's business (it keeps or refuses it); the
        // view reports what it could read before the fault.
        if let Ok(inner) = item.nested() {
            for a in inner {
                let Ok(a) = a else { break };
                match a.kind() {
                    NFTA_EXPR_NAME if r.name.is_none() => {
                        r.name = a.string("NFTA_EXPR_NAME").ok();
                    }
                    NFTA_EXPR_DATA if r.data.is_none() => r.data = Some(a),
                    _ => {}
                }
            }
        }
        Some(Ok(r))
    }
}

impl std::iter::FusedIterator for ExprIter<'_> {}
