// Package remote runs a study's trials on workers anywhere, through NATS
// JetStream: the nats executor of a search (`train --executor nats://…`,
// `train worker --nats …`).
//
// # The protocol
//
// Two streams, created by whoever connects first (Setup) and shared by
// every search:
//
//   - MLSTACK_TRIALS, a work queue (subjects mlstack.trials.<search>): one
//     message per trial to run — search id, trial number, parameters and
//     the search's spec (the config and where the data is, opaque here).
//     Workers pull from one durable consumer; a worker heartbeats
//     (InProgress) while it trains and acknowledges after its result is
//     stored, so a trial whose worker dies is delivered again after
//     AckWait, and one that kills MaxDeliver workers is failed.
//   - MLSTACK_SEARCH, a log (subjects mlstack.search.<search>.<event>):
//     "asked" (a trial was issued, with its parameters), "result" (how it
//     ended) and "logged" (the coordinator has recorded it, e.g. as an
//     MLflow child run). Every event carries a message id
//     (<search>.<event>.<trial>) so a redelivered trial's second result is
//     dropped by JetStream's duplicate window, and the coordinator ignores
//     results for trials that have already ended.
//
// Pruning asks the coordinator: a worker sends each intermediate value
// as a request on mlstack.prune.<search> and stops when the answer says
// so; when the coordinator does not answer in time the trial goes on.
//
// # Rules
//
// The coordinator is the one writer of the study: it asks the sampler,
// publishes trials, and tells the study each result as it arrives (so TPE
// proposes new trials from the results so far, asynchronously, like
// Optuna with n_jobs). OnTrial runs once per trial, in the coordinator,
// and is recorded by a "logged" event: a coordinator restarted mid-search
// replays the search's events, restores the study, logs what was finished
// but not logged, re-queues trials that were issued but have no result
// (their message id makes the re-queue a no-op while the original is
// still queued), and goes on — no finished trial runs again.
//
// Streams are replicated over min(3, cluster size) servers, so a search
// survives the loss of one node of a three-node cluster; clients connect
// with every node's URL and reconnect.
package remote
