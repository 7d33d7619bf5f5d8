"""mipsdsl: compile declarative sequence-task specs into programs read out of trained RNNs."""

__version__ = "0.1.0"
