// The test of the app as Splunk receives it: it runs build.sh, opens the
// package and checks it the way splunkd and AppInspect would.
package app

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"debug/elf"
	"debug/macho"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kubefingerprint/kubefingerprint/internal/chunked"
	"github.com/kubefingerprint/kubefingerprint/internal/chunked/chunkedtest"
	"github.com/kubefingerprint/kubefingerprint/internal/conf"
)

// buildPackage runs build.sh into a fresh folder and returns the package.
func buildPackage(t *testing.T) (path string, data []byte) {
	t.Helper()
	dist := t.TempDir()
	cmd := exec.Command("bash", "build.sh")
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "DIST="+dist)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	matches, _ := filepath.Glob(filepath.Join(dist, "kubefingerprint-*.tgz"))
	require.Len(t, matches, 1, "build.sh writes one package: %s", out)
	data, err = os.ReadFile(matches[0])
	require.NoError(t, err)
	return matches[0], data
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

type entry struct {
	hdr  *tar.Header
	data []byte
}

func TestPackage(t *testing.T) {
	path, data := buildPackage(t)
	_, again := buildPackage(t)
	assert.True(t, bytes.Equal(data, again), "two builds of one commit must give byte-identical packages")

	// Layout, owners and modes.
	zr, err := gzip.NewReader(bytes.NewReader(data))
	require.NoError(t, err)
	tr := tar.NewReader(zr)
	files := map[string]entry{}
	var names []string
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		b, err := io.ReadAll(tr)
		require.NoError(t, err)
		name := strings.TrimSuffix(hdr.Name, "/")
		files[name] = entry{hdr, b}
		names = append(names, name)

		assert.True(t, name == "kubefingerprint" || strings.HasPrefix(name, "kubefingerprint/"), "one top folder: %s", name)
		for _, part := range strings.Split(name, "/") {
			assert.False(t, strings.HasPrefix(part, "."), "no dotfiles: %s", name)
			assert.NotEqual(t, "local", part, "no local/: %s", name)
			assert.NotEqual(t, "local.meta", part, "no local.meta: %s", name)
		}
		assert.Zero(t, hdr.Uid, name)
		assert.Zero(t, hdr.Gid, name)
		mode := hdr.FileInfo().Mode()
		assert.Zero(t, mode&0o002, "nothing world-writable: %s", name)
		switch {
		case hdr.Typeflag == tar.TypeDir, strings.Contains(name, "/bin/"):
			assert.EqualValues(t, 0o755, mode.Perm(), name)
		default:
			assert.EqualValues(t, 0o644, mode.Perm(), name)
		}
	}
	assert.IsIncreasing(t, names, "entries sorted")
	for _, want := range []string{
		"bin/kubefingerprint", "darwin_x86_64/bin/kubefingerprint", "README.md", "app.manifest", "LICENSE",
		"default/app.conf", "default/commands.conf", "default/searchbnf.conf", "default/macros.conf",
		"default/transforms.conf", "default/savedsearches.conf", "metadata/default.meta",
		"default/data/ui/views/kubernetes_scan_fingerprint.xml", "default/data/ui/nav/default.xml",
		"static/appIcon.png", "static/appIcon_2x.png",
	} {
		assert.Contains(t, files, "kubefingerprint/"+want)
	}
	// Every lookup git tracks ships, and nothing else: the site's own
	// files (kubefingerprint_filter.csv and the like) never do.
	tracked, err := exec.Command("git", "-C", "..", "ls-files", "lookups/*.csv").Output()
	require.NoError(t, err)
	require.NotEmpty(t, strings.Fields(string(tracked)))
	var shipped []string
	for name := range files {
		if strings.HasPrefix(name, "kubefingerprint/lookups/") {
			shipped = append(shipped, strings.TrimPrefix(name, "kubefingerprint/"))
		}
	}
	assert.ElementsMatch(t, strings.Fields(string(tracked)), shipped)
	assert.NotContains(t, files, "kubefingerprint/lookups/kubefingerprint_filter.csv", "the site lookup is never shipped")

	readme := string(files["kubefingerprint/README.md"].data)
	assert.Contains(t, readme, "# Binary File Declaration")
	goVersion := regexp.MustCompile(`(?m)^go (\S+)$`).FindStringSubmatch(string(must(os.ReadFile("../go.mod"))))[1]
	assert.Contains(t, readme, "Go "+goVersion, "the binary declaration names the Go version go.mod asks for")
	assert.Contains(t, readme, "./build.sh", "and the build command")
	license := files["kubefingerprint/LICENSE"].data
	assert.Equal(t, must(os.ReadFile("../LICENSE")), license)
	assert.True(t, bytes.Contains(license, []byte("Apache License\n                           Version 2.0, January 2004")), "Apache-2.0")

	// Icons, at the sizes Splunk Web asks for.
	for name, size := range map[string]int{"appIcon.png": 36, "appIcon_2x.png": 72} {
		cfg, err := png.DecodeConfig(bytes.NewReader(files["kubefingerprint/static/"+name].data))
		if assert.NoError(t, err, name) {
			assert.Equal(t, [2]int{size, size}, [2]int{cfg.Width, cfg.Height}, name)
		}
	}

	// Configuration, read as splunkd reads it.
	confs := map[string]conf.File{}
	for name, e := range files {
		if strings.HasSuffix(name, ".conf") || strings.HasSuffix(name, ".meta") {
			f, err := conf.Parse(bytes.NewReader(e.data))
			require.NoError(t, err, name)
			confs[filepath.Base(name)] = f
		}
	}
	app := confs["app.conf"]
	assert.Equal(t, "kubefingerprint", app["package"]["id"])
	assert.Equal(t, "kubefingerprint", app["id"]["name"])
	version := app["launcher"]["version"]
	assert.Equal(t, version, app["id"]["version"])
	assert.Equal(t, "kubefingerprint-"+version+".tgz", filepath.Base(path))
	build, err := strconv.Atoi(app["install"]["build"])
	assert.NoError(t, err)
	assert.Positive(t, build)
	assert.NotEmpty(t, app["launcher"]["description"])
	assert.LessOrEqual(t, len(app["launcher"]["description"]), 200)
	label := app["ui"]["label"]
	assert.True(t, len(label) >= 5 && len(label) <= 80, "label %q", label)
	assert.Equal(t, "true", app["ui"]["is_visible"], "an app people open")
	assert.Contains(t, readme, "### "+version, "release notes for this version")

	var manifest struct {
		SchemaVersion string `json:"schemaVersion"`
		Info          struct {
			ID     struct{ Name, Version string } `json:"id"`
			Author []struct {
				Name string `json:"name"`
			} `json:"author"`
			License      struct{ Name, Text, URI string } `json:"license"`
			ReleaseNotes struct{ Name, Text, URI string } `json:"releaseNotes"`
		} `json:"info"`
		TargetWorkloads []string `json:"targetWorkloads"`
	}
	require.NoError(t, json.Unmarshal(files["kubefingerprint/app.manifest"].data, &manifest))
	assert.Equal(t, "2.0.0", manifest.SchemaVersion)
	assert.Equal(t, "kubefingerprint", manifest.Info.ID.Name)
	assert.Equal(t, version, manifest.Info.ID.Version)
	assert.Contains(t, manifest.TargetWorkloads, "_indexers")
	require.NotEmpty(t, manifest.Info.Author)
	assert.NotEmpty(t, manifest.Info.Author[0].Name)
	assert.Equal(t, "Apache License 2.0", manifest.Info.License.Name)
	assert.Contains(t, files, "kubefingerprint/"+manifest.Info.License.Text, "the manifest's licence file ships")
	assert.Contains(t, files, "kubefingerprint/"+manifest.Info.ReleaseNotes.Text, "the manifest's release notes ship")
	source := regexp.MustCompile(`(?m)^Source: (https://\S+)`).FindStringSubmatch(readme)
	require.NotNil(t, source, "the README names the source")
	assert.Equal(t, source[1], manifest.Info.ReleaseNotes.URI, "README and manifest name one source address")

	command := confs["commands.conf"]["kubefingerprint"]
	require.NotNil(t, command)
	assert.Equal(t, "true", command["chunked"])
	assert.Equal(t, "kubefingerprint", command["filename"])
	chunkedKeys := regexp.MustCompile(`^(chunked|filename|is_risky|maxwait|maxchunksize|python\.version|command\.arg\.\d+)$`)
	for key := range command {
		assert.Regexp(t, chunkedKeys, key, "only settings valid for chunked commands")
	}

	bnf := confs["searchbnf.conf"]["kubefingerprint-command"]
	require.NotNil(t, bnf, "searchbnf stanza for the command")
	assert.Equal(t, "public", bnf["usage"])
	for _, key := range []string{"syntax", "description", "shortdesc", "example1", "example2", "example3"} {
		assert.NotEmpty(t, bnf[key], key)
	}
	for _, arg := range []string{"codes=", "anonymous=", "input=", "filter="} {
		assert.Contains(t, bnf["syntax"], arg)
	}
	for i := 1; bnf[fmt.Sprintf("example%d", i)] != ""; i++ {
		assert.NoError(t, checkSPL(bnf[fmt.Sprintf("example%d", i)], confs["macros.conf"]), "example%d", i)
	}

	meta := confs["default.meta"]
	for _, kind := range []string{"commands", "searchbnf", "macros", "transforms", "lookups"} {
		assert.Equal(t, "system", meta[kind]["export"], kind)
	}
	transforms := confs["transforms.conf"]
	for _, l := range []string{"kubefingerprint_filter_default", "kubefingerprint_filter"} {
		assert.Equal(t, l+".csv", transforms[l]["filename"])
	}
	for name, rule := range confs["savedsearches.conf"] {
		assert.NoError(t, checkSPL(rule["search"], confs["macros.conf"]), name)
	}

	// Navigation: the hunting dashboard first and default, then Search,
	// the rules and the lookups.
	var nav struct {
		Items []struct {
			XMLName xml.Name
			Name    string `xml:"name,attr"`
			Default string `xml:"default,attr"`
			Label   string `xml:"label,attr"`
			Saved   []struct {
				Name string `xml:"name,attr"`
			} `xml:"saved"`
			Links []struct {
				Href string `xml:"href,attr"`
			} `xml:"a"`
		} `xml:",any"`
	}
	require.NoError(t, xml.Unmarshal(files["kubefingerprint/default/data/ui/nav/default.xml"].data, &nav))
	require.Len(t, nav.Items, 4)
	assert.Equal(t, "view", nav.Items[0].XMLName.Local)
	assert.Equal(t, "kubernetes_scan_fingerprint", nav.Items[0].Name)
	assert.Equal(t, "true", nav.Items[0].Default, "the dashboard is the app's default view")
	assert.Contains(t, files, "kubefingerprint/default/data/ui/views/"+nav.Items[0].Name+".xml")
	assert.Equal(t, "search", nav.Items[1].Name)
	var savedNames []string
	for _, s := range nav.Items[2].Saved {
		savedNames = append(savedNames, s.Name)
		assert.Contains(t, confs["savedsearches.conf"], s.Name)
	}
	assert.ElementsMatch(t, []string{ruleSeed, ruleBySource}, savedNames)
	// The rules ship disabled, and a menu may leave out disabled searches:
	// the manager page where they are enabled is linked too.
	if assert.Len(t, nav.Items[2].Links, 1) {
		assert.Contains(t, nav.Items[2].Links[0].Href, "/saved/searches")
	}
	assert.Equal(t, "Lookups", nav.Items[3].Label)
	assert.NotEmpty(t, nav.Items[3].Links)

	// The binaries: extracted into an empty etc/apps, the Linux one is a
	// static x86-64 ELF that answers Splunk's protocol.
	apps := filepath.Join(t.TempDir(), "etc", "apps")
	for name, e := range files {
		p := filepath.Join(apps, name)
		if e.hdr.Typeflag == tar.TypeDir {
			require.NoError(t, os.MkdirAll(p, 0o755))
			continue
		}
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, e.data, e.hdr.FileInfo().Mode().Perm()))
	}
	bin := filepath.Join(apps, "kubefingerprint", "bin", "kubefingerprint")
	exe, err := elf.Open(bin)
	require.NoError(t, err)
	assert.Equal(t, elf.EM_X86_64, exe.Machine)
	assert.Equal(t, elf.ELFCLASS64, exe.Class)
	for _, prog := range exe.Progs {
		assert.NotEqual(t, elf.PT_INTERP, prog.Type, "statically linked: no interpreter")
	}
	libs, _ := exe.ImportedLibraries()
	assert.Empty(t, libs, "statically linked: no shared libraries")
	exe.Close()

	mac, err := macho.Open(filepath.Join(apps, "kubefingerprint", "darwin_x86_64", "bin", "kubefingerprint"))
	require.NoError(t, err)
	assert.Equal(t, macho.CpuAmd64, mac.Cpu)
	mac.Close()

	cmd := exec.Command(bin)
	cmd.Dir = filepath.Dir(bin)
	cmd.Stdin = bytes.NewReader(chunkedtest.Getinfo())
	out, err := cmd.Output()
	require.NoError(t, err)
	rep, err := chunkedtest.ReadReply(chunked.NewReader(bytes.NewReader(out)))
	require.NoError(t, err)
	assert.Equal(t, "streaming", rep.Meta["type"])
	assert.Empty(t, rep.Meta["inspector"], "the shipped default lookup is clean")

	// A site allowlist uploaded in Splunk Web starts private to its owner,
	// in $SPLUNK_HOME/etc/users/<user>/kubefingerprint/lookups/, where the
	// command does not read it: it must say so. That warning comes with the
	// lookups work that also ships the scanner lookup, so it is checked
	// once the package carries that lookup.
	if _, ok := files["kubefingerprint/lookups/kubefingerprint_scanners.csv"]; ok {
		home := filepath.Dir(filepath.Dir(apps))
		private := filepath.Join(home, "etc", "users", "admin", "kubefingerprint", "lookups", "kubefingerprint_filter.csv")
		require.NoError(t, os.MkdirAll(filepath.Dir(private), 0o755))
		require.NoError(t, os.WriteFile(private, []byte("sourceIP,comment\n198.51.100.7,private row\n"), 0o644))
		cmd := exec.Command(bin)
		cmd.Dir = filepath.Dir(bin)
		cmd.Stdin = bytes.NewReader(chunkedtest.Getinfo()) // username admin
		out, err := cmd.Output()
		require.NoError(t, err)
		rep, err := chunkedtest.ReadReply(chunked.NewReader(bytes.NewReader(out)))
		require.NoError(t, err)
		assert.Contains(t, strings.ToLower(fmt.Sprint(rep.Meta["inspector"])), "private", "a private site lookup is reported")
	}

	version2, err := exec.Command(bin, "version").Output()
	require.NoError(t, err)
	assert.Equal(t, "kubefingerprint "+version+"\n", string(version2), "version stamped in")
}
