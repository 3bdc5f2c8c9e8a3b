package search

import "path/filepath"

// platformDirs are the folders in which Splunk looks for a platform's
// binary before <app>/bin (commands.conf.spec, filename).
var platformDirs = []string{"linux_x86_64", "linux_x86", "windows_x86_64", "windows_x86", "darwin_x86_64"}

// AppDir returns the Splunk app folder that holds the executable exe, at
// <app>/bin/ or <app>/<platform>/bin/, or "" when exe is elsewhere. On
// indexers this is the app's copy in the replicated knowledge bundle.
func AppDir(exe string) string {
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	bin := filepath.Dir(exe)
	if filepath.Base(bin) != "bin" {
		return ""
	}
	app := filepath.Dir(bin)
	for _, p := range platformDirs {
		if filepath.Base(app) == p {
			return filepath.Dir(app)
		}
	}
	return app
}
