/*
Copyright 2026 The Steward Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

// Command golangci-lint is golangci-lint with the module plugins in plugins.go
// compiled in: what `golangci-lint custom` would build from .custom-gcl.yml,
// built here from the Go module proxy instead of a git clone of golangci-lint.
// `make golangci-lint` builds it into bin/.
//
// It does what golangci-lint's own cmd/golangci-lint/main.go does for such a
// build: hand commands.Execute the version and date that the build sets with
// -ldflags "-X main.version=... -X main.date=...", and the Go version the
// binary was built with.
package main

import (
	"fmt"
	"os"
	"runtime/debug"

	"github.com/golangci/golangci-lint/v2/pkg/commands"
	"github.com/golangci/golangci-lint/v2/pkg/exitcodes"
)

// Set by the Makefile with -ldflags -X, as `golangci-lint custom` does.
var (
	goVersion = "unknown"
	version   = "unknown"
	commit    = "?"
	date      = "(unknown)"
)

func main() {
	info := commands.BuildInfo{
		GoVersion: goVersion,
		Version:   version,
		Commit:    commit,
		Date:      date,
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		info.GoVersion = bi.GoVersion
	}

	if err := commands.Execute(info); err != nil {
		_, _ = fmt.Fprintf(os.Stderr, "The command is terminated due to an error: %v\n", err)
		os.Exit(exitcodes.Failure)
	}
}
