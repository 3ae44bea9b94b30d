//! Data (`NFTA_DATA_*`): a value (bytes, in the byte order of the packet field it is
//! compared with) or a verdict (`NFTA_VERDICT_*`).

/// `NFTA_DATA_VALUE`: up to 64 bytes of data.
pub const NFTA_DATA_VALUE: u16 = 1;
/// `NFTA_DATA_VERDICT`: a verdict (nest of `NFTA_VERDICT_*`).
pub const NFTA_DATA_VERDICT: u16 = 2;

/// `NFTA_VERDICT_CODE`: the verdict (s32, big-endian; see [`Verdict`]).
pub const NFTA_VERDICT_CODE: u16 = 1;
/// `NFTA_VERDICT_CHAIN`: the target of jump and goto (string).
pub const NFTA_VERDICT_CHAIN: u16 = 2;
/// `NFTA_VERDICT_CHAIN_ID`: the target by the id of a chain made in the same batch (u32).
pub const NFTA_VERDICT_CHAIN_ID: u16 = 3;

/// `NF_DROP`.
pub const NF_DROP: i32 = 0;
/// `NF_ACCEPT`.
pub const NF_ACCEPT: i32 = 1;
/// `NF_STOLEN`.
pub const NF_STOLEN: i32 = 2;
/// `NF_QUEUE`.
pub const NF_QUEUE: i32 = 3;
/// `NF_REPEAT`.
pub const NF_REPEAT: i32 = 4;
/// `NFT_CONTINUE`: go on with the next expression.
pub const NFT_CONTINUE: i32 = -1;
/// `NFT_BREAK`: stop this rule, go on with the next.
pub const NFT_BREAK: i32 = -2;
/// `NFT_JUMP`: to a chain, coming back here after it.
pub const NFT_JUMP: i32 = -3;
/// `NFT_GOTO`: to a chain, not coming back.
pub const NFT_GOTO: i32 = -4;
/// `NFT_RETURN`: back to the chain that jumped here.
pub const NFT_RETURN: i32 = -5;

/// `NFT_DATA_VALUE` (`NFTA_SET_DATA_TYPE` of a map to values).
pub const NFT_DATA_VALUE: u32 = 0;
/// `NFT_DATA_VERDICT` (`NFTA_SET_DATA_TYPE` of a verdict map).
pub const NFT_DATA_VERDICT: u32 = 0xffff_ff00;

attribute_enum! {
    nf_tables;
    /// One `NFTA_DATA_*` attribute (the contents of `NFTA_CMP_DATA`, `NFTA_IMMEDIATE_DATA`,
    /// `NFTA_SET_ELEM_KEY`, ...).
    pub enum DataAttr {
        /// `NFTA_DATA_VALUE`: the bytes.
        Value(Vec<u8>) = NFTA_DATA_VALUE: bytes,
        /// `NFTA_DATA_VERDICT`.
        Verdict(Vec<VerdictAttr>) = NFTA_DATA_VERDICT: nest,
    }
}

attribute_enum! {
    nf_tables;
    /// One `NFTA_VERDICT_*` attribute.
    pub enum VerdictAttr {
        /// `NFTA_VERDICT_CODE`, as the u32 of its big-endian bytes (`NFT_JUMP` is
        /// `0xfffffffd`); [`Verdict`] reads it.
        Code(u32) = NFTA_VERDICT_CODE: be32,
        /// `NFTA_VERDICT_CHAIN`.
        Chain(String) = NFTA_VERDICT_CHAIN: str,
        /// `NFTA_VERDICT_CHAIN_ID`.
        ChainId(u32) = NFTA_VERDICT_CHAIN_ID: be32,
    }
}

/// A verdict: what `accept`, `drop`, `continue`, `return`, `jump NAME` and `goto NAME`
/// become.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// `NF_ACCEPT`: `accept`.
    Accept,
    /// `NF_DROP`: `drop`.
    Drop,
    /// `NFT_CONTINUE`: `continue`.
    Continue,
    /// `NFT_BREAK`: end this rule (what a failed match does).
    Break,
    /// `NFT_RETURN`: `return`.
    Return,
    /// `NFT_JUMP` to the chain: `jump NAME`.
    Jump(String),
    /// `NFT_GOTO` to the chain: `goto NAME`.
    Goto(String),
    /// Any other code (`NF_QUEUE`, ...).
    Code(i32),
}

impl Verdict {
    /// The `NFTA_VERDICT_*` attributes, as `nft` writes them: code, then chain.
    pub fn to_attrs(&self) -> Vec<VerdictAttr> {
        let code = |c: i32| VerdictAttr::Code(c as u32);
        match self {
            Verdict::Accept => vec![code(NF_ACCEPT)],
            Verdict::Drop => vec![code(NF_DROP)],
            Verdict::Continue => vec![code(NFT_CONTINUE)],
            Verdict::Break => vec![code(NFT_BREAK)],
            Verdict::Return => vec![code(NFT_RETURN)],
            Verdict::Jump(c) => vec![code(NFT_JUMP), VerdictAttr::Chain(c.clone())],
            Verdict::Goto(c) => vec![code(NFT_GOTO), VerdictAttr::Chain(c.clone())],
            Verdict::Code(c) => vec![code(*c)],
        }
    }

    /// The verdict the attributes describe, or None without a code (or a jump without a
    /// chain name).
    pub fn from_attrs(attrs: &[VerdictAttr]) -> Option<Verdict> {
        let code = attrs.iter().find_map(|a| match a {
            VerdictAttr::Code(c) => Some(*c as i32),
            _ => None,
        })?;
        let chain = || {
            attrs.iter().find_map(|a| match a {
                VerdictAttr::Chain(c) => Some(c.clone()),
                _ => None,
            })
        };
        Some(match code {
            NF_ACCEPT => Verdict::Accept,
            NF_DROP => Verdict::Drop,
            NFT_CONTINUE => Verdict::Continue,
            NFT_BREAK => Verdict::Break,
            NFT_RETURN => Verdict::Return,
            NFT_JUMP => Verdict::Jump(chain()?),
            NFT_GOTO => Verdict::Goto(chain()?),
            c => Verdict::Code(c),
        })
    }
}

/// Data as a list of `NFTA_DATA_*` attributes; the constructors and readers below cover
/// the two forms.
pub type Data = Vec<DataAttr>;

/// `NFTA_DATA_VALUE` holding `bytes`.
pub fn value(bytes: impl Into<Vec<u8>>) -> Data {
    vec![DataAttr::Value(bytes.into())]
}

/// `NFTA_DATA_VERDICT` holding `v`.
pub fn verdict(v: &Verdict) -> Data {
    vec![DataAttr::Verdict(v.to_attrs())]
}

/// The bytes of the first `NFTA_DATA_VALUE`.
pub fn value_of(d: &[DataAttr]) -> Option<&[u8]> {
    d.iter().find_map(|a| match a {
        DataAttr::Value(v) => Some(v.as_slice()),
        _ => None,
    })
}

/// The verdict of the first `NFTA_DATA_VERDICT`.
pub fn verdict_of(d: &[DataAttr]) -> Option<Verdict> {
    d.iter().find_map(|a| match a {
        DataAttr::Verdict(v) => Verdict::from_attrs(v),
        _ => None,
    })
}
