"""evalmon: a terminal dashboard for LLM evaluation jobs on GPUs."""

__version__ = "0.1.0"
