// Package redact removes secrets from text before it is logged, written
// or sent: credentials in URLs, secret-looking query parameters, and the
// values of secret-named environment variables wherever they appear.
//
// # Rules
//
//   - A name is secret (IsSecretName) when, ignoring case, it contains
//     api_key, apikey, token, password, passwd, secret, credential,
//     private_key or access_key, or ends in _key. Query parameters also
//     count as secret when named key, sig, signature, auth, pwd, pass or
//     code, or when they are AWS or Google signing parameters
//     (X-Amz-Signature, X-Amz-Credential, X-Amz-Security-Token,
//     X-Goog-Signature, X-Goog-Credential).
//   - URL replaces a URL's password (or its user name when it carries no
//     password: a token used as user name) and the values of secret query
//     parameters by Mask, keeping everything else as written.
//   - String redacts every URL found in free text (scheme://...), then
//     every occurrence of the value of a secret-named environment variable
//     at least MinSecretLen bytes long (shorter values would hide common
//     words), longest first.
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

var secretParts = []string{"api_key", "apikey", "token", "password", "passwd", "secret", "credential", "private_key", "access_key"}

// IsSecretName reports whether a config key, environment variable or
// parameter name names a secret.
func IsSecretName(name string) bool {
	n := strings.ToLower(name)
	if strings.HasSuffix(n, "_key") {
		return true
	}
	for _, s := range secretParts {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

var secretParams = map[string]bool{
	"key": true, "sig": true, "signature": true, "auth": true, "pwd": true, "pass": true, "code": true,
	"x-amz-signature": true, "x-amz-credential": true, "x-amz-security-token": true,
	"x-goog-signature": true, "x-goog-credential": true,
}

func isSecretParam(name string) bool {
	if n, err := url.QueryUnescape(name); err == nil {
		name = n
	}
	return secretParams[strings.ToLower(name)] || IsSecretName(name)
}

// URL returns s with the credentials of its userinfo and the values of
// its secret query parameters replaced by Mask. A string that does not
// parse as a URL with a scheme is returned unchanged.
func URL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return s
	}
	out := s
	if u.User != nil {
		name := u.User.Username()
		cred := Mask
		if _, has := u.User.Password(); has {
			cred = url.User(name).String() + ":" + Mask
		}
		if i := strings.Index(out, "://"); i >= 0 {
			rest := out[i+3:]
			if at := strings.LastIndex(rest[:hostEnd(rest)], "@"); at >= 0 {
				out = out[:i+3] + cred + rest[at:]
			}
		}
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
		s = urlInText.ReplaceAllStringFunc(s, URL)
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
