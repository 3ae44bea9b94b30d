//! tun/tap ioctls on a `/dev/net/tun` file descriptor (`<linux/if_tun.h>`), each wrapped in a
//! safe function over a `BorrowedFd`. Errors are the raw `io::Error`; `crate::tun` adds context.

use super::ret;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

/// `struct ifreq` as the tun ioctls use it: the name and `ifr_flags`. Padded to at least the
/// size of the C `struct ifreq`, because the kernel copies that many bytes in and back out.
#[repr(C)]
struct TunIfreq {
    name: [u8; libc::IFNAMSIZ],
    flags: libc::c_short,
    _pad: [u8; 22],
}

const _: () = assert!(size_of::<TunIfreq>() >= size_of::<libc::ifreq>());

impl TunIfreq {
    /// A request for `name` (empty: the kernel picks `tunN`/`tapN`) with `flags`.
    fn new(name: &str, flags: libc::c_int) -> io::Result<Self> {
        let mut ifr = TunIfreq {
            name: [0; libc::IFNAMSIZ],
            // ifr_flags is a C short: IFF_TUN_EXCL (0x8000) deliberately lands on the sign bit.
            flags: flags as u16 as libc::c_short,
            _pad: [0; 22],
        };
        let bytes = name.as_bytes();
        if bytes.len() >= libc::IFNAMSIZ || bytes.contains(&0) {
            return Err(io::Error::from(io::ErrorKind::InvalidInput));
        }
        ifr.name
            .get_mut(..bytes.len())
            .ok_or(io::ErrorKind::InvalidInput)?
            .copy_from_slice(bytes);
        Ok(ifr)
    }

    /// The name the kernel wrote back (up to the first NUL) and the flags, without sign
    /// extension.
    fn into_parts(self) -> (String, libc::c_int) {
        let end = self
            .name
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(self.name.len());
        let name = String::from_utf8_lossy(self.name.get(..end).unwrap_or_default()).into_owned();
        (name, libc::c_int::from(self.flags as u16))
    }
}

/// `ret` for the ioctls, whose value is unused.
fn check(r: libc::c_int) -> io::Result<()> {
    ret(r).map(drop)
}

/// An ioctl whose argument is a pointer to a `TunIfreq`, read and written back by the kernel.
fn ioctl_ifreq(fd: BorrowedFd<'_>, request: libc::Ioctl, ifr: &mut TunIfreq) -> io::Result<()> {
    // SAFETY: `fd` is a live descriptor for the duration of the borrow; `ifr` is a valid,
    // exclusively borrowed buffer at least as large as `struct ifreq`, which is all the tun
    // driver reads or writes for these requests.
    check(unsafe { libc::ioctl(fd.as_raw_fd(), request, ifr as *mut TunIfreq) })
}

/// An ioctl whose argument is an integer passed by value (`TUNSETPERSIST`, `TUNSETOWNER`,
/// `TUNSETGROUP`).
fn ioctl_value(fd: BorrowedFd<'_>, request: libc::Ioctl, value: libc::c_ulong) -> io::Result<()> {
    // SAFETY: `fd` is live for the borrow; the driver uses the argument as a plain integer and
    // never dereferences it.
    check(unsafe { libc::ioctl(fd.as_raw_fd(), request, value) })
}

/// `TUNSETIFF`: attach the fd to device `name` (created if missing) with `flags`. Returns the
/// device's actual name, which the kernel fills in when `name` is empty or a `%d` template.
pub(crate) fn set_iff(fd: BorrowedFd<'_>, name: &str, flags: libc::c_int) -> io::Result<String> {
    let mut ifr = TunIfreq::new(name, flags)?;
    ioctl_ifreq(fd, libc::TUNSETIFF, &mut ifr)?;
    Ok(ifr.into_parts().0)
}

/// `TUNGETIFF`: the attached device's name and `IFF_*` flags (including `IFF_PERSIST`).
pub(crate) fn get_iff(fd: BorrowedFd<'_>) -> io::Result<(String, libc::c_int)> {
    let mut ifr = TunIfreq::new("", 0)?;
    ioctl_ifreq(fd, libc::TUNGETIFF, &mut ifr)?;
    Ok(ifr.into_parts())
}

/// `TUNSETQUEUE` with `IFF_ATTACH_QUEUE` or `IFF_DETACH_QUEUE` (multi-queue devices only).
pub(crate) fn set_queue(fd: BorrowedFd<'_>, enabled: bool) -> io::Result<()> {
    let flags = if enabled {
        libc::IFF_ATTACH_QUEUE
    } else {
        libc::IFF_DETACH_QUEUE
    };
    let mut ifr = TunIfreq::new("", flags)?;
    ioctl_ifreq(fd, libc::TUNSETQUEUE, &mut ifr)
}

/// `TUNSETPERSIST`: keep the device after its last fd closes (or not).
pub(crate) fn set_persist(fd: BorrowedFd<'_>, persist: bool) -> io::Result<()> {
    ioctl_value(fd, libc::TUNSETPERSIST, libc::c_ulong::from(persist))
}

/// `TUNSETOWNER`: the uid allowed to attach without `CAP_NET_ADMIN`.
pub(crate) fn set_owner(fd: BorrowedFd<'_>, uid: u32) -> io::Result<()> {
    ioctl_value(fd, libc::TUNSETOWNER, libc::c_ulong::from(uid))
}

/// `TUNSETGROUP`: the gid allowed to attach without `CAP_NET_ADMIN`.
pub(crate) fn set_group(fd: BorrowedFd<'_>, gid: u32) -> io::Result<()> {
    ioctl_value(fd, libc::TUNSETGROUP, libc::c_ulong::from(gid))
}

/// `TUNSETVNETHDRSZ`: the size of the virtio-net header in front of each packet.
pub(crate) fn set_vnet_hdr_size(fd: BorrowedFd<'_>, size: libc::c_int) -> io::Result<()> {
    // SAFETY: `fd` is live for the borrow; the driver reads one `int` through the pointer,
    // which points at a local that outlives the call.
    check(unsafe {
        libc::ioctl(
            fd.as_raw_fd(),
            libc::TUNSETVNETHDRSZ,
            &size as *const libc::c_int,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ifreq_round_trips_name_and_high_flag_bits() {
        let ifr = TunIfreq::new("tap0", libc::IFF_TAP | libc::IFF_TUN_EXCL).unwrap();
        assert_eq!(
            ifr.into_parts(),
            ("tap0".to_string(), libc::IFF_TAP | libc::IFF_TUN_EXCL)
        );
        assert!(TunIfreq::new("0123456789abcdef", 0).is_err());
        assert!(TunIfreq::new("a\0b", 0).is_err());
        let full = TunIfreq::new("0123456789abcde", 0).unwrap();
        assert_eq!(full.into_parts().0, "0123456789abcde");
    }
}
