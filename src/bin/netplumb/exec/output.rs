//! Writing to standard output (`monitor`, `decode`, and the `show` commands' printer): a closed
//! pipe (`netplumb monitor | head -3`) ends the program quietly with status 0 instead of a
//! panic, which is what `print!` would do; any other write error is a failed command.

use crate::error::{CliError, error_text};
use std::io::{ErrorKind, Write};

/// Writes `bytes` to standard output and flushes it.
///
/// # Errors
/// A write error other than a closed pipe, as `Error: cannot write to standard output: ...`.
/// A closed pipe exits the process with status 0.
pub fn write_stdout(bytes: &[u8]) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(write_failed)
}

/// A failed write to standard output: a closed pipe exits the process with status 0, any
/// other error is `Error: cannot write to standard output: ...`.
pub fn write_failed(e: std::io::Error) -> CliError {
    if e.kind() == ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    CliError::Failed(format!(
        "Error: cannot write to standard output: {}.",
        error_text(&netplumb::Error::io("write", e))
    ))
}
