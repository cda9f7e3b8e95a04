package config

import (
	"reflect"

	"go.yaml.in/yaml/v3"
)

// Params is model.params: a trainer's parameters as written in the config
// (aliases expanded, ${NAME} resolved, overrides applied). The trainer
// decodes them into its own typed struct with Decode, by the same rules
// and with the same located errors as the rest of the config.
type Params struct {
	node  *yaml.Node     // a mapping; nil when none is given
	plain map[string]any // the same values as plain Go values, for output
	file  string
	path  string
	// written maps a field's path to the alias it was given by (see
	// decoder.written); shared by the copies of p, filled by Decode.
	written map[string]string
}

// Decode decodes the parameters into the struct v points to, strictly: a
// key no field takes is an error listing the known ones, with the closest.
// Fields keep their values for keys not given, so v may hold the defaults.
// Keys are the fields' yaml tags; an alias tag gives other names for a
// field (alias:"eta"), a decode tag rules on the value written: min=N for
// an integer, positive for a number, single for a list that may be given
// as its one value. Errors are a *ConfigError at the key's file:line.
// Decode panics if v is not a pointer to a struct, or a tag is malformed:
// programmer errors.
func (p Params) Decode(v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		panic("config: Params.Decode needs a pointer to a struct")
	}
	if p.node == nil {
		return nil
	}
	d := &decoder{file: p.file, noun: "parameter", written: p.written}
	return d.decode(p.node, rv.Elem(), p.path)
}

// Len is the number of parameters given.
func (p Params) Len() int { return len(p.plain) }

// value is the plain value of a parameter (nil when not given).
func (p Params) value(key string) any { return p.plain[key] }

// MarshalYAML writes the parameters as given (config.resolved.yaml).
func (p Params) MarshalYAML() (any, error) {
	if p.plain == nil {
		return map[string]any{}, nil
	}
	return p.plain, nil
}

// decodeParams keeps model.params for the trainer: a resolved copy of
// the node, checked for aliases, ${NAME} and secrets like any other part.
func (d *decoder) decodeParams(n *yaml.Node, v reflect.Value, path string) error {
	if n.Tag == "!!null" {
		v.SetZero()
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return d.errf(n, path, "expected a mapping (key: value lines), got %s", describe(n))
	}
	c, err := d.copy(n, path)
	if err != nil {
		return err
	}
	plain, err := (&decoder{file: d.file}).any(c, path)
	if err != nil {
		return err
	}
	v.Set(reflect.ValueOf(Params{node: c, plain: plain.(map[string]any), file: d.file, path: path, written: map[string]string{}}))
	return nil
}
