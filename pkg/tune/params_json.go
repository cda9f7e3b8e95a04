package tune

import (
	"encoding/json"
	"fmt"
)

// MarshalJSON writes each value with its kind, so that an int stays an
// int and a float a float when the params cross a wire (JSON numbers do
// not say which): {"eta": {"float": 0.1}, "max_depth": {"int": 6},
// "booster": {"string": "gbtree"}, "early": {"bool": true}}.
func (p Params) MarshalJSON() ([]byte, error) {
	out := make(map[string]map[string]any, len(p))
	for k, v := range p {
		switch x := v.(type) {
		case float64:
			out[k] = map[string]any{"float": x}
		case int:
			out[k] = map[string]any{"int": x}
		case string:
			out[k] = map[string]any{"string": x}
		case bool:
			out[k] = map[string]any{"bool": x}
		default:
			return nil, fmt.Errorf("tune: param %q: cannot encode %T", k, v)
		}
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (p *Params) UnmarshalJSON(b []byte) error {
	var in map[string]struct {
		Float  *float64 `json:"float"`
		Int    *int     `json:"int"`
		String *string  `json:"string"`
		Bool   *bool    `json:"bool"`
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*p = make(Params, len(in))
	for k, v := range in {
		switch {
		case v.Float != nil:
			(*p)[k] = *v.Float
		case v.Int != nil:
			(*p)[k] = *v.Int
		case v.String != nil:
			(*p)[k] = *v.String
		case v.Bool != nil:
			(*p)[k] = *v.Bool
		default:
			return fmt.Errorf("tune: param %q has no value", k)
		}
	}
	return nil
}
