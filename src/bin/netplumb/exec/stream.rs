//! Dumps printed while they run, for the `show` commands: each record is handed to the
//! caller as it arrives, so memory does not grow with the size of the dump.
//!
//! The dump runs on [`Ctx::dump_handle`], a socket of its own, so the caller can still ask
//! the kernel things (a link's name) through [`Ctx::handle`] while the dump holds its socket.
//!
//! Like `ip`, a dump the kernel marks interrupted (`NLM_F_DUMP_INTR`: the table changed
//! while it was read) is printed as it came, followed by `Dump was interrupted and may be
//! inconsistent.` on standard error; it is not repeated, since its records are already out.

use crate::ctx::Ctx;
use crate::error::{CliError, error_text, failed};
use netplumb::wire::Emit;
use netplumb::{Error, Handle};
use std::sync::mpsc::{self, Receiver, SyncSender};

/// Records are copied into buffers of about this size before they go to the printer.
const CHUNK: usize = 32 * 1024;
/// Filled buffers that may wait for the printer: the receiving thread stops there.
const DEPTH: usize = 8;

/// What the receiving thread hands over.
enum Chunk {
    /// Records, each a native-endian `u32` length and that many payload bytes.
    Records(Vec<u8>),
    /// The dump ended: `Ok(true)` if the kernel marked it interrupted.
    End(Result<bool, Error>),
}

/// Sends a dump request (`msg_type` with `NLM_F_DUMP`, and `req`) and calls `each` with the
/// payload of every record, in the kernel's order. An error from `each` ends the dump.
///
/// The kernel fills each datagram of a dump while the process waits in `recvmsg`, so a
/// thread of its own receives the records (copying them into 32 KiB buffers) while this one
/// decodes and prints the ones before: the time of a large dump is the longer of the two
/// rather than their sum. At most 8 buffers wait, so memory stays bounded. (Buffers of
/// 32 KiB, the size of the kernel's dump datagrams, measured faster than 16 or 64 KiB: the
/// printer starts sooner and its input stays in cache.)
///
/// # Errors
/// What `each` returns; a kernel error as `ip` prints it (`Error: <message>.` then
/// `Dump terminated`); any other failure of the socket.
pub fn dump(
    ctx: &Ctx<'_>,
    msg_type: u16,
    req: &(impl Emit + Sync + ?Sized),
    mut each: impl FnMut(&[u8]) -> Result<(), CliError>,
) -> Result<(), CliError> {
    let h = ctx.dump_handle()?;
    let (tx, rx) = mpsc::sync_channel(DEPTH);
    let (free_tx, free_rx) = mpsc::channel();
    std::thread::scope(|s| {
        s.spawn(move || receive(h, msg_type, req, &tx, &free_rx));
        // The loop owns the receiver: leaving it early (an error) drops it before the scope
        // joins the receiving thread, whose next send then fails and ends it. (A receiver
        // borrowed from outside the scope would outlive the join: a deadlock once the
        // thread waits on a full channel.)
        for chunk in rx {
            match chunk {
                Chunk::Records(buf) => {
                    let mut rest = buf.as_slice();
                    while let Some((len, tail)) = rest.split_first_chunk::<4>() {
                        let Some((payload, tail)) =
                            tail.split_at_checked(u32::from_ne_bytes(*len) as usize)
                        else {
                            break;
                        };
                        each(payload)?;
                        rest = tail;
                    }
                    // The receiving thread may have ended already.
                    let _ = free_tx.send(buf);
                }
                Chunk::End(Ok(interrupted)) => {
                    if interrupted {
                        eprintln!("Dump was interrupted and may be inconsistent.");
                    }
                    return Ok(());
                }
                Chunk::End(Err(e)) => return Err(dump_error(e)),
            }
        }
        Err(CliError::Failed(
            "Error: the dump's receiving thread ended early.".into(),
        ))
    })
}

/// The receiving thread: runs the dump on `h`, sending full buffers, then the end.
fn receive(
    h: &Handle,
    msg_type: u16,
    req: &(impl Emit + ?Sized),
    tx: &SyncSender<Chunk>,
    free: &Receiver<Vec<u8>>,
) {
    let fresh = |free: &Receiver<Vec<u8>>| {
        let mut b = free
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(2 * CHUNK));
        b.clear();
        b
    };
    let mut dump = match h.dump(msg_type, req) {
        Ok(d) => d,
        Err(e) => {
            let _ = tx.send(Chunk::End(Err(e)));
            return;
        }
    };
    let mut buf = fresh(free);
    let end = loop {
        match dump.next_message() {
            Some(Ok(m)) => {
                let p = m.payload();
                // A record is at most one datagram, far below 4 GiB.
                buf.extend_from_slice(&(p.len() as u32).to_ne_bytes());
                buf.extend_from_slice(p);
                if buf.len() >= CHUNK {
                    let full = std::mem::replace(&mut buf, fresh(free));
                    if tx.send(Chunk::Records(full)).is_err() {
                        return;
                    }
                }
            }
            Some(Err(Error::DumpInterrupted)) => break Ok(true),
            Some(Err(e)) => break Err(e),
            None => break Ok(false),
        }
    };
    drop(dump);
    if !buf.is_empty() && tx.send(Chunk::Records(buf)).is_err() {
        return;
    }
    let _ = tx.send(Chunk::End(end));
}

/// A failed dump as `ip` reports it.
pub fn dump_error(e: Error) -> CliError {
    match e {
        Error::Kernel(_) => {
            let text = error_text(&e);
            let dot = if text.ends_with('.') { "" } else { "." };
            CliError::Dump(format!("Error: {text}{dot}\nDump terminated"))
        }
        e => failed(e),
    }
}
