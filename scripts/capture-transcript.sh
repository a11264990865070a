#!/usr/bin/env bash
# capture-transcript.sh: one HTTP exchange with a MaxScale REST API, written in the transcript
# format of the reference captures (shared/reference/observed-24.02.4/NNN-name.txt), which the
# tests under spec/, steps/ and simulator/ read as test data.
#
# Usage: scripts/capture-transcript.sh OUT.txt NOTE METHOD URL [BODY]
#   The account is admin:mariadb unless MXH_AUTH=user:password says otherwise (MXH_AUTH=none:
#   no credentials). MXH_HEADERS adds request headers, one "Name: value" a line; a Content-Type
#   there replaces the application/json sent with a BODY.
set -euo pipefail
[ $# -ge 4 ] || { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
out=$1 note=$2 method=$3 url=$4 body=${5-}
auth=${MXH_AUTH:-admin:mariadb}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
args=(-sS -g -v -X "$method" -D "$tmp/head" -o "$tmp/body")
[ "$auth" = none ] || args+=(-u "$auth")
headers=${MXH_HEADERS-}
while IFS= read -r h; do
	[ -z "$h" ] || args+=(-H "$h")
done <<<"$headers"
if [ -n "$body" ]; then
	grep -qi '^content-type:' <<<"$headers" || args+=(-H 'Content-Type: application/json')
	args+=(--data-binary "$body")
fi
: >"$tmp/body" # curl writes no file for a reply without a body (304)
t0=$(date +%s.%N)
set +e
curl "${args[@]}" "$url" 2>"$tmp/trace"
rc=$?
set -e
{
	echo "# case: $(basename "$out" .txt)"
	echo "# note: $note"
	if [ "$auth" = none ]; then echo "# auth: none"; else echo "# auth: basic $auth"; fi
	echo "# t: $(date -u -d "@${t0%.*}" +%FT%TZ); curl exit status: $rc"
	echo "=== REQUEST ==="
	echo "URL: $url"
	sed -n 's/^> //p' "$tmp/trace" | tr -d '\r' | sed '/^$/d'
	if [ -n "$body" ]; then
		echo "--- request body (${#body} bytes) ---"
		printf '%s\n' "$body"
	else
		echo "--- no request body ---"
	fi
	echo "=== RESPONSE ==="
	tr -d '\r' <"$tmp/head" | sed '/^$/d'
	n=$(stat -c %s "$tmp/body" 2>/dev/null || echo 0)
	echo "--- response body ($n bytes) ---"
	cat "$tmp/body"
	[ "$n" -eq 0 ] || [ -z "$(tail -c1 "$tmp/body")" ] || echo
} >"$out"
echo "wrote $out ($(head -1 "$tmp/head" | tr -d '\r'))"
