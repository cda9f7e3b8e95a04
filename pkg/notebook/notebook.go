// Package notebook is the small display and plumbing layer the GoNB
// notebooks in notebooks/ import: it shows charts and tables in the
// notebook, reads parameters from the environment, keeps values between
// cells in a work directory and loads the data set with an offline fallback.
//
// It is the only package of the module that imports GoNB (gonbui); the
// packages doing the work (frame, clean, cv, boost, charts, mlflow, ...)
// never display anything. Outside a notebook (go test, a command) the
// display functions do nothing, because gonbui's do nothing without a
// kernel.
//
// # Errors
//
// The helpers are made for notebook cells, which are short scripts: Show,
// ShowAll, Table and Must panic on error instead of returning it. A panic
// fails the cell (GoNB ≥ v0.11.4 reports it as a cell error, so nbconvert
// and `make notebooks` fail too) and prints the error under the cell.
// Functions that a cell may want to handle (Data, Load, Save) return errors.
//
// # State between cells
//
// Every GoNB cell is a new program: declarations persist, runtime values
// do not. A cell that computes something later cells need writes it with
// Save and the later cells read it with Load, from WorkDir.
package notebook

import (
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"html"
	"io"
	"math"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/janpfeifer/gonb/gonbui"

	"github.com/mlstack/mlstack/internal/redact"
	"github.com/mlstack/mlstack/pkg/charts"
	"github.com/mlstack/mlstack/pkg/dataset"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/metrics"
	"github.com/mlstack/mlstack/pkg/mlflow"
	"github.com/mlstack/mlstack/pkg/storage"
)

// Env returns the value of the environment variable name, or def when it
// is unset or empty. Notebooks read all their parameters this way, so the
// same notebook runs offline with the defaults and against a stack (or in
// `make notebooks`) with variables set.
func Env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// EnvInt is Env for an integer; it panics when the variable is set to
// something that is not an integer (a wrong parameter fails the cell).
func EnvInt(name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		panic(fmt.Sprintf("notebook: %s=%q is not an integer", name, v))
	}
	return n
}

// Must panics with err when it is not nil and returns v otherwise:
// x := notebook.Must(f()).
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Must2 is Must for functions returning two values and an error.
func Must2[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		panic(err)
	}
	return a, b
}

// Must3 is Must for functions returning three values and an error.
func Must3[A, B, C any](a A, b B, c C, err error) (A, B, C) {
	if err != nil {
		panic(err)
	}
	return a, b, c
}

// Check panics with err when it is not nil.
func Check(err error) {
	if err != nil {
		panic(err)
	}
}

// Show displays a chart, interactive ECharts. It takes a builder's results
// directly: notebook.Show(charts.ROC(res)). It panics when err is not nil.
//
// A chart's output is its option only (charts.Fragment, a few kB), not
// the 1 MB library: in JupyterLab the page fetches the repository's copy
// of ECharts from the Jupyter server once (LibrarySrc), so an executed
// notebook stays small. When the Jupyter root does not hold the
// repository, the first chart a kernel shows carries the library instead
// (charts.LibraryHTML, 0.44 MB). An HTML export needs the library in its
// page: scripts/notebooks.sh puts it there (NOTEBOOKS_HTML=1).
func Show(c *charts.Chart, err error) {
	Check(err)
	HTML(ChartHTML(c))
}

// ChartHTML is the output Show displays for c: a charts.Fragment that
// loads ECharts from LibrarySrc, or, when that is unknown, after
// charts.LibraryHTML if it is the first chart of the kernel.
func ChartHTML(c *charts.Chart) string {
	src := LibrarySrc()
	frag := Must(charts.Fragment(c, src))
	if src == "" && firstChart() {
		return charts.LibraryHTML() + frag
	}
	return frag
}

// firstChart reports whether no chart was shown before in this kernel.
// Every GoNB cell is a new process; the kernel's scratch directory
// ($GONB_TMP_DIR, one per kernel) keeps the mark. Outside GoNB every chart
// is the first.
func firstChart() bool {
	dir := os.Getenv("GONB_TMP_DIR")
	if dir == "" {
		return true
	}
	f, err := os.OpenFile(filepath.Join(dir, "mlstack-echarts-shown"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return !errors.Is(err, os.ErrExist) // unwritable: carry the library, to be safe
	}
	f.Close()
	return true
}

// LibrarySrc returns the URL path, relative to the Jupyter server's base
// URL, under which the server serves pkg/charts' copy of ECharts
// ("files/pkg/charts/assets/echarts.min.js" when Jupyter serves the
// repository): the Jupyter root is $GONB_JUPYTER_ROOT, which GoNB sets.
// It is "" when the library is not under that root (or either is unknown).
func LibrarySrc() string {
	root, lib := os.Getenv("GONB_JUPYTER_ROOT"), charts.LibraryFile()
	if root == "" || lib == "" {
		return ""
	}
	rel, err := filepath.Rel(root, lib)
	if err != nil || !filepath.IsLocal(rel) {
		return ""
	}
	return "files/" + (&url.URL{Path: filepath.ToSlash(rel)}).EscapedPath()
}

// ShowAll displays every chart of a builder returning several
// (charts.Histograms). It panics when err is not nil.
func ShowAll(cs []*charts.Chart, err error) {
	Check(err)
	for _, c := range cs {
		Show(c, nil)
	}
}

// HTMLer is anything with an HTML table form: *frame.Frame,
// *frame.Description.
type HTMLer interface{ HTML() string }

// Table displays v's HTML form (a frame, its description, ...).
func Table(v HTMLer) { HTML(v.HTML()) }

// HTML displays an HTML fragment.
func HTML(s string) {
	gonbui.DisplayHTML(s)
	gonbui.Sync()
}

// Markdown displays Markdown text.
func Markdown(s string) {
	gonbui.DisplayMarkdown(s)
	gonbui.Sync()
}

// MetricsTable returns an HTML table of a cross-validation summary: one row
// per metric (sorted, or in the order of names when given) with the mean,
// standard deviation, confidence interval and number of folds. A summary
// of one value per metric (a held-out evaluation) has a value column only;
// a missing value is a dash, never NaN.
func MetricsTable(s *metrics.Summary, names ...string) string {
	if len(names) == 0 {
		for k := range s.Aggregate {
			names = append(names, k)
		}
		slices.Sort(names)
	}
	spread := false
	for _, st := range s.Aggregate {
		spread = spread || st.N > 1
	}
	num := func(v float64) string {
		if math.IsNaN(v) {
			return "—"
		}
		return strconv.FormatFloat(v, 'f', 4, 64)
	}
	var b strings.Builder
	if !spread {
		b.WriteString("<table><caption>held-out evaluation (one value per metric, no interval)</caption>\n")
		b.WriteString("<thead><tr><th>metric</th><th>value</th></tr></thead>\n<tbody>\n")
	} else {
		fmt.Fprintf(&b, "<table><caption>%d folds, %.0f%% confidence interval (%s)</caption>\n",
			len(s.Folds), s.Level*100, html.EscapeString(strings.ReplaceAll(s.Interval, "_", " ")))
		b.WriteString("<thead><tr><th>metric</th><th>mean</th><th>std</th><th>CI low</th><th>CI high</th><th>folds</th></tr></thead>\n<tbody>\n")
	}
	for _, n := range names {
		st, ok := s.Aggregate[n]
		switch {
		case !ok:
		case !spread:
			fmt.Fprintf(&b, "<tr><th>%s</th><td>%s</td></tr>\n", html.EscapeString(n), num(st.Mean))
		default:
			fmt.Fprintf(&b, "<tr><th>%s</th><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%d</td></tr>\n",
				html.EscapeString(n), num(st.Mean), num(st.Std), num(st.Lo), num(st.Hi), st.N)
		}
	}
	b.WriteString("</tbody></table>")
	return b.String()
}

// WorkDir returns the directory where cells keep values for later cells
// and notebooks (created if needed): $NOTEBOOK_WORKDIR, else .work beside
// the notebook ($GONB_DIR/.work), else .work in the current directory.
func WorkDir() string {
	dir := os.Getenv("NOTEBOOK_WORKDIR")
	if dir == "" {
		dir = filepath.Join(Env("GONB_DIR", "."), ".work")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		panic(fmt.Sprintf("notebook: work directory: %v", err))
	}
	return dir
}

// Path returns the path of name inside WorkDir.
func Path(name string) string { return filepath.Join(WorkDir(), name) }

// Save writes v (gob-encoded, so NaN and maps survive) to WorkDir()/name
// for later cells. The file is replaced atomically.
func Save(name string, v any) error {
	p := Path(name)
	f, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := gob.NewEncoder(f).Encode(v); err != nil {
		f.Close()
		return fmt.Errorf("notebook: save %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), p)
}

// Load reads what Save wrote under name into v (a pointer). A missing file
// is reported as an error telling to run the cell that saves it first.
func Load(name string, v any) error {
	f, err := os.Open(Path(name))
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("notebook: %s not found in %s: run the cell that saves it first", name, WorkDir())
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if err := gob.NewDecoder(f).Decode(v); err != nil {
		return fmt.Errorf("notebook: load %s: %w", name, err)
	}
	return nil
}

// Store returns the object store configured by the environment
// (storage.ConfigFromEnv) and its configuration. Without STORAGE_ROOT, the
// local store of a notebook is the repository's .stack/objects
// ($GONB_DIR/../.stack/objects), the folder `make demo` and the native
// stack use, rather than one under notebooks/.
func Store() (storage.Store, storage.Config, error) {
	cfg := storage.ConfigFromEnv(nil)
	if os.Getenv("STORAGE_ROOT") == "" && os.Getenv("GONB_DIR") != "" {
		cfg.LocalRoot = filepath.Join(os.Getenv("GONB_DIR"), "..", ".stack", "objects")
	}
	st, err := cfg.Store()
	return st, cfg, err
}

// Data reads the CSV at uri (any source dataset.Open reads: s3://bucket/key,
// a local path, sample:NAME, a download) with the object store configured
// by the environment (Store). When no S3 endpoint is configured and the
// object is not in the local store either, it reads the built-in sample of
// that name (dataset.Sample) instead, so a notebook runs offline. With S3
// configured a missing object is an error. source tells what was read.
func Data(ctx context.Context, uri, sample string) (f *frame.Frame, source string, err error) {
	st, cfg, err := Store()
	if err != nil {
		return nil, "", err
	}
	d, err := dataset.Open(ctx, uri, &dataset.OpenOptions{Store: st})
	if err == nil {
		defer d.Close()
		f, err = frame.ReadCSV(ctx, d, &frame.ReadOptions{Name: d.Source.String()})
		return f, uri, err
	}
	if cfg.S3.Endpoint != "" || !(errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrNoBucket) || errors.Is(err, os.ErrNotExist)) {
		return nil, "", fmt.Errorf("read %s: %w", uri, err)
	}
	b, serr := dataset.Sample(sample)
	if serr != nil {
		return nil, "", errors.Join(err, serr)
	}
	source = "sample:" + sample + " (built-in; no object storage configured)"
	f, err = frame.ReadBytes(ctx, b, &frame.ReadOptions{Name: sample + ".csv"})
	return f, source, err
}

// Tracking says, at the top of a notebook, where its MLflow runs will go:
// to the server of MLFLOW_TRACKING_URI when it answers its /health within
// a few seconds, to the offline spool when no server is set, and when one
// is set but does not answer, a warning naming the server and the error
// (shown in the cell and on stderr): the runs are then spooled and `train
// sync` sends them. It returns that error, nil otherwise; a malformed URI
// is an error too.
func Tracking(ctx context.Context) error {
	return tracking(ctx, os.Getenv("MLFLOW_TRACKING_URI"), os.Stdout, os.Stderr)
}

func tracking(ctx context.Context, uri string, stdout, stderr io.Writer) error {
	if uri == "" {
		fmt.Fprintf(stdout, "mlflow: MLFLOW_TRACKING_URI is not set: runs go to the offline spool (%s); `train sync` sends them to a server later\n", mlflow.DefaultSpoolDir())
		return nil
	}
	opts, err := mlflow.OptionsFromEnv()
	if err != nil {
		return err
	}
	c, err := mlflow.New(uri, opts)
	if err != nil {
		return err
	}
	hctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	shown := redact.URL(uri)
	if err = c.Health(hctx); err == nil {
		fmt.Fprintf(stdout, "mlflow: tracking server %s answers\n", shown)
		return nil
	}
	err = redact.Error(err)
	msg := fmt.Sprintf("WARNING: MLflow tracking server %s unreachable: %v", shown, err)
	fmt.Fprintf(stderr, "%s\nthe runs of this notebook will be spooled; `train sync` sends them once the server answers\n", msg)
	HTML(`<div style="border-left:4px solid #d9822b;background:#fff7e6;padding:6px 10px"><b>` + html.EscapeString(msg) +
		`</b><br>The runs of this notebook will be spooled; <code>train sync</code> sends them once the server answers.</div>`)
	return err
}

// Progress returns a progress reporter for work of known size (the folds
// of a cross-validation: experiment.Options.Progress): a bar drawn under
// the cell and updated in place, left showing the final count. It is safe
// for concurrent use.
func Progress(label string) func(done, total int) {
	var mu sync.Mutex
	id, start := "progress_"+gonbui.UniqueId(), time.Now()
	return func(done, total int) {
		mu.Lock()
		defer mu.Unlock()
		gonbui.UpdateHTML(id, progressHTML(label, done, total, time.Since(start)))
	}
}

// progressHTML is the bar Progress draws.
func progressHTML(label string, done, total int, elapsed time.Duration) string {
	return fmt.Sprintf(`<div class="mlstack-progress"><progress value="%d" max="%d" style="width:20em"></progress> %s: %d of %d (%s)</div>`,
		done, max(total, 1), html.EscapeString(label), done, total, elapsed.Round(time.Second))
}

// Python returns a Python interpreter that imports MLflow, for cells that
// compare with Python: $MLSTACK_VENV/bin/python (the test venv) if set,
// else python3 or python from PATH; "" when none has MLflow.
func Python() string {
	var candidates []string
	if v := os.Getenv("MLSTACK_VENV"); v != "" {
		candidates = append(candidates, filepath.Join(v, "bin", "python"))
	}
	for _, name := range []string{"python3", "python"} {
		if p, err := exec.LookPath(name); err == nil {
			candidates = append(candidates, p)
		}
	}
	for _, py := range candidates {
		if exec.Command(py, "-c", "import mlflow.pyfunc, xgboost, pandas").Run() == nil {
			return py
		}
	}
	return ""
}
