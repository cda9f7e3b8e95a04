package mlflow

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

var (
	gitOnce   sync.Once
	gitCommit string
)

// Source types (mlflow.entities.SourceType), the values of mlflow.source.type.
const (
	SourceLocal    = "LOCAL"
	SourceNotebook = "NOTEBOOK"
	SourceJob      = "JOB"
	SourceProject  = "PROJECT"
)

// DefaultSource says where the running program logs from, for the
// mlflow.source.name and mlflow.source.type tags: inside a GoNB notebook
// (GONB_DIR is set) the notebook's path as Jupyter gives it to the kernel
// (JPY_SESSION_NAME), else its directory, with type NOTEBOOK; otherwise
// the program's path with type LOCAL, as the Python client does.
// Config.SourceName overrides it (train gives its config file).
func DefaultSource() (name, sourceType string) {
	if dir := os.Getenv("GONB_DIR"); dir != "" {
		if nb := os.Getenv("JPY_SESSION_NAME"); nb != "" {
			if !filepath.IsAbs(nb) {
				nb = filepath.Join(dir, nb)
			}
			return nb, SourceNotebook
		}
		return dir, SourceNotebook
	}
	if exe, err := os.Executable(); err == nil {
		return exe, SourceLocal
	}
	if len(os.Args) > 0 {
		return os.Args[0], SourceLocal
	}
	return "<unknown>", SourceLocal
}

// systemTags returns the tags the Python client's default and git context
// providers set: mlflow.user, mlflow.source.name and mlflow.source.type
// (DefaultSource) and, inside a git checkout, mlflow.source.git.commit.
func systemTags(user string) map[string]string {
	name, typ := DefaultSource()
	t := map[string]string{
		TagUser:       user,
		TagSourceName: name,
		TagSourceType: typ,
	}
	gitOnce.Do(func() { gitCommit = findGitCommit() })
	if gitCommit != "" {
		t[TagGitCommit] = gitCommit
	}
	return t
}

// findGitCommit returns HEAD of the git checkout holding the working
// directory, read from .git without running git when possible.
func findGitCommit() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		gd := filepath.Join(dir, ".git")
		if st, err := os.Stat(gd); err == nil && st.IsDir() {
			return readHead(gd)
		} else if err == nil {
			// worktree or submodule: fall back to git itself
			out, err := exec.Command("git", "-C", dir, "rev-parse", "HEAD").Output()
			if err != nil {
				return ""
			}
			return strings.TrimSpace(string(out))
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func readHead(gitDir string) string {
	b, err := os.ReadFile(filepath.Join(gitDir, "HEAD"))
	if err != nil {
		return ""
	}
	head := strings.TrimSpace(string(b))
	ref, ok := strings.CutPrefix(head, "ref: ")
	if !ok {
		return head
	}
	if b, err := os.ReadFile(filepath.Join(gitDir, filepath.FromSlash(ref))); err == nil {
		return strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile(filepath.Join(gitDir, "packed-refs")); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) == 2 && f[1] == ref {
				return f[0]
			}
		}
	}
	return ""
}
