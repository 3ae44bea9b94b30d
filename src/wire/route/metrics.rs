//! `RTA_METRICS`: a nest of `RTAX_*` attributes.

use super::*;
use crate::wire::attr::Attr;
use crate::wire::builder::attr_size;

/// One route metric (`RTAX_*` inside `RTA_METRICS`). Every metric is a u32 except
/// `RTAX_CC_ALGO`, a NUL-terminated string.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RouteMetric {
    /// `RTAX_LOCK`: bit mask of locked metrics, `1 << RTAX_x` ("lock" in `ip route`).
    Lock(u32),
    /// `RTAX_MTU`.
    Mtu(u32),
    /// `RTAX_WINDOW`.
    Window(u32),
    /// `RTAX_RTT`.
    Rtt(u32),
    /// `RTAX_RTTVAR`.
    RttVar(u32),
    /// `RTAX_SSTHRESH`.
    Ssthresh(u32),
    /// `RTAX_CWND`.
    Cwnd(u32),
    /// `RTAX_ADVMSS`.
    AdvMss(u32),
    /// `RTAX_REORDERING`.
    Reordering(u32),
    /// `RTAX_HOPLIMIT`.
    HopLimit(u32),
    /// `RTAX_INITCWND`.
    InitCwnd(u32),
    /// `RTAX_FEATURES`: `RTAX_FEATURE_*` bits.
    Features(u32),
    /// `RTAX_RTO_MIN`.
    RtoMin(u32),
    /// `RTAX_INITRWND`.
    InitRwnd(u32),
    /// `RTAX_QUICKACK`.
    QuickAck(u32),
    /// `RTAX_CC_ALGO`: congestion control algorithm ("congctl" in `ip route`).
    CcAlgo(String),
    /// `RTAX_FASTOPEN_NO_COOKIE`.
    FastopenNoCookie(u32),
    /// Any other metric, flag bits and value kept. An `RTAX_CC_ALGO` with bytes after its
    /// NUL also lands here, so that it re-encodes identically.
    Unknown(UnknownAttr),
}

/// The uapi name of an `RTAX_*` metric type (flag bits ignored).
pub fn metric_name(kind: u16) -> Option<&'static str> {
    Some(match kind & crate::wire::attr::NLA_TYPE_MASK {
        RTAX_UNSPEC => "RTAX_UNSPEC",
        RTAX_LOCK => "RTAX_LOCK",
        RTAX_MTU => "RTAX_MTU",
        RTAX_WINDOW => "RTAX_WINDOW",
        RTAX_RTT => "RTAX_RTT",
        RTAX_RTTVAR => "RTAX_RTTVAR",
        RTAX_SSTHRESH => "RTAX_SSTHRESH",
        RTAX_CWND => "RTAX_CWND",
        RTAX_ADVMSS => "RTAX_ADVMSS",
        RTAX_REORDERING => "RTAX_REORDERING",
        RTAX_HOPLIMIT => "RTAX_HOPLIMIT",
        RTAX_INITCWND => "RTAX_INITCWND",
        RTAX_FEATURES => "RTAX_FEATURES",
        RTAX_RTO_MIN => "RTAX_RTO_MIN",
        RTAX_INITRWND => "RTAX_INITRWND",
        RTAX_QUICKACK => "RTAX_QUICKACK",
        RTAX_CC_ALGO => "RTAX_CC_ALGO",
        RTAX_FASTOPEN_NO_COOKIE => "RTAX_FASTOPEN_NO_COOKIE",
        _ => return None,
    })
}

impl RouteMetric {
    /// Reads one attribute of an `RTA_METRICS` nest.
    pub fn parse(a: &Attr<'_>) -> Result<Self, DecodeError> {
        if has_flags(a) {
            return Ok(RouteMetric::Unknown(a.to_unknown()));
        }
        let kind = a.kind();
        if kind == RTAX_CC_ALGO {
            let s = a.string("RTAX_CC_ALGO")?;
            // Only the canonical form (name, one NUL) is typed; anything after the NUL
            // would be lost on re-encoding.
            return Ok(if a.value().len() == s.len() + 1 {
                RouteMetric::CcAlgo(s.to_owned())
            } else {
                RouteMetric::Unknown(a.to_unknown())
            });
        }
        let make: fn(u32) -> RouteMetric = match kind {
            RTAX_LOCK => RouteMetric::Lock,
            RTAX_MTU => RouteMetric::Mtu,
            RTAX_WINDOW => RouteMetric::Window,
            RTAX_RTT => RouteMetric::Rtt,
            RTAX_RTTVAR => RouteMetric::RttVar,
            RTAX_SSTHRESH => RouteMetric::Ssthresh,
            RTAX_CWND => RouteMetric::Cwnd,
            RTAX_ADVMSS => RouteMetric::AdvMss,
            RTAX_REORDERING => RouteMetric::Reordering,
            RTAX_HOPLIMIT => RouteMetric::HopLimit,
            RTAX_INITCWND => RouteMetric::InitCwnd,
            RTAX_FEATURES => RouteMetric::Features,
            RTAX_RTO_MIN => RouteMetric::RtoMin,
            RTAX_INITRWND => RouteMetric::InitRwnd,
            RTAX_QUICKACK => RouteMetric::QuickAck,
            RTAX_FASTOPEN_NO_COOKIE => RouteMetric::FastopenNoCookie,
            _ => return Ok(RouteMetric::Unknown(a.to_unknown())),
        };
        let name = metric_name(kind).unwrap_or("RTAX_?");
        Ok(make(a.u32(name)?))
    }

    /// The attribute type written on the wire, flag bits included.
    pub fn kind(&self) -> u16 {
        match self {
            RouteMetric::Lock(_) => RTAX_LOCK,
            RouteMetric::Mtu(_) => RTAX_MTU,
            RouteMetric::Window(_) => RTAX_WINDOW,
            RouteMetric::Rtt(_) => RTAX_RTT,
            RouteMetric::RttVar(_) => RTAX_RTTVAR,
            RouteMetric::Ssthresh(_) => RTAX_SSTHRESH,
            RouteMetric::Cwnd(_) => RTAX_CWND,
            RouteMetric::AdvMss(_) => RTAX_ADVMSS,
            RouteMetric::Reordering(_) => RTAX_REORDERING,
            RouteMetric::HopLimit(_) => RTAX_HOPLIMIT,
            RouteMetric::InitCwnd(_) => RTAX_INITCWND,
            RouteMetric::Features(_) => RTAX_FEATURES,
            RouteMetric::RtoMin(_) => RTAX_RTO_MIN,
            RouteMetric::InitRwnd(_) => RTAX_INITRWND,
            RouteMetric::QuickAck(_) => RTAX_QUICKACK,
            RouteMetric::CcAlgo(_) => RTAX_CC_ALGO,
            RouteMetric::FastopenNoCookie(_) => RTAX_FASTOPEN_NO_COOKIE,
            RouteMetric::Unknown(u) => u.kind,
        }
    }

    /// The value of a u32 metric.
    pub fn as_u32(&self) -> Option<u32> {
        match self {
            RouteMetric::Lock(v)
            | RouteMetric::Mtu(v)
            | RouteMetric::Window(v)
            | RouteMetric::Rtt(v)
            | RouteMetric::RttVar(v)
            | RouteMetric::Ssthresh(v)
            | RouteMetric::Cwnd(v)
            | RouteMetric::AdvMss(v)
            | RouteMetric::Reordering(v)
            | RouteMetric::HopLimit(v)
            | RouteMetric::InitCwnd(v)
            | RouteMetric::Features(v)
            | RouteMetric::RtoMin(v)
            | RouteMetric::InitRwnd(v)
            | RouteMetric::QuickAck(v)
            | RouteMetric::FastopenNoCookie(v) => Some(*v),
            RouteMetric::CcAlgo(_) | RouteMetric::Unknown(_) => None,
        }
    }

    /// Bytes taken on the wire, header and padding included.
    pub fn buffer_len(&self) -> usize {
        match self {
            RouteMetric::CcAlgo(s) => attr_size(s.len() + 1),
            RouteMetric::Unknown(u) => u.buffer_len(),
            _ => attr_size(4),
        }
    }

    /// Appends the attribute. A `CcAlgo` name containing a NUL is refused.
    pub fn emit(&self, b: &mut Builder<'_>) -> Result<(), EncodeError> {
        match self {
            RouteMetric::CcAlgo(s) => b.attr_str(RTAX_CC_ALGO, s),
            RouteMetric::Unknown(u) => u.emit(b),
            other => b.attr_u32(other.kind(), other.as_u32().unwrap_or(0)),
        }
    }
}
