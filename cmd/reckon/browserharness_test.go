package main

import (
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// harnessPage is a page of the harness's own test: two static pages with a
// nav, under the CSP the web UI promises. They stand for no part of the UI.
func harnessPage(nav, body string) string {
	return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Harness check</title></head>
<body><nav aria-label="Pages"><a href="/">Home</a> <a href="/second">Second</a>` + nav + `</nav>
<main id="main"><h1>Harness check</h1>` + body + `</main></body></html>`
}

// harnessServer serves the static pages; with broken set, the second page
// has an image without alternative text and a refused inline script, and
// the nav a link to a page that is not there.
func harnessServer(broken bool) *httptest.Server {
	first, second := harnessPage("", "<p>The first page.</p>"), harnessPage("", "<p>The second page.</p>")
	if broken {
		gone := ` <a href="/gone">Gone</a>`
		first = harnessPage(gone, "<p>The first page.</p>")
		second = harnessPage(gone, `<img src="/missing.png"><script>document.title = "inline"</script>`)
	}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/":
			w.Write([]byte(first))
		case "/second":
			w.Write([]byte(second))
		default:
			http.NotFound(w, r)
		}
	}))
}

// TestTheBrowserHarnessDrivesChromium runs the runner's screenshots and
// accessibility scenarios over static pages without sign-in: once over
// good pages, which pass and leave PNGs of each page at each width, and
// once over broken ones, whose faults are each reported in words. It holds
// the harness to account before (and beside) the web UI.
func TestTheBrowserHarnessDrivesChromium(t *testing.T) {
	node := browserRunner(t)
	good := harnessServer(false)
	defer good.Close()
	out := browserOut(t, "harness")
	env := []string{"RECKON_URL=" + good.URL, "RECKON_BROWSER_NO_SIGNIN=1", "RECKON_BROWSER_OUT=" + out}
	lines, err := runBrowser(t, node, env, "screenshots", "accessibility")
	joined := strings.Join(lines, "\n")
	if err != nil || !strings.Contains(joined, "PASS screenshots") || !strings.Contains(joined, "PASS accessibility") {
		t.Fatalf("over good pages the runner exited with %v", err)
	}
	for _, c := range []struct {
		file  string
		width int
	}{{"desktop-home.png", 1280}, {"phone-home.png", 390}, {"desktop-dark-second.png", 1280}, {"phone-second.png", 390}} {
		f, err := os.Open(filepath.Join(out, c.file))
		if err != nil {
			t.Errorf("no screenshot %s: %v", c.file, err)
			continue
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil || img.Bounds().Dx() != c.width {
			t.Errorf("%s: %v, %v wide, want %d", c.file, err, img.Bounds().Dx(), c.width)
		}
	}

	broken := harnessServer(true)
	defer broken.Close()
	env = []string{"RECKON_URL=" + broken.URL, "RECKON_BROWSER_NO_SIGNIN=1", "RECKON_BROWSER_OUT=" + t.TempDir()}
	lines, err = runBrowser(t, node, env, "screenshots", "accessibility")
	joined = strings.Join(lines, "\n")
	if !exitedWith(err, 1) {
		t.Errorf("over broken pages the runner exited with %v, want exit status 1", err)
	}
	for _, want := range []string{
		"FAIL screenshots: desktop /gone: GET /gone answered 404 (the page is not there yet)",
		"desktop: /second: Executing inline script violates the following Content Security Policy directive",
		"FAIL accessibility: /second (light): image-alt (critical): Images must have alternative text, at img",
		"/second (dark): image-alt (critical)",
		"0 passed, 2 failed, 0 skipped",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("over broken pages the runner did not say %q", want)
		}
	}
	t.Logf("the harness drove chromium over good and broken pages; screenshots in %s", out)
}
