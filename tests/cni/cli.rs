//! `netplumb cni`, the cnitool drop-in: arguments, environment, container id, output and
//! cache, against libcni's cnitool logic (the oracle's `cnitool` mode) on the same cache.

use crate::fixture::*;
use netplumb::cni::{CniResult, SpecVersion, cnitool_container_id};
use serde_json::json;
use std::process::{Command, Output};

fn netplumb() -> Command {
    Command::new(env!("CARGO_BIN_EXE_netplumb"))
}

/// `netplumb cni ARGS` with the host's directories in the environment.
fn cni_cmd(h: &Host, args: &[&str]) -> Command {
    let mut c = netplumb();
    c.arg("cni")
        .args(args)
        .env("NETCONFPATH", &h.conf)
        .env("CNI_PATH", format!("{CNI_BIN}:{}", h.bin.display()))
        .env("NETPLUMB_CNI_CACHE_DIR", &h.cache)
        .env_remove("CNI_ARGS")
        .env_remove("CAP_ARGS")
        .env_remove("CNI_IFNAME");
    c
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "status {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["cni"][..],
        &["cni", "add", "net"],
        &["cni", "frob", "net", "/x"],
        &["cni", "add", "n", "/x", "more"],
    ] {
        let out = netplumb().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("Usage: netplumb cni"));
    }
    let out = netplumb().args(["cni", "help"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("NETCONFPATH"));
}

#[test]
fn add_check_status_del_gc_like_cnitool() {
    with_host("cli_add_check_del", |h| {
        h.write_conf(
            "10-cli.conflist",
            &list(
                "np-cli",
                "1.0.0",
                vec![bridge(h, "npbr0", &["198.18.60.0/24"])],
            ),
        );
        let pod = Pod::new("cli");
        let out = ok(cni_cmd(h, &["add", "np-cli", &pod.path])
            .env("CNI_ARGS", "IgnoreUnknown=1;IP=198.18.60.9")
            .env("CAP_ARGS", r#"{"portMappings":[]}"#)
            .output()
            .unwrap());
        // cnitool's layout: libcni's Result.Print, four spaces, no final newline.
        assert!(
            out.starts_with("{\n    \"cniVersion\": \"1.0.0\",\n"),
            "{out}"
        );
        assert!(out.ends_with('}'), "{out:?}");
        let r = CniResult::from_json(out.as_bytes(), SpecVersion::V0_1_0).unwrap();
        assert_eq!(pod_ip(&r, true).to_string(), "198.18.60.9");
        // cnitool's container id, from the absolute path.
        let id = cnitool_container_id(&pod.path);
        assert_eq!(h.cache_files(), [format!("np-cli-{id}-eth0")]);
        let entry = h
            .cni()
            .cache()
            .read("np-cli", &id, "eth0")
            .unwrap()
            .unwrap();
        assert_eq!(
            entry.cni_args,
            [
                ("IgnoreUnknown".into(), "1".into()),
                ("IP".into(), "198.18.60.9".into())
            ]
        );
        assert_eq!(entry.capability_args["portMappings"], json!([]));
        // A relative path names the same namespace, hence the same container.
        let name = pod.path.rsplit('/').next().unwrap();
        ok(cni_cmd(h, &["check", "np-cli", name])
            .current_dir("/run/netns")
            .output()
            .unwrap());
        ok(cni_cmd(h, &["status", "np-cli", &pod.path])
            .output()
            .unwrap());
        ok(cni_cmd(
            h,
            &["del", "np-cli", &format!("/run/netns/../netns/{name}")],
        )
        .output()
        .unwrap());
        h.assert_clean("np-cli");
        // gc: every cached attachment of the network goes.
        ok(cni_cmd(h, &["add", "np-cli", &pod.path]).output().unwrap());
        ok(cni_cmd(h, &["gc", "np-cli", &pod.path]).output().unwrap());
        assert_eq!(pod.links(), ["lo"]);
        h.assert_clean("np-cli");
        // CNI_IFNAME.
        ok(cni_cmd(h, &["add", "np-cli", &pod.path])
            .env("CNI_IFNAME", "net1")
            .output()
            .unwrap());
        assert!(pod.links().contains(&"net1".to_string()));
        ok(cni_cmd(h, &["del", "np-cli", &pod.path])
            .env("CNI_IFNAME", "net1")
            .output()
            .unwrap());
        h.assert_clean("np-cli");
    });
}

#[test]
fn malformed_cni_args_are_refused_before_any_plugin_runs() {
    with_host("cli_bad_cni_args", |h| {
        h.install_fault("np-record");
        h.write_conf(
            "10-rec.conflist",
            &list(
                "np-rec",
                "1.0.0",
                vec![json!({"type": "np-record", "log": h.log()})],
            ),
        );
        for bad in ["K", "K=V;", "=V", "K=V=W"] {
            let out = cni_cmd(h, &["add", "np-rec", "/run/netns/none"])
                .env("CNI_ARGS", bad)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(1), "{bad}");
            assert!(
                String::from_utf8_lossy(&out.stderr).contains("invalid CNI_ARGS pair"),
                "{bad}"
            );
        }
        let out = cni_cmd(h, &["add", "np-rec", "/run/netns/none"])
            .env("CAP_ARGS", "[1]")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let out = cni_cmd(h, &["add", "np-absent", "/run/netns/none"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(
            String::from_utf8_lossy(&out.stderr)
                .contains("no net configuration with name \"np-absent\"")
        );
        assert!(
            h.log_lines().is_empty(),
            "a plugin ran: {:?}",
            h.log_lines()
        );
    });
}

/// Runs `script` with sh in a private mount namespace whose /var/lib is an empty tmpfs, so
/// that the default cache (/var/lib/cni) and host-local's default dataDir are private.
fn in_private_var_lib(script: &str, envs: &[(&str, String)]) -> Output {
    let mut c = Command::new("unshare");
    c.args(["--mount", "--propagation", "private", "sh", "-ec"])
        .arg(format!("mount -t tmpfs np-cni-test /var/lib\n{script}"));
    for (k, v) in envs {
        c.env(k, v);
    }
    c.env_remove("NETPLUMB_CNI_CACHE_DIR").output().unwrap()
}

#[test]
fn netplumb_and_cnitool_share_the_default_cache() {
    with_host("cli_against_cnitool", |h| {
        let Some(go) = libcni_oracle("cli_against_cnitool") else {
            return;
        };
        h.write_conf(
            "10-cli.conflist",
            &list(
                "np-cli2",
                "1.0.0",
                vec![bridge(h, "npbr0", &["198.18.61.0/24"])],
            ),
        );
        let (a, b) = (Pod::new("cli_go_a"), Pod::new("cli_go_b"));
        let envs = [
            ("NETCONFPATH", h.conf.display().to_string()),
            ("CNI_PATH", CNI_BIN.to_string()),
            ("NP", env!("CARGO_BIN_EXE_netplumb").to_string()),
            ("GO", go.display().to_string()),
            ("A", a.path.clone()),
            ("B", b.path.clone()),
            ("OUT", h.scratch.path().display().to_string()),
        ];
        // netplumb ADDs, libcni CHECKs and DELs from netplumb's cache; then the other way.
        let out = in_private_var_lib(
            r#"
            "$NP" cni add np-cli2 "$A" > "$OUT/np.json"
            "$GO" cnitool check np-cli2 "$A"
            "$GO" cnitool del np-cli2 "$A"
            "$GO" cnitool add np-cli2 "$B" > "$OUT/go.json"
            "$NP" cni check np-cli2 "$B"
            "$NP" cni del np-cli2 "$B"
            ls -A /var/lib/cni/results > "$OUT/left"
            "#,
            &envs,
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let read = |f: &str| std::fs::read(h.scratch.path().join(f)).unwrap();
        let np = CniResult::from_json(&read("np.json"), SpecVersion::V0_1_0).unwrap();
        let go = CniResult::from_json(&read("go.json"), SpecVersion::V0_1_0).unwrap();
        let shape = |r: &CniResult| {
            (
                r.cni_version,
                r.interfaces
                    .iter()
                    .map(|i| (i.name.starts_with("veth"), i.sandbox.is_empty()))
                    .collect::<Vec<_>>(),
                r.ips
                    .iter()
                    .map(|i| (i.interface, i.address.prefix_len(), i.gateway))
                    .collect::<Vec<_>>(),
                r.routes.clone(),
            )
        };
        assert_eq!(shape(&np), shape(&go));
        assert!(
            read("left").is_empty(),
            "cache entries left: {:?}",
            String::from_utf8_lossy(&read("left"))
        );
        assert_eq!(a.links(), ["lo"]);
        assert_eq!(b.links(), ["lo"]);
    });
}
