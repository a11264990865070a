#!/usr/bin/env bash
# maxctrl-sessions.sh: run MaxScale's own maxctrl session commands against a MaxScale (or
# `mxharness serve`) and keep what each printed, so that a real server's output and the
# simulator's can be compared (docs/RELEASES.md).
#
# Usage: scripts/maxctrl-sessions.sh MAXCTRL REST_HOST:PORT RWSPLIT_PORT READCONN_PORT OUTDIR
#   MAXCTRL is the maxctrl to run (e.g. /var/cache/mxharness/maxscale/24.02/install/bin/maxctrl).
# Two clients (the mariadb CLI, one per service, each running SELECT SLEEP) make the sessions.
# `list queries` lists them only when the target retains statements (retain_last_statements > 0:
# `maxctrl alter maxscale retain_last_statements 5` on MaxScale, `retain_last_statements: 5` in
# the configuration of `mxharness serve`); the script leaves that setting alone.
# Each command's output goes to OUTDIR/NN-<command>.txt, with the command and its exit status
# on the first line; OUTDIR/shape.txt is the output with the values that differ from run to run
# (ids, times, addresses, counters) masked, the file to compare between targets.
set -uo pipefail
[ $# -eq 5 ] || { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
maxctrl=$1 rest=$2 rws=$3 rcr=$4 out=$5
mkdir -p "$out"
rm -f "$out"/[0-9][0-9]-*.txt
mc() { "$maxctrl" --hosts "$rest" --user admin --password mariadb --tsv=false "$@"; }

clients=()
client() { # client PORT SECONDS: a mariadb CLI session that runs one long query
	mariadb -h127.0.0.1 -P"$1" -umaxuser -pmaxpwd -e "SELECT SLEEP($2)" >/dev/null 2>&1 &
	clients+=($!)
}
cleanup() { for p in "${clients[@]}"; do kill "$p" 2>/dev/null; done; }
trap cleanup EXIT

ids() { mc list sessions --tsv 2>/dev/null | cut -f1; }
before=$(ids)
client "$rws" 120
client "$rcr" 120
for _ in $(seq 50); do [ "$(ids | grep -cvxF -e "${before:-none}")" -ge 2 ] && break; sleep 0.2; done
# s1 is the RW-Split-Router session, s2 the Read-Connection-Router one (MaxScale lists sessions
# worker by worker, so the list order says nothing).
new=$(ids | grep -vxF -e "${before:-none}")
of() { mc list sessions --tsv 2>/dev/null | awk -F'\t' -v s="$1" '$6 == s {print $1}' | grep -xF -e "$new" | head -1; }
s1=$(of RW-Split-Router) s2=$(of Read-Connection-Router)
[ -n "$s1" ] && [ -n "$s2" ] || { echo "maxctrl-sessions: the two client sessions did not show up" >&2; exit 1; }

n=0
run() { # run NAME ARGS...
	n=$((n + 1))
	local f=$out/$(printf %02d $n)-$1.txt rc
	shift
	{ mc "$@"; } >"$f.tmp" 2>&1
	rc=$?
	{ echo "\$ maxctrl $* (exit $rc)"; cat "$f.tmp"; } >"$f"
	rm -f "$f.tmp"
}
run list-sessions list sessions
run show-session show session "$s1"
run show-sessions show sessions
run alter-session alter session "$s1" log_info true
run show-session-after-alter show session "$s1"
run alter-session-filters alter session-filters "$s1" my-log-filter
run show-session-filters show session "$s1"
run alter-session-filters-none alter session-filters "$s1"
run reload-session reload session "$s1"
run reload-sessions reload sessions
run list-queries list queries
run destroy-session-ttl destroy session "$s2" --ttl 1
run destroy-session destroy session "$s1"
run show-session-unknown show session 999999
run list-sessions-after list sessions

# The shape: values that differ between runs and targets masked, keys, headers and layout kept.
# Ids only where maxctrl shows them (the first cell of a row, the Id row, after "session "), so
# that a small id of mxharness serve (1, 2) masks no digit of an address, a thread or --ttl 1.
sed -E -e "s/^(│ +)($s1|$s2)( +│)/\1<ID>\3/" -e "s/^(│ Id +│ +)($s1|$s2)( +│)/\1<ID>\3/" \
	-e "s/(sessions?(-filters)?) ($s1|$s2)\b/\1 <ID>/g" \
	-e 's/[A-Z][a-z]{2}, [0-9]{1,2} [A-Z][a-z]{2} [0-9]{2,4} [0-9:]{8}( GMT)?/<DATE>/g' \
	-e 's/[A-Z][a-z]{2} [A-Z][a-z]{2} +[0-9]{1,2} [0-9:]{8} [0-9]{4}/<DATE>/g' \
	-e 's/::ffff:127\.0\.0\.1|127\.0\.0\.1/<ADDR>/g' -e 's/\b[0-9]+(\.[0-9]+)?s?\b/<N>/g' \
	-e 's/ +│/ │/g; s/─+/─/g; s/ +$//' "$out"/[0-9][0-9]-*.txt >"$out/shape.txt"
echo "maxctrl outputs in $out (sessions $s1, $s2)"
