package serve

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mlstack/mlstack/pkg/mlflow"
	"github.com/mlstack/mlstack/pkg/model"
)

// Registry keeps a Server's model current with its URI. For
// models:/<name>@<alias> it resolves the alias and loads the version it
// points at when that changes; for any other URI (a folder, runs:/,
// s3://, a fixed version) Load re-opens it.
type Registry struct {
	// URI is the model to serve.
	URI string
	// Client reaches the registry (an alias URI only); Open loads a
	// model (model.Open when nil).
	Client *mlflow.Client
	Open   func(ctx context.Context, uri string) (*model.Model, error)
	Server *Server

	name, alias string
}

// NewRegistry returns the Registry of uri for s. c may be nil for a URI
// that is not an alias.
func NewRegistry(uri string, c *mlflow.Client, s *Server) (*Registry, error) {
	r := &Registry{URI: uri, Client: c, Open: model.Open, Server: s}
	if rest, ok := strings.CutPrefix(uri, "models:/"); ok {
		if name, alias, ok := strings.Cut(strings.Trim(rest, "/"), "@"); ok {
			if name == "" || alias == "" {
				return nil, fmt.Errorf("serve: %w: %s: want models:/<name>@<alias>", model.ErrURI, uri)
			}
			if c == nil {
				return nil, fmt.Errorf("serve: %s: an alias needs an MLflow client (set MLFLOW_TRACKING_URI)", uri)
			}
			r.name, r.alias = name, alias
		}
	}
	return r, nil
}

// IsAlias reports whether the URI is models:/<name>@<alias>.
func (r *Registry) IsAlias() bool { return r.alias != "" }

// Load brings the served model up to date: it resolves the alias and,
// when it points at another version than the one served, loads that
// version and swaps it in. A URI that is not an alias is re-opened and
// swapped in. It returns whether the model changed. A failure leaves the
// served model in place and is recorded for /health (SetRegistry).
func (r *Registry) Load(ctx context.Context) (bool, error) {
	uri, version := r.URI, ""
	if r.IsAlias() {
		mv, err := r.Client.GetModelVersionByAlias(ctx, r.name, r.alias)
		if err != nil {
			err = fmt.Errorf("serve: resolve %s: %w", r.URI, err)
			r.Server.SetRegistry(err)
			return false, err
		}
		version = mv.Version
		if cur := r.Server.Current(); cur != nil && cur.Version == version {
			r.Server.SetRegistry(nil)
			return false, nil
		}
		uri = "models:/" + r.name + "/" + version
	}
	m, err := r.Open(ctx, uri)
	if err != nil {
		err = fmt.Errorf("serve: load %s: %w", uri, err)
		if r.IsAlias() {
			r.Server.SetRegistry(err)
		}
		return false, err
	}
	if r.IsAlias() {
		r.Server.SetRegistry(nil)
	}
	old := r.Server.Swap(&Loaded{Model: m, URI: r.URI, Version: version})
	if old != nil {
		r.Server.log.Info("model swapped", "uri", r.URI, "from_version", old.Version, "to_version", version)
	}
	return true, nil
}

// Watch calls Load every interval (never when interval <= 0) and on each
// receive from reload, until ctx is done. Failures are logged; the
// loaded model keeps serving.
func (r *Registry) Watch(ctx context.Context, interval time.Duration, reload <-chan struct{}) {
	var tick <-chan time.Time
	if interval > 0 && r.IsAlias() {
		t := time.NewTicker(interval)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
		case <-reload:
			r.Server.log.Info("reload asked", "uri", r.URI)
		}
		if _, err := r.Load(ctx); err != nil && ctx.Err() == nil {
			r.Server.log.Warn("model not updated: serving the loaded one", "uri", r.URI, "error", err.Error())
		}
	}
}
