"""Argument types for the command lines (`mipsc` and its subcommands' modules): numbers within a
range, with a message that names the option."""

from __future__ import annotations

import argparse


def int_in(lo: int, hi: int, what: str):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{what} must be a whole number, not {text!r}"
            ) from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{what} must lie in {lo}..{hi}, not {value}")
        return value

    return parse


def float_in(lo: float, hi: float, what: str):
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a number, not {text!r}") from None
        if not lo <= value <= hi:  # also refuses nan
            raise argparse.ArgumentTypeError(f"{what} must lie in {lo:g}..{hi:g}, not {text}")
        return value

    return parse
