//! A link's XDP programs (`IFLA_XDP`) as `ip link show` prints them (`xdp_dump` of iproute2
//! 6.1's `ip/iplink_xdp.c`): the mode after the MTU (`xdp`, `xdpgeneric`, `xdpoffload`,
//! `xdpmulti`, with `/id:N` outside `link show`), the `xdp` JSON object, and with `-d` (or in
//! `link show`) a `prog/xdp id N` line per program.
//!
//! What `ip` adds about each program it can open by id with the bpf syscall (`name`, `tag`,
//! `jited`) is not printed: netplumb prints the id alone, as `ip` does for a program it
//! cannot open.

use super::Rec;
use crate::json::Value;
use netplumb::wire::link::{
    XDP_ATTACHED_DRV, XDP_ATTACHED_HW, XDP_ATTACHED_MULTI, XDP_ATTACHED_SKB, Xdp, XdpAttr,
};

/// `XDP_ATTACHED_NONE`.
const XDP_ATTACHED_NONE: u8 = 0;

/// The first attribute `f` picks.
fn get(x: &Xdp, f: fn(&XdpAttr) -> Option<u32>) -> Option<u32> {
    x.0.iter().find_map(f)
}

fn skb(a: &XdpAttr) -> Option<u32> {
    match a {
        XdpAttr::SkbProgId(v) => Some(*v),
        _ => None,
    }
}

fn drv(a: &XdpAttr) -> Option<u32> {
    match a {
        XdpAttr::DrvProgId(v) => Some(*v),
        _ => None,
    }
}

fn hw(a: &XdpAttr) -> Option<u32> {
    match a {
        XdpAttr::HwProgId(v) => Some(*v),
        _ => None,
    }
}

/// `bpf_dump_prog_info` in JSON, for a program that is not opened: `{"id": N}`.
fn prog(id: u32) -> Value {
    let mut p = Value::object();
    p.push("id", id);
    p
}

/// `xdp_dump(.., link, details)`: the first call (`details` false) prints the mode and, in
/// JSON, the `xdp` object; the second (`details` true) the program lines.
pub fn xdp(rec: &mut Rec, x: &Xdp, link: bool, details: bool) {
    let mode = x.attached().unwrap_or(XDP_ATTACHED_NONE);
    if mode == XDP_ATTACHED_NONE {
        return;
    }
    if !details {
        rec.json("xdp", xdp_json(x, mode));
    }
    if !(details && link) {
        match mode {
            XDP_ATTACHED_DRV => rec.text("xdp"),
            XDP_ATTACHED_SKB => rec.text("xdpgeneric"),
            XDP_ATTACHED_HW => rec.text("xdpoffload"),
            XDP_ATTACHED_MULTI => rec.text("xdpmulti"),
            m => rec.text(format_args!("xdp[{m}]")),
        };
    }
    let one = |rec: &mut Rec, id: Option<u32>, is_prog_id: bool, pfx: &str| {
        let Some(id) = id else { return };
        if !details {
            if id != 0 && !link && is_prog_id {
                rec.text(format_args!("/id:{id}"));
            }
            return;
        }
        if id != 0 {
            rec.text(format_args!("\n    prog/xdp{pfx} id {id} "));
        }
    };
    one(rec, x.prog_id(), true, "");
    if mode == XDP_ATTACHED_MULTI {
        one(rec, get(x, skb), false, "generic");
        one(rec, get(x, drv), false, "drv");
        one(rec, get(x, hw), false, "offload");
    }
    if !details || !link {
        rec.text(" ");
    }
}

/// `xdp_dump_json`.
fn xdp_json(x: &Xdp, mode: u8) -> Value {
    let mut o = Value::object();
    o.push("mode", u32::from(mode));
    let prog_id = x.prog_id().unwrap_or(0);
    if prog_id != 0 {
        o.push("prog", prog(prog_id));
    }
    let mut attached = Vec::new();
    let mut one = |id: Option<u32>, m: u8| {
        if let Some(id) = id {
            let mut a = Value::object();
            a.push("mode", u32::from(m));
            a.push("prog", prog(id));
            attached.push(a);
        }
    };
    let (s, d, h) = (get(x, skb), get(x, drv), get(x, hw));
    if s.is_some() || d.is_some() || h.is_some() {
        one(s, XDP_ATTACHED_SKB);
        one(d, XDP_ATTACHED_DRV);
        one(h, XDP_ATTACHED_HW);
    } else if let Some(id) = x.prog_id() {
        one(Some(id), mode);
    }
    o.push("attached", attached);
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(x: &Xdp, link: bool, details: bool) -> (String, String) {
        let mut r = Rec::new();
        xdp(&mut r, x, link, details);
        (r.text_str().to_string(), r.into_value().to_text(false))
    }

    #[test]
    fn modes_ids_and_json() {
        let generic = Xdp(vec![XdpAttr::Attached(2), XdpAttr::ProgId(7)]);
        assert_eq!(
            render(&generic, false, false),
            (
                "xdpgeneric/id:7 ".into(),
                r#"{"xdp":{"mode":2,"prog":{"id":7},"attached":[{"mode":2,"prog":{"id":7}}]}}"#
                    .into()
            )
        );
        assert_eq!(render(&generic, true, false).0, "xdpgeneric ");
        assert_eq!(
            render(&generic, true, true),
            ("\n    prog/xdp id 7 ".into(), "{}".into())
        );
        assert_eq!(
            render(&generic, false, true).0,
            "xdpgeneric\n    prog/xdp id 7  "
        );
        let multi = Xdp(vec![
            XdpAttr::Attached(4),
            XdpAttr::SkbProgId(1),
            XdpAttr::DrvProgId(2),
        ]);
        assert_eq!(
            render(&multi, true, true).0,
            "\n    prog/xdpgeneric id 1 \n    prog/xdpdrv id 2 "
        );
        assert_eq!(
            render(&multi, false, false).1,
            r#"{"xdp":{"mode":4,"attached":[{"mode":2,"prog":{"id":1}},{"mode":1,"prog":{"id":2}}]}}"#
        );
        assert_eq!(render(&Xdp(vec![XdpAttr::Attached(0)]), false, false).0, "");
        assert_eq!(
            render(&Xdp(vec![XdpAttr::Attached(9)]), true, false).0,
            "xdp[9] "
        );
    }
}
