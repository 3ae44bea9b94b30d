//! The command line of `vm run`.

/// `vm run [--tap NAME]... [--bridge NAME]... -- CMD [ARGS...]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOpts {
    /// Tap names, one per interface in order.
    pub taps: Vec<String>,
    /// Bridge names, one per interface in order.
    pub bridges: Vec<String>,
    /// CMD and its arguments (never empty).
    pub command: Vec<String>,
}

/// Parses the words after `vm run`.
pub fn parse(args: &[String]) -> Result<RunOpts, String> {
    let mut opts = RunOpts {
        taps: Vec::new(),
        bridges: Vec::new(),
        command: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let list = match a.as_str() {
            "--" => {
                opts.command = it.cloned().collect();
                break;
            }
            "--tap" | "-tap" => &mut opts.taps,
            "--bridge" | "-bridge" => &mut opts.bridges,
            other => return Err(format!("unexpected \"{other}\" (CMD goes after \"--\")")),
        };
        let v = it.next().ok_or_else(|| format!("\"{a}\" needs a name"))?;
        netplumb::ifname::validate(v).map_err(|e| e.to_string())?;
        list.push(v.clone());
    }
    if opts.command.is_empty() {
        return Err("no command given (CMD goes after \"--\")".into());
    }
    Ok(opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn options_then_command() {
        let o = parse(&words(
            "--tap t0 --bridge b0 --tap t1 -- qemu -m 64 --tap x",
        ))
        .unwrap();
        assert_eq!(o.taps, ["t0", "t1"]);
        assert_eq!(o.bridges, ["b0"]);
        assert_eq!(o.command, words("qemu -m 64 --tap x"));
        assert_eq!(parse(&words("-- true")).unwrap().command, ["true"]);
    }

    #[test]
    fn mistakes() {
        for bad in [
            "",
            "--",
            "true",
            "--tap",
            "--tap a/b -- true",
            "--bogus x -- true",
        ] {
            assert!(parse(&words(bad)).is_err(), "{bad:?}");
        }
    }
}
