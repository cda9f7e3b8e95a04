package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/mlstack/mlstack/internal/redact"
	"github.com/mlstack/mlstack/pkg/mlflow"
)

// printSyncTable writes what `train sync` did, one run a line.
func printSyncTable(w io.Writer, c *mlflow.Client, spool string, runs []mlflow.SyncedRun) {
	if spool == "" {
		spool = mlflow.DefaultSpoolDir()
	}
	server := redact.URL(c.TrackingURI())
	if len(runs) == 0 {
		fmt.Fprintf(w, "nothing to sync: every run in %s is on a server\n", spool)
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tEXPERIMENT\tNAME\tPOINTS\tARTIFACTS\tMODELS\tSTATUS")
	synced, failed := 0, 0
	for _, r := range runs {
		id := r.RunID
		if id == "" {
			id = "(spool " + r.LocalID + ")"
		}
		if r.Done {
			synced++
		} else if r.Err != nil {
			failed++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%s\n", id, dash(r.Experiment), dash(r.RunName), r.Points, r.Artifacts, r.Models,
			redact.String(r.State()))
	}
	tw.Flush()
	fmt.Fprintf(w, "\n%d of %d runs synced to %s", synced, len(runs), server)
	if failed > 0 {
		fmt.Fprintf(w, "; %d failed (they stay in %s; run `train sync` again)", failed, spool)
	}
	fmt.Fprintln(w)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
