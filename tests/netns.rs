//! Namespace guards against the real kernel. Every test works in namespaces it created.

mod common;

use common::*;
use netplumb::wire::NlmsgFlags;
use netplumb::wire::nlmsg::RTM_NEWLINK;
use netplumb::{Error, Handle, NetNs};
use std::os::unix::fs::MetadataExt;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

/// The descriptor-leak test counts this process's descriptors, so it runs alone: it takes
/// the lock for writing, every other test for reading.
static FD_COUNT: RwLock<()> = RwLock::new(());

fn shared() -> RwLockReadGuard<'static, ()> {
    FD_COUNT.read().unwrap_or_else(|e| e.into_inner())
}

fn exclusive() -> RwLockWriteGuard<'static, ()> {
    FD_COUNT.write().unwrap_or_else(|e| e.into_inner())
}

const CREATE_EXCL: NlmsgFlags = NlmsgFlags::CREATE.union(NlmsgFlags::EXCL);

fn thread_ns_inode() -> u64 {
    std::fs::metadata("/proc/thread-self/ns/net").unwrap().ino()
}

#[test]
fn run_executes_inside_the_target_and_leaves_the_caller_alone() {
    let _g = shared();
    let Some(ns) = anonymous_ns("run_executes_inside_the_target_and_leaves_the_caller_alone")
    else {
        return;
    };
    let caller = NetNs::current().unwrap();
    let main = NetNs::from_pid(std::process::id()).unwrap();
    assert_ne!(caller, ns);

    let (inode, current) = ns
        .run(|| (thread_ns_inode(), NetNs::current().unwrap()))
        .unwrap();
    assert_eq!(inode, ns.inode());
    assert_eq!(current, ns);

    assert_eq!(NetNs::current().unwrap(), caller);
    assert_eq!(thread_ns_inode(), caller.inode());
    assert_eq!(NetNs::from_pid(std::process::id()).unwrap(), main);
}

#[test]
fn panic_in_run_is_an_error_and_the_next_run_works() {
    let _g = shared();
    let Some(ns) = anonymous_ns("panic_in_run_is_an_error_and_the_next_run_works") else {
        return;
    };
    let caller = NetNs::current().unwrap();
    let r: netplumb::Result<()> = ns.run(|| panic!("deliberate panic in namespace"));
    match r {
        Err(Error::Panicked(m)) => assert_eq!(m, "deliberate panic in namespace"),
        other => panic!("expected Panicked, got {other:?}"),
    }
    assert_eq!(NetNs::current().unwrap(), caller);
    assert_eq!(ns.run(thread_ns_inode).unwrap(), ns.inode());
}

#[test]
fn bad_paths_are_rejected_before_setns() {
    let _g = shared();
    // No privilege needed: nothing here enters a namespace.
    let file = std::env::temp_dir().join(format!("netplumb-not-a-ns-{}", std::process::id()));
    std::fs::write(&file, b"not a namespace").unwrap();
    let e = NetNs::open(&file).unwrap_err();
    std::fs::remove_file(&file).unwrap();
    assert!(matches!(e, Error::InvalidInput { .. }), "{e}");
    assert!(e.to_string().contains("not a namespace file"), "{e}");

    let e = NetNs::open("/proc").unwrap_err();
    assert!(matches!(e, Error::InvalidInput { .. }), "{e}");
    // A namespace, but not a network one.
    let e = NetNs::open("/proc/thread-self/ns/mnt").unwrap_err();
    assert!(matches!(e, Error::InvalidInput { .. }), "{e}");

    let e = NetNs::open("/run/netns/netplumb-surely-missing").unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
    assert!(e.is_not_found());
    let e = NetNs::open_name("netplumb-surely-missing").unwrap_err();
    assert!(
        matches!(&e, Error::NotFound { name, .. } if name == "netplumb-surely-missing"),
        "{e}"
    );
    assert!(NetNs::open_name("../etc").unwrap_err().is_invalid());
}

#[test]
fn handle_sees_only_its_namespace_from_any_thread() {
    let _g = shared();
    let Some(t) = TestNs::new("handle_sees_only_its_namespace_from_any_thread") else {
        return;
    };
    t.ip(&["link", "add", "hx0", "type", "veth", "peer", "hx1"]);
    let expected = t.ip_link_names();
    assert_eq!(expected, ["hx0", "hx1", "lo"]);
    let h = t.handle();
    let other = anonymous_ns("handle_sees_only_its_namespace_from_any_thread").unwrap();
    let elsewhere = Handle::in_netns(&other).unwrap();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                assert_eq!(dump_link_names(&h).unwrap(), expected);
                assert_eq!(dump_link_names(&elsewhere).unwrap(), ["lo"]);
            });
        }
    });
    // Requests from this thread act on the handle's namespace, not this thread's.
    h.request(RTM_NEWLINK, CREATE_EXCL, &veth("hy0", "hy1")[..])
        .unwrap();
    assert_eq!(t.ip_link_names(), ["hx0", "hx1", "hy0", "hy1", "lo"]);
    assert_eq!(dump_link_names(&elsewhere).unwrap(), ["lo"]);
}

#[test]
fn many_threads_each_in_their_own_namespace() {
    let _g = shared();
    if !require_privilege("many_threads_each_in_their_own_namespace") {
        return;
    }
    let here = NetNs::current().unwrap();
    let spaces: Vec<(usize, NetNs)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..32)
            .map(|i| {
                s.spawn(move || {
                    let ns = NetNs::new_anonymous().unwrap();
                    let h = Handle::in_netns(&ns).unwrap();
                    h.request(
                        RTM_NEWLINK,
                        CREATE_EXCL,
                        &veth(&format!("t{i}a"), &format!("t{i}b"))[..],
                    )
                    .unwrap();
                    (i, ns)
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    for (i, ns) in &spaces {
        // Looked at from inside, through a socket made there.
        let names = ns
            .run(|| dump_link_names(&Handle::new().unwrap()).unwrap())
            .unwrap();
        let mut want = vec![format!("t{i}a"), format!("t{i}b"), "lo".to_string()];
        want.sort();
        assert_eq!(names, want, "namespace of thread {i}");
    }
    assert_eq!(NetNs::current().unwrap(), here);
}

#[test]
fn ten_thousand_runs_leak_no_descriptor() {
    let _g = exclusive();
    let Some(ns) = anonymous_ns("ten_thousand_runs_leak_no_descriptor") else {
        return;
    };
    // Warm up anything lazily opened.
    ns.run(|| ()).unwrap();
    let before = open_fds();
    for i in 0..10_000 {
        assert_eq!(ns.run(move || i).unwrap(), i);
    }
    for _ in 0..200 {
        drop(Handle::in_netns(&ns).unwrap());
    }
    let _ = ns.run(|| panic!("one panicking run"));
    assert_eq!(open_fds(), before);
}

#[test]
fn add_list_delete_named_namespaces() {
    let _g = shared();
    if !require_privilege("add_list_delete_named_namespaces") {
        return;
    }
    let name = unique_name();
    let ns = NetNs::add(&name).unwrap();
    let cleanup = scopeguard(&name);
    assert!(NetNs::list().unwrap().contains(&name));
    let listed = std::process::Command::new("ip")
        .args(["netns", "list"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&listed.stdout).contains(&name));
    assert_eq!(NetNs::open_name(&name).unwrap(), ns);
    assert_ne!(ns, NetNs::current().unwrap());

    // The name is taken; the existing namespace is left alone.
    let e = NetNs::add(&name).unwrap_err();
    assert!(e.is_exists(), "{e}");
    assert_eq!(NetNs::open_name(&name).unwrap(), ns);

    NetNs::delete(&name).unwrap();
    std::mem::forget(cleanup);
    assert!(!NetNs::list().unwrap().contains(&name));
    assert!(!std::path::Path::new("/run/netns").join(&name).exists());
    assert!(NetNs::open_name(&name).unwrap_err().is_not_found());
    assert!(matches!(NetNs::delete(&name), Err(Error::NotFound { .. })));
    // The namespace itself lives on while a descriptor holds it.
    assert_eq!(ns.run(thread_ns_inode).unwrap(), ns.inode());
}

/// Deletes the named namespace if the test fails half-way.
fn scopeguard(name: &str) -> impl Drop + '_ {
    struct Guard<'a>(&'a str);
    impl Drop for Guard<'_> {
        fn drop(&mut self) {
            let _ = NetNs::delete(self.0);
        }
    }
    Guard(name)
}

#[test]
fn enter_guard_switches_back_on_drop() {
    let _g = shared();
    let Some(ns) = anonymous_ns("enter_guard_switches_back_on_drop") else {
        return;
    };
    let other = NetNs::new_anonymous().unwrap();
    // On a thread of our own, never libtest's.
    std::thread::spawn(move || {
        let start = NetNs::current().unwrap();
        {
            let g = ns.enter().unwrap();
            assert_eq!(g.previous(), &start);
            assert_eq!(NetNs::current().unwrap(), ns);
            {
                let _inner = other.enter().unwrap();
                assert_eq!(NetNs::current().unwrap(), other);
                // A netlink socket made here belongs to `other`.
                assert_eq!(dump_link_names(&Handle::new().unwrap()).unwrap(), ["lo"]);
            }
            assert_eq!(NetNs::current().unwrap(), ns);
        }
        assert_eq!(NetNs::current().unwrap(), start);
    })
    .join()
    .unwrap();
}

/// A guard that cannot switch back must not let its thread go on in the wrong namespace:
/// it aborts the process. Checked in a child process (this test binary re-run on this one
/// test) that enters a namespace and then gives up root, so that switching back fails.
#[test]
fn enter_guard_aborts_when_it_cannot_switch_back() {
    const CHILD: &str = "NETPLUMB_TEST_ABORT_CHILD";
    const NAME: &str = "enter_guard_aborts_when_it_cannot_switch_back";
    if std::env::var_os(CHILD).is_some() {
        let ns = NetNs::new_anonymous().unwrap();
        let guard = ns.enter().unwrap();
        // Dropping root clears the effective capabilities, so setns back will fail (EPERM).
        // The credential change also makes the process non-dumpable: no core file.
        let nobody = nix::unistd::Uid::from_raw(65534);
        nix::unistd::setresuid(nobody, nobody, nobody).unwrap();
        drop(guard);
        // Not reached if the guard did its job.
        println!("GUARD RETURNED");
        return;
    }
    let _g = shared();
    if !require_privilege(NAME) {
        return;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([NAME, "--exact", "--test-threads=1", "--nocapture"])
        .env(CHILD, "1")
        .output()
        .unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        out.status.signal(),
        Some(libc::SIGABRT),
        "child: {:?}\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("GUARD RETURNED"));
}
