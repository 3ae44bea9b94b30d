//! `netplumb [-n NETNS] vm run [--tap NAME]... [--bridge NAME]... -- CMD [ARGS...]`: runs a
//! VM's launcher inside a pod's network namespace, what virtlet's vmwrapper does.
//!
//! [`run`] sets the pod's namespace up with `netplumb::container::vm`, starts CMD there with
//! the taps as descriptors 3, 4, ... and the VM's settings in its environment ([`env`](mod@env)),
//! passes SIGINT and SIGTERM on to it ([`spawn`]), and tears everything down when CMD ends.
//! The exit status is CMD's (128 + N if it died of signal N), or that of `env` and
//! `nsenter` for their own failures: 125 when setup or teardown failed (or the words after
//! `vm run` are wrong), 126 when CMD could not be executed, 127 when it was not found.
//!
//! `vm` is a row of the CLI's object table (`main.rs`), with one exception to the table's
//! contract: the CLI's errors end a command with status 1 or 2, but `vm run` passes CMD's
//! status on, so [`VmCmd`]'s `run` ends the process itself when the status is not 0 (as an
//! `exec` would). For that reason `vm` refuses to be a line of a `-batch` file. `vm` with
//! an unknown subcommand, or none, is a usage error (status 2).

mod args;
mod env;
mod run;
mod spawn;

use crate::args::{Cursor, Globals};
use crate::cmd::{Command, Object, Run};
use crate::ctx::Ctx;
use crate::error::{CliError, Res};
use crate::help::Topic;

/// Setup or teardown failed, or `vm run` was used wrongly (as `env`'s 125).
const EXIT_FAILED: i32 = 125;
/// CMD was found but could not be executed.
const EXIT_CANNOT_EXEC: i32 = 126;
/// CMD was not found.
const EXIT_NOT_FOUND: i32 = 127;

const HELP: &str = "\
Usage: netplumb [-n NETNS] vm run [--tap NAME]... [--bridge NAME]... -- CMD [ARGS...]
       netplumb vm help

Runs CMD, a VM's launcher, inside the pod's network namespace NETNS (a name under
/run/netns or a path; the current namespace without -n), after handing the pod's network
over to the VM, and undoes that when CMD ends.

For each veth N of the pod (in index order), the veth's IPv4 address and routes are moved
off it, the veth gets a random MAC, and a bridge joins it to a new tap: tapN and brN unless
--tap/--bridge name them (one option per interface, in order). Then CMD runs with the
tap of interface N open as file descriptor 3+N and these variables set:

  NETPLUMB_VM_INTERFACES   the number of interfaces
  NETPLUMB_VM_MAC_N        the MAC the VM's interface must use (the veth's original one)
  NETPLUMB_VM_IP_N         its IPv4 address as a CIDR, e.g. 198.18.0.2/24
  NETPLUMB_VM_GW_N         its default gateway (empty when there is none)
  NETPLUMB_VM_ROUTES_N     its routes as JSON: [{\"dst\":\"0.0.0.0/0\",\"gw\":\"198.18.0.1\"},...]
  NETPLUMB_VM_MTU_N        its MTU
  NETPLUMB_VM_FD_N         the descriptor of its tap (3+N)

and, for interface 0, the same names without the _N suffix. For example, with QEMU:

  netplumb -n pod1 vm run -- sh -c 'exec qemu-system-x86_64 ... \\
      -netdev tap,fd=3,id=n0 -device virtio-net-pci,netdev=n0,mac=$NETPLUMB_VM_MAC'

SIGINT and SIGTERM are passed on to CMD. When CMD ends, also when it is killed, the pod's
namespace is put back exactly as it was, and the exit status is CMD's (128+N if it died
of signal N), or: 125 if setup or teardown failed (or the command line is wrong), 126 if
CMD could not be executed, 127 if it was not found.

DHCP stays between the VM and its bridge: an nf_tables table netplumb-vm-brN (bridge
family, in the pod's namespace) drops DHCP (UDP ports 67 and 68) between tapN and the
veth in both directions, and what a DHCP server on the bridge sends from port 67 out of
the veth. It is deleted with the rest.
";

/// `netplumb vm help`.
pub const TOPIC: Topic = Topic::new("vm", HELP);

/// The `vm` row of the object table.
pub const OBJECT: Object = Object {
    topic: TOPIC,
    parse,
};

/// `netplumb vm run ...`, parsed: the options, or why the words after `run` are wrong (a
/// failure of `vm run` itself, status 125, reported when it runs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VmCmd(Result<args::RunOpts, String>);

/// Reads the words after `vm`.
fn parse(c: &mut Cursor<'_>, g: &Globals) -> Res<Command> {
    if g.batch.is_some() {
        return Err(CliError::Usage(format!(
            "netplumb vm runs a command and exits with its status: it cannot be a line of a \
             batch.\n{}",
            TOPIC.hint()
        )));
    }
    match c.word() {
        Some("run") => Ok(Command::of(VmCmd(args::parse(&c.rest())))),
        Some("help" | "-h" | "--help" | "-help") => {
            c.rest();
            Ok(Command::Help(TOPIC))
        }
        Some(other) => Err(CliError::Usage(format!(
            "Command \"{other}\" is unknown, try \"netplumb vm help\"."
        ))),
        None => Err(CliError::Usage(HELP.trim_end_matches('\n').to_string())),
    }
}

impl Run for VmCmd {
    /// Runs `vm run` in the `-n` namespace; ends the process with the status unless it is 0
    /// (see the module docs).
    fn run(&self, ctx: &Ctx<'_>) -> Res<()> {
        let status = match &self.0 {
            Ok(opts) => run::run(opts, ctx.globals.netns.as_deref()),
            Err(e) => {
                eprintln!("netplumb vm run: {e}\nTry \"netplumb vm help\".");
                EXIT_FAILED
            }
        };
        if status != 0 {
            std::process::exit(status);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{err, parse_as, parse_ok};

    #[test]
    fn run_help_and_mistakes() {
        let o = parse_as::<VmCmd>("-n pod1 vm run --tap t0 -- qemu -m 64");
        let opts = o.0.unwrap();
        assert_eq!(
            (opts.taps, opts.command),
            (
                vec!["t0".into()],
                vec!["qemu".into(), "-m".into(), "64".into()]
            )
        );
        // A mistake after `run` is vm run's own failure (125), not a usage error.
        assert!(parse_as::<VmCmd>("vm run --bogus").0.is_err());
        for line in ["vm help", "vm -h", "vm help extra", "help vm"] {
            assert_eq!(parse_ok(line), Command::Help(TOPIC), "{line}");
        }
        assert_eq!(
            err("vm frob"),
            "Command \"frob\" is unknown, try \"netplumb vm help\"."
        );
        assert_eq!(err("vm"), HELP.trim_end());
        // `v` stays ip's `vrf`.
        assert!(err("v show").contains("\"vrf\" is not supported"));
    }
}
