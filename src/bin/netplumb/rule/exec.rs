//! The executor of `rule`: `add`/`del` send the library's [`RuleSpec`] request, `list`
//! prints a dump as it runs (selected as `ip`'s `filter_nlmsg` selects), `flush` is
//! [`Handle::rule_flush`](netplumb::Handle::rule_flush), `save` writes the dump's messages
//! and `restore` sends them back, in the format of `ip rule save|restore`: a native-endian
//! magic number, 0x71706986, then the netlink messages as the kernel sent them.

use super::{RuleChange, RuleCmd, RuleSelect};
use crate::cmd::Run;
use crate::ctx::Ctx;
use crate::error::{CliError, Res, failed, lib_error};
use crate::exec::output::write_stdout;
use crate::exec::render::{self, Opts, Printer};
use crate::exec::stream::{self, dump_error};
use netplumb::Error;
use netplumb::rule::{Rule, RuleOp};
use netplumb::wire::NlmsgFlags;
use netplumb::wire::attr::UnknownAttr;
use netplumb::wire::family::{AF_INET, AF_INET6};
use netplumb::wire::nlmsg::RTM_GETRULE;
use netplumb::wire::route::RT_TABLE_MAIN;
use netplumb::wire::rule::{FRA_UNUSED2, RuleAttr, RuleHeader, RuleMessage};
use std::io::{IsTerminal, Read};

/// The first four bytes of `ip rule save`'s output (native endian).
const RULE_DUMP_MAGIC: u32 = 0x7170_6986;

/// `ip rule restore` reads messages into a buffer of this size; longer ones are refused.
const RESTORE_MAX: usize = 16384;

impl Run for RuleCmd {
    fn run(&self, ctx: &Ctx<'_>) -> Res<()> {
        match self {
            RuleCmd::Add(c) => change(c, RuleOp::Add, ctx),
            RuleCmd::Del(c) => change(c, RuleOp::Del, ctx),
            RuleCmd::List(s) => list(s, ctx),
            RuleCmd::Flush(s) => flush(s, ctx),
            RuleCmd::Save(s) => save(s, ctx),
            RuleCmd::Restore => restore(ctx),
        }
    }

    fn queueable(&self) -> bool {
        matches!(self, RuleCmd::Add(_) | RuleCmd::Del(_))
    }
}

/// `ip rule add|del`: the spec's message, with `ip`'s additions (`nat`, another family).
fn change(c: &RuleChange, op: RuleOp, ctx: &Ctx<'_>) -> Res<()> {
    let mut spec = c.spec.clone();
    if spec.l3mdev {
        if c.table_given {
            return Err(CliError::Failed(
                "table can not be specified for l3mdev rules".into(),
            ));
        }
        // `table 0` is no table (ip checks the id, not the keyword).
        spec.table = None;
    }
    if op == RuleOp::Add && !c.table_ok {
        // What the library does for a rule without an action; a `nat` rule too, in ip.
        spec.table = Some(RT_TABLE_MAIN);
    }
    let mut msg = spec.to_message(op).map_err(failed)?;
    if let Some(gw) = c.nat {
        eprintln!("Warning: route NAT is deprecated");
        msg.attrs.push(RuleAttr::Unknown(UnknownAttr {
            kind: FRA_UNUSED2,
            value: gw.octets().to_vec(),
        }));
    }
    if let Some(af) = c.other_family {
        msg.header.family = af;
    }
    ctx.send(op.msg_type(), op.flags(), &msg)
}

/// The dump request for the selection's family.
fn dump_request(s: &RuleSelect) -> RuleMessage {
    let af = match (s.other_family, s.filter.family) {
        (Some(af), _) => af,
        (None, Some(f)) => f.af(),
        (None, None) => AF_INET,
    };
    RuleMessage::new(RuleHeader::new(af))
}

/// `ip rule [list [SELECTOR]]`: the rules the selectors select, printed as they arrive.
fn list(s: &RuleSelect, ctx: &Ctx<'_>) -> Res<()> {
    let o = Opts::of(ctx.globals);
    let mut p = Printer::new(ctx)?;
    stream::dump(ctx, RTM_GETRULE, &dump_request(s), |payload| {
        let m = RuleMessage::parse(payload).map_err(|e| failed(e.into()))?;
        if m.header.family != AF_INET && m.header.family != AF_INET6 {
            return Ok(());
        }
        let r = Rule::from_message(m).map_err(failed)?;
        if s.filter.matches(&r) {
            p.rec(&render::rule::rule(&r.message, &o))?;
        }
        Ok(())
    })?;
    p.finish()
}

/// `ip rule flush [SELECTOR]`: every selected rule but those of priority 0.
fn flush(s: &RuleSelect, ctx: &Ctx<'_>) -> Res<()> {
    if s.other_family.is_some() {
        // The kernel refuses the dump, as it does ip's.
        return stream::dump(ctx, RTM_GETRULE, &dump_request(s), |_| Ok(()));
    }
    let mut filter = s.filter.clone();
    filter.protocol = s.protocol;
    ctx.handle()?.rule_flush(&filter).map_err(lib_error)?;
    Ok(())
}

/// `ip rule save`: the magic number, then every message of the dump as it came.
fn save(s: &RuleSelect, ctx: &Ctx<'_>) -> Res<()> {
    if std::io::stdout().is_terminal() {
        return Err(CliError::Failed(
            "Not sending a binary stream to stdout".into(),
        ));
    }
    let h = ctx.dump_handle()?;
    let mut out = RULE_DUMP_MAGIC.to_ne_bytes().to_vec();
    let mut dump = h.dump(RTM_GETRULE, &dump_request(s)).map_err(dump_error)?;
    while let Some(m) = dump.next_message() {
        match m {
            Ok(m) => out.extend_from_slice(m.bytes()),
            Err(Error::DumpInterrupted) => {
                eprintln!("Dump was interrupted and may be inconsistent.");
                break;
            }
            Err(e) => return Err(dump_error(e)),
        }
    }
    drop(dump);
    write_stdout(&out)
}

/// `ip rule restore`: the messages of a `save` on standard input, each sent as it is with
/// `NLM_F_REQUEST|NLM_F_CREATE|NLM_F_ACK` added; a rule that exists already
/// (`EEXIST`) is not an error.
fn restore(ctx: &Ctx<'_>) -> Res<()> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Err(CliError::Failed(
            "Can't restore rule dump from a terminal".into(),
        ));
    }
    let mut input = Vec::new();
    stdin
        .lock()
        .read_to_end(&mut input)
        .map_err(|e| failed(Error::io("read", e)))?;
    let magic = input.first_chunk::<4>().map(|b| u32::from_ne_bytes(*b));
    if magic != Some(RULE_DUMP_MAGIC) {
        return Err(CliError::Failed(format!(
            "Magic mismatch ({} elems, {:x} magic)",
            u32::from(magic.is_some()),
            magic.unwrap_or(0)
        )));
    }
    let h = ctx.handle()?;
    for (msg_type, flags, payload) in saved_messages(&input[4..])? {
        match h.request(msg_type, flags | NlmsgFlags::CREATE, payload) {
            Err(e) if e.is_exists() => {}
            r => r.map_err(lib_error)?,
        }
    }
    Ok(())
}

/// The messages of a saved dump (after the magic number) as `rtnl_from_file` reads them: a
/// header, then its payload padded to four bytes; the type, flags and payload of each.
fn saved_messages(mut rest: &[u8]) -> Res<Vec<(u16, NlmsgFlags, &[u8])>> {
    let eof = || CliError::Failed("rtnl-from_file: EOF".into());
    let mut at = 4usize;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (hdr, body) = rest.split_first_chunk::<16>().ok_or_else(eof)?;
        let len = u32::from_ne_bytes([hdr[0], hdr[1], hdr[2], hdr[3]]) as usize;
        at += 16;
        if !(16..=RESTORE_MAX).contains(&len) {
            return Err(CliError::Failed(format!(
                "!!!malformed message: len={len} @{at}"
            )));
        }
        let l = len - 16;
        let padded = (l + 3) & !3;
        let (payload, tail) = body.split_at_checked(padded).ok_or_else(eof)?;
        let msg_type = u16::from_ne_bytes([hdr[4], hdr[5]]);
        let flags = NlmsgFlags::from_bits_retain(u16::from_ne_bytes([hdr[6], hdr[7]]));
        out.push((msg_type, flags, &payload[..l]));
        at += padded;
        rest = tail;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(len: u32, payload: &[u8]) -> Vec<u8> {
        let mut m = len.to_ne_bytes().to_vec();
        m.extend_from_slice(&32u16.to_ne_bytes());
        m.extend_from_slice(&2u16.to_ne_bytes());
        m.extend_from_slice(&[0; 8]);
        m.extend_from_slice(payload);
        m
    }

    #[test]
    fn saved_messages_are_read_as_rtnl_from_file_reads_them() {
        let mut bytes = msg(28, &[1; 12]);
        bytes.extend(msg(18, &[2, 2, 0, 0]));
        let got = saved_messages(&bytes).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0], (32, NlmsgFlags::MULTI, &[1u8; 12][..]));
        // The payload is the message's length; the file holds it padded.
        assert_eq!(got[1].2, &[2, 2]);
        assert!(saved_messages(&[]).unwrap().is_empty());
        for (bad, want) in [
            (msg(28, &[1; 4]), "rtnl-from_file: EOF"),
            (msg(8, &[]), "!!!malformed message: len=8 @20"),
            (msg(20000, &[]), "!!!malformed message: len=20000 @20"),
            (vec![1, 2, 3], "rtnl-from_file: EOF"),
        ] {
            assert_eq!(saved_messages(&bad).unwrap_err().message(), want);
        }
    }
}
