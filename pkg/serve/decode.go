package serve

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

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

// table is decoded input: n rows and, for each input of the model, its
// values (nil for an input the request does not give; a nil value is a
// missing one).
type table struct {
	n    int
	cols [][]*value
}

// decodeJSON reads a JSON request body into rows for m and the params.
func decodeJSON(body []byte, m *model.Model) (*frame.Frame, map[string]any, error) {
	if err := checkUTF8(body); err != nil {
		return nil, nil, invalidInput("Ensure that input is a valid JSON formatted string. Error: %v", err)
	}
	d, top, err := parseJSON(body)
	if err != nil {
		return nil, nil, invalidInput("Ensure that input is a valid JSON formatted string. Error: %s", jsonError(err, body))
	}
	switch top.kind {
	case kindObject:
	case kindArray:
		return nil, nil, invalidInput("%s. Received a list.", requiredFormat)
	default:
		return nil, nil, invalidInput("%s. Received unexpected input type '%s'.", requiredFormat, top.kind)
	}
	var keys []string
	for _, f := range formats {
		if _, ok := d.get(top, f); ok {
			keys = append(keys, f)
		}
	}
	if len(keys) != 1 {
		var got []string
		d.members(top, func(k string, _ *value) { got = append(got, k) })
		slices.Sort(got)
		got = slices.Compact(got)
		if len(got) > 20 { // a body of a million keys gets a short answer
			got = append(got[:20], "...")
		}
		return nil, nil, &Error{Code: CodeBadRequest, Message: fmt.Sprintf("%s. Received dictionary with input fields: %s.", requiredFormat, pyList(got))}
	}
	var params map[string]any
	if p, ok := d.get(top, fieldParams); ok && p.kind != kindNull {
		if p.kind != kindObject {
			return nil, nil, invalidInput("params must be a JSON dictionary, got a JSON %s", p.kind)
		}
		params, _ = d.any(p).(map[string]any)
	}
	raw, _ := d.get(top, keys[0])
	// Each input's values are found in one pass over the body's columns
	// or members, whatever their number.
	want := make(map[string]int, len(m.Inputs))
	for j, in := range m.Inputs {
		want[in.Name] = j
	}
	var t *table
	switch keys[0] {
	case fieldSplit:
		t, err = splitTable(d, raw, want)
	case fieldRecords:
		t, err = recordsTable(d, raw, fieldRecords, want)
	default: // instances, inputs: records or columns
		if raw.kind == kindObject {
			t, err = columnsTable(d, raw, keys[0], want)
		} else {
			t, err = recordsTable(d, raw, keys[0], want)
		}
	}
	if err != nil {
		return nil, nil, err
	}
	f, err := tableFrame(d, t, m)
	return f, params, err
}

func splitTable(d *doc, v *value, want map[string]int) (*table, error) {
	const form = "want {\"columns\": [names], \"data\": [[values], ...]}"
	if v.kind != kindObject {
		return nil, invalidInput("%s: %s, got a JSON %s", fieldSplit, form, v.kind)
	}
	var names []value
	if c, ok := d.get(v, "columns"); ok && c.kind != kindNull {
		if c.kind != kindArray {
			return nil, invalidInput("%s: columns: %s, got a JSON %s", fieldSplit, form, c.kind)
		}
		names = d.kids(c)
	}
	var data []value
	if x, ok := d.get(v, "data"); ok && x.kind != kindNull {
		if x.kind != kindArray {
			return nil, invalidInput("%s: data: %s, got a JSON %s", fieldSplit, form, x.kind)
		}
		data = d.kids(x)
	}
	for i, row := range data {
		if row.kind != kindArray {
			return nil, invalidInput("%s: row %d is a JSON %s, want a list of values", fieldSplit, i, row.kind)
		}
		if int(row.n) != len(names) {
			return nil, invalidInput("%s: row %d has %d values for %d columns", fieldSplit, i, row.n, len(names))
		}
	}
	seen := make(map[string]bool, len(names))
	t := &table{n: len(data), cols: make([][]*value, len(want))}
	for j, e := range names {
		if e.kind != kindString {
			return nil, invalidInput("%s: column %d is a JSON %s, want a name (a string)", fieldSplit, j, e.kind)
		}
		if seen[e.s] {
			return nil, invalidInput("%s: column %q is given twice", fieldSplit, e.s)
		}
		seen[e.s] = true
		k, ok := want[e.s]
		if !ok {
			continue // not an input: ignored, as MLflow does
		}
		col := make([]*value, len(data))
		for i := range data {
			col[i] = &d.kids(&data[i])[j]
		}
		t.cols[k] = col
	}
	return t, nil
}

func recordsTable(d *doc, v *value, field string, want map[string]int) (*table, error) {
	if v.kind != kindArray {
		return nil, invalidInput("%s: want a list of records ({column: value, ...}), got a JSON %s", field, v.kind)
	}
	recs := d.kids(v)
	t := &table{n: len(recs), cols: make([][]*value, len(want))}
	for i := range recs {
		if recs[i].kind != kindObject {
			return nil, invalidInput("%s: record %d is a JSON %s, want {column: value, ...}", field, i, recs[i].kind)
		}
		d.members(&recs[i], func(key string, val *value) {
			k, ok := want[key]
			if !ok {
				return
			}
			if t.cols[k] == nil {
				t.cols[k] = make([]*value, len(recs)) // nil: missing in a record
			}
			t.cols[k][i] = val
		})
	}
	return t, nil
}

func columnsTable(d *doc, v *value, field string, want map[string]int) (*table, error) {
	t := &table{cols: make([][]*value, len(want))}
	first, seen := "", false
	var err error
	d.members(v, func(key string, e *value) {
		switch {
		case err != nil:
			return
		case e.kind != kindArray:
			err = invalidInput("%s: column %q is a JSON %s, want a list of values", field, key, e.kind)
			return
		case !seen:
			t.n, first, seen = int(e.n), key, true
		case int(e.n) != t.n:
			err = invalidInput("%s: column %q has %d values, column %q %d", field, key, e.n, first, t.n)
			return
		}
		if k, ok := want[key]; ok {
			vals := d.kids(e)
			col := make([]*value, len(vals))
			for i := range vals {
				col[i] = &vals[i]
			}
			t.cols[k] = col
		}
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// tableFrame builds m's input columns from t: every missing input is
// named at once, before any value is read, as MLflow's schema check does.
func tableFrame(d *doc, t *table, m *model.Model) (*frame.Frame, error) {
	var absent []string
	for j, in := range m.Inputs {
		if t.cols[j] == nil {
			absent = append(absent, in.Name)
		}
	}
	if len(absent) > 0 {
		return nil, missingInputs(absent)
	}
	missing := missingTokens(m)
	cols := make([]*frame.Column, len(m.Inputs))
	for j, in := range m.Inputs {
		var err error
		if cols[j], err = column(d, in, t.cols[j], missing); err != nil {
			return nil, err
		}
	}
	return frame.New(cols...)
}

// null is the value of a column a record leaves out.
var null = value{kind: kindNull}

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
func column(d *doc, in model.Input, v []*value, missing map[string]bool) (*frame.Column, error) {
	for i := range v {
		if v[i] == nil { // a record without the column
			v[i] = &null
		}
	}
	bad := func(i int, want string) error {
		return &Error{Code: CodeBadRequest, Message: fmt.Sprintf("input column %q, row %d: value %s is not %s", in.Name, i, show(d, v[i]), want)}
	}
	switch in.Kind {
	case frame.Numeric:
		return numericColumn(in, v, missing, bad)
	case frame.Categorical:
		return categoricalColumn(in, v, missing, bad)
	}
	return booleanColumn(in, v, missing, bad)
}

// numericColumn converts v to a numeric column: null and missing tokens
// are NaN, booleans 0 and 1, strings parsed as numbers.
func numericColumn(in model.Input, v []*value, missing map[string]bool, bad func(i int, want string) error) (*frame.Column, error) {
	x := make([]float64, len(v))
	for i := range v {
		e := v[i]
		switch e.kind {
		case kindNull:
			x[i] = math.NaN()
		case kindNumber:
			f, err := strconv.ParseFloat(e.s, 64)
			if err != nil && !errors.Is(err, strconv.ErrRange) {
				return nil, bad(i, "a number")
			}
			x[i] = f
		case kindBool:
			x[i] = b2f(e.b)
		case kindString:
			s := strings.TrimSpace(e.s)
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
}

// categoricalColumn converts v to a categorical column: booleans and
// numbers as Python writes them, null and missing tokens missing.
func categoricalColumn(in model.Input, v []*value, missing map[string]bool, bad func(i int, want string) error) (*frame.Column, error) {
	s, na := make([]string, len(v)), make([]bool, len(v))
	for i := range v {
		e := v[i]
		switch e.kind {
		case kindNull:
			na[i] = true
			continue
		case kindBool:
			s[i] = strconv.FormatBool(e.b)
		case kindString:
			s[i] = strings.TrimSpace(e.s)
		case kindNumber:
			if n, err := strconv.ParseInt(e.s, 10, 64); err == nil {
				s[i] = strconv.FormatInt(n, 10)
			} else if f, err := strconv.ParseFloat(e.s, 64); err == nil || errors.Is(err, strconv.ErrRange) {
				s[i] = strconv.FormatFloat(f, 'g', -1, 64)
			} else {
				s[i] = e.s
			}
		default:
			return nil, bad(i, "a category (a string)")
		}
		na[i] = missing[s[i]]
	}
	return frame.NewCategorical(in.Name, s, na), nil
}

// booleanColumn converts v to a boolean column with the input's (false,
// true) tokens, also taking boolPairs, 0 and 1.
func booleanColumn(in model.Input, v []*value, missing map[string]bool, bad func(i int, want string) error) (*frame.Column, error) {
	ft, tt := in.Tokens[0], in.Tokens[1]
	want := strconv.Quote(ft) + " or " + strconv.Quote(tt)
	x := make([]float64, len(v))
	for i := range v {
		e := v[i]
		switch e.kind {
		case kindNull:
			x[i] = math.NaN()
		case kindBool:
			x[i] = b2f(e.b)
		case kindNumber:
			f, err := strconv.ParseFloat(e.s, 64)
			if err != nil || (f != 0 && f != 1) {
				return nil, bad(i, want)
			}
			x[i] = f
		case kindString:
			t := strings.TrimSpace(e.s)
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
func show(d *doc, v *value) string { return showAny(d.any(v)) }

func showAny(v any) string {
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
	var se *syntaxError
	if errors.As(err, &se) && se.Offset <= len(body) {
		line := 1 + bytes.Count(body[:se.Offset], []byte("\n"))
		col := se.Offset - bytes.LastIndexByte(body[:se.Offset], '\n')
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
	if err := checkUTF8(body); err != nil {
		return nil, invalidInput("Ensure that input is a valid UTF-8 encoded string. Error: %v", err)
	}
	// The header first, so that every missing input is named at once.
	header, err := csv.NewReader(bytes.NewReader(body)).Read()
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, csvError(err)
	}
	has := make(map[string]bool, len(header))
	for _, h := range header {
		has[h] = true
	}
	var absent []string
	for _, in := range m.Inputs {
		if !has[in.Name] {
			absent = append(absent, in.Name)
		}
	}
	if len(absent) > 0 {
		return nil, missingInputs(absent)
	}
	o := m.ReadOptions()
	o.Name = "request body"
	f, err := frame.ReadBytes(ctx, body, o)
	if err != nil {
		return nil, csvError(err)
	}
	return f, nil
}

// missingInputs is MLflow's answer to missing input columns (its schema
// check's error, INVALID_PARAMETER_VALUE), naming them all.
func missingInputs(names []string) *Error {
	return &Error{Code: CodeInvalidParameterValue, Message: "Failed to enforce schema of data: Model is missing inputs " + pyList(names) + "."}
}

// checkUTF8 refuses a body that is not UTF-8, as MLflow does (it decodes
// every body as UTF-8 first).
func checkUTF8(body []byte) error {
	if utf8.Valid(body) {
		return nil
	}
	i := 0
	for i < len(body) {
		r, n := utf8.DecodeRune(body[i:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		i += n
	}
	if i >= len(body) {
		return errors.New("not valid UTF-8")
	}
	return fmt.Errorf("byte 0x%02x at offset %d is not valid UTF-8", body[i], i)
}

// csvError is MLflow's message for a CSV body it cannot read.
func csvError(err error) error {
	return &Error{Code: CodeBadRequest, Message: "Failed to parse input as a Pandas DataFrame. Ensure that the input is a valid CSV-formatted Pandas DataFrame produced using the `pandas.DataFrame.to_csv()` method. Error: '" + err.Error() + "'"}
}
