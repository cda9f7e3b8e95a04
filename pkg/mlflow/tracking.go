package mlflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/mlstack/mlstack/internal/crash"
)

const api = "/api/2.0/mlflow/"

// GetExperimentByName returns the experiment called name, deleted or not.
// A missing experiment is an error matching ErrNotFound.
func (c *Client) GetExperimentByName(ctx context.Context, name string) (*Experiment, error) {
	var out struct {
		Experiment Experiment `json:"experiment"`
	}
	err := c.call(ctx, request{method: "GET", path: api + "experiments/get-by-name",
		query: url.Values{"experiment_name": {name}}, idempotent: true}, &out)
	if err != nil {
		return nil, err
	}
	return &out.Experiment, nil
}

// GetExperiment returns the experiment with the given id.
func (c *Client) GetExperiment(ctx context.Context, id string) (*Experiment, error) {
	var out struct {
		Experiment Experiment `json:"experiment"`
	}
	err := c.call(ctx, request{method: "GET", path: api + "experiments/get",
		query: url.Values{"experiment_id": {id}}, idempotent: true}, &out)
	if err != nil {
		return nil, err
	}
	return &out.Experiment, nil
}

// CreateExperiment creates an experiment and returns its id. An existing
// name (even a deleted experiment's) is an error matching ErrAlreadyExists.
func (c *Client) CreateExperiment(ctx context.Context, name string, tags map[string]string) (string, error) {
	if name == "" || len(name) > MaxExperimentNameSize {
		return "", fmt.Errorf("%w: experiment name must have 1..%d characters", ErrInvalid, MaxExperimentNameSize)
	}
	var out struct {
		ExperimentID string `json:"experiment_id"`
	}
	// Not idempotent, but a repeated create fails with RESOURCE_ALREADY_EXISTS,
	// which GetOrCreateExperiment handles; so retrying is harmless.
	err := c.call(ctx, request{method: "POST", path: api + "experiments/create",
		body: map[string]any{"name": name, "tags": tagList(tags)}, idempotent: true}, &out)
	return out.ExperimentID, err
}

// SetExperimentTag sets a tag on an experiment (tags overwrite).
func (c *Client) SetExperimentTag(ctx context.Context, experimentID, key, value string) error {
	if err := ValidateKey("experiment tag", key); err != nil {
		return err
	}
	if len(value) > MaxExperimentTagValueLength {
		return fmt.Errorf("%w: experiment tag %q value is %d bytes, the limit is %d", ErrInvalid, key, len(value), MaxExperimentTagValueLength)
	}
	return c.call(ctx, request{method: "POST", path: api + "experiments/set-experiment-tag",
		body: map[string]any{"experiment_id": experimentID, "key": key, "value": value}, idempotent: true}, nil)
}

// TagExperimentKind is the experiment tag the MLflow 3 UI reads to open an
// experiment in its "Model training" (machine learning) or "GenAI" mode.
const TagExperimentKind = "mlflow.experimentKind"

// ExperimentKindModelTraining is the TagExperimentKind value of a machine
// learning experiment (the UI's ExperimentKind.CUSTOM_MODEL_DEVELOPMENT).
const ExperimentKindModelTraining = "custom_model_development"

// ensureKind gives exp the kind tag when it has none, so the UI opens it in
// "Model training" mode; a kind set by a user is left alone.
func (c *Client) ensureKind(ctx context.Context, exp *Experiment) error {
	for _, t := range exp.Tags {
		if t.Key == TagExperimentKind && t.Value != "" {
			return nil
		}
	}
	if err := c.SetExperimentTag(ctx, exp.ID, TagExperimentKind, ExperimentKindModelTraining); err != nil {
		return err
	}
	exp.Tags = append(exp.Tags, Tag{TagExperimentKind, ExperimentKindModelTraining})
	return nil
}

// RunPageURL returns the MLflow UI page of a run. The page opens in the
// UI's "Model training" mode (workflowType=machine_learning, the query the
// UI's own mode switch writes): without it the UI of MLflow 3.17 shows a
// deep link in its default GenAI mode, whatever the experiment's kind.
func (c *Client) RunPageURL(experimentID, runID string) string {
	return c.uiBase() + "/#/experiments/" + url.PathEscape(experimentID) + "/runs/" + url.PathEscape(runID) + "?workflowType=machine_learning"
}

// ModelPageURL returns the MLflow UI page of a logged model, in "Model
// training" mode (see RunPageURL).
func (c *Client) ModelPageURL(experimentID, modelID string) string {
	return c.uiBase() + "/#/experiments/" + url.PathEscape(experimentID) + "/models/" + url.PathEscape(modelID) + "?workflowType=machine_learning"
}

// RestoreExperiment restores a deleted experiment.
func (c *Client) RestoreExperiment(ctx context.Context, id string) error {
	return c.call(ctx, request{method: "POST", path: api + "experiments/restore",
		body: map[string]any{"experiment_id": id}, idempotent: true}, nil)
}

// DeleteExperiment soft-deletes an experiment.
func (c *Client) DeleteExperiment(ctx context.Context, id string) error {
	return c.call(ctx, request{method: "POST", path: api + "experiments/delete",
		body: map[string]any{"experiment_id": id}, idempotent: true}, nil)
}

// GetOrCreateExperiment returns the experiment called name, creating it
// when missing and restoring it when deleted. It is safe when several
// processes race to create the same name: the loser of the race gets
// RESOURCE_ALREADY_EXISTS and reads the winner's experiment.
func (c *Client) GetOrCreateExperiment(ctx context.Context, name string) (*Experiment, error) {
	for range 3 {
		exp, err := c.GetExperimentByName(ctx, name)
		if err == nil {
			if exp.LifecycleStage == "deleted" {
				if err := c.RestoreExperiment(ctx, exp.ID); err != nil {
					return nil, fmt.Errorf("mlflow: restoring deleted experiment %q: %w", name, err)
				}
				exp.LifecycleStage = "active"
			}
			return exp, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		if _, err := c.CreateExperiment(ctx, name, nil); err != nil && !errors.Is(err, ErrAlreadyExists) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("mlflow: experiment %q: get-or-create did not settle", name)
}

// CreateRunOptions are the optional parts of CreateRun.
type CreateRunOptions struct {
	RunName     string            // "" lets the server pick a name
	StartTime   time.Time         // zero means now
	ParentRunID string            // sets mlflow.parentRunId (nested run)
	Tags        map[string]string // extra tags
	// NoSystemTags skips mlflow.user, mlflow.source.name,
	// mlflow.source.type and mlflow.source.git.commit.
	NoSystemTags bool
}

// System tag keys set by the Python client (mlflow/utils/mlflow_tags.py).
const (
	TagRunName    = "mlflow.runName"
	TagUser       = "mlflow.user"
	TagSourceName = "mlflow.source.name"
	TagSourceType = "mlflow.source.type"
	TagGitCommit  = "mlflow.source.git.commit"
	TagParentRun  = "mlflow.parentRunId"
	TagNote       = "mlflow.note.content"
)

// CreateRun starts a run in experiment experimentID with status RUNNING.
// Unless opts.NoSystemTags, it sets the system tags the Python client sets.
func (c *Client) CreateRun(ctx context.Context, experimentID string, opts CreateRunOptions) (*RunDetails, error) {
	tags := map[string]string{}
	if !opts.NoSystemTags {
		for k, v := range systemTags(c.user()) {
			tags[k] = v
		}
	}
	for k, v := range opts.Tags {
		if err := validateTag(k, v); err != nil {
			return nil, err
		}
		tags[k] = v
	}
	if opts.ParentRunID != "" {
		tags[TagParentRun] = opts.ParentRunID
	}
	if opts.RunName != "" {
		tags[TagRunName] = opts.RunName
	}
	start := opts.StartTime
	if start.IsZero() {
		start = time.Now()
	}
	body := map[string]any{
		"experiment_id": experimentID,
		"start_time":    start.UnixMilli(),
		"tags":          tagList(tags),
		"user_id":       tags[TagUser],
	}
	if opts.RunName != "" {
		body["run_name"] = opts.RunName
	}
	var out struct {
		Run RunDetails `json:"run"`
	}
	if err := c.call(ctx, request{method: "POST", path: api + "runs/create", body: body}, &out); err != nil {
		return nil, err
	}
	c.rememberArtifactURI(out.Run.Info.RunID, out.Run.Info.ArtifactURI)
	return &out.Run, nil
}

// GetRun returns a run with its latest metrics, params and tags.
func (c *Client) GetRun(ctx context.Context, runID string) (*RunDetails, error) {
	var out struct {
		Run RunDetails `json:"run"`
	}
	err := c.call(ctx, request{method: "GET", path: api + "runs/get",
		query: url.Values{"run_id": {runID}}, idempotent: true}, &out)
	if err != nil {
		return nil, err
	}
	c.rememberArtifactURI(runID, out.Run.Info.ArtifactURI)
	return &out.Run, nil
}

// UpdateRunOptions are the fields UpdateRun changes; zero values are left alone.
type UpdateRunOptions struct {
	Status  string    // one of the Status constants
	EndTime time.Time // zero: unchanged
	RunName string
}

// UpdateRun changes a run's status, end time or name.
func (c *Client) UpdateRun(ctx context.Context, runID string, opts UpdateRunOptions) error {
	body := map[string]any{"run_id": runID}
	if opts.Status != "" {
		body["status"] = opts.Status
	}
	if !opts.EndTime.IsZero() {
		body["end_time"] = opts.EndTime.UnixMilli()
	}
	if opts.RunName != "" {
		body["run_name"] = opts.RunName
	}
	return c.call(ctx, request{method: "POST", path: api + "runs/update", body: body, idempotent: true}, nil)
}

// EndRun sets the run's status (FINISHED when "") and end time to now.
func (c *Client) EndRun(ctx context.Context, runID, status string) error {
	if status == "" {
		status = StatusFinished
	}
	return c.UpdateRun(ctx, runID, UpdateRunOptions{Status: status, EndTime: time.Now()})
}

// DeleteRun soft-deletes a run.
func (c *Client) DeleteRun(ctx context.Context, runID string) error {
	return c.call(ctx, request{method: "POST", path: api + "runs/delete",
		body: map[string]any{"run_id": runID}, idempotent: true}, nil)
}

// SetTag sets a run tag (tags overwrite).
func (c *Client) SetTag(ctx context.Context, runID, key, value string) error {
	return c.LogBatch(ctx, runID, nil, nil, []Tag{{key, value}})
}

// LogParam logs one parameter. Logging the same key again with the same
// value is a no-op; with another value the server refuses
// (INVALID_PARAMETER_VALUE, an *APIError).
func (c *Client) LogParam(ctx context.Context, runID, key, value string) error {
	return c.LogBatch(ctx, runID, nil, []Param{{key, value}}, nil)
}

// LogMetric logs one metric point; a zero Timestamp means now.
func (c *Client) LogMetric(ctx context.Context, runID string, m Metric) error {
	return c.LogBatch(ctx, runID, []Metric{m}, nil, nil)
}

// LogBatch logs metrics, params and tags, split into as many log-batch
// requests as the server limits need (1000 metrics, 100 params, 100 tags,
// 1000 entities and 1 MB per request). Keys are validated first, so bad
// input is reported before anything is sent. Metric points with a zero
// Timestamp get the current time. Repeating a batch is harmless (params
// with equal values, tags overwrite, identical metric points are
// de-duplicated by the server's SQL store), so failed requests are retried.
func (c *Client) LogBatch(ctx context.Context, runID string, metrics []Metric, params []Param, tags []Tag) error {
	now := time.Now().UnixMilli()
	copied := false
	for i := range metrics {
		if metrics[i].Timestamp == 0 {
			if !copied { // do not write into the caller's slice
				metrics, copied = append([]Metric(nil), metrics...), true
			}
			metrics[i].Timestamp = now
		}
		if err := validateMetric(metrics[i]); err != nil {
			return err
		}
	}
	seen := map[string]string{}
	for _, p := range params {
		if err := validateParam(p.Key, p.Value); err != nil {
			return err
		}
		if v, ok := seen[p.Key]; ok && v != p.Value {
			return fmt.Errorf("%w: param %q given twice with different values (%q, %q)", ErrInvalid, p.Key, v, p.Value)
		}
		seen[p.Key] = p.Value
	}
	for _, t := range tags {
		if err := validateTag(t.Key, t.Value); err != nil {
			return err
		}
	}
	// Tags overwrite, so only the last value of a key matters; keeping
	// only that one lets the chunks below go out in parallel.
	if len(tags) > 1 {
		last := map[string]int{}
		for i, t := range tags {
			last[t.Key] = i
		}
		if len(last) < len(tags) {
			kept := make([]Tag, 0, len(last))
			for i, t := range tags {
				if last[t.Key] == i {
					kept = append(kept, t)
				}
			}
			tags = kept
		}
	}
	batches := splitBatch(runID, metrics, params, tags)
	if len(batches) == 1 {
		return c.call(ctx, request{method: "POST", path: api + "runs/log-batch", body: batches[0], idempotent: true}, nil)
	}
	// Chunks are independent (no key is split in a way whose order
	// matters: params are unique, tags unique, metric points carry their
	// own step and timestamp), so up to Options.Parallel go at once.
	errs := make([]error, len(batches))
	sem := make(chan struct{}, c.opts.Parallel)
	var g crash.Group
	for i := range batches {
		sem <- struct{}{}
		g.Go("mlflow: log-batch", func() {
			defer func() { <-sem }()
			errs[i] = c.call(ctx, request{method: "POST", path: api + "runs/log-batch", body: batches[i], idempotent: true}, nil)
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return errors.Join(errs...)
}

type batch struct {
	RunID   string   `json:"run_id"`
	Metrics []Metric `json:"metrics,omitempty"`
	Params  []Param  `json:"params,omitempty"`
	Tags    []Tag    `json:"tags,omitempty"`
}

// splitBatch cuts the entities into log-batch bodies within the server
// limits. Duplicate param keys never share a batch.
func splitBatch(runID string, metrics []Metric, params []Param, tags []Tag) []batch {
	var out []batch
	cur := batch{RunID: runID}
	size := 200                               // JSON overhead
	const budget = MaxBatchBodyBytes - 50_000 // safety margin for escaping
	flush := func() {
		if len(cur.Metrics)+len(cur.Params)+len(cur.Tags) > 0 {
			out = append(out, cur)
		}
		cur = batch{RunID: runID}
		size = 200
	}
	full := func(add int) bool {
		return len(cur.Metrics)+len(cur.Params)+len(cur.Tags) >= MaxBatchEntities || size+add > budget
	}
	keys := map[string]bool{}
	for _, p := range params {
		n := len(p.Key)*2 + len(p.Value)*2 + 40 // worst case \uXXXX is 6x, but values are bounded; 2x + margin
		if keys[p.Key] {
			continue // identical duplicate (different values were refused)
		}
		if len(cur.Params) >= MaxBatchParams || full(n) {
			flush()
			keys = map[string]bool{}
		}
		keys[p.Key] = true
		cur.Params = append(cur.Params, p)
		size += n
	}
	for _, t := range tags {
		n := len(t.Key)*2 + len(t.Value)*2 + 40
		if len(cur.Tags) >= MaxBatchTags || full(n) {
			flush()
		}
		cur.Tags = append(cur.Tags, t)
		size += n
	}
	for _, m := range metrics {
		n := len(m.Key)*2 + 100
		if len(cur.Metrics) >= MaxBatchMetrics || full(n) {
			flush()
		}
		cur.Metrics = append(cur.Metrics, m)
		size += n
	}
	flush()
	return out
}

// GetMetricHistory returns every point of metric key, paging through the
// server's answer (max_results is always sent: the SQL store returns an
// empty page without it).
func (c *Client) GetMetricHistory(ctx context.Context, runID, key string) ([]Metric, error) {
	var all []Metric
	token := ""
	for {
		q := url.Values{"run_id": {runID}, "metric_key": {key}, "max_results": {"25000"}}
		if token != "" {
			q.Set("page_token", token)
		}
		var out struct {
			Metrics       []Metric `json:"metrics"`
			NextPageToken string   `json:"next_page_token"`
		}
		if err := c.call(ctx, request{method: "GET", path: api + "metrics/get-history", query: q, idempotent: true}, &out); err != nil {
			return nil, err
		}
		all = append(all, out.Metrics...)
		if out.NextPageToken == "" || len(out.Metrics) == 0 {
			return all, nil
		}
		token = out.NextPageToken
	}
}

// SearchRunsOptions select and order runs.
type SearchRunsOptions struct {
	Filter     string   // e.g. "metrics.rmse < 1 and params.depth = '3'"
	OrderBy    []string // e.g. "metrics.rmse ASC"
	ViewType   string   // ACTIVE_ONLY (default), DELETED_ONLY, ALL
	MaxResults int      // total cap; 0 means all
}

// SearchRuns returns the runs of the experiments matching opts, following
// page tokens.
func (c *Client) SearchRuns(ctx context.Context, experimentIDs []string, opts SearchRunsOptions) ([]RunDetails, error) {
	var all []RunDetails
	token := ""
	for {
		page := 1000
		if opts.MaxResults > 0 {
			page = min(page, opts.MaxResults-len(all))
		}
		body := map[string]any{"experiment_ids": experimentIDs, "max_results": page}
		if opts.Filter != "" {
			body["filter"] = opts.Filter
		}
		if len(opts.OrderBy) > 0 {
			body["order_by"] = opts.OrderBy
		}
		if opts.ViewType != "" {
			body["run_view_type"] = opts.ViewType
		}
		if token != "" {
			body["page_token"] = token
		}
		var out struct {
			Runs          []RunDetails `json:"runs"`
			NextPageToken string       `json:"next_page_token"`
		}
		if err := c.call(ctx, request{method: "POST", path: api + "runs/search", body: body, idempotent: true}, &out); err != nil {
			return nil, err
		}
		all = append(all, out.Runs...)
		if out.NextPageToken == "" || (opts.MaxResults > 0 && len(all) >= opts.MaxResults) {
			return all, nil
		}
		token = out.NextPageToken
	}
}

func tagList(m map[string]string) []Tag {
	out := make([]Tag, 0, len(m))
	for k, v := range m {
		out = append(out, Tag{k, v})
	}
	return out
}

// quote returns s as a single-quoted MLflow filter string literal.
func quote(s string) string {
	b, _ := json.Marshal(s)
	q := string(b[1 : len(b)-1])
	out := make([]byte, 0, len(q)+2)
	out = append(out, '\'')
	for i := 0; i < len(q); i++ {
		if q[i] == '\'' {
			out = append(out, '\\')
		}
		out = append(out, q[i])
	}
	return string(append(out, '\''))
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
