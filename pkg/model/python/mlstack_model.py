"""Score raw rows with an mlstack model bundle, in Python.

This module is the python_function loader of the MLflow models that
github.com/mlstack/mlstack/pkg/model writes: mlflow.pyfunc.load_model(uri)
imports it from the model's code/ directory and calls
_load_pyfunc(model_dir). It can also be used alone: load(model_dir).

predict(df) does what the Go package's Predict does, step for step:

1. reads the raw input columns of mlstack.json from df (in any order;
   other columns are ignored), as the kinds the model was trained on
   (numeric, categorical, boolean); strings are trimmed and the training
   data's missing-value tokens are missing, as pkg/frame reads a CSV;
2. applies the fitted cleaning pipeline of pipeline.json exactly as
   pkg/clean does: drop_duplicates (nothing at scoring), drop_columns,
   zero_as_missing, impute, encode (one-hot or ordinal, unknown
   categories as an error or ignored), clip and standardize, with the
   fitted medians, levels, bounds and scales;
3. exports the features of schema.json as pkg/frame's Schema.Matrix does;
4. runs the booster (model.json) with xgboost.

What predict returns follows mlflow.xgboost's pyfunc for an
XGBClassifier or XGBRegressor: a classifier's class labels (the positive
class when P(positive) > threshold for a binary one, the most probable
class otherwise), or a regressor's values. With
params={"predict_method": "predict_proba"} a classifier returns the class
probabilities instead, one column per class in the order of the classes
(column 1 is P(positive class) for a binary one), as predict_proba.

Numbers are computed with the same float64 operations as in Go and the
booster sees float32 features, as in Go, so the two agree to float32
rounding of the trees (within 1e-6).
"""

import json
import math
import os

import numpy as np
import pandas as pd

# The newest mlstack.json format and pipeline.json version this module reads.
FORMAT_VERSION = 1
PIPELINE_VERSION = 1

# pkg/frame's DefaultMissing and the boolean token pairs it recognises.
DEFAULT_MISSING = ["", "NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", "?"]
BOOL_PAIRS = [("false", "true"), ("False", "True"), ("FALSE", "TRUE"),
              ("no", "yes"), ("No", "Yes"), ("NO", "YES")]


class InputError(ValueError):
    """Raw rows that do not fit the model (a missing column, a value of the
    wrong type, an unknown category where the model refuses them)."""


class FormatError(ValueError):
    """A model directory that this module cannot read."""


# ---- columns, as pkg/frame holds them ----

class _Col:
    """A column: numeric and boolean columns hold float64 values (NaN is
    missing; a boolean is 0 or 1 and keeps its two tokens); categorical
    columns hold strings and a missing mask."""

    __slots__ = ("kind", "num", "strs", "na", "tokens")

    def __init__(self, kind, num=None, strs=None, na=None, tokens=None):
        self.kind, self.num, self.strs, self.na, self.tokens = kind, num, strs, na, tokens

    @staticmethod
    def numeric(v):
        return _Col("numeric", num=np.asarray(v, dtype=np.float64))

    @staticmethod
    def boolean(v, tokens):
        return _Col("boolean", num=np.asarray(v, dtype=np.float64), tokens=tuple(tokens))

    @staticmethod
    def categorical(strs, na):
        return _Col("categorical", strs=strs, na=na)

    def __len__(self):
        return len(self.strs) if self.kind == "categorical" else len(self.num)

    def missing(self):
        return self.na if self.kind == "categorical" else np.isnan(self.num)

    def text(self):
        """Every value as pkg/frame's Column.String gives it: the category,
        the token of a boolean, the shortest decimal of a number ("" when
        missing)."""
        if self.kind == "categorical":
            return np.where(self.na, "", self.strs).astype(object)
        out = np.full(len(self.num), "", dtype=object)
        for i, x in enumerate(self.num):
            if not math.isnan(x):
                out[i] = self.tokens[int(x)] if self.kind == "boolean" else _go_g(x)
        return out


def _go_g(x):
    """Go's strconv.FormatFloat(x, 'g', -1, 64)."""
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    sci = np.format_float_scientific(x, unique=True, trim="-", exp_digits=2)
    exp = int(sci.split("e")[1])
    if exp < -4 or exp >= 6:
        return sci
    return np.format_float_positional(x, unique=True, trim="-")


def _is_missing(v):
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))


# ---- raw input ----

def _read_input(inp, series, missing):
    """Convert one raw pandas column to the kind of input inp."""
    name, kind = inp["name"], inp["kind"]
    n = len(series)

    def bad(i, v, want):
        return InputError("input column %r, row %d: value %r is not %s" % (name, i, v, want))

    if kind == "numeric" and (pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype)):
        return _Col.numeric(series.to_numpy(dtype=np.float64, na_value=np.nan, copy=True))
    values = series.to_numpy(dtype=object)
    if kind == "numeric":
        v = np.empty(n, dtype=np.float64)
        for i, x in enumerate(values):
            if _is_missing(x):
                v[i] = np.nan
            elif isinstance(x, str):
                s = x.strip()
                if s in missing:
                    v[i] = np.nan
                    continue
                try:
                    v[i] = float(s)
                except ValueError:
                    raise bad(i, x, "a number") from None
            else:
                try:
                    v[i] = float(x)
                except (TypeError, ValueError):
                    raise bad(i, x, "a number") from None
        return _Col.numeric(v)
    if kind == "categorical":
        strs = np.empty(n, dtype=object)
        na = np.zeros(n, dtype=bool)
        for i, x in enumerate(values):
            if _is_missing(x):
                strs[i], na[i] = "", True
                continue
            if isinstance(x, (bool, np.bool_)):
                s = str(bool(x)).lower()
            elif isinstance(x, str):
                s = x.strip()
            elif isinstance(x, (int, np.integer)):
                s = str(int(x))
            else:
                s = _go_g(float(x))
            strs[i] = s
            na[i] = s in missing
        return _Col.categorical(strs, na)
    # boolean
    ft, tt = inp["tokens"]
    v = np.empty(n, dtype=np.float64)
    for i, x in enumerate(values):
        if _is_missing(x):
            v[i] = np.nan
        elif isinstance(x, (bool, np.bool_)):
            v[i] = 1.0 if x else 0.0
        elif isinstance(x, str):
            s = x.strip()
            if s in missing:
                v[i] = np.nan
            elif s == ft or s == tt:
                v[i] = 1.0 if s == tt else 0.0
            else:
                pair = next((p for p in BOOL_PAIRS + [("0", "1")] if s in p), None)
                if pair is None:
                    raise bad(i, x, "%r or %r" % (ft, tt))
                v[i] = float(pair.index(s))
        elif not isinstance(x, str) and x in (0, 1):
            v[i] = float(x)
        else:
            raise bad(i, x, "%r or %r" % (ft, tt))
    return _Col.boolean(v, (ft, tt))


# ---- the cleaning steps, as pkg/clean applies them to new data ----

class _Steps:
    def __init__(self, index, step):
        self.index, self.step = index, step

    def fail(self, msg):
        return InputError("clean: step %d (%s): %s" % (self.index, self.step["step"], msg))

    def need(self, f, name, kinds):
        c = f.get(name)
        if c is None:
            return self._no_column(f, name)
        if c.kind not in kinds:
            raise self.fail("column %r: wrong column kind: %s, want %s" % (name, c.kind, " or ".join(kinds)))
        return c

    def _no_column(self, f, name):
        raise self.fail("column %r: no such column (have %s)" % (name, ", ".join(repr(k) for k in f)))


def _drop_duplicates(s, f):
    return f  # acts at fit time only: rows being scored are never dropped


def _drop_columns(s, f):
    return {k: c for k, c in f.items() if k not in set(s.step["columns"])}


def _zero_as_missing(s, f):
    for name in s.step["columns"]:
        v = s.need(f, name, ("numeric",)).num.copy()
        v[v == 0] = np.nan
        f[name] = _Col.numeric(v)
    return f


def _impute(s, f):
    for fill in s.step["fitted"]["fills"]:
        c = s.need(f, fill["column"], (fill["kind"],))
        na = c.missing()
        if not na.any():
            continue
        value = fill["value"]
        if c.kind == "numeric":
            v = c.num.copy()
            v[na] = float(value)
            f[fill["column"]] = _Col.numeric(v)
        elif c.kind == "boolean":
            if value not in c.tokens:
                raise s.fail("column %r: fill_value %r is not %r or %r" % (fill["column"], value, c.tokens[0], c.tokens[1]))
            v = c.num.copy()
            v[na] = 1.0 if value == c.tokens[1] else 0.0
            f[fill["column"]] = _Col.boolean(v, c.tokens)
        else:
            strs = np.where(na, value, c.strs).astype(object)
            f[fill["column"]] = _Col.categorical(strs, np.zeros(len(strs), dtype=bool))
    return f


def _encode(s, f):
    method = s.step.get("method") or "onehot"
    unknown = s.step.get("unknown") or "error"
    encoded = {}
    for lv in s.step["fitted"]["columns"]:
        name, levels = lv["column"], lv["levels"]
        c = s.need(f, name, (lv["kind"],))
        na = c.missing()
        text = pd.Series(c.text(), dtype=object)
        codes = text.map({l: k for k, l in enumerate(levels)}).to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
        codes[na] = -1
        unseen = np.isnan(codes)
        if unseen.any():
            if unknown == "error":
                i = int(np.argmax(unseen))
                raise s.fail("column %r: row %d: unknown category %r (fitted levels: %d)" % (name, i, text[i], len(levels)))
            codes[unseen] = -2
        if method == "ordinal":
            v = codes.copy()
            v[codes < 0] = np.nan
            encoded[name] = [(name, _Col.numeric(v))]
            continue
        out = []
        for k, level in enumerate(levels):
            v = np.zeros(len(codes))
            v[codes == -1] = np.nan
            v[codes == k] = 1.0
            out.append((name + "_" + level, _Col.boolean(v, ("false", "true"))))
        encoded[name] = out
    g = {}
    for name, c in f.items():
        for new, col in encoded.get(name, [(name, c)]):
            if new in g:
                raise s.fail("column %r: duplicate column name" % new)
            g[new] = col
    return g


def _clip(s, f):
    for b in s.step["fitted"]["bounds"]:
        x = s.need(f, b["column"], ("numeric",)).num
        lo, hi = b["lower"], b["upper"]
        f[b["column"]] = _Col.numeric(np.where(x < lo, lo, np.where(x > hi, hi, x)))
    return f


def _standardize(s, f):
    for sc in s.step["fitted"]["scales"]:
        x = s.need(f, sc["column"], ("numeric",)).num
        f[sc["column"]] = _Col.numeric((x - sc["mean"]) / sc["scale"])
    return f


# Every step of pkg/clean (clean.StepNames), by name.
STEPS = {
    "drop_duplicates": _drop_duplicates,
    "drop_columns": _drop_columns,
    "zero_as_missing": _zero_as_missing,
    "impute": _impute,
    "encode": _encode,
    "clip": _clip,
    "standardize": _standardize,
}


# ---- the model ----

class Model:
    """A loaded bundle; predict(df, params=None) scores raw rows."""

    def __init__(self, path):
        import xgboost as xgb

        def read(name):
            with open(os.path.join(path, name), encoding="utf-8") as fh:
                return json.load(fh)

        self.manifest = read("mlstack.json")
        fmt = self.manifest.get("format", 0)
        if fmt > FORMAT_VERSION:
            raise FormatError("%s: bundle format %d is newer than this loader reads (%d); update mlstack" % (path, fmt, FORMAT_VERSION))
        self.pipeline = read("pipeline.json")
        if self.pipeline.get("version") != PIPELINE_VERSION or not self.pipeline.get("fitted"):
            raise FormatError("%s: pipeline.json: version %r, fitted %r; want version %d, fitted" % (
                path, self.pipeline.get("version"), self.pipeline.get("fitted"), PIPELINE_VERSION))
        for i, step in enumerate(self.pipeline["steps"]):
            if step.get("step") not in STEPS:
                raise FormatError("%s: pipeline.json: step %d: unknown step %r" % (path, i, step.get("step")))
        self.schema = read("schema.json")
        self.booster = xgb.Booster(model_file=os.path.join(path, "model.json"))
        self.task = self.manifest["task"]
        self.threshold = float(self.manifest["threshold"])
        self.missing = set(self.manifest.get("missing") or DEFAULT_MISSING)
        target = self.schema["target"]
        classes = target.get("classes")
        if self.task == "classification" and not classes:
            k = max(2, self._num_class())
            classes = [str(i) for i in range(k)]
        self.classes = classes or []
        if target["kind"] == "numeric":
            values = [float(c) for c in self.classes]
            if all(v == math.floor(v) for v in values):
                self.labels = np.array([int(v) for v in values], dtype=np.int64)
            else:
                self.labels = np.array(values, dtype=np.float64)
        else:
            self.labels = np.array(self.classes, dtype=object)

    def _num_class(self):
        cfg = json.loads(self.booster.save_config())
        return int(cfg["learner"]["learner_model_param"].get("num_class", "0"))

    def features(self, df):
        """The booster's feature matrix for raw rows df (float64)."""
        if not isinstance(df, pd.DataFrame):
            df = pd.DataFrame(df)
        names = [inp["name"] for inp in self.manifest["inputs"]]
        absent = [n for n in names if n not in df.columns]
        if absent:
            raise InputError("input column %r: no such column (have %s)" % (
                absent[0], ", ".join(repr(str(c)) for c in df.columns)))
        f = {inp["name"]: _read_input(inp, df[inp["name"]], self.missing) for inp in self.manifest["inputs"]}
        for i, step in enumerate(self.pipeline["steps"]):
            f = STEPS[step["step"]](_Steps(i, step), f)
        n = len(df)
        feats = self.schema["features"]
        X = np.empty((n, len(feats)), dtype=np.float64)
        for j, ft in enumerate(feats):
            c = f.get(ft["name"])
            if c is None:
                raise InputError("features: column %r: no such column (have %s)" % (ft["name"], ", ".join(repr(k) for k in f)))
            if c.kind != ft["kind"]:
                raise InputError("features: column %r: is %s, schema says %s" % (ft["name"], c.kind, ft["kind"]))
            if c.kind == "categorical":
                codes = pd.Series(c.strs, dtype=object).map({l: k for k, l in enumerate(ft.get("levels") or [])})
                x = codes.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
                x[c.na] = np.nan
                X[:, j] = x
            else:
                X[:, j] = c.num
        return X

    def _raw(self, df):
        import xgboost as xgb

        X = self.features(df)
        if X.shape[0] == 0:
            k = len(self.classes) if self.task == "classification" and len(self.classes) > 2 else 0
            return np.empty((0, k) if k else 0)
        return self.booster.predict(xgb.DMatrix(X, missing=np.nan), validate_features=False).astype(np.float64)

    def predict_proba(self, df):
        """Class probabilities, one row per input row and one column per class."""
        if self.task != "classification":
            raise InputError("predict_proba: a %s model has no class probabilities" % self.task)
        p = self._raw(df)
        if p.ndim == 2:
            return p
        return np.column_stack([1.0 - p, p])

    def predict(self, model_input, params=None):
        method = (params or {}).get("predict_method", "predict")
        if method == "predict_proba":
            return self.predict_proba(model_input)
        if method != "predict":
            raise InputError("predict_method %r: want predict or predict_proba" % method)
        if self.task != "classification":
            return self._raw(model_input)
        proba = self.predict_proba(model_input)
        if proba.shape[1] == 2:
            ids = (proba[:, 1] > self.threshold).astype(np.int64)
        else:
            ids = np.argmax(proba, axis=1)
        return self.labels[ids]


def load(path):
    """Load the bundle in directory path."""
    return Model(path)


def _load_pyfunc(path, model_config=None):
    return Model(path)
