#!/usr/bin/env bash
# Builds MaxGUI (MaxScale's web GUI) from MaxScale's source tree, outside the repository, and prints
# the directory that holds the built files (index.html and its assets) for `mxharness serve --gui DIR`.
#
# MaxGUI is MaxScale's code (BSL), so none of it is committed here: the sources come from a bare git
# repository of MaxScale (MXH_MAXSCALE_GIT), the build goes to a cache folder keyed by the commit, and a
# finished build is reused. It runs the same two steps as MaxScale's own CMake build
# (maxgui/npm_install.sh, maxgui/build.sh): `npm ci` without the optional (test/lint) packages, then
# `npm run build` (vue-cli-service build). Network: the npm registry only.
#
#   MXH_MAXSCALE_GIT  bare repo of MaxScale   (default /work/.mirror/mariadb-corporation+MaxScale/repo)
#   MXH_MAXGUI_REF    branch, tag or commit   (default 24.02; VERSION 24.02.4 at f72af99)
#   MXH_MAXGUI_CACHE  cache root              (default /var/cache/mxharness/maxgui)
#
# Output: the last line on stdout is CACHE/<commit>/gui. Progress goes to stderr; npm's log to
# CACHE/<commit>.log. Exit 0 when the build is there, 1 when it cannot be made (no source, npm failed).
# With --cached it only prints the directory of a finished build (exit 1 when there is none).
set -euo pipefail
cached_only=false
[ "${1:-}" = --cached ] && cached_only=true

git_dir=${MXH_MAXSCALE_GIT:-/work/.mirror/mariadb-corporation+MaxScale/repo}
ref=${MXH_MAXGUI_REF:-24.02}
cache=${MXH_MAXGUI_CACHE:-/var/cache/mxharness/maxgui}

say() { printf 'maxgui-build: %s\n' "$*" >&2; }

[ -d "$git_dir" ] || { say "no MaxScale source repository at $git_dir (set MXH_MAXSCALE_GIT)"; exit 1; }
commit=$(git --git-dir="$git_dir" rev-parse --verify -q "$ref^{commit}") ||
  { say "$git_dir has no $ref"; exit 1; }
out=$cache/$commit
if [ -f "$out/gui/index.html" ]; then
  say "cached build of $ref ($commit)"
  echo "$out/gui"
  exit 0
fi
$cached_only && { say "no build of $ref ($commit) in $cache: run $0"; exit 1; }
command -v npm >/dev/null || { say "npm is not installed (apt-get install npm)"; exit 1; }

mkdir -p "$cache"
# One build per commit at a time: a second caller waits for the first and then reuses its result.
exec 9>"$out.lock"
flock 9
if [ -f "$out/gui/index.html" ]; then
  echo "$out/gui"
  exit 0
fi

work=$out.work
log=$out.log
rm -rf "$work"
mkdir -p "$work"
say "building MaxGUI of $ref ($commit) in $work, log $log"
# maxgui/ is self-contained (package.json, vue.config.js and the sources); git's complaints about
# blobs missing elsewhere in a partial mirror go to the log.
git --git-dir="$git_dir" archive "$commit" maxgui 2>"$log" | tar -x -C "$work"
start=$(date +%s)
(
  cd "$work/maxgui"
  # vue.config.js writes to $buildPath/gui and reads the commit from git, which an archive lacks.
  export buildPath=$work/maxgui VUE_APP_GIT_COMMIT=$commit
  npm ci --omit=optional --no-audit --no-fund --loglevel=error
  npm run build
) >>"$log" 2>&1 || { say "build failed after $(($(date +%s) - start)) s; last lines of $log:"; tail -30 "$log" >&2; exit 1; }
[ -f "$work/maxgui/gui/index.html" ] || { say "the build wrote no gui/index.html; see $log"; exit 1; }
rm -rf "$out"
mkdir -p "$out"
mv "$work/maxgui/gui" "$out/gui"
rm -rf "$work"
say "built in $(($(date +%s) - start)) s"
echo "$out/gui"
