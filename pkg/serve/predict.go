package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/model"
)

// Outputs a request may ask for with params {"output": ...}.
const (
	OutputLabel         = "label"         // labels or values: pyfunc's predict
	OutputProba         = "proba"         // class probabilities: predict_proba
	OutputContributions = "contributions" // SHAP values per raw input column and the bias
)

// output reads the output asked for by params: "output", or MLflow's
// "predict_method" as the bundle's signature declares it. Other params
// are ignored, as MLflow ignores params outside the signature.
func output(params map[string]any) (string, error) {
	str := func(k string) (string, bool, error) {
		v, ok := params[k]
		if !ok || v == nil {
			return "", false, nil
		}
		s, isStr := v.(string)
		if !isStr {
			return "", false, &Error{Code: CodeInvalidParameterValue, Message: fmt.Sprintf("param %q must be a string, got %s", k, showAny(v))}
		}
		return s, true, nil
	}
	out, hasOut, err := str("output")
	if err != nil {
		return "", err
	}
	method, hasMethod, err := str("predict_method")
	if err != nil {
		return "", err
	}
	if hasMethod {
		var m string
		switch method {
		case "predict":
			m = OutputLabel
		case "predict_proba":
			m = OutputProba
		default:
			return "", &Error{Code: CodeInvalidParameterValue, Message: fmt.Sprintf("predict_method %q: want predict or predict_proba", method)}
		}
		if hasOut && out != m {
			return "", &Error{Code: CodeInvalidParameterValue, Message: fmt.Sprintf("params output %q and predict_method %q disagree", out, method)}
		}
		return m, nil
	}
	switch out {
	case "":
		return OutputLabel, nil
	case OutputLabel, OutputProba, OutputContributions:
		return out, nil
	}
	return "", &Error{Code: CodeInvalidParameterValue, Message: fmt.Sprintf("output %q: want label, proba or contributions", out)}
}

// predict scores rows with l's model and returns the response body,
// {"predictions": [...]}, shaped as pyfunc's predictions served by MLflow.
func predict(l *Loaded, rows *frame.Frame, params map[string]any) ([]byte, error) {
	out, err := output(params)
	if err != nil {
		return nil, err
	}
	m := l.Model
	n := rows.Len()
	if n == 0 { // as MLflow answers no rows
		return []byte(`{"predictions": []}`), nil
	}
	b := make([]byte, 0, 32+n*24)
	b = append(b, `{"predictions": [`...)
	if out == OutputContributions {
		return contributions(b, m, rows)
	}
	if out == OutputProba {
		if m.Task != model.Classification {
			return nil, &Error{Code: CodeInvalidParameterValue, Message: "output \"proba\": a regression model has no class probabilities", Err: model.ErrNotClassifier}
		}
		p, err := m.PredictProba(rows)
		if err != nil {
			return nil, err
		}
		_, k := p.Dims()
		raw := p.RawMatrix()
		for i := range n {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = append(b, '[')
			for j := range k {
				if j > 0 {
					b = append(b, ", "...)
				}
				b = appendFloat(b, raw.Data[i*raw.Stride+j])
			}
			b = append(b, ']')
		}
		return append(b, "]}"...), nil
	}
	pred, err := m.Predict(rows)
	if err != nil {
		return nil, err
	}
	for i := range n {
		if i > 0 {
			b = append(b, ", "...)
		}
		if pred.Kind() == frame.Numeric {
			b = appendFloat(b, pred.Float(i))
		} else {
			q, ok := l.quoted[pred.String(i)]
			if !ok {
				q, _ = json.Marshal(pred.String(i))
			}
			b = append(b, q...)
		}
	}
	return append(b, "]}"...), nil
}

// contributions appends each row's exact TreeSHAP values per raw input
// column (model.Explain: one-hot indicators summed back to their column)
// and the bias, as an object {"COLUMN": value, ..., "bias": value} for a
// binary classifier (log-odds of the positive class) or a regression
// model, and an object of such objects by class for a multiclass one.
func contributions(b []byte, m *model.Model, rows *frame.Frame) ([]byte, error) {
	e, err := m.Explain(rows)
	if errors.Is(err, boost.ErrNoCover) {
		return nil, &Error{Code: CodeInvalidParameterValue, Err: ErrNotSupported,
			Message: "output \"contributions\": this model's trees carry no cover statistics (sum_hessian), which TreeSHAP needs"}
	}
	if err != nil {
		return nil, err
	}
	keys := make([][]byte, len(e.Columns)+1)
	for j, c := range append(slices.Clone(e.Columns), "bias") {
		keys[j], _ = json.Marshal(c)
	}
	row := func(b []byte, v []float64) []byte {
		b = append(b, '{')
		for j, x := range v {
			if j > 0 {
				b = append(b, ", "...)
			}
			b = append(append(b, keys[j]...), ": "...)
			b = appendFloat(b, x)
		}
		return append(b, '}')
	}
	for i := range rows.Len() {
		if i > 0 {
			b = append(b, ", "...)
		}
		if len(e.Outputs) == 1 {
			b = row(b, e.ByColumn[0].RawRowView(i))
			continue
		}
		b = append(b, '{')
		for g, name := range e.Outputs {
			if g > 0 {
				b = append(b, ", "...)
			}
			k, _ := json.Marshal(name)
			b = row(append(append(b, k...), ": "...), e.ByColumn[g].RawRowView(i))
		}
		b = append(b, '}')
	}
	return append(b, "]}"...), nil
}

// appendFloat writes v as a JSON number: whole numbers without a
// fraction, as the int64 labels pyfunc returns for a numeric target;
// NaN and infinities as Python's json module writes them.
func appendFloat(b []byte, v float64) []byte {
	switch {
	case math.IsNaN(v):
		return append(b, "NaN"...)
	case math.IsInf(v, 1):
		return append(b, "Infinity"...)
	case math.IsInf(v, -1):
		return append(b, "-Infinity"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}
