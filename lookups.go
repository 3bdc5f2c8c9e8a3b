// Package kubefingerprint holds the app's shipped files that the command
// line needs without an installed app.
package kubefingerprint

import _ "embed"

// Scanners is lookups/kubefingerprint_scanners.csv, the shipped scanner
// tags, for the command line and for a search run outside an app folder.
//
//go:embed lookups/kubefingerprint_scanners.csv
var Scanners []byte
