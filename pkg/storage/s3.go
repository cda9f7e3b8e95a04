package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Options configures NewS3.
type S3Options struct {
	// Endpoint is the S3 API as a URL (http://127.0.0.1:9000) or host:port
	// (then Secure decides the scheme). Required.
	Endpoint string
	// AccessKey and SecretKey are required; SessionToken is optional.
	AccessKey, SecretKey, SessionToken string
	// Region defaults to us-east-1.
	Region string
	// Secure selects https for a host:port Endpoint; a URL's scheme wins.
	Secure bool
	// PartSize is the multipart part size in bytes; minio-go's choice
	// (at least 16 MiB) when 0.
	PartSize uint64
	// NumThreads is the number of parts uploaded at once; minio-go's
	// default (4) when 0.
	NumThreads uint
	// MaxRetries per request; minio-go's default (10) when 0.
	MaxRetries int
	// Transport overrides the HTTP transport (tests, tracing).
	Transport http.RoundTripper
	// StaleUpload is the age after which Put aborts an incomplete multipart
	// upload of the same key (an interrupted earlier Put); 1 h when 0.
	StaleUpload time.Duration
	// SpoolDir holds temporary files for Put on unseekable readers
	// without a known SHA256; os.TempDir() when empty.
	SpoolDir string
	// PayloadSigning says whether Put signs the bytes it uploads (see the
	// package rules); SignAuto when zero.
	PayloadSigning PayloadSigning
	// RequestChecksums is AWS_REQUEST_CHECKSUM_CALCULATION: "when_supported"
	// (the default when empty) sends a CRC32C trailer with every uploaded
	// part; "when_required" sends none, for S3 services that reject
	// trailing checksums, and then SignAuto signs payloads on every plain
	// HTTP connection, loopback included.
	RequestChecksums string
}

// PayloadSigning chooses whether uploads carry SigV4 payload signatures.
type PayloadSigning int

const (
	// SignAuto signs payloads only on plain HTTP to a host that is not on
	// loopback: over TLS or loopback no one can alter the bytes on the way.
	SignAuto PayloadSigning = iota
	// SignAlways signs every payload sent over plain HTTP, loopback
	// included. (Over TLS minio-go never signs payloads: TLS protects them.)
	SignAlways
	// SignNever leaves every payload unsigned (for trusted networks, such
	// as a private Compose network); the CRC32C checksums remain unless
	// RequestChecksums turns them off.
	SignNever
)

// S3 is a Store on an S3 API (MinIO, AWS, …).
type S3 struct {
	client   *minio.Client
	opts     S3Options
	unsigned bool // Put sends unsigned payloads (PayloadSigning resolved)
}

var _ Store = (*S3)(nil)

// NewS3 returns a store for the S3 API at opts.Endpoint. It does not
// contact the server.
func NewS3(opts *S3Options) (*S3, error) {
	if opts == nil || opts.Endpoint == "" {
		return nil, errors.New("storage: S3Options.Endpoint is required")
	}
	o := *opts
	if o.AccessKey == "" || o.SecretKey == "" {
		return nil, fmt.Errorf("storage: %w for %s: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY and AWS_SECRET_KEY)", ErrNoCredentials, o.Endpoint)
	}
	host, secure := o.Endpoint, o.Secure
	if strings.Contains(o.Endpoint, "://") {
		u, err := url.Parse(o.Endpoint)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, fmt.Errorf("storage: endpoint %q: want http(s)://host:port", o.Endpoint)
		}
		host, secure = u.Host, u.Scheme == "https"
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	checksums := true
	switch strings.ToLower(o.RequestChecksums) {
	case "", "when_supported":
	case "when_required":
		checksums = false
	default:
		return nil, fmt.Errorf("storage: AWS_REQUEST_CHECKSUM_CALCULATION %q: want when_supported or when_required", o.RequestChecksums)
	}
	c, err := minio.New(host, &minio.Options{
		Creds:      credentials.NewStaticV4(o.AccessKey, o.SecretKey, o.SessionToken),
		Secure:     secure,
		Region:     o.Region,
		Transport:  o.Transport,
		MaxRetries: o.MaxRetries,
		// Every uploaded part carries a CRC32C checksum in a trailer,
		// which the server verifies before it accepts the part.
		TrailingHeaders: checksums,
	})
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	unsigned := false
	switch o.PayloadSigning {
	case SignAuto:
		unsigned = secure || checksums && isLoopback(host)
	case SignAlways:
	case SignNever:
		unsigned = true
	default:
		return nil, fmt.Errorf("storage: unknown PayloadSigning %d", o.PayloadSigning)
	}
	return &S3{client: c, opts: o, unsigned: unsigned}, nil
}

// isLoopback reports whether host (host or host:port) is localhost or a
// loopback address.
func isLoopback(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// Client returns the underlying minio-go client.
func (s *S3) Client() *minio.Client { return s.client }

// EnsureBucket creates bucket unless it exists.
func (s *S3) EnsureBucket(ctx context.Context, bucket string) error {
	if err := CheckBucketName(bucket); err != nil {
		return err
	}
	ok, err := s.client.BucketExists(ctx, bucket)
	if err != nil {
		return fmt.Errorf("storage: bucket %s: %w", bucket, err)
	}
	if ok {
		return nil
	}
	err = s.client.MakeBucket(ctx, bucket, minio.MakeBucketOptions{Region: s.opts.Region})
	if err != nil {
		code := minio.ToErrorResponse(err).Code
		if code == "BucketAlreadyOwnedByYou" || code == "BucketAlreadyExists" {
			return nil // created concurrently
		}
		return fmt.Errorf("storage: create bucket %s: %w", bucket, err)
	}
	return nil
}

// Put uploads r (see the package rules). Objects of unknown size or larger
// than one part go up as multipart uploads, which stay invisible until
// completed; a failed upload is aborted (or, if the server is gone, left
// invisible and aborted by a later Put once older than StaleUpload).
func (s *S3) Put(ctx context.Context, bucket, key string, r io.Reader, opts *PutOptions) (ObjectInfo, error) {
	if err := checkNames(bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	if opts == nil {
		opts = &PutOptions{}
	}
	spool := s.opts.SpoolDir
	if spool == "" {
		spool = os.TempDir()
	}
	p, err := prepare(ctx, r, opts, filepath.Join(spool, "mlstack-storage"))
	if err != nil {
		return ObjectInfo{}, err
	}
	defer p.cleanup()
	ct := opts.ContentType
	if ct == "" {
		ct = ContentType(key)
	}
	po := minio.PutObjectOptions{
		ContentType:  ct,
		UserMetadata: map[string]string{MetaSHA256: p.sum},
		PartSize:     s.opts.PartSize,
		NumThreads:   s.opts.NumThreads,
		// minio-go signs payloads on plain HTTP unless told not to: a
		// SHA-256 of every 64 KiB chunk here and again on the server.
		DisableContentSha256: s.unsigned,
	}
	if opts.Progress != nil {
		po.Progress = &progressCounter{fn: opts.Progress}
	}
	s.abortStale(ctx, bucket, key)
	_, err = s.client.PutObject(ctx, bucket, key, p.r, p.size, po)
	if err != nil {
		return ObjectInfo{}, s.wrap("put", bucket, key, err)
	}
	return s.Stat(ctx, bucket, key)
}

// abortStale aborts incomplete multipart uploads of key started more than
// StaleUpload ago: leftovers of interrupted runs, invisible but holding
// space. Younger ones may belong to a concurrent Put and are left alone.
// Errors are ignored.
func (s *S3) abortStale(ctx context.Context, bucket, key string) {
	age := s.opts.StaleUpload
	if age == 0 {
		age = time.Hour
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	core := minio.Core{Client: s.client}
	for u := range s.client.ListIncompleteUploads(ctx, bucket, key, false) {
		if u.Err != nil {
			return
		}
		if u.Key == key && time.Since(u.Initiated) > age {
			_ = core.AbortMultipartUpload(ctx, bucket, key, u.UploadID)
		}
	}
}

// progressCounter is minio-go's Progress hook: it is read as many bytes as
// were sent. minio-go sends the parts of a multipart upload on several
// goroutines, each reading the hook, so the count and the call to fn are
// under one lock: fn is never called concurrently, and with a total that
// only grows (an unguarded count lost updates: an upload of 12 MiB once
// reported 128 KiB less at its end).
type progressCounter struct {
	mu   sync.Mutex
	done int64
	fn   func(int64)
}

func (p *progressCounter) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += int64(len(b))
	p.fn(p.done)
	return len(b), nil
}

// Get opens an object.
func (s *S3) Get(ctx context.Context, bucket, key string) (io.ReadCloser, ObjectInfo, error) {
	if err := checkNames(bucket, key); err != nil {
		return nil, ObjectInfo{}, err
	}
	obj, err := s.client.GetObject(ctx, bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, ObjectInfo{}, s.wrap("get", bucket, key, err)
	}
	st, err := obj.Stat()
	if err != nil {
		obj.Close()
		return nil, ObjectInfo{}, s.wrap("get", bucket, key, err)
	}
	return obj, info(bucket, st), nil
}

// Stat describes an object.
func (s *S3) Stat(ctx context.Context, bucket, key string) (ObjectInfo, error) {
	if err := checkNames(bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	st, err := s.client.StatObject(ctx, bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return ObjectInfo{}, s.wrap("stat", bucket, key, err)
	}
	return info(bucket, st), nil
}

// List yields the objects under prefix with their metadata.
func (s *S3) List(ctx context.Context, bucket, prefix string) iter.Seq2[ObjectInfo, error] {
	return func(yield func(ObjectInfo, error) bool) {
		if err := CheckBucketName(bucket); err != nil {
			yield(ObjectInfo{}, err)
			return
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		for o := range s.client.ListObjects(ctx, bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true, WithMetadata: true}) {
			if o.Err != nil {
				yield(ObjectInfo{}, s.wrap("list", bucket, prefix, o.Err))
				return
			}
			if !yield(info(bucket, o), nil) {
				return
			}
		}
	}
}

// Remove deletes an object.
func (s *S3) Remove(ctx context.Context, bucket, key string) error {
	if err := checkNames(bucket, key); err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, bucket, key, minio.RemoveObjectOptions{}); err != nil {
		return s.wrap("remove", bucket, key, err)
	}
	return nil
}

func info(bucket string, o minio.ObjectInfo) ObjectInfo {
	sum := o.UserMetadata["X-Amz-Meta-Sha256"]
	if sum == "" {
		sum = o.UserMetadata[MetaSHA256]
	}
	if sum == "" {
		sum = o.Metadata.Get("X-Amz-Meta-" + MetaSHA256)
	}
	return ObjectInfo{Bucket: bucket, Key: o.Key, Size: o.Size, ContentType: o.ContentType, SHA256: sum, ModTime: o.LastModified}
}

func (s *S3) wrap(op, bucket, key string, err error) error {
	switch minio.ToErrorResponse(err).Code {
	case "NoSuchKey":
		return fmt.Errorf("storage: %s s3://%s/%s: %w: %w", op, bucket, key, ErrNotFound, err)
	case "NoSuchBucket":
		return fmt.Errorf("storage: %s s3://%s/%s: %w: %w", op, bucket, key, ErrNoBucket, err)
	}
	return fmt.Errorf("storage: %s s3://%s/%s: %w", op, bucket, key, err)
}
