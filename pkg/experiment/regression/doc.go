// Package regression is the regression trainer: importing it registers
// "regression" with package experiment. It cross-validates
// gradient-boosted regression trees (reg:squarederror; package boosted)
// with the cleaning pipeline fitted inside every fold, over k-fold or
// repeated k-fold, then fits the final model on all rows.
//
// # Rules
//   - The target is numeric; resample.method is none (classes cannot be
//     resampled); validation.method is kfold or repeated_kfold.
//   - metrics.names are among Metrics (rmse, mae, r2).
package regression
