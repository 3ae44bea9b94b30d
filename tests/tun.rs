//! Kernel tests for `netplumb::tun`. Each test does all its work on a dedicated thread moved
//! into a brand-new network namespace (`unshare(CLONE_NEWNET)` affects only that thread); the
//! namespace disappears with the thread and its fds. `ip` runs as a child of that thread, so it
//! sees the same namespace. The host namespace is never touched.

mod common;
use common::{ip_here, open_fds};
use netplumb::tun::{self, Mode, Tun, TunBuilder};
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::process::Command;
use std::sync::Mutex;

/// Serialises the tests of this binary so that the fd-count test sees no other test's fds.
static SERIAL: Mutex<()> = Mutex::new(());

/// [`common::in_new_netns`], one test at a time.
fn in_new_netns<T: Send + 'static>(
    test: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    common::in_new_netns(test, f)
}

/// `ip -j -d link show dev NAME` in the calling thread's namespace; `None` if there is no such
/// link.
fn link_json(name: &str) -> Option<String> {
    let out = Command::new("ip")
        .args(["-j", "-d", "link", "show", "dev", name])
        .output()
        .unwrap();
    out.status
        .success()
        .then(|| String::from_utf8(out.stdout).unwrap())
}

#[track_caller]
fn assert_has(json: &str, fields: &[&str]) {
    for f in fields {
        assert!(json.contains(f), "{f} not in {json}");
    }
}

#[test]
fn tap_lives_as_long_as_its_fd() {
    in_new_netns("tap_lives_as_long_as_its_fd", || {
        let tap = TunBuilder::new("np-tap0").mode(Mode::Tap).open().unwrap();
        assert_eq!(tap.name(), "np-tap0");
        let json = link_json("np-tap0").expect("tap exists while its fd is open");
        assert_has(
            &json,
            &[
                r#""info_kind":"tun""#,
                r#""type":"tap""#,
                r#""pi":false"#,
                r#""vnet_hdr":false"#,
                r#""multi_queue":false"#,
                r#""persist":false"#,
            ],
        );
        let info = tap.info().unwrap();
        assert_eq!((info.name.as_str(), info.mode), ("np-tap0", Mode::Tap));
        assert!(!info.vnet_hdr && !info.persistent && !info.multi_queue);
        drop(tap);
        assert!(
            link_json("np-tap0").is_none(),
            "tap must disappear with its fd"
        );
    });
}

#[test]
fn tun_with_packet_info_and_vnet_hdr() {
    in_new_netns("tun_with_packet_info_and_vnet_hdr", || {
        let tun = TunBuilder::new("np-tun0")
            .packet_info(true)
            .vnet_hdr(true)
            .open()
            .unwrap();
        let json = link_json("np-tun0").unwrap();
        assert_has(
            &json,
            &[r#""type":"tun""#, r#""pi":true"#, r#""vnet_hdr":true"#],
        );
        tun.set_vnet_hdr_size(12).unwrap();
        assert!(tun.info().unwrap().vnet_hdr);
    });
}

#[test]
fn kernel_picks_a_name_when_empty() {
    in_new_netns("kernel_picks_a_name_when_empty", || {
        let tap = TunBuilder::new("").mode(Mode::Tap).open().unwrap();
        assert!(tap.name().starts_with("tap"), "{}", tap.name());
        assert!(link_json(tap.name()).is_some());
        let t = TunBuilder::new("np%d").open().unwrap();
        assert_eq!(t.name(), "np0");
    });
}

#[test]
fn persistent_tap_created_then_deleted() {
    in_new_netns("persistent_tap_created_then_deleted", || {
        let name = TunBuilder::new("np-ptap")
            .mode(Mode::Tap)
            .create_persistent()
            .unwrap();
        assert_eq!(name, "np-ptap");
        assert_has(
            &link_json(&name).unwrap(),
            &[r#""type":"tap""#, r#""persist":true"#],
        );
        // Creating it again is EEXIST, like `ip tuntap add` on an existing name.
        let again = TunBuilder::new("np-ptap")
            .mode(Mode::Tap)
            .create_persistent()
            .unwrap_err();
        assert!(again.is_exists(), "{again}");
        tun::delete_persistent(&name).unwrap();
        assert!(link_json(&name).is_none());
        let gone = tun::delete_persistent(&name).unwrap_err();
        assert!(matches!(gone, netplumb::Error::NotFound { .. }), "{gone}");
        assert!(
            link_json(&name).is_none(),
            "deleting a missing device must not create one"
        );

        // Devices made by iproute2, in any mode, multi-queue too, go the same way.
        ip_here(&[
            "tuntap",
            "add",
            "np-ipt",
            "mode",
            "tun",
            "multi_queue",
            "pi",
        ]);
        tun::delete_persistent("np-ipt").unwrap();
        assert!(link_json("np-ipt").is_none());

        // A non-tun link and a non-persistent tap are refused and left alone.
        ip_here(&[
            "link", "add", "np-v0", "type", "veth", "peer", "name", "np-v1",
        ]);
        assert!(tun::delete_persistent("np-v0").unwrap_err().is_invalid());
        assert!(link_json("np-v0").is_some());
        let tap = TunBuilder::new("np-tmp")
            .mode(Mode::Tap)
            .multi_queue(true)
            .open()
            .unwrap();
        assert!(tun::delete_persistent("np-tmp").unwrap_err().is_invalid());
        assert!(link_json(tap.name()).is_some());
    });
}

#[test]
fn owner_and_group_are_set() {
    in_new_netns("owner_and_group_are_set", || {
        let (uid, gid) = (54321, 54322);
        let _tap = TunBuilder::new("np-own")
            .mode(Mode::Tap)
            .owner(uid)
            .group(gid)
            .open()
            .unwrap();
        let json = link_json("np-own").unwrap();
        // iproute2 prints the user/group name when one exists, else the number.
        let user = nix::unistd::User::from_uid(uid.into()).unwrap();
        let group = nix::unistd::Group::from_gid(gid.into()).unwrap();
        let user = user.map_or(format!(r#""user":{uid}"#), |u| {
            format!(r#""user":"{}""#, u.name)
        });
        let group = group.map_or(format!(r#""group":{gid}"#), |g| {
            format!(r#""group":"{}""#, g.name)
        });
        assert_has(&json, &[&user, &group]);
    });
}

#[test]
fn multi_queue_with_two_queues() {
    in_new_netns("multi_queue_with_two_queues", || {
        let tap = TunBuilder::new("np-mq")
            .mode(Mode::Tap)
            .queues(2)
            .open()
            .unwrap();
        assert_eq!(tap.queue_count(), 2);
        let fds: Vec<_> = tap.queue_fds().iter().map(|f| f.as_raw_fd()).collect();
        assert_ne!(fds[0], fds[1]);
        assert_has(&link_json("np-mq").unwrap(), &[r#""multi_queue":true"#]);
        assert!(tap.info().unwrap().multi_queue);
        tap.set_queue_enabled(1, false).unwrap();
        tap.set_queue_enabled(1, true).unwrap();
        assert!(tap.set_queue_enabled(2, true).unwrap_err().is_invalid());
        // A third queue can attach; a single-queue attach is refused (EINVAL).
        let third = TunBuilder::new("np-mq")
            .mode(Mode::Tap)
            .multi_queue(true)
            .attach()
            .unwrap();
        assert_eq!(
            Tun::attach("np-mq", Mode::Tap).unwrap_err().errno(),
            Some(libc::EINVAL)
        );
        drop(tap);
        assert!(
            link_json("np-mq").is_some(),
            "the third queue still holds the device"
        );
        drop(third);
        assert!(link_json("np-mq").is_none());
        assert!(
            TunBuilder::new("np-mq")
                .queues(0)
                .open()
                .unwrap_err()
                .is_invalid()
        );
    });
}

#[test]
fn attach_to_persistent_tap_and_write_a_frame() {
    in_new_netns("attach_to_persistent_tap_and_write_a_frame", || {
        ip_here(&["tuntap", "add", "np-vm", "mode", "tap"]);
        let mut tap = Tun::attach("np-vm", Mode::Tap).unwrap();
        assert_eq!(tap.mode(), Mode::Tap);
        // Nothing is queued while the link is down: a non-blocking read would block.
        tap.set_nonblocking(true).unwrap();
        let mut buf = [0u8; 2048];
        assert_eq!(
            tap.read(&mut buf).unwrap_err().kind(),
            std::io::ErrorKind::WouldBlock
        );
        // A single-queue device takes one fd only.
        assert!(Tun::attach("np-vm", Mode::Tap).unwrap_err().is_busy());
        assert_eq!(
            Tun::attach("np-vm", Mode::Tun).unwrap_err().errno(),
            Some(libc::EINVAL)
        );

        ip_here(&["link", "set", "dev", "np-vm", "up"]);
        // A broadcast ARP request from 02:00:00:00:00:01 (198.18.0.1 asks for 198.18.0.2).
        let mut frame = vec![0xff; 6];
        frame.extend([0x02, 0, 0, 0, 0, 1, 0x08, 0x06]);
        frame.extend([
            0, 1, 0x08, 0, 6, 4, 0, 1, 0x02, 0, 0, 0, 0, 1, 198, 18, 0, 1,
        ]);
        frame.extend([0, 0, 0, 0, 0, 0, 198, 18, 0, 2]);
        frame.resize(60, 0);
        assert_eq!(tap.write(&frame).unwrap(), 60);
        drop(tap);
        assert!(
            link_json("np-vm").is_some(),
            "a persistent tap survives its fd"
        );
        tun::delete_persistent("np-vm").unwrap();
        assert!(link_json("np-vm").is_none());
    });
}

#[test]
fn attaching_to_a_missing_device_fails_without_creating_it() {
    in_new_netns(
        "attaching_to_a_missing_device_fails_without_creating_it",
        || {
            let e = Tun::attach("np-none", Mode::Tap).unwrap_err();
            assert!(
                matches!(e, netplumb::Error::NotFound { what: "link", .. }),
                "{e}"
            );
            assert!(link_json("np-none").is_none());
        },
    );
}

#[test]
fn invalid_names_are_refused_before_any_syscall() {
    in_new_netns("invalid_names_are_refused_before_any_syscall", || {
        let before = open_fds();
        for bad in [
            "0123456789abcdef",
            "a/b",
            "a b",
            "tab\there",
            "a:0",
            ".",
            "..",
            "x\0",
        ] {
            let b = TunBuilder::new(bad).mode(Mode::Tap);
            for e in [
                b.open().unwrap_err(),
                b.attach().unwrap_err(),
                b.create_persistent().unwrap_err(),
                Tun::attach(bad, Mode::Tun).unwrap_err(),
                tun::delete_persistent(bad).unwrap_err(),
            ] {
                assert!(
                    matches!(e, netplumb::Error::InvalidInput { .. }),
                    "{bad:?}: {e}"
                );
            }
        }
        assert!(tun::delete_persistent("").unwrap_err().is_invalid());
        assert!(Tun::attach("", Mode::Tap).unwrap_err().is_invalid());
        assert_eq!(open_fds(), before);
    });
}

#[test]
fn no_fd_leaks_over_1000_cycles_including_errors() {
    in_new_netns("no_fd_leaks_over_1000_cycles_including_errors", || {
        let _busy = TunBuilder::new("np-busy").open().unwrap(); // a single-queue tun
        ip_here(&[
            "link", "add", "np-v0", "type", "veth", "peer", "name", "np-v1",
        ]);
        let before = open_fds();
        for i in 0..1000 {
            let tap = TunBuilder::new("np-cyc").mode(Mode::Tap).open().unwrap();
            drop(tap);
            // Error paths after /dev/net/tun was opened: the name is taken (EEXIST) or the
            // existing device is a tun, not a tap (EINVAL), or a veth.
            let taken = TunBuilder::new("np-busy")
                .mode(Mode::Tap)
                .open()
                .unwrap_err();
            assert!(taken.is_exists(), "{taken}");
            let wrong_mode = Tun::attach("np-busy", Mode::Tap).unwrap_err();
            assert_eq!(wrong_mode.errno(), Some(libc::EINVAL), "{wrong_mode}");
            if i % 10 == 0 {
                assert!(
                    TunBuilder::new("np-v0")
                        .mode(Mode::Tap)
                        .open()
                        .unwrap_err()
                        .is_exists()
                );
                assert!(tun::delete_persistent("np-v0").unwrap_err().is_invalid());
                let mq = TunBuilder::new("np-busy").queues(2).attach().unwrap_err();
                assert_eq!(mq.errno(), Some(libc::EINVAL), "{mq}");
            }
        }
        assert_eq!(open_fds(), before, "fds leaked");
        assert!(link_json("np-cyc").is_none());
    });
}
