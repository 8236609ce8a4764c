"""Evaluation and training: storymatch measured on public benchmarks, and its scorer fitted.

- SemEval-2022 Task 8: semeval (reading pairs), pair_data (their features, as compare makes them, cached),
  crossval (folds with no article on both sides), training, metrics, semeval_report, baselines;
- PAN text alignment: pan (the corpus layout), plagdet (the measures), synthetic (reuse with exact truth);
- story clustering: story_clustering (a labelled file clustered as a corpus), clustering_scores (B-cubed, ...).
Every figure is printed beside a simple baseline computed in the same run.
"""
