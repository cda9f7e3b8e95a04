// Command ingest fetches a dataset (a built-in sample, a Kaggle dataset, a
// URL or a local file), checks that every CSV parses, and uploads it with a
// manifest to object storage (MinIO/S3, or a local folder). It is the
// compose stack's one-shot service.
//
// Usage:
//
//	ingest [--source SRC] [--bucket B] [--prefix P] [flags]
//
//	SRC: sample:diabetes | kaggle:owner/dataset[/file] | https://… | ./local.csv
//
// Defaults come from DATASET_SOURCE, BUCKET_DATA, BUCKET_MLFLOW and
// DATASET_PREFIX; storage from the variables documented in pkg/storage;
// Kaggle credentials from KAGGLE_API_TOKEN, KAGGLE_USERNAME + KAGGLE_KEY or
// ~/.kaggle. Exit status: 0 done, 1 failure, 2 usage error, 3 internal
// error (a bug: the message names the file holding the stack).
//
// Limits: --max-bytes bounds the download and what an archive may extract
// (its declared total is checked before anything is written); a download
// slower than --min-rate over any --idle-timeout window is abandoned; the
// whole run has a deadline (--timeout); a 200 answer that is a web page or
// JSON (a login or error page) is refused. Secrets in URLs (user:password@,
// ?api_key=…) are redacted from every message and from the manifest.
//
// Rules: nothing is uploaded unless every CSV of the source parses; each
// object appears complete or not at all; an object whose SHA-256 already
// matches is not uploaded again; the manifest (<prefix>manifest.json) is
// written last.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
