//! `netplumb [-n NETNS] vm run [--tap NAME]... [--bridge NAME]... -- CMD [ARGS...]`: runs a
//! VM's launcher inside a pod's network namespace, what virtlet's vmwrapper does.
//!
//! [`run`] sets the pod's namespace up with `netplumb::container::vm`, starts CMD there with
//! the taps as descriptors 3, 4, ... and the VM's settings in its environment ([`env`]),
//! passes SIGINT and SIGTERM on to it ([`spawn`]), and tears everything down when CMD ends.
//! The exit status is CMD's (128 + N if it died of signal N), or that of `env` and
//! `nsenter` for their own failures: 125 when setup or teardown failed, 126 when CMD could
//! not be executed, 127 when it was not found.

mod args;
mod env;
mod run;
mod spawn;

/// Setup or teardown failed, or `vm run` was used wrongly (as `env`'s 125).
const EXIT_FAILED: i32 = 125;
/// CMD was found but could not be executed.
const EXIT_CANNOT_EXEC: i32 = 126;
/// CMD was not found.
const EXIT_NOT_FOUND: i32 = 127;
/// `netplumb vm` without a known subcommand: the CLI's usage error.
const EXIT_USAGE: i32 = 2;

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

Not done yet: the filter that keeps the VM's DHCP off the pod network (it needs the nft
module).
";

/// Whether `argv[command]` is `vm` (the command word after the global options).
pub fn is_vm(argv: &[String], command: usize) -> bool {
    argv.get(command).is_some_and(|c| c == "vm")
}

/// `netplumb [-n NETNS] vm ARGS...`, where `argv[command]` is `vm` and `netns` is
/// `-n NETNS`. Returns the exit status.
pub fn main(argv: &[String], command: usize, netns: &Option<String>) -> i32 {
    let args = argv.get(command + 1..).unwrap_or_default();
    let netns = netns.as_deref();
    match args.first().map(String::as_str) {
        Some("run") => match args::parse(args.get(1..).unwrap_or_default()) {
            Ok(opts) => run::run(&opts, netns),
            Err(e) => {
                eprintln!("netplumb vm run: {e}\nTry \"netplumb vm help\".");
                EXIT_FAILED
            }
        },
        Some("help" | "-h" | "--help" | "-help") => {
            print!("{HELP}");
            0
        }
        Some(other) => {
            eprintln!("Command \"{other}\" is unknown, try \"netplumb vm help\".");
            EXIT_USAGE
        }
        None => {
            eprint!("{HELP}");
            EXIT_USAGE
        }
    }
}
