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

package report

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"
)

// Formats the report can be written in.
var Formats = []string{"html", "markdown", "json"}

//go:embed report.html.tmpl
var templates embed.FS

var htmlTemplate = template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{
	"stamp":    stamp,
	"day":      func(t time.Time) string { return t.UTC().Format(time.DateOnly) },
	"join":     strings.Join,
	"bars":     barChart,
	"progress": progressChart,
	"since":    sinceText,
}).ParseFS(templates, "report.html.tmpl"))

// Write renders the report in format.
func Write(w io.Writer, format string, r Report) error {
	switch format {
	case "html":
		return htmlTemplate.Execute(w, r)
	case "markdown", "md":
		return writeMarkdown(w, r)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return fmt.Errorf("unknown output format %q: want %s", format, strings.Join(Formats, ", "))
}

func stamp(t any) string {
	switch v := t.(type) {
	case time.Time:
		if v.IsZero() {
			return "-"
		}
		return v.UTC().Format(time.RFC3339)
	case *time.Time:
		if v == nil || v.IsZero() {
			return "-"
		}
		return v.UTC().Format(time.RFC3339)
	}
	return fmt.Sprint(t)
}

func sinceText(p Period) string {
	if p.Since.IsZero() {
		return "the beginning"
	}
	return stamp(p.Since)
}
