package mlflow

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Spool layout (one directory per run below the spool directory):
//
//	<spool>/<local id>/journal.jsonl   append-only records, one JSON object a line
//	<spool>/<local id>/state.json      replay progress, replaced atomically
//	<spool>/<local id>/artifacts/...   copies of artifacts not yet uploaded
//	<spool>/<local id>/models/<n>/     model files not yet uploaded
//	<spool>/<local id>/lock            flock(2) held by the writing process
const (
	journalName = "journal.jsonl"
	stateName   = "state.json"
	lockName    = "lock"
)

// Tag keys written by this package for idempotent replay.
const (
	// TagSpoolRun holds the local id of the run's spool directory; Sync
	// finds a run it created before a crash through it.
	TagSpoolRun = "mlstack.spool.run"
)

// record is one journal line.
type record struct {
	Seq int64  `json:"seq"`
	Op  string `json:"op"` // start, batch, input, artifact, model, end
	// Applied records were already sent by the live run; replay skips them.
	Applied bool `json:"applied,omitempty"`

	// start
	Experiment  string            `json:"experiment,omitempty"`
	RunName     string            `json:"run_name,omitempty"`
	ParentRunID string            `json:"parent_run_id,omitempty"` // server id
	ParentLocal string            `json:"parent_local,omitempty"`  // spool id of a spooled parent
	StartMS     int64             `json:"start_ms,omitempty"`
	RunTags     map[string]string `json:"run_tags,omitempty"`
	User        string            `json:"user,omitempty"`

	// batch
	Metrics []Metric `json:"metrics,omitempty"`
	Params  []Param  `json:"params,omitempty"`
	Tags    []Tag    `json:"tags,omitempty"`

	// input: datasets used by the run
	Inputs []DatasetInput `json:"inputs,omitempty"`

	// artifact: File (relative to the run directory) goes to Path
	// (artifact path of the file, including its name).
	File string `json:"file,omitempty"`
	Path string `json:"path,omitempty"`

	// model: Dir holds model.json; Model and Opts describe it.
	Dir       string        `json:"dir,omitempty"`
	Model     *XGBoostModel `json:"model,omitempty"`
	ModelOpts *spoolModel   `json:"model_opts,omitempty"`

	// end
	Status string `json:"status,omitempty"`
	EndMS  int64  `json:"end_ms,omitempty"`
}

type spoolModel struct {
	Name       string            `json:"name"`
	Step       int64             `json:"step,omitempty"`
	Params     map[string]string `json:"params,omitempty"`
	Tags       map[string]string `json:"tags,omitempty"`
	Registered string            `json:"registered,omitempty"`
	Alias      string            `json:"alias,omitempty"`
	Dataset    *Dataset          `json:"dataset,omitempty"`
}

// spoolState is state.json: how far the journal has been replayed.
type spoolState struct {
	RunID        string `json:"run_id,omitempty"`
	ExperimentID string `json:"experiment_id,omitempty"`
	Server       string `json:"server,omitempty"`
	Acked        int64  `json:"acked"`          // every record with seq <= Acked is on the server
	Done         bool   `json:"done,omitempty"` // the end record is on the server
}

func readState(dir string) (spoolState, error) {
	var s spoolState
	b, err := os.ReadFile(filepath.Join(dir, stateName))
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("mlflow: spool state %s: %w", dir, err)
	}
	return s, nil
}

func writeState(dir string, s spoolState) error {
	b, _ := json.MarshalIndent(s, "", " ")
	return writeFileAtomic(filepath.Join(dir, stateName), bytes.NewReader(b))
}

// readJournal returns the complete records of a journal. A last line cut
// short by a crash is ignored; a bad line elsewhere is an error.
func readJournal(dir string) ([]record, error) {
	f, err := os.Open(filepath.Join(dir, journalName))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []record
	br := bufio.NewReaderSize(f, 1<<20)
	for line := 1; ; line++ {
		b, err := br.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return out, nil // a partial last line (no '\n') is dropped
		}
		if err != nil {
			return nil, err
		}
		var r record
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("mlflow: spool journal %s line %d: %w", dir, line, err)
		}
		out = append(out, r)
	}
}

// journal appends records to journal.jsonl through a buffer.
type journal struct {
	f     *os.File
	w     *bufio.Writer
	dirty bool
}

func openJournal(dir string) (*journal, error) {
	f, err := os.OpenFile(filepath.Join(dir, journalName), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	return &journal{f: f, w: bufio.NewWriterSize(f, 1<<20)}, nil
}

func (j *journal) append(r *record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	j.dirty = true
	j.w.Write(b)
	return j.w.WriteByte('\n')
}

// sync writes the buffer to the file and fsyncs it.
func (j *journal) sync() error {
	if !j.dirty {
		return nil
	}
	if err := j.w.Flush(); err != nil {
		return err
	}
	j.dirty = false
	return j.f.Sync()
}

func (j *journal) close() error {
	err := j.sync()
	return errors.Join(err, j.f.Close())
}

// lockDir takes an exclusive flock on dir/lock; it fails at once when
// another process holds it.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, errBusy
	}
	return f, nil
}

var errBusy = errors.New("mlflow: spool run is in use by another process")

// removeDelivered deletes the run's spool directory once the server has
// confirmed every record, the end included: nothing in it is needed any
// more, and a spool kept by every online run would only grow. It is kept
// when a child opened while the run was spooled refers to it (the child's
// replay reads its state.json to find the server run), and always for
// offline runs and runs with anything left to send.
func (r *Run) removeDelivered() {
	r.mu.Lock()
	done := r.c != nil && r.rep != nil && r.rep.st.Done && len(r.queue) == 0 && !r.down && !r.orphans && r.err == nil
	r.mu.Unlock()
	if done {
		os.RemoveAll(r.dir) // a leftover is harmless: Sync skips runs whose state says done
	}
}

func newLocalID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// DefaultSpoolDir returns the spool directory used when Config.SpoolDir is
// empty: $MLSTACK_MLFLOW_SPOOL, else <user cache dir>/mlstack/mlflow-spool.
func DefaultSpoolDir() string {
	if d := os.Getenv("MLSTACK_MLFLOW_SPOOL"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "mlstack", "mlflow-spool")
	}
	return filepath.Join(os.TempDir(), "mlstack-mlflow-spool")
}

func nowMS() int64 { return time.Now().UnixMilli() }

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
