//! `neigh`: placeholder until its executor lands (this build reports it as not implemented).

use super::Ctx;
use crate::args::CliError;
use crate::cmd::NeighCmd;

/// Runs `neigh`.
pub fn run(cmd: &NeighCmd, _ctx: &Ctx<'_>) -> Result<(), CliError> {
    Err(CliError::Failed(format!(
        "netplumb: not implemented yet: {cmd:?}"
    )))
}
