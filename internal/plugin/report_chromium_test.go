//go:build chromium

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

package plugin

import (
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestReportRendersInChromium renders the real command's HTML report of a
// real API server's scenario with headless Chromium, to a PNG and a PDF,
// and checks what a person would: the page is drawn, and the PDF holds
// every section and the key figures. hack/test-report.sh installs
// Chromium and poppler-utils and runs it; REPORT_OUT keeps the files.
func TestReportRendersInChromium(t *testing.T) {
	s := startScenario(t)
	dir := os.Getenv("REPORT_OUT")
	if dir == "" {
		dir = t.TempDir()
	}
	out, err := s.run(t, "report", "-o", "html", "--context", "envtest")
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	html := filepath.Join(dir, "report.html")
	if err := os.WriteFile(html, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	pngPath, pdfPath := filepath.Join(dir, "report.png"), filepath.Join(dir, "report.pdf")
	chromium(t, "--screenshot="+pngPath, "--window-size=1280,2000", html)
	chromium(t, "--print-to-pdf="+pdfPath, "--no-pdf-header-footer", html)

	if colours := distinctColours(t, pngPath); colours < 8 {
		t.Errorf("the screenshot has %d distinct colours: blank or unstyled", colours)
	}
	text, err := exec.Command("pdftotext", "-raw", pdfPath, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	pdf := strings.Join(strings.Fields(string(text)), " ")
	for _, want := range []string{"Steward evidence report", "Summary", "Identities by state", "Access review campaign",
		"Revocations in the period", "Exceptions", "Owner departures", "Controls", "Integrity",
		"Decided: 1/3", "Complete: 33%", "1/3 decided (33%)", "Identities governed: 3", "24h0m0s", "vendor-key",
		"ciso@example.com", "SOC 2 CC6.1", "SOC 2 CC6.2", "SOC 2 CC6.3", "PR.AA-01", "PR.AA-05", "7.2.1", "7.2.4",
		"7.2.5", "8.6.x", "NHI1", "NHI3", "NHI7", "NHI9", "SHA-256"} {
		// A table cell may wrap a long word across lines: -raw keeps the
		// cell's lines together, and squash joins them.
		if !strings.Contains(pdf, want) && !strings.Contains(squash(pdf), squash(want)) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
}

func chromium(t *testing.T, args ...string) {
	t.Helper()
	binary := os.Getenv("CHROMIUM")
	if binary == "" {
		binary = "chromium"
	}
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir()}
	cmd := exec.Command(binary, append(base, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", binary, err, out)
	}
}

// distinctColours counts the colours of a sample of the image's pixels.
func distinctColours(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[[3]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, _ := img.At(x, y).RGBA()
			seen[[3]uint32{r >> 8, g >> 8, bl >> 8}] = true
		}
	}
	return len(seen)
}

// squash drops spaces and hyphens, which pdftotext loses or adds where a
// table cell wraps.
func squash(s string) string { return strings.NewReplacer(" ", "", "-", "").Replace(s) }
