// Package detect is a small single-stage object detector and its
// evaluation: YOLO-format datasets (data.yaml + split/images + split/labels),
// augmentation (horizontal flip, scale), a YOLO-style grid model trained
// with GoMLX, non-max suppression, COCO-style mAP and drawing of boxes.
//
// # Boxes
//
// Boxes are normalised to the image: 0 ≤ X1 ≤ X2 ≤ 1 and 0 ≤ Y1 ≤ Y2 ≤ 1,
// (X1, Y1) the top-left corner. YOLO label files hold "class cx cy w h"
// (normalised centre and size); polygon rows ("class x1 y1 x2 y2 …") are
// read as their bounding box.
//
// # Scores
//
// A detection's score is its objectness times its class probability.
// Training weighs cells with and without an object equally, so the raw
// objectness is the odds of a balanced world; Predict corrects it by the
// prior odds of an object in a cell of the training images (Meta.ObjPrior),
// which makes scores probabilities and a threshold mean what it says.
// Predict keeps detections scoring at least PredictOptions.MinScore, by
// default the model's Meta.ScoreThreshold (Config.ScoreThreshold,
// DefaultScoreThreshold 0.25, Ultralytics' default conf). Evaluation wants
// low-scoring detections too (COCO's AP): pass a low MinScore.
//
// # Evaluation
//
// Evaluate follows pycocotools' COCOeval for bounding boxes with one area
// range ("all") and at most MaxDets detections per image and class:
// greedy matching in score order at the IoU thresholds 0.50:0.05:0.95,
// precision made monotone, sampled at 101 recall points; a class without
// ground truth is left out of the mean. It is checked against pycocotools
// in the tests.
//
// # Errors
//
// Data problems (unreadable images, malformed label rows, a data.yaml
// without classes) are returned as errors naming the file and line.
// Mismatched slice lengths passed by Go code panic with a "detect:" prefix.
// Graph building uses GoMLX, which panics on errors; Train and Predict turn
// those panics into errors.
package detect
