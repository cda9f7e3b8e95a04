// Package storage keeps objects (datasets, manifests, artifacts) in S3
// (MinIO) or in a local folder behind one interface, Store.
//
// # Backends
//
// S3 talks to any S3 API through minio-go; Local keeps buckets as
// directories under a root folder, so everything runs offline with the same
// calls. URIs name objects in either: s3://bucket/key. A file:// URI (or a
// plain path) names a local file outside any store.
//
// # Rules
//
//   - Every call takes a context first and stops when it is done.
//   - Put never leaves a partial object visible: S3 uploads use multipart
//     (invisible until completed, aborted on error), Local writes a
//     temporary file next to the buckets and renames it into place. An
//     object under a key is always either the previous complete object or
//     the new complete one. Concurrent Puts of one key each complete; the
//     last to finish wins. Incomplete uploads older than
//     S3Options.StaleUpload are aborted by the next Put of the key.
//   - Put stores the SHA-256 of the content (lowercase hex) as the object
//     metadata "sha256" (S3: x-amz-meta-sha256); Stat, Get and List return it
//     in ObjectInfo.SHA256. When PutOptions.SHA256 is empty, Put computes it:
//     with a first pass over an io.ReadSeeker, or by spooling other readers to
//     a temporary file. When it is given, Put trusts it for seekable readers
//     and checks it for streams (a mismatch fails the Put, nothing is
//     written).
//   - Every part S3 Put uploads carries a CRC32C checksum that the server
//     verifies, so bytes damaged on the way are refused. SigV4 payload
//     signatures (a SHA-256 of every 64 KiB, computed by the client and
//     again by the server) are added only where they protect something:
//     on plain HTTP to a host that is not on loopback. Over TLS and on
//     loopback nobody can alter the bytes in transit, and skipping the
//     signatures halves an upload's CPU. S3Options.PayloadSigning
//     overrides the choice. For S3 services that reject trailing checksums,
//     AWS_REQUEST_CHECKSUM_CALCULATION=when_required turns them off, as it
//     does in the AWS SDKs; payloads are then signed on loopback too.
//   - Missing objects are reported as errors wrapping ErrNotFound, missing
//     buckets as ErrNoBucket, bad names as ErrInvalidName; an S3 error
//     keeps minio-go's minio.ErrorResponse in the chain (errors.As).
//   - Bucket names follow the S3 rules (3–63 characters, lowercase letters,
//     digits, dots and dashes) in both backends; keys are slash-separated
//     and, in Local, may not contain "." or ".." segments.
//
// # Environment
//
// ConfigFromEnv reads, standard names before the seed project's names
// (internal/seedenv: MINIO_URL, AWS_ACCESS_KEY and AWS_SECRET_KEY stand for
// MLFLOW_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY):
//
//	endpoint   AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, MLFLOW_S3_ENDPOINT_URL (or MINIO_URL)
//	access key AWS_ACCESS_KEY_ID (or AWS_ACCESS_KEY)
//	secret key AWS_SECRET_ACCESS_KEY (or AWS_SECRET_KEY)
//	session    AWS_SESSION_TOKEN
//	region     AWS_REGION, AWS_DEFAULT_REGION, default us-east-1
//	checksums  AWS_REQUEST_CHECKSUM_CALCULATION: when_supported (default) or when_required
//	buckets    BUCKET_DATA (default data-bucket), BUCKET_MLFLOW (default mlflow)
//	local root STORAGE_ROOT (default .stack/objects), used when no endpoint is set
//
// The first non-empty variable of each line wins. An endpoint without both
// keys is an error naming the variables to set.
package storage // import "github.com/mlstack/mlstack/pkg/storage"
