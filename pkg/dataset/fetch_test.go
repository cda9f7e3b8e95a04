package dataset_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mlstack/mlstack/pkg/dataset"
	"github.com/mlstack/mlstack/pkg/dataset/kaggletest"
)

func TestParseSource(t *testing.T) {
	cases := []struct {
		in   string
		kind dataset.Kind
		want string // a distinguishing field
		err  error
	}{
		{"sample:diabetes", dataset.KindSample, "diabetes", nil},
		{"sample:nope", "", "", dataset.ErrBadSource},
		{"kaggle:uciml/pima-indians-diabetes-database", dataset.KindKaggle, "", nil},
		{"kaggle:owner/ds/sub/file.csv", dataset.KindKaggle, "sub/file.csv", nil},
		{"kaggle:owner", "", "", dataset.ErrBadSource},
		{"kaggle:owner/../x", "", "", dataset.ErrBadSource},
		{"https://example.com/a.csv", dataset.KindURL, "", nil},
		{"./local.csv", dataset.KindFile, "./local.csv", nil},
		{"file:///tmp/a.csv", dataset.KindFile, "/tmp/a.csv", nil},
		{"ftp://host/a.csv", "", "", dataset.ErrUnknownScheme},
		{"s3://bucket/raw/a.csv", dataset.KindS3, "raw/a.csv", nil},
		{"s3://bucket", "", "", dataset.ErrBadSource},
		{"s3:///a.csv", "", "", dataset.ErrBadSource},
		{"s3://B_ad/a.csv", "", "", dataset.ErrBadSource},
		{"s3://bucket/dir/", "", "", dataset.ErrBadSource},
		{"", "", "", dataset.ErrBadSource},
	}
	for i, c := range cases {
		s, err := dataset.ParseSource(c.in)
		if !errors.Is(err, c.err) || s.Kind != c.kind {
			t.Errorf("case %d: ParseSource(%q) = %+v, %v; want kind %q err %v", i, c.in, s, err, c.kind, c.err)
			continue
		}
		if got := s.Name + s.File + s.Path + s.Key; c.err == nil && got != c.want {
			t.Errorf("case %d: ParseSource(%q) name/file/path/key = %q, want %q", i, c.in, got, c.want)
		}
	}
}

func TestKaggleCredentials(t *testing.T) {
	home := t.TempDir()
	tokFile := filepath.Join(home, "tok")
	os.WriteFile(tokFile, []byte("from-file\n"), 0o600)
	jsonHome := t.TempDir()
	os.MkdirAll(filepath.Join(jsonHome, ".kaggle"), 0o700)
	os.WriteFile(filepath.Join(jsonHome, ".kaggle", "kaggle.json"), []byte(`{"username":"u","key":"k"}`), 0o600)
	atHome := t.TempDir()
	os.MkdirAll(filepath.Join(atHome, ".kaggle"), 0o700)
	os.WriteFile(filepath.Join(atHome, ".kaggle", "access_token"), []byte("at\n"), 0o600)
	cases := []struct {
		env         map[string]string
		token, user string
		err         error
		errMentions string
	}{
		{map[string]string{"HOME": home, "KAGGLE_API_TOKEN": "t1", "KAGGLE_USERNAME": "u", "KAGGLE_KEY": "k"}, "t1", "", nil, ""},
		{map[string]string{"HOME": home, "KAGGLE_API_TOKEN": tokFile}, "from-file", "", nil, ""},
		{map[string]string{"HOME": atHome, "KAGGLE_USERNAME": "u2", "KAGGLE_KEY": "k2"}, "at", "", nil, ""},
		{map[string]string{"HOME": home, "KAGGLE_USERNAME": "u2", "KAGGLE_KEY": "k2"}, "", "u2", nil, ""},
		{map[string]string{"HOME": home, "KAGGLE_USERNAME": "u2"}, "", "", dataset.ErrNoCredentials, "KAGGLE_KEY"},
		{map[string]string{"HOME": jsonHome}, "", "u", nil, ""},
		{map[string]string{"HOME": home, "KAGGLE_CONFIG_DIR": filepath.Join(jsonHome, ".kaggle")}, "", "u", nil, ""},
		{map[string]string{"HOME": home}, "", "", dataset.ErrNoCredentials, "KAGGLE_API_TOKEN"},
	}
	for i, c := range cases {
		cr, err := dataset.KaggleCredentials(func(k string) string { return c.env[k] })
		if !errors.Is(err, c.err) || cr.Token != c.token || cr.Username != c.user || (err != nil && !strings.Contains(err.Error(), c.errMentions)) {
			t.Errorf("case %d: KaggleCredentials = %+v, %v; want token %q user %q err %v mentioning %q", i, cr, err, c.token, c.user, c.err, c.errMentions)
		}
	}
}

func TestFetchKaggle(t *testing.T) {
	srv := kaggletest.New()
	defer srv.Close()
	csvA := []byte("a,b\n1,2\n3,4\n")
	srv.Datasets["alice/tiny"] = map[string][]byte{"train.csv": csvA, "test.csv": []byte("a,b\n5,6\n"), "README.md": []byte("# x")}
	srv.Datasets["alice/docs"] = map[string][]byte{"README.md": []byte("# x")}
	srv.Private["alice/secret"] = true
	ctx := context.Background()
	env := map[string]string{"HOME": t.TempDir(), "KAGGLE_API_TOKEN": srv.Token, "KAGGLE_API_ENDPOINT": srv.API.URL}
	cases := []struct {
		name     string
		source   string
		env      map[string]string
		setup    func()
		legacy   bool
		files    string
		err      error
		mentions string
	}{
		{"whole dataset zip", "kaggle:alice/tiny", nil, nil, false, "test.csv train.csv", nil, ""},
		{"one file", "kaggle:alice/tiny/train.csv", nil, nil, false, "train.csv", nil, ""},
		{"one file zipped", "kaggle:alice/tiny/train.csv", nil, func() { srv.ZipSingle = true }, false, "train.csv", nil, ""},
		{"legacy REST basic auth", "kaggle:alice/tiny", map[string]string{"KAGGLE_API_TOKEN": "", "KAGGLE_USERNAME": "alice", "KAGGLE_KEY": "k-456"}, nil, true, "test.csv train.csv", nil, ""},
		{"401", "kaggle:alice/tiny", map[string]string{"KAGGLE_API_TOKEN": "wrong"}, nil, false, "", dataset.ErrUnauthorized, "KAGGLE_API_TOKEN"},
		{"403", "kaggle:alice/secret", nil, nil, false, "", dataset.ErrForbidden, "rules"},
		{"404", "kaggle:alice/none", nil, nil, false, "", dataset.ErrNotFound, "alice/none"},
		{"500 then ok", "kaggle:alice/tiny/train.csv", nil, func() { srv.Fail = 2 }, false, "train.csv", nil, ""},
		{"500 always", "kaggle:alice/tiny/train.csv", nil, func() { srv.Fail = 10 }, false, "", nil, "HTTP 500"},
		{"truncated", "kaggle:alice/tiny", nil, func() { srv.Truncate = true }, false, "", dataset.ErrTruncated, ""},
		{"slow", "kaggle:alice/tiny", nil, func() { srv.Slow = 3 * time.Second }, false, "", dataset.ErrStalled, ""},
		{"no csv", "kaggle:alice/docs", nil, nil, false, "", dataset.ErrNoCSV, ""},
		{"no credentials", "kaggle:alice/tiny", map[string]string{"KAGGLE_API_TOKEN": ""}, nil, false, "", dataset.ErrNoCredentials, "KAGGLE_API_TOKEN"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv.ZipSingle, srv.Fail, srv.Truncate, srv.Slow = false, 0, false, 0
			if c.setup != nil {
				c.setup()
			}
			e := map[string]string{}
			for k, v := range env {
				e[k] = v
			}
			for k, v := range c.env {
				e[k] = v
			}
			src, err := dataset.ParseSource(c.source)
			if err != nil {
				t.Fatal(err)
			}
			files, err := dataset.Fetch(ctx, src, &dataset.FetchOptions{
				Dir: t.TempDir(), Getenv: func(k string) string { return e[k] }, KaggleLegacy: c.legacy,
				IdleTimeout: 500 * time.Millisecond, RetryWait: 10 * time.Millisecond,
			})
			if c.err != nil && !errors.Is(err, c.err) || c.err == nil && c.mentions == "" && err != nil {
				t.Fatalf("Fetch(%s) error = %v, want %v", c.source, err, c.err)
			}
			if err != nil && !strings.Contains(err.Error(), c.mentions) {
				t.Errorf("Fetch(%s) error %q does not mention %q", c.source, err, c.mentions)
			}
			if c.mentions != "" && err == nil {
				t.Fatalf("Fetch(%s) succeeded, want an error mentioning %q", c.source, c.mentions)
			}
			var names []string
			for _, f := range files {
				names = append(names, f.Name)
				if _, err := dataset.CheckCSV(ctx, f.Path, nil); err != nil {
					t.Errorf("fetched %s does not parse: %v", f.Name, err)
				}
			}
			if got := strings.Join(names, " "); got != c.files {
				t.Errorf("Fetch(%s) files = %q, want %q", c.source, got, c.files)
			}
		})
	}
	if srv.AuthOnRedirect {
		t.Error("the Authorization header was sent to the redirect host")
	}
}

func zipOf(t *testing.T, entries map[string][]byte, link string) string {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for n, data := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if link != "" {
		h := &zip.FileHeader{Name: link}
		h.SetMode(os.ModeSymlink | 0o777)
		w, _ := zw.CreateHeader(h)
		w.Write([]byte("/etc/passwd"))
	}
	zw.Close()
	p := filepath.Join(t.TempDir(), "a.zip")
	os.WriteFile(p, b.Bytes(), 0o644)
	return p
}

func TestExtract(t *testing.T) {
	ok := []byte("a\n1\n")
	bomb := bytes.Repeat([]byte("0"), 64<<20)
	cases := []struct {
		name    string
		entries map[string][]byte
		link    string
		lim     *dataset.Limits
		files   string
		err     error
	}{
		{"nested", map[string][]byte{"d/x.csv": ok, "y.CSV": ok, "n.txt": ok, "__MACOSX/d/._x.csv": ok}, "", nil, "d/x.csv y.CSV", nil},
		{"traversal", map[string][]byte{"../evil.csv": ok, "x.csv": ok}, "", nil, "", dataset.ErrUnsafeArchive},
		{"absolute", map[string][]byte{"/etc/evil.csv": ok}, "", nil, "", dataset.ErrUnsafeArchive},
		{"backslash", map[string][]byte{`..\evil.csv`: ok}, "", nil, "", dataset.ErrUnsafeArchive},
		{"symlink", map[string][]byte{"x.csv": ok}, "l.csv", nil, "", dataset.ErrUnsafeArchive},
		{"bomb ratio", map[string][]byte{"b.csv": bomb}, "", nil, "", dataset.ErrTooLarge},
		{"total size", map[string][]byte{"x.csv": ok, "z.csv": ok}, "", &dataset.Limits{MaxBytes: 6, MaxEntries: 10, MaxRatio: 200}, "", dataset.ErrTooLarge},
		{"entries", map[string][]byte{"x.csv": ok, "z.csv": ok}, "", &dataset.Limits{MaxBytes: 1 << 20, MaxEntries: 1, MaxRatio: 200}, "", dataset.ErrTooLarge},
		{"no csv", map[string][]byte{"n.txt": ok}, "", nil, "", dataset.ErrNoCSV},
	}
	for _, c := range cases {
		dir := filepath.Join(t.TempDir(), "out")
		files, err := dataset.Extract(context.Background(), zipOf(t, c.entries, c.link), dir, c.lim)
		if !errors.Is(err, c.err) {
			t.Errorf("%s: Extract error = %v, want %v", c.name, err, c.err)
			continue
		}
		var names []string
		for _, f := range files {
			names = append(names, f.Name)
		}
		if got := strings.Join(names, " "); got != c.files {
			t.Errorf("%s: Extract files = %q, want %q", c.name, got, c.files)
		}
		if c.err == dataset.ErrUnsafeArchive {
			if ents, _ := os.ReadDir(dir); len(ents) > 0 {
				t.Errorf("%s: unsafe archive wrote %d entries", c.name, len(ents))
			}
		}
	}
}

func TestFetchURL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/old.csv":
			http.Redirect(w, r, "/data/new.csv?sig=1", http.StatusFound)
		case "/data/new.csv":
			w.Write([]byte("a,b\n1,2\n"))
		case "/page":
			w.Write([]byte("<html>"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	cases := []struct {
		path, files string
		err         error
	}{
		{"/old.csv", "new.csv", nil},
		{"/missing.csv", "", dataset.ErrNotFound},
		{"/page", "", dataset.ErrNoCSV},
	}
	for _, c := range cases {
		src, _ := dataset.ParseSource(srv.URL + c.path)
		files, err := dataset.Fetch(context.Background(), src, &dataset.FetchOptions{Dir: t.TempDir()})
		if !errors.Is(err, c.err) || len(files) > 0 && files[0].Name != c.files {
			t.Errorf("Fetch(%s) = %v, %v; want %s, %v", c.path, files, err, c.files, c.err)
		}
	}
}
