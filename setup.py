"""The optional compiled part of evalmon; everything else is declared in pyproject.toml.

``evalmon.parsers._wholelines`` speeds up the live follower (see its source). It is
optional: where it cannot be compiled, evalmon runs the same logic in Python, only slower.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "evalmon.parsers._wholelines",
            ["evalmon/parsers/_wholelines.c"],
            optional=True,
            extra_compile_args=["-O2"],
        )
    ]
)
