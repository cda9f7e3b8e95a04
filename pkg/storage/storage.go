package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"iter"
	"mime"
	"net/url"
	"os"
	"path"
	"strings"
	"time"

	"github.com/minio/minio-go/v7/pkg/s3utils"
)

// Sentinel errors; errors returned by this package wrap them.
var (
	// ErrNotFound: the object does not exist.
	ErrNotFound = errors.New("object not found")
	// ErrNoBucket: the bucket does not exist.
	ErrNoBucket = errors.New("bucket not found")
	// ErrInvalidName: a bucket name or key breaks the naming rules.
	ErrInvalidName = errors.New("invalid name")
	// ErrChecksum: the content does not match PutOptions.SHA256.
	ErrChecksum = errors.New("sha256 mismatch")
	// ErrNoCredentials: an S3 endpoint is configured without keys.
	ErrNoCredentials = errors.New("no S3 credentials")
	// ErrURI: a URI is not s3://bucket/key or file://path.
	ErrURI = errors.New("unsupported storage URI")
)

// MetaSHA256 is the user metadata key holding the content's SHA-256.
const MetaSHA256 = "sha256"

// Store is an object store. S3 and Local implement it.
type Store interface {
	// EnsureBucket creates bucket unless it exists.
	EnsureBucket(ctx context.Context, bucket string) error
	// Put stores the content of r under bucket/key, replacing any object
	// there only once the new one is complete. opts may be nil.
	Put(ctx context.Context, bucket, key string, r io.Reader, opts *PutOptions) (ObjectInfo, error)
	// Get opens an object; the caller closes the reader.
	Get(ctx context.Context, bucket, key string) (io.ReadCloser, ObjectInfo, error)
	// Stat describes an object.
	Stat(ctx context.Context, bucket, key string) (ObjectInfo, error)
	// List yields the objects whose key starts with prefix, in key order.
	List(ctx context.Context, bucket, prefix string) iter.Seq2[ObjectInfo, error]
	// Remove deletes an object; removing a missing object is not an error.
	Remove(ctx context.Context, bucket, key string) error
}

// ObjectInfo describes a stored object.
type ObjectInfo struct {
	Bucket      string
	Key         string
	Size        int64
	ContentType string
	SHA256      string // lowercase hex, empty if the object was not written by Put
	ModTime     time.Time
}

// URI returns s3://bucket/key.
func (o ObjectInfo) URI() string { return "s3://" + o.Bucket + "/" + o.Key }

// PutOptions configures Put. A nil *PutOptions means the zero value.
type PutOptions struct {
	// Size is the content length; 0 means unknown unless r is an
	// *os.File, *bytes.Reader or *strings.Reader (then it is measured).
	// S3 streams unknown lengths in multipart parts.
	Size int64
	// ContentType defaults to the type of the key's extension
	// (text/csv for .csv), else application/octet-stream.
	ContentType string
	// SHA256 is the content's SHA-256 in hex if already known (see the
	// package rules); empty means Put computes it.
	SHA256 string
	// Progress, if set, is called with the bytes sent so far.
	Progress func(done int64)
}

// CheckBucketName reports whether name is a valid bucket name.
func CheckBucketName(name string) error {
	if err := s3utils.CheckValidBucketNameStrict(name); err != nil {
		return fmt.Errorf("storage: bucket %q: %w: %v", name, ErrInvalidName, err)
	}
	return nil
}

// CheckKey reports whether key is a valid object key for both backends.
func CheckKey(key string) error {
	bad := key == "" || strings.HasPrefix(key, "/") || strings.Contains(key, "\\") || len(key) > 1024
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "." || seg == ".." || seg == "" {
			bad = true
		}
	}
	if bad {
		return fmt.Errorf("storage: key %q: %w", key, ErrInvalidName)
	}
	return nil
}

func checkNames(bucket, key string) error {
	if err := CheckBucketName(bucket); err != nil {
		return err
	}
	return CheckKey(key)
}

// ParseURI splits s3://bucket/key into bucket and key.
func ParseURI(uri string) (bucket, key string, err error) {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return "", "", fmt.Errorf("storage: %q: %w (want s3://bucket/key)", uri, ErrURI)
	}
	return u.Host, strings.TrimPrefix(u.Path, "/"), nil
}

// ContentType returns the content type Put uses for key by default.
func ContentType(key string) string {
	switch strings.ToLower(path.Ext(key)) {
	case ".csv":
		return "text/csv"
	case ".json":
		return "application/json"
	case ".zip":
		return "application/zip"
	}
	if t := mime.TypeByExtension(path.Ext(key)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// HashFile returns the SHA-256 (hex) and size of the file at p. A non-nil
// progress is called as the file is read, with the bytes hashed so far and
// the file's size.
func HashFile(ctx context.Context, p string, progress func(done, total int64)) (sum string, size int64, err error) {
	f, err := os.Open(p)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	var r io.Reader = ctxReader{ctx, f}
	if progress != nil {
		st, err := f.Stat()
		if err != nil {
			return "", 0, err
		}
		r = &progressReader{r: r, fn: func(n int64) { progress(n, st.Size()) }}
	}
	h := sha256.New()
	size, err = io.Copy(h, r)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), size, nil
}

// ctxReader stops reading when ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// prepared is a Put's input after sizing and hashing.
type prepared struct {
	r       io.Reader
	size    int64 // -1 unknown
	sum     string
	verify  hash.Hash // non-nil: check sum at EOF
	cleanup func()
}

// prepare measures and hashes r as the package rules say. spoolDir holds
// temporary files.
func prepare(ctx context.Context, r io.Reader, opts *PutOptions, spoolDir string) (*prepared, error) {
	p := &prepared{r: r, size: -1, sum: strings.ToLower(opts.SHA256), cleanup: func() {}}
	if opts.Size > 0 {
		p.size = opts.Size
	}
	if s, ok := r.(interface{ Stat() (os.FileInfo, error) }); ok && p.size < 0 {
		if fi, err := s.Stat(); err == nil && fi.Mode().IsRegular() {
			p.size = fi.Size()
		}
	}
	if l, ok := r.(interface{ Size() int64 }); ok && p.size < 0 {
		p.size = l.Size()
	}
	seeker, seekable := r.(io.ReadSeeker)
	switch {
	case p.sum != "" && seekable:
		return p, nil
	case p.sum != "":
		p.verify = sha256.New()
		p.r = &verifyReader{r: r, h: p.verify, want: p.sum}
		return p, nil
	case seekable:
		start, err := seeker.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil, err
		}
		h := sha256.New()
		n, err := io.Copy(h, ctxReader{ctx, r})
		if err != nil {
			return nil, fmt.Errorf("storage: hashing: %w", err)
		}
		if _, err := seeker.Seek(start, io.SeekStart); err != nil {
			return nil, err
		}
		p.sum, p.size = hex.EncodeToString(h.Sum(nil)), n
		return p, nil
	}
	if err := os.MkdirAll(spoolDir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(spoolDir, "spool-*")
	if err != nil {
		return nil, err
	}
	p.cleanup = func() { f.Close(); os.Remove(f.Name()) }
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), ctxReader{ctx, r})
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		p.cleanup()
		return nil, fmt.Errorf("storage: spooling: %w", err)
	}
	p.r, p.size, p.sum = f, n, hex.EncodeToString(h.Sum(nil))
	return p, nil
}

// verifyReader returns ErrChecksum instead of io.EOF when the content does
// not hash to want, so the upload is abandoned before it completes.
type verifyReader struct {
	r    io.Reader
	h    hash.Hash
	want string
}

func (v *verifyReader) Read(b []byte) (int, error) {
	n, err := v.r.Read(b)
	v.h.Write(b[:n])
	if err == io.EOF {
		if got := hex.EncodeToString(v.h.Sum(nil)); got != v.want {
			return n, fmt.Errorf("storage: %w: got %s, want %s", ErrChecksum, got, v.want)
		}
	}
	return n, err
}

// progressReader reports bytes read.
type progressReader struct {
	r    io.Reader
	done int64
	fn   func(int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.done += int64(n)
	if n > 0 {
		p.fn(p.done)
	}
	return n, err
}

type shaHash struct{ hash.Hash }

func newSHA() shaHash         { return shaHash{sha256.New()} }
func (h shaHash) hex() string { return hex.EncodeToString(h.Sum(nil)) }
