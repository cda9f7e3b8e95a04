// Package charts draws the project's model-evaluation charts — cross-
// validation box plots, confusion matrices, ROC and precision-recall
// curves, feature importance, learning curves, per-class histograms,
// correlation heat maps, class balance before and after resampling and
// SHAP explanations (summary beeswarm, mean |SHAP| bars, dependence plot,
// one row's waterfall) —
// as interactive ECharts HTML for notebooks and reports and as PNG images
// for MLflow artifact previews.
//
// # Builders and renderings
//
// Each builder (CVBoxPlot, ConfusionMatrix, ROC, PrecisionRecall,
// FeatureImportance, LearningCurves, Histogram/Histograms, Correlation,
// ClassBalance, SHAPSummary, SHAPImportance, SHAPDependence, SHAPWaterfall)
// takes the project's own types (metrics.Summary, cv.Result, boost.Model,
// frame.Frame, label vectors, SHAPValues) and returns a *Chart. A Chart
// renders from the same data as:
//   - Fragment(c, src): a notebook output carrying the chart's option only
//     (a few kB), drawn with the page's ECharts; LibraryHTML() puts the
//     library on the page once (pkg/notebook emits it with the first chart
//     of a kernel), and in a page a Jupyter server serves a fragment
//     lacking it fetches src instead (LibraryFile, served by Jupyter). A
//     GoNB notebook shows them with gonbui.DisplayHTML; this package never
//     imports gonbui and never displays anything itself.
//   - c.WriteHTML(w), WritePage(w, title, charts...): a standalone page.
//   - c.WritePNG(w): a PNG of exactly PNGWidth × PNGHeight pixels
//     (1000 × 600), drawn with gonum.org/v1/plot.
//   - c.Option(): the ECharts option as strict JSON (no JavaScript
//     functions), which the golden tests compare.
//
// WriteDir(dir, title, charts...) writes one page, index.html, holding
// every chart with the library once, and Name.png for every chart: the
// directory the train command logs to MLflow.
//
// # Offline, RequireJS and trust
//
//   - ECharts 5.4.3 (npm echarts@5.4.3 dist/echarts.min.js, Apache-2.0;
//     assets/) is embedded with go:embed and inlined into every page and
//     into LibraryHTML, DEFLATE-compressed and base64-encoded (0.44 MB
//     instead of 1.02 MB), with pako's inflate (npm pako@2.1.0, MIT and
//     Zlib, 21 kB) to unpack it synchronously in the page. Nothing is
//     loaded from a CDN; a fragment fetches only src, from the Jupyter
//     server that serves its page.
//   - The library is evaluated with define, exports and module hidden, so
//     its UMD wrapper sets window.echarts even where RequireJS is loaded
//     (nbconvert's exported HTML, Jupyter Notebook 6); it is unpacked and
//     evaluated only once per page (skipped when window.echarts exists),
//     and pako leaves no global behind.
//   - A fragment is one <div> and one inline <script>; the script finds its
//     <div> through document.currentScript as well as by id, so it works
//     when JupyterLab re-inserts output scripts. Every Fragment call uses
//     a new random id, so a chart may be displayed twice.
//   - JupyterLab runs scripts of trusted output only: a notebook executed
//     headless (nbconvert) must be trusted (jupyter trust nb.ipynb) to
//     become interactive. Until then, and in viewers that run no scripts,
//     the fragment's <div> says what it holds; the chart's PNG is what
//     WriteDir writes beside the page.
//   - A page or notebook carries the library once however many charts it
//     holds: a notebook output is the option only, an MLflow run's charts/
//     one index.html.
//
// # Errors and panics
//
// Inputs without anything to draw (no folds, no predictions, an empty
// confusion matrix, no positive importance, no evaluation history) return
// errors wrapping ErrNoData; unusable data (a multiclass result for ROC, a
// categorical column for a histogram, a label that is not a class id)
// returns an error. Programmer errors — slices of different lengths, a
// non-square confusion matrix, a missing class name — panic with a
// "charts:" prefix. NaN scores are left out and counted where it matters.
//
// # Looks
//
// All charts share a white background, a centred title with a subtitle
// stating what is drawn (folds, rows, bins, normalisation), named axes, a
// legend below the plot, ECharts' default palette (used by the PNGs too)
// and a save-as-PNG button. Heat maps write their values in the cells with
// a text colour chosen for contrast.
package charts
