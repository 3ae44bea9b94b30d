//! What the table operations share (routes, rules, addresses, neighbours): listing what a
//! filter selects from a dump, flushing it by deleting in rounds, and checking the prefixes
//! and families the kernel reports. Crate-private; the operations' modules own their
//! filters, requests and values.

use crate::handle::Handle;
use crate::link::{LinkRef, no_such_link};
use crate::socket::{Batch, BatchMode};
use crate::wire::Emit;
use crate::wire::family::{AF_INET, AF_INET6};
use crate::{Error, IpNet, Result};
use std::net::IpAddr;

/// How many list-and-delete rounds a flush makes before giving up, like iproute2's
/// `MAX_ROUNDS`.
pub(crate) const FLUSH_ROUNDS: usize = 10;

/// Whether `family` is `AF_INET` or `AF_INET6`: what `ip route|rule|addr show` list. An
/// `AF_UNSPEC` dump also returns other families (multicast routing tables and rules).
pub(crate) fn is_ip_family(family: u8) -> bool {
    family == AF_INET || family == AF_INET6
}

/// Checks that a `what` ("route", "rule") the kernel reported is of an IP family.
///
/// # Errors
/// [`Error::Protocol`]: "WHAT of family N is not an IP WHAT".
pub(crate) fn check_ip_family(what: &str, family: u8) -> Result<()> {
    if is_ip_family(family) {
        return Ok(());
    }
    Err(Error::Protocol(format!(
        "{what} of family {family} is not an IP {what}"
    )))
}

/// The prefix `addr/len` that field `field` ("from", "destination") of a `what` ("route",
/// "rule") of `family` reported.
///
/// # Errors
/// [`Error::Protocol`] when the address is not of `family` or the length does not fit it.
pub(crate) fn reported_prefix(
    what: &str,
    family: u8,
    field: &str,
    (addr, len): (IpAddr, u8),
) -> Result<IpNet> {
    if addr.is_ipv4() != (family == AF_INET) {
        return Err(Error::Protocol(format!(
            "{field} {addr} does not match the {what}'s family {family}"
        )));
    }
    IpNet::new(addr, len).map_err(|e| Error::Protocol(format!("{field}: {e}")))
}

/// How a flush treats a failed delete and what it says when it cannot finish: the two ways
/// iproute2 flushes.
pub(crate) enum FlushPolicy<'a> {
    /// `ip route flush`, `ip rule flush`: a delete the kernel does not find
    /// ([`Error::is_not_found`]) lost a race and is skipped; a round in which every delete
    /// was skipped ends the flush: "NOUN flush: N NOUN(s) remain that the kernel does not
    /// find to delete".
    Selected {
        /// "route", "rule".
        noun: &'static str,
    },
    /// `ip addr flush dev DEV`, `ip neigh flush dev DEV`: a delete failing with errno
    /// `vanished` lost a race and is skipped; other failures are mapped to
    /// [`Error::NotFound`] for a missing `dev`.
    OnDev {
        /// The device flushed.
        dev: &'a LinkRef<'a>,
        /// "addresses", "neighbour entries".
        what: &'static str,
        /// The errno of an entry that went away meanwhile.
        vanished: i32,
    },
}

impl FlushPolicy<'_> {
    /// `Some(e)` to end the flush with `e`, `None` to skip a delete that lost a race.
    fn failed(&self, e: Error) -> Option<Error> {
        match self {
            FlushPolicy::Selected { .. } => (!e.is_not_found()).then_some(e),
            FlushPolicy::OnDev { dev, vanished, .. } => {
                (e.errno() != Some(*vanished)).then(|| no_such_link(e, dev))
            }
        }
    }

    /// The error when a round deleted nothing of `left` entries (`None`: try another round).
    fn stalled(&self, left: usize) -> Option<Error> {
        match self {
            FlushPolicy::Selected { noun } => Some(Error::Protocol(format!(
                "{noun} flush: {left} {noun}(s) remain that the kernel does not find to delete"
            ))),
            FlushPolicy::OnDev { .. } => None,
        }
    }

    /// The error when entries remain after [`FLUSH_ROUNDS`] rounds.
    fn out_of_rounds(&self) -> Error {
        Error::Protocol(match self {
            FlushPolicy::Selected { noun } => {
                format!("{noun} flush: {noun}s keep appearing after {FLUSH_ROUNDS} rounds")
            }
            FlushPolicy::OnDev { dev, what, .. } => {
                format!("{what} remain on {dev} after {FLUSH_ROUNDS} flush rounds")
            }
        })
    }
}

impl Handle {
    /// A dump of `msg_type` with `request`, retried while the kernel reports it interrupted
    /// ([`Handle::dump_retries`] times), keeping what `select` makes of each record (`None`: drop
    /// it as it arrives): the listing of routes, rules, addresses and neighbours.
    ///
    /// # Errors
    /// What `select` returns; [`Error::DumpInterrupted`] when every retry was interrupted.
    pub(crate) fn dump_selected<T>(
        &self,
        msg_type: u16,
        request: &(impl Emit + ?Sized),
        select: impl FnMut(&[u8]) -> Result<Option<T>>,
    ) -> Result<Vec<T>> {
        let records = self.dump_retry(self.dump_retries(), msg_type, request, select)?;
        Ok(records.into_iter().flatten().collect())
    }

    /// Flushes as `ip` does: up to [`FLUSH_ROUNDS`] rounds, each listing what is left to
    /// delete (`list(round)`, round 0 first) and deleting all of it in one batch (`ip
    /// -force`), into which `push_delete` puts each entry's delete request; `policy` says
    /// which failed deletes lost a race and what to say when the flush cannot finish.
    /// Returns how many deletes succeeded.
    ///
    /// # Errors
    /// What `list` or `push_delete` return; a failed delete as `policy` maps it;
    /// [`Error::Protocol`] when entries remain (see [`FlushPolicy`]).
    pub(crate) fn flush_rounds<T>(
        &self,
        policy: FlushPolicy<'_>,
        mut list: impl FnMut(usize) -> Result<Vec<T>>,
        push_delete: impl Fn(&T, &mut Batch) -> Result<()>,
    ) -> Result<usize> {
        let mut deleted = 0;
        for round in 0..FLUSH_ROUNDS {
            let left = list(round)?;
            if left.is_empty() {
                return Ok(deleted);
            }
            let mut batch = Batch::new();
            for entry in &left {
                push_delete(entry, &mut batch)?;
            }
            let mut progress = false;
            for r in self.batch(&batch, BatchMode::Force)? {
                match r {
                    Ok(()) => {
                        deleted += 1;
                        progress = true;
                    }
                    Err(e) => {
                        if let Some(e) = policy.failed(e) {
                            return Err(e);
                        }
                    }
                }
            }
            if !progress && let Some(e) = policy.stalled(left.len()) {
                return Err(e);
            }
        }
        Err(policy.out_of_rounds())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_and_prefixes_as_the_kernel_reports_them() {
        assert!(is_ip_family(AF_INET) && is_ip_family(AF_INET6));
        assert!(!is_ip_family(0) && !is_ip_family(128));
        assert!(check_ip_family("rule", AF_INET6).is_ok());
        assert!(matches!(
            check_ip_family("rule", 128),
            Err(Error::Protocol(m)) if m == "rule of family 128 is not an IP rule"
        ));
        let v4: IpAddr = "198.18.0.0".parse().unwrap();
        assert_eq!(
            reported_prefix("route", AF_INET, "destination", (v4, 15)).unwrap(),
            "198.18.0.0/15".parse().unwrap()
        );
        for bad in [(AF_INET6, 15), (AF_INET, 33)] {
            assert!(matches!(
                reported_prefix("route", bad.0, "destination", (v4, bad.1)),
                Err(Error::Protocol(_))
            ));
        }
    }
}
