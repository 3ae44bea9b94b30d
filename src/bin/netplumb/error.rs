//! What the CLI prints when a command cannot run: [`CliError`] (a usage error, a failure or
//! a failed dump, each with its exit status), and the library's errors in `ip`'s words.

use netplumb::Error;
use std::fmt;

/// A command that could not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CliError {
    /// The command line is wrong; nothing was done. Exit status 2.
    Usage(String),
    /// The command was understood but failed. Exit status 1.
    Failed(String),
    /// A dump the kernel ended with an error (`... Dump terminated`). Exit status 2, as
    /// `ip`'s.
    Dump(String),
}

impl CliError {
    /// The process exit status for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Usage(_) | CliError::Dump(_) => 2,
            CliError::Failed(_) => 1,
        }
    }

    /// The message, without the kind.
    pub fn message(&self) -> &str {
        match self {
            CliError::Usage(m) | CliError::Failed(m) | CliError::Dump(m) => m,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// Shorthand for what fails as a command fails.
pub type Res<T> = Result<T, CliError>;

/// What `ip` prints after `Error: ` for a library error: the kernel's extended-ack message
/// when there is one, else the errno's text, else the error itself.
pub fn error_text(e: &Error) -> String {
    match e {
        Error::Kernel(k) => k.text(),
        Error::Io { source, .. } => source
            .to_string()
            .split(" (os error")
            .next()
            .unwrap_or_default()
            .to_string(),
        other => other.to_string(),
    }
}

/// A library error as a failed command: `Error: <text>.`
pub fn failed(e: Error) -> CliError {
    let text = error_text(&e);
    let dot = if text.ends_with('.') { "" } else { "." };
    CliError::Failed(format!("Error: {text}{dot}"))
}

/// `Cannot find device "NAME"`, as `ip` says when a `dev` does not exist.
pub fn nodev(name: &str) -> CliError {
    CliError::Failed(format!("Cannot find device \"{name}\""))
}

/// A library error, with a missing device reported as [`nodev`].
pub fn lib_error(e: Error) -> CliError {
    match e {
        Error::NotFound { what: "link", name } => nodev(&name),
        e => failed(e),
    }
}
