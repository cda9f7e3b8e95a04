package dataset

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/mlstack/mlstack/internal/redact"
	"github.com/mlstack/mlstack/pkg/storage"
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
	// ErrNoCredentials: no Kaggle credentials (or Roboflow API key) were
	// found.
	ErrNoCredentials = errors.New("no Kaggle credentials")
	// ErrNoRoboflowKey: ROBOFLOW_API_KEY is not set. It wraps
	// ErrNoCredentials.
	ErrNoRoboflowKey = fmt.Errorf("%w: no Roboflow API key", ErrNoCredentials)
	// ErrNotTabular: the source is an image dataset (roboflow:), not CSV.
	ErrNotTabular = errors.New("not a tabular source")
	// ErrUnauthorized, ErrForbidden, ErrNotFound: HTTP 401, 403, 404.
	ErrUnauthorized = errors.New("unauthorized")
	ErrForbidden    = errors.New("forbidden")
	ErrNotFound     = errors.New("not found")
	// ErrTruncated: a download ended before Content-Length bytes.
	ErrTruncated = errors.New("truncated download")
	// ErrStalled: a download sent nothing for FetchOptions.IdleTimeout, or
	// less than FetchOptions.MinRate allows.
	ErrStalled = errors.New("download stalled")
	// ErrTimeout: a fetch took longer than FetchOptions.Timeout.
	ErrTimeout = errors.New("fetch timed out")
	// ErrNotData: a server answered 200 with a web page or JSON (a login
	// page, an API error) instead of data. It wraps ErrNoCSV.
	ErrNotData = fmt.Errorf("%w: the server sent a page, not data", ErrNoCSV)
)

// Kind is the type of a Source.
type Kind string

// Source kinds.
const (
	KindSample Kind = "sample"
	KindKaggle Kind = "kaggle"
	KindURL    Kind = "url"
	KindFile   Kind = "file"
	// KindRoboflow is a Roboflow dataset version export (an image dataset:
	// see FetchDataset).
	KindRoboflow Kind = "roboflow"
	// KindS3 is an object of the object store (pkg/storage).
	KindS3 Kind = "s3"
)

// Source is a parsed source string.
type Source struct {
	Kind Kind
	Raw  string // as given, secrets included: print String() instead
	// Name is the sample name (KindSample).
	Name string
	// Owner, Dataset and File name a Kaggle dataset and optionally one of
	// its files (KindKaggle).
	Owner, Dataset, File string
	// URL is the http(s) URL (KindURL).
	URL string
	// Path is the local path (KindFile).
	Path string
	// Bucket and Key name an object of the store (KindS3).
	Bucket, Key string
	// Workspace, Project, Version and Format name a Roboflow dataset
	// version and its export format (KindRoboflow; Format defaults to
	// DefaultRoboflowFormat).
	Workspace, Project string
	Version            int
	Format             string
}

// String is the source as given, with the secrets of a URL (userinfo,
// ?api_key=…) redacted: what messages and manifests show.
func (s Source) String() string { return redact.URL(s.Raw) }

// ParseSource parses sample:NAME, kaggle:OWNER/DATASET[/FILE],
// roboflow:WORKSPACE/PROJECT/VERSION[/FORMAT], http(s)://…,
// s3://BUCKET/KEY, file://PATH or a local path. Sample names are checked
// against Samples, bucket names and keys by pkg/storage's rules.
func ParseSource(s string) (Source, error) {
	src := Source{Raw: s}
	bad := func(format string, args ...any) (Source, error) {
		return Source{}, fmt.Errorf("dataset: source %q: %w: %s", redact.URL(s), ErrBadSource, fmt.Sprintf(format, args...))
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
	case "roboflow":
		parts := strings.Split(strings.Trim(rest, "/"), "/")
		const want = "want roboflow:WORKSPACE/PROJECT/VERSION[/FORMAT], e.g. roboflow:acme/faces/3/yolov8"
		if len(parts) < 3 || len(parts) > 4 {
			return bad(want)
		}
		for _, p := range parts {
			if !validSlug(p) {
				return bad("%q: %s", p, want)
			}
		}
		v, err := strconv.Atoi(parts[2])
		if err != nil || v < 1 {
			return bad("version %q is not a positive number; %s", parts[2], want)
		}
		src.Kind, src.Workspace, src.Project, src.Version, src.Format = KindRoboflow, parts[0], parts[1], v, DefaultRoboflowFormat
		if len(parts) == 4 {
			src.Format = parts[3]
		}
	case "http", "https":
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			return bad("not a URL")
		}
		src.Kind, src.URL = KindURL, s
	case "s3":
		bucket, key, err := storage.ParseURI(s)
		if err != nil || key == "" || strings.HasSuffix(key, "/") {
			return bad("want s3://BUCKET/KEY, the key of one object")
		}
		if err := storage.CheckBucketName(bucket); err != nil {
			return bad("%v", err)
		}
		if err := storage.CheckKey(key); err != nil {
			return bad("%v", err)
		}
		src.Kind, src.Bucket, src.Key = KindS3, bucket, key
	case "file":
		u, err := url.Parse(s)
		if err != nil || u.Path == "" {
			return bad("want file:///path")
		}
		src.Kind, src.Path = KindFile, u.Path
	default:
		return Source{}, fmt.Errorf("dataset: source %q: %w %q (want sample:, kaggle:, roboflow:, https://, s3://, file:// or a path)", redact.URL(s), ErrUnknownScheme, scheme)
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

// validSlug reports a URL path segment of letters, digits, '-', '_' and '.'
// (not "." or "..").
func validSlug(p string) bool {
	if p == "" || p == "." || p == ".." {
		return false
	}
	for _, r := range p {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}
