"""A helper module shared by two functions through a layer.

Lambda extracts a function's layers into /opt and puts /opt/python on sys.path, so this
file, published at python/greetings.py in the layer, is imported as plain `greetings`.
"""

import os

LAYER_FILE = __file__  # shows where the module was found: under /opt, not the function's code


def greet(name: str) -> str:
    return f"Hello, {name}!"


def farewell(name: str) -> str:
    return f"Goodbye, {name}. See you soon."


def where() -> str:
    """The folder this module was imported from, for the learner to see."""
    return os.path.dirname(LAYER_FILE)
