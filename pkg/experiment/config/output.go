package config

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mlstack/mlstack/internal/redact"
)

// Redacted is the value that replaces secrets in outputs.
const Redacted = redact.Mask

// ResolvedYAML returns the config with defaults filled in and secrets
// redacted, as written to config.resolved.yaml.
func (p *Parsed) ResolvedYAML() ([]byte, error) {
	n, err := p.redactedNode()
	if err != nil {
		return nil, err
	}
	return yaml.Marshal(n)
}

func (p *Parsed) redactedNode() (*yaml.Node, error) {
	var n yaml.Node
	if err := n.Encode(p.Config); err != nil {
		return nil, err
	}
	walk(&n, "", func(path string, v *yaml.Node) {
		if slices.Contains(p.secrets, path) {
			v.Kind, v.Tag, v.Value, v.Style = yaml.ScalarNode, "!!str", Redacted, 0
		} else if red := redact.String(v.Value); red != v.Value {
			// Credentials in URLs, secret query parameters, the value
			// of a secret environment variable under another key.
			v.Tag, v.Value, v.Style = "!!str", red, 0
		}
	})
	return &n, nil
}

// walk calls fn for every scalar node with its key path. A list of scalars
// is passed whole (as one flow-style node) when flowLists is set.
func walk(n *yaml.Node, path string, fn func(string, *yaml.Node)) {
	walkLists(n, path, false, fn)
}

func walkLists(n *yaml.Node, path string, flowLists bool, fn func(string, *yaml.Node)) {
	if flowLists && n.Kind == yaml.SequenceNode && !slices.ContainsFunc(n.Content, func(c *yaml.Node) bool { return c.Kind != yaml.ScalarNode }) {
		vals := make([]string, len(n.Content))
		for i, c := range n.Content {
			vals[i] = c.Value
		}
		fn(path, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "[" + strings.Join(vals, ", ") + "]"})
		return
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			walkLists(c, path, flowLists, fn)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			walkLists(n.Content[i+1], join(path, n.Content[i].Value), flowLists, fn)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			walkLists(c, fmt.Sprintf("%s[%d]", path, i), flowLists, fn)
		}
	case yaml.ScalarNode:
		fn(path, n)
	}
}

// Params returns the resolved config flattened to MLflow params
// (model.params.max_depth = 6), secrets redacted. Lists of scalars are
// written inline ([a, b]); list items that are mappings are numbered
// (clean.0.step).
func (p *Parsed) Params() (map[string]string, error) {
	n, err := p.redactedNode()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	walkLists(n, "", true, func(path string, v *yaml.Node) {
		if v.Tag == "!!null" {
			return
		}
		out[paramKey(path)] = v.Value
	})
	return out, nil
}

// IsSecretPath reports whether the value at a key path (tracking.tags.x)
// is a secret: its key names one, or it came from a secret-named
// environment variable.
func (p *Parsed) IsSecretPath(path string) bool {
	return IsSecret(path[strings.LastIndex(path, ".")+1:]) || slices.Contains(p.secrets, path)
}

// paramKey turns clean[0].step into clean.0.step (MLflow keys allow no brackets).
func paramKey(path string) string {
	r := strings.NewReplacer("[", ".", "]", "")
	return r.Replace(path)
}
