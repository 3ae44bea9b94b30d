//! `tuntap` and `tap` (ip-tuntap(8)).

use crate::args::{Cursor, Globals};
use crate::cmd::{Command, Object, pick};
use crate::error::Res;
use crate::help::Topic;
use crate::words::{matches, parse_dec};
use netplumb::tun::Mode;

/// The `tuntap` object (also `tap`).
pub const OBJECT: Object = Object {
    topic: TOPIC,
    parse,
};

/// `netplumb tuntap help`.
pub const TOPIC: Topic = Topic::new("tuntap", USAGE);

const USAGE: &str = "\
Usage: netplumb tuntap { add | del | show | list | lst | help } [ dev ] NAME
          [ mode { tun | tap } ] [ user USER ] [ group GROUP ]
          [ one_queue ] [ pi ] [ vnet_hdr ] [ multi_queue ]
Where: USER  := { STRING | NUMBER }
       GROUP := { STRING | NUMBER }
";

/// A `tuntap` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TuntapCmd {
    /// `add`: TUNSETIFF + TUNSETPERSIST(1) on /dev/net/tun.
    Add(Tuntap),
    /// `del`: TUNSETIFF + TUNSETPERSIST(0).
    Del(Tuntap),
    /// `show`, `list`, `lst`: the tun/tap links and their flags.
    Show(TuntapShow),
}

/// `tuntap add|del [dev] NAME mode tun|tap [options]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tuntap {
    /// The device name; `None` lets the kernel pick (`tun0`).
    pub name: Option<String>,
    /// `mode tun|tap`: required.
    pub mode: Mode,
    /// `user U`: owner uid (names resolved from /etc/passwd).
    pub user: Option<u32>,
    /// `group G`: owner gid (names resolved from /etc/group).
    pub group: Option<u32>,
    /// `multi_queue` (IFF_MULTI_QUEUE).
    pub multi_queue: bool,
    /// `vnet_hdr` (IFF_VNET_HDR).
    pub vnet_hdr: bool,
    /// `pi`: keep the packet information header (no IFF_NO_PI).
    pub pi: bool,
    /// `one_queue` (IFF_ONE_QUEUE, ignored by modern kernels).
    pub one_queue: bool,
}

/// `tuntap show [dev NAME] [mode tun|tap]` (`ip` 6.1 parses and ignores these).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TuntapShow {
    /// Only this device.
    pub name: Option<String>,
    /// Only this mode.
    pub mode: Option<Mode>,
}

/// `tuntap` (and `tap`) words after the object.
fn parse(c: &mut Cursor, _: &Globals) -> Res<Command> {
    #[derive(Clone, Copy)]
    enum Verb {
        Add,
        Del,
        Show,
        Help,
    }
    let Some(w) = c.word() else {
        return Ok(Command::of(TuntapCmd::Show(TuntapShow::default())));
    };
    let verb = pick(
        w,
        &[
            ("add", Verb::Add),
            ("delete", Verb::Del),
            ("show", Verb::Show),
            ("list", Verb::Show),
            ("lst", Verb::Show),
            ("help", Verb::Help),
        ],
    )
    .ok_or_else(|| c.unknown_command(w))?;
    Ok(Command::of(match verb {
        Verb::Help => return Ok(Command::Help(TOPIC)),
        Verb::Show => {
            let t = parse_tuntap_words(c)?;
            TuntapCmd::Show(TuntapShow {
                name: t.name,
                mode: t.mode,
            })
        }
        Verb::Add | Verb::Del => {
            let t = parse_tuntap_words(c)?;
            let mode = t
                .mode
                .ok_or_else(|| c.usage("You failed to specify a tunnel mode"))?;
            let tt = Tuntap {
                name: t.name,
                mode,
                user: t.user,
                group: t.group,
                multi_queue: t.multi_queue,
                vnet_hdr: t.vnet_hdr,
                pi: t.pi,
                one_queue: t.one_queue,
            };
            if matches!(verb, Verb::Add) {
                TuntapCmd::Add(tt)
            } else {
                TuntapCmd::Del(tt)
            }
        }
    }))
}

#[derive(Default)]
struct TuntapWords {
    name: Option<String>,
    mode: Option<Mode>,
    user: Option<u32>,
    group: Option<u32>,
    multi_queue: bool,
    vnet_hdr: bool,
    pi: bool,
    one_queue: bool,
}

fn parse_tuntap_words(c: &mut Cursor) -> Res<TuntapWords> {
    let mut t = TuntapWords::default();
    while let Some(w) = c.word() {
        let m = |k: &str| matches(w, k);
        if m("mode") {
            let v = c.value()?;
            let mode = match v {
                "tun" => Mode::Tun,
                "tap" => Mode::Tap,
                _ => return Err(c.usage(format_args!("Unknown tunnel mode \"{v}\""))),
            };
            if t.mode.is_some() {
                return Err(c.usage("You managed to ask for more than one tunnel mode."));
            }
            t.mode = Some(mode);
        } else if m("user") {
            let v = c.value()?;
            // ip: `strtol(.., 10)`, then the name.
            let id = dec_u32(v).or_else(|| id_of("/etc/passwd", v));
            t.user = Some(id.ok_or_else(|| c.usage(format_args!("invalid user \"{v}\"")))?);
        } else if m("group") {
            let v = c.value()?;
            let id = dec_u32(v).or_else(|| id_of("/etc/group", v));
            t.group = Some(id.ok_or_else(|| c.usage(format_args!("invalid group \"{v}\"")))?);
        } else if m("multi_queue") {
            t.multi_queue = true;
        } else if m("vnet_hdr") {
            t.vnet_hdr = true;
        } else if m("pi") {
            t.pi = true;
        } else if m("one_queue") {
            t.one_queue = true;
        } else if matches(w, "help") {
            return Err(c.help());
        } else {
            let w = if w == "dev" || w == "name" {
                c.value()?
            } else {
                w
            };
            if t.name.is_some() {
                return Err(c.garbage("name", w));
            }
            t.name = Some(c.new_ifname(w, "dev")?);
        }
    }
    Ok(t)
}

/// The id of `name` in an /etc/passwd or /etc/group style file (`name:x:ID:...`).
fn id_of(file: &str, name: &str) -> Option<u32> {
    let text = std::fs::read_to_string(file).ok()?;
    id_in(&text, name)
}

fn id_in(text: &str, name: &str) -> Option<u32> {
    text.lines().find_map(|line| {
        let mut f = line.split(':');
        (f.next()? == name).then_some(())?;
        dec_u32(f.nth(1)?)
    })
}

/// A decimal number (`strtol(.., 10)`) that fits in a u32.
fn dec_u32(s: &str) -> Option<u32> {
    parse_dec(s).and_then(|n| u32::try_from(n).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{err, parse_as, parse_ok};

    fn tuntap(line: &str) -> TuntapCmd {
        parse_as(line)
    }

    #[test]
    fn tuntap_forms() {
        let t =
            tuntap("tuntap add dev t2 mode tap user 0 group 0 multi_queue vnet_hdr pi one_queue");
        assert_eq!(
            t,
            TuntapCmd::Add(Tuntap {
                name: Some("t2".into()),
                mode: Mode::Tap,
                user: Some(0),
                group: Some(0),
                multi_queue: true,
                vnet_hdr: true,
                pi: true,
                one_queue: true,
            })
        );
        let TuntapCmd::Add(t) = tuntap("tuntap add t1 m tun u root g root mu v p o") else {
            panic!()
        };
        assert_eq!(
            (t.name.as_deref(), t.mode, t.user, t.group),
            (Some("t1"), Mode::Tun, Some(0), Some(0))
        );
        assert!(t.multi_queue && t.vnet_hdr && t.pi && t.one_queue);
        let TuntapCmd::Add(t) = tuntap("tap a mode tun") else {
            panic!()
        };
        assert_eq!(t.name, None);
        assert!(matches!(
            tuntap("tuntap del t1 mode tun"),
            TuntapCmd::Del(_)
        ));
        assert!(matches!(
            tuntap("tuntap d name t1 mode tun"),
            TuntapCmd::Del(_)
        ));
        for line in [
            "tuntap",
            "tuntap show",
            "tuntap s",
            "tuntap list",
            "tuntap l",
            "tuntap lst",
        ] {
            assert_eq!(
                tuntap(line),
                TuntapCmd::Show(TuntapShow::default()),
                "{line}"
            );
        }
        assert_eq!(
            tuntap("tuntap show dev t1 mode tap"),
            TuntapCmd::Show(TuntapShow {
                name: Some("t1".into()),
                mode: Some(Mode::Tap)
            })
        );
        assert_eq!(parse_ok("tuntap help"), Command::Help(TOPIC));
        for (line, first) in [
            ("tuntap add t3", "You failed to specify a tunnel mode"),
            ("tuntap del t2", "You failed to specify a tunnel mode"),
            ("tuntap add t3 mode foo", "Unknown tunnel mode \"foo\""),
            (
                "tuntap add t4 t5 mode tun",
                "Error: either \"name\" is duplicate, or \"t5\" is a garbage.",
            ),
            (
                "tuntap add t4 mode tun name t5",
                "Error: either \"name\" is duplicate, or \"t5\" is a garbage.",
            ),
            (
                "tuntap add t4 mode tun mode tap",
                "You managed to ask for more than one tunnel mode.",
            ),
            (
                "tuntap add t3 mode tun user no-such-user-xyz",
                "invalid user \"no-such-user-xyz\"",
            ),
            (
                "tuntap add t3 mode tun group no-such-group-xyz",
                "invalid group \"no-such-group-xyz\"",
            ),
            (
                "tuntap add 0123456789abcdef mode tun",
                "Error: argument \"0123456789abcdef\" is wrong: \"dev\" not a valid ifname",
            ),
            (
                "tuntap e",
                "Command \"e\" is unknown, try \"netplumb tuntap help\".",
            ),
        ] {
            let e = err(line);
            assert!(e.starts_with(first), "{line}:\n{e}");
        }
    }

    #[test]
    fn passwd_and_group_files() {
        let text = "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534::/:/sbin/nologin\nbad\n";
        assert_eq!(id_in(text, "root"), Some(0));
        assert_eq!(id_in(text, "nobody"), Some(65534));
        assert_eq!(id_in(text, "bad"), None);
        assert_eq!(id_in(text, "x"), None);
        assert_eq!(id_in("staff:x:50:alice,bob\n", "staff"), Some(50));
    }
}
