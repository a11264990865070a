#!/usr/bin/env bash
# maxscale-from-source.sh: build a real MaxScale release from its git repository, with only the
# modules the scenarios use, and run it on loopback with the configuration the container package
# generates, so the suite (`mxharness verify`) can be measured against a real server.
#
# No image registry is reachable on the machines this project is developed on, so a source build
# is the only real MaxScale available. Everything lives outside the repository, in a cache folder
# (default /var/cache/mxharness/maxscale/<name>/{src,build,install,run}); steps whose result is
# present are reused. Every step says how long it took (also appended to <name>/times.log).
#
# Usage: scripts/maxscale-from-source.sh [options] REF
#   REF                 a tag, branch or commit of mariadb-corporation/MaxScale (maxscale-24.08.0, 24.02, ...)
# Options:
#   --repo DIR          MaxScale git directory (bare or not); default $MXS_REPO or
#                       /work/.mirror/mariadb-corporation+MaxScale/repo
#   --name NAME         cache folder name; default REF without its "maxscale-" prefix
#   --cache DIR         cache root; default $MXS_CACHE or /var/cache/mxharness/maxscale
#   --port-offset N     run on REST 8989+N and SQL 4006+100N / 4008+100N (several releases at once)
#   --steps LIST        comma-separated subset of: deps,extract,configure,build,install,maxctrl,mariadb,start
#                       (default: all of them, in that order), and verify (not by default): the suite
#                       against this MaxScale with the release line's ledger and with none, and the
#                       maxctrl session commands, kept in <name>/measure/
#   --stop              stop this release's MaxScale (started by this script) and exit
#   --jobs N            make -j N (default: number of cores)
#   --rebuild           forget the reusable results of extract/configure/build (not the ccache)
#
# After `start` it prints the `mxharness verify` flags for this MaxScale.
set -euo pipefail

repo=${MXS_REPO:-/work/.mirror/mariadb-corporation+MaxScale/repo}
cache=${MXS_CACHE:-/var/cache/mxharness/maxscale}
name=
offset=0
steps=deps,extract,configure,build,install,maxctrl,mariadb,start
jobs=$(nproc)
stop=
rebuild=
ref=

die() { echo "maxscale-from-source: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	--repo) repo=$2; shift 2 ;;
	--name) name=$2; shift 2 ;;
	--cache) cache=$2; shift 2 ;;
	--port-offset) offset=$2; shift 2 ;;
	--steps) steps=$2; shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	--stop) stop=1; shift ;;
	--rebuild) rebuild=1; shift ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed 's/^# \{0,1\}//;$d'; exit 0 ;;
	-*) die "unknown option $1" ;;
	*) [ -z "$ref" ] || die "one REF only"; ref=$1; shift ;;
	esac
done
[ -n "$ref" ] || die "usage: $0 [options] REF (see --help)"
[ -n "$name" ] || name=${ref#maxscale-}
case $offset in ''|*[!0-9]*) die "--port-offset wants a small number" ;; esac

root=$cache/$name
src=$root/src build=$root/build install=$root/install run=$root/run
rest_port=$((8989 + offset)) rws_port=$((4006 + 100 * offset)) rcr_port=$((4008 + 100 * offset))
mkdir -p "$root"

# git works on a bare directory and on a checkout alike.
gitc() { if [ -d "$repo/.git" ]; then git -C "$repo" "$@"; else git --git-dir="$repo" "$@"; fi; }

# timed NAME CMD...: runs one step and reports its duration.
timed() {
	local step=$1 t0 t1 rc=0
	shift
	t0=$(date +%s)
	echo "== $name: $step ($(date -u +%H:%M:%S) UTC)"
	# A subshell outside any `||`, so that errexit stays in force inside the step.
	set +e
	(set -e; "$@")
	rc=$?
	set -e
	t1=$(date +%s)
	echo "== $name: $step took $((t1 - t0))s (exit $rc)"
	echo "$(date -u +%FT%TZ) $step $((t1 - t0))s exit=$rc" >>"$root/times.log"
	return $rc
}

want() { case ",$steps," in *",$1,"*) return 0 ;; esac; return 1; }

apt_install() {
	local missing=() p
	for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
	[ ${#missing[@]} -eq 0 ] && { echo "all ${#} Debian packages present"; return 0; }
	echo "installing: ${missing[*]}"
	if ! apt-cache policy "${missing[0]}" | grep -q 'Candidate: [0-9]'; then apt-get -o DPkg::Lock::Timeout=900 update; fi
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends "${missing[@]}"
}

step_deps() {
	# The libraries the kept modules link, Connector-C from Debian instead of the submodule,
	# ccache so that a second release reuses what compiles the same, and the backend server.
	apt_install build-essential cmake pkg-config git ccache libssl-dev libpcre2-dev libcurl4-openssl-dev \
		libjansson-dev libmicrohttpd-dev libsqlite3-dev libsystemd-dev libgnutls28-dev libgcrypt20-dev \
		uuid-dev libpam0g-dev libxml2-dev libsnappy-dev liblzma-dev zlib1g-dev libzstd-dev libmariadb-dev \
		libsasl2-dev libkrb5-dev libssh-dev unixodbc-dev libatomic1 libcap-dev flex bison tcl \
		libinih-dev mariadb-server mariadb-client curl
	# maxctrl needs node and npm; a node from elsewhere (NodeSource) brings its own npm and
	# conflicts with Debian's npm package, so Debian's are installed only when none is there.
	command -v npm >/dev/null || apt_install nodejs npm
}

# The release's commit, recorded so that the docs can name exactly what was built.
commit=
resolve() { commit=$(gitc rev-parse --verify "$ref^{commit}") || die "no ref $ref in $repo"; }

step_extract() {
	if [ -f "$src/.extracted" ] && [ "$(cat "$src/.extracted")" = "$commit" ] && [ -z "$rebuild" ]; then
		echo "source of $commit present"; return 0
	fi
	rm -rf "$src"; mkdir -p "$src"
	# Blobs a snapshot of the repository may lack (large test data of the bundled SQLite) are left
	# out: nothing built needs them. The mariadb-connector-c submodule is not part of an archive.
	local excl=() p
	while read -r p; do
		excl+=(":(exclude)$p")
		echo "leaving out $p (not in this repository snapshot)"
	done < <(gitc ls-tree -r "$commit" | awk '$2=="blob"{print $3, $4}' >"$root/blobs"
		cut -d" " -f1 "$root/blobs" | gitc cat-file --batch-check | awk '$2=="missing"{print $1}' >"$root/missing"
		grep -F -f "$root/missing" "$root/blobs" | cut -d' ' -f2-)
	gitc archive "$commit" -- . "${excl[@]}" | tar -x -C "$src"
	trim
	echo "$commit" >"$src/.extracted"
}

# keep_subdirs FILE DIR...: in FILE, comment out every add_subdirectory() that is not one of DIRs.
keep_subdirs() {
	local file=$1; shift
	local keep=" $* "
	awk -v keep="$keep" '
		match($0, /^[ \t]*add_subdirectory\(([^) ]+)\)/) {
			d = substr($0, RSTART, RLENGTH); sub(/^[ \t]*add_subdirectory\(/, "", d); sub(/\)$/, "", d)
			if (index(keep, " " d " ") == 0) { print "# trimmed by maxscale-from-source: " $0; next }
		}
		{ print }' "$file" >"$file.new" && mv "$file.new" "$file"
}

# stand_in NAME TARGET < CMAKE: replace cmake/Build<NAME>.cmake, when the release has it, by the
# CMake text on stdin plus an empty target TARGET.
stand_in() {
	local f=$src/cmake/Build$1.cmake
	if [ ! -f "$f" ]; then cat >/dev/null; return 0; fi
	{ echo "# Replaced by maxscale-from-source.sh: $1 comes from Debian, nothing is downloaded."
	  echo "add_custom_target($2)"; cat; } >"$f"
	echo "cmake/Build$1.cmake: replaced (nothing downloaded)"
}

# trim: cut the tree down to the modules the scenarios use; the rest would need downloads
# (Connector-C, Avro, rdkafka, Mongo drivers, ...) or only cost build time.
trim() {
	local m=$src/server/modules
	keep_subdirs "$src/CMakeLists.txt" maxutils server include/maxscale
	keep_subdirs "$m/routing/CMakeLists.txt" readconnroute readwritesplit
	keep_subdirs "$m/protocol/CMakeLists.txt" MariaDB
	keep_subdirs "$m/monitor/CMakeLists.txt" mariadbmon
	keep_subdirs "$m/filter/CMakeLists.txt" cache hintfilter qlafilter
	keep_subdirs "$m/filter/cache/storage/CMakeLists.txt" storage_inmemory
	keep_subdirs "$m/authenticator/CMakeLists.txt" MariaDBAuth PAM Ed25519
	keep_subdirs "$m/parser_plugin/CMakeLists.txt" pp_sqlite
	# Dependencies CMake would fetch from the internet (Connector-C from the absent submodule;
	# 23.08 and 24.08 also PCRE2, zstd, Jansson, libmicrohttpd, jwt-cpp and libssh) come from
	# Debian: each cmake/Build<X>.cmake the release has is replaced by one that sets the same
	# variables to the Debian library and keeps an empty target of the same name, so that
	# add_dependencies(... <name>) still works. Debian's headers are on the compiler's default
	# path; the include variables name the build folder, as -I/usr/include would break
	# libstdc++'s #include_next.
	stand_in MariaDBConnector connector-c <<-'EOF'
	find_path(DEB_MARIADB_INCLUDE mysql.h PATH_SUFFIXES mariadb REQUIRED)
	find_library(DEB_MARIADB_LIB NAMES mariadb REQUIRED)
	set(MARIADB_CONNECTOR_FOUND TRUE CACHE INTERNAL "")
	set(MARIADB_CONNECTOR_STATIC_FOUND TRUE CACHE INTERNAL "")
	set(MARIADB_CONNECTOR_INCLUDE_DIR ${DEB_MARIADB_INCLUDE} CACHE INTERNAL "")
	set(MARIADB_CONNECTOR_STATIC_LIBRARIES ${DEB_MARIADB_LIB} CACHE INTERNAL "")
	set(MARIADB_CONNECTOR_LIBRARIES ${DEB_MARIADB_LIB} CACHE INTERNAL "")
	EOF
	stand_in PCRE2 pcre2 <<-'EOF'
	find_library(DEB_PCRE2_LIB NAMES pcre2-8 REQUIRED)
	set(PCRE2_INCLUDE_DIRS ${CMAKE_BINARY_DIR} CACHE PATH "PCRE2 headers" FORCE)
	set(PCRE2_LIBRARIES ${DEB_PCRE2_LIB} CACHE PATH "PCRE2 libraries" FORCE)
	set(PCRE2_FOUND TRUE CACHE BOOL "Found PCRE2 libraries" FORCE)
	EOF
	stand_in ZSTD zstd <<-'EOF'
	find_library(DEB_ZSTD_LIB NAMES zstd REQUIRED)
	set(ZSTD_INCLUDE_DIRS ${CMAKE_BINARY_DIR} CACHE PATH "ZSTD headers" FORCE)
	set(ZSTD_LIBRARIES ${DEB_ZSTD_LIB} CACHE PATH "ZSTD library" FORCE)
	EOF
	stand_in Jansson jansson <<-'EOF'
	find_library(DEB_JANSSON_LIB NAMES jansson REQUIRED)
	set(JANSSON_FOUND TRUE CACHE INTERNAL "")
	set(JANSSON_STATIC_FOUND TRUE CACHE INTERNAL "")
	set(JANSSON_INCLUDE_DIR ${CMAKE_BINARY_DIR} CACHE INTERNAL "")
	set(JANSSON_STATIC_LIBRARIES ${DEB_JANSSON_LIB} CACHE INTERNAL "")
	set(JANSSON_LIBRARIES ${DEB_JANSSON_LIB} CACHE INTERNAL "")
	EOF
	stand_in MicroHttpd libmicrohttpd <<-'EOF'
	find_library(DEB_MHD_LIB NAMES microhttpd REQUIRED)
	set(MICROHTTPD_LIBRARIES ${DEB_MHD_LIB})
	EOF
	stand_in LibSSH libssh <<-'EOF'
	find_library(DEB_SSH_LIB NAMES ssh REQUIRED)
	set(LIBSSH_FOUND TRUE)
	set(LIBSSH_LIBRARY ${DEB_SSH_LIB})
	set(LIBSSH_INCLUDE_DIR ${CMAKE_BINARY_DIR})
	EOF
	# jwt-cpp is header-only and not in Debian 12; MaxScale itself later bundles the very version
	# (0.6.0) that BuildJwtCpp.cmake downloads, so it is taken from the commit that bundled it.
	if [ -f "$src/cmake/BuildJwtCpp.cmake" ]; then
		local jwt
		jwt=$(gitc log -1 --all --format=%H -- jwt-cpp/include/jwt-cpp/jwt.h)
		[ -n "$jwt" ] || die "no commit of $repo bundles jwt-cpp"
		grep -q 'GIT_TAG "v0.6.0"' "$src/cmake/BuildJwtCpp.cmake" || echo "warning: this release wants another jwt-cpp than the bundled 0.6.0"
		mkdir -p "$src/build-deps"
		gitc archive "$jwt" jwt-cpp | tar -x -C "$src/build-deps"
		echo "jwt-cpp 0.6.0 from commit $jwt"
		stand_in JwtCpp jwt-cpp <<-'EOF'
		include_directories(${CMAKE_SOURCE_DIR}/build-deps/jwt-cpp/include/)
		EOF
	fi
	# 23.08.6 and 24.08.0 pass CLIENT_REMEMBER_OPTIONS to mysql_real_connect() through an int,
	# which sign-extends to 0xffffffff80000000; Debian's Connector-C 3.3 refuses those flags
	# ("Invalid client flags"), so MaxScale could not log in to its servers. MaxScale's own fix,
	# commit 5aba5051fb "Give flags as unsigned long to mysql_real_connect()", is applied.
	sed -i 's/^\(\s*\)int opts = CLIENT_REMEMBER_OPTIONS;/\1unsigned long opts = CLIENT_REMEMBER_OPTIONS;/' \
		"$src/maxutils/maxsql/src/mariadb_connector.cc"
	# Debian's GCC warns where the compilers MaxScale is released with do not
	# (-Wfree-nonheap-object in maxbase); the warnings stay, -Werror goes.
	sed -i 's/ -Werror -fPIC/ -fPIC/' "$src/CMakeLists.txt"
	# An archive is no git checkout: give the build the commit it would otherwise read from git,
	# so that `maxscale --version` and /v1/maxscale name what was built.
	sed -i "s/set(MAXSCALE_COMMIT \"source-build\")/set(MAXSCALE_COMMIT \"$commit\")/" "$src/CMakeLists.txt"
}

step_configure() {
	if [ -f "$build/CMakeCache.txt" ] && [ -f "$build/.configured" ] && [ -z "$rebuild" ]; then
		echo "configured build present"; return 0
	fi
	rm -rf "$build"; mkdir -p "$build"
	local off=()
	for o in BUILD_BINLOG BUILD_CDC BUILD_GSSAPI BUILD_GUI BUILD_KAFKACDC BUILD_KAFKAIMPORTER \
		BUILD_KMIP_KEY_MANAGER BUILD_LUAFILTER BUILD_MAXCTRL BUILD_MIRROR BUILD_NOSQL BUILD_POSTGRES \
		BUILD_STORAGE_MEMCACHED BUILD_STORAGE_REDIS BUILD_SYSTEM_TESTS BUILD_TESTS BUILD_TOOLS \
		BUILD_VAULT_KEY_MANAGER BUILD_LDI WITH_LTO WITH_MAXSCALE_CNF WITH_SCRIPTS BUNDLE PACKAGE; do
		off+=("-D$o=OFF")
	done
	cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release \
		-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
		-DCMAKE_INSTALL_PREFIX="$install" \
		-DMAXSCALE_VARDIR="$install/var" -DMAXSCALE_CONFDIR="$install/etc" \
		-DDEFAULT_CONFIGDIR="$install/etc" -DDEFAULT_CONFIGSUBDIR="$install/etc/maxscale.cnf.d" \
		-DDEFAULT_MODULE_CONFIGDIR="$install/etc/maxscale.modules.d" \
		-DDEFAULT_SYSTEMD_CONFIGDIR="$install/etc/systemd" \
		"${off[@]}"
	touch "$build/.configured"
}

step_build() {
	export CCACHE_DIR=${CCACHE_DIR:-$cache/ccache}
	make -C "$build" -j"$jobs"
}

step_install() {
	make -C "$build" install >"$root/install.log"
	ls "$install/lib/maxscale" "$install/bin" 2>/dev/null | head -50 || true
}

step_maxctrl() {
	# maxctrl from the same tree: the Node program in maxctrl/, run with the system node (what
	# MaxScale's own WITH_SYSTEM_NODEJS package does, minus the webpack bundle).
	local c=$src/maxctrl v
	v=$(sed -n 's/^MAXSCALE_VERSION_\(MAJOR\|MINOR\|PATCH\):STRING=//p' "$build/CMakeCache.txt" | paste -sd.)
	[ -n "$v" ] || die "no MaxScale version in $build/CMakeCache.txt (configure first)"
	sed "s/@MAXSCALE_VERSION@/$v/" "$c/lib/version.js.in" >"$c/lib/version.js"
	if [ -d "$c/node_modules" ] && [ -z "$rebuild" ]; then echo "maxctrl node_modules present"; else
		# npm ci refuses the lock files of some releases with a current npm (fsevents); install
		# resolves the same pinned versions from package-lock.json where it can.
		(cd "$c" && npm install --no-audit --no-fund --omit=dev)
	fi
	mkdir -p "$install/bin"
	cat >"$install/bin/maxctrl" <<-EOF
	#!/bin/sh
	exec node "$c/maxctrl.js" "\$@"
	EOF
	chmod +x "$install/bin/maxctrl"
	echo "maxctrl $("$install/bin/maxctrl" --version)"
}

# The backend: one Debian MariaDB on 127.0.0.1:3306, shared by all releases, with the account of
# container/testdata/init.sql for every host MaxScale or a scenario logs in from.
here=$(cd "$(dirname "$0")/.." && pwd)
step_mariadb() {
	if ! mariadb-admin ping --silent >/dev/null 2>&1; then
		if command -v systemctl >/dev/null && systemctl is-system-running >/dev/null 2>&1; then
			systemctl start mariadb
		else
			mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
			[ -d /var/lib/mysql/mysql ] || mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
			nohup mariadbd-safe --user=mysql --bind-address=127.0.0.1 --port=3306 >/var/log/mxharness-mariadb.log 2>&1 &
		fi
		for _ in $(seq 60); do mariadb-admin ping --silent >/dev/null 2>&1 && break; sleep 1; done
	fi
	mariadb-admin ping --silent >/dev/null || die "MariaDB did not start"
	local h sql=$here/container/testdata/init.sql
	for h in % localhost 127.0.0.1; do
		sed "s/'maxuser'@'%'/'maxuser'@'$h'/g" "$sql" | mariadb -uroot
	done
	mariadb -uroot -e "SELECT user, host FROM mysql.user WHERE user='maxuser'"
}

pidfile() { echo "$run/run/maxscale.pid"; }

step_stop() {
	local p
	p=$(cat "$(pidfile)" 2>/dev/null || true)
	if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
		kill "$p"; for _ in $(seq 30); do kill -0 "$p" 2>/dev/null || break; sleep 1; done
		echo "stopped MaxScale $name (pid $p)"
	else
		echo "MaxScale $name not running"
	fi
}

# config: the container package's maxscale.cnf with this run's ports and folders.
config() {
	sed -e "s/^admin_port=8989/admin_port=$rest_port/" -e "s/^port=4006/port=$rws_port/" \
		-e "s/^port=4008/port=$rcr_port/" -e "s#^filebase=/tmp/mxharness-qla#filebase=$run/log/qla#" \
		"$here/container/testdata/maxscale-defaults.cnf"
}

step_start() {
	step_stop
	rm -rf "$run"; mkdir -p "$run"/{lib,log,cache,run,persist,etc/maxscale.modules.d}
	config >"$run/etc/maxscale.cnf"
	local plugins
	plugins=$(dirname "$(dpkg -L libmariadb3 | grep '/plugin/caching_sha2_password.so$' | head -1)")
	# Root needs --user=root; every folder MaxScale writes is under $run, so that releases
	# running side by side share nothing but the backend.
	"$install/bin/maxscale" --user=root --config="$run/etc/maxscale.cnf" \
		--libdir="$install/lib/maxscale" --sharedir="$install/share/maxscale" \
		--datadir="$run/lib" --logdir="$run/log" --cachedir="$run/cache" --piddir="$run/run" \
		--persistdir="$run/persist" --module_configdir="$run/etc/maxscale.modules.d" \
		--connector_plugindir="$plugins"
	local api=http://127.0.0.1:$rest_port/v1 up=
	for _ in $(seq 60); do
		curl -fsS -u admin:mariadb "$api/maxscale" >/dev/null 2>&1 && { up=1; break; }
		sleep 1
	done
	[ -n "$up" ] || { tail -30 "$run/log/maxscale.log"; die "MaxScale $name did not answer on $api"; }
	# The read-only REST account the @readonly scenarios use (what verify --container creates).
	curl -fsS -u admin:mariadb -H 'Content-Type: application/json' -X POST "$api/users/inet" \
		-d '{"data":{"id":"basic","type":"inet","attributes":{"password":"mariadb","account":"basic"}}}'
	# Wait until the monitor has found server1 and a client gets through RW-Split-Router.
	# Not with a statement the scenarios send: my-cache-filter would keep the CLI's answer
	# for 30 s and serve it to go-sql-driver, which on 24.08 expects another protocol
	# (no EOF packets) and chokes on it ("busy buffer"; steps/sqlclient.go, selectOne).
	for _ in $(seq 60); do
		mariadb -h127.0.0.1 -P"$rws_port" -umaxuser -pmaxpwd -e "SELECT 'mxharness: listener up'" >/dev/null 2>&1 && break
		sleep 1
	done
	curl -fsS -u admin:mariadb "$api/maxscale" | tr -d ' \n' | grep -o '"commit":"[^"]*"\|"version":"[0-9][^"]*"' | paste -sd' '
	echo "verify flags: --api http://127.0.0.1:$rest_port --sql 127.0.0.1:$rws_port --sql-rconn 127.0.0.1:$rcr_port --ro-user basic --ro-password mariadb"
	echo "maxctrl: $install/bin/maxctrl --hosts 127.0.0.1:$rest_port"
}

# step_verify: what docs/RELEASES.md reports for one release, measured again. The ledger is the
# release line's (features/deviations/maxscale-MAJOR.MINOR.yaml) when there is one.
step_verify() {
	local m=$root/measure v line ledger
	mkdir -p "$m"
	v=$(sed -n 's/^MAXSCALE_VERSION_\(MAJOR\|MINOR\):STRING=//p' "$build/CMakeCache.txt" | paste -sd.)
	line=maxscale-$v ledger=none
	[ -f "$here/features/deviations/$line.yaml" ] && ledger=$line
	local flags=(--api "http://127.0.0.1:$rest_port" --sql "127.0.0.1:$rws_port" --sql-rconn "127.0.0.1:$rcr_port"
		--ro-user basic --ro-password mariadb)
	(cd "$here" && go build -o "$m/mxharness" ./cmd/mxharness)
	local l rc
	for l in "$ledger" none; do
		set +e
		"$m/mxharness" verify "${flags[@]}" --ledger "$l" --format "junit:$m/verify-$l.junit.xml" \
			--format "progress:/dev/null" >"$m/verify-$l.txt" 2>&1
		rc=$?
		set -e
		echo "verify --ledger $l: exit $rc"; tail -n 1 "$m/verify-$l.txt"
		[ "$l" = none ] && break
	done
	"$install/bin/maxctrl" --hosts "127.0.0.1:$rest_port" alter maxscale retain_last_statements 5
	"$here/scripts/maxctrl-sessions.sh" "$install/bin/maxctrl" "127.0.0.1:$rest_port" "$rws_port" "$rcr_port" "$m/maxctrl"
	"$install/bin/maxctrl" --hosts "127.0.0.1:$rest_port" alter maxscale retain_last_statements 0
}

if [ -n "$stop" ]; then step_stop; exit 0; fi
resolve
echo "MaxScale $ref = $commit -> $root (REST $rest_port, SQL $rws_port/$rcr_port)"
echo "$commit" >"$root/commit"
want deps && timed deps step_deps
want extract && timed extract step_extract
want configure && timed configure step_configure
want build && timed build step_build
want install && timed install step_install
want maxctrl && timed maxctrl step_maxctrl
want mariadb && timed mariadb step_mariadb
want start && timed start step_start
want verify && timed verify step_verify
exit 0
