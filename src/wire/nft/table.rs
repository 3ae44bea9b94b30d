//! Tables (`NFTA_TABLE_*`), the ruleset generation (`NFTA_GEN_*`) and stateful objects
//! (`NFTA_OBJ_*`).

/// `NFTA_TABLE_NAME`: the table's name (string).
pub const NFTA_TABLE_NAME: u16 = 1;
/// `NFTA_TABLE_FLAGS`: `NFT_TABLE_F_*` (u32, big-endian).
pub const NFTA_TABLE_FLAGS: u16 = 2;
/// `NFTA_TABLE_USE`: how many chains, sets and objects the table holds (u32, big-endian).
pub const NFTA_TABLE_USE: u16 = 3;
/// `NFTA_TABLE_HANDLE`: the table's handle (u64, big-endian).
pub const NFTA_TABLE_HANDLE: u16 = 4;
/// `NFTA_TABLE_PAD`: padding for 64-bit values.
pub const NFTA_TABLE_PAD: u16 = 5;
/// `NFTA_TABLE_USERDATA`: opaque user data (bytes).
pub const NFTA_TABLE_USERDATA: u16 = 6;
/// `NFTA_TABLE_OWNER`: the netlink port of the owning process (u32, big-endian).
pub const NFTA_TABLE_OWNER: u16 = 7;

/// `NFT_TABLE_F_DORMANT`: the table's base chains are not registered.
pub const NFT_TABLE_F_DORMANT: u32 = 0x1;
/// `NFT_TABLE_F_OWNER`: the table goes away with the socket that made it.
pub const NFT_TABLE_F_OWNER: u32 = 0x2;

attribute_enum! {
    nf_tables;
    /// One `NFTA_TABLE_*` attribute.
    pub enum TableAttr {
        /// `NFTA_TABLE_NAME`.
        Name(String) = NFTA_TABLE_NAME: str,
        /// `NFTA_TABLE_FLAGS`: `NFT_TABLE_F_*`.
        Flags(u32) = NFTA_TABLE_FLAGS: be32,
        /// `NFTA_TABLE_USE`.
        Use(u32) = NFTA_TABLE_USE: be32,
        /// `NFTA_TABLE_HANDLE`.
        Handle(u64) = NFTA_TABLE_HANDLE: be64,
        /// `NFTA_TABLE_USERDATA`.
        UserData(Vec<u8>) = NFTA_TABLE_USERDATA: bytes,
        /// `NFTA_TABLE_OWNER`.
        Owner(u32) = NFTA_TABLE_OWNER: be32,
    }
}

impl super::TableMessage {
    /// `NFTA_TABLE_NAME`.
    pub fn name(&self) -> Option<&str> {
        self.find(|a| match a {
            TableAttr::Name(s) => Some(s.as_str()),
            _ => None,
        })
    }
    /// `NFTA_TABLE_HANDLE`.
    pub fn handle(&self) -> Option<u64> {
        self.find(|a| match a {
            TableAttr::Handle(h) => Some(*h),
            _ => None,
        })
    }
}

/// `NFTA_GEN_ID`: the ruleset generation (u32, big-endian).
pub const NFTA_GEN_ID: u16 = 1;
/// `NFTA_GEN_PROC_PID`: the pid of the process that made the last change (u32, big-endian).
pub const NFTA_GEN_PROC_PID: u16 = 2;
/// `NFTA_GEN_PROC_NAME`: that process's name (string).
pub const NFTA_GEN_PROC_NAME: u16 = 3;

attribute_enum! {
    nf_tables;
    /// One `NFTA_GEN_*` attribute.
    pub enum GenAttr {
        /// `NFTA_GEN_ID`.
        Id(u32) = NFTA_GEN_ID: be32,
        /// `NFTA_GEN_PROC_PID`.
        ProcPid(u32) = NFTA_GEN_PROC_PID: be32,
        /// `NFTA_GEN_PROC_NAME`.
        ProcName(String) = NFTA_GEN_PROC_NAME: str,
    }
}

impl super::GenMessage {
    /// `NFTA_GEN_ID`: the generation.
    pub fn id(&self) -> Option<u32> {
        self.find(|a| match a {
            GenAttr::Id(v) => Some(*v),
            _ => None,
        })
    }
}

/// `NFTA_OBJ_TABLE`: the table (string).
pub const NFTA_OBJ_TABLE: u16 = 1;
/// `NFTA_OBJ_NAME`: the object's name (string).
pub const NFTA_OBJ_NAME: u16 = 2;
/// `NFTA_OBJ_TYPE`: `NFT_OBJECT_*` (u32, big-endian).
pub const NFTA_OBJ_TYPE: u16 = 3;
/// `NFTA_OBJ_DATA`: the object's attributes, by type (nest; kept as bytes here).
pub const NFTA_OBJ_DATA: u16 = 4;
/// `NFTA_OBJ_USE`: references to the object (u32, big-endian).
pub const NFTA_OBJ_USE: u16 = 5;
/// `NFTA_OBJ_HANDLE`: the object's handle (u64, big-endian).
pub const NFTA_OBJ_HANDLE: u16 = 6;
/// `NFTA_OBJ_PAD`: padding.
pub const NFTA_OBJ_PAD: u16 = 7;
/// `NFTA_OBJ_USERDATA`: opaque user data (bytes).
pub const NFTA_OBJ_USERDATA: u16 = 8;

attribute_enum! {
    nf_tables;
    /// One `NFTA_OBJ_*` attribute. `NFTA_OBJ_DATA` depends on the object type and is kept
    /// as an unknown attribute (its bytes and flag bits as read).
    pub enum ObjAttr {
        /// `NFTA_OBJ_TABLE`.
        Table(String) = NFTA_OBJ_TABLE: str,
        /// `NFTA_OBJ_NAME`.
        Name(String) = NFTA_OBJ_NAME: str,
        /// `NFTA_OBJ_TYPE`.
        Type(u32) = NFTA_OBJ_TYPE: be32,
        /// `NFTA_OBJ_USE`.
        Use(u32) = NFTA_OBJ_USE: be32,
        /// `NFTA_OBJ_HANDLE`.
        Handle(u64) = NFTA_OBJ_HANDLE: be64,
        /// `NFTA_OBJ_USERDATA`.
        UserData(Vec<u8>) = NFTA_OBJ_USERDATA: bytes,
    }
}
