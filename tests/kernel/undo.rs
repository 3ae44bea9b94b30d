//! Undo logs and fault plans against the real kernel: a multi-step helper failed at every
//! step leaves nothing behind; teardowns are complete and can run twice. Each test in a
//! namespace of its own.

use crate::common;

use common::*;
use netplumb::link::{LinkFilter, LinkSpec, link_del_request};
use netplumb::undo::{FaultPlan, Undo};
use netplumb::{Error, Handle, NetNs};
use std::sync::atomic::{AtomicBool, Ordering};

/// The specs of a small setup: a bridge and two veth pairs whose first ends are its ports
/// (the master given by name, so each veth costs a lookup too).
fn setup_specs() -> Vec<LinkSpec<'static>> {
    vec![
        LinkSpec::bridge("npbr0"),
        LinkSpec::veth("npva", "npvb").master("npbr0"),
        LinkSpec::veth("npvc", "npvd").master("npbr0"),
    ]
}

#[test]
fn link_add_all_failed_at_every_step_leaves_nothing_behind() {
    let Some(t) = TestNs::new("link_add_all_failed_at_every_step_leaves_nothing_behind") else {
        return;
    };
    let h = t.handle();
    let specs = setup_specs();

    // A dry run counts the steps: three creations, two lookups of the master.
    let plan = FaultPlan::never();
    h.set_fault_plan(Some(plan.clone()));
    h.link_add_all(&specs).unwrap();
    assert_eq!(
        plan.log(),
        [
            "RTM_NEWLINK",
            "RTM_GETLINK",
            "RTM_NEWLINK",
            "RTM_GETLINK",
            "RTM_NEWLINK"
        ]
    );
    assert_eq!(
        t.ip_link_names(),
        ["lo", "npbr0", "npva", "npvb", "npvc", "npvd"]
    );
    h.set_fault_plan(None);
    for dev in ["npva", "npvc", "npbr0"] {
        h.link_del(dev).unwrap();
    }

    for n in 0..plan.steps() {
        let at = FaultPlan::fail_at(n);
        h.set_fault_plan(Some(at.clone()));
        let e = h.link_add_all(&specs).unwrap_err();
        assert!(
            matches!(&e, Error::Injected { step, .. } if *step == n),
            "step {n}: {e:?}"
        );
        assert!(e.cleanup_errors().is_empty(), "step {n}: {e}");
        h.set_fault_plan(None);
        // Nothing is left behind, as `ip` sees it.
        assert_eq!(
            t.ip_link_names(),
            ["lo"],
            "fault at step {n}: {:?}",
            at.log()
        );
    }

    // An injected errno looks like the kernel's refusal: EEXIST on the last creation.
    h.set_fault_plan(Some(FaultPlan::fail_at(4).with_errno(libc::EEXIST)));
    let e = h.link_add_all(&specs).unwrap_err();
    assert!(e.is_exists(), "{e}");
    h.set_fault_plan(None);
    assert_eq!(t.ip_link_names(), ["lo"]);
}

#[test]
fn a_failed_rollback_reports_every_cleanup_error() {
    let Some(t) = TestNs::new("a_failed_rollback_reports_every_cleanup_error") else {
        return;
    };
    let h = t.handle();
    // Step 4 (the last creation) fails, and so does every step after it: the two deletions
    // of the rollback.
    h.set_fault_plan(Some(FaultPlan::fail_from(4)));
    let e = h.link_add_all(&setup_specs()).unwrap_err();
    h.set_fault_plan(None);
    assert!(e.is_injected(), "{e}");
    assert_eq!(e.cleanup_errors().len(), 2, "{e}");
    assert!(e.to_string().contains("rolling back failed too"), "{e}");
    // What the rollback could not delete is still there, as the error says.
    assert_eq!(t.ip_link_names(), ["lo", "npbr0", "npva", "npvb"]);
    // The teardown of the same steps removes it.
    let mut undo = Undo::new();
    for s in &setup_specs()[..2] {
        h.record_link_add(s, &mut undo).unwrap();
    }
    undo.teardown().unwrap();
    assert_eq!(t.ip_link_names(), ["lo"]);
}

#[test]
fn unique_names_are_retried_on_an_injected_eexist() {
    let Some(t) = TestNs::new("unique_names_are_retried_on_an_injected_eexist") else {
        return;
    };
    let h = t.handle();
    let plan = FaultPlan::fail_at(0).with_errno(libc::EEXIST);
    h.set_fault_plan(Some(plan.clone()));
    let mut i = 0;
    let made = h
        .link_add_unique_with(
            3,
            || {
                i += 1;
                Ok(format!("npu{i}"))
            },
            |name| Ok(LinkSpec::ifb(name)),
        )
        .unwrap();
    h.set_fault_plan(None);
    // The first name was refused before it reached the kernel; the second was made.
    assert_eq!(made.name(), "npu2");
    assert_eq!(plan.log(), ["RTM_NEWLINK", "RTM_NEWLINK"]);
    assert_eq!(t.ip_link_names(), ["lo", "npu2"]);

    // Recorded afterwards, it is torn down with the rest.
    let mut undo = Undo::new();
    h.record_link_add(&made, &mut undo).unwrap();
    undo.teardown().unwrap();
    assert_eq!(t.ip_link_names(), ["lo"]);
}

/// Records the undo steps of the setup in `teardown_is_complete_...`: a veth whose peer was
/// moved to `other`, an ifb created straight in `other`, and a closure step, as a container
/// layer would record closing a descriptor.
fn record<'a>(
    h: &'a Handle,
    other: &NetNs,
    closed: &'a AtomicBool,
    undo: &mut Undo<'a>,
) -> netplumb::Result<()> {
    undo.push("close the tap", || {
        closed.store(true, Ordering::Relaxed);
        Ok(())
    });
    h.record_link_add(&LinkSpec::veth("npw0", "npw1"), undo)?;
    h.record_link_add(&LinkSpec::ifb("npx0").netns(other), undo)
}

#[test]
fn teardown_is_complete_across_namespaces_and_runs_twice() {
    let Some(t) = TestNs::new("teardown_is_complete_across_namespaces_and_runs_twice") else {
        return;
    };
    let other = NetNs::new_anonymous().unwrap();
    let h = t.handle();
    let in_other = Handle::in_netns(&other).unwrap();
    let names_in_other = || -> Vec<String> {
        let mut v: Vec<String> = in_other
            .link_list(&LinkFilter::new())
            .unwrap()
            .into_iter()
            .map(|l| l.name)
            .collect();
        v.sort();
        v
    };

    let closed = AtomicBool::new(false);

    let mut undo = Undo::new();
    undo.run(|undo| {
        h.link_add(&LinkSpec::veth("npw0", "npw1"))?;
        h.link_set_netns("npw1", &other)?;
        h.link_add(&LinkSpec::ifb("npx0").netns(&other))?;
        record(&h, &other, &closed, undo)?;
        Ok(())
    })
    .unwrap();
    assert_eq!(
        undo.steps().collect::<Vec<_>>()[..2],
        ["close the tap", "RTM_DELLINK"]
    );
    assert!(
        undo.steps()
            .nth(2)
            .unwrap()
            .starts_with("RTM_DELLINK in namespace ")
    );
    assert_eq!(t.ip_link_names(), ["lo", "npw0"]);
    assert_eq!(names_in_other(), ["lo", "npw1", "npx0"]);

    undo.teardown().unwrap();
    assert!(closed.load(Ordering::Relaxed));
    assert_eq!(t.ip_link_names(), ["lo"]);
    assert_eq!(names_in_other(), ["lo"]);

    // The same teardown again finds nothing to remove, and succeeds.
    let mut again = Undo::new();
    record(&h, &other, &closed, &mut again).unwrap();
    again.teardown().unwrap();

    // A request step whose object is gone counts as done; another error is collected.
    let mut undo = Undo::new();
    undo.push_request(&h, link_del_request("npgone").unwrap());
    undo.push_request(&h, link_del_request("lo").unwrap()); // the kernel refuses
    let e = undo.teardown().unwrap_err();
    let Error::Teardown { errors } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(errors.len(), 1, "{e}");
    assert!(errors[0].kernel().is_some(), "{e}");
}
