package config

import (
	"fmt"
	"math"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mlstack/mlstack/internal/redact"
)

// decoder turns yaml nodes into Go values strictly, reporting positions.
// It expands aliases itself, so it bounds them itself (yaml.v3's own limit
// only applies to its Decode into Go values): see enter.
//
// A struct field is decoded from the key of its yaml tag; an alias tag
// lists other names for the same field (alias:"eta"); a decode tag adds a
// rule on the value written (decode:"min=1" for an integer, "positive"
// for a number, "single" for a list that may be given as one value).
// Fields without a yaml tag, or tagged "-", are not decoded. A key no
// field takes is an error naming the keys, with the closest one.
type decoder struct {
	file string
	p    *Parsed // records secrets and warnings; nil when decoding Params again
	// noun names the keys in an unknown-key error ("parameter" for
	// model.params; "" for config keys).
	noun string
	// written records, for a field given by an alias, the key path as
	// written under the field's own path (model.params.learning_rate →
	// model.params.eta), so later errors about the field find its line.
	written map[string]string
	nodes   int          // nodes visited so far, aliases expanded
	aliases []aliasUse   // aliases being expanded, outermost first
	anchors []*yaml.Node // anchored nodes being decoded, outermost first
}

type aliasUse struct {
	node *yaml.Node
	path string
}

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

// IsSecret reports whether a key names a secret (redact.IsSecretName).
func IsSecret(key string) bool { return redact.IsSecretName(key) }

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// scalar returns a scalar node's value with ${NAME} expanded, and records
// secrets (warning when one is written literally). Decoding Params again
// (d.p nil), the value is final already.
func (d *decoder) scalar(n *yaml.Node, path string) (string, error) {
	v := n.Value
	if d.p == nil {
		return v, nil
	}
	literal := true
	fromSecret := false // a ${NAME} with a secret name makes the value secret, whatever its key
	if n.Tag != "!!null" && envRef.MatchString(v) {
		literal = false
		var missing []string
		v = envRef.ReplaceAllStringFunc(v, func(m string) string {
			name := envRef.FindStringSubmatch(m)[1]
			fromSecret = fromSecret || IsSecret(name)
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
	if (IsSecret(key) || fromSecret) && v != "" {
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

var paramsType = reflect.TypeFor[Params]()

// rules are the decode tag of a field.
type rules struct {
	min      *int64 // min=N: an integer written must be >= N
	positive bool   // a number written must be > 0
	single   bool   // a list may be written as its one value
}

func parseRules(tag string) rules {
	var r rules
	for _, opt := range strings.Split(tag, ",") {
		switch {
		case opt == "positive":
			r.positive = true
		case opt == "single":
			r.single = true
		case strings.HasPrefix(opt, "min="):
			m, err := strconv.ParseInt(opt[len("min="):], 10, 64)
			if err != nil {
				panic("config: bad decode tag " + strconv.Quote(tag))
			}
			r.min = &m
		case opt == "":
		default:
			panic("config: unknown decode tag option " + strconv.Quote(opt))
		}
	}
	return r
}

func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) error {
	return d.decodeRules(n, v, path, rules{})
}

func (d *decoder) decodeRules(n *yaml.Node, v reflect.Value, path string, r rules) error {
	n, leave, err := d.enter(n, path)
	if err != nil {
		return err
	}
	defer leave()
	if v.Type() == paramsType {
		return d.decodeParams(n, v, path)
	}
	switch v.Kind() {
	case reflect.Struct:
		return d.decodeStruct(n, v, path)
	case reflect.Pointer:
		if n.Tag == "!!null" {
			v.SetZero()
			return nil
		}
		nv := reflect.New(v.Type().Elem())
		if err := d.decodeScalar(n, nv.Elem(), path, r); err != nil {
			return err
		}
		v.Set(nv)
		return nil
	case reflect.Slice:
		return d.decodeSlice(n, v, path, r)
	case reflect.Map:
		return d.decodeMap(n, v, path)
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
	return d.decodeScalar(n, v, path, r)
}

func (d *decoder) decodeSlice(n *yaml.Node, v reflect.Value, path string, r rules) error {
	if n.Tag == "!!null" {
		v.SetZero()
		return nil
	}
	items := n.Content
	if n.Kind != yaml.SequenceNode {
		if !r.single || n.Kind != yaml.ScalarNode {
			return d.errf(n, path, "expected a list (- item per line, or [a, b]), got %s", describe(n))
		}
		items = []*yaml.Node{n}
	}
	s := reflect.MakeSlice(v.Type(), len(items), len(items))
	for i, c := range items {
		if err := d.decode(c, s.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return err
		}
	}
	v.Set(s)
	return nil
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string) error {
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
}

// decodeScalar decodes a string, integer, number or boolean. A null leaves
// the zero value (the default, for the parameter structs); a number must
// be finite; an integer may be written as an integral number (1e3).
func (d *decoder) decodeScalar(n *yaml.Node, v reflect.Value, path string, r rules) error {
	if v.Kind() == reflect.Struct || v.Kind() == reflect.Slice || v.Kind() == reflect.Map {
		return d.decodeRules(n, v, path, r)
	}
	if n.Kind != yaml.ScalarNode {
		return d.errf(n, path, "expected %s, got %s", typeNames[v.Kind()], describe(n))
	}
	s, err := d.scalar(n, path)
	if err != nil {
		return err
	}
	if n.Tag == "!!null" {
		v.SetZero()
		return nil
	}
	bad := func() error { return d.errf(n, path, "expected %s, got %q", typeNames[v.Kind()], s) }
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Int:
		x, ok := integer(s, math.MinInt, math.MaxInt)
		if !ok {
			return bad()
		}
		if r.min != nil && x < *r.min {
			return d.errf(n, path, "must be >= %d, got %d", *r.min, x)
		}
		v.SetInt(x)
	case reflect.Uint64:
		x, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			i, ok := integer(s, 0, math.MaxInt64)
			if !ok {
				return bad()
			}
			x = uint64(i)
		}
		v.SetUint(x)
	case reflect.Float64:
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			// YAML's own forms: .nan, .inf, -.Inf, ...
			if yerr := (&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: s}).Decode(&x); yerr != nil {
				return bad()
			}
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return d.errf(n, path, "must be finite, got %q", s)
		}
		if r.positive && x <= 0 {
			return d.errf(n, path, "must be > 0, got %v", x)
		}
		v.SetFloat(x)
	case reflect.Bool:
		x, err := strconv.ParseBool(s)
		if err != nil {
			return bad()
		}
		v.SetBool(x)
	default:
		panic("config: unsupported field kind " + v.Kind().String())
	}
	return nil
}

// integer parses s as an integer in [lo, hi], also from an integral
// number such as 1e3 or 100.0.
func integer(s string, lo, hi int64) (int64, bool) {
	if x, err := strconv.ParseInt(s, 10, 64); err == nil {
		return x, x >= lo && x <= hi
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || f < float64(lo) || f > float64(hi) || f < -(1<<53) || f > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

// field is a struct field the decoder fills.
type field struct {
	index int
	name  string // the key
	rules rules
}

// fieldsOf returns a struct type's fields by key (aliases included) and
// the keys in declaration order (aliases not included).
func fieldsOf(t reflect.Type) (map[string]field, []string, []string) {
	fields := map[string]field{}
	var names, aliases []string
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		name := strings.Split(sf.Tag.Get("yaml"), ",")[0]
		if name == "" || name == "-" || !sf.IsExported() {
			continue
		}
		f := field{index: i, name: name, rules: parseRules(sf.Tag.Get("decode"))}
		fields[name] = f
		names = append(names, name)
		if a := sf.Tag.Get("alias"); a != "" {
			for _, alias := range strings.Split(a, ",") {
				fields[alias] = f
				aliases = append(aliases, alias)
			}
		}
	}
	return fields, names, aliases
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) error {
	fields, names, aliases := fieldsOf(v.Type())
	if n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return d.errf(n, path, "expected a mapping with keys %s, got %s", strings.Join(names, ", "), describe(n))
	}
	seen := map[int]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		f, ok := fields[k.Value]
		if !ok {
			return d.unknownKey(k, path, names, aliases)
		}
		if prev, dup := seen[f.index]; dup {
			if prev != k.Value {
				return d.errf(k, join(path, k.Value), "key given twice (%s and %s are the same)", prev, k.Value)
			}
			return d.errf(k, join(path, k.Value), "key given twice")
		}
		seen[f.index] = k.Value
		if k.Value != f.name && d.written != nil {
			d.written[join(path, f.name)] = join(path, k.Value)
		}
		if err := d.decodeRules(val, v.Field(f.index), join(path, k.Value), f.rules); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) unknownKey(k *yaml.Node, path string, names, aliases []string) error {
	s := Closest(k.Value, append(slices.Clone(names), aliases...))
	if d.noun != "" {
		hint := ""
		if s != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", s)
		}
		known := strings.Join(names, ", ")
		if len(aliases) > 0 {
			known += "; aliases " + strings.Join(aliases, ", ")
		}
		return d.errf(k, join(path, k.Value), "unknown %s; known: %s%s", d.noun, known, hint)
	}
	hint := ""
	if s != "" {
		hint = fmt.Sprintf(" (did you mean %q?)", s)
	}
	return d.errf(k, join(path, k.Value), "unknown key%s; %s takes: %s", hint, orRoot(path), strings.Join(names, ", "))
}

// DidYouMean returns ` (did you mean "x"?)` for the Closest candidate,
// or "".
func DidYouMean(s string, candidates []string) string {
	if c := Closest(s, candidates); c != "" {
		return fmt.Sprintf(" (did you mean %q?)", c)
	}
	return ""
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

// copy returns n with its aliases expanded and its scalars' ${NAME}
// resolved (see scalar), positions kept: the tree Params.Decode decodes
// again. Duplicate keys are refused here.
func (d *decoder) copy(n *yaml.Node, path string) (*yaml.Node, error) {
	n, leave, err := d.enter(n, path)
	if err != nil {
		return nil, err
	}
	defer leave()
	c := &yaml.Node{Kind: n.Kind, Tag: n.Tag, Style: n.Style, Line: n.Line, Column: n.Column}
	switch n.Kind {
	case yaml.SequenceNode:
		for i, e := range n.Content {
			x, err := d.copy(e, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			c.Content = append(c.Content, x)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if keyIndex(c, k.Value) >= 0 {
				return nil, d.errf(k, join(path, k.Value), "key given twice")
			}
			x, err := d.copy(n.Content[i+1], join(path, k.Value))
			if err != nil {
				return nil, err
			}
			key := *k
			key.Anchor, key.Alias = "", nil
			c.Content = append(c.Content, &key, x)
		}
	default:
		if c.Value, err = d.scalar(n, path); err != nil {
			return nil, err
		}
	}
	return c, nil
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

// Closest returns the candidate within edit distance 2 of s, if any (the
// nearest; the first of equals; one that differs only in case first):
// the "did you mean" of every error that names a key, a parameter, a
// column or a class.
func Closest(s string, candidates []string) string {
	for _, c := range candidates {
		if strings.EqualFold(s, c) {
			return c
		}
	}
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
