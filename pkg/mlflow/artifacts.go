package mlflow

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/mlstack/mlstack/pkg/storage"
)

// ArtifactStore reads and writes the artifacts below one artifact URI
// (a run's artifact_uri or a logged model's artifact_location). The
// scheme of the URI decides the transport, as in the Python client:
//   - mlflow-artifacts:/… and http(s)://…/api/2.0/mlflow-artifacts/artifacts/…
//     go through the tracking server's artifact proxy (multipart through
//     the mpu endpoints for files of Options.MultipartThreshold or more);
//   - s3://bucket/prefix is written directly through pkg/storage's S3
//     client (Options.S3);
//   - file:///dir (or a plain absolute path) is a local directory.
//
// Paths given to its methods are relative, '/'-separated, and must not
// climb out of the root.
type ArtifactStore struct {
	c    *Client
	uri  string
	impl artifactRepo
}

type artifactRepo interface {
	put(ctx context.Context, rel string, open func() (io.ReadSeekCloser, error), size int64) error
	list(ctx context.Context, dir string) ([]FileInfo, error) // Path relative to the root
	get(ctx context.Context, rel string, w io.Writer) error
}

// URI returns the artifact URI the store writes below.
func (s *ArtifactStore) URI() string { return s.uri }

// ArtifactStore returns the store for an artifact URI.
func (c *Client) ArtifactStore(uri string) (*ArtifactStore, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return nil, fmt.Errorf("%w: artifact URI %q: %v", ErrUnsupportedURI, uri, err)
	}
	var impl artifactRepo
	switch u.Scheme {
	case "mlflow-artifacts":
		base := *c.base
		if u.Host != "" {
			base.Host = u.Host
			base.Path = ""
		}
		impl = &proxyRepo{c: c, root: base.String(), prefix: strings.Trim(u.Path, "/")}
	case "http", "https":
		root, prefix, ok := strings.Cut(uri, "/api/2.0/mlflow-artifacts/artifacts")
		if !ok {
			return nil, fmt.Errorf("%w: http artifact URI %q is not an MLflow artifact proxy location", ErrUnsupportedURI, uri)
		}
		impl = &proxyRepo{c: c, root: root, prefix: strings.Trim(prefix, "/")}
	case "s3":
		st, err := c.s3()
		if err != nil {
			return nil, err
		}
		impl = &s3Repo{st: st, bucket: u.Host, prefix: strings.Trim(u.Path, "/")}
	case "file", "":
		p := u.Path
		if u.Scheme == "" {
			p = uri
		}
		if !filepath.IsAbs(p) {
			return nil, fmt.Errorf("%w: artifact URI %q is not absolute", ErrUnsupportedURI, uri)
		}
		impl = &fileRepo{root: filepath.FromSlash(p)}
	default:
		return nil, fmt.Errorf("%w: artifact URI scheme %q in %q (supported: mlflow-artifacts, http(s) proxy, s3, file)", ErrUnsupportedURI, u.Scheme, uri)
	}
	return &ArtifactStore{c: c, uri: uri, impl: impl}, nil
}

// RunArtifacts returns the store of a run's artifact_uri.
func (c *Client) RunArtifacts(ctx context.Context, runID string) (*ArtifactStore, error) {
	c.mu.Lock()
	uri, ok := c.runURIs[runID]
	c.mu.Unlock()
	if !ok {
		r, err := c.GetRun(ctx, runID)
		if err != nil {
			return nil, err
		}
		uri = r.Info.ArtifactURI
	}
	return c.ArtifactStore(uri)
}

func (c *Client) rememberArtifactURI(runID, uri string) {
	if runID == "" || uri == "" {
		return
	}
	c.mu.Lock()
	c.runURIs[runID] = uri
	c.mu.Unlock()
}

// Upload copies a local file or directory (recursively) to artifactPath
// (see localArtifacts).
func (s *ArtifactStore) Upload(ctx context.Context, localPath, artifactPath string) error {
	return localArtifacts(localPath, artifactPath, func(rel string, b blob) error { return s.put(ctx, rel, b) })
}

// localArtifacts calls fn with the artifact path and content of the local
// file localPath, or of every file below the directory localPath. As with
// mlflow.log_artifact(s), a file lands at artifactPath/<base name>, a
// directory's contents below artifactPath.
func localArtifacts(localPath, artifactPath string, fn func(rel string, b blob) error) error {
	if err := validateArtifactPath(artifactPath); err != nil {
		return err
	}
	st, err := os.Stat(localPath)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fn(path.Join(artifactPath, filepath.Base(localPath)), blob{path: localPath, size: st.Size()})
	}
	return filepath.WalkDir(localPath, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(localPath, p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return fn(path.Join(artifactPath, filepath.ToSlash(rel)), blob{path: p, size: info.Size()})
	})
}

// UploadBytes writes data to the file artifactPath (which includes the file name).
func (s *ArtifactStore) UploadBytes(ctx context.Context, artifactPath string, data []byte) error {
	if artifactPath == "" {
		return fmt.Errorf("%w: artifact path of bytes is empty", ErrInvalid)
	}
	if err := validateArtifactPath(artifactPath); err != nil {
		return err
	}
	return s.put(ctx, artifactPath, blob{data: data, size: int64(len(data))})
}

// put uploads b to the file rel.
func (s *ArtifactStore) put(ctx context.Context, rel string, b blob) error {
	if err := s.impl.put(ctx, rel, b.open, b.size); err != nil {
		if b.path != "" {
			return fmt.Errorf("mlflow: uploading %s to %s/%s: %w", b.path, s.uri, rel, err)
		}
		return fmt.Errorf("mlflow: uploading %s/%s: %w", s.uri, rel, err)
	}
	return nil
}

// blob is the content of an artifact file, in memory or in a local file
// (streamed, never read whole), opened as often as an upload needs.
type blob struct {
	data []byte
	path string // a local file; data is unused
	size int64
}

func (b blob) open() (io.ReadSeekCloser, error) {
	if b.path != "" {
		return os.Open(b.path)
	}
	return nopSeekCloser{bytes.NewReader(b.data)}, nil
}

type nopSeekCloser struct{ *bytes.Reader }

func (nopSeekCloser) Close() error { return nil }

// List returns the entries directly below dir ("" for the root), with
// paths relative to the root, sorted.
func (s *ArtifactStore) List(ctx context.Context, dir string) ([]FileInfo, error) {
	if err := validateArtifactPath(dir); err != nil {
		return nil, err
	}
	fi, err := s.impl.list(ctx, dir)
	sort.Slice(fi, func(i, j int) bool { return fi[i].Path < fi[j].Path })
	return fi, err
}

// Download copies the file or directory at artifactPath ("" = everything)
// into dstDir and returns the local path of the copy.
func (s *ArtifactStore) Download(ctx context.Context, artifactPath, dstDir string) (string, error) {
	if err := validateArtifactPath(artifactPath); err != nil {
		return "", err
	}
	entries, err := s.impl.list(ctx, artifactPath)
	if err != nil {
		return "", err
	}
	local := filepath.Join(dstDir, filepath.FromSlash(artifactPath))
	if len(entries) == 0 && artifactPath != "" {
		// a file (listing a file gives nothing)
		return local, s.getFile(ctx, artifactPath, local)
	}
	if err := os.MkdirAll(local, 0o755); err != nil {
		return "", err
	}
	for _, e := range entries {
		if e.IsDir {
			if _, err := s.Download(ctx, e.Path, dstDir); err != nil {
				return "", err
			}
			continue
		}
		if err := s.getFile(ctx, e.Path, filepath.Join(dstDir, filepath.FromSlash(e.Path))); err != nil {
			return "", err
		}
	}
	return local, nil
}

// Get copies one artifact file into w, streaming it.
func (s *ArtifactStore) Get(ctx context.Context, artifactPath string, w io.Writer) error {
	if err := validateArtifactPath(artifactPath); err != nil {
		return err
	}
	return s.impl.get(ctx, artifactPath, w)
}

// ReadFile returns the content of one artifact file.
func (s *ArtifactStore) ReadFile(ctx context.Context, artifactPath string) ([]byte, error) {
	var b bytes.Buffer
	if err := s.impl.get(ctx, artifactPath, &b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (s *ArtifactStore) getFile(ctx context.Context, rel, local string) error {
	if err := os.MkdirAll(filepath.Dir(local), 0o755); err != nil {
		return err
	}
	tmp := local + ".part"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := s.impl.get(ctx, rel, f); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("mlflow: downloading %s/%s: %w", s.uri, rel, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, local)
}

// LogArtifact uploads a local file or directory to the run's artifacts
// below artifactPath ("" = the root).
func (c *Client) LogArtifact(ctx context.Context, runID, localPath, artifactPath string) error {
	s, err := c.RunArtifacts(ctx, runID)
	if err != nil {
		return err
	}
	return s.Upload(ctx, localPath, artifactPath)
}

// LogArtifactBytes writes data to the run's artifact file artifactPath.
func (c *Client) LogArtifactBytes(ctx context.Context, runID, artifactPath string, data []byte) error {
	s, err := c.RunArtifacts(ctx, runID)
	if err != nil {
		return err
	}
	return s.UploadBytes(ctx, artifactPath, data)
}

// ListArtifacts lists the run's artifacts directly below dir.
func (c *Client) ListArtifacts(ctx context.Context, runID, dir string) ([]FileInfo, error) {
	s, err := c.RunArtifacts(ctx, runID)
	if err != nil {
		return nil, err
	}
	return s.List(ctx, dir)
}

// DownloadArtifacts copies the run's artifact file or directory into dstDir.
func (c *Client) DownloadArtifacts(ctx context.Context, runID, artifactPath, dstDir string) (string, error) {
	s, err := c.RunArtifacts(ctx, runID)
	if err != nil {
		return "", err
	}
	return s.Download(ctx, artifactPath, dstDir)
}

// ---- proxied (mlflow-artifacts) ----

type proxyRepo struct {
	c      *Client
	root   string // scheme://host[/prefix] of the server
	prefix string // path below /api/2.0/mlflow-artifacts/artifacts/
}

func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

func (r *proxyRepo) url(kind, rel string) string {
	return r.root + "/api/2.0/mlflow-artifacts/" + kind + "/" + escapePath(path.Join(r.prefix, rel))
}

func (r *proxyRepo) put(ctx context.Context, rel string, open func() (io.ReadSeekCloser, error), size int64) error {
	o := r.c.opts
	if o.MultipartThreshold > 0 && size >= o.MultipartThreshold {
		err := r.multipart(ctx, rel, open, size)
		if !errors.Is(err, errNoMultipart) {
			return err
		}
	}
	var cur io.Closer
	defer func() {
		if cur != nil {
			cur.Close()
		}
	}()
	stream := func() (io.Reader, error) {
		if cur != nil {
			cur.Close()
		}
		f, err := open()
		if err != nil {
			return nil, err
		}
		cur = f
		return f, nil
	}
	ctype := mime.TypeByExtension(path.Ext(rel))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	return r.c.call(ctx, request{method: "PUT", path: "/api/2.0/mlflow-artifacts/artifacts/" + path.Join(r.prefix, rel),
		absURL: r.url("artifacts", rel), stream: stream, size: size, ctype: ctype, idempotent: true, noTimeout: true}, nil)
}

var errNoMultipart = errors.New("mlflow: multipart upload not supported by the artifact destination")

func (r *proxyRepo) multipart(ctx context.Context, rel string, open func() (io.ReadSeekCloser, error), size int64) error {
	chunk := r.c.opts.MultipartChunkSize
	n := (size + chunk - 1) / chunk
	dir, name := path.Split(rel)
	dir = strings.TrimSuffix(dir, "/")
	var created struct {
		UploadID    string `json:"upload_id"`
		Credentials []struct {
			URL        string            `json:"url"`
			PartNumber int64             `json:"part_number"`
			Headers    map[string]string `json:"headers"`
		} `json:"credentials"`
	}
	err := r.c.call(ctx, request{method: "POST", path: "/api/2.0/mlflow-artifacts/mpu/create", absURL: r.url("mpu/create", dir),
		body: map[string]any{"path": name, "num_parts": n}}, &created)
	var apiErr *APIError
	if errors.As(err, &apiErr) && strings.Contains(apiErr.Message, "does not support multipart") {
		return errNoMultipart
	}
	if err != nil {
		return err
	}
	type part struct {
		PartNumber int64  `json:"part_number"`
		ETag       string `json:"etag"`
		URL        string `json:"url"`
	}
	abort := func() {
		_ = r.c.call(context.WithoutCancel(ctx), request{method: "POST", path: "/api/2.0/mlflow-artifacts/mpu/abort", absURL: r.url("mpu/abort", dir),
			body: map[string]any{"path": name, "upload_id": created.UploadID}}, nil)
	}
	f, err := open()
	if err != nil {
		abort()
		return err
	}
	defer f.Close()
	ra, ok := f.(io.ReaderAt)
	if !ok {
		abort()
		return errNoMultipart
	}
	parts := make([]part, 0, len(created.Credentials))
	for i, cred := range created.Credentials {
		off := int64(i) * chunk
		ln := min(chunk, size-off)
		stream := func() (io.Reader, error) { return io.NewSectionReader(ra, off, ln), nil }
		resp, err := r.putPresigned(ctx, cred.URL, cred.Headers, stream, ln)
		if err != nil {
			abort()
			return fmt.Errorf("part %d: %w", cred.PartNumber, err)
		}
		parts = append(parts, part{cred.PartNumber, resp, cred.URL})
	}
	err = r.c.call(ctx, request{method: "POST", path: "/api/2.0/mlflow-artifacts/mpu/complete", absURL: r.url("mpu/complete", dir),
		body: map[string]any{"path": name, "upload_id": created.UploadID, "parts": parts}, idempotent: true}, nil)
	if err != nil {
		abort()
	}
	return err
}

// putPresigned uploads one part to a presigned URL (no MLflow auth header)
// and returns its ETag.
func (r *proxyRepo) putPresigned(ctx context.Context, u string, headers map[string]string, stream func() (io.Reader, error), size int64) (string, error) {
	var last error
	for range r.c.retries(ctx, time.Now()) {
		rd, _ := stream()
		req, err := http.NewRequestWithContext(ctx, "PUT", u, rd)
		if err != nil {
			return "", err
		}
		req.ContentLength = size
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := r.c.hc.Do(req)
		if err != nil {
			last = err
			continue
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		if resp.StatusCode/100 == 2 {
			return resp.Header.Get("ETag"), nil
		}
		last = fmt.Errorf("presigned part upload: HTTP %d: %s", resp.StatusCode, snippet(body))
		if !retryableStatus(resp.StatusCode) {
			break
		}
	}
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	return "", last
}

func (r *proxyRepo) list(ctx context.Context, dir string) ([]FileInfo, error) {
	var out struct {
		Files []FileInfo `json:"files"`
	}
	q := url.Values{"path": {path.Join(r.prefix, dir)}}
	err := r.c.call(ctx, request{method: "GET", path: "/api/2.0/mlflow-artifacts/artifacts",
		absURL: r.root + "/api/2.0/mlflow-artifacts/artifacts?" + q.Encode(), idempotent: true}, &out)
	if err != nil {
		return nil, err
	}
	for i := range out.Files {
		if strings.Contains(out.Files[i].Path, "..") {
			return nil, fmt.Errorf("%w: server listed unsafe artifact path %q", ErrBadResponse, out.Files[i].Path)
		}
		out.Files[i].Path = path.Join(dir, out.Files[i].Path)
	}
	return out.Files, nil
}

func (r *proxyRepo) get(ctx context.Context, rel string, w io.Writer) error {
	resp, err := r.c.do(ctx, request{method: "GET", path: "/api/2.0/mlflow-artifacts/artifacts/" + path.Join(r.prefix, rel),
		absURL: r.url("artifacts", rel), idempotent: true, noTimeout: true})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(w, resp.Body)
	return err
}

// ---- s3 ----

// s3 returns the object store of s3:// artifact locations: pkg/storage's
// S3 client (its signing, checksum and multipart rules), configured by
// Options.S3; keys left empty there are the environment's, read as
// pkg/storage reads them (storage.ConfigFromEnv).
func (c *Client) s3() (storage.Store, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.s3store != nil {
		return c.s3store, nil
	}
	o := c.opts.S3
	so := storage.S3Options{
		Endpoint: o.EndpointURL, AccessKey: o.AccessKey, SecretKey: o.SecretKey, SessionToken: o.SessionToken,
		Region: o.Region,
	}
	if so.Endpoint == "" {
		so.Endpoint = "https://s3.amazonaws.com"
	}
	if so.AccessKey == "" {
		env := storage.ConfigFromEnv(nil).S3
		so.AccessKey, so.SecretKey, so.SessionToken = env.AccessKey, env.SecretKey, env.SessionToken
	}
	if o.InsecureTLS {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // MLFLOW_S3_IGNORE_TLS
		so.Transport = t
	}
	st, err := storage.NewS3(&so)
	if err != nil {
		return nil, fmt.Errorf("mlflow: s3 artifacts: %w", err)
	}
	c.s3store = st
	return st, nil
}

type s3Repo struct {
	st     storage.Store
	bucket string
	prefix string
}

func (r *s3Repo) key(rel string) string { return strings.TrimPrefix(path.Join(r.prefix, rel), "/") }

func (r *s3Repo) put(ctx context.Context, rel string, open func() (io.ReadSeekCloser, error), size int64) error {
	f, err := open()
	if err != nil {
		return err
	}
	defer f.Close()
	ct := mime.TypeByExtension(path.Ext(rel))
	if ct == "" {
		ct = "application/octet-stream"
	}
	_, err = r.st.Put(ctx, r.bucket, r.key(rel), f, &storage.PutOptions{Size: size, ContentType: ct})
	return err
}

// list lists one level below dir, as S3's ListObjects with the "/"
// delimiter does: the objects there, and a folder for each common prefix
// (in key order, a folder where its first object would be).
func (r *s3Repo) list(ctx context.Context, dir string) ([]FileInfo, error) {
	pfx := r.key(dir)
	if pfx != "" {
		pfx += "/"
	}
	var out []FileInfo
	seen := map[string]bool{}
	for obj, err := range r.st.List(ctx, r.bucket, pfx) {
		if err != nil {
			return nil, err
		}
		name, _, isDir := strings.Cut(strings.TrimPrefix(obj.Key, pfx), "/")
		if isDir {
			if seen[name] {
				continue
			}
			seen[name] = true
			out = append(out, FileInfo{Path: path.Join(dir, name), IsDir: true})
			continue
		}
		out = append(out, FileInfo{Path: path.Join(dir, name), FileSize: obj.Size})
	}
	return out, nil
}

func (r *s3Repo) get(ctx context.Context, rel string, w io.Writer) error {
	rc, _, err := r.st.Get(ctx, r.bucket, r.key(rel))
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = io.Copy(w, rc)
	return err
}

// ---- file ----

type fileRepo struct{ root string }

func (r *fileRepo) put(_ context.Context, rel string, open func() (io.ReadSeekCloser, error), _ int64) error {
	dst := filepath.Join(r.root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	src, err := open()
	if err != nil {
		return err
	}
	defer src.Close()
	return writeFileAtomic(dst, src)
}

func (r *fileRepo) list(_ context.Context, dir string) ([]FileInfo, error) {
	p := filepath.Join(r.root, filepath.FromSlash(dir))
	st, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && !st.IsDir()) {
		return nil, nil
	}
	ents, err := os.ReadDir(p)
	if err != nil {
		return nil, err
	}
	var out []FileInfo
	for _, e := range ents {
		fi := FileInfo{Path: path.Join(dir, e.Name()), IsDir: e.IsDir()}
		if info, err := e.Info(); err == nil && !e.IsDir() {
			fi.FileSize = info.Size()
		}
		out = append(out, fi)
	}
	return out, nil
}

func (r *fileRepo) get(_ context.Context, rel string, w io.Writer) error {
	f, err := os.Open(filepath.Join(r.root, filepath.FromSlash(rel)))
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}

// writeFileAtomic writes r to dst through a temporary file and rename.
func writeFileAtomic(dst string, r io.Reader) error {
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".tmp-"+filepath.Base(dst)+"-*")
	if err != nil {
		return err
	}
	if _, err := io.Copy(tmp, r); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), dst)
}
