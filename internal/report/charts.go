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
	"fmt"
	"html/template"
	"strings"
)

// stateColours are the bar colours of the states, severe ones warm. Any
// other state is grey.
var stateColours = map[string]string{
	"Revoked": "#7f1d1d", "Unowned": "#b91c1c", "Expired": "#dc2626", "OwnerDeparted": "#ea580c",
	"Unapproved": "#d97706", "ReviewOverdue": "#ca8a04", "RotationOverdue": "#a16207", "Stale": "#92400e",
	"Unused": "#78716c", "Excepted": "#2563eb", "Owned": "#15803d",
}

// barChart draws counts as horizontal bars, one per line, as inline SVG:
// no script, no external font or stylesheet.
func barChart(title string, counts []StateCount) template.HTML {
	const width, labelWidth, barHeight, gap = 640, 150, 22, 6
	peak := 1
	for _, c := range counts {
		peak = max(peak, c.Count)
	}
	height := 28 + len(counts)*(barHeight+gap)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="%d" height="%d" viewBox="0 0 %d %d">`,
		width, height, width, height)
	fmt.Fprintf(&b, `<title>%s</title><text x="0" y="16" font-size="14" font-weight="bold">%s</text>`,
		template.HTMLEscapeString(title), template.HTMLEscapeString(title))
	for i, c := range counts {
		y := 28 + i*(barHeight+gap)
		w := (width - labelWidth - 60) * c.Count / peak
		colour := stateColours[c.Name]
		if colour == "" {
			colour = "#6b7280"
		}
		fmt.Fprintf(&b, `<text x="0" y="%d" font-size="13">%s</text>`, y+16, template.HTMLEscapeString(c.Name))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>`, labelWidth, y, max(w, 1), barHeight, colour)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13">%d</text>`, labelWidth+max(w, 1)+6, y+16, c.Count)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // built here from escaped names and numbers
}

// progressChart draws a campaign's decisions as one stacked bar:
// recertified, revoked, outstanding (overdue in red).
func progressChart(c Campaign) template.HTML {
	const width, barWidth, height = 640, 600, 64
	total := max(c.Total, 1)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="%d" height="%d" viewBox="0 0 %d %d">`,
		width, height, width, height)
	fmt.Fprintf(&b, `<title>%s: %d/%d decided</title>`, template.HTMLEscapeString(c.Name), c.Decided, c.Total)
	x := 0
	outstandingOnTime := max(c.Outstanding-c.Overdue, 0)
	parts := []struct {
		n      int
		colour string
	}{{c.Recertified, "#15803d"}, {c.Revoked, "#7f1d1d"}, {outstandingOnTime, "#d1d5db"}, {c.Overdue, "#dc2626"}}
	for _, p := range parts {
		w := barWidth * p.n / total
		if p.n > 0 {
			fmt.Fprintf(&b, `<rect x="%d" y="4" width="%d" height="26" fill="%s"/>`, x, max(w, 1), p.colour)
		}
		x += w
	}
	fmt.Fprintf(&b, `<rect x="0" y="4" width="%d" height="26" fill="none" stroke="#111827"/>`, barWidth)
	fmt.Fprintf(&b, `<text x="0" y="50" font-size="13">%d/%d decided (%d%%): %d recertified, %d revoked, %d outstanding, %d overdue</text>`,
		c.Decided, c.Total, c.PercentComplete, c.Recertified, c.Revoked, c.Outstanding, c.Overdue)
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // numbers and an escaped name only
}
