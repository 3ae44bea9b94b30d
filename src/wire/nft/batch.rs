//! The batch markers: `NFNL_MSG_BATCH_BEGIN` and `NFNL_MSG_BATCH_END`.
//!
//! Every change to the ruleset travels in a batch: BEGIN, the messages, END, in one
//! datagram; the kernel applies all of it or none. The markers' `nfgenmsg` has
//! `NFPROTO_UNSPEC` and the subsystem (`NFNL_SUBSYS_NFTABLES`) as `res_id`, and `nft`
//! numbers BEGIN 0 and every later message one more. A BEGIN may carry
//! `NFNL_BATCH_GENID`: the kernel then refuses the batch with `ERESTART` if the ruleset
//! generation moved on.

/// `NFNL_BATCH_GENID`: the generation the batch was prepared against (u32, big-endian).
pub const NFNL_BATCH_GENID: u16 = 1;

attribute_enum! {
    nf_tables;
    /// One attribute of a batch marker.
    pub enum BatchAttr {
        /// `NFNL_BATCH_GENID`.
        GenId(u32) = NFNL_BATCH_GENID: be32,
    }
}
