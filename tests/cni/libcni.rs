//! The cache against libcni itself: what netplumb writes, libcni reads (and DELs with),
//! and the other way round. libcni is Debian's 1.1.2 (golang-github-appc-cni-dev), driven
//! by `tests/cni/libcni/main.go`.

use crate::fixture::*;
use netplumb::cni::{NetworkConfigList, SpecVersion};
use serde_json::{Value, json};

/// The oracle's arguments for an attachment: CACHEDIR CNIPATH CONFFILE ID NETNS IFNAME.
fn oracle_args<'a>(h: &'a Host, conf: &'a str, id: &'a str, pod: &'a Pod) -> Vec<String> {
    vec![
        h.cache.display().to_string(),
        format!("{CNI_BIN}:{}", h.bin.display()),
        conf.to_string(),
        id.to_string(),
        pod.path.clone(),
        "eth0".to_string(),
    ]
}

fn run_oracle(bin: &std::path::Path, verb: &str, args: &[String]) -> String {
    let mut all = vec![verb];
    all.extend(args.iter().map(String::as_str));
    oracle(bin, &all)
}

#[test]
fn libcni_reads_and_deletes_what_netplumb_cached() {
    with_host("libcni_reads_netplumb_cache", |h| {
        let Some(go) = libcni_oracle("libcni_reads_netplumb_cache") else {
            return;
        };
        let cni = h.cni();
        for (file, version) in [("10-a.conflist", "1.0.0"), ("20-b.conflist", "0.4.0")] {
            let name = format!("np-lc-{}", version.replace('.', ""));
            let path = h.write_conf(
                file,
                &list(
                    &name,
                    version,
                    vec![bridge(h, "npbr0", &["198.18.50.0/24"])],
                ),
            );
            let l = NetworkConfigList::from_file(&path).unwrap();
            let pod = Pod::new("libcni_reads");
            let mut rt = pod.rt("lc1", "eth0");
            rt.capability_args.insert("portMappings".into(), json!([]));
            let ours = cni.add_list(&l, &rt, None).unwrap();
            let args = oracle_args(h, path.to_str().unwrap(), "lc1", &pod);
            let seen: Value = serde_json::from_str(&run_oracle(&go, "cached", &args)).unwrap();
            // libcni reads our result, our config bytes and our arguments.
            let theirs =
                netplumb::cni::CniResult::from_value(&seen["result"], SpecVersion::V0_1_0).unwrap();
            assert_eq!(theirs, ours, "{seen}");
            assert_eq!(seen["config"].as_str().unwrap().as_bytes(), &l.bytes[..]);
            assert_eq!(seen["args"], json!([["IgnoreUnknown", "1"]]));
            assert_eq!(seen["capabilityArgs"], json!({"portMappings": []}));
            // ... and DELs with it (the cached result is the plugins' prevResult).
            run_oracle(&go, "del", &args);
            assert!(h.cache_files().is_empty());
            h.assert_clean(&name);
        }
    });
}

#[test]
fn netplumb_reads_and_deletes_what_libcni_cached() {
    with_host("netplumb_reads_libcni_cache", |h| {
        let Some(go) = libcni_oracle("netplumb_reads_libcni_cache") else {
            return;
        };
        let cni = h.cni();
        // A single plugin file: libcni makes the list itself (ConfListFromConf); netplumb
        // must make the same bytes.
        let path = h.write_conf(
            "10-single.conf",
            &json!({"cniVersion": "1.0.0", "name": "np-lc-single", "type": "bridge", "bridge": "npbr0",
                    "isGateway": true, "ipam": host_local(h, &["198.18.51.0/24"])}),
        );
        let l = NetworkConfigList::from_file(&path).unwrap();
        let pod = Pod::new("netplumb_reads");
        let args = oracle_args(h, path.to_str().unwrap(), "lc2", &pod);
        let added: Value = serde_json::from_str(&run_oracle(&go, "add", &args)).unwrap();
        let theirs = netplumb::cni::CniResult::from_value(&added, SpecVersion::V0_1_0).unwrap();
        let rt = pod.rt("lc2", "eth0");
        let entry = cni
            .cache()
            .read("np-lc-single", "lc2", "eth0")
            .unwrap()
            .expect("libcni's entry");
        assert_eq!(
            entry.config, l.bytes,
            "the list libcni made from the .conf differs from ours"
        );
        assert_eq!(cni.cached_result(&l, &rt).unwrap().unwrap(), theirs);
        let (cached_list, cached_rt) = cni.cached_config("np-lc-single", &rt).unwrap().unwrap();
        assert_eq!(cached_list.plugins, l.plugins);
        assert_eq!(cached_rt.args, rt.args);
        // libcni's CHECK agrees with the state, netplumb's DEL undoes it.
        run_oracle(&go, "check", &args);
        cni.check_list(&l, &rt, None).unwrap();
        cni.del_list(&l, &rt, None).unwrap();
        h.assert_clean("np-lc-single");
    });
}
