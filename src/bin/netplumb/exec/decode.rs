//! `decode [protocol P] [FILE]`: prints the netlink messages in FILE (or standard input),
//! raw bytes or annotated hex, decoded by the library's codecs, rtnetlink or nfnetlink as
//! recognised from the bytes (or as `protocol` says). The rendering is in
//! [`super::decode_core`]; this reads the input and reports.
//!
//! Exit status 0 when every message decoded; 1 (after printing the messages before it) when
//! one did not, with `Error: decode error at offset N: ...` on stderr, or when the input
//! cannot be read or is hex text with an odd number of digits.

use super::{decode_core, output};
use crate::cmd::Run;
use crate::cmd::decode::Decode;
use crate::ctx::Ctx;
use crate::error::{CliError, Res, error_text};
use std::io::Read;

impl Run for Decode {
    fn run(&self, ctx: &Ctx<'_>) -> Res<()> {
        run(self, ctx)
    }
}

/// Runs `decode`.
fn run(cmd: &Decode, ctx: &Ctx<'_>) -> Result<(), CliError> {
    let raw = match cmd.file.as_deref() {
        None | Some("-") => {
            let mut buf = Vec::new();
            std::io::stdin().lock().read_to_end(&mut buf).map_err(|e| {
                CliError::Failed(format!("Error: cannot read standard input: {e}."))
            })?;
            buf
        }
        Some(path) => std::fs::read(path).map_err(|e| {
            CliError::Failed(format!(
                "Cannot open file \"{path}\" for reading: {}",
                error_text(&netplumb::Error::io("read", e))
            ))
        })?,
    };
    let bytes =
        decode_core::input_bytes(&raw).map_err(|e| CliError::Failed(format!("Error: {e}.")))?;
    let (json, pretty) = (ctx.globals.json, ctx.globals.pretty);
    let (text, failure) = match cmd.protocol {
        Some(p) => decode_core::render_with(decode_core::decoder(p), &bytes, json, pretty),
        None => decode_core::render(&bytes, json, pretty),
    };
    output::write_stdout(text.as_bytes())?;
    match failure {
        None => Ok(()),
        Some(e) => Err(CliError::Failed(decode_core::error_line(&e))),
    }
}
