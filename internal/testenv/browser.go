package testenv

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ChromiumPath is where Debian's chromium package installs the browser.
// MLSTACK_CHROMIUM overrides it.
const ChromiumPath = "/usr/bin/chromium"

// Chromium returns the headless browser's path. Without it the test is
// Unavailable: `apt-get install -y chromium` (scripts/setup-debian.sh).
func Chromium(t testing.TB) string {
	t.Helper()
	SkipShort(t, "a browser (Chromium)")
	p := os.Getenv("MLSTACK_CHROMIUM")
	if p == "" {
		p = ChromiumPath
	}
	if _, err := exec.LookPath(p); err != nil {
		Unavailable(t, "headless Chromium not found at %s (%v): run apt-get install -y chromium (scripts/setup-debian.sh does)", p, err)
	}
	return p
}

// BrowserResult is what a headless Chromium run of one page reports.
type BrowserResult struct {
	// DOM is the serialised document after the scripts ran (--dump-dom);
	// empty for screenshot runs.
	DOM string
	// Console lists the page's console messages and uncaught errors, one
	// per entry, as Chromium logs them ("CONSOLE(line)" / "Uncaught ...").
	Console []string
	// Log is Chromium's whole stderr, for failure messages.
	Log string
}

// chromiumFlags are the flags that work on the project's machines (no
// sandbox as root, no GPU, no network chatter).
func chromiumFlags(userDir string) []string {
	return []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--hide-scrollbars", "--force-device-scale-factor=1",
		"--user-data-dir=" + userDir,
		"--enable-logging=stderr", "--v=0",
		"--virtual-time-budget=5000",
		"--allow-file-access-from-files",
	}
}

var consoleLine = regexp.MustCompile(`(CONSOLE\(\d+\)|Uncaught)`)

// runChromium runs Chromium on a local file with extra flags and returns
// stdout and the console lines of stderr.
func runChromium(t testing.TB, path string, extra ...string) ([]byte, BrowserResult) {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return runChromiumURL(t, "file://"+abs, extra...)
}

// runChromiumURL runs Chromium on a URL with extra flags (later flags
// override the defaults, e.g. a longer --virtual-time-budget).
func runChromiumURL(t testing.TB, target string, extra ...string) ([]byte, BrowserResult) {
	t.Helper()
	bin := Chromium(t)
	userDir := t.TempDir()
	args := append(chromiumFlags(userDir), extra...)
	args = append(args, target)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", target, err, stderr.String())
	}
	res := BrowserResult{Log: stderr.String()}
	sc := bufio.NewScanner(strings.NewReader(res.Log))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		if consoleLine.MatchString(sc.Text()) {
			res.Console = append(res.Console, sc.Text())
		}
	}
	return stdout.Bytes(), res
}

// DumpDOM opens the local HTML file in headless Chromium, lets its scripts
// run (5 s of virtual time) and returns the resulting DOM and the console
// messages.
func DumpDOM(t testing.TB, path string) BrowserResult {
	t.Helper()
	out, res := runChromium(t, path, "--dump-dom")
	res.DOM = string(out)
	return res
}

// Screenshot opens the local HTML file in headless Chromium with a window
// of width × height CSS pixels, lets its scripts run and writes a PNG
// screenshot to png. It returns the console messages.
func Screenshot(t testing.TB, path, png string, width, height int) BrowserResult {
	t.Helper()
	abs, err := filepath.Abs(png)
	if err != nil {
		t.Fatal(err)
	}
	_, res := runChromium(t, path, "--screenshot="+abs,
		"--window-size="+strconv.Itoa(width)+","+strconv.Itoa(height))
	if _, err := os.Stat(abs); err != nil {
		t.Fatalf("chromium wrote no screenshot %s: %v\n%s", abs, err, res.Log)
	}
	return res
}

// ScreenshotURL loads a web page (a single-page app such as the MLflow UI)
// in headless Chromium with a window of width × height CSS pixels, gives
// its scripts and requests budget of virtual time, and writes a PNG
// screenshot to png. It returns the console messages.
func ScreenshotURL(t testing.TB, target, png string, width, height int, budget time.Duration) BrowserResult {
	t.Helper()
	abs, err := filepath.Abs(png)
	if err != nil {
		t.Fatal(err)
	}
	_, res := runChromiumURL(t, target, "--screenshot="+abs,
		"--window-size="+strconv.Itoa(width)+","+strconv.Itoa(height),
		"--virtual-time-budget="+strconv.FormatInt(budget.Milliseconds(), 10))
	if _, err := os.Stat(abs); err != nil {
		t.Fatalf("chromium wrote no screenshot %s: %v\n%s", abs, err, res.Log)
	}
	return res
}

// DumpURL loads a web page like ScreenshotURL and returns its DOM after
// budget of virtual time.
func DumpURL(t testing.TB, target string, budget time.Duration) BrowserResult {
	t.Helper()
	out, res := runChromiumURL(t, target, "--dump-dom",
		"--virtual-time-budget="+strconv.FormatInt(budget.Milliseconds(), 10))
	res.DOM = string(out)
	return res
}

// ScreenshotURLClicking is ScreenshotURL for a page that shows what a
// screenshot needs only after clicks (a collapsed table). The page is
// loaded through a reverse proxy that adds a script to its HTML; once each
// appears, the script clicks the first element matching selector whose
// text starts with each of texts.
func ScreenshotURLClicking(t testing.TB, target, png string, width, height int, budget time.Duration, selector string, texts ...string) BrowserResult {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	q := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	script := []byte(`<script>
const texts = ` + q(texts) + `, clicked = new Set();
const tick = setInterval(() => {
  for (const text of texts) {
    if (clicked.has(text)) continue;
    const el = [...document.querySelectorAll(` + q(selector) + `)].find(e => e.textContent.trim().startsWith(text));
    if (el) { el.click(); clicked.add(text); }
  }
  if (clicked.size === texts.length) clearInterval(tick);
}, 250);
</script></body>`)
	rp := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(&url.URL{Scheme: u.Scheme, Host: u.Host})
		pr.Out.Host = u.Host
		pr.Out.Header.Del("Accept-Encoding") // an HTML body the proxy can edit
	}}
	rp.ModifyResponse = func(r *http.Response) error {
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			return nil
		}
		b, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return err
		}
		b = bytes.Replace(b, []byte("</body>"), script, 1)
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.ContentLength = int64(len(b))
		r.Header.Set("Content-Length", strconv.Itoa(len(b)))
		r.Header.Del("Content-Security-Policy")
		return nil
	}
	srv := httptest.NewServer(rp)
	defer srv.Close()
	proxied := *u
	proxied.Host = strings.TrimPrefix(srv.URL, "http://")
	return ScreenshotURL(t, proxied.String(), png, width, height, budget)
}
