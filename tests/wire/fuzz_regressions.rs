//! Replays, under plain `cargo test`, what the fuzz targets have been fed: the committed crash
//! inputs (`fuzz/regressions/<target>/*`), the hand-made seeds (`fuzz/seeds/<target>/*`) and
//! the golden fixtures (`tests/fixtures/**/*.hex`), each through the same
//! `netplumb::fuzzing` function the fuzz target calls.
//!
//! A new crash input goes in `fuzz/regressions/<target>/<what-it-broke>`; it is replayed here
//! from then on. Fixtures whose name starts with `bad`, `malformed` or `truncated` are
//! fed to the targets but not required to decode.

use netplumb::fuzzing::{self, TARGETS};
use netplumb::wire::{AttrIter, Messages, hex, nlmsg};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The files directly inside `dir`, sorted; none when it does not exist.
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<_> = rd
        .map(|e| e.expect("reading a directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

/// The directories directly inside `dir`, sorted; none when it does not exist.
fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<_> = rd
        .map(|e| e.expect("reading a directory entry").path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

fn fixtures() -> Vec<(PathBuf, Vec<u8>)> {
    fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
        for d in subdirs(dir) {
            collect(&d, out);
        }
        out.extend(
            files(dir)
                .into_iter()
                .filter(|p| p.extension().is_some_and(|e| e == "hex")),
        );
    }
    let mut paths = Vec::new();
    collect(&root().join("tests/fixtures"), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("reading a fixture");
            let bytes = hex::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, bytes)
        })
        .collect()
}

fn short(p: &Path) -> String {
    p.strip_prefix(root()).unwrap_or(p).display().to_string()
}

/// Runs `f`, collecting a panic as a failure line instead of stopping at the first one.
fn run(failures: &mut Vec<String>, what: String, f: impl FnOnce()) {
    if let Err(e) = catch_unwind(AssertUnwindSafe(f)) {
        let msg = e
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| e.downcast_ref::<&str>().copied())
            .unwrap_or("(non-string panic)");
        failures.push(format!("{what}: {msg}"));
    }
}

fn check(failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every file under `fuzz/<kind>/<target>/` through its target; returns how many there were
/// per target.
fn replay(kind: &str, failures: &mut Vec<String>) -> Vec<(String, usize)> {
    let mut counts = Vec::new();
    for dir in subdirs(&root().join("fuzz").join(kind)) {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let Some(f) = fuzzing::target(&name) else {
            failures.push(format!("{}: no fuzz target called {name:?}", short(&dir)));
            continue;
        };
        let inputs = files(&dir);
        for p in &inputs {
            let data = std::fs::read(p).expect("reading an input");
            run(failures, short(p), || f(&data));
        }
        counts.push((name, inputs.len()));
    }
    counts
}

#[test]
fn committed_crash_inputs_replay() {
    let mut failures = Vec::new();
    replay("regressions", &mut failures);
    check(failures);
}

#[test]
fn hand_made_seeds_replay_and_cover_every_target() {
    let mut failures = Vec::new();
    let counts = replay("seeds", &mut failures);
    for (name, _) in TARGETS {
        if !counts.iter().any(|(n, c)| n == name && *c > 0) {
            failures.push(format!("fuzz/seeds/{name}/ has no seed"));
        }
    }
    check(failures);
}

/// The layout each target reads, cut from a datagram as `scripts/fuzz-seeds.py` does.
fn inputs_for(target: &str, datagram: &[u8]) -> Vec<Vec<u8>> {
    let msgs = Messages::new(datagram).views().filter_map(Result::ok);
    match target {
        "attrs" => msgs
            .filter_map(|m| {
                let skip = fuzzing::family_header_len(m.message_type())?;
                m.payload().get(skip..).map(<[u8]>::to_vec)
            })
            .collect(),
        "nft_expr" => msgs
            .filter(|m| (0x0a06..=0x0a08).contains(&m.message_type()))
            .filter_map(|m| {
                let p = m.payload().get(4..)?;
                let list = AttrIter::new(p).find(4).ok()??;
                Some(list.value().to_vec())
            })
            .collect(),
        "error_message" => msgs
            .filter(|m| [nlmsg::NLMSG_ERROR, nlmsg::NLMSG_DONE].contains(&m.message_type()))
            .map(|m| [&m.bytes()[6..8], m.payload()].concat())
            .collect(),
        _ => vec![datagram.to_vec()],
    }
}

/// A fixture whose sender wrote something the codec canonicalises (non-zero padding, say)
/// says so on a line starting `# noncanonical:`; it must still decode, and its re-encoding
/// must decode to the same messages, but the bytes may differ.
fn noncanonical(p: &Path) -> bool {
    std::fs::read_to_string(p)
        .map(|t| t.lines().any(|l| l.starts_with("# noncanonical:")))
        .unwrap_or(false)
}

fn may_be_malformed(p: &Path) -> bool {
    let stem = p.file_stem().unwrap_or_default().to_string_lossy();
    ["bad", "malformed", "truncated"]
        .iter()
        .any(|w| stem.starts_with(w))
}

#[test]
fn fixtures_replay_through_every_target_and_reencode_byte_for_byte() {
    let mut failures = Vec::new();
    for (p, bytes) in fixtures() {
        for &(name, f) in TARGETS {
            for (i, input) in inputs_for(name, &bytes).iter().enumerate() {
                run(
                    &mut failures,
                    format!("{} as {name} input {i}", short(&p)),
                    || f(input),
                );
            }
        }
        if may_be_malformed(&p) {
            continue;
        }
        run(&mut failures, format!("{} re-encoded", short(&p)), || {
            let again = fuzzing::reencode(&bytes).expect("the fixture does not decode");
            if noncanonical(&p) {
                let twice = fuzzing::reencode(&again).expect("the re-encoding does not decode");
                assert!(twice == again, "the canonical re-encoding is not stable");
                return;
            }
            assert!(
                again == bytes,
                "re-encoded to other bytes:\n{}",
                hex::format(&again)
            );
        });
    }
    check(failures);
}

/// Where the first message that `d` cuts short starts (its header or its `nlmsg_len` runs
/// past the end), or `None` when `d` holds whole messages only.
fn first_cut(d: &[u8]) -> Option<usize> {
    Messages::new(d).find_map(|r| r.err().map(|e| e.offset()))
}

/// Every prefix of every fixture through the datagram decoders, without the quadratic cost
/// of decoding every prefix whole.
///
/// A prefix that cuts a message hands the decoders the messages before the cut and nothing
/// of the cut one: its length check fails before any payload decoder sees it, and the
/// protocol detection stops there too. So such a prefix is fed as two parts that together
/// are the same work: the messages before the cut run as the prefix that ends where the cut
/// message starts (a prefix of whole messages, fed whole when the loop reaches it), and the
/// cut message runs alone. Every prefix of whole messages (ending at a message's end or in
/// its padding) is fed whole.
#[test]
fn every_fixture_prefix_survives_the_datagram_decoders() {
    let mut failures = Vec::new();
    for (p, bytes) in fixtures() {
        run(&mut failures, format!("a prefix of {}", short(&p)), || {
            for n in 0..bytes.len() {
                let prefix = &bytes[..n];
                match first_cut(prefix) {
                    None => {
                        fuzzing::datagram(prefix);
                        fuzzing::roundtrip(prefix);
                    }
                    Some(at) => {
                        assert!(first_cut(&bytes[..at]).is_none(), "{at}: not a boundary");
                        let cut = &prefix[at..];
                        assert_eq!(first_cut(cut), Some(0));
                        fuzzing::datagram(cut);
                        fuzzing::roundtrip(cut);
                    }
                }
            }
        });
    }
    check(failures);
}

/// The fuzz crate builds one binary per entry of `fuzzing::TARGETS`, and nothing else.
#[test]
fn fuzz_crate_and_target_list_agree() {
    let dir = root().join("fuzz/fuzz_targets");
    let mut on_disk: Vec<String> = files(&dir)
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = TARGETS.iter().map(|(n, _)| n.to_string()).collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "fuzz/fuzz_targets/*.rs vs netplumb::fuzzing::TARGETS"
    );
    let manifest = std::fs::read_to_string(root().join("fuzz/Cargo.toml")).unwrap();
    for name in &listed {
        let body = std::fs::read_to_string(dir.join(format!("{name}.rs"))).unwrap();
        assert!(
            body.contains(&format!("netplumb::fuzzing::{name}(")),
            "fuzz/fuzz_targets/{name}.rs must call netplumb::fuzzing::{name}"
        );
        assert!(
            manifest.contains(&format!("path = \"fuzz_targets/{name}.rs\"")),
            "fuzz/Cargo.toml has no [[bin]] for {name}"
        );
    }
}
