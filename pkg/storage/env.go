package storage

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/mlstack/mlstack/internal/seedenv"
)

// Config is the storage configuration read from the environment.
type Config struct {
	S3           S3Options // S3.Endpoint empty: no S3 configured
	LocalRoot    string    // folder of the Local store used without S3
	DataBucket   string
	MLflowBucket string
}

// ConfigFromEnv reads the variables listed in the package documentation
// through getenv (os.Getenv when nil).
func ConfigFromEnv(getenv func(string) string) Config {
	if getenv == nil {
		getenv = os.Getenv
	}
	first := func(def string, names ...string) string {
		for _, n := range names {
			if v := strings.TrimSpace(seedenv.Getenv(getenv, n)); v != "" {
				return v
			}
		}
		return def
	}
	return Config{
		S3: S3Options{
			Endpoint:     first("", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "MLFLOW_S3_ENDPOINT_URL"),
			AccessKey:    first("", "AWS_ACCESS_KEY_ID"),
			SecretKey:    first("", "AWS_SECRET_ACCESS_KEY"),
			SessionToken: first("", "AWS_SESSION_TOKEN"),
			Region:       first("us-east-1", "AWS_REGION", "AWS_DEFAULT_REGION"),
			// Read as the AWS SDKs read it; NewS3 checks the value.
			RequestChecksums: first("", "AWS_REQUEST_CHECKSUM_CALCULATION"),
		},
		LocalRoot:    first(".stack/objects", "STORAGE_ROOT"),
		DataBucket:   first("data-bucket", "BUCKET_DATA"),
		MLflowBucket: first("mlflow", "BUCKET_MLFLOW"),
	}
}

// Store returns the configured store: S3 when an endpoint is set, else a
// Local store at LocalRoot.
func (c Config) Store() (Store, error) {
	if c.S3.Endpoint != "" {
		return NewS3(&c.S3)
	}
	return NewLocal(c.LocalRoot)
}

// FromEnv is ConfigFromEnv(nil).Store().
func FromEnv() (Store, error) { return ConfigFromEnv(nil).Store() }

// Opener returns a function that opens s3://bucket/key through st and
// file:// URIs or plain paths as local files. Its type matches frame.Opener:
//
//	f, err := frame.Open(ctx, "s3://data-bucket/raw/diabetes.csv",
//		&frame.ReadOptions{Opener: storage.Opener(st)})
func Opener(st Store) func(ctx context.Context, uri string) (io.ReadCloser, error) {
	return func(ctx context.Context, uri string) (io.ReadCloser, error) {
		return OpenURI(ctx, st, uri)
	}
}

// OpenURI opens uri: s3://bucket/key through st, file:///path or a path
// without a scheme from the local file system.
func OpenURI(ctx context.Context, st Store, uri string) (io.ReadCloser, error) {
	u, err := url.Parse(uri)
	switch {
	case err == nil && u.Scheme == "s3":
		bucket, key, err := ParseURI(uri)
		if err != nil {
			return nil, err
		}
		if st == nil {
			return nil, fmt.Errorf("storage: open %s: no store", uri)
		}
		rc, _, err := st.Get(ctx, bucket, key)
		return rc, err
	case err == nil && u.Scheme == "file":
		return os.Open(u.Path)
	case err != nil || u.Scheme == "" || len(u.Scheme) == 1:
		return os.Open(uri)
	}
	return nil, fmt.Errorf("storage: %q: %w", uri, ErrURI)
}

// Open opens uri with the store configured by the environment (FromEnv);
// it is a frame.Opener.
func Open(ctx context.Context, uri string) (io.ReadCloser, error) {
	if strings.HasPrefix(uri, "s3://") {
		st, err := FromEnv()
		if err != nil {
			return nil, err
		}
		return OpenURI(ctx, st, uri)
	}
	return OpenURI(ctx, nil, uri)
}
