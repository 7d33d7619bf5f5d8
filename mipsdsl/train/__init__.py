"""Train: Task -> TrainedRNN, the smallest recurrent network that gets every output right."""

from mipsdsl.train.search import SearchOptions, TrainedRNN, TrainingFailed, train

__all__ = ["SearchOptions", "TrainedRNN", "TrainingFailed", "train"]
