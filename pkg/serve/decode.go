package serve

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/model"
)

// The JSON input fields of MLflow's scoring protocol.
const (
	fieldSplit     = "dataframe_split"
	fieldRecords   = "dataframe_records"
	fieldInstances = "instances"
	fieldInputs    = "inputs"
	fieldParams    = "params"
)

var formats = []string{fieldSplit, fieldRecords, fieldInstances, fieldInputs}

// requiredFormat is MLflow's REQUIRED_INPUT_FORMAT.
var requiredFormat = "The input must be a JSON dictionary with exactly one of the input fields " +
	"{'" + strings.Join(formats, "', '") + "'}"

// table is decoded input: n rows and, for a column name, its values.
type table struct {
	n   int
	col func(name string) ([]any, bool)
}

// decodeJSON reads a JSON request body into rows for m and the params.
func decodeJSON(body []byte, m *model.Model) (*frame.Frame, map[string]any, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			if bytes.HasPrefix(bytes.TrimSpace(body), []byte("[")) {
				return nil, nil, invalidInput("%s. Received a list.", requiredFormat)
			}
			return nil, nil, invalidInput("%s. Received unexpected input type '%s'.", requiredFormat, ute.Value)
		}
		return nil, nil, invalidInput("Ensure that input is a valid JSON formatted string. Error: %s", jsonError(err, body))
	}
	var keys []string
	for _, f := range formats {
		if _, ok := top[f]; ok {
			keys = append(keys, f)
		}
	}
	if len(keys) != 1 {
		got := make([]string, 0, len(top))
		for k := range top {
			got = append(got, k)
		}
		slices.Sort(got)
		return nil, nil, &Error{Code: CodeBadRequest, Message: fmt.Sprintf("%s. Received dictionary with input fields: %s.", requiredFormat, pyList(got))}
	}
	var params map[string]any
	if raw, ok := top[fieldParams]; ok && !isNull(raw) {
		if err := json.Unmarshal(raw, &params); err != nil {
			return nil, nil, invalidInput("params must be a JSON dictionary: %s", jsonError(err, raw))
		}
	}
	raw := top[keys[0]]
	var t *table
	var err error
	switch keys[0] {
	case fieldSplit:
		t, err = splitTable(raw)
	case fieldRecords:
		t, err = recordsTable(raw, fieldRecords)
	default: // instances, inputs: records or columns
		if b := bytes.TrimSpace(raw); len(b) > 0 && b[0] == '{' {
			t, err = columnsTable(raw, keys[0])
		} else {
			t, err = recordsTable(raw, keys[0])
		}
	}
	if err != nil {
		return nil, nil, err
	}
	f, err := tableFrame(t, m)
	return f, params, err
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// unmarshal decodes raw keeping numbers as json.Number, so that 3 and 3.0
// stay apart as they do in Python (a category of 3 is "3").
func unmarshal(raw json.RawMessage, v any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	return d.Decode(v)
}

func splitTable(raw json.RawMessage) (*table, error) {
	var s struct {
		Columns []string `json:"columns"`
		Data    [][]any  `json:"data"`
	}
	if err := unmarshal(raw, &s); err != nil {
		return nil, invalidInput("%s: want {\"columns\": [names], \"data\": [[values], ...]}: %s", fieldSplit, jsonError(err, raw))
	}
	for i, row := range s.Data {
		if len(row) != len(s.Columns) {
			return nil, invalidInput("%s: row %d has %d values for %d columns", fieldSplit, i, len(row), len(s.Columns))
		}
	}
	idx := make(map[string]int, len(s.Columns))
	for j, c := range s.Columns {
		if _, dup := idx[c]; dup {
			return nil, invalidInput("%s: column %q is given twice", fieldSplit, c)
		}
		idx[c] = j
	}
	return &table{n: len(s.Data), col: func(name string) ([]any, bool) {
		j, ok := idx[name]
		if !ok {
			return nil, false
		}
		v := make([]any, len(s.Data))
		for i, row := range s.Data {
			v[i] = row[j]
		}
		return v, true
	}}, nil
}

func recordsTable(raw json.RawMessage, field string) (*table, error) {
	var recs []map[string]any
	if err := unmarshal(raw, &recs); err != nil {
		return nil, invalidInput("%s: want a list of records ({column: value, ...}): %s", field, jsonError(err, raw))
	}
	return &table{n: len(recs), col: func(name string) ([]any, bool) {
		v, seen := make([]any, len(recs)), false
		for i, r := range recs {
			x, ok := r[name]
			v[i], seen = x, seen || ok
		}
		return v, seen
	}}, nil
}

func columnsTable(raw json.RawMessage, field string) (*table, error) {
	var cols map[string][]any
	if err := unmarshal(raw, &cols); err != nil {
		return nil, invalidInput("%s: want {column: [values], ...} or a list of records: %s", field, jsonError(err, raw))
	}
	n := -1
	for _, name := range slices.Sorted(maps.Keys(cols)) {
		if n >= 0 && len(cols[name]) != n {
			return nil, invalidInput("%s: column %q has %d values, the others %d", field, name, len(cols[name]), n)
		}
		n = len(cols[name])
	}
	return &table{n: max(n, 0), col: func(name string) ([]any, bool) { v, ok := cols[name]; return v, ok }}, nil
}

// tableFrame builds m's input columns from t: every missing input is
// named at once, as MLflow's schema check does.
func tableFrame(t *table, m *model.Model) (*frame.Frame, error) {
	if t.n == 0 {
		return nil, invalidInput("no rows to score")
	}
	missing := missingTokens(m)
	cols := make([]*frame.Column, 0, len(m.Inputs))
	var absent []string
	for _, in := range m.Inputs {
		v, ok := t.col(in.Name)
		if !ok {
			absent = append(absent, in.Name)
			continue
		}
		c, err := column(in, v, missing)
		if err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	if len(absent) > 0 {
		return nil, &Error{Code: CodeBadRequest, Message: "Failed to enforce schema of data: Model is missing inputs " + pyList(absent) + "."}
	}
	return frame.New(cols...)
}

// missingTokens are the strings read as missing values, as the Python
// loader reads them: the training data's tokens, else frame's defaults.
func missingTokens(m *model.Model) map[string]bool {
	toks := m.Missing
	if len(toks) == 0 {
		toks = frame.DefaultMissing
	}
	set := make(map[string]bool, len(toks))
	for _, t := range toks {
		set[t] = true
	}
	return set
}

// boolPairs are the (false, true) tokens a boolean column takes besides
// its own, as the Python loader's BOOL_PAIRS and 0/1.
var boolPairs = [][2]string{{"false", "true"}, {"False", "True"}, {"FALSE", "TRUE"},
	{"no", "yes"}, {"No", "Yes"}, {"NO", "YES"}, {"0", "1"}}

// column converts the JSON values of input in to a column of its kind,
// as the Python loader converts a pandas column (see the package doc).
func column(in model.Input, v []any, missing map[string]bool) (*frame.Column, error) {
	bad := func(i int, want string) error {
		return &Error{Code: CodeBadRequest, Message: fmt.Sprintf("input column %q, row %d: value %s is not %s", in.Name, i, show(v[i]), want)}
	}
	switch in.Kind {
	case frame.Numeric:
		x := make([]float64, len(v))
		for i, e := range v {
			switch e := e.(type) {
			case nil:
				x[i] = math.NaN()
			case json.Number:
				f, err := strconv.ParseFloat(string(e), 64)
				if err != nil && !errors.Is(err, strconv.ErrRange) {
					return nil, bad(i, "a number")
				}
				x[i] = f
			case bool:
				x[i] = b2f(e)
			case string:
				s := strings.TrimSpace(e)
				if missing[s] {
					x[i] = math.NaN()
					continue
				}
				f, err := strconv.ParseFloat(s, 64)
				if err != nil && !errors.Is(err, strconv.ErrRange) {
					return nil, bad(i, "a number")
				}
				x[i] = f
			default:
				return nil, bad(i, "a number")
			}
		}
		return frame.NewNumeric(in.Name, x), nil
	case frame.Categorical:
		s, na := make([]string, len(v)), make([]bool, len(v))
		for i, e := range v {
			switch e := e.(type) {
			case nil:
				na[i] = true
				continue
			case bool:
				s[i] = strconv.FormatBool(e)
			case string:
				s[i] = strings.TrimSpace(e)
			case json.Number:
				if n, err := strconv.ParseInt(string(e), 10, 64); err == nil {
					s[i] = strconv.FormatInt(n, 10)
				} else if f, err := strconv.ParseFloat(string(e), 64); err == nil || errors.Is(err, strconv.ErrRange) {
					s[i] = strconv.FormatFloat(f, 'g', -1, 64)
				} else {
					s[i] = string(e)
				}
			default:
				return nil, bad(i, "a category (a string)")
			}
			na[i] = missing[s[i]]
		}
		return frame.NewCategorical(in.Name, s, na), nil
	}
	ft, tt := in.Tokens[0], in.Tokens[1]
	want := strconv.Quote(ft) + " or " + strconv.Quote(tt)
	x := make([]float64, len(v))
	for i, e := range v {
		switch e := e.(type) {
		case nil:
			x[i] = math.NaN()
		case bool:
			x[i] = b2f(e)
		case json.Number:
			switch string(e) {
			case "0", "0.0":
				x[i] = 0
			case "1", "1.0":
				x[i] = 1
			default:
				return nil, bad(i, want)
			}
		case string:
			t := strings.TrimSpace(e)
			switch {
			case missing[t]:
				x[i] = math.NaN()
			case t == ft:
				x[i] = 0
			case t == tt:
				x[i] = 1
			default:
				k := slices.IndexFunc(boolPairs, func(p [2]string) bool { return p[0] == t || p[1] == t })
				if k < 0 {
					return nil, bad(i, want)
				}
				x[i] = b2f(boolPairs[k][1] == t)
			}
		default:
			return nil, bad(i, want)
		}
	}
	return frame.NewBoolean(in.Name, x, ft, tt), nil
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// show renders a JSON value for an error message, cut to 64 bytes.
func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 64 {
		return string(b[:61]) + "..."
	}
	return string(b)
}

// pyList renders names as Python prints a list of strings, as MLflow's
// messages do.
func pyList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "'" + strings.ReplaceAll(n, "'", `\'`) + "'"
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// jsonError names where the JSON went wrong: the byte offset, and the
// line and column, of a syntax error.
func jsonError(err error, body []byte) string {
	var se *json.SyntaxError
	if errors.As(err, &se) && se.Offset <= int64(len(body)) {
		line := 1 + bytes.Count(body[:se.Offset], []byte("\n"))
		col := se.Offset - int64(bytes.LastIndexByte(body[:se.Offset], '\n')) - 1
		return fmt.Sprintf("%v (line %d, column %d, byte %d)", se, line, col, se.Offset)
	}
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		where := ute.Field
		if where == "" {
			where = "the value"
		}
		return fmt.Sprintf("%s at byte %d is a JSON %s, want %v", where, ute.Offset, ute.Value, ute.Type)
	}
	return err.Error()
}

// decodeCSV reads a text/csv body with m's ReadOptions.
func decodeCSV(ctx context.Context, body []byte, m *model.Model) (*frame.Frame, error) {
	// The header first, so that every missing input is named at once.
	header, err := csv.NewReader(bytes.NewReader(body)).Read()
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, csvError(err)
	}
	var absent []string
	for _, in := range m.Inputs {
		if !slices.Contains(header, in.Name) {
			absent = append(absent, in.Name)
		}
	}
	if len(absent) > 0 {
		return nil, &Error{Code: CodeBadRequest, Message: "Failed to enforce schema of data: Model is missing inputs " + pyList(absent) + "."}
	}
	o := m.ReadOptions()
	o.Name = "request body"
	f, err := frame.ReadBytes(ctx, body, o)
	if err != nil {
		return nil, csvError(err)
	}
	if f.Len() == 0 {
		return nil, invalidInput("no rows to score")
	}
	return f, nil
}

// csvError is MLflow's message for a CSV body it cannot read.
func csvError(err error) error {
	return &Error{Code: CodeBadRequest, Message: "Failed to parse input as a Pandas DataFrame. Ensure that the input is a valid CSV-formatted Pandas DataFrame produced using the `pandas.DataFrame.to_csv()` method. Error: '" + err.Error() + "'"}
}
