// Package redact decides what is a secret and hides it from what the
// project prints, logs or stores. It is the one place for that rule:
// config keys (pkg/experiment) and URLs (pkg/dataset, ingest) use it.
//
// Rules:
//   - A key is secret when its lower-cased name (- read as _) contains api_key, apikey,
//     token, password, passwd, secret, signature or credential, or is
//     exactly key, sig or auth (API keys and signatures of signed URLs).
//   - In a URL, the userinfo (user and password) and the value of every
//     query parameter whose name is secret become Mask; the rest of the URL
//     is kept, so a message still says where it went.
//   - Redaction never fails: a string that does not parse as a URL is
//     returned with any user:password@ part hidden.
package redact

import (
	"net/url"
	"regexp"
	"strings"
)

// Mask is the text that replaces a secret.
const Mask = "[REDACTED]"

var secretParts = []string{"api_key", "apikey", "token", "password", "passwd", "secret", "signature", "credential"}

// secretNames are query parameter names that are secrets whole (x-amz-signature
// and friends are caught by the parts above).
var secretNames = []string{"key", "sig", "auth"}

// IsSecretKey reports whether a key (a config key, a query parameter or a
// tag name) names a secret.
func IsSecretKey(name string) bool {
	k := strings.ReplaceAll(strings.ToLower(name), "-", "_")
	for _, s := range secretParts {
		if strings.Contains(k, s) {
			return true
		}
	}
	for _, s := range secretNames {
		if k == s {
			return true
		}
	}
	return false
}

// userinfo matches scheme://user[:password]@ in text that is not a URL.
var userinfo = regexp.MustCompile(`(?i)([a-z][a-z0-9+.-]*://)[^/?#@\s]+@`)

// URL returns raw with its userinfo and secret query values replaced by
// Mask.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return userinfo.ReplaceAllString(raw, "${1}"+Mask+"@")
	}
	return URLOf(u)
}

// URLOf is URL for a parsed URL; u is not changed.
func URLOf(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	if c.User != nil {
		c.User = url.User(Mask)
	}
	if c.RawQuery != "" {
		c.RawQuery = query(c.RawQuery)
	}
	s := c.String()
	// String escapes the brackets of the mask in userinfo.
	return strings.Replace(s, url.User(Mask).String()+"@", Mask+"@", 1)
}

// query redacts the secret values of a raw query, keeping the order and
// the form of everything else.
func query(raw string) string {
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		k, _, ok := strings.Cut(p, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		if ok && IsSecretKey(name) {
			parts[i] = k + "=" + Mask
		}
	}
	return strings.Join(parts, "&")
}

// Text returns s with every http(s) URL in it redacted (for messages that
// embed a URL, such as a *url.Error's text).
func Text(s string) string {
	return urlInText.ReplaceAllStringFunc(s, func(u string) string {
		// Punctuation after a URL belongs to the sentence.
		trimmed := strings.TrimRight(u, ".,:;!?)")
		return URL(trimmed) + u[len(trimmed):]
	})
}

var urlInText = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]*://[^\s"'<>]+`)
