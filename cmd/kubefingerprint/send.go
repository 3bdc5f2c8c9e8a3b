//go:build !splunkapp

package main

import (
	"io"
	"os"

	"github.com/kubefingerprint/kubefingerprint/internal/send"
)

func sendCommand(args []string, stdout, stderr io.Writer) int {
	return send.Run(args, os.Getenv, nil, stdout, stderr)
}
