package experiment

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mlstack/mlstack/internal/filekind"
	"github.com/mlstack/mlstack/internal/redact"
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

// Warning is a non-fatal finding, such as a secret written in the file.
type Warning struct {
	File         string
	Line, Column int
	Path, Msg    string
}

func (w Warning) String() string {
	return fmt.Sprintf("%s:%d:%d: warning: %s: %s", w.File, w.Line, w.Column, w.Path, w.Msg)
}

// Parsed is a decoded config with what is needed to report on it.
type Parsed struct {
	Config   Config
	File     string
	Warnings []Warning
	secrets  []string // paths of secret values, redacted on output
	root     *yaml.Node
	// allowLarge lifts MaxEstimators (train --allow-large).
	allowLarge bool
}

// LoadFile reads and parses a config file, applying overrides (path=value).
// The file must be a regular file (not a device or a pipe) of at most
// MaxConfigBytes.
func LoadFile(path string, overrides []string) (*Parsed, error) {
	return loadFile(path, overrides, false)
}

func loadFile(path string, overrides []string, allowLarge bool) (*Parsed, error) {
	b, err := readConfig(path)
	if err != nil {
		return nil, err
	}
	return parse(path, b, overrides, allowLarge)
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

// Parse decodes config bytes strictly (see the package documentation). name
// is used in errors.
func Parse(name string, src []byte, overrides []string) (*Parsed, error) {
	return parse(name, src, overrides, false)
}

func parse(name string, src []byte, overrides []string, allowLarge bool) (*Parsed, error) {
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
	p := &Parsed{File: name, root: root, allowLarge: allowLarge}
	for _, o := range overrides {
		if err := setOverride(root, o); err != nil {
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
	if err := p.validate(); err != nil {
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

// decoder turns yaml nodes into Go values, reporting positions. It
// expands aliases itself, so it bounds them itself (yaml.v3's own limit
// only applies to its Decode into Go values): see enter.
type decoder struct {
	file    string
	p       *Parsed
	nodes   int          // nodes visited so far, aliases expanded
	aliases []aliasUse   // aliases being expanded, outermost first
	anchors []*yaml.Node // anchored nodes being decoded, outermost first
}

type aliasUse struct {
	node *yaml.Node
	path string
}

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
)

// enter counts node n against MaxConfigNodes and resolves it if it is an
// alias, refusing a cycle (an alias inside its own anchor) and nesting
// deeper than MaxAliasDepth. leave must be called when n is done.
func (d *decoder) enter(n *yaml.Node, path string) (_ *yaml.Node, leave func(), _ error) {
	d.nodes++
	if d.nodes > MaxConfigNodes {
		if len(d.aliases) > 0 {
			a := d.aliases[0]
			return nil, nil, d.errf(a.node, a.path, "alias *%s expands the config past %d values (aliases of aliases multiply)", a.node.Value, MaxConfigNodes)
		}
		return nil, nil, d.errf(n, path, "the config holds more than %d values", MaxConfigNodes)
	}
	popAlias := false
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return nil, nil, d.errf(n, path, "alias *%s has no anchor", n.Value)
		}
		if slices.Contains(d.anchors, n.Alias) {
			return nil, nil, d.errf(n, path, "alias *%s is inside its own anchor &%s (line %d): a cycle", n.Value, n.Alias.Anchor, n.Alias.Line)
		}
		if len(d.aliases) >= MaxAliasDepth {
			return nil, nil, d.errf(n, path, "aliases nested more than %d deep", MaxAliasDepth)
		}
		d.aliases = append(d.aliases, aliasUse{n, path})
		n, popAlias = n.Alias, true
	}
	popAnchor := n.Anchor != ""
	if popAnchor {
		d.anchors = append(d.anchors, n)
	}
	return n, func() {
		if popAnchor {
			d.anchors = d.anchors[:len(d.anchors)-1]
		}
		if popAlias {
			d.aliases = d.aliases[:len(d.aliases)-1]
		}
	}, nil
}

func (d *decoder) errf(n *yaml.Node, path, format string, args ...any) error {
	e := &ConfigError{File: d.file, Line: n.Line, Column: n.Column, Path: path, Msg: fmt.Sprintf(format, args...)}
	if n.Line == 0 { // a value from --set has no place in the file
		e.File = "--set"
	}
	return e
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// isSecret reports whether a key names a secret (redact.IsSecretName).
func isSecret(key string) bool { return redact.IsSecretName(key) }

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// scalar returns a scalar node's value with ${NAME} expanded, and records
// secrets (warning when one is written literally).
func (d *decoder) scalar(n *yaml.Node, path string) (string, error) {
	v := n.Value
	literal := true
	fromSecret := false // a ${NAME} with a secret name makes the value secret, whatever its key
	if n.Tag != "!!null" && envRef.MatchString(v) {
		literal = false
		var missing []string
		v = envRef.ReplaceAllStringFunc(v, func(m string) string {
			name := envRef.FindStringSubmatch(m)[1]
			fromSecret = fromSecret || isSecret(name)
			val, ok := os.LookupEnv(name)
			if !ok {
				missing = append(missing, name)
			}
			return val
		})
		if len(missing) > 0 {
			return "", d.errf(n, path, "environment variable %s is not set", strings.Join(missing, ", "))
		}
	}
	key := path[strings.LastIndex(path, ".")+1:]
	if (isSecret(key) || fromSecret) && v != "" {
		d.p.secrets = append(d.p.secrets, path)
		if literal {
			d.p.Warnings = append(d.p.Warnings, Warning{File: d.file, Line: n.Line, Column: n.Column, Path: path,
				Msg: "a secret is written in the config file; it is redacted from logs and outputs, but keep it in the environment instead (" + path + ": ${VAR})"})
		}
	}
	return v, nil
}

var typeNames = map[reflect.Kind]string{
	reflect.String: "a string", reflect.Int: "an integer", reflect.Uint64: "a non-negative integer",
	reflect.Float64: "a number", reflect.Bool: "true or false",
}

func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) error {
	n, leave, err := d.enter(n, path)
	if err != nil {
		return err
	}
	defer leave()
	switch v.Kind() {
	case reflect.Struct:
		return d.decodeStruct(n, v, path)
	case reflect.Pointer:
		if n.Tag == "!!null" {
			v.SetZero()
			return nil
		}
		nv := reflect.New(v.Type().Elem())
		if err := d.decode(n, nv.Elem(), path); err != nil {
			return err
		}
		v.Set(nv)
		return nil
	case reflect.Slice:
		if n.Tag == "!!null" {
			v.SetZero()
			return nil
		}
		if n.Kind != yaml.SequenceNode {
			return d.errf(n, path, "expected a list (- item per line, or [a, b]), got %s", describe(n))
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, c := range n.Content {
			if err := d.decode(c, s.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		v.Set(s)
		return nil
	case reflect.Map:
		if n.Tag == "!!null" {
			v.SetZero()
			return nil
		}
		if n.Kind != yaml.MappingNode {
			return d.errf(n, path, "expected a mapping (key: value lines), got %s", describe(n))
		}
		m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			ev := reflect.New(v.Type().Elem()).Elem()
			if err := d.decode(val, ev, join(path, k.Value)); err != nil {
				return err
			}
			m.SetMapIndex(reflect.ValueOf(k.Value), ev)
		}
		v.Set(m)
		return nil
	case reflect.Interface:
		x, err := d.any(n, path)
		if err != nil {
			return err
		}
		if x != nil {
			v.Set(reflect.ValueOf(x))
		}
		return nil
	}
	if n.Kind != yaml.ScalarNode {
		return d.errf(n, path, "expected %s, got %s", typeNames[v.Kind()], describe(n))
	}
	s, err := d.scalar(n, path)
	if err != nil {
		return err
	}
	bad := func() error { return d.errf(n, path, "expected %s, got %q", typeNames[v.Kind()], s) }
	switch v.Kind() {
	case reflect.String:
		if n.Tag == "!!null" {
			s = ""
		}
		v.SetString(s)
	case reflect.Int:
		x, err := strconv.Atoi(s)
		if err != nil {
			return bad()
		}
		v.SetInt(int64(x))
	case reflect.Uint64:
		x, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return bad()
		}
		v.SetUint(x)
	case reflect.Float64:
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(x) {
			return bad()
		}
		v.SetFloat(x)
	case reflect.Bool:
		x, err := strconv.ParseBool(s)
		if err != nil {
			return bad()
		}
		v.SetBool(x)
	default:
		panic("experiment: unsupported config field kind " + v.Kind().String())
	}
	return nil
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) error {
	t := v.Type()
	fields := map[string]int{}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
		fields[tag] = i
		names = append(names, tag)
	}
	if n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return d.errf(n, path, "expected a mapping with keys %s, got %s", strings.Join(names, ", "), describe(n))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		idx, ok := fields[k.Value]
		if !ok {
			hint := ""
			if s := closest(k.Value, names); s != "" {
				hint = fmt.Sprintf(" (did you mean %q?)", s)
			}
			return d.errf(k, join(path, k.Value), "unknown key%s; %s takes: %s", hint, orRoot(path), strings.Join(names, ", "))
		}
		if seen[k.Value] {
			return d.errf(k, join(path, k.Value), "key given twice")
		}
		seen[k.Value] = true
		if err := d.decode(val, v.Field(idx), join(path, k.Value)); err != nil {
			return err
		}
	}
	return nil
}

func orRoot(path string) string {
	if path == "" {
		return "the top level"
	}
	return path
}

// any decodes a node into plain values: string, int, float64, bool, nil,
// []any, map[string]any.
func (d *decoder) any(n *yaml.Node, path string) (any, error) {
	n, leave, err := d.enter(n, path)
	if err != nil {
		return nil, err
	}
	defer leave()
	switch n.Kind {
	case yaml.SequenceNode:
		out := make([]any, len(n.Content))
		for i, c := range n.Content {
			x, err := d.any(c, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if _, dup := out[k]; dup {
				return nil, d.errf(n.Content[i], join(path, k), "key given twice")
			}
			x, err := d.any(n.Content[i+1], join(path, k))
			if err != nil {
				return nil, err
			}
			out[k] = x
		}
		return out, nil
	}
	s, err := d.scalar(n, path)
	if err != nil {
		return nil, err
	}
	switch n.Tag {
	case "!!null":
		return nil, nil
	case "!!int":
		if x, err := strconv.Atoi(s); err == nil {
			return x, nil
		}
	case "!!float":
		if x, err := strconv.ParseFloat(s, 64); err == nil {
			return x, nil
		}
		var x float64 // YAML's own forms: .nan, .inf, -.Inf, ...
		if err := (&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: s}).Decode(&x); err == nil {
			return x, nil
		}
	case "!!bool":
		if x, err := strconv.ParseBool(s); err == nil {
			return x, nil
		}
	}
	return s, nil
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return strconv.Quote(n.Value)
}

// closest returns the candidate within edit distance 2 of s, if any.
func closest(s string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if d := levenshtein(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
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
	// Locations of override values (and of what they hold) point at the
	// flag, not the file.
	var unplace func(n *yaml.Node)
	unplace = func(n *yaml.Node) {
		n.Line, n.Column = 0, 0
		for _, c := range n.Content {
			unplace(c)
		}
	}
	unplace(vnode)
	n := root
	keys := strings.Split(path, ".")
	for i, k := range keys {
		if n.Kind != yaml.MappingNode {
			return &ConfigError{File: "--set", Path: strings.Join(keys[:i], "."), Msg: "is not a mapping, cannot set " + path}
		}
		j := slices.IndexFunc(n.Content, func(c *yaml.Node) bool { return c.Value == k })
		for j >= 0 && j%2 == 1 { // a value equal to k, not a key
			next := slices.IndexFunc(n.Content[j+1:], func(c *yaml.Node) bool { return c.Value == k })
			if next < 0 {
				j = -1
				break
			}
			j += 1 + next
		}
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
