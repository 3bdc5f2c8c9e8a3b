// Package kubefingerprint holds the files the app ships that the command
// line needs without an installed app.
package kubefingerprint

import _ "embed"

// Scanners is lookups/kubefingerprint_scanners.csv, the shipped scanner
// tags, for the command line and for a search run outside an app folder.
//
//go:embed lookups/kubefingerprint_scanners.csv
var Scanners []byte

// Tools is lookups/kubefingerprint_tools.csv, the shipped tool
// signatures, for the command line and for a search run outside an app
// folder, or when the shipped file cannot be applied.
//
//go:embed lookups/kubefingerprint_tools.csv
var Tools []byte

// Sample is samples/sample.ndjson, a small set of AKS kube-audit records
// written for this project, that scan reads when it is started in a
// terminal with no file: a kube-hunter run against one cluster, a script
// trying a bad token against two, RBAC denials of a signed-in user and
// ordinary traffic.
//
//go:embed samples/sample.ndjson
var Sample []byte
