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
   categories ignored by default, or an error), clip and standardize, with the
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
import re

import numpy as np
import pandas as pd

# The newest mlstack.json format and pipeline.json version this module reads.
FORMAT_VERSION = 1
PIPELINE_VERSION = 1

# The bounds of pkg/model (MaxInputs, MaxSteps, MaxLevels) and pkg/model's
# limit on the size of a file of a bundle: a bundle beyond them is refused,
# as in Go.
MAX_INPUTS = 1 << 20
MAX_STEPS = 1000
MAX_LEVELS = 1 << 20
MAX_FILE_SIZE = 1 << 30
# pkg/boost's bounds on a model file (MaxClasses, MaxFeatures, MaxTrees).
MAX_CLASSES = 10000
MAX_FEATURES = 1 << 20
MAX_TREES = 1 << 24
OBJECTIVES = ("binary:logistic", "multi:softprob", "reg:squarederror")

KINDS = ("numeric", "categorical", "boolean")

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
    unknown = s.step.get("unknown") or "ignore"  # pkg/clean's default, as get_dummies
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


# ---- checking a bundle, as pkg/model's Load does ----

def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


# A finite decimal number as Go's strconv.ParseFloat reads it (no spaces,
# underscores or hexadecimal; "NaN" and "Inf" are not finite).
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _decimal(text):
    """The value of a finite decimal number given as text, else None."""
    if not isinstance(text, str) or not _DECIMAL.fullmatch(text):
        return None
    v = float(text)
    return v if math.isfinite(v) else None


def _check_size(path, name):
    if os.path.getsize(os.path.join(path, name)) > MAX_FILE_SIZE:
        raise FormatError("%s: larger than %d bytes" % (name, MAX_FILE_SIZE))


def _describe(cols):
    """Up to ten (name, kind) pairs, for errors."""
    s = ", ".join("%r (%s)" % c for c in cols[:10])
    if len(cols) > 10:
        s += " and %d more" % (len(cols) - 10)
    return "[" + s + "]"


def _strings(v, what):
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise FormatError("%s is not a list of strings" % what)
    return v


# The options each step takes besides "step" and "fitted" (pkg/clean's
# JSON), and the fields of its fitted state: pkg/clean refuses others.
STEP_FIELDS = {
    "drop_duplicates": (), "drop_columns": ("columns",), "zero_as_missing": ("columns",),
    "impute": ("strategy", "columns", "fill_value", "fitted"), "encode": ("method", "columns", "unknown", "fitted"),
    "clip": ("columns", "factor", "fitted"), "standardize": ("columns", "fitted"),
}
STATE_FIELDS = {
    "impute": ("fills", ("column", "kind", "value")), "encode": ("columns", ("column", "kind", "levels")),
    "clip": ("bounds", ("column", "lower", "upper")), "standardize": ("scales", ("column", "mean", "scale")),
}


def _check_step(i, step):
    """Check one step of pipeline.json as pkg/clean's UnmarshalJSON does:
    known fields and options, and fitted statistics a fit could give."""
    if not isinstance(step, dict) or step.get("step") not in STEPS:
        raise FormatError("pipeline.json: step %d: unknown step %r" % (i, step.get("step") if isinstance(step, dict) else step))
    name = step["step"]

    def bad(msg, *args):
        return FormatError("pipeline.json: step %d (%s): %s" % ((i, name) + (msg % args,)))

    for k in step:
        if k != "step" and k not in STEP_FIELDS[name]:
            raise bad("unknown field %r", k)
    cols = _strings(step.get("columns") or [], "columns")
    if name in ("drop_columns", "zero_as_missing") and not cols:
        raise bad("columns: empty")
    named = set()
    for c in cols:
        if c in named:
            raise bad("columns: %r is listed twice", c)
        named.add(c)
    opt = step.get("strategy") or "mean", step.get("method") or "onehot", step.get("unknown") or "ignore"
    if name == "impute" and opt[0] not in ("mean", "median", "most_frequent", "constant"):
        raise bad("strategy %r", opt[0])
    fill = step.get("fill_value", "")
    if name == "impute" and (not isinstance(fill, (str, int, float)) or (fill == "") != (opt[0] != "constant")):
        raise bad("fill_value %r with strategy %s", fill, opt[0])
    if name == "encode" and (opt[1] not in ("onehot", "ordinal") or opt[2] not in ("error", "ignore")):
        raise bad("method %r, unknown %r", opt[1], opt[2])
    if name == "clip" and not (_is_num(step.get("factor", 0)) and step.get("factor", 0) >= 0):
        raise bad("factor %r", step.get("factor"))
    if name not in STATE_FIELDS:
        return
    field, entry = STATE_FIELDS[name]
    state = step.get("fitted")
    if not isinstance(state, dict) or any(k != field for k in state):
        raise bad("no fitted state")
    entries = state.get(field) or []
    if not isinstance(entries, list):
        raise bad("%s is not a list", field)
    seen = set()
    for k, e in enumerate(entries):
        if not isinstance(e, dict) or any(f not in entry for f in e):
            raise bad("fitted %s %d has unknown fields", field, k)
        col = e.get("column", "")
        if not isinstance(col, str) or not col:
            raise bad("column %d has no name", k)
        if col in seen:
            raise bad("column %r: listed twice", col)
        seen.add(col)
        kind = e.get("kind")
        if name == "impute":
            if kind not in KINDS:
                raise bad("column %r: wrong column kind: %r", col, kind)
            value = e.get("value", "")
            if not isinstance(value, str) or (kind == "numeric" and _decimal(value) is None):
                raise bad("column %r: fill value %r is not a finite number", col, value)
        elif name == "encode":
            levels = _strings(e.get("levels") or [], "levels")
            if kind not in ("categorical", "boolean"):
                raise bad("column %r: wrong column kind: %r, want categorical or boolean", col, kind)
            if not levels:
                raise bad("column %r: no values to fit", col)
            if len(levels) > MAX_LEVELS:
                raise bad("column %r: %d levels, at most %d", col, len(levels), MAX_LEVELS)
            for a, b in zip(levels, levels[1:]):
                if a.encode("utf-8", "surrogatepass") >= b.encode("utf-8", "surrogatepass"):
                    raise bad("column %r: levels %r and %r are not sorted and distinct", col, a, b)
        elif name == "clip":
            lo, hi = e.get("lower", 0), e.get("upper", 0)
            if not _is_num(lo) or not _is_num(hi):
                raise bad("column %r: bounds %r and %r are not numbers", col, lo, hi)
            if lo > hi:
                raise bad("column %r: lower bound %s above the upper bound %s", col, _go_g(float(lo)), _go_g(float(hi)))
        else:
            mean, scale = e.get("mean", 0), e.get("scale", 0)
            if not _is_num(mean) or not _is_num(scale):
                raise bad("column %r: mean %r and scale %r are not numbers", col, mean, scale)
            if scale <= 0:
                raise bad("column %r: scale %s is not positive", col, _go_g(float(scale)))


_INT = re.compile(r"[+-]?[0-9]+")
NO_PARENT = (1 << 31) - 1  # XGBoost's parent of the root


def _int_param(param, key, lo, hi, default=None):
    """The integer param[key] (a string, as XGBoost writes it) in [lo, hi]."""
    v = param.get(key, default)
    if not isinstance(v, str) or not _INT.fullmatch(v) or not lo <= int(v) <= hi:
        raise FormatError("model.json: %s %r: want an integer in [%d, %d]" % (key, v, lo, hi))
    return int(v)


def _finite32(v):
    return _is_num(v) and abs(v) <= 3.4028234663852886e38


def _check_booster(j):
    """Check model.json as pkg/boost's ReadXGBoostJSON does, before
    xgboost reads it: xgboost sizes buffers from num_class and follows
    child and feature indices unchecked, so a crafted file would make it
    allocate without bound or crash the process. Returns (num_feature,
    num_class, objective)."""
    try:
        learner = j["learner"]
        param = learner["learner_model_param"]
        objective = learner["objective"]["name"]
        gb = learner["gradient_booster"]
        model = gb["model"]
        trees, info = model["trees"], model["tree_info"]
        gparam = model.get("gbtree_model_param", {})
    except (KeyError, TypeError) as e:
        raise FormatError("model.json: not an XGBoost model (no %s)" % e) from None
    if not isinstance(param, dict) or not isinstance(gparam, dict) or not isinstance(trees, list) or not isinstance(info, list):
        raise FormatError("model.json: not an XGBoost model")
    if gb.get("name") != "gbtree":
        raise FormatError("model.json: booster %r not supported (want gbtree)" % (gb.get("name"),))
    if objective not in OBJECTIVES:
        raise FormatError("model.json: objective %r not supported" % (objective,))
    num_feature = _int_param(param, "num_feature", 0, MAX_FEATURES)
    num_class = _int_param(param, "num_class", 0, MAX_CLASSES, "0")
    k = max(num_class, 1)
    if (objective == "multi:softprob") != (k >= 2):
        raise FormatError("model.json: %s with num_class %d" % (objective, num_class))
    bs = param.get("base_score")
    try:
        scores = json.loads(bs, parse_constant=float) if isinstance(bs, str) and bs.strip().startswith("[") else [float(bs)]
    except (TypeError, ValueError):
        scores = None
    if not isinstance(scores, list) or not scores or len(scores) > MAX_CLASSES or not all(_finite32(v) for v in scores):
        raise FormatError("model.json: base_score %r: want a finite number" % (bs,))
    if objective == "binary:logistic" and not 0 < scores[0] < 1:
        raise FormatError("model.json: base_score %r outside (0, 1) for binary:logistic" % (bs,))
    if len(trees) != len(info):
        raise FormatError("model.json: %d trees but %d tree_info entries" % (len(trees), len(info)))
    if len(trees) > MAX_TREES or len(trees) % k:
        raise FormatError("model.json: %d trees: want at most %d, whole rounds of %d classes" % (len(trees), MAX_TREES, k))
    if gparam.get("num_parallel_tree", "1") != "1":
        raise FormatError("model.json: num_parallel_tree=%s not supported" % (gparam.get("num_parallel_tree"),))
    for t, (tree, group) in enumerate(zip(trees, info)):
        if not _is_int(group) or not 0 <= group < k:
            raise FormatError("model.json: tree %d has group %r, want [0, %d)" % (t, group, k))
        _check_tree(t, tree, num_feature)
    return num_feature, num_class, objective


def _check_tree(t, tree, num_feature):
    """Check one tree of model.json: every node reached once from the root,
    children after their parents, splits on a feature of the model at a
    number, leaves of finite values; no categorical splits."""
    if not isinstance(tree, dict):
        raise FormatError("model.json: tree %d is not an object" % t)
    left = tree.get("left_children")
    if not isinstance(left, list) or not left:
        raise FormatError("model.json: tree %d has no nodes" % t)
    n = len(left)
    cols = {}
    for name in ("right_children", "split_indices", "split_conditions", "default_left"):
        v = tree.get(name)
        if not isinstance(v, list) or len(v) != n:
            raise FormatError("model.json: tree %d: %s has %s entries, left_children %d" % (
                t, name, len(v) if isinstance(v, list) else "no", n))
        cols[name] = v
    for name in ("split_type", "categories", "categories_nodes", "categories_segments", "categories_sizes"):
        v = tree.get(name, [])
        if not isinstance(v, list) or any(x != 0 for x in v) or (name != "split_type" and v):
            raise FormatError("model.json: tree %d has categorical splits (not supported)" % t)
    right, feature, cond = cols["right_children"], cols["split_indices"], cols["split_conditions"]
    seen = [False] * n
    seen[0] = True
    parent = [NO_PARENT] * n
    for i in range(n):
        a, b, f, c = left[i], right[i], feature[i], cond[i]
        if not (_is_int(a) and _is_int(b) and _is_int(f) and _is_num(c)):
            raise FormatError("model.json: tree %d node %d is not numbers" % (t, i))
        if a < 0:
            if not _finite32(c):
                raise FormatError("model.json: tree %d leaf %d has value %r" % (t, i, c))
            continue
        if a <= i or b <= i or a >= n or b >= n or a == b or seen[a] or seen[b]:
            raise FormatError("model.json: tree %d node %d has bad children %d, %d" % (t, i, a, b))
        seen[a] = seen[b] = True
        parent[a] = parent[b] = i
        if not 0 <= f < num_feature:
            raise FormatError("model.json: tree %d node %d splits on feature %d of %d" % (t, i, f, num_feature))
    # xgboost follows parents unchecked too: they must be what the children
    # say (pkg/boost writes NO_PARENT for the root and unreached nodes).
    if tree.get("parents") != parent:
        raise FormatError("model.json: tree %d: parents do not match the children" % t)
    tp = tree.get("tree_param")
    if not isinstance(tp, dict) or tp.get("num_nodes") != str(n) or tp.get("num_deleted", "0") != "0" or tp.get("size_leaf_vector", "1") not in ("0", "1"):
        raise FormatError("model.json: tree %d: tree_param %r: want num_nodes %d, no deleted nodes, one value a leaf" % (t, tp, n))


def _check(manifest, pipeline, schema, num_feature, num_class, objective):
    """Check the files of a bundle and that they agree, as pkg/model's
    validate does (bar the probe, which Model._probe runs)."""
    if not isinstance(manifest, dict) or not isinstance(pipeline, dict) or not isinstance(schema, dict):
        raise FormatError("mlstack.json, pipeline.json and schema.json must each hold a JSON object")
    fmt = manifest.get("format", 0)
    if not _is_int(fmt) or fmt < 1:
        raise FormatError("mlstack.json: format %r" % (fmt,))
    if pipeline.get("version") != PIPELINE_VERSION or pipeline.get("fitted") is not True:
        raise FormatError("pipeline.json: version %r, fitted %r; want version %d, fitted" % (
            pipeline.get("version"), pipeline.get("fitted"), PIPELINE_VERSION))
    steps = pipeline.get("steps") or []
    if not isinstance(steps, list):
        raise FormatError("pipeline.json: steps is not a list")
    target = schema.get("target")
    features = schema.get("features") or []
    if not isinstance(target, dict) or not isinstance(features, list):
        raise FormatError("the feature schema or its target is missing")
    inputs = manifest.get("inputs") or []
    if not isinstance(inputs, list) or not inputs:
        raise FormatError("no input columns")
    if len(inputs) > MAX_INPUTS:
        raise FormatError("mlstack.json: %d input columns, at most %d" % (len(inputs), MAX_INPUTS))
    if len(steps) > MAX_STEPS:
        raise FormatError("pipeline.json: %d steps, at most %d" % (len(steps), MAX_STEPS))
    if len(features) != num_feature:
        raise FormatError("the schema has %d features, the booster %d" % (len(features), num_feature))
    threshold = manifest.get("threshold", 0)
    if not _is_num(threshold):
        raise FormatError("mlstack.json: threshold %r is not a number" % (threshold,))
    if not 0 < threshold < 1:
        raise FormatError("threshold %s is not in (0, 1)" % _go_g(float(threshold)))
    tname = target.get("name")
    if not isinstance(tname, str) or not tname or target.get("kind") not in KINDS:
        raise FormatError("schema.json: the target has no name or no known kind")
    if pipeline.get("target", "") != tname:
        raise FormatError("the pipeline's target %r is not the schema's %r" % (pipeline.get("target", ""), tname))
    seen = set()
    for inp in inputs:
        name = inp.get("name") if isinstance(inp, dict) else None
        if not isinstance(name, str) or not name or name in seen or inp.get("kind") not in KINDS:
            raise FormatError("input %r: empty, repeated or of no known kind" % (name,))
        if name == tname:
            raise FormatError("input %r is the target" % name)
        tokens = inp.get("tokens")
        if inp["kind"] == "boolean" and (not isinstance(tokens, list) or len(tokens) != 2
                                         or not all(isinstance(t, str) for t in tokens) or tokens[0] == tokens[1]):
            raise FormatError("boolean input %r: want 2 distinct tokens, have %r" % (name, tokens))
        seen.add(name)
    _strings(manifest.get("missing") or [], "mlstack.json: missing")
    task = manifest.get("task")
    want = "regression" if objective == "reg:squarederror" else "classification"
    if task != want:
        raise FormatError("task %r, but the booster's objective %s is %s" % (task, objective, want))
    classes = target.get("classes")
    if task == "classification" and classes is not None:
        _strings(classes, "schema.json: classes")
        if len(classes) != max(2, num_class):
            raise FormatError("schema.json: %d classes, but the booster has %d outputs" % (len(classes), num_class))
        seen = set()
        for c in classes:
            if c in seen:
                raise FormatError("schema.json: class %r is listed twice" % c)
            seen.add(c)
            if target["kind"] == "numeric" and _decimal(c) is None:
                raise FormatError("schema.json: class %r of the numeric target %r is not a finite number" % (c, tname))
    names = set()
    for j, ft in enumerate(features):
        name = ft.get("name") if isinstance(ft, dict) else None
        if not isinstance(name, str) or not name or name in names or ft.get("kind") not in KINDS:
            raise FormatError("schema.json: feature %d %r: empty, repeated or of no known kind" % (j, name))
        levels = _strings(ft.get("levels") or [], "schema.json: levels")
        if len(levels) > MAX_LEVELS:
            raise FormatError("schema.json: feature %r: %d levels, at most %d" % (name, len(levels), MAX_LEVELS))
        names.add(name)
    for i, step in enumerate(steps):
        _check_step(i, step)


# ---- the model ----

class Model:
    """A loaded bundle; predict(df, params=None) scores raw rows."""

    def __init__(self, path):
        import xgboost as xgb

        self.path = path
        try:
            self.manifest = self._read("mlstack.json")
            fmt = self.manifest.get("format", 0) if isinstance(self.manifest, dict) else 0
            if _is_int(fmt) and fmt > FORMAT_VERSION:
                raise FormatError("%s: bundle format %d is newer than this loader reads (%d); update mlstack" % (path, fmt, FORMAT_VERSION))
            self.pipeline = self._read("pipeline.json")
            self.schema = self._read("schema.json")
            num_feature, num_class, objective = _check_booster(self._read("model.json"))
            _check(self.manifest, self.pipeline, self.schema, num_feature, num_class, objective)
            try:
                self.booster = xgb.Booster(model_file=os.path.join(path, "model.json"))
            except xgb.core.XGBoostError as e:
                raise FormatError("%s: model.json: %s" % (path, str(e).strip().splitlines()[0])) from None
            self.task = self.manifest["task"]
            self.threshold = float(self.manifest["threshold"])
            self.missing = set(self.manifest.get("missing") or DEFAULT_MISSING)
            target = self.schema["target"]
            classes = target.get("classes")
            if self.task == "classification" and classes is None:
                classes = [str(i) for i in range(max(2, num_class))]
            self.classes = classes or []
            if target["kind"] == "numeric":
                values = [float(c) for c in self.classes]
                if all(v == math.floor(v) for v in values):
                    self.labels = np.array([int(v) for v in values], dtype=np.int64)
                else:
                    self.labels = np.array(values, dtype=np.float64)
            else:
                self.labels = np.array(self.classes, dtype=object)
            self._probe()
        except FormatError as e:
            if not str(e).startswith(path):
                raise FormatError("%s: %s" % (path, e)) from None
            raise
        except (KeyError, TypeError, AttributeError, ValueError, IndexError, OverflowError, RecursionError) as e:
            raise FormatError("%s: not a valid model bundle: %s: %s" % (path, type(e).__name__, e)) from None

    def _read(self, name):
        """The JSON file name of the bundle, as Go's encoding/json reads it:
        no NaN or infinities (Python's json would take them), no number
        beyond float64."""

        def constant(c):
            raise FormatError("%s: %s is not JSON (it has no NaN or infinities)" % (name, c))

        def number(text):
            v = float(text)
            if not math.isfinite(v):
                raise FormatError("%s: number %s is out of range" % (name, text))
            return v

        _check_size(self.path, name)
        try:
            with open(os.path.join(self.path, name), encoding="utf-8") as fh:
                return json.load(fh, parse_constant=constant, parse_float=number)
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise FormatError("%s: %s" % (name, e)) from None

    def _probe(self):
        """Clean one row of missing inputs and score it: the pipeline must
        give exactly the schema's features (names and kinds, in order), as
        pkg/model's Load checks."""
        import xgboost as xgb

        row = pd.DataFrame({inp["name"]: pd.Series([None], dtype=object) for inp in self.manifest["inputs"]})
        try:
            f = self._clean(row)
        except InputError as e:
            raise FormatError("the pipeline does not apply to the inputs: %s" % e) from None
        got = [(name, c.kind) for name, c in f.items()]
        want = [(ft["name"], ft["kind"]) for ft in self.schema["features"]]
        if got != want:
            raise FormatError("the pipeline gives the columns %s, the schema has the features %s" % (_describe(got), _describe(want)))
        self.booster.predict(xgb.DMatrix(self._matrix(f, 1), missing=np.nan), validate_features=False)

    def features(self, df):
        """The booster's feature matrix for raw rows df (float64)."""
        if not isinstance(df, pd.DataFrame):
            df = pd.DataFrame(df)
        names = [inp["name"] for inp in self.manifest["inputs"]]
        absent = [n for n in names if n not in df.columns]
        if absent:
            raise InputError("input column %r: no such column (have %s)" % (
                absent[0], ", ".join(repr(str(c)) for c in df.columns)))
        return self._matrix(self._clean(df), len(df))

    def _clean(self, df):
        """The raw input columns of df, cleaned by the pipeline."""
        f = {inp["name"]: _read_input(inp, df[inp["name"]], self.missing) for inp in self.manifest["inputs"]}
        for i, step in enumerate(self.pipeline["steps"]):
            f = STEPS[step["step"]](_Steps(i, step), f)
        return f

    def _matrix(self, f, n):
        """The features of the cleaned columns f (n rows), as Schema.Matrix."""
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
