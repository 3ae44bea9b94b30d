//! Usage texts in iproute2's notation (`[ ]` optional, `{ | }` choice, upper case for
//! values), limited to what netplumb understands: the tool's here, each object's next to
//! its grammar ([`crate::cmd::Object::topic`]).

/// A usage text and the object it belongs to: `help` prints it, usage errors end with a hint
/// naming it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Topic {
    object: &'static str,
    text: &'static str,
}

impl Topic {
    /// The usage of `object` (as the help command spells it: `link`, `address`); `text`
    /// starts with `Usage: netplumb`.
    pub const fn new(object: &'static str, text: &'static str) -> Topic {
        Topic { object, text }
    }

    /// The object word as the help command spells it; empty for the tool itself.
    pub fn object(self) -> &'static str {
        self.object
    }

    /// `Try "netplumb link help".`
    pub fn hint(self) -> String {
        match self.object {
            "" => "Try \"netplumb help\".".to_string(),
            o => format!("Try \"netplumb {o} help\"."),
        }
    }

    /// The usage text.
    pub fn text(self) -> &'static str {
        self.text
    }
}

/// `netplumb help`.
pub const MAIN: Topic = Topic::new("", MAIN_TEXT);

const MAIN_TEXT: &str = "\
Usage: netplumb [ OPTIONS ] OBJECT { COMMAND | help }
       netplumb [ -force ] -batch FILENAME
       netplumb decode [ protocol { route | netfilter } ] [ FILE ]
       netplumb [ -n NAME ] vm run [ --tap NAME ] [ --bridge NAME ] -- CMD [ ARGS ]
       netplumb cni { add | check | del | status | gc } NETNAME NETNS
where  OBJECT := { link | address | route | rule | neigh | tuntap | netns | monitor |
                   help }
       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -j[son] | -p[retty] |
                    -f[amily] { inet | inet6 | link } | -4 | -6 | -0 |
                    -o[neline] | -b[atch] FILENAME | -force | -n[etns] NAME |
                    -he[lp] }
Objects are the same as ip(8)'s and may be abbreviated (l, a, r, n, ...).
netplumb's own: vm (a VM behind a tap in a pod's namespace: netplumb vm help) and
cni (cnitool's drop-in, built with feature cni: netplumb cni help).
";
