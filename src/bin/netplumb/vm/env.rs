//! The VM's settings as environment variables for CMD.

use netplumb::container::vm::{PodRoute, VmInterface};

/// The first descriptor a tap gets in CMD (interface N gets `FIRST_TAP_FD + N`).
pub const FIRST_TAP_FD: i32 = 3;

/// `(name, value)` for every `NETPLUMB_VM_*` variable (see the help text).
pub fn vm_vars(interfaces: &[VmInterface]) -> Vec<(String, String)> {
    let mut vars = vec![(
        "NETPLUMB_VM_INTERFACES".to_string(),
        interfaces.len().to_string(),
    )];
    for (n, i) in interfaces.iter().enumerate() {
        let fd = FIRST_TAP_FD + i32::try_from(n).unwrap_or(i32::MAX - FIRST_TAP_FD);
        let values = [
            ("MAC", i.mac().to_string()),
            ("IP", i.info.address.to_string()),
            (
                "GW",
                i.info.gateway.map(|g| g.to_string()).unwrap_or_default(),
            ),
            ("ROUTES", routes_json(&i.info.routes)),
            ("MTU", i.mtu().to_string()),
            ("FD", fd.to_string()),
        ];
        for (key, value) in values {
            if n == 0 {
                vars.push((format!("NETPLUMB_VM_{key}"), value.clone()));
            }
            vars.push((format!("NETPLUMB_VM_{key}_{n}"), value));
        }
    }
    vars
}

/// `[{"dst":"0.0.0.0/0","gw":"198.18.0.1"},{"dst":"198.19.0.0/16"}]`: addresses need no
/// escaping.
fn routes_json(routes: &[PodRoute]) -> String {
    let items: Vec<String> = routes
        .iter()
        .map(|r| match r.gw {
            Some(gw) => format!("{{\"dst\":\"{}\",\"gw\":\"{gw}\"}}", r.dst),
            None => format!("{{\"dst\":\"{}\"}}", r.dst),
        })
        .collect();
    format!("[{}]", items.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_as_json() {
        let r = |dst: &str, gw: Option<&str>| PodRoute {
            dst: dst.parse().unwrap(),
            gw: gw.map(|g| g.parse().unwrap()),
        };
        assert_eq!(routes_json(&[]), "[]");
        assert_eq!(
            routes_json(&[r("0.0.0.0/0", Some("198.18.0.1")), r("198.19.0.0/16", None)]),
            r#"[{"dst":"0.0.0.0/0","gw":"198.18.0.1"},{"dst":"198.19.0.0/16"}]"#
        );
    }
}
