package dataset

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mlstack/mlstack/internal/redact"
	"github.com/mlstack/mlstack/internal/retry"
	"github.com/mlstack/mlstack/pkg/storage"
)

// File is a CSV file Fetch made available.
type File struct {
	Name string // slash-separated name relative to the source (archive path or file name)
	Path string // local path
}

// FetchOptions configures Fetch. Dir is required.
type FetchOptions struct {
	// Dir receives downloads and extracted files.
	Dir string
	// Getenv reads the environment (Kaggle credentials and
	// KAGGLE_API_ENDPOINT); os.Getenv when nil.
	Getenv func(string) string
	// HTTPClient makes requests; a client with default redirects when nil.
	HTTPClient *http.Client
	// KaggleEndpoint overrides KAGGLE_API_ENDPOINT and KaggleAPI.
	KaggleEndpoint string
	// KaggleLegacy uses the legacy REST call
	// (GET /api/v1/datasets/download/…) instead of the RPC.
	KaggleLegacy bool
	// IdleTimeout is the window over which the transfer rate is measured:
	// a request that receives fewer than max(1, MinRate × IdleTimeout)
	// bytes in a window (headers included) is abandoned as ErrStalled;
	// 60 s when 0.
	IdleTimeout time.Duration
	// MinRate is the minimum transfer rate in bytes per second, measured
	// over each IdleTimeout window, so that a server sending a byte a
	// second cannot hold a download for ever; DefaultMinRate when 0,
	// none (only IdleTimeout) when negative.
	MinRate int64
	// Timeout bounds a whole Fetch or FetchDataset (every attempt and the
	// extraction) as ErrTimeout; DefaultTimeout when 0, none when
	// negative.
	Timeout time.Duration
	// Retries is the number of attempts for 5xx answers, network errors
	// and truncated bodies; 3 when 0.
	Retries int
	// RetryWait is the first wait between attempts, doubled each time;
	// 1 s when 0.
	RetryWait time.Duration
	// Limits bound downloads (Limits.MaxBytes) and archive extraction;
	// nil means DefaultLimits.
	Limits *Limits
	// Progress, if set, is called while downloading with bytes so far and
	// the total (-1 if unknown).
	Progress func(name string, done, total int64)
	// Store serves s3:// sources; nil means the store the environment
	// configures (storage.FromEnv).
	Store storage.Store
	// RoboflowEndpoint overrides ROBOFLOW_API_URL and RoboflowAPI.
	RoboflowEndpoint string
	// RoboflowPoll is the wait between export polls while Roboflow
	// answers 202 (export being generated); 1 s when 0.
	RoboflowPoll time.Duration
	// RoboflowMaxWait bounds the time spent polling; 15 min when 0.
	RoboflowMaxWait time.Duration
}

func (o *FetchOptions) defaults() FetchOptions {
	c := *o
	if c.Getenv == nil {
		c.Getenv = os.Getenv
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{}
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = 60 * time.Second
	}
	if c.MinRate == 0 {
		c.MinRate = DefaultMinRate
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Retries == 0 {
		c.Retries = 3
	}
	if c.RetryWait == 0 {
		c.RetryWait = time.Second
	}
	if c.Limits == nil {
		c.Limits = &DefaultLimits
	}
	if c.Progress == nil {
		c.Progress = func(string, int64, int64) {}
	}
	if c.RoboflowPoll == 0 {
		c.RoboflowPoll = time.Second
	}
	if c.RoboflowMaxWait == 0 {
		c.RoboflowMaxWait = 15 * time.Minute
	}
	return c
}

// Defaults of FetchOptions.
const (
	// DefaultMinRate is the minimum transfer rate: 1 KiB/s.
	DefaultMinRate = 1 << 10
	// DefaultTimeout bounds a whole fetch: one hour.
	DefaultTimeout = time.Hour
)

// begin starts a fetch of src: it checks opts and returns them with their
// defaults and ctx bounded by their Timeout. The caller defers end(&err),
// which turns an error the timeout caused into one wrapping ErrTimeout and
// releases ctx.
func begin(ctx context.Context, src Source, opts *FetchOptions) (_ context.Context, o FetchOptions, end func(*error), err error) {
	if opts == nil || opts.Dir == "" {
		return nil, o, nil, errors.New("dataset: FetchOptions.Dir is required")
	}
	o = opts.defaults()
	ctx, cancel, timedOut := withTimeout(ctx, &o, src)
	return ctx, o, func(err *error) { *err = timedOut(*err); cancel() }, nil
}

// withTimeout applies o.Timeout to ctx; done turns an error caused by it
// into ErrTimeout naming what timed out.
func withTimeout(ctx context.Context, o *FetchOptions, what fmt.Stringer) (context.Context, context.CancelFunc, func(error) error) {
	if o.Timeout < 0 {
		ctx, cancel := context.WithCancel(ctx)
		return ctx, cancel, func(err error) error { return err }
	}
	cause := fmt.Errorf("dataset: %s: %w (%v)", what, ErrTimeout, o.Timeout)
	ctx, cancel := context.WithTimeoutCause(ctx, o.Timeout, cause)
	return ctx, cancel, func(err error) error {
		if err != nil && errors.Is(context.Cause(ctx), ErrTimeout) {
			return context.Cause(ctx)
		}
		return err
	}
}

// Fetch makes the CSV files of src available under opts.Dir (local CSV
// files are used in place) and returns them sorted by name. Archives are
// extracted; other non-CSV files are ignored. No CSV at all is ErrNoCSV.
func Fetch(ctx context.Context, src Source, opts *FetchOptions) (_ []File, err error) {
	ctx, o, end, err := begin(ctx, src, opts)
	if err != nil {
		return nil, err
	}
	defer end(&err)
	var p, name string
	switch src.Kind {
	case KindSample:
		b, err := Sample(src.Name)
		if err != nil {
			return nil, err
		}
		name = src.Name + ".csv"
		p = filepath.Join(o.Dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return nil, err
		}
	case KindFile:
		fi, err := os.Stat(src.Path)
		if err != nil {
			return nil, fmt.Errorf("dataset: %w", err)
		}
		if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("dataset: %s is not a regular file", src.Path)
		}
		p, name = src.Path, filepath.Base(src.Path)
	case KindURL:
		req := func(ctx context.Context) (*http.Request, error) {
			return http.NewRequestWithContext(ctx, http.MethodGet, src.URL, nil)
		}
		var err error
		p, name, err = download(ctx, &o, req, "download")
		if err != nil {
			return nil, err
		}
	case KindKaggle:
		var err error
		p, name, err = kaggleDownload(ctx, &o, src)
		if err != nil {
			return nil, err
		}
	case KindS3:
		var err error
		if p, name, err = fetchObject(ctx, &o, src); err != nil {
			return nil, err
		}
	case KindRoboflow:
		return nil, fmt.Errorf("dataset: %s: %w: an image dataset (use FetchDataset)", src, ErrNotTabular)
	default:
		return nil, fmt.Errorf("dataset: %w %q", ErrUnknownScheme, src.Kind)
	}
	if isZip(p) {
		return Extract(ctx, p, filepath.Join(o.Dir, "x"), o.Limits)
	}
	if !isCSVName(name) {
		return nil, fmt.Errorf("dataset: %s: %w (got %s)", src, ErrNoCSV, name)
	}
	return []File{{Name: name, Path: p}}, nil
}

// fetchObject copies the s3:// object of src under o.Dir, at most
// o.Limits.MaxBytes of it.
func fetchObject(ctx context.Context, o *FetchOptions, src Source) (p, name string, err error) {
	st := o.Store
	if st == nil {
		if st, err = storage.FromEnv(); err != nil {
			return "", "", err
		}
	}
	rc, info, err := st.Get(ctx, src.Bucket, src.Key)
	if err != nil {
		return "", "", fmt.Errorf("dataset: open %s: %w", src, err)
	}
	defer rc.Close()
	if info.Size > o.Limits.MaxBytes {
		return "", "", fmt.Errorf("dataset: %s: %w: %d bytes (limit %d)", src, ErrTooLarge, info.Size, o.Limits.MaxBytes)
	}
	name = path.Base(src.Key)
	p = filepath.Join(o.Dir, name)
	f, err := os.Create(p)
	if err != nil {
		return "", "", err
	}
	n, err := io.Copy(f, io.LimitReader(rc, o.Limits.MaxBytes+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > o.Limits.MaxBytes {
		err = fmt.Errorf("dataset: %s: %w: more than %d bytes", src, ErrTooLarge, o.Limits.MaxBytes)
	}
	if err != nil {
		return "", "", err
	}
	o.Progress(name, n, n)
	return p, name, nil
}

func isCSVName(n string) bool { return strings.EqualFold(path.Ext(n), ".csv") }

func isZip(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	var b [4]byte
	_, err = io.ReadFull(f, b[:])
	return err == nil && string(b[:]) == "PK\x03\x04"
}

// HTTPError is a failed HTTP answer. It wraps ErrUnauthorized,
// ErrForbidden or ErrNotFound for 401, 403 and 404, and ErrNotData for a
// 200 whose body is a web page or JSON.
type HTTPError struct {
	URL        string // secrets redacted (internal/redact)
	StatusCode int
	Message    string // from a JSON error body, or the start of the body
	Hint       string
	Err        error // what the status does not say (ErrNotData)
}

func (e *HTTPError) Error() string {
	s := fmt.Sprintf("dataset: %s: HTTP %d %s", e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

func (e *HTTPError) Unwrap() error {
	if e.Err != nil {
		return e.Err
	}
	switch e.StatusCode {
	case 401:
		return ErrUnauthorized
	case 403:
		return ErrForbidden
	case 404:
		return ErrNotFound
	}
	return nil
}

func kaggleDownload(ctx context.Context, o *FetchOptions, src Source) (string, string, error) {
	cred, err := KaggleCredentials(o.Getenv)
	if err != nil {
		return "", "", err
	}
	base := o.KaggleEndpoint
	if base == "" {
		base = o.Getenv("KAGGLE_API_ENDPOINT")
	}
	if base == "" {
		base = KaggleAPI
	}
	base = strings.TrimSuffix(base, "/")
	mk := func(ctx context.Context) (*http.Request, error) {
		var req *http.Request
		var err error
		if o.KaggleLegacy {
			u := base + "/api/v1/datasets/download/" + url.PathEscape(src.Owner) + "/" + url.PathEscape(src.Dataset)
			if src.File != "" {
				u += "/" + url.PathEscape(src.File)
			}
			req, err = http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		} else {
			body := map[string]any{"ownerSlug": src.Owner, "datasetSlug": src.Dataset, "raw": false}
			if src.File != "" {
				body["fileName"] = src.File
			}
			b, _ := json.Marshal(body)
			req, err = http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/datasets.DatasetApiService/DownloadDataset", bytes.NewReader(b))
			if req != nil {
				req.Header.Set("Content-Type", "application/json")
			}
		}
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept", "application/json")
		if cred.Token != "" {
			req.Header.Set("Authorization", "Bearer "+cred.Token)
		} else {
			req.SetBasicAuth(cred.Username, cred.Key)
		}
		return req, nil
	}
	def := src.Dataset + ".zip"
	if src.File != "" {
		def = path.Base(src.File)
	}
	p, name, err := download(ctx, o, mk, def)
	var he *HTTPError
	if errors.As(err, &he) {
		switch he.StatusCode {
		case 401, 403:
			he.Hint = "credentials from " + cred.From + " were refused; the dataset may be private or need its rules accepted on kaggle.com"
		case 404:
			he.Hint = "no dataset " + src.Owner + "/" + src.Dataset
			if src.File != "" {
				he.Hint += " with file " + src.File
			}
		}
	}
	return p, name, err
}

// download runs the request made by mk (again for each attempt), follows
// redirects and saves the body under o.Dir. The file name is the last
// segment of the final URL, else def.
func download(ctx context.Context, o *FetchOptions, mk func(context.Context) (*http.Request, error), def string) (p, name string, err error) {
	var retryable bool
	err = retry.Do(ctx, o.retryPolicy(), func(error) bool { return retryable }, func(ctx context.Context, _ int) error {
		var err error
		p, name, err, retryable = downloadOnce(ctx, o, mk, def)
		return err
	})
	if err != nil {
		return "", "", err
	}
	return p, name, nil
}

// retryPolicy is the retry policy of downloads and Roboflow requests:
// Retries attempts, waits from RetryWait doubling, no cap, no jitter.
func (o *FetchOptions) retryPolicy() retry.Policy {
	return retry.Policy{Attempts: o.Retries, Base: o.RetryWait}
}

func downloadOnce(ctx context.Context, o *FetchOptions, mk func(context.Context) (*http.Request, error), def string) (p, name string, err error, retry bool) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	req, err := mk(ctx)
	if err != nil {
		return "", "", err, false
	}
	where := redact.URLOf(req.URL)
	// The rate watchdog also covers waiting for the response headers.
	var got atomic.Int64
	stop := watchRate(o, &got, func(err error) { cancel(err) })
	defer stop()
	resp, err := o.HTTPClient.Do(req)
	if err != nil {
		if c := context.Cause(ctx); errors.Is(c, ErrStalled) {
			return "", "", fmt.Errorf("dataset: %s: %w", where, c), true
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = redact.URL(ue.URL) // a redirect target may carry a signature
		}
		return "", "", err, ctx.Err() == nil
	}
	defer resp.Body.Close()
	final := resp.Request.URL
	where = redact.URLOf(final)
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		he := &HTTPError{URL: redact.URLOf(req.URL), StatusCode: resp.StatusCode, Message: errorMessage(b)}
		return "", "", he, resp.StatusCode >= 500 || resp.StatusCode == 408 || resp.StatusCode == 429
	}
	total := resp.ContentLength
	if total > o.Limits.MaxBytes {
		return "", "", fmt.Errorf("dataset: %s: %w: Content-Length %d bytes, more than the limit of %d", where, ErrTooLarge, total, o.Limits.MaxBytes), false
	}
	body := bufio.NewReaderSize(countingReader{resp.Body, &got}, 64<<10)
	head, _ := body.Peek(512)
	if what := notData(head, resp.Header.Get("Content-Type")); what != "" {
		rest, _ := body.Peek(4096)
		return "", "", &HTTPError{URL: where, StatusCode: resp.StatusCode, Err: ErrNotData,
			Message: what + ", not data (a login or error page?): " + pageText(rest)}, false
	}
	name = baseName(final.Path, def)
	if name == "DownloadDataset" || strings.HasPrefix(name, ".") {
		name = def
	}
	p, err, retry = save(ctx, o, body, total, resp.Header, where, name)
	return p, name, err, retry
}

// save copies the body of a download to the file name in o.Dir, through
// a temporary file, checking its length against total (the
// Content-Length, or -1) and the limit, and its md5 against header's
// X-Goog-Hash. where names the download in errors; ctx's cause tells a
// stall.
func save(ctx context.Context, o *FetchOptions, body io.Reader, total int64, header http.Header, where, name string) (p string, err error, retry bool) {
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return "", err, false
	}
	f, err := os.CreateTemp(o.Dir, "download-*")
	if err != nil {
		return "", err, false
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	h := md5.New()
	var done int64
	buf := make([]byte, 256<<10)
	for {
		n, rerr := body.Read(buf)
		if n > 0 {
			done += int64(n)
			if total >= 0 && done > total {
				return "", fmt.Errorf("dataset: %s: more than Content-Length %d bytes", where, total), true
			}
			if done > o.Limits.MaxBytes {
				return "", fmt.Errorf("dataset: %s: %w: more than %d bytes downloaded", where, ErrTooLarge, o.Limits.MaxBytes), false
			}
			if _, werr := f.Write(buf[:n]); werr != nil {
				return "", werr, false
			}
			h.Write(buf[:n])
			o.Progress(name, done, total)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			if c := context.Cause(ctx); errors.Is(c, ErrStalled) {
				return "", fmt.Errorf("dataset: %s: %w after %d bytes", where, c, done), true
			}
			if errors.Is(rerr, io.ErrUnexpectedEOF) {
				return "", fmt.Errorf("dataset: %s: %w: %d of %d bytes", where, ErrTruncated, done, total), true
			}
			return "", fmt.Errorf("dataset: %s: %w", where, rerr), ctx.Err() == nil
		}
	}
	if total >= 0 && done != total {
		return "", fmt.Errorf("dataset: %s: %w: %d of %d bytes", where, ErrTruncated, done, total), true
	}
	if want := googMD5(header.Values("X-Goog-Hash")); want != "" {
		if got := base64.StdEncoding.EncodeToString(h.Sum(nil)); got != want {
			return "", fmt.Errorf("dataset: %s: md5 %s, X-Goog-Hash says %s", where, got, want), true
		}
	}
	if err = f.Close(); err != nil {
		return "", err, false
	}
	p = filepath.Join(o.Dir, name)
	if err = os.Rename(f.Name(), p); err != nil {
		return "", err, false
	}
	return p, nil, false
}

// countingReader adds the bytes read to n, for watchRate.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n.Add(int64(k))
	return k, err
}

// watchRate checks, every o.IdleTimeout, that *got grew by at least
// max(1, o.MinRate × IdleTimeout) bytes since the last check, and calls
// abort with an ErrStalled error when not. stop ends the watch.
func watchRate(o *FetchOptions, got *atomic.Int64, abort func(error)) (stop func()) {
	window := o.IdleTimeout
	need := int64(1)
	if o.MinRate > 0 {
		need = max(need, int64(float64(o.MinRate)*window.Seconds()))
	}
	done := make(chan struct{})
	t := time.NewTicker(window)
	go func() {
		defer t.Stop()
		last := int64(0)
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			n := got.Load()
			if n-last < need {
				if n == last {
					abort(fmt.Errorf("%w: nothing for %v", ErrStalled, window))
				} else {
					abort(fmt.Errorf("%w: %d bytes in %v, below the minimum rate of %d bytes/s", ErrStalled, n-last, window, o.MinRate))
				}
				return
			}
			last = n
		}
	}()
	return func() { close(done) }
}

// notData says what the start of a 200 body is when it is a web page or
// JSON (a login page, an API error) rather than data, or "".
func notData(head []byte, contentType string) string {
	if strings.HasPrefix(http.DetectContentType(head), "text/html") {
		return "an HTML page"
	}
	trimmed := bytes.TrimLeft(head, " \t\r\n\ufeff")
	mt, _, _ := mime.ParseMediaType(contentType)
	isJSON := mt == "application/json" || strings.HasSuffix(mt, "+json")
	if len(trimmed) > 0 && (trimmed[0] == '{' || isJSON && trimmed[0] == '[') {
		return "JSON"
	}
	return ""
}

var htmlTitle = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)

// pageText is what to quote of a page: its HTML title, else its start.
func pageText(b []byte) string {
	if m := htmlTitle.FindSubmatch(b); m != nil {
		return strings.Join(strings.Fields(string(m[1])), " ")
	}
	return errorMessage(b)
}

// errorMessage extracts "message" from a JSON error body (Kaggle:
// {"code": 404, "message": "…"}), else returns the trimmed text.
func errorMessage(b []byte) string {
	var j struct {
		Message string `json:"message"`
		Error   any    `json:"error"`
	}
	if json.Unmarshal(b, &j) == nil {
		if j.Message != "" {
			return j.Message
		}
		if s, ok := j.Error.(string); ok {
			return s
		}
	}
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// googMD5 returns the md5 of X-Goog-Hash: crc32c=…,md5=… (base64).
func googMD5(vals []string) string {
	for _, v := range vals {
		for part := range strings.SplitSeq(v, ",") {
			if k, val, ok := strings.Cut(strings.TrimSpace(part), "="); ok && k == "md5" {
				return val
			}
		}
	}
	return ""
}
