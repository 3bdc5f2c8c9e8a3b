#!/usr/bin/env bash
# build.sh: builds the installable Splunk app package
#   dist/kubefingerprint-<version>.tgz
# from default/, metadata/, static/, the shipped lookups/, app/ and
# LICENSE, with static CGO_ENABLED=0 binaries for every platform the app
# ships. Needs bash, Go and git (for the commit time); no particular tar:
# Go writes the archive (app/pack), so macOS and Linux give the same bytes.
# Two builds of one commit give byte-identical packages.
#
#   DIST=<dir> ./build.sh     # write the package elsewhere
set -euo pipefail
cd "$(dirname "$0")"
dist=${DIST:-dist}

command -v go >/dev/null || { echo "build.sh: needs Go (go.mod names the version): https://go.dev/dl/" >&2; exit 1; }
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || { echo "build.sh: run it in a git checkout: the package takes its file times from the last commit and ships the lookups git tracks" >&2; exit 1; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
app=$stage/kubefingerprint

# Built once for this machine: it checks app.conf's version settings and
# writes the archive. Outside $stage/kubefingerprint, so not packed.
go build -o "$stage/pack" ./app/pack
version=$("$stage/pack" -version default/app.conf)

# Every file gets the time of the last commit, so the package depends on
# the sources only.
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}

# GOOS/GOARCH and the folder Splunk looks in for that platform. Linux
# x86-64 goes in plain bin/, the only binary folder that knowledge-bundle
# replication carries to indexers; Splunk falls back to it on Linux.
platforms=(
	"linux amd64 bin"
	"darwin amd64 darwin_x86_64/bin"
)
for p in "${platforms[@]}"; do
	read -r goos goarch dir <<<"$p"
	CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go build -trimpath -buildvcs=false -tags splunkapp \
		-ldflags "-s -w -X main.version=$version" \
		-o "$app/$dir/kubefingerprint" ./cmd/kubefingerprint
done

mkdir -p "$app/metadata" "$app/lookups" "$app/static"
cp -R default "$app/"
cp metadata/default.meta "$app/metadata/"
cp static/appIcon.png static/appIcon_2x.png "$app/static/"
# The lookups git tracks: never a site's own file (kubefingerprint_filter.csv
# and the like are untracked), so an upgrade cannot overwrite it.
git ls-files -z -- 'lookups/*.csv' | while IFS= read -r -d '' f; do cp "$f" "$app/lookups/"; done
cp app/README.md app/app.manifest LICENSE "$app/"

mkdir -p "$dist"
out=$dist/kubefingerprint-$version.tgz
"$stage/pack" -C "$stage" -mtime "$epoch" -o "$out.tmp" kubefingerprint
mv "$out.tmp" "$out"
echo "$out"
