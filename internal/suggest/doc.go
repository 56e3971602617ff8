// Package suggest learns which tags a team applies to customer conversations
// and proposes the most likely tags for new text, with calibrated scores.
//
// Everything runs locally in pure Go: no network access, no model download.
// The only external knowledge is a small table of English word vectors
// (derived from GloVe, see data/NOTICE.md) that ships embedded in the binary;
// it lets the classifier generalise from a handful of examples per tag to
// paraphrases that share no words with them.
//
// The pieces:
//
//   - Train / (*Model).Predict: a one-vs-rest linear classifier (L2-loss SVM
//     trained by dual coordinate descent) over word uni/bigrams, character
//     n-grams and word-vector features, combined (on single-label data) with
//     a multinomial naive Bayes expert over the same n-grams and a linear
//     discriminant expert over the word vectors — a product of experts
//     that folds into one weight matrix, kept as one byte per weight
//     (qmatrix) — plus, when tags have more than 10 examples, a small
//     neural network (mlp.go) whose hidden units see combinations of
//     features, and softmax temperature scaling fitted on a held-out split
//     so that scores are probabilities.
//   - Taxonomy: merged, archived and hierarchical tags are resolved at train
//     and predict time, so a model survives tag renames without retraining.
//   - Index: cosine-similarity search over the same features, used to spot
//     near-duplicate feedback.
//   - EvalMain: the `closeloop eval suggest` command.
package suggest
