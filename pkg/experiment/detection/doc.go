// Package detection is the object-detection trainer: importing it
// registers "detection" with package experiment, and links GoMLX (through
// pkg/detect) into the program; nothing else in pkg/experiment does.
//
// It trains a small single-stage detector on a YOLO-format dataset:
// data.source is a folder with data.yaml, a zip, or
// roboflow:WORKSPACE/PROJECT/VERSION[/FORMAT] (ROBOFLOW_API_KEY from the
// environment). It reads its own data (experiment.OwnData).
//
// # Rules
//   - No target, cleaning or resampling; the valid split (else train) is
//     evaluated every epoch.
//   - model.params decode into typed parameters (image_size, epochs, ...,
//     backend) by the config decoder; detect's range checks are located at
//     their key.
//   - The model is the best epoch's, by Ultralytics' fitness
//     0.1·mAP@0.5 + 0.9·mAP@0.5:0.95 (the first epoch of the best score);
//     its mAP is reported as one held-out value per metric, no interval.
package detection
