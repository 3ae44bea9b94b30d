//! `IFLA_STATS` (`struct rtnl_link_stats`, 32-bit) and `IFLA_STATS64`
//! (`struct rtnl_link_stats64`).
//!
//! Both structures grew over time: 23 counters up to Linux 4.5, `rx_nohandler` since 4.6, and
//! (64-bit only) `rx_otherhost_dropped` since 5.19. A value of any of these sizes is read;
//! counters the sender did not have are `None`, and counters a newer kernel appends are kept
//! in `extra`, so a value re-encodes to the size it was read with.

use crate::wire::attr_enum::AttrValue;
use crate::wire::{Attr, Builder, DecodeError, EncodeError};

macro_rules! stats_struct {
    (
        $(#[$meta:meta])*
        $Name:ident($int:ty)
        optional {
            $( $(#[$ometa:meta])* $opt:ident, )*
        }
        counters {
            $( $(#[$fmeta:meta])* $field:ident, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
        pub struct $Name {
            $( $(#[$fmeta])* pub $field: $int, )*
            $( $(#[$ometa])* pub $opt: Option<$int>, )*
            /// Counters after the known ones (from a newer kernel), kept for re-encoding.
            pub extra: Vec<$int>,
        }

        impl $Name {
            const WIDTH: usize = size_of::<$int>();
            const BASE: usize = [$(stringify!($field)),*].len();

            /// The counters in wire order; fails if an optional counter is set after an
            /// unset one (that layout cannot be written).
            fn counters(&self) -> Result<Vec<$int>, EncodeError> {
                let mut out = vec![$(self.$field),*];
                let mut gap = false;
                for o in [$(self.$opt),*] {
                    match o {
                        Some(v) if !gap => out.push(v),
                        None => gap = true,
                        Some(_) => return Err(Self::gap()),
                    }
                }
                if gap && !self.extra.is_empty() {
                    return Err(Self::gap());
                }
                out.extend_from_slice(&self.extra);
                Ok(out)
            }

            fn gap() -> EncodeError {
                EncodeError::InvalidValue {
                    what: stringify!($Name),
                    reason: "a counter is set after an unset optional counter",
                }
            }
        }

        impl AttrValue for $Name {
            fn parse_value(a: &Attr<'_>, name: &'static str, _: usize) -> Result<Self, DecodeError> {
                let v = a.value();
                if v.len() % Self::WIDTH != 0 || v.len() < Self::BASE * Self::WIDTH {
                    return Err(a.bad(
                        name,
                        "length is not a whole number of counters, or too short",
                    ));
                }
                let mut it = v.chunks_exact(Self::WIDTH).map(|c| {
                    <$int>::from_ne_bytes(c.try_into().unwrap_or([0; size_of::<$int>()]))
                });
                Ok($Name {
                    $( $field: it.next().unwrap_or(0), )*
                    $( $opt: it.next(), )*
                    extra: it.collect(),
                })
            }
            fn value_len(&self) -> usize {
                self.counters().map_or(0, |c| c.len() * Self::WIDTH)
            }
            fn emit_value(&self, b: &mut Builder<'_>, kind: u16) -> Result<(), EncodeError> {
                let bytes: Vec<u8> = self.counters()?.iter().flat_map(|c| c.to_ne_bytes()).collect();
                b.attr(kind, &bytes)
            }
        }
    };
}

/// `stats_struct!` for one structure, with the 23 counters `struct rtnl_link_stats` and
/// `struct rtnl_link_stats64` both start with, in wire order.
macro_rules! link_stats {
    ($($head:tt)*) => {
        stats_struct! {
            $($head)*
            counters {
                /// Good packets received.
                rx_packets,
                /// Packets transmitted.
                tx_packets,
                /// Bytes received.
                rx_bytes,
                /// Bytes transmitted.
                tx_bytes,
                /// Bad packets received.
                rx_errors,
                /// Transmit problems.
                tx_errors,
                /// Packets received but dropped.
                rx_dropped,
                /// Packets dropped before transmission.
                tx_dropped,
                /// Multicast packets received.
                multicast,
                /// Collisions.
                collisions,
                /// Packets with a bad length.
                rx_length_errors,
                /// Receiver overruns.
                rx_over_errors,
                /// Packets with a CRC error.
                rx_crc_errors,
                /// Frame alignment errors.
                rx_frame_errors,
                /// Receiver FIFO errors.
                rx_fifo_errors,
                /// Packets missed by the host.
                rx_missed_errors,
                /// Aborted transmissions.
                tx_aborted_errors,
                /// Carrier lost during transmission.
                tx_carrier_errors,
                /// Transmit FIFO underruns.
                tx_fifo_errors,
                /// Heartbeat errors.
                tx_heartbeat_errors,
                /// Late collisions.
                tx_window_errors,
                /// Compressed packets received.
                rx_compressed,
                /// Compressed packets transmitted.
                tx_compressed,
            }
        }
    };
}

link_stats! {
    /// `IFLA_STATS64`: `struct rtnl_link_stats64`.
    Stats64(u64)
    optional {
        /// Packets dropped for lack of a handler (Linux 4.6+).
        rx_nohandler,
        /// Packets dropped for a foreign destination MAC (Linux 5.19+).
        rx_otherhost_dropped,
    }
}

link_stats! {
    /// `IFLA_STATS`: `struct rtnl_link_stats`, the same counters truncated to 32 bits.
    Stats(u32)
    optional {
        /// Packets dropped for lack of a handler (Linux 4.6+).
        rx_nohandler,
    }
}

impl Stats64 {
    /// All counters known to this crate, each zero (the 25-counter layout of current kernels).
    pub fn zeroed() -> Self {
        Stats64 {
            rx_nohandler: Some(0),
            rx_otherhost_dropped: Some(0),
            ..Self::default()
        }
    }
}
