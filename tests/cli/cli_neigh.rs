//! `netplumb neigh` against `ip neigh`: the same commands give the same ARP/NDP tables,
//! `netplumb -j neigh show` prints what `ip -j neigh show` prints, and failures give `ip`'s
//! messages and change nothing.
use crate::cli_ipcmp;
use crate::common;

use cli_ipcmp::*;

const ADDRESSES: &[&str] = &[
    "addr add 198.18.0.1/24 dev v1",
    "addr add 2001:db8::1/64 dev v1 nodad",
];

/// Every form of `neigh add|replace|change|del|flush` the executor handles.
const SCRIPT: &[&str] = &[
    "neigh add 198.18.0.5 lladdr 02:00:00:00:00:05 dev v1",
    "neigh add 198.18.0.6 lladdr 02:00:00:00:00:06 dev v1 nud stale",
    "neigh add 198.18.0.7 lladdr 02:00:00:00:00:07 dev v1 nud reachable",
    "neigh add 198.18.0.8 lladdr 02:00:00:00:00:08 dev v1 nud noarp",
    "neigh add 198.18.0.9 dev v1 nud failed",
    "neigh add 198.18.0.10 dev v1",
    "neigh add 2001:db8::5 lladdr 02:00:00:00:00:15 dev v1 router",
    "neigh add 2001:db8::6 lladdr 02:00:00:00:00:16 dev v1 extern_learn",
    "neigh add 198.18.0.11 lladdr 02:00:00:00:00:11 dev v1 protocol static",
    "neigh add proxy 198.18.0.20 dev v1",
    "neigh add proxy 2001:db8::20 dev v1 router",
    "neigh add 198.18.0.16 lladdr 02:00:00:00:00:16 dev v3 nud stale",
    "neigh add 198.18.0.17 lladdr 02:00:00:00:00:17 dev v3:x",
    "neigh add 198.18.0.18 lladdr null dev v1 nud permanent",
    // Failures.
    "neigh add 198.18.0.5 lladdr 02:00:00:00:00:05 dev v1",
    "neigh add 198.18.0.12 lladdr 02:00:00:00:00:12 dev nope",
    "neigh change 198.18.0.14 lladdr 02:00:00:00:00:14 dev v1",
    "neigh del 198.18.0.77 dev v1",
    // Verbs.
    "neigh replace 198.18.0.5 lladdr 02:00:00:00:00:55 dev v1",
    "neigh replace 198.18.0.13 lladdr 02:00:00:00:00:13 dev v1 nud probe",
    "neigh change 198.18.0.6 lladdr 02:00:00:00:00:66 dev v1 nud delay",
    "neigh del 198.18.0.7 dev v1",
    "neigh del proxy 198.18.0.20 dev v1",
    "neigh add 198.18.0.15 lladdr 02:00:00:00:00:15 dev v1 managed",
    "neigh flush dev v1 nud stale",
    "neigh flush to 198.18.0.0/28",
    "-6 neigh flush dev v1",
];

#[test]
fn a_script_leaves_the_tables_ip_leaves() {
    let Some((a, b)) = pair("a_script_leaves_the_tables_ip_leaves") else {
        return;
    };
    for line in ADDRESSES {
        a.ip(&words(line));
        b.ip(&words(line));
    }
    for line in SCRIPT {
        apply_both(&a, &b, line);
    }
    assert_same_state(&a, &b, &["-d", "neigh", "show", "nud", "all"]);
    assert_same_state(&a, &b, &["-d", "neigh", "show", "proxy"]);
}

/// A namespace with entries of every state, made with `ip`.
fn populated(test: &str) -> Option<common::TestNs> {
    let t = prepared(test)?;
    for line in ADDRESSES.iter().chain(&SCRIPT[..13]) {
        // `neigh add ADDR dev DEV` without lladdr fails ("No link layer address given")
        // and leaves an entry without state behind, which the listings must show too.
        t.try_ip(&words(line));
    }
    settle(&t);
    Some(t)
}

#[test]
fn show_and_get_print_what_ip_prints() {
    let Some(t) = populated("show_and_get_print_what_ip_prints") else {
        return;
    };
    for line in [
        "neigh show",
        "neigh",
        "neigh list",
        "-4 neigh show",
        "-6 neigh show",
        "neigh show dev v1",
        "neigh show dev v3",
        "neigh show nud all",
        "neigh show nud permanent",
        "neigh show nud stale",
        "neigh show nud noarp",
        "neigh show nud failed",
        "neigh show nud none",
        "neigh show nud stale nud permanent",
        "neigh show nud none nud stale",
        "neigh show nud stale nud none nud permanent",
        "neigh show nud all nud none",
        "neigh show proxy",
        "-6 neigh show proxy",
        "neigh show to 198.18.0.0/29",
        "neigh show 198.18.0.8/29",
        "neigh show protocol static",
        "neigh show unused",
        "-N neigh show",
    ] {
        assert_json_like_ip(&t, &words(line));
    }
    for line in [
        "neigh show",
        "neigh show nud all dev v1",
        "neigh show proxy",
    ] {
        assert_text_like_ip(&t, &words(line));
    }
    assert_text_like_ip(&t, &["-j", "-p", "neigh", "show"]);
    // `ip neigh get` prints text even with -j: compare the text, and netplumb's JSON with
    // the same entry from `ip -j neigh show`.
    assert_text_like_ip(&t, &["neigh", "get", "198.18.0.5", "dev", "v1"]);
    assert_text_like_ip(&t, &["neigh", "get", "proxy", "2001:db8::20", "dev", "v1"]);
    let got = np_json(&t, &["neigh", "get", "2001:db8::5", "dev", "v1"]);
    let all = t.ip_json(&["neigh", "show"]);
    let want: Vec<_> = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["dst"] == "2001:db8::5")
        .cloned()
        .collect();
    assert_eq!(got, serde_json::Value::Array(want));
}

#[test]
fn failures_report_like_ip_and_change_nothing() {
    let Some(t) = populated("failures_report_like_ip_and_change_nothing") else {
        return;
    };
    let before = state(&t, &["neigh", "show", "nud", "all"]);
    for (line, status, first) in [
        (
            "neigh add 198.18.0.5 lladdr 02:00:00:00:00:05 dev v1",
            1,
            "Error: File exists.",
        ),
        (
            "neigh change 198.18.0.14 lladdr 02:00:00:00:00:14 dev v1",
            1,
            "Error: No such file or directory.",
        ),
        (
            "neigh del 198.18.0.77 dev v1",
            1,
            "Error: No such file or directory.",
        ),
        (
            "neigh get 198.18.0.77 dev v1",
            1,
            "Error: Neighbour entry not found.",
        ),
        (
            "neigh add 198.18.0.12 lladdr 02:00:00:00:00:12 dev nope",
            1,
            "Cannot find device \"nope\"",
        ),
        ("neigh show dev nope", 1, "Cannot find device \"nope\""),
        ("neigh flush dev nope", 1, "Cannot find device \"nope\""),
        // Usage errors: refused before anything is sent.
        (
            "neigh add 198.18.0.30 lladdr 02:00:00:00:00:30",
            2,
            "Device and destination are required arguments.",
        ),
        (
            "neigh add 198.18.0.30 lladdr zz dev v1",
            2,
            "\"zz\" is invalid lladdr.",
        ),
        (
            "neigh add 198.18.0.30 dev v1 nud bogus",
            2,
            "Error: argument \"bogus\" is wrong: nud state is bad",
        ),
        ("neigh flush", 2, "Flush requires arguments."),
    ] {
        let (code, msg) = np_fails(&t, &words(line));
        assert_eq!((code, msg.as_str()), (status, first), "{line}");
    }
    let after = state(&t, &["neigh", "show", "nud", "all"]);
    assert_eq!(first_difference(&after, &before, ""), None);
}

#[test]
fn flush_keeps_permanent_and_noarp_entries() {
    let Some(t) = populated("flush_keeps_permanent_and_noarp_entries") else {
        return;
    };
    np_ok(&t, &["neigh", "flush", "dev", "v1"]);
    let left = t.ip_json(&["-4", "neigh", "show", "nud", "all", "dev", "v1"]);
    let mut dsts: Vec<&str> = left
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["dst"].as_str())
        .collect();
    dsts.sort();
    // Permanent (5, 11) and noarp (8) entries stay; stale, reachable, failed and the one
    // without state go.
    assert_eq!(dsts, ["198.18.0.11", "198.18.0.5", "198.18.0.8"]);
    // Proxy entries are not flushed.
    assert_eq!(
        t.ip_json(&["neigh", "show", "proxy"])
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // `nud all` takes the permanent ones too (not noarp).
    np_ok(&t, &["-4", "neigh", "flush", "dev", "v1", "nud", "all"]);
    let left = t.ip_json(&["-4", "neigh", "show", "nud", "all", "dev", "v1"]);
    let dsts: Vec<&str> = left
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["dst"].as_str())
        .collect();
    assert_eq!(dsts, ["198.18.0.8"]);
    // The IPv6 entries were left alone by -4.
    assert!(
        !t.ip_json(&["-6", "neigh", "show", "nud", "all", "dev", "v1"])
            .as_array()
            .unwrap()
            .is_empty()
    );
}
