package redact

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestIsSecretKey(t *testing.T) {
	for name, want := range map[string]bool{
		"api_key": true, "X-Api-Key": true, "apikey": true, "github_token": true, "PASSWORD": true,
		"client_secret": true, "X-Amz-Signature": true, "X-Amz-Credential": true, "key": true, "sig": true,
		"auth": true, "passwd": true,
		"keys": false, "monkey": false, "name": false, "max_depth": false, "author": false, "": false,
	} {
		if got := IsSecretKey(name); got != want {
			t.Errorf("IsSecretKey(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://example.com/data.csv", "https://example.com/data.csv"},
		{"https://example.com/d.csv?api_key=s3cr3t", "https://example.com/d.csv?api_key=[REDACTED]"},
		{"https://example.com/d.csv?x=1&token=abc&y=2", "https://example.com/d.csv?x=1&token=[REDACTED]&y=2"},
		{"https://user:pw@example.com/d.csv", "https://[REDACTED]@example.com/d.csv"},
		{"https://user@example.com/d.csv", "https://[REDACTED]@example.com/d.csv"},
		{"https://h/o?X-Amz-Signature=abc&X-Amz-Credential=AKIA%2F1&X-Amz-Date=1", "https://h/o?X-Amz-Signature=[REDACTED]&X-Amz-Credential=[REDACTED]&X-Amz-Date=1"},
		{"https://h/o?key=abc#frag", "https://h/o?key=[REDACTED]#frag"},
		{"https://h/o?api%5Fkey=abc", "https://h/o?api%5Fkey=[REDACTED]"},
		{"https://u:p@h/%zz?token=1", "https://[REDACTED]@h/%zz?token=1"}, // not a URL: userinfo only
	}
	for _, tt := range tests {
		if got := URL(tt.in); got != tt.want {
			t.Errorf("URL(%q)\n  = %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

func TestURLOfLeavesItsArgument(t *testing.T) {
	u, _ := url.Parse("https://u:p@h/x?token=t")
	_ = URLOf(u)
	if u.String() != "https://u:p@h/x?token=t" {
		t.Errorf("URLOf changed its argument: %s", u)
	}
}

func TestText(t *testing.T) {
	_, err := url.Parse("https://h/x")
	if err != nil {
		t.Fatal(err)
	}
	e := &url.Error{Op: "Get", URL: "https://h/x?api_key=s3cr3t", Err: errors.New("connection refused")}
	got := Text("ingest: dataset: " + e.Error())
	if strings.Contains(got, "s3cr3t") || !strings.Contains(got, `"https://h/x?api_key=[REDACTED]"`) {
		t.Errorf("Text = %s", got)
	}
	if got := Text("dataset: https://h/x?key=k: HTTP 404 (see https://u:p@h/y.)"); got != "dataset: https://h/x?key=[REDACTED]: HTTP 404 (see https://[REDACTED]@h/y.)" {
		t.Errorf("Text = %s", got)
	}
}
