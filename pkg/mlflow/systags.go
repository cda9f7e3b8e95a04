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

// systemTags returns the tags the Python client's default and git context
// providers set: mlflow.user, mlflow.source.name (the program path),
// mlflow.source.type (LOCAL) and, inside a git checkout,
// mlflow.source.git.commit.
func systemTags(user string) map[string]string {
	t := map[string]string{
		TagUser:       user,
		TagSourceType: "LOCAL",
	}
	if exe, err := os.Executable(); err == nil {
		t[TagSourceName] = exe
	} else if len(os.Args) > 0 {
		t[TagSourceName] = os.Args[0]
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
