package testenv

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mlstack/mlstack/internal/stack"
)

// NATSCluster is a NATS JetStream cluster of the caller's own on
// loopback (one node: a single server), for tests that stop and restart
// nodes. Its nodes are stopped with the other servers when the test
// binary ends.
type NATSCluster struct {
	Nodes []stack.NATS
	procs []*stack.Process
	logs  []string
}

// NATSBin returns the nats-server binary (scripts/setup-nats.sh builds
// it; MLSTACK_NATS overrides).
func NATSBin(t testing.TB) string {
	t.Helper()
	bin := os.Getenv("MLSTACK_NATS")
	if bin == "" {
		out, err := script("setup-nats.sh", "--path")
		if err != nil {
			Unavailable(t, "cannot locate nats-server: %v", err)
		}
		bin = out
	}
	if _, err := os.Stat(bin); err != nil {
		Unavailable(t, "nats-server binary %s missing: run scripts/setup-nats.sh (make test does)", bin)
	}
	return bin
}

// NATS starts a JetStream cluster of n nodes (n = 1: one server) and
// waits until its meta group has a leader.
func NATS(t testing.TB, n int) *NATSCluster {
	t.Helper()
	SkipShort(t, "a NATS server")
	requireMain(t)
	bin := NATSBin(t)
	d := dir(t, Name("nats"))
	c := &NATSCluster{}
	for i := range n {
		node := stack.NATS{
			Bin: bin, Name: fmt.Sprintf("n%d", i), StoreDir: filepath.Join(d, fmt.Sprintf("n%d", i)),
			Addr:        fmt.Sprintf("127.0.0.1:%d", freePort(t)),
			MonitorAddr: fmt.Sprintf("127.0.0.1:%d", freePort(t)),
		}
		if n > 1 {
			node.Cluster, node.ClusterAddr = "mlstack-test", fmt.Sprintf("127.0.0.1:%d", freePort(t))
		}
		c.Nodes = append(c.Nodes, node)
		c.logs = append(c.logs, filepath.Join(d, node.Name+".log"))
	}
	for i := range c.Nodes {
		for j, o := range c.Nodes {
			if j != i && n > 1 {
				c.Nodes[i].Routes = append(c.Nodes[i].Routes, "nats://"+o.ClusterAddr)
			}
		}
	}
	c.procs = make([]*stack.Process, n)
	for i := range c.Nodes {
		c.Start(t, i)
	}
	for i := range c.Nodes {
		if err := c.Nodes[i].WaitReady(context.Background(), c.procs[i], 60*time.Second); err != nil {
			t.Fatalf("testenv: NATS node %d: %v", i, err)
		}
	}
	return c
}

// URL is the comma-separated client URL of every node, as nats.Connect
// takes it.
func (c *NATSCluster) URL() string {
	urls := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		urls[i] = n.URL()
	}
	return strings.Join(urls, ",")
}

// Start starts node i (again, after Stop).
func (c *NATSCluster) Start(t testing.TB, i int) {
	t.Helper()
	p, err := c.Nodes[i].Start(context.Background(), c.logs[i], false)
	if err != nil {
		t.Fatalf("testenv: start NATS node %d: %v", i, err)
	}
	c.procs[i] = p
	track(p)
}

// Stop stops node i (SIGTERM: a clean shutdown, as an operator would).
func (c *NATSCluster) Stop(t testing.TB, i int) {
	t.Helper()
	untrack(c.procs[i])
	if err := c.procs[i].Stop(10 * time.Second); err != nil {
		t.Logf("stop NATS node %d: %v", i, err)
	}
}

// untrack forgets a server the test stops itself.
func untrack(p *stack.Process) {
	mu.Lock()
	defer mu.Unlock()
	if i := slices.Index(procs, p); i >= 0 {
		procs = slices.Delete(procs, i, i+1)
	}
}
