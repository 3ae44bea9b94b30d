//! The crate's error type.

use crate::socket::Protocol;
use crate::wire::{DecodeError, EncodeError};
use std::fmt;
use std::time::Duration;

/// A failed request, as the kernel reported it.
///
/// Carries the errno, the extended-ack message and offset when the kernel gave them, and which
/// request failed (its message type, sequence number and, in a batch, its index).
///
/// ```no_run
/// use netplumb::Handle;
/// use netplumb::link::{LinkSpec, Veth};
/// let h = Handle::new()?;
/// let spec = LinkSpec::new("np-demo0", Veth::new("np-demo1"));
/// h.link_add(&spec)?;
/// let e = h.link_add(&spec).unwrap_err(); // RTM_NEWLINK with NLM_F_EXCL: EEXIST
/// assert!(e.is_exists());
/// let k = e.kernel().unwrap();
/// println!("errno {}: {}", k.errno, k.text());
/// h.link_del("np-demo0")?;
/// # Ok::<(), netplumb::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelError {
    /// The netlink protocol of the socket the request went on: how to read
    /// [`KernelError::request_type`].
    pub protocol: Protocol,
    /// The positive errno (`EEXIST` = 17, ...).
    pub errno: i32,
    /// `NLMSGERR_ATTR_MSG`, e.g. "Nexthop has invalid gateway".
    pub message: Option<String>,
    /// `NLMSGERR_ATTR_OFFS`: offset of the offending attribute in the request.
    pub bad_attr_offset: Option<u32>,
    /// `NLMSGERR_ATTR_MISS_TYPE`: a required attribute that was missing.
    pub missing_type: Option<u32>,
    /// The failed request's message type (`RTM_NEWLINK`, ...; for nfnetlink, the subsystem
    /// in the high byte and the message in the low one).
    pub request_type: u16,
    /// The failed request's sequence number.
    pub request_seq: u32,
    /// In a batch, the index of the failed request.
    pub request_index: Option<usize>,
    /// The kernel's reply as it arrived: the whole `NLMSG_ERROR` message (`NLMSG_DONE` for a
    /// dump that failed), `nlmsghdr` included, with the echoed request and the extended-ack
    /// attributes the fields above were read from. For logs ([`KernelError::reply_hex`]),
    /// `netplumb decode`, or a `datagram` fuzz seed. Empty when the error was not read from
    /// a reply.
    pub reply: Vec<u8>,
}

impl KernelError {
    /// The errno's text as the C library gives it (`File exists`).
    pub fn strerror(&self) -> String {
        std::io::Error::from_raw_os_error(self.errno)
            .to_string()
            .split(" (os error")
            .next()
            .unwrap_or_default()
            .to_string()
    }

    /// [`KernelError::reply`] as annotated-hex text (16 bytes a line), the format
    /// `netplumb decode` and [`crate::wire::hex::parse`] read.
    pub fn reply_hex(&self) -> String {
        crate::wire::hex::format(&self.reply)
    }

    /// What iproute2 would print after `Error: `: the extended-ack message if there is one,
    /// otherwise the errno's text.
    pub fn text(&self) -> String {
        match &self.message {
            Some(m) if !m.is_empty() => m.clone(),
            _ => self.strerror(),
        }
    }
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (
            self.protocol,
            self.protocol.message_type_name(self.request_type),
        ) {
            (_, Some(n)) => write!(f, "{n}")?,
            (Protocol::Route, None) => write!(f, "request type {}", self.request_type)?,
            (p, None) => write!(f, "{} request type {:#06x}", p.name(), self.request_type)?,
        }
        if let Some(i) = self.request_index {
            write!(f, " (batch request {i})")?;
        }
        write!(f, ": {}", self.strerror())?;
        if let Some(m) = self.message.as_deref().filter(|m| !m.is_empty()) {
            write!(f, ": {m}")?;
        }
        if let Some(o) = self.bad_attr_offset {
            write!(f, " (attribute at offset {o})")?;
        }
        if let Some(t) = self.missing_type {
            write!(f, " (missing attribute type {t})")?;
        }
        Ok(())
    }
}

impl std::error::Error for KernelError {}

/// Everything that can go wrong in netplumb.
///
/// ```
/// use netplumb::{Error, IpNet};
/// // Bad input is refused before anything reaches the kernel.
/// let e = "198.18.0.1/33".parse::<IpNet>().unwrap_err();
/// assert!(matches!(e, Error::InvalidInput { what: "prefix length", .. }));
/// assert!(e.is_invalid() && !e.is_exists());
/// # Ok::<(), netplumb::Error>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bytes from the kernel (or a caller) could not be decoded.
    #[error("decode error: {0}")]
    Decode(#[from] DecodeError),
    /// A request could not be encoded.
    #[error("encode error: {0}")]
    Encode(#[from] EncodeError),
    /// The kernel refused a request.
    #[error("{0}")]
    Kernel(#[from] KernelError),
    /// A system call failed.
    #[error("{op}: {source}")]
    Io {
        /// What was being done (`"socket"`, `"setns"`, `"open /run/netns/x"`, ...).
        op: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The kernel's table changed during a dump (`NLM_F_DUMP_INTR`): the results may be
    /// inconsistent; dump again.
    #[error("dump interrupted: the table changed during the dump (NLM_F_DUMP_INTR); dump again")]
    DumpInterrupted,
    /// A multicast subscriber's receive queue overflowed (ENOBUFS): events were lost and the
    /// caller should dump again to resynchronise. The socket stays usable.
    #[error(
        "netlink receive queue overrun: events were lost (ENOBUFS); dump again to resynchronise"
    )]
    Overrun,
    /// No reply within the socket's receive timeout.
    #[error("no reply from the kernel within {0:?}")]
    Timeout(Duration),
    /// A reply that breaks the protocol (wrong type, missing DONE, ...).
    #[error("protocol error: {0}")]
    Protocol(String),
    /// An argument that was refused before anything was sent to the kernel.
    #[error("invalid {what}: {reason}")]
    InvalidInput {
        /// What was invalid (`"interface name"`, `"MAC address"`, ...).
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// A named object (link, namespace, ...) does not exist.
    #[error("{what} not found: {name}")]
    NotFound {
        /// What kind of object (`"link"`, `"network namespace"`).
        what: &'static str,
        /// Its name or index.
        name: String,
    },
    /// A closure run in another namespace panicked; the thread that ran it was discarded.
    #[error("closure panicked in namespace thread: {0}")]
    Panicked(String),
    /// A multi-step operation failed, and undoing what it had done failed too
    /// ([`crate::undo::Undo::rollback`]): the first error, and every cleanup error. The
    /// predicates ([`Error::errno`], [`Error::is_exists`], ...) answer for the first error.
    #[error("{error}; rolling back failed too: {}", List(cleanup))]
    RolledBack {
        /// The failure that caused the rollback.
        error: Box<Error>,
        /// Every undo step that failed, in the order they ran.
        cleanup: Vec<Error>,
    },
    /// A teardown attempted every step and some failed
    /// ([`crate::undo::Undo::teardown`]).
    #[error("teardown: {} step(s) failed: {}", errors.len(), List(errors))]
    Teardown {
        /// Every step's error, in the order the steps ran.
        errors: Vec<Error>,
    },
    /// A fault injected by a test's [`crate::undo::FaultPlan`].
    #[error("injected fault at step {step}: {what}")]
    Injected {
        /// The step that was failed (counting from 0).
        step: usize,
        /// What the step was (`"RTM_NEWLINK"`, or what the operation called it).
        what: String,
    },
}

/// Errors joined with `; ` for a message.
struct List<'a>(&'a [Error]);

impl fmt::Display for List<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// `Result<T, netplumb::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An [`Error::Io`] from the current `errno`.
    pub fn last_os_error(op: impl Into<String>) -> Self {
        Error::Io {
            op: op.into(),
            source: std::io::Error::last_os_error(),
        }
    }

    /// An [`Error::Io`] from an `io::Error`.
    pub fn io(op: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            op: op.into(),
            source,
        }
    }

    /// An [`Error::InvalidInput`].
    pub fn invalid(what: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            what,
            reason: reason.into(),
        }
    }

    /// The kernel's `errno` for a request that named an object becomes [`Error::NotFound`]
    /// naming `what` `name` (e.g. `ENODEV` for a request naming a link); any other error is
    /// returned as it is. The one not-found mapping the operations share.
    pub(crate) fn not_found_on(
        self,
        errno: i32,
        what: &'static str,
        name: impl fmt::Display,
    ) -> Self {
        if self.errno() == Some(errno) {
            Error::NotFound {
                what,
                name: name.to_string(),
            }
        } else {
            self
        }
    }

    /// The error the predicates answer for: the first error of an [`Error::RolledBack`],
    /// else this one.
    pub fn primary(&self) -> &Error {
        match self {
            Error::RolledBack { error, .. } => error.primary(),
            e => e,
        }
    }

    /// The errno behind the error: the kernel's for a refused request, the system call's for
    /// an I/O error.
    pub fn errno(&self) -> Option<i32> {
        match self.primary() {
            Error::Kernel(k) => Some(k.errno),
            Error::Io { source, .. } => source.raw_os_error(),
            _ => None,
        }
    }

    /// The kernel error, if this is one.
    pub fn kernel(&self) -> Option<&KernelError> {
        match self.primary() {
            Error::Kernel(k) => Some(k),
            _ => None,
        }
    }

    /// The object already exists (`EEXIST`).
    pub fn is_exists(&self) -> bool {
        self.errno() == Some(libc::EEXIST)
    }

    /// The object does not exist: `ENODEV`, `ENOENT`, `ESRCH`, `EADDRNOTAVAIL` from the kernel,
    /// or [`Error::NotFound`].
    pub fn is_not_found(&self) -> bool {
        matches!(self.primary(), Error::NotFound { .. })
            || matches!(
                self.errno(),
                Some(libc::ENODEV | libc::ENOENT | libc::ESRCH | libc::EADDRNOTAVAIL)
            )
    }

    /// The object is busy (`EBUSY`), e.g. renaming a link that is up.
    pub fn is_busy(&self) -> bool {
        self.errno() == Some(libc::EBUSY)
    }

    /// The caller lacks privilege (`EPERM`, `EACCES`).
    pub fn is_permission_denied(&self) -> bool {
        matches!(self.errno(), Some(libc::EPERM | libc::EACCES))
    }

    /// The kernel does not support the request (`EOPNOTSUPP`, or a link kind it does not
    /// know).
    pub fn is_not_supported(&self) -> bool {
        matches!(self.errno(), Some(libc::EOPNOTSUPP))
    }

    /// The request was invalid (`EINVAL` from the kernel, or refused before sending).
    pub fn is_invalid(&self) -> bool {
        matches!(self.primary(), Error::InvalidInput { .. }) || self.errno() == Some(libc::EINVAL)
    }

    /// A dump was interrupted by a concurrent change.
    pub fn is_dump_interrupted(&self) -> bool {
        matches!(self.primary(), Error::DumpInterrupted)
    }

    /// Events were lost on a monitor socket.
    pub fn is_overrun(&self) -> bool {
        matches!(self.primary(), Error::Overrun)
    }

    /// No reply came in time.
    pub fn is_timeout(&self) -> bool {
        matches!(self.primary(), Error::Timeout(_))
    }

    /// A fault injected by a [`crate::undo::FaultPlan`] (without an errno).
    pub fn is_injected(&self) -> bool {
        matches!(self.primary(), Error::Injected { .. })
    }

    /// The cleanup errors of an [`Error::RolledBack`] (empty for any other error).
    pub fn cleanup_errors(&self) -> &[Error] {
        match self {
            Error::RolledBack { cleanup, .. } => cleanup,
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kerr(errno: i32, message: Option<&str>) -> Error {
        Error::Kernel(KernelError {
            protocol: Protocol::Route,
            errno,
            message: message.map(str::to_string),
            bad_attr_offset: Some(32),
            missing_type: None,
            request_type: crate::wire::nlmsg::RTM_NEWLINK,
            request_seq: 3,
            request_index: None,
            reply: Vec::new(),
        })
    }

    #[test]
    fn predicates() {
        assert!(kerr(libc::EEXIST, None).is_exists());
        assert!(kerr(libc::ENODEV, None).is_not_found());
        assert!(!kerr(libc::EEXIST, None).is_not_found());
        assert!(kerr(libc::EBUSY, None).is_busy());
        assert!(
            Error::NotFound {
                what: "link",
                name: "x".into()
            }
            .is_not_found()
        );
    }

    #[test]
    fn display_names_request_errno_and_ext_ack() {
        let e = kerr(libc::EINVAL, Some("Unknown device type"));
        let s = e.to_string();
        assert!(
            s.starts_with("RTM_NEWLINK: Invalid argument: Unknown device type"),
            "{s}"
        );
        assert!(s.contains("offset 32"), "{s}");
        assert_eq!(e.kernel().unwrap().text(), "Unknown device type");
        assert_eq!(
            kerr(libc::EEXIST, None).kernel().unwrap().text(),
            "File exists"
        );
    }
}
