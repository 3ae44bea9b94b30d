//! Namespace ids against the kernel and `ip netns list-id`: assigned, read and listed in
//! fresh namespaces; refusals carry the kernel's message and change nothing.

use crate::common;
use common::TestNs;
use netplumb::Error;

fn kernel_error(e: Error) -> (i32, String) {
    match e {
        Error::Kernel(k) => (k.errno, k.message.unwrap_or_default()),
        e => panic!("not a kernel error: {e:?}"),
    }
}

#[test]
fn ids_are_assigned_read_and_listed_as_ip_shows_them() {
    let Some(a) = TestNs::new("ids_are_assigned_read_and_listed_as_ip_shows_them") else {
        return;
    };
    let (b, c, d) = (
        TestNs::new("nsid-b").unwrap(),
        TestNs::new("nsid-c").unwrap(),
        TestNs::new("nsid-d").unwrap(),
    );
    let h = a.handle();
    assert_eq!(h.nsid(b.ns()).unwrap(), None);
    assert_eq!(h.nsid_list().unwrap(), Vec::<i32>::new());

    assert_eq!(h.set_nsid(b.ns(), Some(7)).unwrap(), 7);
    assert_eq!(h.nsid(b.ns()).unwrap(), Some(7));
    assert_eq!(
        a.ip_json(&["netns", "list-id"]),
        serde_json::json!([{ "nsid": 7, "name": b.name() }])
    );
    // `None`: the kernel picks the lowest free id.
    let auto = h.set_nsid(c.ns(), None).unwrap();
    assert_eq!(auto, 0);
    assert_eq!(h.nsid(c.ns()).unwrap(), Some(0));
    let mut listed = h.nsid_list().unwrap();
    listed.sort();
    assert_eq!(listed, [0, 7]);
    let mut ip_ids: Vec<i64> = a
        .ip_json(&["netns", "list-id"])
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["nsid"].as_i64().unwrap())
        .collect();
    ip_ids.sort();
    assert_eq!(ip_ids, [0, 7]);
    // Ids are per namespace: b gives a none.
    assert_eq!(b.handle().nsid(a.ns()).unwrap(), None);

    // Refusals: the kernel's errno and message, nothing changed.
    let (errno, msg) = kernel_error(h.set_nsid(b.ns(), Some(8)).unwrap_err());
    assert_eq!(
        (errno, msg.as_str()),
        (libc::EEXIST, "Peer netns already has a nsid assigned")
    );
    let (errno, msg) = kernel_error(h.set_nsid(d.ns(), Some(7)).unwrap_err());
    assert_eq!(
        (errno, msg.as_str()),
        (libc::EEXIST, "The specified nsid is already used")
    );
    let e = h.set_nsid(d.ns(), Some(-2)).unwrap_err();
    assert!(matches!(e, Error::InvalidInput { .. }), "{e:?}");
    assert_eq!(h.nsid(b.ns()).unwrap(), Some(7));
    assert_eq!(h.nsid(d.ns()).unwrap(), None);
}
