//! A pod on a bridge network through Debian's CNI plugins, set up and torn down by
//! netplumb's CNI runtime (cri-o's ocicni in Rust).
//!
//! Two anonymous network namespaces stand in for a host and a pod. The runtime runs on a
//! thread inside the "host" namespace, so the plugins it starts (bridge, host-local) change
//! that namespace and not the machine's; its configuration, cache and
//! host-local's address store live in a temporary directory. The pod's namespace is handed
//! to the plugins as `/proc/PID/fd/N`, a path to the descriptor that holds it. The pod gets
//! `eth0` on bridge `cni0` with an address from 198.18.0.0/24; a UDP datagram from the host
//! to the pod proves the plumbing, CHECK agrees; then the pod is torn down (also when a step
//! failed) and the example checks that nothing is left.
//!
//! Run as root, with containernetworking-plugins installed (`/usr/lib/cni`):
//! `cargo run --release --features cni --example cni_pod`.

use netplumb::NetNs;
use netplumb::cni::{CniRuntime, PodNetwork};
use std::net::{SocketAddr, UdpSocket};
use std::os::fd::{AsFd, AsRawFd};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

const PLUGINS: &str = "/usr/lib/cni";

type Error = Box<dyn std::error::Error + Send + Sync>;

fn main() -> ExitCode {
    if !Path::new(PLUGINS).join("bridge").is_file() {
        eprintln!("cni_pod: {PLUGINS}/bridge is missing (apt install containernetworking-plugins)");
        return ExitCode::FAILURE;
    }
    let dir = std::env::temp_dir().join(format!("np-cni-pod-{}", std::process::id()));
    let result = run(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cni_pod: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(dir: &Path) -> Result<(), Error> {
    let conf = dir.join("net.d");
    std::fs::create_dir_all(&conf)?;
    let network = serde_json::json!({
        "cniVersion": "1.0.0",
        "name": "pods",
        "plugins": [
            {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": false,
             "ipam": {"type": "host-local", "dataDir": dir.join("ipam"),
                      "ranges": [[{"subnet": "198.18.0.0/24"}]],
                      "routes": [{"dst": "0.0.0.0/0"}]}}
        ]
    });
    std::fs::write(
        conf.join("10-pods.conflist"),
        serde_json::to_vec_pretty(&network)?,
    )?;

    let host = NetNs::new_anonymous()?;
    let pod_ns = NetNs::new_anonymous()?;
    let pod_path = format!(
        "/proc/{}/fd/{}",
        std::process::id(),
        pod_ns.as_fd().as_raw_fd()
    );
    let pod = PodNetwork {
        name: "web".into(),
        namespace: "default".into(),
        id: "cni-pod-example".into(),
        uid: "0b6e1f9a-example".into(),
        netns: pod_path,
        ..Default::default()
    };
    let cache: PathBuf = dir.join("cache");
    // Everything that changes "the host" happens on this thread, inside `host`.
    host.run(|| -> Result<(), Error> {
        netplumb::Handle::new()?.link_up("lo")?;
        let runtime = CniRuntime::builder()
            .conf_dir(&conf)
            .bin_dir(PLUGINS)
            .cache_dir(&cache)
            .watch(false)
            .build()?;
        println!("default network: {:?}", runtime.default_network_name());
        let results = runtime.set_up_pod(&pod, None)?;
        let used = use_pod(&runtime, &pod, &pod_ns, &results);
        // Torn down whatever happened while it was up.
        runtime.tear_down_pod(&pod, None)?;
        used?;
        let left = std::fs::read_dir(cache.join("results"))?.count();
        if left != 0 {
            return Err(format!("{left} cache entries left after the teardown").into());
        }
        println!("torn down; nothing cached");
        Ok(())
    })??;
    let pod_links = netplumb::Handle::in_netns(&pod_ns)?.link_list(&Default::default())?;
    if pod_links.len() != 1 {
        return Err(format!("the pod still has {} links", pod_links.len()).into());
    }
    println!("the pod is back to lo only");
    Ok(())
}

/// Prints the pod's addresses, sends it a datagram, and asks for its status.
fn use_pod(
    runtime: &CniRuntime,
    pod: &PodNetwork,
    pod_ns: &NetNs,
    results: &[netplumb::cni::NetResult],
) -> Result<(), Error> {
    for r in results {
        for ip in &r.result.ips {
            println!(
                "{} {}: {}",
                r.attachment.name, r.attachment.ifname, ip.address
            );
        }
    }
    let ip = results
        .first()
        .and_then(|r| r.result.ips.first())
        .map(|i| i.address.addr())
        .ok_or("no address in the result")?;
    // Packets: a datagram from the host to a socket made inside the pod.
    let to = SocketAddr::new(ip, 7000);
    let rx = pod_ns.run(|| UdpSocket::bind(to))??;
    rx.set_read_timeout(Some(Duration::from_secs(5)))?;
    let tx = UdpSocket::bind("0.0.0.0:0")?;
    let mut buf = [0u8; 8];
    let mut arrived = false;
    for _ in 0..5 {
        tx.send_to(b"hello", to)?;
        if let Ok((n, _)) = rx.recv_from(&mut buf) {
            arrived = &buf[..n] == b"hello";
            break;
        }
    }
    if !arrived {
        return Err(format!("no datagram reached the pod at {to}").into());
    }
    println!("the host reached the pod at {to}");
    let status = runtime.pod_network_status(pod, None)?;
    println!("status: {} network(s), CHECK passed", status.len());
    Ok(())
}
