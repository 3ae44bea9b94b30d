//! [`ContainerSideNetwork`]: the pod side of a VM's network, set up and torn down.

use super::bridge::{bridge_steps, rolled_back};
use super::change::{Change, record};
use super::error::{VmError, VmStep, at};
use super::info::PodInterfaceInfo;
use super::link::{LinkConfig, extract_link_info, veths};
use super::{DHCP_SERVER_ADDRESS, VM_MAC_PREFIX};
use crate::addr::AddrSpec;
use crate::handle::Handle;
use crate::link::Link;
use crate::mac::MacAddr;
use crate::netns::NetNs;
use crate::nft::Nft;
use crate::nft::ops::{self, DhcpFilter, TableOp};
use crate::tun::{Mode, Tun, TunBuilder};
use crate::undo::{FaultPlan, StepHandle, Undo};
use std::fs::File;
use std::sync::Arc;

/// What [`ContainerSideNetwork::setup`] works from: the pod's interfaces (or none, to find
/// and read them), the names of the taps and bridges, and fault injection for tests.
///
/// ```
/// use netplumb::container::vm::SetupOptions;
/// let opts = SetupOptions::new().tap("vmtap0").bridge("vmbr0");
/// ```
#[derive(Debug, Clone, Default)]
pub struct SetupOptions {
    interfaces: Option<Vec<PodInterfaceInfo>>,
    taps: Vec<String>,
    bridges: Vec<String>,
    faults: Option<FaultPlan>,
    stop_at_fault: bool,
}

impl SetupOptions {
    /// Every veth of the pod's namespace, read from the links, with taps `tap0`, `tap1`...
    /// and bridges `br0`, `br1`...
    pub fn new() -> Self {
        Self::default()
    }

    /// The pod's interfaces as the CNI runtime reported them, in order (the seed's `info`).
    /// An entry without routes is read from its link instead, as the seed does for plugins
    /// that report none (Weave).
    #[must_use]
    pub fn interfaces(mut self, interfaces: Vec<PodInterfaceInfo>) -> Self {
        self.interfaces = Some(interfaces);
        self
    }

    /// The name of the next interface's tap (the first call names the first interface's);
    /// interfaces without one get `tapN`. The seed's `OpenTAP` ignored the name it was given
    /// and always used `tap0`.
    #[must_use]
    pub fn tap(mut self, name: impl Into<String>) -> Self {
        self.taps.push(name.into());
        self
    }

    /// The name of the next interface's bridge; interfaces without one get `brN`.
    #[must_use]
    pub fn bridge(mut self, name: impl Into<String>) -> Self {
        self.bridges.push(name.into());
        self
    }

    /// Fault injection for tests: `plan` is consulted before every request setup sends (it
    /// is set on setup's handle, and stays there for the teardown's requests) and before its
    /// other steps (making and opening taps), and before each step of its rollback and of
    /// the teardown (it is the plan of the undo log the network keeps); the step it fails
    /// makes setup roll back. [`FaultPlan::never`] counts the steps.
    #[must_use]
    pub fn faults(mut self, plan: FaultPlan) -> Self {
        self.faults = Some(plan);
        self
    }

    /// For tests of [`ContainerSideNetwork::teardown`]: a fault injected by
    /// [`SetupOptions::faults`] ends setup where it is, without rolling back, and setup
    /// returns what it did so far, as if it had been interrupted there (the taps of a
    /// partial setup are not opened).
    #[must_use]
    pub fn stop_at_fault(mut self) -> Self {
        self.stop_at_fault = true;
        self
    }

    fn tap_name(&self, i: usize) -> String {
        self.taps
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("tap{i}"))
    }

    fn bridge_name(&self, i: usize) -> String {
        self.bridges
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("br{i}"))
    }
}

/// One pod interface handed over to a VM.
#[derive(Debug)]
pub struct VmInterface {
    /// The interface's configuration, for the VM: address, gateway, routes, MTU (always
    /// set) and the MAC the VM's interface gets (always set: the veth's original MAC unless
    /// the caller gave another).
    pub info: PodInterfaceInfo,
    /// The pod's link (the CNI veth), now a port of [`VmInterface::bridge`].
    pub veth: String,
    /// The veth's MAC before setup gave it a random one (the seed's `HardwareAddr`);
    /// teardown puts it back.
    pub original_mac: MacAddr,
    /// The tap's name.
    pub tap_name: String,
    /// The bridge's name.
    pub bridge: String,
    /// The nf_tables table (bridge family, in the pod's namespace) of the DHCP filter
    /// between the tap and the veth: `netplumb-vm-BRIDGE`.
    pub dhcp_filter: String,
    tap: Option<File>,
}

impl VmInterface {
    /// The MAC the VM's interface must use.
    pub fn mac(&self) -> MacAddr {
        self.info.mac.unwrap_or(self.original_mac)
    }

    /// The MTU the VM's interface must use.
    pub fn mtu(&self) -> u32 {
        self.info.mtu.unwrap_or(1500)
    }

    /// The open tap (`IFF_TAP | IFF_NO_PI | IFF_ONE_QUEUE`), for the VM: one Ethernet frame
    /// per read or write. `None` once taken, after teardown, or in a partial setup.
    ///
    /// Opening the tap gives it carrier, and the bridge forwards through it once the kernel
    /// has processed that (its link watch runs within about a second): a VM's first frames
    /// may be dropped, as on any link that just came up, and its stack retries.
    pub fn tap(&self) -> Option<&File> {
        self.tap.as_ref()
    }

    /// Takes the tap's descriptor, e.g. to hand it to a hypervisor.
    pub fn take_tap(&mut self) -> Option<File> {
        self.tap.take()
    }
}

/// The pod side of a VM's network (the seed's `ContainerSideNetwork`): each pod interface's
/// address moved off its veth and onto a VM that sits behind a tap, with the veth and the
/// tap joined by a bridge.
///
/// Made by [`ContainerSideNetwork::setup`], undone by [`ContainerSideNetwork::teardown`].
/// Dropping it undoes nothing (the links stay, and the taps stay until deleted): call
/// `teardown`.
#[derive(Debug)]
pub struct ContainerSideNetwork {
    handle: Arc<Handle>,
    interfaces: Vec<VmInterface>,
    /// What setup changed, one step per change, first first: what teardown reverts (and,
    /// after a teardown that failed, what it must still revert).
    undo: Undo<'static>,
}

impl ContainerSideNetwork {
    /// Sets up the pod's namespace `ns` for a VM (the seed's `SetupContainerSideNetwork`),
    /// from the calling thread, which never changes namespace (netlink goes through a
    /// [`Handle`] on `ns`; the taps are made and opened on a throwaway thread in `ns`).
    ///
    /// For each pod interface `N` (every veth, by index, unless
    /// [`SetupOptions::interfaces`] names them), in the seed's order:
    /// 1. read the interface's configuration from the veth unless it was given
    ///    ([`extract_link_info`](super::extract_link_info));
    /// 2. keep the veth's MAC for the VM and give the veth a random `02:65:02:xx:xx:xx`
    ///    (`ip link set VETH address ...`, while it stays up: veths allow it, so its IPv6
    ///    addresses survive);
    /// 3. strip its IPv4 routes and addresses ([`strip_link`](super::strip_link));
    /// 4. create the persistent tap `tapN` (`ip tuntap add tapN mode tap`), set its MTU to
    ///    the veth's and set it up;
    /// 5. make the bridge `brN` of the veth and the tap
    ///    ([`setup_bridge`](super::setup_bridge)) and give it
    ///    [`DHCP_SERVER_ADDRESS`](super::DHCP_SERVER_ADDRESS);
    /// 6. add the DHCP filter in the bridge family ([`DhcpFilter`] between the tap and the
    ///    veth, with the bridge's own DHCP server kept off the veth: one nf_tables
    ///    transaction making the table `netplumb-vm-brN`, see the module docs);
    ///
    /// then set `lo` up (if it was down) and open each tap.
    ///
    /// Each change is recorded in the crate's undo log as it is made (kept in the returned
    /// value for the teardown); if any step fails, every change made before it is undone,
    /// in reverse order.
    ///
    /// # Errors
    /// [`VmError::NoVeth`] when there is nothing to set up; the failed step otherwise (with
    /// the cleanup errors in its source, [`crate::Error::RolledBack`], if undoing failed
    /// too).
    pub fn setup(ns: &NetNs, opts: &SetupOptions) -> Result<ContainerSideNetwork, VmError> {
        let handle = Handle::in_netns(ns).map_err(at(VmStep::Socket, "the pod namespace"))?;
        let handle = Arc::new(handle);
        handle.set_fault_plan(opts.faults.clone());
        let nft = Nft::in_netns(ns).map_err(at(VmStep::Socket, "the pod namespace"))?;
        let nft = Arc::new(nft);
        nft.set_fault_plan(opts.faults.clone());
        let mut undo = Undo::new();
        undo.set_faults(opts.faults.clone());
        let mut interfaces = Vec::new();
        let h = StepHandle::Shared(Arc::clone(&handle));
        match setup_steps(&h, &nft, ns, opts, &mut undo, &mut interfaces) {
            Ok(()) => {}
            Err(e) if opts.stop_at_fault && e.is_injected() => {}
            Err(e) => return Err(rolled_back(&mut undo, e)),
        }
        Ok(ContainerSideNetwork {
            handle,
            interfaces,
            undo,
        })
    }

    /// The interfaces handed to the VM, in order.
    pub fn interfaces(&self) -> &[VmInterface] {
        &self.interfaces
    }

    /// The interfaces, to take their taps.
    pub fn interfaces_mut(&mut self) -> &mut [VmInterface] {
        &mut self.interfaces
    }

    /// The handle on the pod's namespace.
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Whether every interface's DHCP filter is in place (each one's table is
    /// [`VmInterface::dhcp_filter`]): true after setup, false once
    /// [`ContainerSideNetwork::teardown`] has removed a filter, and false for a partial
    /// setup ([`SetupOptions::stop_at_fault`]) that stopped before any interface was
    /// complete.
    pub fn dhcp_filtered(&self) -> bool {
        let filters = self
            .undo
            .steps()
            .filter(|s| s.starts_with(DHCP_FILTER_STEP))
            .count();
        !self.interfaces.is_empty() && filters == self.interfaces.len()
    }

    /// Undoes setup (the seed's `Teardown`): closes the taps this value still holds, then
    /// undoes every change in reverse order: `lo` down again if setup set it up, the
    /// bridge's address deleted, the veth and the tap released from the bridge, the bridge
    /// and the tap deleted, the veth's IPv4 addresses and routes put back exactly as they
    /// were, its MAC restored. Afterwards the namespace has the same links, MACs, addresses
    /// and routes as before setup.
    ///
    /// The crate's undo log, kept since setup, runs the steps: every step is attempted even
    /// when an earlier one fails (the seed returned success when ebtables failed and skipped
    /// the rest), and what is already undone is not an error. A step that failed stays in
    /// the log, so calling `teardown` again retries only what failed; a second call after a
    /// successful one does nothing.
    ///
    /// # Errors
    /// [`crate::Error::Teardown`] with every step that failed.
    pub fn teardown(&mut self) -> crate::Result<()> {
        for i in &mut self.interfaces {
            i.tap = None;
        }
        self.undo.teardown()
    }
}

/// How the undo step that removes a DHCP filter's table begins.
const DHCP_FILTER_STEP: &str = "delete the nf_tables table";

/// The veths to set up and their configuration.
fn plan(h: &Handle, opts: &SetupOptions) -> Result<Vec<(Link, PodInterfaceInfo)>, VmError> {
    match &opts.interfaces {
        None => {
            let v = veths(h)?;
            if v.is_empty() {
                return Err(VmError::NoVeth);
            }
            v.into_iter()
                .map(|l| Ok((extract_link_info(h, l.index)?, l)))
                .map(|r| r.map(|(info, l)| (l, info)))
                .collect()
        }
        Some(list) if list.is_empty() => Err(VmError::NoVeth),
        Some(list) => list
            .iter()
            .map(|given| {
                let l = h
                    .link_get(&given.link)
                    .map_err(at(VmStep::ReadLinks, &given.link))?;
                let info = if given.routes.is_empty() {
                    let found = extract_link_info(h, l.index)?;
                    PodInterfaceInfo {
                        mtu: given.mtu.or(found.mtu),
                        mac: given.mac.or(found.mac),
                        ..found
                    }
                } else {
                    given.clone()
                };
                Ok((l, info))
            })
            .collect(),
    }
}

fn setup_steps<'a>(
    h: &StepHandle<'a>,
    nft: &Arc<Nft>,
    ns: &NetNs,
    opts: &SetupOptions,
    undo: &mut Undo<'a>,
    out: &mut Vec<VmInterface>,
) -> Result<(), VmError> {
    // Everything that can be refused is checked before the first change.
    let plans = plan(h, opts)?;
    for (i, (veth, _)) in plans.iter().enumerate() {
        for name in [opts.tap_name(i), opts.bridge_name(i)] {
            crate::ifname::validate(&name).map_err(VmError::Invalid)?;
        }
        if veth.address.is_none() {
            return Err(VmError::Invalid(crate::Error::invalid(
                "pod link",
                format!("{} has no Ethernet address", veth.name),
            )));
        }
    }
    for (i, (veth, info)) in plans.into_iter().enumerate() {
        let (tap, bridge) = (opts.tap_name(i), opts.bridge_name(i));
        out.push(interface_steps(h, nft, ns, undo, veth, info, tap, bridge)?);
    }
    let lo = h.link_get("lo").map_err(at(VmStep::ReadLinks, "lo"))?;
    if !lo.is_up() {
        h.link_up(lo.index).map_err(at(VmStep::Up, "lo"))?;
        record(
            undo,
            h,
            Change::Up {
                index: lo.index,
                name: lo.name,
            },
        );
    }
    for iface in out.iter_mut() {
        let name = iface.tap_name.clone();
        undo.check(&format!("open tap {name}"))
            .and_then(|()| ns.run(|| Tun::attach(&name, Mode::Tap))?)
            .map(|tap| iface.tap = Some(File::from(tap.into_fd())))
            .map_err(at(VmStep::OpenTap, &name))?;
    }
    Ok(())
}

// One parameter per thing an interface's setup works from; a struct would only rename them.
#[allow(clippy::too_many_arguments)]
fn interface_steps<'a>(
    h: &StepHandle<'a>,
    nft: &Arc<Nft>,
    ns: &NetNs,
    undo: &mut Undo<'a>,
    veth: Link,
    mut info: PodInterfaceInfo,
    tap: String,
    bridge: String,
) -> Result<VmInterface, VmError> {
    let original_mac = veth.address.unwrap_or_default(); // checked by setup_steps
    let mtu = info.mtu.or(veth.mtu).unwrap_or(1500);
    info.mtu = Some(mtu);
    info.mac = Some(info.mac.unwrap_or(original_mac));

    let random = MacAddr::random_with_prefix(&VM_MAC_PREFIX).map_err(VmError::Invalid)?;
    h.link_set_address(veth.index, random)
        .map_err(at(VmStep::SetMac, &veth.name))?;
    record(
        undo,
        h,
        Change::Mac {
            index: veth.index,
            name: veth.name.clone(),
            mac: original_mac,
        },
    );

    // Recorded first: putting back what is already there is harmless, and a strip that
    // fails half-way is then undone too.
    let config = LinkConfig::read(h, veth.index)?;
    record(undo, h, Change::Stripped(config.clone()));
    config.remove(h)?;

    undo.check(&format!("create tap {tap}"))
        .and_then(|()| ns.run(|| TunBuilder::new(&tap).mode(Mode::Tap).create_persistent())?)
        .map_err(at(VmStep::CreateTap, &tap))?;
    record(
        undo,
        h,
        Change::Link {
            name: tap.clone(),
            kind: "tun",
        },
    );
    let tap_index = h
        .link_index(tap.as_str())
        .map_err(at(VmStep::ReadLinks, &tap))?;
    h.link_set_mtu(tap_index, mtu)
        .map_err(at(VmStep::SetMtu, &tap))?;
    h.link_up(tap_index).map_err(at(VmStep::Up, &tap))?;

    let br = bridge_steps(h, undo, &bridge, &[veth.index.into(), tap_index.into()])?;
    let address = DHCP_SERVER_ADDRESS.parse().map_err(VmError::Invalid)?;
    h.addr_add(br.index, &AddrSpec::new(address))
        .map_err(at(VmStep::AddAddress, &bridge))?;
    record(
        undo,
        h,
        Change::Address {
            index: br.index,
            name: bridge.clone(),
            address,
        },
    );
    // No DHCP between the VM and the pod network, either way, and none from the bridge's
    // own DHCP server out of the veth.
    let dhcp_filter = format!("netplumb-vm-{bridge}");
    let filter = DhcpFilter::new(tap.as_str(), veth.name.as_str()).local_server(veth.name.as_str());
    filter
        .apply(nft, &dhcp_filter)
        .map_err(at(VmStep::DhcpFilter, &veth.name))?;
    let table = filter.table(&dhcp_filter);
    let owner = Arc::clone(nft);
    undo.push(format!("{DHCP_FILTER_STEP} {table}"), move || {
        ops::remove(&owner, &table)
    });

    Ok(VmInterface {
        info,
        veth: veth.name,
        original_mac,
        tap_name: tap,
        bridge,
        dhcp_filter,
        tap: None,
    })
}
