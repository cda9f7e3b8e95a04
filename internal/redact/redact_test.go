package redact_test

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/internal/redact"
)

func TestIsSecretName(t *testing.T) {
	for name, want := range map[string]bool{
		"ROBOFLOW_API_KEY": true, "api_key": true, "X-Api-Key": true, "apikey": true, "AWS_SECRET_ACCESS_KEY": true,
		"KAGGLE_KEY": true, "JUPYTER_TOKEN": true, "github_token": true, "MLFLOW_TRACKING_PASSWORD": true,
		"MINIO_ROOT_PASSWORD": true, "db_passwd": true, "client_secret": true, "X-Amz-Signature": true,
		"X-Amz-Credential": true, "key": true, "sig": true, "auth": true,
		"HOME": false, "MLFLOW_TRACKING_URI": false, "keyword": false, "keys": false, "monkey": false,
		"author": false, "name": false, "max_depth": false, "target": false, "": false,
	} {
		if got := redact.IsSecretName(name); got != want {
			t.Errorf("IsSecretName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://example.com/data.csv", "https://example.com/data.csv"},
		{"http://u:PW@host/x.csv?api_key=K", "http://u:[REDACTED]@host/x.csv?api_key=[REDACTED]"},
		{"https://user@example.com/d.csv", "https://[REDACTED]@example.com/d.csv"},
		{"https://ghp_abc123@github.com/o/r.git", "https://[REDACTED]@github.com/o/r.git"},
		{"https://host/a?x=1&token=T&y=2#frag", "https://host/a?x=1&token=[REDACTED]&y=2#frag"},
		{"https://b.s3.amazonaws.com/k?X-Amz-Credential=AK%2F1&X-Amz-Signature=abc&X-Amz-Expires=60",
			"https://b.s3.amazonaws.com/k?X-Amz-Credential=[REDACTED]&X-Amz-Signature=[REDACTED]&X-Amz-Expires=60"},
		{"https://host/p?key=k1&keyword=go", "https://host/p?key=[REDACTED]&keyword=go"},
		{"https://h/o?api%5Fkey=abc", "https://h/o?api%5Fkey=[REDACTED]"},
		{"https://h/o?pwd=abc&page=2", "https://h/o?pwd=[REDACTED]&page=2"},
		{"https://u:p@h/%zz?token=1", "https://u:[REDACTED]@h/%zz?token=[REDACTED]"}, // does not parse: redacted all the same
		{"s3://bucket/raw/x.csv", "s3://bucket/raw/x.csv"},
		{"sample:diabetes", "sample:diabetes"},
		{"/data/x.csv", "/data/x.csv"},
		{"http://host/path@v1?q=1", "http://host/path@v1?q=1"},
	} {
		if got := redact.URL(tc.in); got != tc.want {
			t.Errorf("URL(%q)\n  = %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestURLOfLeavesItsArgument(t *testing.T) {
	u, _ := url.Parse("https://u:p@h/x?token=t")
	if got := redact.URLOf(u); got != "https://u:[REDACTED]@h/x?token=[REDACTED]" {
		t.Errorf("URLOf = %s", got)
	}
	if u.String() != "https://u:p@h/x?token=t" {
		t.Errorf("URLOf changed its argument: %s", u)
	}
}

func TestString(t *testing.T) {
	t.Setenv("ROBOFLOW_API_KEY", "rf-5ecret-value")
	t.Setenv("KAGGLE_KEY", "kg-0123456789")
	t.Setenv("SHORT_TOKEN", "abc") // too short to redact safely
	t.Setenv("HOME_DIR", "rf-5ecret-value-not-secret-name")
	for _, tc := range []struct{ in, want string }{
		{`note: rf-5ecret-value`, `note: [REDACTED]`},
		{`get "http://u:PW@host/x.csv?api_key=K": 403`, `get "http://u:[REDACTED]@host/x.csv?api_key=[REDACTED]": 403`},
		{"kaggle kg-0123456789 and abc", "kaggle [REDACTED] and abc"},
		{"dataset: https://h/x?key=k: HTTP 404 (see https://u:p@h/y.)", "dataset: https://h/x?key=[REDACTED]: HTTP 404 (see https://u:[REDACTED]@h/y.)"},
		{"nothing here", "nothing here"},
	} {
		if got := redact.String(tc.in); got != tc.want {
			t.Errorf("String(%q)\n  = %q\nwant %q", tc.in, got, tc.want)
		}
	}
	e := &url.Error{Op: "Get", URL: "https://h/x?api_key=s3cr3t", Err: errors.New("connection refused")}
	if got := redact.String("ingest: dataset: " + e.Error()); strings.Contains(got, "s3cr3t") || !strings.Contains(got, `"https://h/x?api_key=[REDACTED]"`) {
		t.Errorf("String(url.Error) = %s", got)
	}
}

func TestError(t *testing.T) {
	base := fmt.Errorf("open http://u:PW@h/x: %w", fs.ErrNotExist)
	err := redact.Error(base)
	if err.Error() != "open http://u:[REDACTED]@h/x: file does not exist" || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Error = %q, Is(ErrNotExist) = %v", err, errors.Is(err, fs.ErrNotExist))
	}
	if redact.Error(nil) != nil {
		t.Error("Error(nil) != nil")
	}
}

// BenchmarkString measures the cost a Run adds to every param and tag
// value: a short value without a URL, and a URL with credentials.
func BenchmarkString(b *testing.B) {
	b.Setenv("BENCH_API_KEY", "bench-secret-value")
	for _, in := range []string{"0.1", "http://u:pw@host/data.csv?api_key=K&sep=,"} {
		b.Run(fmt.Sprintf("len%d", len(in)), func(b *testing.B) {
			for b.Loop() {
				redact.String(in)
			}
		})
	}
}
