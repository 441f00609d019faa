"""The optional compiled part of evalmon; everything else is declared in pyproject.toml.

``evalmon.parsers._wholelines`` and ``evalmon.sources._quickpass`` speed up the live
follower (see their sources). They are optional: where they cannot be compiled, evalmon runs
the same logic in Python, only slower.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "evalmon.parsers._wholelines",
            ["evalmon/parsers/_wholelines.c"],
            optional=True,
            extra_compile_args=["-O2"],
        ),
        Extension(
            "evalmon.sources._quickpass",
            ["evalmon/sources/_quickpass.c"],
            optional=True,
            extra_compile_args=["-O2"],
        ),
    ]
)
