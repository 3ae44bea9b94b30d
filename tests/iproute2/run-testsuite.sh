#!/bin/sh
# Runs iproute2's own test scripts (testsuite/tests/**/*.t of an iproute2 source tree) with
# a given program as `IP`, each in a network and mount namespace of its own, and reports
# PASS, FAILED or SKIPPED per script as iproute2's testsuite/Makefile does.
#
#   IPROUTE2=/path/to/iproute2 tests/iproute2/run-testsuite.sh IP [TEST...]
#
# IPROUTE2 is an iproute2 source tree (e.g. `git clone` of iproute2 at tag v6.1.0, or
# `apt-get source iproute2`); nothing from it is copied into netplumb. IP is the program
# to test (`ip`, or the netplumb binary). TEST is a path under testsuite/tests
# (ip/rule/dsfield.t); without one, every script under testsuite/tests/ip runs.
#
# What this does to the machine, and what it does not:
# - Each script runs under `unshare --net --mount`: a fresh network namespace (as the
#   Makefile's `unshare -n`), and a private mount namespace with a tmpfs on /run/netns, so
#   that `ip netns add` in a script (netns/set_nsid.t) leaves nothing in the host's
#   /run/netns. The host's network namespace is never touched.
# - tunnel/add_tunnel.t unloads GRE kernel modules with `lsmod`/`sudo rmmod` when it finds
#   them unused: `lsmod`, `rmmod` and `sudo` are replaced, for the scripts, by stand-ins
#   that report every module in use and refuse to remove anything.
# - The scripts run in a temporary copy of testsuite/, where
#   tests/ip/link/dev_wo_vf_rate.nl (which the Makefile makes with tools/generate_nlmsg) is
#   written from netplumb's tests/fixtures/link/show_dev_wo_vf_rate.hex, the same bytes.
#
# Exit status: 0 when every script passed or was skipped, 1 otherwise.
set -eu

if [ $# -lt 1 ] || [ -z "${IPROUTE2:-}" ]; then
	echo "usage: IPROUTE2=/path/to/iproute2 $0 IP [TEST...]" >&2
	exit 2
fi
IP_PROG=$1
shift
case $IP_PROG in
	*/*) IP_PROG=$(cd "$(dirname "$IP_PROG")" && pwd)/$(basename "$IP_PROG") ;;
esac
HERE=$(cd "$(dirname "$0")" && pwd)
FIXTURE=$HERE/../fixtures/link/show_dev_wo_vf_rate.hex

WORK=$(mktemp -d /tmp/netplumb-iproute2-testsuite.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cp -R "$IPROUTE2/testsuite" "$WORK/"
SUITE=$WORK/testsuite
perl -ne 's/#.*//; s/\s+//g; print pack("H*", $_)' "$FIXTURE" \
	>"$SUITE/tests/ip/link/dev_wo_vf_rate.nl"

SHIMS=$WORK/shims
mkdir "$SHIMS"
printf '#!/bin/sh\nprintf "Module Size Used by\\n"\nfor m in ip6_gre ip6_tunnel ip_gre ip_tunnel gre; do echo "$m 0 1"; done\n' \
	>"$SHIMS/lsmod"
printf '#!/bin/sh\necho "$0: refused by run-testsuite.sh" >&2\nexit 1\n' >"$SHIMS/rmmod"
cp "$SHIMS/rmmod" "$SHIMS/sudo"
chmod +x "$SHIMS/lsmod" "$SHIMS/rmmod" "$SHIMS/sudo"

if [ $# -eq 0 ]; then
	set -- $(cd "$SUITE/tests" && find ip -name '*.t' | sort)
fi

status=0
for t in "$@"; do
	err=$WORK/err
	out=$WORK/out
	rm -f "$err"
	set +e
	(
		cd "$SUITE"
		STD_ERR=$(mktemp "$WORK/stderr.XXXXXX") STD_OUT=$(mktemp "$WORK/stdout.XXXXXX") \
			ERRF=$err IP=$IP_PROG TC=tc SS=ss BRIDGE=bridge DEV=lo \
			PATH=$SHIMS:$PATH \
			unshare --net --mount sh -c \
			'mkdir -p /run/netns && mount -t tmpfs netplumb-testsuite /run/netns && exec sh "$0"' \
			"tests/$t"
	) >"$out" 2>&1
	rc=$?
	set -e
	if [ $rc -eq 127 ]; then
		echo "$t: SKIPPED"
	elif [ -e "$err" ]; then
		echo "$t: FAILED"
		sed 's/^/    /' "$err"
		status=1
	else
		echo "$t: PASS"
	fi
done
exit $status
