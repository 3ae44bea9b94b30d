//! virtlet's VM-side networking: how a VM runs inside a pod whose network a CNI plugin made.
//!
//! # The seed's names
//! Mirantis/virtlet `pkg/nettools` at b50b92bb. Helpers that are one existing call map to
//! that call.
//!
//! | seed | netplumb |
//! |---|---|
//! | `SetupContainerSideNetwork(info)` | [`ContainerSideNetwork::setup`]`(ns, &SetupOptions)` ([`SetupOptions::interfaces`] is `info`) |
//! | `(*ContainerSideNetwork).Teardown()` | [`ContainerSideNetwork::teardown`] |
//! | `ContainerSideNetwork{Result, TapFile, HardwareAddr}` | [`ContainerSideNetwork`]: one [`VmInterface`] per pod interface ([`VmInterface::info`], [`VmInterface::tap`], [`VmInterface::original_mac`]) |
//! | `FindVeth()` | [`find_veth`] |
//! | `ExtractLinkInfo(link)` | [`extract_link_info`] |
//! | `StripLink(link)` | [`strip_link`] (returns the [`LinkConfig`] it removed) |
//! | `ConfigureLink(link, info)` | [`configure_link`] |
//! | `SetupBridge(name, links)` | [`setup_bridge`] |
//! | `TeardownBridge(bridge, links)` | [`teardown_bridge`] |
//! | `CreateEscapeVethPair(innerNS, ifName, mtu)` | [`create_escape_veth_pair`] |
//! | `OpenTAP(devName)` | [`Tun::attach`]`(name, Mode::Tap)` inside the pod's namespace ([`NetNs::run`]) |
//! | `GenerateMacAddress()` | [`MacAddr::random_with_prefix`]`(&`[`VM_MAC_PREFIX`]`)` |
//! | `Route{Destination, Via}` | [`PodRoute`] `{dst, gw}` |
//! | `InterfaceInfo{IPNet, Routes}` | [`PodInterfaceInfo`] (with gateway, MTU and MAC) |
//! | `ContainerNetwork{Info, DhcpNS}` | none: unused in the seed; the CNI result belongs to the CNI runtime, which converts it into [`PodInterfaceInfo`] (`netplumb::cni::CniResult::pod_interface_info`, feature `cni`) |
//! | the ebtables rules of setup and teardown | [`DhcpFilter`] in the bridge family, a step of setup (see [below](#the-dhcp-filter)) |
//! | `SizeOfIfReq`, `IFNAMSIZ` | none public: the `ifreq` layout is private to the tun ioctls; [`crate::ifname::MAX_IFNAME_LEN`] is `IFNAMSIZ - 1` |
//!
//! # How it works
//! The CNI plugin gave the pod's namespace a veth with the pod's address and routes. The VM
//! must own that address instead, so the VM side moves it: it reads the configuration off
//! the veth, strips it, gives the veth a random MAC, and joins the veth and a new tap in a
//! bridge. The VM's interface (behind the tap) then uses the veth's original MAC and the
//! pod's address, gateway and routes, which the VM learns from DHCP or, with
//! `netplumb vm run`, from its environment. From the pod network's side nothing changed:
//! the same MAC answers for the same address.
//!
//! ```no_run
//! use netplumb::NetNs;
//! use netplumb::container::vm::{ContainerSideNetwork, SetupOptions};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let pod = NetNs::open_name("pod1")?;
//! let mut net = ContainerSideNetwork::setup(&pod, &SetupOptions::new())?;
//! let eth0 = &mut net.interfaces_mut()[0];
//! println!("VM: mac {} ip {} gw {:?}", eth0.mac(), eth0.info.address, eth0.info.gateway);
//! let tap = eth0.take_tap().unwrap(); // hand it to the hypervisor
//! # drop(tap);
//! // ... when the VM is gone:
//! net.teardown()?;
//! # Ok(()) }
//! ```
//!
//! # Where netplumb differs from the seed, and why
//! - **Setup rolls back.** A failing step of [`ContainerSideNetwork::setup`] undoes every
//!   earlier one, in reverse order, through the crate's undo log ([`crate::undo`]; the seed
//!   had no rollback and left half a setup behind). [`SetupOptions::faults`] lets tests
//!   fail every step.
//! - **Teardown is complete and honest.** Every step is attempted and every error returned
//!   (the seed returned success when ebtables failed and skipped the rest, still at its
//!   HEAD); running it twice succeeds; and it restores the veth's addresses and routes
//!   **exactly** as [`strip_link`] found them (broadcast, label, scope, metric, protocol,
//!   source...), where the seed re-added them from the CNI result with `ConfigureLink`. The
//!   taps' descriptors are closed (the seed kept them open until 2f57aeae).
//! - **The default route keeps its gateway** in [`extract_link_info`] (the seed added
//!   `0.0.0.0/0` without one until 2f57aeae, so `ConfigureLink` installed a device-only
//!   default route).
//! - **Taps honour their names.** The seed's `OpenTAP` ignored its argument and always used
//!   `tap0`; netplumb names taps `tapN` or as [`SetupOptions::tap`] says, and the descriptor
//!   is closed on every error (the seed leaked it when the ioctl failed).
//! - **Random MACs come from the kernel's CSPRNG** (`/dev/urandom`); the seed drew them from
//!   an unseeded `math/rand`, so every process produced the same sequence of MACs.
//! - **Several interfaces**, `tapN`/`brN` per pod interface, as later virtlet versions do
//!   (PR #508); each bridge gets [`DHCP_SERVER_ADDRESS`] (a DHCP server binds to each bridge).
//! - **The veth's MAC changes while it is up** (veths allow it), where the seed set it down
//!   and up again, which drops its IPv6 addresses.
//! - **`lo` goes back down** on teardown if setup brought it up.
//! - **No thread switching for the caller**: everything goes through a [`Handle`] on the
//!   pod's namespace; the taps are made and opened on a throwaway thread in it
//!   ([`NetNs::run`]). The seed had to be called from inside the namespace.
//! - [`configure_link`] can run twice (`NLM_F_REPLACE`; the seed failed with `EEXIST`), and
//!   a route without a gateway gets scope link as `ip` gives it (the seed: universe).
//! - [`setup_bridge`] releases the ports before deleting the bridge on failure, and its error
//!   names the step (the seed's reported the wrong variable).
//! - [`create_escape_veth_pair`] creates the inner end straight in the inner namespace in the
//!   same request (the seed created the pair inside and moved one end out), and deletes the
//!   pair if a later step fails.
//!
//! # The DHCP filter
//! The seed adds two ebtables rules so that DHCP never reaches the CNI network
//! (`-A OUTPUT -p IPV4 --ip-protocol UDP --ip-source-port 67 --out-if VETH -j DROP`: the
//! answers of the DHCP server on the bridge; `-A FORWARD ... --ip-destination-port 67 ...`:
//! the VM's requests). netplumb does the same in the kernel's bridge family over netlink
//! (no `ebtables` or `nft` binary), one nf_tables transaction per interface making the table
//! `netplumb-vm-brN` in the pod's namespace ([`DhcpFilter`] with
//! [`DhcpFilter::local_server`]), as `nft list table bridge netplumb-vm-br0` prints it:
//!
//! ```text
//! table bridge netplumb-vm-br0 {
//!     chain forward {
//!         type filter hook forward priority filter; policy accept;
//!         iifname "tap0" oifname "eth0" ether type ip udp dport 67-68 drop
//!         iifname "eth0" oifname "tap0" ether type ip udp dport 67-68 drop
//!     }
//!     chain output {
//!         type filter hook output priority filter; policy accept;
//!         oifname "eth0" ether type ip udp sport 67 drop
//!     }
//! }
//! ```
//!
//! It is stricter than the seed in one way: DHCP is also dropped from the pod network to
//! the VM (a DHCP server on the CNI network must not answer the VM, whose configuration
//! comes from the pod's), and both client and server ports (67 and 68) are covered.
//! Teardown deletes the table first, as the seed deletes its rules first; a teardown that
//! finds it gone already is not an error.
//!
//! [`DhcpFilter`]: crate::nft::ops::DhcpFilter
//! [`DhcpFilter::local_server`]: crate::nft::ops::DhcpFilter::local_server
//! [`Tun::attach`]: crate::tun::Tun::attach
//! [`NetNs::run`]: crate::NetNs::run
//! [`MacAddr::random_with_prefix`]: crate::MacAddr::random_with_prefix
//! [`Handle`]: crate::Handle

mod bridge;
mod change;
mod error;
mod escape;
mod info;
mod link;
mod setup;

pub use bridge::{setup_bridge, teardown_bridge};
pub use error::{VmError, VmStep};
pub use escape::create_escape_veth_pair;
pub use info::{PodInterfaceInfo, PodRoute};
pub use link::{LinkConfig, configure_link, extract_link_info, find_veth, strip_link};
pub use setup::{ContainerSideNetwork, SetupOptions, VmInterface};

/// The first three octets of the random MACs the VM side gives the pod's veths: `02:65:02`
/// (locally administered, unicast), as virtlet (and rkt before it) uses.
pub const VM_MAC_PREFIX: [u8; 3] = [0x02, 0x65, 0x02];

/// The address each bridge gets, for a DHCP server that answers the VM: `169.254.254.2/24`,
/// link-local, as in the seed.
pub const DHCP_SERVER_ADDRESS: &str = "169.254.254.2/24";
