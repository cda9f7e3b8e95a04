// Package dataset names where data comes from and opens it: built-in samples
// embedded in the binary, local files, objects of the store (pkg/storage),
// URLs, Kaggle datasets and Roboflow image datasets (YOLO).
//
// Rules:
//   - A built-in sample is real public data (see samples/README.md for each
//     file's source); it is read-only and identical on every machine.
//   - Sample names are the file name without ".csv" (diabetes, breast_cancer,
//     telco_churn).
//   - A source string is one of sample:NAME, kaggle:OWNER/DATASET[/FILE],
//     roboflow:WORKSPACE/PROJECT/VERSION[/FORMAT], http(s)://URL,
//     s3://BUCKET/KEY, file://PATH or a local path (ParseSource). Anything
//     else with a scheme is ErrUnknownScheme.
//   - Open is the one way to read the CSV data of a source (train, the
//     notebooks): a stream with its SHA-256 (Data.Sum), taken from ingest's
//     manifest for an s3:// object that came through ingest unchanged.
//     Fetch makes the files of a source available on disk (ingest).
//   - Fetch only ever writes inside FetchOptions.Dir and returns the CSV
//     files it found; archives (zip) are extracted with limits (Limits):
//     entries must be local paths (no "..", no absolute names, no links);
//     the entry count, the declared total size and the overall compression
//     ratio are checked before anything is written, and real sizes are
//     counted as bytes are written (archive/zip also fails an entry larger
//     than it declares); each entry's ratio is bounded too. An archive
//     without a CSV is ErrNoCSV.
//   - Downloads are bounded: Limits.MaxBytes (Content-Length first, then
//     the bytes received), FetchOptions.MinRate over each IdleTimeout
//     window (ErrStalled: a server sending a byte a second is abandoned),
//     and FetchOptions.Timeout for the whole fetch (ErrTimeout). A 200
//     answer whose body is an HTML page or JSON (a login or error page) is
//     an *HTTPError wrapping ErrNotData, with the URL, the status and the
//     page's title.
//   - Secrets in URLs (userinfo, ?api_key=… and other secret-named query
//     parameters: internal/redact) never appear in errors: Source.String,
//     HTTPError.URL and every message show the redacted URL.
//   - Kaggle downloads use the official API and credential conventions
//     (KaggleCredentials): KAGGLE_API_TOKEN (a token or a file holding it),
//     ~/.kaggle/access_token, KAGGLE_USERNAME + KAGGLE_KEY, kaggle.json in
//     KAGGLE_CONFIG_DIR or ~/.kaggle. Redirects are followed; the
//     Authorization header is not sent to another host. 401/403/404 are
//     typed (*HTTPError wrapping ErrUnauthorized, ErrForbidden, ErrNotFound);
//     5xx, truncated and stalled bodies are retried by the module's retry
//     policy (internal/retry): FetchOptions.Retries attempts, waits from
//     FetchOptions.RetryWait doubling, no jitter. Roboflow export requests
//     retry network errors, 5xx, 408 and 429 the same way, and poll a 202
//     answer (export being generated) every RoboflowPoll without counting
//     it as a failure.
//   - A YOLO dataset is read by ReadYOLO, whose rules CheckYOLO (ingest)
//     and pkg/detect (training) share.
//   - CheckCSV parses with pkg/frame: files up to CheckOptions.FullParse
//     bytes entirely; larger ones have their head parsed by frame and every
//     remaining record checked for its field count by the scanner frame
//     reads with (internal/csvscan, encoding/csv's rules). Errors are
//     *frame.ParseError with the file's 1-based line.
package dataset // import "github.com/mlstack/mlstack/pkg/dataset"
