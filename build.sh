#!/usr/bin/env bash
# build.sh: builds the installable Splunk app package
#   dist/kubefingerprint-<version>.tgz
# from default/, metadata/, lookups/ and app/, with static CGO_ENABLED=0
# binaries for every platform the app ships. Needs Go, tar and gzip only.
# Two builds of one commit give byte-identical packages.
#
#   DIST=<dir> ./build.sh     # write the package elsewhere
set -euo pipefail
cd "$(dirname "$0")"
dist=${DIST:-dist}

# conf_value FILE STANZA KEY: a setting of a Splunk .conf file.
conf_value() {
	awk -v stanza="[$2]" -v key="$3" '
		/^\[/ { in_stanza = ($0 == stanza); next }
		in_stanza && $0 ~ "^" key "[ \t]*=" { sub("^[^=]*=[ \t]*", ""); sub("[ \t]+$", ""); print; exit }
	' "$1"
}

version=$(conf_value default/app.conf launcher version)
build=$(conf_value default/app.conf install build)
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.]+)?$ ]] || { echo "build.sh: [launcher] version '$version' in default/app.conf is not Major.Minor.Revision" >&2; exit 1; }
[[ $build =~ ^[1-9][0-9]*$ ]] || { echo "build.sh: [install] build '$build' in default/app.conf is not a positive integer" >&2; exit 1; }
[[ $(conf_value default/app.conf id version) == "$version" ]] || { echo "build.sh: [id] version and [launcher] version differ in default/app.conf" >&2; exit 1; }

# Every file gets the time of the last commit, so the package depends on
# the sources only.
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
app=$stage/kubefingerprint

# GOOS/GOARCH and the folder Splunk looks in for that platform. Linux
# x86-64 goes in plain bin/, the only binary folder that knowledge-bundle
# replication carries to indexers; Splunk falls back to it on Linux.
platforms=(
	"linux amd64 bin"
	"darwin amd64 darwin_x86_64/bin"
)
for p in "${platforms[@]}"; do
	read -r goos goarch dir <<<"$p"
	CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go build -trimpath -buildvcs=false \
		-ldflags "-s -w -X github.com/kubefingerprint/kubefingerprint/internal/command.Version=$version" \
		-o "$app/$dir/kubefingerprint" ./cmd/kubefingerprint
done

mkdir -p "$app/default" "$app/metadata" "$app/lookups"
cp default/*.conf "$app/default/"
cp metadata/default.meta "$app/metadata/"
cp lookups/kubefingerprint_filter_default.csv lookups/kubefingerprint_scanners.csv "$app/lookups/" # never the site files
cp app/README.md app/app.manifest "$app/"

find "$app" -type d -exec chmod 0755 {} +
find "$app" -type f -exec chmod 0644 {} +
find "$app" -type f -name kubefingerprint -path '*/bin/*' -exec chmod 0755 {} +

mkdir -p "$dist"
out=$dist/kubefingerprint-$version.tgz
tar --sort=name --format=gnu --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
	-C "$stage" -cf - kubefingerprint | gzip -n -9 >"$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
