// Package redact decides what is a secret and removes secrets from text
// before it is printed, logged, written or sent: credentials in URLs,
// secret-looking query parameters, and the values of secret-named
// environment variables wherever they appear. It is the one place for that
// rule: config keys (pkg/experiment), URLs (pkg/dataset, ingest), MLflow
// params, tags and errors (pkg/mlflow) and crash reports use it.
//
// # Rules
//
//   - A name is secret (IsSecretName) when, ignoring case and reading - as
//     _, it contains api_key, apikey, token, password, passwd, secret,
//     signature, credential, private_key or access_key, ends in _key, or
//     is exactly key, sig or auth (API keys and signatures of signed URLs:
//     X-Amz-Signature, X-Goog-Credential, …). Query parameters also count
//     as secret when named pwd, pass or code.
//   - URL replaces a URL's password (or its user name when it carries no
//     password: a token used as user name) and the values of secret query
//     parameters by Mask, keeping everything else as written, so a message
//     still says where it went. Text without a scheme:// is returned
//     unchanged; a URL that does not parse is redacted all the same.
//   - String redacts every URL found in free text (scheme://...; trailing
//     punctuation belongs to the sentence), then every occurrence of the
//     value of a secret-named environment variable at least MinSecretLen
//     bytes long (shorter values would hide common words), longest first.
//   - Error wraps an error so that its message is redacted while
//     errors.Is and errors.As still see the original.
//
// Redaction is a safety net for values that reach the wrong place; secret
// keys of a config are still replaced by their owner (pkg/experiment).
package redact // import "github.com/mlstack/mlstack/internal/redact"

import (
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
)

// Mask replaces a secret.
const Mask = "[REDACTED]"

// MinSecretLen is the shortest environment value String redacts.
const MinSecretLen = 6

var secretParts = []string{"api_key", "apikey", "token", "password", "passwd", "secret", "signature", "credential", "private_key", "access_key"}

// secretNames are names that are secrets whole.
var secretNames = []string{"key", "sig", "auth"}

// secretParams are query parameter names that are secrets too.
var secretParams = []string{"pwd", "pass", "code"}

// IsSecretName reports whether a config key, environment variable, tag or
// query parameter name names a secret.
func IsSecretName(name string) bool {
	n := strings.ReplaceAll(strings.ToLower(name), "-", "_")
	if strings.HasSuffix(n, "_key") || slices.Contains(secretNames, n) {
		return true
	}
	for _, s := range secretParts {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

func isSecretParam(name string) bool {
	if n, err := url.QueryUnescape(name); err == nil {
		name = n
	}
	return IsSecretName(name) || slices.Contains(secretParams, strings.ToLower(name))
}

// scheme matches the scheme:// a URL starts with.
var scheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.\-]*://`)

// URL returns s with the credentials of its userinfo and the values of
// its secret query parameters replaced by Mask. A string without a
// scheme:// is returned unchanged.
func URL(s string) string {
	loc := scheme.FindStringIndex(s)
	if loc == nil {
		return s
	}
	out := s
	rest := out[loc[1]:]
	if at := strings.LastIndex(rest[:hostEnd(rest)], "@"); at >= 0 {
		cred := Mask
		if user, _, hasPassword := strings.Cut(rest[:at], ":"); hasPassword {
			cred = user + ":" + Mask
		}
		out = out[:loc[1]] + cred + rest[at:]
	}
	if q := strings.IndexByte(out, '?'); q >= 0 {
		end := len(out)
		if f := strings.IndexByte(out[q:], '#'); f >= 0 {
			end = q + f
		}
		pairs := strings.Split(out[q+1:end], "&")
		for i, p := range pairs {
			k, _, ok := strings.Cut(p, "=")
			if ok && isSecretParam(k) {
				pairs[i] = k + "=" + Mask
			}
		}
		out = out[:q+1] + strings.Join(pairs, "&") + out[end:]
	}
	return out
}

// URLOf is URL for a parsed URL; u is not changed.
func URLOf(u *url.URL) string {
	if u == nil {
		return ""
	}
	return URL(u.String())
}

// hostEnd returns the end of the authority part of rest (what follows
// "scheme://").
func hostEnd(rest string) int {
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		return i
	}
	return len(rest)
}

var urlInText = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.\-]*://[^\s"'<>` + "`" + `]+`)

// String returns s with the URLs in it passed through URL and the values
// of secret-named environment variables replaced by Mask.
func String(s string) string {
	if strings.Contains(s, "://") {
		s = urlInText.ReplaceAllStringFunc(s, func(u string) string {
			trimmed := strings.TrimRight(u, ".,:;!?)")
			return URL(trimmed) + u[len(trimmed):]
		})
	}
	for _, v := range envSecrets() {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, Mask)
		}
	}
	return s
}

// envSecrets returns the values of the secret-named environment
// variables, longest first (so that a secret containing another is
// masked whole). It reads the environment on every call: tests and
// programs set variables after start.
func envSecrets() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, v, ok := strings.Cut(kv, "=")
		if ok && len(v) >= MinSecretLen && IsSecretName(k) && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

// Error returns err with a redacted message; errors.Is and errors.As see
// through it. nil stays nil.
func Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if red := String(msg); red != msg {
		return &redacted{err: err, msg: red}
	}
	return err
}

type redacted struct {
	err error
	msg string
}

func (e *redacted) Error() string { return e.msg }
func (e *redacted) Unwrap() error { return e.err }
