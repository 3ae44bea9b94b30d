//! Writing to standard output for the streaming commands (`monitor`, `decode`): a closed
//! pipe (`netplumb monitor | head -3`) ends the program quietly with status 0 instead of a
//! panic, which is what `print!` would do; any other write error is a failed command.

use crate::args::CliError;
use std::io::{ErrorKind, Write};

/// Writes `bytes` to standard output and flushes it.
///
/// # Errors
/// A write error other than a closed pipe, as `Error: cannot write to standard output: ...`.
/// A closed pipe exits the process with status 0.
pub fn write_stdout(bytes: &[u8]) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => Err(CliError::Failed(format!(
            "Error: cannot write to standard output: {}.",
            super::error_text(&netplumb::Error::io("write", e))
        ))),
    }
}
