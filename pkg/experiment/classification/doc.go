// Package classification is the classification trainer: importing it
// registers "classification" with package experiment. It cross-validates
// gradient-boosted trees (package boosted: clean → resample → boost fitted
// inside every fold) with repeated stratified folds, then fits the final
// model on all rows and draws the charts.
//
// # Rules
//   - model.params are XGBoost's names (boost.Params); metrics.names are
//     among Metrics; validation.method is stratified.
//   - The target holds text labels (mapped to ids by frame) or class ids
//     0..K-1 with none missing, like XGBClassifier, K ≤ MaxClasses; a
//     sampling_strategy count names a class and is at most
//     MaxSamplingFactor × the rows. CheckData says so before a run opens.
//   - The objective follows the classes: binary:logistic for two,
//     multi:softprob for more, unless model.params.objective says.
package classification
