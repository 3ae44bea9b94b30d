// np-libcni: libcni (Debian's golang-github-appc-cni-dev) driven from the command line, the
// oracle of netplumb's CNI tests and benchmark. Built offline in GOPATH mode
// (GO111MODULE=off) by tests/cni/fixture.rs and benches/cni.rs.
//
//	np-libcni add|check|del|cached CACHEDIR CNIPATH CONFFILE CONTAINERID NETNS IFNAME
//	np-libcni cnitool add|check|del NETNAME NETNS   (cnitool's arguments and environment)
//	np-libcni bench N CACHEDIR CNIPATH CONFFILE NETNS
//
// "cached" prints {"result", "config", "args", "capabilityArgs"} as libcni reads them from
// the cache. "bench" runs N ADD+DEL pairs and prints this process's own CPU seconds
// (getrusage RUSAGE_SELF, plugins excluded) spent in the ADDs and in the DELs.
package main

import (
	"context"
	"crypto/sha512"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/containernetworking/cni/libcni"
)

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func loadList(file string) *libcni.NetworkConfigList {
	if strings.HasSuffix(file, ".conflist") {
		l, err := libcni.ConfListFromFile(file)
		if err != nil {
			fail(err)
		}
		return l
	}
	c, err := libcni.ConfFromFile(file)
	if err != nil {
		fail(err)
	}
	l, err := libcni.ConfListFromConf(c)
	if err != nil {
		fail(err)
	}
	return l
}

func printJSON(v interface{}) {
	b, err := json.Marshal(v)
	if err != nil {
		fail(err)
	}
	os.Stdout.Write(b)
}

func cpu() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		fail(err)
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

func cnitool(args []string) {
	if len(args) < 3 {
		fail(fmt.Errorf("usage: np-libcni cnitool add|check|del NETNAME NETNS"))
	}
	netdir := os.Getenv("NETCONFPATH")
	if netdir == "" {
		netdir = "/etc/cni/net.d"
	}
	netconf, err := libcni.LoadConfList(netdir, args[1])
	if err != nil {
		fail(err)
	}
	var capabilityArgs map[string]interface{}
	if v := os.Getenv("CAP_ARGS"); v != "" {
		if err := json.Unmarshal([]byte(v), &capabilityArgs); err != nil {
			fail(err)
		}
	}
	var cniArgs [][2]string
	if v := os.Getenv("CNI_ARGS"); v != "" {
		for _, pair := range strings.Split(v, ";") {
			kv := strings.Split(pair, "=")
			if len(kv) != 2 || kv[0] == "" || kv[1] == "" {
				fail(fmt.Errorf("invalid CNI_ARGS pair %q", pair))
			}
			cniArgs = append(cniArgs, [2]string{kv[0], kv[1]})
		}
	}
	ifName, ok := os.LookupEnv("CNI_IFNAME")
	if !ok {
		ifName = "eth0"
	}
	netns, err := filepath.Abs(args[2])
	if err != nil {
		fail(err)
	}
	sum := sha512.Sum512([]byte(netns))
	rt := &libcni.RuntimeConf{
		ContainerID:    fmt.Sprintf("cnitool-%x", sum[:10]),
		NetNS:          netns,
		IfName:         ifName,
		Args:           cniArgs,
		CapabilityArgs: capabilityArgs,
	}
	c := libcni.NewCNIConfig(filepath.SplitList(os.Getenv("CNI_PATH")), nil)
	ctx := context.TODO()
	switch args[0] {
	case "add":
		res, err := c.AddNetworkList(ctx, netconf, rt)
		if res != nil {
			_ = res.Print()
		}
		if err != nil {
			fail(err)
		}
	case "check":
		if err := c.CheckNetworkList(ctx, netconf, rt); err != nil {
			fail(err)
		}
	case "del":
		if err := c.DelNetworkList(ctx, netconf, rt); err != nil {
			fail(err)
		}
	default:
		fail(fmt.Errorf("unknown command %q", args[0]))
	}
}

func bench(args []string) {
	n, err := strconv.Atoi(args[0])
	if err != nil {
		fail(err)
	}
	c := libcni.NewCNIConfigWithCacheDir(filepath.SplitList(args[2]), args[1], nil)
	list := loadList(args[3])
	ctx := context.TODO()
	var add, del float64
	for i := 0; i < n; i++ {
		rt := &libcni.RuntimeConf{ContainerID: fmt.Sprintf("go-bench-%d", i), NetNS: args[4], IfName: "eth0"}
		t := cpu()
		if _, err := c.AddNetworkList(ctx, list, rt); err != nil {
			fail(err)
		}
		add += cpu() - t
		t = cpu()
		if err := c.DelNetworkList(ctx, list, rt); err != nil {
			fail(err)
		}
		del += cpu() - t
	}
	printJSON(map[string]float64{"add_cpu_s": add, "del_cpu_s": del})
}

func main() {
	if len(os.Args) < 2 {
		fail(fmt.Errorf("usage: np-libcni add|check|del|cached|cnitool|bench ..."))
	}
	switch os.Args[1] {
	case "cnitool":
		cnitool(os.Args[2:])
		return
	case "bench":
		bench(os.Args[2:])
		return
	}
	if len(os.Args) != 8 {
		fail(fmt.Errorf("usage: np-libcni VERB CACHEDIR CNIPATH CONFFILE CONTAINERID NETNS IFNAME"))
	}
	a := os.Args[2:]
	c := libcni.NewCNIConfigWithCacheDir(filepath.SplitList(a[1]), a[0], nil)
	list := loadList(a[2])
	rt := &libcni.RuntimeConf{ContainerID: a[3], NetNS: a[4], IfName: a[5],
		Args: [][2]string{{"IgnoreUnknown", "1"}}}
	ctx := context.TODO()
	switch os.Args[1] {
	case "add":
		res, err := c.AddNetworkList(ctx, list, rt)
		if err != nil {
			fail(err)
		}
		printJSON(res)
	case "check":
		if err := c.CheckNetworkList(ctx, list, rt); err != nil {
			fail(err)
		}
	case "del":
		if err := c.DelNetworkList(ctx, list, rt); err != nil {
			fail(err)
		}
	case "cached":
		res, err := c.GetNetworkListCachedResult(list, rt)
		if err != nil {
			fail(err)
		}
		conf, newRt, err := c.GetNetworkListCachedConfig(list, rt)
		if err != nil {
			fail(err)
		}
		out := map[string]interface{}{"result": res, "config": string(conf)}
		if newRt != nil {
			out["args"] = newRt.Args
			out["capabilityArgs"] = newRt.CapabilityArgs
		}
		printJSON(out)
	default:
		fail(fmt.Errorf("unknown verb %q", os.Args[1]))
	}
}
