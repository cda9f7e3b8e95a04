// Package dataset names where data comes from and opens it: built-in samples
// embedded in the binary, local files, URLs and Kaggle datasets.
//
// Rules:
//   - A built-in sample is real public data (see samples/README.md for each
//     file's source); it is read-only and identical on every machine.
//   - Sample names are the file name without ".csv" (diabetes, breast_cancer,
//     telco_churn).
//   - A source string is one of sample:NAME, kaggle:OWNER/DATASET[/FILE],
//     http(s)://URL, file://PATH or a local path (ParseSource). Anything
//     else with a scheme is ErrUnknownScheme.
//   - Fetch only ever writes inside FetchOptions.Dir and returns the CSV
//     files it found; archives (zip) are extracted with limits (Limits):
//     entries must be local paths (no "..", no absolute names, no links),
//     sizes are counted as bytes are written (headers are not trusted), and
//     the total size, the entry count and the compression ratio are bounded.
//     An archive without a CSV is ErrNoCSV.
//   - Kaggle downloads use the official API and credential conventions
//     (KaggleCredentials): KAGGLE_API_TOKEN (a token or a file holding it),
//     ~/.kaggle/access_token, KAGGLE_USERNAME + KAGGLE_KEY, kaggle.json in
//     KAGGLE_CONFIG_DIR or ~/.kaggle. Redirects are followed; the
//     Authorization header is not sent to another host. 401/403/404 are
//     typed (*HTTPError wrapping ErrUnauthorized, ErrForbidden, ErrNotFound);
//     5xx and truncated bodies are retried, a body idle for
//     FetchOptions.IdleTimeout is abandoned.
//   - CheckCSV parses with pkg/frame: files up to CheckOptions.FullParse
//     bytes entirely; larger ones have their head parsed by frame and every
//     remaining record checked for its field count by the scanner frame
//     reads with (internal/csvscan, encoding/csv's rules). Errors are
//     *frame.ParseError with the file's 1-based line.
package dataset

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

//go:embed samples/*.csv
var samples embed.FS

// Samples lists the names of the built-in samples in lexical order.
func Samples() []string {
	entries, err := fs.ReadDir(samples, "samples")
	if err != nil {
		panic("dataset: embedded samples missing: " + err.Error())
	}
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".csv"))
	}
	slices.Sort(names)
	return names
}

// Sample returns the CSV bytes of the built-in sample called name.
func Sample(name string) ([]byte, error) {
	b, err := samples.ReadFile("samples/" + name + ".csv")
	if err != nil {
		return nil, fmt.Errorf("dataset: no built-in sample %q (have %s)", name, strings.Join(Samples(), ", "))
	}
	return b, nil
}
