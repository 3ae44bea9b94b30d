//! The `netplumb` binary's command-line behaviour that needs no kernel: usage errors (stderr,
//! exit status 2, nothing done), help and version (stdout, exit status 0), and `-batch`
//! error reporting. Only commands that fail to parse or only print text are run, so these
//! tests never touch a network namespace.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn netplumb(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_netplumb"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run netplumb")
}

fn with_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_netplumb"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run netplumb");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A temporary batch file, removed on drop.
struct TempFile(std::path::PathBuf);

impl TempFile {
    fn new(name: &str, content: &str) -> Self {
        let p = std::env::temp_dir().join(format!("netplumb-cli-{}-{name}", std::process::id()));
        std::fs::write(&p, content).unwrap();
        TempFile(p)
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn usage_errors_exit_2_with_an_ip_style_message_and_a_hint() {
    for (args, first, hint) in [
        (
            &["link", "add", "x", "mtu", "abc", "type", "veth"][..],
            "Error: argument \"abc\" is wrong: Invalid \"mtu\" value",
            "Try \"netplumb link help\".",
        ),
        (
            &["link", "add", "0123456789abcdef", "type", "veth"],
            "Error: argument \"0123456789abcdef\" is wrong: \"dev\" not a valid ifname",
            "Try \"netplumb link help\".",
        ),
        (
            &["addr", "add", "198.18.0.1/33", "dev", "x"],
            "Error: any valid prefix is expected rather than \"198.18.0.1/33\".",
            "Try \"netplumb address help\".",
        ),
        (
            &["link", "set", "dev", "x", "address", "02:00:00:00:00"],
            "\"02:00:00:00:00\" is invalid lladdr.",
            "Try \"netplumb link help\".",
        ),
        (
            &["route", "add", "198.18.0.0/24", "dev", "x", "dev"],
            "Command line is not complete. Try \"netplumb route help\".",
            "",
        ),
        (
            &["addr", "add", "198.18.0.1/24"],
            "Not enough information: \"dev\" argument is required.",
            "Try \"netplumb address help\".",
        ),
        (
            &["link", "show", "lo", "eth0"],
            "Error: either \"dev\" is duplicate, or \"eth0\" is a garbage.",
            "Try \"netplumb link help\".",
        ),
        (
            &["-x", "link"],
            "Option \"-x\" is unknown, try \"netplumb -help\".",
            "",
        ),
        (
            &["foo"],
            "Object \"foo\" is unknown, try \"netplumb help\".",
            "",
        ),
        (
            &["tunnel", "show"],
            "Object \"tunnel\" is not supported by netplumb, try \"netplumb help\".",
            "",
        ),
        (
            &["link", "frob"],
            "Command \"frob\" is unknown, try \"netplumb link help\".",
            "",
        ),
    ] {
        let out = netplumb(args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let mut lines = err.lines();
        assert_eq!(lines.next(), Some(first), "{args:?}");
        if !hint.is_empty() {
            assert_eq!(lines.next(), Some(hint), "{args:?}");
        }
    }
}

#[test]
fn no_object_prints_the_usage_and_fails() {
    for args in [&[][..], &["-j"], &["-n", "ns1"]] {
        let out = netplumb(args);
        assert_eq!(out.status.code(), Some(2));
        assert!(text(&out.stderr).starts_with("Usage: netplumb [ OPTIONS ] OBJECT"));
    }
}

#[test]
fn help_and_version_print_to_stdout() {
    for (args, start) in [
        (&["help"][..], "Usage: netplumb [ OPTIONS ] OBJECT"),
        (&["-help"], "Usage: netplumb [ OPTIONS ] OBJECT"),
        (&["--help"], "Usage: netplumb [ OPTIONS ] OBJECT"),
        (&["link", "help"], "Usage: netplumb link add"),
        (&["l", "h"], "Usage: netplumb link add"),
        (&["help", "route"], "Usage: netplumb route"),
        (&["address", "help"], "Usage: netplumb address"),
        (&["r", "help"], "Usage: netplumb route"),
        (&["neigh", "help"], "Usage: netplumb neigh"),
        (&["tuntap", "help"], "Usage: netplumb tuntap"),
        (&["netns", "help"], "Usage: netplumb netns"),
        (&["monitor", "help"], "Usage: netplumb monitor"),
        (&["decode", "help"], "Usage: netplumb decode"),
        (&["-V"], "netplumb utility, version "),
        (&["-Version"], "netplumb utility, version "),
    ] {
        let out = netplumb(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(
            text(&out.stdout).starts_with(start),
            "{args:?}: {}",
            text(&out.stdout)
        );
        assert!(out.stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn help_in_the_middle_of_a_command_is_a_usage_error() {
    let out = netplumb(&["link", "add", "x", "help"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("Usage: netplumb link add"));
}

#[test]
fn batch_reports_the_failed_line_and_stops_unless_forced() {
    let f = TempFile::new(
        "batch",
        "# setup\nlink help\n\nlink add x \\\n  mtu\nroute help\nneigh bogus\n",
    );
    let out = netplumb(&["-batch", f.path()]);
    assert_eq!(out.status.code(), Some(1));
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(stdout.starts_with("Usage: netplumb link add"));
    assert!(!stdout.contains("Usage: netplumb route"));
    assert!(
        stderr.starts_with("Command line is not complete."),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("Command failed {}:5\n", f.path())),
        "{stderr}"
    );
    assert!(!stderr.contains(":7"));

    let out = netplumb(&["-force", "-b", f.path()]);
    assert_eq!(out.status.code(), Some(1));
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(stdout.contains("Usage: netplumb route"));
    assert!(stderr.contains(&format!("Command failed {}:5\n", f.path())));
    assert!(stderr.contains("Command \"bogus\" is unknown, try \"netplumb neigh help\"."));
    assert!(stderr.contains(&format!("Command failed {}:7\n", f.path())));
}

#[test]
fn batch_from_stdin_and_quotes() {
    let out = with_stdin(&["-batch", "-"], "link help\nlink show \"lo\" 'eth0'\n");
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("Error: either \"dev\" is duplicate, or \"eth0\" is a garbage."));
    assert!(stderr.contains("Command failed -:2\n"));
    let out = with_stdin(&["-batch", "-"], "route help\nlink show \"lo\n");
    assert!(text(&out.stderr).starts_with("Unterminated quoted string\nCommand failed -:2"));
    let out = with_stdin(&["-batch", "-"], "# nothing\n\n");
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
}

#[test]
fn batch_lines_take_no_global_options() {
    let out = with_stdin(&["-b", "-"], "-n ns1 link show\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).starts_with("Object \"-n\" is unknown"));
}

#[test]
fn missing_batch_file_fails() {
    let out = netplumb(&["-batch", "/nonexistent/netplumb-batch"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr)
            .starts_with("Cannot open file \"/nonexistent/netplumb-batch\" for reading")
    );
}

#[test]
fn arguments_that_are_not_utf8_are_usage_errors() {
    use std::os::unix::ffi::OsStrExt;
    let out = Command::new(env!("CARGO_BIN_EXE_netplumb"))
        .args([
            std::ffi::OsStr::new("link"),
            std::ffi::OsStr::from_bytes(b"\xff"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("is not valid UTF-8"));
}
