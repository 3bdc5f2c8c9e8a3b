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
		"bin/kubefingerprint", "darwin_x86_64/bin/kubefingerprint", "README.md", "app.manifest",
		"default/app.conf", "default/commands.conf", "default/searchbnf.conf", "default/macros.conf",
		"default/transforms.conf", "default/savedsearches.conf", "metadata/default.meta",
		"lookups/kubefingerprint_filter_default.csv",
	} {
		assert.Contains(t, files, "kubefingerprint/"+want)
	}
	assert.NotContains(t, files, "kubefingerprint/lookups/kubefingerprint_filter.csv", "the site lookup is never shipped")
	assert.Contains(t, string(files["kubefingerprint/README.md"].data), "# Binary File Declaration")

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

	var manifest struct {
		SchemaVersion string `json:"schemaVersion"`
		Info          struct {
			ID struct{ Name, Version string } `json:"id"`
		} `json:"info"`
		TargetWorkloads []string `json:"targetWorkloads"`
	}
	require.NoError(t, json.Unmarshal(files["kubefingerprint/app.manifest"].data, &manifest))
	assert.Equal(t, "2.0.0", manifest.SchemaVersion)
	assert.Equal(t, "kubefingerprint", manifest.Info.ID.Name)
	assert.Equal(t, version, manifest.Info.ID.Version)
	assert.Contains(t, manifest.TargetWorkloads, "_indexers")

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
	for _, arg := range []string{"codes=", "input=", "filter="} {
		assert.Contains(t, bnf["syntax"], arg)
	}

	meta := confs["default.meta"]
	for _, kind := range []string{"commands", "searchbnf", "macros", "transforms", "lookups"} {
		assert.Equal(t, "system", meta[kind]["export"], kind)
	}

	macros, transforms := confs["macros.conf"], confs["transforms.conf"]
	assert.Equal(t, "sourcetype=mscs:storage:blob:json", macros["kubernetes_azure"]["definition"])
	assert.Equal(t, "search *", macros["kubernetes_azure_scan_fingerprint_filter"]["definition"])
	for _, l := range []string{"kubefingerprint_filter_default", "kubefingerprint_filter"} {
		assert.Equal(t, l+".csv", transforms[l]["filename"])
	}

	rule := confs["savedsearches.conf"]["kubefingerprint - Kubernetes Azure scan fingerprint - Rule"]
	require.NotNil(t, rule)
	search := rule["search"]
	assert.True(t, strings.HasPrefix(search, "`kubernetes_azure` category=kube-audit | kubefingerprint"), search)
	assert.True(t, strings.HasSuffix(search, "| table _time sourceIPs{} userAgent verb requestURI responseStatus.reason"), search)
	for _, m := range regexp.MustCompile("`([^`(]+)(\\([^`]*\\))?`").FindAllStringSubmatch(search, -1) {
		assert.Contains(t, macros, m[1], "the saved search uses only macros the app defines")
	}
	for _, m := range regexp.MustCompile(`\b(?:input|output)?lookup\s+(?:\S+=\S+\s+)*(\w+)`).FindAllStringSubmatch(search, -1) {
		assert.Contains(t, transforms, m[1], "the saved search uses only lookups the app defines")
	}
	for _, cmd := range regexp.MustCompile(`\|\s*(\w+)`).FindAllStringSubmatch(search, -1) {
		if cmd[1] != "table" {
			assert.Contains(t, confs["commands.conf"], cmd[1])
		}
	}
	for key, want := range map[string]string{
		"disabled": "1", "enableSched": "1", "cron_schedule": "0 * * * *",
		"dispatch.earliest_time": "-70m@m", "dispatch.latest_time": "-10m@m",
		"action.correlationsearch.enabled": "1", "action.risk": "1",
	} {
		assert.Equal(t, want, rule[key], key)
	}
	var annotations struct {
		Story      []string `json:"analytic_story"`
		Mitre      []string `json:"mitre_attack"`
		KillChain  []string `json:"kill_chain_phases"`
		Confidence int      `json:"confidence"`
		Impact     int      `json:"impact"`
	}
	require.NoError(t, json.Unmarshal([]byte(rule["action.correlationsearch.annotations"]), &annotations))
	assert.Equal(t, []string{"Kubernetes Scanning Activity"}, annotations.Story)
	assert.Equal(t, []string{"T1526"}, annotations.Mitre)
	assert.Equal(t, []string{"Reconnaissance"}, annotations.KillChain)
	assert.Equal(t, 50, annotations.Confidence)
	assert.Equal(t, 50, annotations.Impact)
	var risk []struct {
		Field string `json:"risk_object_field"`
		Type  string `json:"risk_object_type"`
		Score int    `json:"risk_score"`
	}
	require.NoError(t, json.Unmarshal([]byte(rule["action.risk.param._risk"]), &risk))
	require.Len(t, risk, 1)
	assert.Equal(t, "sourceIPs{}", risk[0].Field)
	assert.Equal(t, "system", risk[0].Type)
	assert.Equal(t, 25, risk[0].Score)
	for _, token := range []string{"$sourceIPs{}$", "$userAgent$", "$requestURI$"} {
		assert.Contains(t, rule["action.risk.param._risk_message"], token)
	}

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

	version2, err := exec.Command(bin, "version").Output()
	require.NoError(t, err)
	assert.Equal(t, "kubefingerprint "+version+"\n", string(version2), "version stamped in")
}
