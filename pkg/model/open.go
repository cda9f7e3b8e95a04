package model

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/mlstack/mlstack/internal/crash"
	"github.com/mlstack/mlstack/pkg/mlflow"
	"github.com/mlstack/mlstack/pkg/storage"
)

// Open reads the bundle at uri:
//
//   - a directory, as a path or file:///path;
//   - s3://bucket/prefix: the bundle's files under prefix/, through
//     pkg/storage configured by the environment (storage.FromEnv);
//   - runs:/<run_id>/<path>: the run's logged model named path (MLflow
//     3), else the run's artifacts under path (MLflow 2);
//   - models:/<name>/<version>, models:/<name>/latest and
//     models:/<name>@<alias>: a version of a registered model;
//   - models:/m-<id>: a logged model;
//   - mlflow-artifacts:/... and the other artifact URIs pkg/mlflow reads.
//
// MLflow URIs use the tracking server of the environment
// (mlflow.NewFromEnv: MLFLOW_TRACKING_URI, credentials). A URI that
// resolves to nothing is an error wrapping ErrURI that names the model,
// version or alias it looked for.
func Open(ctx context.Context, uri string) (*Model, error) {
	return open(ctx, uri, nil, 0)
}

// open resolves uri; c is the MLflow client once made, depth counts
// registry indirections (a version's source is itself a URI).
func open(ctx context.Context, uri string, c *mlflow.Client, depth int) (*Model, error) {
	if depth > 3 {
		return nil, fmt.Errorf("model: %w: %s: too many indirections", ErrURI, uri)
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme == "" || len(u.Scheme) == 1 { // a path ("C:\..." too)
		return Load(uri)
	}
	switch u.Scheme {
	case "file":
		return Load(filepath.FromSlash(u.Path))
	case "s3":
		prefix := strings.TrimSuffix(uri, "/") + "/"
		return load(ctx, uri, func(ctx context.Context, name string) (io.ReadCloser, error) {
			return storage.Open(ctx, prefix+name)
		})
	}
	switch u.Scheme {
	case "runs", "models", "mlflow-artifacts", "http", "https":
	default:
		return nil, fmt.Errorf("model: %w: %s: scheme %q (want a folder, file://, s3://, runs:/, models:/ or mlflow-artifacts:)", ErrURI, uri, u.Scheme)
	}
	if c == nil {
		if os.Getenv("MLFLOW_TRACKING_URI") == "" {
			return nil, fmt.Errorf("model: %w: %s: set MLFLOW_TRACKING_URI to the MLflow server that holds it", ErrURI, uri)
		}
		if c, err = mlflow.NewFromEnv(); err != nil {
			return nil, fmt.Errorf("model: %s: %w", uri, err)
		}
	}
	switch u.Scheme {
	case "runs":
		return openRun(ctx, c, uri)
	case "models":
		return openRegistered(ctx, c, uri, depth)
	}
	store, err := c.ArtifactStore(uri)
	if err != nil {
		return nil, fmt.Errorf("model: %w: %s: %w", ErrURI, uri, err)
	}
	return loadStore(ctx, uri, store, "")
}

// loadStore reads a bundle from an MLflow artifact store, below dir.
func loadStore(ctx context.Context, src string, store *mlflow.ArtifactStore, dir string) (*Model, error) {
	return load(ctx, src, func(ctx context.Context, name string) (io.ReadCloser, error) {
		pr, pw := io.Pipe()
		// A panic of the download (a bug) is the reader's error.
		g := &crash.Group{OnPanic: func(err error) { pw.CloseWithError(err) }}
		g.Go("model: download", func() { pw.CloseWithError(store.Get(ctx, path.Join(dir, name), pw)) })
		return pr, nil
	})
}

// openRun resolves runs:/<run_id>/<path> as MLflow 3 does: the logged
// model of that name whose source is the run, else the run's artifacts.
func openRun(ctx context.Context, c *mlflow.Client, uri string) (*Model, error) {
	rest := strings.TrimPrefix(strings.TrimPrefix(uri, "runs:"), "//")
	runID, p, _ := strings.Cut(strings.TrimPrefix(rest, "/"), "/")
	p = strings.Trim(p, "/")
	if runID == "" || p == "" {
		return nil, fmt.Errorf("model: %w: %s: want runs:/<run_id>/<path>", ErrURI, uri)
	}
	run, err := c.GetRun(ctx, runID)
	if err != nil {
		return nil, fmt.Errorf("model: %w: %s: run %s: %w", ErrURI, uri, runID, err)
	}
	models, err := c.SearchLoggedModels(ctx, run.Info.ExperimentID, "name = '"+strings.ReplaceAll(p, "'", `\'`)+"'")
	if err != nil {
		return nil, fmt.Errorf("model: %s: %w", uri, err)
	}
	for i := len(models) - 1; i >= 0; i-- { // the latest of the run's models of that name
		if models[i].SourceRunID == runID {
			store, err := c.ArtifactStore(models[i].ArtifactURI)
			if err != nil {
				return nil, fmt.Errorf("model: %s: %w", uri, err)
			}
			return loadStore(ctx, uri, store, "")
		}
	}
	store, err := c.RunArtifacts(ctx, runID)
	if err != nil {
		return nil, fmt.Errorf("model: %s: %w", uri, err)
	}
	return loadStore(ctx, uri, store, p)
}

// openRegistered resolves models:/m-<id>, models:/<name>/<version|latest>
// and models:/<name>@<alias>.
func openRegistered(ctx context.Context, c *mlflow.Client, uri string, depth int) (*Model, error) {
	rest := strings.Trim(strings.TrimPrefix(strings.TrimPrefix(uri, "models:"), "//"), "/")
	var (
		mv  *mlflow.ModelVersion
		err error
	)
	switch name, alias, isAlias := strings.Cut(rest, "@"); {
	case rest == "":
		return nil, fmt.Errorf("model: %w: %s: want models:/<name>/<version>, models:/<name>@<alias> or models:/m-<id>", ErrURI, uri)
	case isAlias:
		if mv, err = c.GetModelVersionByAlias(ctx, name, alias); err != nil {
			return nil, fmt.Errorf("model: %w: %s: registered model %q has no alias %q: %w", ErrURI, uri, name, alias, err)
		}
	case !strings.Contains(rest, "/"):
		lm, err := c.GetLoggedModel(ctx, rest)
		if err != nil {
			return nil, fmt.Errorf("model: %w: %s: logged model %q: %w", ErrURI, uri, rest, err)
		}
		store, err := c.ArtifactStore(lm.ArtifactURI)
		if err != nil {
			return nil, fmt.Errorf("model: %s: %w", uri, err)
		}
		return loadStore(ctx, uri, store, "")
	default:
		name, version, _ := strings.Cut(rest, "/")
		if version == "latest" {
			mv, err = latestVersion(ctx, c, name)
		} else {
			mv, err = c.GetModelVersion(ctx, name, version)
		}
		if err != nil {
			return nil, fmt.Errorf("model: %w: %s: registered model %q has no version %q: %w", ErrURI, uri, name, version, err)
		}
	}
	src := mv.Source
	if mv.ModelID != "" {
		src = "models:/" + mv.ModelID
	}
	if src == "" {
		return nil, fmt.Errorf("model: %w: %s: version %s of %q has no source", ErrURI, uri, mv.Version, mv.Name)
	}
	return open(ctx, src, c, depth+1)
}

// latestVersion returns the highest version of a registered model.
func latestVersion(ctx context.Context, c *mlflow.Client, name string) (*mlflow.ModelVersion, error) {
	vs, err := c.SearchModelVersions(ctx, "name = '"+strings.ReplaceAll(name, "'", `\'`)+"'")
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, mlflow.ErrNotFound
	}
	num := func(v mlflow.ModelVersion) int { n, _ := strconv.Atoi(v.Version); return n }
	best := slices.MaxFunc(vs, func(a, b mlflow.ModelVersion) int { return num(a) - num(b) })
	return &best, nil
}

func isStorageNotFound(err error) bool {
	return errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrNoBucket)
}
