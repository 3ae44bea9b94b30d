//! Usage texts, one per object, in iproute2's notation (`[ ]` optional, `{ | }` choice, upper
//! case for values) and limited to what netplumb understands.

/// Which usage text: the whole tool or one object. Usage errors end with a hint naming it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// `netplumb help`.
    Main,
    /// `netplumb link help`.
    Link,
    /// `netplumb address help`.
    Addr,
    /// `netplumb route help`.
    Route,
    /// `netplumb neigh help`.
    Neigh,
    /// `netplumb tuntap help`.
    Tuntap,
    /// `netplumb netns help`.
    Netns,
    /// `netplumb monitor help`.
    Monitor,
    /// `netplumb decode help`.
    Decode,
}

impl Topic {
    /// The object word as the help command spells it.
    pub fn object(self) -> &'static str {
        match self {
            Topic::Main => "",
            Topic::Link => "link",
            Topic::Addr => "address",
            Topic::Route => "route",
            Topic::Neigh => "neigh",
            Topic::Tuntap => "tuntap",
            Topic::Netns => "netns",
            Topic::Monitor => "monitor",
            Topic::Decode => "decode",
        }
    }

    /// `Try "netplumb link help".`
    pub fn hint(self) -> String {
        match self {
            Topic::Main => "Try \"netplumb help\".".to_string(),
            t => format!("Try \"netplumb {} help\".", t.object()),
        }
    }

    /// The usage text.
    pub fn text(self) -> &'static str {
        match self {
            Topic::Main => MAIN,
            Topic::Link => LINK,
            Topic::Addr => ADDR,
            Topic::Route => ROUTE,
            Topic::Neigh => NEIGH,
            Topic::Tuntap => TUNTAP,
            Topic::Netns => NETNS,
            Topic::Monitor => MONITOR,
            Topic::Decode => DECODE,
        }
    }
}

const MAIN: &str = "\
Usage: netplumb [ OPTIONS ] OBJECT { COMMAND | help }
       netplumb [ -force ] -batch FILENAME
       netplumb decode [ FILE ]
where  OBJECT := { link | address | route | neigh | tuntap | netns | monitor | help }
       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -j[son] | -p[retty] |
                    -f[amily] { inet | inet6 | link } | -4 | -6 | -0 |
                    -o[neline] | -b[atch] FILENAME | -force | -n[etns] NAME |
                    -he[lp] }
Objects are the same as ip(8)'s and may be abbreviated (l, a, r, n, ...).
";

const LINK: &str = "\
Usage: netplumb link add [ link DEV ] [ name ] NAME
                   [ txqueuelen PACKETS ] [ address LLADDR ] [ broadcast LLADDR ]
                   [ mtu MTU ] [ numtxqueues QUEUES ] [ numrxqueues QUEUES ]
                   [ netns { NAME | PID } ] [ group GROUP ] [ up ]
                   type TYPE [ ARGS ]
       netplumb link delete { DEVICE | dev DEVICE | group GROUP } [ type TYPE ]
       netplumb link set { DEVICE | dev DEVICE | group GROUP }
                   [ { up | down } ] [ name NEWNAME ] [ mtu MTU ]
                   [ address LLADDR ] [ broadcast LLADDR ]
                   [ txqueuelen PACKETS ] [ arp { on | off } ]
                   [ multicast { on | off } ] [ allmulticast { on | off } ]
                   [ promisc { on | off } ] [ carrier { on | off } ]
                   [ netns { NAME | PID } ] [ alias NAME ] [ group GROUP ]
                   [ master DEVICE ] [ nomaster ] [ addrgenmode MODE ]
                   [ type TYPE ARGS ]
       netplumb link show [ [ dev ] DEVICE | group GROUP ] [ up ] [ master DEVICE ]
                   [ type TYPE ] [ nomaster ]
       netplumb link help
TYPE := { veth | bridge | bridge_slave | macvlan | macvtap | vxlan | ifb | ... }
veth ARGS := [ peer [ name ] NAME [ mtu MTU ] [ address LLADDR ] [ txqueuelen N ]
                    [ netns { NAME | PID } ] ... ]
bridge ARGS := [ stp_state { 0 | 1 } ] [ forward_delay N ] [ hello_time N ] [ max_age N ]
               [ ageing_time N ] [ priority N ] [ vlan_filtering { 0 | 1 } ]
               [ mcast_snooping { 0 | 1 } ] ...
bridge_slave ARGS := [ state N ] [ priority N ] [ cost N ] [ hairpin { on | off } ]
               [ learning { on | off } ] [ flood { on | off } ] [ guard { on | off } ] ...
macvlan, macvtap ARGS := [ mode { private | vepa | bridge | passthru [ nopromisc ] | source } ]
vxlan ARGS := id VNI [ { group | remote } IPADDR ] [ local IPADDR ] [ dev PHYS_DEV ]
              [ dstport PORT ] [ ttl TTL ] [ tos TOS ] [ [no]learning ] ...
";

const ADDR: &str = "\
Usage: netplumb address { add | change | replace } IFADDR dev IFNAME [ LIFETIME ]
                                                   [ CONFFLAG-LIST ]
       netplumb address del IFADDR dev IFNAME
       netplumb address { show | flush } [ dev IFNAME ] [ scope SCOPE-ID ]
                                         [ to PREFIX ] [ FLAG-LIST ] [ label LABEL ] [ up ]
IFADDR := PREFIX | [ local ] PREFIX [ peer PREFIX ] [ broadcast ADDR | + | - ]
          [ anycast ADDR ] [ label IFNAME ] [ scope SCOPE-ID ] [ metric METRIC ]
SCOPE-ID := [ host | link | global | site | NUMBER ]
FLAG-LIST := [ FLAG-LIST ] FLAG
FLAG := [ permanent | dynamic | secondary | primary | [-]tentative | [-]deprecated |
          [-]dadfailed | temporary | CONFFLAG-LIST ]
CONFFLAG-LIST := [ CONFFLAG-LIST ] CONFFLAG
CONFFLAG := [ home | nodad | mngtmpaddr | noprefixroute | autojoin | optimistic ]
LIFETIME := [ valid_lft LFT ] [ preferred_lft LFT ]
LFT := { forever | SECONDS }
";

const ROUTE: &str = "\
Usage: netplumb route { list | flush } SELECTOR
       netplumb route get [ to ] ADDRESS [ from ADDRESS ] [ iif STRING ]
                          [ oif STRING ] [ mark NUMBER ] [ tos TOS ] [ vrf NAME ]
       netplumb route { add | del | change | append | replace | prepend } ROUTE
SELECTOR := [ root PREFIX ] [ match PREFIX ] [ exact PREFIX ]
            [ table TABLE_ID ] [ vrf NAME ] [ proto RTPROTO ]
            [ type TYPE ] [ scope SCOPE ] [ dev STRING ] [ via ADDRESS ] [ src PREFIX ]
ROUTE := NODE_SPEC [ INFO_SPEC ]
NODE_SPEC := [ TYPE ] PREFIX [ tos TOS ] [ table TABLE_ID ] [ proto RTPROTO ]
             [ scope SCOPE ] [ metric METRIC ]
INFO_SPEC := NH OPTIONS FLAGS [ nexthop NH ]...
NH := [ via [ FAMILY ] ADDRESS ] [ dev STRING ] [ weight NUMBER ] NHFLAGS
FAMILY := [ inet | inet6 ]
OPTIONS := FLAGS [ mtu NUMBER ] [ advmss NUMBER ] [ rtt TIME ] [ rttvar TIME ]
           [ reordering NUMBER ] [ window NUMBER ] [ cwnd NUMBER ] [ initcwnd NUMBER ]
           [ ssthresh NUMBER ] [ realms REALM ] [ src ADDRESS ] [ rto_min TIME ]
           [ hoplimit NUMBER ] [ initrwnd NUMBER ] [ features FEATURES ]
           [ quickack BOOL ] [ congctl NAME ] [ pref PREF ] [ expires TIME ]
TYPE := { unicast | local | broadcast | multicast | throw | unreachable | prohibit |
          blackhole | nat }
TABLE_ID := [ local | main | default | all | NUMBER ]
SCOPE := [ host | link | global | NUMBER ]
NHFLAGS := [ onlink ]
RTPROTO := [ kernel | boot | static | NUMBER ]
PREF := [ low | medium | high ]
TIME := NUMBER[s|ms]
";

const NEIGH: &str = "\
Usage: netplumb neigh { add | del | change | replace }
                      { ADDR [ lladdr LLADDR ] [ nud STATE ] proxy ADDR } [ dev DEV ]
                      [ router ] [ use ] [ managed ] [ extern_learn ] [ protocol PROTO ]
       netplumb neigh { show | flush } [ proxy ] [ to PREFIX ] [ dev DEV ] [ nud STATE ]
                      [ unused ]
       netplumb neigh get { ADDR | proxy ADDR } dev DEV
STATE := { delay | failed | incomplete | noarp | none | permanent | probe | reachable |
           stale }
";

const TUNTAP: &str = "\
Usage: netplumb tuntap { add | del | show | list | lst | help } [ dev ] NAME
          [ mode { tun | tap } ] [ user USER ] [ group GROUP ]
          [ one_queue ] [ pi ] [ vnet_hdr ] [ multi_queue ]
Where: USER  := { STRING | NUMBER }
       GROUP := { STRING | NUMBER }
";

const NETNS: &str = "\
Usage: netplumb netns list
       netplumb netns add NAME
       netplumb netns set NAME NETNSID
       netplumb [ -all ] netns delete [ NAME ]
       netplumb netns identify [ PID ]
       netplumb netns pids NAME
       netplumb [ -all ] netns exec [ NAME ] cmd ...
       netplumb netns monitor
       netplumb netns list-id
NETNSID := auto | POSITIVE-INT
";

const MONITOR: &str = "\
Usage: netplumb monitor [ all | OBJECTS ] [ label ] [ all-nsid ] [ dev DEVICE ]
OBJECTS := { link | address | route | neigh | ... }
";

const DECODE: &str = "\
Usage: netplumb decode [ FILE ]
Decodes netlink messages from FILE (or standard input when FILE is absent or \"-\"):
raw bytes, or annotated hex text where '#' starts a comment.
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_name_the_object() {
        assert_eq!(Topic::Link.hint(), "Try \"netplumb link help\".");
        assert_eq!(Topic::Main.hint(), "Try \"netplumb help\".");
        for t in [
            Topic::Main,
            Topic::Link,
            Topic::Addr,
            Topic::Route,
            Topic::Neigh,
            Topic::Tuntap,
            Topic::Netns,
            Topic::Monitor,
            Topic::Decode,
        ] {
            assert!(t.text().starts_with("Usage: netplumb"), "{t:?}");
            assert!(t.text().contains(t.object()));
        }
    }
}
