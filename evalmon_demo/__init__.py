"""evalmon_demo: `evalmon demo` without a GPU: a simulated Megatron-like inference server
(its GPU memory modelled, so a big batch really runs out of it) and offline lm-eval tasks.

Kept out of the `evalmon` library package: it is the demo's and the tests', not a user's.
"""
