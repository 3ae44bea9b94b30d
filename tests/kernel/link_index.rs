//! Resolving `dev NAME` to an index, checked against `ip -j link show`.
use crate::common;
use common::TestNs;

#[test]
fn link_index_matches_ip_and_missing_is_not_found() {
    let Some(t) = TestNs::new("link_index_matches_ip_and_missing_is_not_found") else {
        return;
    };
    t.ip(&["link", "add", "np0", "type", "veth", "peer", "name", "np1"]);
    let h = t.handle();
    let j = t.ip_json(&["link", "show", "np1"]);
    let want = j[0]["ifindex"].as_u64().unwrap() as u32;
    assert_eq!(h.link_index("np1").unwrap(), want);
    assert_eq!(h.link_index(want).unwrap(), want);
    let e = h.link_index("nosuch0").unwrap_err();
    assert!(
        matches!(e, netplumb::Error::NotFound { what: "link", .. }),
        "{e}"
    );
    assert!(h.link_index("bad/name").unwrap_err().is_invalid());
    assert!(h.link_index(0u32).unwrap_err().is_invalid());
}
