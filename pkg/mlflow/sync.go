package mlflow

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/mlstack/mlstack/internal/redact"
)

// replayer applies journal records of one spool run to a server and
// records progress in state.json. It is used by the live Run's sender and
// by Sync, so both follow the same exactly-once rules (see doc.go).
type replayer struct {
	c      *Client
	spool  string // spool directory (parent of dir)
	dir    string // run directory
	local  string // local id
	st     spoolState
	models map[int64]*ModelInfo // logged models, by record seq
}

// maxGroup bounds how many metric points one acknowledged step carries.
const maxGroup = 20_000

// apply applies recs (in seq order) that are not yet acknowledged. It
// stops at the first error, having saved the progress made so far.
func (p *replayer) apply(ctx context.Context, recs []record) error {
	for i := 0; i < len(recs); {
		r := recs[i]
		if r.Seq <= p.st.Acked || r.Applied {
			i++
			continue
		}
		last := r.Seq
		var err error
		switch r.Op {
		case "start":
			err = p.start(ctx, r, true)
		case "batch":
			var ms []Metric
			var ps []Param
			var ts []Tag
			seen := map[string]bool{}
			j := i
			for ; j < len(recs) && recs[j].Op == "batch" && len(ms) < maxGroup; j++ {
				if recs[j].Applied {
					continue
				}
				ms = append(ms, recs[j].Metrics...)
				for _, q := range recs[j].Params {
					if !seen[q.Key] {
						seen[q.Key] = true
						ps = append(ps, q)
					}
				}
				ts = append(ts, recs[j].Tags...)
				last = recs[j].Seq
			}
			i = j - 1
			err = p.c.LogBatch(ctx, p.st.RunID, ms, ps, ts)
		case "input":
			err = p.c.LogInputs(ctx, p.st.RunID, r.Inputs...)
		case "artifact":
			var s *ArtifactStore
			var fi os.FileInfo
			file := filepath.Join(p.dir, filepath.FromSlash(r.File))
			if fi, err = os.Stat(file); err == nil {
				if s, err = p.c.RunArtifacts(ctx, p.st.RunID); err == nil {
					err = s.put(ctx, r.Path, blob{path: file, size: fi.Size()})
				}
			}
		case "model":
			var data []byte
			if data, err = os.ReadFile(filepath.Join(p.dir, filepath.FromSlash(r.Dir), "model.json")); err == nil {
				m := *r.Model
				m.JSON = data
				o := r.ModelOpts
				var info *ModelInfo
				info, err = p.c.LogModel(ctx, p.st.RunID, m, LogModelOptions{Name: o.Name, Step: o.Step, Params: o.Params,
					Tags: o.Tags, RegisteredModelName: o.Registered, Alias: o.Alias, Dataset: o.Dataset, spoolID: fmt.Sprintf("%s/%d", p.local, r.Seq)})
				if err == nil {
					if p.models == nil {
						p.models = map[int64]*ModelInfo{}
					}
					p.models[r.Seq] = info
				}
			}
		case "end":
			err = p.c.UpdateRun(ctx, p.st.RunID, UpdateRunOptions{Status: r.Status, EndTime: time.UnixMilli(r.EndMS)})
			if err == nil {
				p.st.Done = true
			}
		default:
			err = fmt.Errorf("mlflow: spool %s: unknown record op %q", p.dir, r.Op)
		}
		if err != nil {
			return fmt.Errorf("mlflow: replaying %s record %d of spool run %s: %w", r.Op, r.Seq, p.local, err)
		}
		p.st.Acked = last
		if err := writeState(p.dir, p.st); err != nil {
			return err
		}
		i++
	}
	return nil
}

// start finds or creates the server run of a spooled run.
// With search, a run created by an earlier, interrupted replay (found by
// its TagSpoolRun tag) is reused.
func (p *replayer) start(ctx context.Context, r record, search bool) error {
	name := r.Experiment
	if name == "" {
		name = "Default"
	}
	exp, err := p.c.GetOrCreateExperiment(ctx, name)
	if err != nil {
		return err
	}
	if err := p.c.ensureKind(ctx, exp); err != nil {
		return err
	}
	var found []RunDetails
	if search {
		found, err = p.c.SearchRuns(ctx, []string{exp.ID}, SearchRunsOptions{
			Filter: "tags.`" + TagSpoolRun + "` = " + quote(p.local), ViewType: "ALL", MaxResults: 1})
		if err != nil {
			return err
		}
	}
	if len(found) > 0 {
		p.st.RunID, p.st.ExperimentID = found[0].Info.RunID, exp.ID
		p.c.rememberArtifactURI(p.st.RunID, found[0].Info.ArtifactURI)
		return nil
	}
	parent := r.ParentRunID
	if r.ParentLocal != "" {
		ps, err := readState(filepath.Join(p.spool, r.ParentLocal))
		if err != nil {
			return err
		}
		if ps.RunID == "" {
			return fmt.Errorf("mlflow: parent spool run %s is not synced yet", r.ParentLocal)
		}
		parent = ps.RunID
	}
	tags := map[string]string{TagSpoolRun: p.local}
	for k, v := range r.RunTags {
		tags[k] = v
	}
	if r.User != "" {
		tags[TagUser] = r.User
	}
	run, err := p.c.CreateRun(ctx, exp.ID, CreateRunOptions{RunName: r.RunName, StartTime: time.UnixMilli(r.StartMS),
		ParentRunID: parent, Tags: tags, NoSystemTags: true})
	if err != nil {
		return err
	}
	p.st.RunID, p.st.ExperimentID = run.Info.RunID, exp.ID
	return nil
}

// SyncedRun reports what Sync did with one spooled run.
type SyncedRun struct {
	LocalID    string // spool directory name
	RunID      string // server run id ("" if the run could not be created)
	Experiment string
	RunName    string
	Applied    int  // records sent by this call
	Points     int  // metric points sent by this call
	Artifacts  int  // artifact files sent by this call
	Models     int  // models sent by this call
	Done       bool // the whole run, end included, is on the server
	// Killed: the journal had no end (its process died, e.g. kill -9);
	// Sync sent what it holds and ended the run as KILLED, at the time
	// of the journal's last write.
	Killed bool
	Busy   bool  // skipped: a live process still writes it
	Err    error // why this run stopped, if it did
}

// State says in a few words what happened to the run.
func (s SyncedRun) State() string {
	switch {
	case s.Busy:
		return "skipped: in use by a running process"
	case s.Err != nil:
		return "failed: " + s.Err.Error()
	case s.Killed:
		return "synced; ended as KILLED (its process died)"
	case s.Done:
		return "synced"
	}
	return "partly synced"
}

// Sync replays every spooled run below spoolDir ("" = DefaultSpoolDir) to
// the server of c, oldest first (so parents precede nested runs). Runs that
// are fully synced are skipped; runs still open in another process are
// reported Busy and skipped. A run whose journal has no end record and
// that no process holds (its process died) is ended as KILLED once its
// data is sent. When the server cannot be reached, Sync stops at the first
// run that fails so and does not try the others. Running Sync again, or
// after a crash midway, sends nothing twice (see doc.go, "Offline
// spool"). The error joins the per-run errors.
func Sync(ctx context.Context, c *Client, spoolDir string) ([]SyncedRun, error) {
	if spoolDir == "" {
		spoolDir = DefaultSpoolDir()
	}
	ents, err := os.ReadDir(spoolDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	type item struct {
		id    string
		start int64
	}
	var items []item
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		st, err := readState(filepath.Join(spoolDir, e.Name()))
		if err != nil || st.Done {
			continue
		}
		info, _ := e.Info()
		var start int64
		if info != nil {
			start = info.ModTime().UnixMilli()
		}
		if recs, err := readJournal(filepath.Join(spoolDir, e.Name())); err == nil && len(recs) > 0 && recs[0].Op == "start" {
			start = recs[0].StartMS
		}
		items = append(items, item{e.Name(), start})
	}
	sort.Slice(items, func(i, j int) bool {
		if items[i].start != items[j].start {
			return items[i].start < items[j].start
		}
		return items[i].id < items[j].id
	})
	var out []SyncedRun
	var errs []error
	for _, it := range items {
		if ctx.Err() != nil {
			errs = append(errs, ctx.Err())
			break
		}
		sr := syncOne(ctx, c, spoolDir, it.id)
		out = append(out, sr)
		if sr.Err != nil {
			errs = append(errs, sr.Err)
			if IsUnavailable(sr.Err) {
				break
			}
		}
	}
	return out, redact.Error(errors.Join(errs...))
}

func syncOne(ctx context.Context, c *Client, spoolDir, id string) SyncedRun {
	dir := filepath.Join(spoolDir, id)
	sr := SyncedRun{LocalID: id}
	lock, err := lockDir(dir)
	if errors.Is(err, errBusy) {
		sr.Busy = true
		return sr
	}
	if err != nil {
		sr.Err = err
		return sr
	}
	defer lock.Close()
	st, err := readState(dir)
	if err != nil {
		sr.Err = err
		return sr
	}
	sr.RunID, sr.Done = st.RunID, st.Done
	if st.Done {
		return sr
	}
	if st.RunID != "" && st.Server != "" && st.Server != c.displayURI() {
		sr.Err = fmt.Errorf("mlflow: spool run %s was partly sent to %s, not %s: sync it there", id, st.Server, c.displayURI())
		return sr
	}
	recs, err := readJournal(dir)
	if err != nil {
		sr.Err = err
		return sr
	}
	ended := false
	for _, r := range recs {
		switch r.Op {
		case "start":
			sr.Experiment, sr.RunName = r.Experiment, r.RunName
		case "end":
			ended = true
		}
	}
	st.Server = c.displayURI()
	p := &replayer{c: c, spool: spoolDir, dir: dir, local: id, st: st}
	before := st.Acked
	sr.Err = p.apply(ctx, recs)
	if sr.Err == nil && !ended && p.st.RunID != "" {
		// We hold the lock, so the process that wrote the run is gone
		// without ending it: end it as KILLED when it last wrote.
		end := time.Now()
		if fi, err := os.Stat(filepath.Join(dir, journalName)); err == nil {
			end = fi.ModTime()
		}
		sr.Err = c.UpdateRun(ctx, p.st.RunID, UpdateRunOptions{Status: StatusKilled, EndTime: end})
		if sr.Err == nil {
			p.st.Done, sr.Killed = true, true
			sr.Err = writeState(dir, p.st)
		}
	}
	for _, r := range recs {
		if r.Seq > before && r.Seq <= p.st.Acked && !r.Applied {
			sr.Applied++
			sr.Points += len(r.Metrics)
			switch r.Op {
			case "artifact":
				sr.Artifacts++
			case "model":
				sr.Models++
			}
		}
	}
	sr.RunID, sr.Done = p.st.RunID, p.st.Done
	return sr
}

// SpoolRun summarizes one spooled run (see InspectSpool).
type SpoolRun struct {
	LocalID    string
	Experiment string
	RunName    string
	RunID      string // server run id once synced (or created online)
	Params     int
	Metrics    int
	Inputs     int // datasets
	Artifacts  int
	Models     int
	Ended      bool  // the journal has its end record
	Done       bool  // the server has everything
	Acked      int64 // last record the server has
	Records    int64 // records in the journal
}

// InspectSpool summarizes the runs below spoolDir, oldest first.
func InspectSpool(spoolDir string) ([]SpoolRun, error) {
	ents, err := os.ReadDir(spoolDir)
	if err != nil {
		return nil, err
	}
	var out []SpoolRun
	var starts []int64
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(spoolDir, e.Name())
		recs, err := readJournal(dir)
		if err != nil {
			return nil, err
		}
		st, err := readState(dir)
		if err != nil {
			return nil, err
		}
		s := SpoolRun{LocalID: e.Name(), RunID: st.RunID, Done: st.Done, Acked: st.Acked}
		var start int64
		for _, r := range recs {
			s.Records = r.Seq
			switch r.Op {
			case "start":
				s.Experiment, s.RunName, start = r.Experiment, r.RunName, r.StartMS
			case "batch":
				s.Params += len(r.Params)
				s.Metrics += len(r.Metrics)
			case "input":
				s.Inputs += len(r.Inputs)
			case "artifact":
				s.Artifacts++
			case "model":
				s.Models++
			case "end":
				s.Ended = true
			}
		}
		out = append(out, s)
		starts = append(starts, start)
	}
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return starts[idx[a]] < starts[idx[b]] })
	sorted := make([]SpoolRun, len(out))
	for i, j := range idx {
		sorted[i] = out[j]
	}
	return sorted, nil
}
