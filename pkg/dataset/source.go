package dataset

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"
)

// Errors returned (wrapped) by this package.
var (
	// ErrUnknownScheme: a source string has a scheme this package does not
	// know.
	ErrUnknownScheme = errors.New("unknown source scheme")
	// ErrBadSource: a source string is malformed.
	ErrBadSource = errors.New("malformed source")
	// ErrNoCSV: the fetched data holds no CSV file.
	ErrNoCSV = errors.New("no CSV file")
	// ErrUnsafeArchive: an archive entry would escape the target folder or
	// is a link or device.
	ErrUnsafeArchive = errors.New("unsafe archive entry")
	// ErrTooLarge: data exceeds a limit of Limits.
	ErrTooLarge = errors.New("data exceeds limit")
	// ErrNoCredentials: no Kaggle credentials were found.
	ErrNoCredentials = errors.New("no Kaggle credentials")
	// ErrUnauthorized, ErrForbidden, ErrNotFound: HTTP 401, 403, 404.
	ErrUnauthorized = errors.New("unauthorized")
	ErrForbidden    = errors.New("forbidden")
	ErrNotFound     = errors.New("not found")
	// ErrTruncated: a download ended before Content-Length bytes.
	ErrTruncated = errors.New("truncated download")
	// ErrStalled: a download sent nothing for FetchOptions.IdleTimeout.
	ErrStalled = errors.New("download stalled")
)

// Kind is the type of a Source.
type Kind string

// Source kinds.
const (
	KindSample Kind = "sample"
	KindKaggle Kind = "kaggle"
	KindURL    Kind = "url"
	KindFile   Kind = "file"
)

// Source is a parsed source string.
type Source struct {
	Kind Kind
	Raw  string // as given
	// Name is the sample name (KindSample).
	Name string
	// Owner, Dataset and File name a Kaggle dataset and optionally one of
	// its files (KindKaggle).
	Owner, Dataset, File string
	// URL is the http(s) URL (KindURL).
	URL string
	// Path is the local path (KindFile).
	Path string
}

func (s Source) String() string { return s.Raw }

// ParseSource parses sample:NAME, kaggle:OWNER/DATASET[/FILE], http(s)://…,
// file://PATH or a local path. Sample names are checked against Samples.
func ParseSource(s string) (Source, error) {
	src := Source{Raw: s}
	bad := func(format string, args ...any) (Source, error) {
		return Source{}, fmt.Errorf("dataset: source %q: %w: %s", s, ErrBadSource, fmt.Sprintf(format, args...))
	}
	if strings.TrimSpace(s) == "" {
		return bad("empty")
	}
	scheme, rest, hasScheme := strings.Cut(s, ":")
	if !hasScheme || len(scheme) == 1 || strings.ContainsAny(scheme, "/\\.") {
		src.Kind, src.Path = KindFile, s // ./x.csv, /x.csv, C:\x.csv, x.csv
		return src, nil
	}
	switch strings.ToLower(scheme) {
	case "sample":
		name := strings.TrimSuffix(rest, ".csv")
		if _, err := Sample(name); err != nil {
			return bad("no built-in sample %q (have %s)", name, strings.Join(Samples(), ", "))
		}
		src.Kind, src.Name = KindSample, name
	case "kaggle":
		parts := strings.Split(strings.Trim(rest, "/"), "/")
		if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
			return bad("want kaggle:OWNER/DATASET[/FILE]")
		}
		for _, p := range parts {
			if p == "" || p == "." || p == ".." {
				return bad("want kaggle:OWNER/DATASET[/FILE]")
			}
		}
		src.Kind, src.Owner, src.Dataset, src.File = KindKaggle, parts[0], parts[1], strings.Join(parts[2:], "/")
	case "http", "https":
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			return bad("not a URL")
		}
		src.Kind, src.URL = KindURL, s
	case "file":
		u, err := url.Parse(s)
		if err != nil || u.Path == "" {
			return bad("want file:///path")
		}
		src.Kind, src.Path = KindFile, u.Path
	default:
		return Source{}, fmt.Errorf("dataset: source %q: %w %q (want sample:, kaggle:, https://, file:// or a path)", s, ErrUnknownScheme, scheme)
	}
	return src, nil
}

// baseName is the file name a URL path ends with.
func baseName(p, def string) string {
	b := path.Base(p)
	if b == "." || b == "/" || b == "" {
		return def
	}
	return b
}
