//! nf_tables (`netplumb::nft`): the typed API against `nft`'s own batches (golden), in
//! fresh namespaces against the kernel and `nft -j list ruleset` (kernel), and the
//! ready-made operations with real packets between namespaces the tests make (ops).
//!
//! `nft` runs only inside the tests' namespaces (`ip netns exec`), never in the host's.

#[path = "../common/mod.rs"]
mod common;

mod golden;
mod kernel;
mod ops;

use common::TestNs;
use std::io::Write;
use std::process::{Command, Output, Stdio};

/// A namespace for a test that checks against `nft`, or `None` when skipping (no privilege,
/// or no `nft`: said loudly, a failure in CI).
pub fn nft_ns(test: &str) -> Option<TestNs> {
    if !common::require_program(test, "nft", "nftables") {
        return None;
    }
    TestNs::new(test)
}

/// Runs `nft ARGS...` inside `t` (with `stdin` fed to it).
pub fn nft(t: &TestNs, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new("ip")
        .args(["netns", "exec", t.name(), "nft"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run nft");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

/// `nft -f -` of `text` inside `t`, asserting success.
pub fn nft_file(t: &TestNs, text: &str) {
    let out = nft(t, &["-f", "-"], Some(text));
    assert!(
        out.status.success(),
        "nft -f: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `nft -j list ruleset` inside `t`, without the `metainfo` object and the handles (which
/// count differently in two namespaces).
pub fn ruleset_json(t: &TestNs) -> serde_json::Value {
    let out = nft(t, &["-j", "list", "ruleset"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                m.remove("handle");
                m.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    if let Some(items) = v["nftables"].as_array_mut() {
        items.retain(|i| i.get("metainfo").is_none());
    }
    strip(&mut v);
    v
}
