package config

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/mlstack/mlstack/internal/filekind"
	"io"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Limits on a config (see the package documentation).
const (
	// MaxConfigBytes bounds the size of a config file.
	MaxConfigBytes = 1 << 20
	// MaxConfigNodes bounds the values of a config once its aliases are
	// expanded (a "billion laughs" file of a few hundred bytes expands to
	// billions).
	MaxConfigNodes = 100_000
	// MaxAliasDepth bounds aliases expanded inside aliases.
	MaxAliasDepth = 10
	// MaxEstimators bounds model.params.n_estimators unless the run allows
	// large models (Options.AllowLarge, train --allow-large).
	MaxEstimators = 1_000_000
)

// Options says how to read a config.
type Options struct {
	// Overrides are path=value (train --set), applied to the YAML before
	// decoding, so they are checked the same way.
	Overrides []string
	// AllowLarge lifts MaxEstimators (train --allow-large).
	AllowLarge bool
	// Trainers are the names model.trainer may take (the registered
	// trainers); nil accepts any name.
	Trainers []string
}

// Parsed is a decoded config with what is needed to report on it.
type Parsed struct {
	Config   Config
	File     string
	Warnings []Warning
	secrets  []string // paths of secret values, redacted on output
	root     *yaml.Node
}

// LoadFile reads and parses a config file (see Parse). The file must be a
// regular file (not a device or a pipe) of at most MaxConfigBytes.
func LoadFile(path string, o *Options) (*Parsed, error) {
	b, err := readConfig(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, b, o)
}

func readConfig(path string) ([]byte, error) {
	bad := func(format string, args ...any) error {
		return &ConfigError{File: path, Msg: fmt.Sprintf(format, args...)}
	}
	// Stat before opening: opening a named pipe blocks until a writer comes.
	fi, err := os.Stat(path)
	if err != nil {
		return nil, bad("cannot read config: %s", strings.TrimPrefix(err.Error(), "stat "+path+": "))
	}
	if !fi.Mode().IsRegular() {
		return nil, bad("not a config file: it is %s; give the path of a YAML file", filekind.Of(fi.Mode()))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, bad("cannot read config: %s", strings.TrimPrefix(err.Error(), "open "+path+": "))
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil || !fi.Mode().IsRegular() { // replaced since
		return nil, bad("not a config file: it is not a regular file; give the path of a YAML file")
	}
	if fi.Size() > MaxConfigBytes {
		return nil, bad("%d bytes: a config is at most %d bytes", fi.Size(), MaxConfigBytes)
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxConfigBytes+1))
	if err != nil {
		return nil, bad("cannot read config: %v", err)
	}
	if len(b) > MaxConfigBytes { // grew while we read it
		return nil, bad("more than %d bytes: a config is at most %d bytes", MaxConfigBytes, MaxConfigBytes)
	}
	return b, nil
}

// Parse decodes config bytes strictly and checks them (see the package
// documentation). name is used in errors. o may be nil.
func Parse(name string, src []byte, o *Options) (*Parsed, error) {
	if o == nil {
		o = &Options{}
	}
	if len(src) > MaxConfigBytes {
		return nil, &ConfigError{File: name, Msg: fmt.Sprintf("%d bytes: a config is at most %d bytes", len(src), MaxConfigBytes)}
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, yamlError(name, err)
	}
	if len(doc.Content) == 0 {
		return nil, &ConfigError{File: name, Msg: "empty config: expected a mapping with at least version, data and model"}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, &ConfigError{File: name, Line: root.Line, Column: root.Column, Msg: "expected a mapping of keys (version, data, model, ...)"}
	}
	p := &Parsed{File: name, root: root}
	for _, ov := range o.Overrides {
		if err := setOverride(root, ov); err != nil {
			return nil, err
		}
	}
	if err := p.checkVersion(root); err != nil {
		return nil, err
	}
	p.Config = DefaultConfig()
	d := decoder{file: name, p: p}
	if err := d.decode(root, reflect.ValueOf(&p.Config).Elem(), ""); err != nil {
		return nil, err
	}
	if err := p.validate(o); err != nil {
		return nil, err
	}
	return p, nil
}

func yamlError(name string, err error) error {
	msg := err.Error()
	// yaml.v3 says "yaml: line N: ..."; lift the line into the location.
	if m := regexp.MustCompile(`^yaml: line (\d+): (.*)$`).FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &ConfigError{File: name, Line: line, Column: 1, Msg: "YAML syntax: " + m[2]}
	}
	return &ConfigError{File: name, Msg: "YAML syntax: " + strings.TrimPrefix(msg, "yaml: ")}
}

func (p *Parsed) checkVersion(root *yaml.Node) error {
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "version" {
			v := root.Content[i+1]
			if n, err := strconv.Atoi(v.Value); err != nil || n != Version {
				return &ConfigError{File: p.File, Line: v.Line, Column: v.Column, Path: "version",
					Msg: fmt.Sprintf("unsupported version %q: this train reads version: %d", v.Value, Version)}
			}
			return nil
		}
	}
	return &ConfigError{File: p.File, Line: root.Line, Column: root.Column, Path: "version",
		Msg: fmt.Sprintf("missing: add `version: %d` at the top", Version)}
}

// setOverride applies path=value to the YAML tree (creating mappings as
// needed). The value is parsed as YAML, so numbers, booleans and [lists]
// keep their types.
func setOverride(root *yaml.Node, o string) error {
	path, val, ok := strings.Cut(o, "=")
	if !ok || path == "" {
		return &ConfigError{File: "--set", Msg: fmt.Sprintf("%q: expected key.path=value, e.g. model.params.max_depth=4", o)}
	}
	var vdoc yaml.Node
	if err := yaml.Unmarshal([]byte(val), &vdoc); err != nil {
		return &ConfigError{File: "--set", Path: path, Msg: fmt.Sprintf("value %q is not valid YAML: %v", val, err)}
	}
	vnode := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: ""}
	if len(vdoc.Content) > 0 {
		vnode = vdoc.Content[0]
	}
	unplace(vnode)
	n := root
	keys := strings.Split(path, ".")
	for i, k := range keys {
		if n.Kind != yaml.MappingNode {
			return &ConfigError{File: "--set", Path: strings.Join(keys[:i], "."), Msg: "is not a mapping, cannot set " + path}
		}
		j := keyIndex(n, k)
		last := i == len(keys)-1
		if j < 0 {
			child := vnode
			if !last {
				child = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			}
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, child)
			n = child
			continue
		}
		if last {
			n.Content[j+1] = vnode
		}
		n = n.Content[j+1]
	}
	return nil
}

// unplace clears the locations of an override value (and of what it
// holds): errors about it point at the flag, not the file.
func unplace(n *yaml.Node) {
	n.Line, n.Column = 0, 0
	for _, c := range n.Content {
		unplace(c)
	}
}

// keyIndex returns the index in a mapping node's Content of key k, or -1.
func keyIndex(n *yaml.Node, k string) int {
	j := slices.IndexFunc(n.Content, func(c *yaml.Node) bool { return c.Value == k })
	for j >= 0 && j%2 == 1 { // a value equal to k, not a key
		next := slices.IndexFunc(n.Content[j+1:], func(c *yaml.Node) bool { return c.Value == k })
		if next < 0 {
			return -1
		}
		j += 1 + next
	}
	return j
}
