"""The declarations checked and turned into `Task` fields: task, inputs and their alphabets,
length, generator, data and hints, with the sizes no laptop could handle refused.
"""

from __future__ import annotations

import keyword

from mipsdsl.check.context import INT64_SAFE, MAX_LENGTH, Context, suggest
from mipsdsl.data.dataset import check_size
from mipsdsl.errors import DataError
from mipsdsl.syntax import tree as T
from mipsdsl.task import DataConfig, Generator, GeneratorPart, InputChannel, OutputChannel

MAX_ALPHABET = 1 << 16
MAX_CHANNELS = 64
MAX_DATA_SIZE = 100_000_000

HINTS = {
    "hidden": range(1, 1025),
    "layers": range(1, 9),
    "width": range(1, 4097),
    "encoding": ("onehot", "raw"),
    "head": ("classify", "regress"),
    "transition": ("linear", "mlp"),
}


def single(ctx: Context, by_type, cls, keyword_: str, required: bool = False):
    """The one statement of type `cls`, or None; repeats and a missing required one are errors."""
    found = by_type.get(cls, [])
    for extra in found[1:]:
        ctx.error(
            f"'{keyword_}' is given more than once (first on line {found[0].span.line})",
            extra.span,
        )
    if required and not found:
        ctx.error(f"missing '{keyword_}' statement", None)
    return found[0] if found else None


def check_task_name(ctx: Context, decl: T.TaskDecl) -> None:
    name = decl.name.id
    if keyword.iskeyword(name) or name.startswith("__"):
        ctx.error(
            f"'{name}' cannot be a task name (it would clash in generated Python)",
            decl.name.span,
        )


# ---- inputs ----
def inputs(ctx: Context, decls: list[T.InputDecl]) -> tuple[InputChannel, ...]:
    if not decls:
        ctx.error("missing 'input' statement: a task needs at least one input channel", None)
    channels = []
    for decl in decls:
        values, symbols = _alphabet(ctx, decl.alphabet)
        if decl.pad is not None and abs(decl.pad) >= INT64_SAFE:
            ctx.error("the pad value must lie below 2**62 in size", decl.span)
            values = ()
        for ident in decl.names:
            if not ctx.declare(ident, "an input"):
                continue
            if not values:
                ctx.broken.add(ident.id)
                continue
            ctx.pads[ident.id] = decl.pad or 0
            channels.append(InputChannel(ident.id, values, symbols, decl.pad or 0))
            ctx.channels[ident.id] = channels[-1]
    if len(channels) > MAX_CHANNELS:
        ctx.error(
            f"{len(channels)} input channels is too many (at most {MAX_CHANNELS})",
            decls[-1].span,
        )
    return tuple(channels)


def _alphabet(ctx: Context, alphabet) -> tuple[tuple[int, ...], tuple[str, ...] | None]:
    span = alphabet.span
    if (
        isinstance(alphabet, T.RangeAlphabet)
        and max(abs(alphabet.lo), abs(alphabet.hi)) >= INT64_SAFE
    ):
        ctx.error("alphabet bounds must lie below 2**62 in size", span)
        return (), None
    if isinstance(alphabet, T.RangeAlphabet):
        hi = alphabet.hi + (1 if alphabet.closed else 0)
        if hi <= alphabet.lo:
            shown = f"[{alphabet.lo}, {alphabet.hi}{']' if alphabet.closed else ')'}"
            ctx.error(f"the alphabet {shown} is empty", span)
            return (), None
        if hi - alphabet.lo > MAX_ALPHABET:
            ctx.error(
                f"an alphabet of {hi - alphabet.lo} values is too large "
                f"(at most {MAX_ALPHABET})",
                span,
            )
            return (), None
        if hi - alphabet.lo == 1:
            ctx.warn("the alphabet has a single value: the input carries no information", span)
        return tuple(range(alphabet.lo, hi)), None
    items = alphabet.items
    if any(isinstance(i, int) and abs(i) >= INT64_SAFE for i in items):
        ctx.error("alphabet values must lie below 2**62 in size", span)
        return (), None
    if len(set(items)) != len(items):
        dup = next(i for i in items if items.count(i) > 1)
        ctx.error(f"{dup!r} appears more than once in the alphabet", span)
        return (), None
    kinds = {type(i) for i in items}
    if kinds == {str}:
        for code, char in enumerate(items):
            if ctx.symbols.get(char, code) != code:
                ctx.error(
                    f"the symbol {char!r} stands for {ctx.symbols[char]} in an earlier "
                    f"alphabet but for {code} here; list shared symbols in the same order",
                    span,
                )
            ctx.symbols[char] = code
        return tuple(range(len(items))), tuple(items)
    if kinds != {int}:
        ctx.error("an alphabet is either all integers or all quoted characters, not a mix", span)
        return (), None
    if len(items) > MAX_ALPHABET:
        ctx.error(f"an alphabet of {len(items)} values is too large (at most {MAX_ALPHABET})", span)
        return (), None
    return tuple(sorted(items)), None


# ---- length, generator, data, hints ----
def length(ctx: Context, decl: T.LengthDecl | None) -> tuple[int, int] | None:
    if decl is None:
        return None
    if decl.lo < 1:
        ctx.error("a sequence needs at least one position", decl.span)
        return None
    if decl.lo > decl.hi:
        ctx.error(f"the length range {decl.lo}..{decl.hi} is empty", decl.span)
        return None
    if decl.hi > MAX_LENGTH:
        ctx.error(f"length {decl.hi} is too long (at most {MAX_LENGTH})", decl.span)
        return None
    return decl.lo, decl.hi


def generator(ctx: Context, decl, inputs, length) -> Generator:
    if decl is None:
        return Generator()
    parts = []
    for index, part in enumerate(decl.parts):
        last = index == len(decl.parts) - 1
        if part.length is not None:
            lo, hi = part.length
            if not 1 <= lo <= hi:
                ctx.error(f"a part's length range {lo}..{hi} is empty or zero", part.span)
            elif length and hi > length[1]:
                ctx.error(
                    f"a part of length up to {hi} does not fit sequences of length {length[1]}",
                    part.span,
                )
        if last and part.length is not None and len(decl.parts) > 1:
            ctx.error(
                "the last part fills the rest of the sequence; leave out its 'length'",
                part.span,
            )
        if not last and part.length is None:
            ctx.error("every part but the last needs a 'length'", part.span)
        weights = _weights(ctx, part, inputs) if part.kind == "weighted" else ()
        parts.append(
            GeneratorPart(
                part.kind, part.length if not last or len(decl.parts) == 1 else None, weights
            )
        )
    if len(parts) == 1 and parts[0].length is not None:
        ctx.error(
            "a single part covers the whole sequence; set the sequence length with 'length'",
            decl.parts[0].span,
        )
    return Generator(tuple(parts), decl.without_duplicates)


def _weights(ctx: Context, part: T.Part, inputs) -> tuple[tuple[int, float], ...]:
    weights = []
    for item, weight in part.weights:
        code = ctx.symbols.get(item) if isinstance(item, str) else item
        if code is None:
            ctx.error(f"{item!r} is not a symbol of any input alphabet", part.span)
            continue
        outside = [c.name for c in inputs if code not in c.values]
        if outside:
            ctx.error(
                f"the generator value {item!r} lies outside the alphabet of "
                f"{', '.join(outside)}",
                part.span,
            )
        weights.append((code, weight))
    if weights and sum(w for _, w in weights) <= 0:
        ctx.error("the weights must not all be zero", part.span)
    given = {c for c, w in weights if w > 0}
    for channel in inputs:
        never = [v for v in channel.values if v not in given]
        if never and len(never) < len(channel.values):
            shown = ", ".join(map(str, never[:5])) + (", ..." if len(never) > 5 else "")
            ctx.warn(
                f"the generator never produces {shown} of the alphabet of {channel.name}",
                part.span,
            )
    return tuple(weights)


def data(ctx: Context, decl: T.DataDecl | None) -> DataConfig:
    if decl is None:
        return DataConfig()
    seen: dict[str, T.DataOption] = {}
    values = {}
    before = len(ctx.diagnostics)
    for option in decl.options:
        if option.key in seen:
            ctx.error(f"'{option.key}' is given more than once", option.span)
            continue
        seen[option.key] = option
        value = option.value
        if option.key == "size" and not 1 <= value <= MAX_DATA_SIZE:
            ctx.error(
                f"a data set of {value} sequences is out of range (1 to {MAX_DATA_SIZE})",
                option.span,
            )
        elif option.key == "train" and not 0 < value < 100:
            ctx.error("the training share must lie strictly between 0% and 100%", option.span)
        elif option.key == "seed" and value >= 2**32:
            ctx.error("the seed must be below 2**32", option.span)
        values[option.key] = value
    config = DataConfig()
    config = DataConfig(
        size=int(values.get("size", config.size)),
        train_fraction=values.get("train", config.train_fraction * 100) / 100,
        seed=int(values.get("seed", config.seed)),
    )
    n_train = round(config.size * config.train_fraction)  # as the data set splits it
    if len(ctx.diagnostics) == before and n_train == 0:
        ctx.error(
            f"{config.train_fraction:.0%} of {config.size} sequences leaves none for training",
            (seen.get("train") or seen.get("size") or decl).span,
        )
    return config


def check_memory(
    ctx: Context,
    data: DataConfig,
    length: tuple[int, int],
    inputs: tuple[InputChannel, ...],
    outputs: tuple[OutputChannel, ...],
) -> None:
    try:
        check_size(data.size, length[1], len(inputs) + len(outputs))
    except DataError as exc:
        ctx.error(f"{exc}; lower 'data size'", None)


def hints(ctx: Context, decls: list[T.HintDecl]) -> tuple[tuple[str, int | str], ...]:
    hints = {}
    for decl in decls:
        name, value = decl.name.id, decl.value
        if name not in HINTS:
            ctx.error(f"unknown hint '{name}'{suggest(name, HINTS)}", decl.name.span)
            continue
        if value not in HINTS[name]:
            allowed = HINTS[name]
            shown = (
                f"{allowed.start}..{allowed.stop - 1}"
                if isinstance(allowed, range)
                else ", ".join(map(str, allowed))
            )
            ctx.error(f"hint '{name}' takes {shown}, not {value!r}", decl.span)
            continue
        hints[name] = value
    return tuple(sorted(hints.items()))
