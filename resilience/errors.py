"""Errors the CLI turns into a one-line message and exit code 2 (usage or input error)."""


class InputError(Exception):
    """Bad user input: a flag, a file, a region, a scenario. The message is shown as it is."""
