//! tun/tap devices through `/dev/net/tun`.
//!
//! The kernel refuses to create tun/tap devices over rtnetlink, so they are made the way
//! `ip tuntap` makes them: open `/dev/net/tun`, attach the fd to a device name with the
//! `TUNSETIFF` ioctl (which creates the device if the name is free), optionally set
//! `TUNSETOWNER`/`TUNSETGROUP`/`TUNSETPERSIST`. A device that is not persistent lives exactly as
//! long as the fds attached to it.
//!
//! | netplumb | iproute2 |
//! |---|---|
//! | `TunBuilder::new("t0").mode(Mode::Tap).create_persistent()` | `ip tuntap add t0 mode tap` |
//! | `TunBuilder::new("t0").packet_info(true)...` | `... pi` |
//! | `.vnet_hdr(true)`, `.multi_queue(true)`, `.owner(u)`, `.group(g)` | `vnet_hdr`, `multi_queue`, `user U`, `group G` |
//! | [`delete_persistent`]`("t0")` | `ip tuntap del t0 mode tap` |
//!
//! **Namespaces.** The kernel records the network namespace of the thread that opens
//! `/dev/net/tun`, and `TUNSETIFF` creates or finds the device there. Every function here acts
//! in the calling thread's current network namespace; to work in another one, call it inside
//! that namespace's pinned thread (`NetNs::run(|| ...)`). The returned fds keep working from
//! any thread afterwards.
//!
//! No fd outlives a failed call: every fd is owned from the moment it is opened.

use crate::sys::tun as sys;
use crate::{Error, Result};
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

const DEV_NET_TUN: &str = "/dev/net/tun";

/// Layer of a tun/tap device.
///
/// ```no_run
/// use netplumb::tun::{Mode, TunBuilder};
/// // `ip tuntap add tap0 mode tap`
/// let name = TunBuilder::new("tap0").mode(Mode::Tap).create_persistent()?;
/// assert_eq!(name, "tap0");
/// # Ok::<(), netplumb::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Layer 3: IP packets (`IFF_TUN`, `mode tun`).
    Tun,
    /// Layer 2: Ethernet frames (`IFF_TAP`, `mode tap`).
    Tap,
}

impl Mode {
    fn flag(self) -> libc::c_int {
        match self {
            Mode::Tun => libc::IFF_TUN,
            Mode::Tap => libc::IFF_TAP,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Mode::Tun => "tun",
            Mode::Tap => "tap",
        }
    }
}

fn open_dev() -> Result<File> {
    // std opens with O_CLOEXEC.
    File::options()
        .read(true)
        .write(true)
        .open(DEV_NET_TUN)
        .map_err(|e| Error::io(format!("open {DEV_NET_TUN}"), e))
}

/// The ifindex of `name` in the calling thread's namespace; `NotFound` if there is none.
fn ifindex(name: &str) -> Result<u32> {
    match nix::net::if_::if_nametoindex(name) {
        Ok(i) => Ok(i),
        Err(nix::errno::Errno::ENODEV) => Err(Error::NotFound {
            what: "link",
            name: name.into(),
        }),
        Err(e) => Err(Error::io(format!("if_nametoindex {name}"), e.into())),
    }
}

/// Options for creating or attaching to a tun/tap device. Defaults: [`Mode::Tun`], no packet
/// information header (`IFF_NO_PI`, as `ip tuntap` without `pi`), one queue, not persistent.
///
/// ```no_run
/// use netplumb::tun::{Mode, TunBuilder};
/// // A tap with two queues and virtio-net headers, deleted when `tap` is dropped.
/// let tap = TunBuilder::new("vmtap0").mode(Mode::Tap).vnet_hdr(true).queues(2).open()?;
/// assert_eq!(tap.queue_count(), 2);
/// # Ok::<(), netplumb::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct TunBuilder {
    name: String,
    mode: Mode,
    packet_info: bool,
    vnet_hdr: bool,
    multi_queue: bool,
    one_queue: bool,
    queues: usize,
    owner: Option<u32>,
    group: Option<u32>,
    persistent: bool,
}

impl TunBuilder {
    /// Options for device `name`; an empty name lets the kernel pick `tunN` or `tapN` (a name
    /// with `%d`, like `tap%d`, is a template the kernel fills in).
    pub fn new(name: impl Into<String>) -> Self {
        TunBuilder {
            name: name.into(),
            mode: Mode::Tun,
            packet_info: false,
            vnet_hdr: false,
            multi_queue: false,
            one_queue: false,
            queues: 1,
            owner: None,
            group: None,
            persistent: false,
        }
    }

    /// tun (layer 3) or tap (layer 2).
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// Prefix each packet with the 4-byte `struct tun_pi` (clears `IFF_NO_PI`; `ip tuntap ... pi`).
    #[doc(alias = "IFF_NO_PI")]
    pub fn packet_info(mut self, on: bool) -> Self {
        self.packet_info = on;
        self
    }

    /// Prefix each packet with a virtio-net header (`IFF_VNET_HDR`; `vnet_hdr`).
    #[doc(alias = "IFF_VNET_HDR")]
    pub fn vnet_hdr(mut self, on: bool) -> Self {
        self.vnet_hdr = on;
        self
    }

    /// Allow several queues (`IFF_MULTI_QUEUE`; `multi_queue`).
    #[doc(alias = "IFF_MULTI_QUEUE")]
    pub fn multi_queue(mut self, on: bool) -> Self {
        self.multi_queue = on;
        self
    }

    /// Open `n` queue fds attached to the same device; `n > 1` implies
    /// [`multi_queue`](Self::multi_queue). `n == 0` is refused when opening.
    pub fn queues(mut self, n: usize) -> Self {
        self.queues = n;
        if n > 1 {
            self.multi_queue = true;
        }
        self
    }

    /// The uid that may attach without `CAP_NET_ADMIN` (`TUNSETOWNER`; `user UID`).
    #[doc(alias = "TUNSETOWNER")]
    pub fn owner(mut self, uid: u32) -> Self {
        self.owner = Some(uid);
        self
    }

    /// The gid that may attach without `CAP_NET_ADMIN` (`TUNSETGROUP`; `group GID`).
    #[doc(alias = "TUNSETGROUP")]
    pub fn group(mut self, gid: u32) -> Self {
        self.group = Some(gid);
        self
    }

    /// Keep the device after the last fd closes (`TUNSETPERSIST 1`, done last so that a failed
    /// open leaves nothing behind).
    #[doc(alias = "TUNSETPERSIST")]
    pub fn persistent(mut self, on: bool) -> Self {
        self.persistent = on;
        self
    }

    fn flags(&self) -> libc::c_int {
        let mut f = self.mode.flag();
        if !self.packet_info {
            f |= libc::IFF_NO_PI;
        }
        if self.vnet_hdr {
            f |= libc::IFF_VNET_HDR;
        }
        if self.multi_queue {
            f |= libc::IFF_MULTI_QUEUE;
        }
        if self.one_queue {
            f |= libc::IFF_ONE_QUEUE;
        }
        f
    }

    /// Creates a new device and returns its queue fd(s). The name must be free: the first
    /// `TUNSETIFF` carries `IFF_TUN_EXCL` like `ip tuntap add`, and an existing device of any
    /// kind gives an error with `EEXIST` ([`Error::is_exists`]). Unless
    /// [`persistent`](Self::persistent), the device disappears when the [`Tun`] is dropped.
    #[doc(alias("TUNSETIFF", "IFF_TUN_EXCL"))]
    pub fn open(&self) -> Result<Tun> {
        self.setup(true)
    }

    /// Attaches to an existing device (`TUNSETIFF` without `IFF_TUN_EXCL`). The mode and
    /// multi-queue setting must match the device's (else `EINVAL`), and a single-queue device
    /// must not be attached already (else `EBUSY`). As with any `TUNSETIFF`, the device's
    /// `IFF_NO_PI` and `IFF_VNET_HDR` become those of this request. A missing device is
    /// [`Error::NotFound`] (and is not created).
    #[doc(alias = "TUNSETIFF")]
    pub fn attach(&self) -> Result<Tun> {
        self.setup(false)
    }

    /// Creates a persistent device and closes its fd, like `ip tuntap add NAME mode MODE`.
    /// Returns the device's name (the kernel's choice when the name was empty).
    #[doc(alias("TUNSETIFF", "TUNSETPERSIST"))]
    pub fn create_persistent(&self) -> Result<String> {
        let tun = self.clone().persistent(true).open()?;
        Ok(tun.name)
    }

    fn setup(&self, create: bool) -> Result<Tun> {
        if !(create && self.name.is_empty()) {
            crate::ifname::validate(&self.name)?;
        }
        if self.queues == 0 {
            return Err(Error::invalid(
                "queue count",
                "0: at least one queue is needed",
            ));
        }
        let verb = if create { "create" } else { "attach" };
        let flags = self.flags();
        let index = if create {
            None
        } else {
            Some(ifindex(&self.name)?)
        };

        let file = open_dev()?;
        let first_flags = if create {
            flags | libc::IFF_TUN_EXCL
        } else {
            flags
        };
        let name = sys::set_iff(file.as_fd(), &self.name, first_flags).map_err(|e| {
            let op = format!("TUNSETIFF {} ({verb} {})", self.name, self.mode.name());
            match e.raw_os_error() {
                // With IFF_TUN_EXCL, EBUSY means exactly "a device with this name exists".
                Some(libc::EBUSY) if create => {
                    Error::io(op, io::Error::from_raw_os_error(libc::EEXIST))
                }
                _ => Error::io(op, e),
            }
        })?;
        let mut tun = Tun {
            name,
            mode: self.mode,
            file,
            extra: Vec::new(),
        };
        // If the device vanished between the lookup and TUNSETIFF, the ioctl created a fresh
        // one with a new index; dropping `tun` deletes it again.
        if let Some(index) = index
            && ifindex(&tun.name).ok() != Some(index)
        {
            return Err(Error::NotFound {
                what: "link",
                name: tun.name,
            });
        }
        for q in 1..self.queues {
            let f = open_dev()?;
            sys::set_iff(f.as_fd(), &tun.name, flags)
                .map_err(|e| Error::io(format!("TUNSETIFF {} (queue {q})", tun.name), e))?;
            tun.extra.push(f);
        }
        let fd = tun.file.as_fd();
        if let Some(uid) = self.owner {
            sys::set_owner(fd, uid)
                .map_err(|e| Error::io(format!("TUNSETOWNER {}", tun.name), e))?;
        }
        if let Some(gid) = self.group {
            sys::set_group(fd, gid)
                .map_err(|e| Error::io(format!("TUNSETGROUP {}", tun.name), e))?;
        }
        if self.persistent {
            tun.set_persistent(true)?;
        }
        Ok(tun)
    }
}

/// What `TUNGETIFF` reports about an attached device. (Whether packets carry `struct tun_pi`
/// is not among them: in the reply, bit 0x1000 means `IFF_NOFILTER`, not `IFF_NO_PI`.)
///
/// ```no_run
/// use netplumb::tun::{Mode, TunBuilder};
/// let tap = TunBuilder::new("tap1").mode(Mode::Tap).open()?;
/// let info = tap.info()?; // TUNGETIFF
/// assert_eq!((info.mode, info.persistent), (Mode::Tap, false));
/// # Ok::<(), netplumb::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TunInfo {
    /// The device's name.
    pub name: String,
    /// tun or tap.
    pub mode: Mode,
    /// Packets carry a virtio-net header (`IFF_VNET_HDR`).
    pub vnet_hdr: bool,
    /// `IFF_MULTI_QUEUE`.
    pub multi_queue: bool,
    /// `IFF_PERSIST`: the device outlives its fds.
    pub persistent: bool,
}

/// An open tun/tap device: one fd per queue. Reading and writing ([`Read`], [`Write`]) go
/// through the first queue, one packet per call. Dropping it closes the fds, which deletes
/// the device unless it is persistent.
///
/// ```no_run
/// use netplumb::tun::{Mode, TunBuilder};
/// use std::io::Write;
/// let mut tap = TunBuilder::new("tap2").mode(Mode::Tap).open()?;
/// // One Ethernet frame per write (the device must be up for the kernel to take it).
/// let frame = [0xffu8; 60];
/// let _ = tap.write(&frame);
/// # Ok::<(), netplumb::Error>(())
/// ```
#[derive(Debug)]
pub struct Tun {
    name: String,
    mode: Mode,
    file: File,
    extra: Vec<File>,
}

impl Tun {
    /// Attaches to an existing device with `IFF_NO_PI | IFF_ONE_QUEUE` and `mode`'s flag, as VM
    /// runtimes do to hand a persistent tap to a hypervisor. A missing device is
    /// [`Error::NotFound`]. See [`TunBuilder::attach`] for more control.
    #[doc(alias = "TUNSETIFF")]
    pub fn attach(name: &str, mode: Mode) -> Result<Tun> {
        let mut b = TunBuilder::new(name).mode(mode);
        b.one_queue = true;
        b.attach()
    }

    /// The device's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// tun or tap.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Number of queue fds held.
    pub fn queue_count(&self) -> usize {
        1 + self.extra.len()
    }

    /// The fds of all queues, the first one first.
    pub fn queue_fds(&self) -> Vec<BorrowedFd<'_>> {
        std::iter::once(&self.file)
            .chain(&self.extra)
            .map(AsFd::as_fd)
            .collect()
    }

    /// The first queue's fd, closing the others.
    pub fn into_fd(self) -> OwnedFd {
        self.file.into()
    }

    /// All queue fds, the first one first.
    pub fn into_fds(self) -> Vec<OwnedFd> {
        std::iter::once(self.file)
            .chain(self.extra)
            .map(OwnedFd::from)
            .collect()
    }

    /// The device's name and flags (`TUNGETIFF`).
    #[doc(alias = "TUNGETIFF")]
    pub fn info(&self) -> Result<TunInfo> {
        let (name, f) = sys::get_iff(self.file.as_fd())
            .map_err(|e| Error::io(format!("TUNGETIFF {}", self.name), e))?;
        Ok(TunInfo {
            name,
            mode: if f & libc::IFF_TAP != 0 {
                Mode::Tap
            } else {
                Mode::Tun
            },
            vnet_hdr: f & libc::IFF_VNET_HDR != 0,
            multi_queue: f & libc::IFF_MULTI_QUEUE != 0,
            persistent: f & libc::IFF_PERSIST != 0,
        })
    }

    /// Keeps the device after the fds close, or not (`TUNSETPERSIST`).
    #[doc(alias = "TUNSETPERSIST")]
    pub fn set_persistent(&self, on: bool) -> Result<()> {
        sys::set_persist(self.file.as_fd(), on)
            .map_err(|e| Error::io(format!("TUNSETPERSIST {} {}", self.name, u8::from(on)), e))
    }

    /// Sets `O_NONBLOCK` on every queue fd (reads then fail with `WouldBlock` when empty).
    #[doc(alias = "O_NONBLOCK")]
    pub fn set_nonblocking(&self, on: bool) -> Result<()> {
        use nix::fcntl::{FcntlArg, OFlag, fcntl};
        for fd in self.queue_fds() {
            let op = || format!("fcntl O_NONBLOCK {}", self.name);
            let mut fl = OFlag::from_bits_retain(
                fcntl(fd, FcntlArg::F_GETFL).map_err(|e| Error::io(op(), e.into()))?,
            );
            fl.set(OFlag::O_NONBLOCK, on);
            fcntl(fd, FcntlArg::F_SETFL(fl)).map_err(|e| Error::io(op(), e.into()))?;
        }
        Ok(())
    }

    /// Sets the virtio-net header size on every queue (`TUNSETVNETHDRSZ`; 10 or 12 for
    /// virtio-net; meaningful with [`TunBuilder::vnet_hdr`]).
    #[doc(alias = "TUNSETVNETHDRSZ")]
    pub fn set_vnet_hdr_size(&self, size: i32) -> Result<()> {
        for fd in self.queue_fds() {
            sys::set_vnet_hdr_size(fd, size)
                .map_err(|e| Error::io(format!("TUNSETVNETHDRSZ {} {size}", self.name), e))?;
        }
        Ok(())
    }

    /// Enables or disables queue `index` of a multi-queue device (`TUNSETQUEUE` with
    /// `IFF_ATTACH_QUEUE`/`IFF_DETACH_QUEUE`); a disabled queue receives no packets.
    #[doc(alias("TUNSETQUEUE", "IFF_ATTACH_QUEUE", "IFF_DETACH_QUEUE"))]
    pub fn set_queue_enabled(&self, index: usize, on: bool) -> Result<()> {
        let fd = self.queue_fds().get(index).copied().ok_or_else(|| {
            Error::invalid("queue index", format!("{index} of {}", self.queue_count()))
        })?;
        sys::set_queue(fd, on)
            .map_err(|e| Error::io(format!("TUNSETQUEUE {} {index}", self.name), e))
    }
}

impl AsFd for Tun {
    /// The first queue's fd.
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.file.as_fd()
    }
}

impl Read for Tun {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.file.read(buf)
    }
}

impl Write for Tun {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Deletes a persistent tun/tap device, like `ip tuntap del NAME mode MODE` (any mode): attaches
/// with `TUNSETIFF` (trying tap, tun, and their multi-queue forms, since a mismatch is
/// `EINVAL`), clears `TUNSETPERSIST` and closes the fd, which removes the device.
///
/// A missing device is [`Error::NotFound`]; a device that is not tun/tap, or not persistent,
/// is [`Error::InvalidInput`]; one held open by a single-queue user gives `EBUSY`.
#[doc(alias("TUNSETIFF", "TUNSETPERSIST"))]
pub fn delete_persistent(name: &str) -> Result<()> {
    crate::ifname::validate(name)?;
    let index = ifindex(name)?;
    let file = open_dev()?;
    let fd = file.as_fd();
    let mut attached = false;
    let (tap, tun, mq) = (libc::IFF_TAP, libc::IFF_TUN, libc::IFF_MULTI_QUEUE);
    for flags in [tap, tun, tap | mq, tun | mq] {
        match sys::set_iff(fd, name, flags | libc::IFF_NO_PI) {
            Ok(_) => {
                attached = true;
                break;
            }
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => {}
            Err(e) => return Err(Error::io(format!("TUNSETIFF {name} (attach to delete)"), e)),
        }
    }
    if !attached {
        return Err(Error::invalid(
            "tun device",
            format!("{name} is not a tun/tap device"),
        ));
    }
    // A device recreated under our feet would be ours, non-persistent and gone on close.
    if ifindex(name).ok() != Some(index) {
        return Err(Error::NotFound {
            what: "link",
            name: name.into(),
        });
    }
    let (_, flags) = sys::get_iff(fd).map_err(|e| Error::io(format!("TUNGETIFF {name}"), e))?;
    if flags & libc::IFF_PERSIST == 0 {
        return Err(Error::invalid(
            "tun device",
            format!("{name} is not persistent"),
        ));
    }
    sys::set_persist(fd, false).map_err(|e| Error::io(format!("TUNSETPERSIST {name} 0"), e))
    // `file` closes here: the last fd of a non-persistent device, so the kernel deletes it.
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_follow_ip_tuntap_defaults() {
        let b = TunBuilder::new("t").mode(Mode::Tap);
        assert_eq!(b.flags(), libc::IFF_TAP | libc::IFF_NO_PI);
        let b = b.packet_info(true).vnet_hdr(true).queues(2);
        assert_eq!(
            b.flags(),
            libc::IFF_TAP | libc::IFF_VNET_HDR | libc::IFF_MULTI_QUEUE
        );
    }
}
