package config

import (
	"errors"
	"fmt"
	"strings"
)

// ErrConfig is wrapped by every *ConfigError.
var ErrConfig = errors.New("invalid config")

// ConfigError locates a problem in a config file.
type ConfigError struct {
	File   string // config file, or "--set" for an override
	Line   int    // 1-based; 0 when unknown
	Column int    // 1-based; 0 when unknown
	Path   string // key path, e.g. model.params.max_depth
	Msg    string
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

func (e *ConfigError) Unwrap() error { return ErrConfig }

// FieldError is what a check that has no YAML node at hand (a trainer's
// Validate, or its Train when the data contradicts the config) returns to
// point at a config key; Parsed.Locate turns it into a *ConfigError at
// the key's line.
type FieldError struct {
	Path string // key path, e.g. model.params.max_depth
	Msg  string
}

func (e *FieldError) Error() string { return e.Path + ": " + e.Msg }

// Warning is a non-fatal finding, such as a secret written in the file.
type Warning struct {
	File         string
	Line, Column int
	Path, Msg    string
}

func (w Warning) String() string {
	return fmt.Sprintf("%s:%d:%d: warning: %s: %s", w.File, w.Line, w.Column, w.Path, w.Msg)
}
