//! iproute2 6.1's own tests of `ip rule` and `ip -d` link details, with netplumb as `IP`.
//!
//! iproute2's `testsuite/tests/ip/rule/dsfield.t` and
//! `testsuite/tests/ip/link/show_dev_wo_vf_rate.t` (iproute2 git tag v6.1.0) are shell
//! scripts run by its `testsuite/lib/generic.sh`: each `ts_ip "$0" DESC ARGS` runs `$IP ARGS`
//! and the test fails when the command wrote anything on standard error; `test_on REGEX`
//! greps (`grep -E`) the command's standard output; `test_lines_count N` counts its lines.
//! The scripts are not copied here: their commands and checks are transcribed below, one
//! `Step` per `ts_ip` line with the checks that follow it, and run the way `generic.sh` runs
//! them, each test in a fresh namespace (iproute2's Makefile uses `unshare -n`).
//!
//! `tests/iproute2/run-testsuite.sh` runs the scripts themselves from an iproute2 checkout
//! (`IPROUTE2=/path/to/iproute2 tests/iproute2/run-testsuite.sh netplumb`); when
//! `NETPLUMB_IPROUTE2_TESTSUITE` names such a checkout, [`the_scripts_themselves_pass`]
//! runs it for the two scripts.
use crate::common;

use common::TestNs;
use std::process::Command;

/// One `ts_ip` line: the arguments after `$IP`, and the checks on its output.
struct Step {
    args: &'static [&'static str],
    /// `test_on REGEX`: a line of standard output contains this (the regexes of these two
    /// scripts are plain text).
    contains: Option<&'static str>,
    /// `test_lines_count N`.
    lines: Option<usize>,
}

const fn run(args: &'static [&'static str]) -> Step {
    Step {
        args,
        contains: None,
        lines: None,
    }
}

const fn show(args: &'static [&'static str], contains: &'static str, lines: usize) -> Step {
    Step {
        args,
        contains: Some(contains),
        lines: Some(lines),
    }
}

/// `testsuite/tests/ip/rule/dsfield.t` ("Testing rule with option dsfield/tos").
const DSFIELD_T: &[Step] = &[
    run(&["-4", "rule", "add", "dsfield", "0x10"]),
    show(&["-4", "rule", "show", "dsfield", "0x10"], "tos 0x10", 1),
    run(&["-4", "rule", "del", "dsfield", "0x10"]),
    run(&["-4", "rule", "add", "tos", "0x10"]),
    show(&["-4", "rule", "show", "tos", "0x10"], "tos 0x10", 1),
    run(&["-4", "rule", "del", "tos", "0x10"]),
    run(&["-6", "rule", "add", "dsfield", "0x10"]),
    show(&["-6", "rule", "show", "dsfield", "0x10"], "tos 0x10", 1),
    run(&["-6", "rule", "del", "dsfield", "0x10"]),
    run(&["-6", "rule", "add", "tos", "0x10"]),
    show(&["-6", "rule", "show", "tos", "0x10"], "tos 0x10", 1),
    run(&["-6", "rule", "del", "tos", "0x10"]),
];

/// Runs the steps with `ip_prog -n NS` as `$IP`; returns the failures as `generic.sh`
/// reports them.
fn run_steps(ip_prog: &str, t: &TestNs, steps: &[Step], file: Option<&str>) -> Vec<String> {
    let mut failures = Vec::new();
    for s in steps {
        let mut args: Vec<&str> = s.args.to_vec();
        if let Some(f) = file {
            args.push(f);
        }
        let out = Command::new(ip_prog)
            .arg("-n")
            .arg(t.name())
            .args(&args)
            .output()
            .unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        if !stderr.is_empty() {
            failures.push(format!("{args:?} failed: stderr output: {stderr}"));
        }
        if let Some(c) = s.contains
            && !stdout.lines().any(|l| l.contains(c))
        {
            failures.push(format!("{args:?}: \"{c}\" matching failed in {stdout:?}"));
        }
        if let Some(n) = s.lines
            && stdout.lines().count() != n
        {
            failures.push(format!("{args:?}: lines count ({n}) failed in {stdout:?}"));
        }
    }
    failures
}

#[test]
fn dsfield_t_passes_with_netplumb_as_ip() {
    let Some(t) = TestNs::new("dsfield_t") else {
        return;
    };
    let np = env!("CARGO_BIN_EXE_netplumb");
    assert_eq!(run_steps(np, &t, DSFIELD_T, None), Vec::<String>::new());
    // The same steps pass with ip, and leave the same rules.
    let Some(u) = TestNs::new("dsfield_t_ip") else {
        return;
    };
    assert_eq!(run_steps("ip", &u, DSFIELD_T, None), Vec::<String>::new());
    assert_eq!(t.ip(&["rule"]), u.ip(&["rule"]));
    assert_eq!(t.ip(&["-6", "rule"]), u.ip(&["-6", "rule"]));
}

/// `testsuite/tests/ip/link/show_dev_wo_vf_rate.t` ("Show VF devices w/o VF rate info"):
/// `$IP -d monitor file tests/ip/link/dev_wo_vf_rate.nl`, the message its
/// `testsuite/tools/generate_nlmsg.c` writes (tests/fixtures/link/show_dev_wo_vf_rate.hex
/// holds its bytes, see tests/fixtures/capture_vf.py). It passes when nothing is written on
/// standard error; here the output must also be `ip`'s.
#[test]
fn show_dev_wo_vf_rate_t_passes_with_netplumb_as_ip() {
    let bytes = common::golden::fixture("link/show_dev_wo_vf_rate.hex");
    let nl = std::env::temp_dir().join(format!("dev_wo_vf_rate-{}.nl", std::process::id()));
    std::fs::write(&nl, &bytes).unwrap();
    let run = |prog: &str| {
        Command::new(prog)
            .args(["-d", "monitor", "file"])
            .arg(&nl)
            .output()
            .unwrap()
    };
    let (np, ip) = (run(env!("CARGO_BIN_EXE_netplumb")), run("ip"));
    let _ = std::fs::remove_file(&nl);
    assert_eq!(String::from_utf8_lossy(&np.stderr), "");
    assert!(np.status.success());
    assert_eq!(String::from_utf8_lossy(&ip.stderr), "");
    // ip ends its lines with a blank; netplumb's monitor does not.
    let trimmed: String = String::from_utf8_lossy(&ip.stdout)
        .lines()
        .map(|l| format!("{}\n", l.trim_end()))
        .collect();
    assert_eq!(String::from_utf8_lossy(&np.stdout), trimmed);
    assert!(trimmed.contains("    vf 1     link/ether 00:26:6c:ff:b5:c0, spoof checking on"));
}

/// The two scripts themselves, from the iproute2 checkout `NETPLUMB_IPROUTE2_TESTSUITE`
/// names, through tests/iproute2/run-testsuite.sh. Skipped (loudly) without one: the
/// transcriptions above run in any case.
#[test]
fn the_scripts_themselves_pass() {
    let Ok(checkout) = std::env::var("NETPLUMB_IPROUTE2_TESTSUITE") else {
        eprintln!(
            "SKIPPED: the_scripts_themselves_pass: NETPLUMB_IPROUTE2_TESTSUITE names no \
             iproute2 checkout"
        );
        return;
    };
    if !common::require_privilege("the_scripts_themselves_pass") {
        return;
    }
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/iproute2/run-testsuite.sh");
    let out = Command::new(script)
        .arg(env!("CARGO_BIN_EXE_netplumb"))
        .arg("ip/rule/dsfield.t")
        .arg("ip/link/show_dev_wo_vf_rate.t")
        .env("IPROUTE2", checkout)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(report.matches(": PASS").count(), 2, "{report}");
}
