package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/mlstack/mlstack/internal/stack"
)

// TestReapStale: the servers of a dead test binary are killed and its
// directory removed; a process in an unrecorded group, or in a recorded
// group but elsewhere (a reused pid), is left alone.
func TestReapStale(t *testing.T) {
	d, err := os.MkdirTemp("", "mlstack-testenv-")
	if err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	done := exec.Command("true")
	if err := done.Run(); err != nil {
		t.Fatal(err)
	}
	start := func(dir string) *exec.Cmd {
		c := exec.Command("sleep", "60")
		c.Dir = dir
		c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		go c.Wait()
		t.Cleanup(func() { c.Process.Kill() })
		return c
	}
	stale := start(d)         // a server of the dead binary
	unrelated := start(d)     // same place, but its group was never recorded
	elsewhere := start(other) // a recorded group number now used elsewhere
	os.WriteFile(filepath.Join(d, "owner"), []byte(strconv.Itoa(done.Process.Pid)), 0o644)
	os.WriteFile(filepath.Join(d, "pgids"), []byte(strconv.Itoa(stale.Process.Pid)+"\n"+strconv.Itoa(elsewhere.Process.Pid)+"\n"), 0o644)

	reapStale()

	deadline := time.Now().Add(5 * time.Second)
	for stack.Alive(stale.Process.Pid) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if stack.Alive(stale.Process.Pid) {
		t.Error("the stale server survived")
	}
	if !stack.Alive(unrelated.Process.Pid) || !stack.Alive(elsewhere.Process.Pid) {
		t.Error("a process that was not the stale binary's server was killed")
	}
	if _, err := os.Stat(d); !os.IsNotExist(err) {
		t.Errorf("stale directory %s not removed: %v", d, err)
	}
}
