"""Train: Task -> TrainedRNN, the smallest recurrent network that gets every output right.

The search is `mipsdsl.train.search.train`; its options and cache key, which need no torch, are in
`mipsdsl.train.options`.
"""
