package dataset

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mlstack/mlstack/internal/retry"
)

// RoboflowAPI is the production endpoint of Roboflow's REST API.
const RoboflowAPI = "https://api.roboflow.com"

// DefaultRoboflowFormat is the export format of roboflow: sources that
// name none.
const DefaultRoboflowFormat = "yolov8"

// ImageDataset is an image dataset made available by FetchDataset.
type ImageDataset struct {
	Dir   string // the folder holding data.yaml
	Files []File // every file, Name relative to Dir, sorted
	YOLO  YOLOSummary
}

// FetchDataset makes the YOLO-format image dataset of src available under
// opts.Dir and checks it (see CheckYOLO):
//
//   - roboflow:WORKSPACE/PROJECT/VERSION[/FORMAT] is exported through
//     Roboflow's API: GET /WORKSPACE/PROJECT/VERSION/FORMAT?api_key=…
//     is polled while it answers 202 (export being generated), the zip at
//     the export.link of its 200 answer is downloaded and extracted. The
//     key comes from ROBOFLOW_API_KEY (opts.Getenv) only, and never
//     appears in errors;
//   - a local folder holding data.yaml is used in place;
//   - a local .zip or an http(s):// zip is extracted.
//
// The train/val/test paths of data.yaml are rewritten to the splits found
// beside it (train/images, valid/images, test/images), since exporters
// write paths that only hold on their machine.
func FetchDataset(ctx context.Context, src Source, opts *FetchOptions) (_ *ImageDataset, err error) {
	ctx, o, end, err := begin(ctx, src, opts)
	if err != nil {
		return nil, err
	}
	defer end(&err)
	var zipPath string
	switch src.Kind {
	case KindRoboflow:
		link, err := roboflowLink(ctx, &o, src)
		if err != nil {
			return nil, err
		}
		mk := func(ctx context.Context) (*http.Request, error) {
			return http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
		}
		p, _, err := download(ctx, &o, mk, "roboflow.zip")
		if err != nil {
			return nil, err
		}
		zipPath = p
	case KindURL:
		mk := func(ctx context.Context) (*http.Request, error) {
			return http.NewRequestWithContext(ctx, http.MethodGet, src.URL, nil)
		}
		p, _, err := download(ctx, &o, mk, "dataset.zip")
		if err != nil {
			return nil, err
		}
		zipPath = p
	case KindFile:
		fi, err := os.Stat(src.Path)
		if err != nil {
			return nil, fmt.Errorf("dataset: %w", err)
		}
		if fi.IsDir() {
			return openImageDataset(src.Path, false)
		}
		zipPath = src.Path
	default:
		return nil, fmt.Errorf("dataset: %s: not an image dataset source (want roboflow:, a folder with data.yaml or a zip)", src)
	}
	if !isZip(zipPath) {
		return nil, fmt.Errorf("dataset: %s: the download is not a zip archive", src)
	}
	dir := filepath.Join(o.Dir, "dataset")
	if src.Kind == KindRoboflow {
		dir = filepath.Join(o.Dir, fmt.Sprintf("%s-%d", src.Project, src.Version))
	}
	if _, err := ExtractAll(ctx, zipPath, dir, o.Limits); err != nil {
		return nil, err
	}
	if zipPath != src.Path {
		os.Remove(zipPath)
	}
	// data.yaml at the top, or in the archive's single top folder.
	if _, err := os.Stat(filepath.Join(dir, "data.yaml")); err != nil {
		entries, _ := os.ReadDir(dir)
		if len(entries) == 1 && entries[0].IsDir() {
			dir = filepath.Join(dir, entries[0].Name())
		}
	}
	return openImageDataset(dir, true)
}

func openImageDataset(dir string, rewrite bool) (*ImageDataset, error) {
	if rewrite {
		if err := RebuildDataYAML(dir); err != nil {
			return nil, err
		}
	}
	sum, err := CheckYOLO(dir)
	if err != nil {
		return nil, err
	}
	ds := &ImageDataset{Dir: dir, YOLO: sum}
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		ds.Files = append(ds.Files, File{Name: filepath.ToSlash(rel), Path: p})
		return nil
	})
	return ds, err
}

// roboflowKey reads ROBOFLOW_API_KEY.
func roboflowKey(getenv func(string) string) (string, error) {
	k := strings.TrimSpace(getenv("ROBOFLOW_API_KEY"))
	if k == "" {
		return "", fmt.Errorf("dataset: %w: set ROBOFLOW_API_KEY (app.roboflow.com → Settings → API Keys); it is read from the environment only", ErrNoRoboflowKey)
	}
	return k, nil
}

// roboflowLink asks for the export of src and returns its export.link,
// polling while the export is generated.
func roboflowLink(ctx context.Context, o *FetchOptions, src Source) (string, error) {
	key, err := roboflowKey(o.Getenv)
	if err != nil {
		return "", err
	}
	shown, full := roboflowExportURL(o, src, key)
	deadline := time.Now().Add(o.RoboflowMaxWait)
	var link string
	retryable := false
	err = retry.Do(ctx, o.retryPolicy(), func(error) bool { return retryable }, func(ctx context.Context, _ int) error {
		retryable = false
		for {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, full, nil)
			if err != nil {
				return fmt.Errorf("dataset: %s: bad URL", shown)
			}
			req.Header.Set("Accept", "application/json")
			status, body, err := roboflowDo(o.HTTPClient, req)
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				// The error of net/http quotes the URL, key included: name ours.
				var ue *url.Error
				if errors.As(err, &ue) {
					err = ue.Err
				}
				err = fmt.Errorf("dataset: %s: %w", shown, err)
				status = 0
			}
			switch {
			case status == http.StatusOK:
				link, err = exportLink(body, shown)
				return err
			case status == http.StatusAccepted:
				var j struct {
					Progress float64 `json:"progress"`
				}
				if json.Unmarshal(body, &j) != nil {
					return fmt.Errorf("dataset: %s: answer 202 without JSON: %s", shown, errorMessage(body))
				}
				o.Progress("roboflow export "+src.Project, int64(j.Progress*100), 100)
				if time.Now().Add(o.RoboflowPoll).After(deadline) {
					return fmt.Errorf("dataset: %s: export still being generated after %v (progress %.0f%%); try again later", shown, o.RoboflowMaxWait, j.Progress*100)
				}
				if err := retry.Sleep(ctx, o.RoboflowPoll); err != nil {
					return err
				}
				continue
			case status == 0 || status >= 500 || status == 408 || status == 429:
				retryable = true
				if err == nil {
					err = &HTTPError{URL: shown, StatusCode: status, Message: roboflowMessage(body)}
				}
				return err
			}
			return roboflowRefusal(src, shown, status, body)
		}
	})
	return link, err
}

// roboflowExportURL returns the export URL of src's version for the
// Roboflow API at o.RoboflowEndpoint, $ROBOFLOW_API_URL or RoboflowAPI:
// shown without the key (for messages), full with it.
func roboflowExportURL(o *FetchOptions, src Source, key string) (shown, full string) {
	base := o.RoboflowEndpoint
	if base == "" {
		base = o.Getenv("ROBOFLOW_API_URL")
	}
	if base == "" {
		base = RoboflowAPI
	}
	shown = strings.TrimSuffix(base, "/") + "/" + url.PathEscape(src.Workspace) + "/" + url.PathEscape(src.Project) + "/" +
		strconv.Itoa(src.Version) + "/" + url.PathEscape(src.Format)
	return shown, shown + "?api_key=" + url.QueryEscape(key) + "&nocache=true"
}

// exportLink is the http(s) link of a ready export: export.link of the
// answer body.
func exportLink(body []byte, shown string) (string, error) {
	var j struct {
		Export struct {
			Link string `json:"link"`
		} `json:"export"`
	}
	if json.Unmarshal(body, &j) != nil || j.Export.Link == "" {
		return "", fmt.Errorf("dataset: %s: answer 200 without export.link: %s", shown, errorMessage(body))
	}
	u, err := url.Parse(j.Export.Link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("dataset: %s: export.link is not an http(s) URL", shown)
	}
	return j.Export.Link, nil
}

// roboflowRefusal is the error of an answer that retrying will not
// change, with a hint for a refused key or a missing version.
func roboflowRefusal(src Source, shown string, status int, body []byte) *HTTPError {
	he := &HTTPError{URL: shown, StatusCode: status, Message: roboflowMessage(body)}
	switch status {
	case 401, 403:
		he.Hint = "ROBOFLOW_API_KEY was refused, or it has no access to workspace " + src.Workspace
	case 404:
		he.Hint = fmt.Sprintf("no version %s/%s/%d with format %s, or no access to it", src.Workspace, src.Project, src.Version, src.Format)
	}
	return he
}

func roboflowDo(c *http.Client, req *http.Request) (int, []byte, error) {
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, b, err
}

// roboflowMessage extracts the message of a Roboflow error body:
// {"error": "…"} or {"error": {"message": "…"}}.
func roboflowMessage(b []byte) string {
	var j struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(b, &j) == nil && j.Error.Message != "" {
		return j.Error.Message
	}
	return errorMessage(b)
}
