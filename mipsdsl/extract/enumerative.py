"""Exact enumerative integer regression: the smallest IR expression that reproduces a table.

The search is bottom-up by size (IR node count) with observational-equivalence pruning: of all
expressions with the same values on every row of the table only the first one enumerated is kept,
so each size is built only from the distinct value vectors of the smaller sizes. Candidates live as
rows of 2-D int64 arrays (one per size) plus back-pointers; `Expr` trees are rebuilt only for the
winners.

Value vectors are identified by a linear hash, h(v) = sum_r v[r] * w[r] (mod 2**64) for fixed
random w. Linearity gives the hashes of `a + b`, `a - b`, `-a` and `if t then a else b` (t 0/1)
from the operands' hashes, h(if t then a else b) = h_{w*t}(a) + h_{w*(1-t)}(b), without touching
the rows: those operators only evaluate the candidates that turn out to be new. Two different
vectors with one hash (odds about n**2 / 2**64) would only drop the later one; no answer is taken
on trust, each match is checked on the values. Rows where a target is don't-care get their own
hash column with w zeroed there, so one lookup tests a candidate against every target.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from mipsdsl import expr as E

_LIMIT = 2**31  # candidates must keep every value below this in absolute value
_CHUNK = 2**20  # elements in one broadcast operation: bounded memory that stays in cache
_SEED = 0x4D495053
_INT = np.int64
_U64 = np.uint64
_NOBODY = np.iinfo(np.int64).max
# Values of the sizes still to be combined are kept in memory; on wide tables (thousands of rows)
# this, not max_candidates, is what runs out first, and it ends the search like the clock does.
_MAX_STORED_BYTES = 2**29

# `>` and `>=` are `<` and `<=` with the operands swapped, which the enumeration already tries;
# the rebuilt expressions use them where that puts a constant on the right.
_BINARY = tuple(
    op for op in E.ARITHMETIC_OPS + E.COMPARISON_OPS + E.LOGIC_OPS if op not in (">", ">=")
)
_OPS = ("leaf", *E.UNARY_OPS, *_BINARY, "cond")  # a candidate's operator is its index here
_CODE = {op: code for code, op in enumerate(_OPS)}


# Candidate values computed per second (one per table row and candidate, duplicates included) on
# the reference machine, this project's 2-core box (46-73 million in a one-off run on random
# tables of 30 to 2000 rows while it was busy; `benchmarks/regress.py` reports the rate on the
# benchmark's tables as median_work_per_second): what turns a budget in seconds into work.
WORK_PER_SECOND = 60_000_000
WALL_FACTOR = 4  # the clock ends a search only past this many times its nominal seconds


@dataclass(frozen=True)
class RegressionBudget:
    """Limits of one search. `seconds` is nominal: the search computes at most
    seconds * WORK_PER_SECOND candidate values, so that its answer does not depend on how fast or
    how loaded the machine is; the wall clock stops it only at WALL_FACTOR times that."""

    max_size: int = 9  # largest expression, counted in IR nodes
    seconds: float = 5.0  # nominal seconds of work for one search
    max_candidates: int = 5_000_000  # distinct value vectors kept at most

    @property
    def work(self) -> int:
        return int(self.seconds * WORK_PER_SECOND)


@dataclass(frozen=True)
class RegressionResult:
    expressions: tuple[E.Expr | None, ...]  # one per target, None = not found within budget
    candidates: int  # distinct candidate value vectors generated
    seconds: float
    # True unless the budget cut the search short, so that every None above means "no formula up
    # to max_size"; also True when all targets were solved before max_size was reached.
    exhausted: bool
    work: int = 0  # candidate values computed (rows times candidates, duplicates included)


def regress(
    columns: Mapping[str, np.ndarray],
    targets: Sequence[np.ndarray],
    constants: Iterable[int] = (),
    budget: RegressionBudget = RegressionBudget(),
    masks: Sequence[np.ndarray | None] | None = None,
) -> RegressionResult:
    """The smallest expression over `columns` equal to each target (on its mask's rows).

    Leaves are the columns (in the order given), then the constants 0, 1, 2, -1 and `constants`.
    An expression qualifies only if it is defined on every row of the table (no division or
    modulo by zero anywhere) and all its intermediate values stay within |v| < 2**31. Among
    expressions of the smallest size, the first in a fixed enumeration order wins, so equal
    inputs give equal answers.
    """
    if not targets:
        return RegressionResult((), candidates=0, seconds=0.0, exhausted=True)
    return _Search(columns, targets, constants, budget, masks).run()


class _Stop(Exception):
    """Ends the enumeration: all targets solved, or the budget is spent."""

    def __init__(self, complete: bool):
        super().__init__()
        self.complete = complete


class _HashSet:
    """Open-addressing set of uint64 hashes, filled a batch at a time (0 marks an empty slot)."""

    def __init__(self):
        self.size = 0
        self._allocate(16)

    def _allocate(self, bits: int):
        self.bits = bits
        self.table = np.zeros(1 << bits, dtype=_U64)
        self.owner = np.full(1 << bits, _NOBODY, dtype=np.int64)

    def add(self, hashes: np.ndarray) -> np.ndarray:
        """Insert `hashes`; True where one was not present before, nor earlier in the batch."""
        keys = hashes | _U64(1)  # never 0; merging h with h ^ 1 costs 2**-63 of certainty
        while 2 * (self.size + keys.size) > self.table.size:
            old = self.table[self.table != 0]
            self._allocate(self.bits + 1)
            self._insert(old)
        new = self._insert(keys)
        self.size += int(np.count_nonzero(new))
        return new

    def _insert(self, keys: np.ndarray) -> np.ndarray:
        """Linear probing, vectorised: all keys probe together; on a contested empty slot the
        earliest key wins, and equal keys probe in step, so only the first of them is new."""
        table, owner = self.table, self.owner
        wrap = table.size - 1
        slots = (keys >> _U64(64 - self.bits)).astype(np.int64)
        new = np.zeros(keys.size, dtype=bool)
        active = np.flatnonzero(table[slots] != keys)  # most keys are old, found at once
        while active.size:
            at = slots[active]
            found = table[at]
            empty = found == 0
            claimants, claimed = active[empty], at[empty]
            np.minimum.at(owner, claimed, claimants)
            won = owner[claimed] == claimants
            owner[claimed] = _NOBODY
            table[claimed[won]] = keys[claimants[won]]
            new[claimants[won]] = True
            clash = ~empty & (found != keys[active])
            slots[active[clash]] = (at[clash] + 1) & wrap
            # losers of a contest look at the same slot again: it now holds the winner's key
            active = np.concatenate([active[clash], claimants[~won]])
        return new


@dataclass
class _Operand:
    """Candidates of one size (or a subset of them) offered to an operator."""

    ids: np.ndarray  # global candidate ids, ascending
    sig: np.ndarray  # (n, K) hashes
    lo: np.ndarray  # smallest value of each candidate
    hi: np.ndarray  # largest value
    source: np.ndarray  # value rows, shared with the level: int64, or bool truth patterns
    picks: np.ndarray | None = None  # the rows of `source` that are this subset's; None: all

    def rows(self, index: slice | np.ndarray) -> np.ndarray:
        """Values of the candidates at `index`."""
        return self.source[index] if self.picks is None else self.source[self.picks[index]]

    def subset(self, picks: np.ndarray) -> _Operand:
        """Some candidates of a whole level, without copying their values."""
        return _Operand(
            self.ids[picks], self.sig[picks], self.lo[picks], self.hi[picks], self.source, picks
        )

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class _Level:
    """All distinct candidates of one size, and the subsets that some operators take."""

    every: _Operand
    divisors: _Operand  # no zero on any row
    tests: _Operand  # 0/1 and not constant: conditions for `if`
    truths: _Operand  # one candidate per distinct pattern of nonzero rows, as bool values


class _Search:
    def __init__(self, columns, targets, constants, budget: RegressionBudget, masks):
        self.start = time.perf_counter()
        self.budget = budget
        self.names = list(columns)
        self.columns = [np.asarray(columns[name], dtype=_INT) for name in self.names]
        self.targets = [np.asarray(target, dtype=_INT) for target in targets]
        shapes = {array.shape for array in self.columns + self.targets}
        if len(shapes) != 1 or len(next(iter(shapes))) != 1 or not next(iter(shapes))[0]:
            raise ValueError(f"need 1-D columns and targets of one nonzero length, got {shapes}")
        self.rows = next(iter(shapes))[0]
        masks = [None] * len(self.targets) if masks is None else list(masks)
        if len(masks) != len(self.targets):
            raise ValueError("masks must give one entry (or None) per target")
        self.required = [
            np.ones(self.rows, bool) if m is None else np.asarray(m, dtype=bool) for m in masks
        ]
        if any(required.shape != (self.rows,) for required in self.required):
            raise ValueError("each mask must be a bool array with one entry per row")
        self.leaves: list[E.Expr] = [E.Var(name) for name in self.names]
        for value in (0, 1, 2, -1, *constants):
            if E.Const(int(value)) not in self.leaves:
                self.leaves.append(E.Const(int(value)))
        self._prepare_hashes()
        self.seen = _HashSet()
        self.levels: dict[int, _Level] = {}
        self.kept = 0  # candidates kept so far; also the next candidate's id
        self.work = 0  # candidate values computed so far, duplicates included
        self.ops: list[np.ndarray] = []
        self.children: list[np.ndarray] = []
        self.pending: list[tuple[np.ndarray, ...]] = []  # the current level's kept chunks
        self.storing = True
        self.stored_bytes = 0
        self.found: list[int | None] = [None] * len(self.targets)
        self.unsolved = list(range(len(self.targets)))

    def _prepare_hashes(self):
        """Weights: column 0 hashes all rows; one more column per distinct partial mask."""
        rng = np.random.default_rng(_SEED)
        weights = np.frombuffer(rng.bytes(8 * self.rows), dtype=_U64)
        partial: list[bytes] = []
        self.hash_column = []
        for required in self.required:
            if required.all():
                self.hash_column.append(0)
                continue
            key = required.tobytes()
            if key not in partial:
                partial.append(key)
            self.hash_column.append(1 + partial.index(key))
        masks = [np.frombuffer(key, dtype=bool) for key in partial]
        self.weights = np.stack([weights] + [weights * m for m in masks], axis=1)
        self.target_hash = [
            self._hash(target[None, :])[0, column]
            for target, column in zip(self.targets, self.hash_column, strict=True)
        ]

    def _hash(self, values: np.ndarray) -> np.ndarray:
        """(n, K) hashes of the value rows `values` (int64 or bool)."""
        step = max(1, _CHUNK // self.rows)
        if len(values) > step:  # bool rows are widened to uint64 on the way: keep that small
            parts = [self._hash(values[i : i + step]) for i in range(0, len(values), step)]
            return np.concatenate(parts)
        if values.dtype == _INT:
            values = values.view(_U64)
        if self.weights.shape[1] == 1:
            return (values @ self.weights[:, 0])[:, None]
        return values @ self.weights

    # ------------------------------------------------------------ driver

    def run(self) -> RegressionResult:
        complete = True
        try:
            if self.unsolved:
                self._enumerate()
        except _Stop as stop:
            complete = stop.complete
        return RegressionResult(
            expressions=self._rebuild(),
            candidates=self.kept,
            seconds=time.perf_counter() - self.start,
            exhausted=complete,
            work=self.work,
        )

    def _enumerate(self):
        max_size = self.budget.max_size
        self.storing = max_size > 1
        self._offer_leaves()
        if self.storing:
            self.levels[1] = self._close_level()
        for size in range(2, max_size + 1):
            self.storing = size < max_size  # the largest size is never an operand
            self._unary(size)
            for op in _BINARY:
                for left_size in range(1, size - 1):
                    self._binary(op, left_size, size - 1 - left_size)
            for test_size in range(1, size - 2):
                for then_size in range(1, size - 1 - test_size):
                    self._cond(test_size, then_size, size - 1 - test_size - then_size)
            if self.storing:
                self.levels[size] = self._close_level()

    def _tick(self):
        if self.work > self.budget.work:
            raise _Stop(complete=False)
        if time.perf_counter() - self.start > WALL_FACTOR * self.budget.seconds:
            raise _Stop(complete=False)

    def _offer(
        self,
        op: str,
        sig: np.ndarray,
        valid: np.ndarray | None,
        children: Callable[[np.ndarray], tuple[np.ndarray, ...]],
        values: Callable[[np.ndarray], np.ndarray],
    ):
        """Keep the candidates of one chunk whose values are new, and test them on the targets.

        `sig` holds the chunk's hashes in enumeration order, `valid` marks the usable ones;
        `children(positions)` gives their operands' ids and `values(positions)` their values.
        """
        self.work += len(sig) * self.rows
        positions = np.arange(len(sig)) if valid is None else np.flatnonzero(valid)
        if not positions.size:
            return
        positions = positions[self.seen.add(sig[positions, 0])]
        if not positions.size:
            return
        room = self.budget.max_candidates - self.kept
        truncated = positions.size > room
        positions = positions[:room]
        sig = sig[positions]
        self._match(sig, positions, values)
        ids = np.full((positions.size, 3), -1, dtype=np.int64)
        for column, child in enumerate(children(positions)):
            ids[:, column] = child
        self.ops.append(np.full(positions.size, _CODE[op], dtype=np.int8))
        self.children.append(ids)
        if self.storing:  # with what later operators need to know of each candidate
            kept = values(positions).astype(_INT, copy=False)
            truth = kept != 0
            lo, hi = kept.min(axis=1), kept.max(axis=1)
            self.pending.append((kept, sig, lo, hi, truth.all(axis=1), self._hash(truth)[:, 0]))
            self.stored_bytes += kept.nbytes
        self.kept += positions.size
        if not self.unsolved:
            raise _Stop(complete=True)
        if truncated or self.stored_bytes > _MAX_STORED_BYTES:
            raise _Stop(complete=False)

    def _match(self, sig: np.ndarray, positions: np.ndarray, values):
        """Record the first new candidate equal to each unsolved target (on its rows)."""
        for target in list(self.unsolved):
            column, wanted = self.hash_column[target], self.target_hash[target]
            required = self.required[target]
            for hit in np.flatnonzero(sig[:, column] == wanted):
                got = values(positions[hit : hit + 1])[0]
                if np.array_equal(got[required], self.targets[target][required]):
                    self.found[target] = self.kept + int(hit)
                    self.unsolved.remove(target)
                    break

    def _close_level(self) -> _Level:
        """Gather the candidates offered since the last level into the operands of later sizes."""
        empty = (
            np.zeros((0, self.rows), _INT),
            np.zeros((0, self.weights.shape[1]), _U64),
            *(np.zeros(0, dtype) for dtype in (_INT, _INT, bool, _U64)),
        )
        parts = zip(empty, *self.pending, strict=True)
        values, sig, lo, hi, zero_free, truth_hash = (np.concatenate(part) for part in parts)
        self.pending = []
        ids = np.arange(self.kept - len(values), self.kept)
        every = _Operand(ids, sig, lo, hi, values)
        _, first = np.unique(truth_hash, return_index=True)
        patterns = np.sort(first)
        return _Level(
            every=every,
            divisors=every.subset(np.flatnonzero(zero_free)),
            tests=every.subset(np.flatnonzero((lo == 0) & (hi == 1))),
            truths=_Operand(
                ids[patterns], sig[patterns], lo[patterns], hi[patterns], values[patterns] != 0
            ),
        )

    # ------------------------------------------------------------ operators

    def _offer_leaves(self):
        constants = [leaf.value for leaf in self.leaves[len(self.columns) :]]
        values = np.stack(self.columns + [np.full(self.rows, c, dtype=_INT) for c in constants])
        valid = (np.abs(values) < _LIMIT).all(axis=1)
        self._offer("leaf", self._hash(values), valid, lambda p: (p,), lambda p: values[p])

    def _unary(self, size: int):
        operand = self.levels[size - 1].every
        step = max(1, _CHUNK // self.rows)
        for op in E.UNARY_OPS:
            for start in range(0, len(operand), step):
                self._tick()
                part = slice(start, start + step)
                ids, source = operand.ids[part], operand.rows(part)
                if op == "neg":  # h(-v) = -h(v): no row is touched
                    sig = -operand.sig[part]
                    self._offer(op, sig, None, _picker(ids), _negated(source))
                    continue
                out = E.apply(op, source)
                self._offer(op, self._hash(out), None, _picker(ids), out.__getitem__)

    def _operands(self, op: str, left_size: int, right_size: int) -> tuple[_Operand, _Operand]:
        left, right = self.levels[left_size], self.levels[right_size]
        if E.OPERATORS[op].on_truths:  # only the truth patterns matter
            return left.truths, right.truths
        if E.OPERATORS[op].partial:
            return left.every, right.divisors
        return left.every, right.every

    def _binary(self, op: str, left_size: int, right_size: int):
        commutative = E.OPERATORS[op].commutative
        if commutative and left_size > right_size:
            return
        left, right = self._operands(op, left_size, right_size)
        # Same size: a commutative operator takes each unordered pair once; x + x and x * x
        # are new values, but x op x is redundant for every other operator.
        pairing = None
        if left_size == right_size:
            pairing = "upper" if op in ("+", "*") else "strict" if commutative else "apart"
        linear = op in ("+", "-")
        width = self.weights.shape[1] if linear else self.rows
        for i0, i1, j0, j1 in self._blocks(left, right, width, pairing):
            self._tick()
            valid = _pair_mask(left.ids[i0:i1], right.ids[j0:j1], pairing)
            if linear:
                self._linear_pairs(op, left, right, (i0, i1, j0, j1), valid)
            else:
                self._computed_pairs(op, left, right, (i0, i1, j0, j1), valid)

    def _computed_pairs(self, op, left: _Operand, right: _Operand, block, valid):
        i0, i1, j0, j1 = block
        width = j1 - j0
        # the table's own function: on truth patterns for logic, bool rows for truth values
        compute = E.OPERATORS[op].numpy
        out = compute(left.rows(slice(i0, i1))[:, None, :], right.rows(slice(j0, j1))[None])
        out = out.reshape(-1, self.rows)
        if op == "*":
            big = np.maximum(np.abs(left.lo[i0:i1]), np.abs(left.hi[i0:i1]))
            bound = big[:, None] * np.maximum(np.abs(right.lo[j0:j1]), np.abs(right.hi[j0:j1]))
            risky = np.flatnonzero(bound.reshape(-1) >= _LIMIT)
            if risky.size:
                overflow = (np.abs(out[risky]) >= _LIMIT).any(axis=1)
                valid = np.ones(len(out), bool) if valid is None else valid.copy()
                valid[risky[overflow]] = False

        def children(p):
            return left.ids[i0 + p // width], right.ids[j0 + p % width]

        self._offer(op, self._hash(out), valid, children, lambda p: out[p])

    def _linear_pairs(self, op, left: _Operand, right: _Operand, block, valid):
        """`+` and `-`: hashes from the operands' hashes; rows only for new candidates."""
        i0, i1, j0, j1 = block
        width = j1 - j0
        sign = 1 if op == "+" else -1
        a_sig, b_sig = left.sig[i0:i1, None, :], right.sig[None, j0:j1, :]
        sig = (a_sig + b_sig if sign > 0 else a_sig - b_sig).reshape(-1, a_sig.shape[-1])
        b_lo, b_hi = (right.lo, right.hi) if sign > 0 else (-right.hi, -right.lo)
        lo = (left.lo[i0:i1, None] + b_lo[None, j0:j1]).reshape(-1)
        hi = (left.hi[i0:i1, None] + b_hi[None, j0:j1]).reshape(-1)

        def values(p):
            return left.rows(i0 + p // width) + sign * right.rows(j0 + p % width)

        risky = np.flatnonzero((lo <= -_LIMIT) | (hi >= _LIMIT))
        if risky.size:  # the bounds are loose: look at the rows of those few pairs
            overflow = (np.abs(values(risky)) >= _LIMIT).any(axis=1)
            valid = np.ones(len(sig), bool) if valid is None else valid.copy()
            valid[risky[overflow]] = False

        def children(p):
            return left.ids[i0 + p // width], right.ids[j0 + p % width]

        self._offer(op, sig, valid, children, values)

    def _cond(self, test_size: int, then_size: int, else_size: int):
        """`if t then a else b` for 0/1 tests t, by the hash identity in the module docstring."""
        tests = self.levels[test_size].tests
        then, orelse = self.levels[then_size].every, self.levels[else_size].every
        if not (len(tests) and len(then) and len(orelse)):
            return
        pairing = "apart" if then_size == else_size else None
        columns = self.weights.shape[1]
        per_test = len(then) * len(orelse) * columns
        # per test: hashing the branches costs (then + else) * rows, pairing them then * else
        step = max(1, _CHUNK // max(per_test, (len(then) + len(orelse)) * self.rows))
        for t0 in range(0, len(tests), step):
            self._tick()
            chosen = tests.rows(slice(t0, t0 + step)).astype(_U64)[:, :, None]
            then_sig = then.source.view(_U64) @ (self.weights * chosen)
            else_sig = orelse.source.view(_U64) @ (self.weights * (_U64(1) - chosen))
            if per_test <= _CHUNK:
                self._cond_block(tests, then, orelse, t0, then_sig, else_sig, pairing, None)
                continue
            for offset in range(len(chosen)):
                for block in self._blocks(then, orelse, columns, pairing):
                    self._tick()
                    self._cond_block(
                        tests,
                        then,
                        orelse,
                        t0 + offset,
                        then_sig[offset : offset + 1],
                        else_sig[offset : offset + 1],
                        pairing,
                        block,
                    )

    def _cond_block(self, tests, then, orelse, t0, then_sig, else_sig, pairing, block):
        """One chunk of conditionals: tests t0.. (one per row of then_sig), then/else block."""
        j0, j1, l0, l1 = block if block is not None else (0, len(then), 0, len(orelse))
        sig = then_sig[:, j0:j1, None, :] + else_sig[:, None, l0:l1, :]
        count, width_j, width_l = sig.shape[:3]
        sig = sig.reshape(-1, sig.shape[-1])
        valid = _pair_mask(then.ids[j0:j1], orelse.ids[l0:l1], pairing)
        if valid is not None:
            valid = np.broadcast_to(valid, (count, width_j * width_l)).reshape(-1)

        def split(p):
            t, rest = np.divmod(p, width_j * width_l)
            j, k = np.divmod(rest, width_l)
            return t0 + t, j0 + j, l0 + k

        def children(p):
            t, j, k = split(p)
            return tests.ids[t], then.ids[j], orelse.ids[k]

        def values(p):
            t, j, k = split(p)
            return np.where(tests.rows(t) != 0, then.rows(j), orelse.rows(k))

        self._offer("cond", sig, valid, children, values)

    def _blocks(
        self, left: _Operand, right: _Operand, width: int, pairing: str | None
    ) -> Iterator[tuple[int, int, int, int]]:
        """Blocks (i0, i1, j0, j1) covering the pairs in row-major order, each about _CHUNK
        elements (`width` per pair); a triangular pairing skips the half it excludes."""
        cap = max(1, _CHUNK // width)
        i = 0
        while i < len(left):
            j0 = 0
            if pairing in ("upper", "strict"):
                side: Literal["left", "right"] = "left" if pairing == "upper" else "right"
                j0 = int(np.searchsorted(right.ids, left.ids[i], side=side))
            span = len(right) - j0
            if span <= 0:
                return  # triangular: later rows start later still
            if span > cap:
                for j in range(j0, len(right), cap):
                    yield i, i + 1, j, min(j + cap, len(right))
                i += 1
                continue
            i1 = min(len(left), i + max(1, cap // span))
            yield i, i1, j0, len(right)
            i = i1

    # ------------------------------------------------------------ rebuilding

    def _rebuild(self) -> tuple[E.Expr | None, ...]:
        if not self.ops:
            return tuple(None for _ in self.targets)
        ops = np.concatenate(self.ops)
        children = np.concatenate(self.children)
        built: dict[int, E.Expr] = {}

        def build(index: int) -> E.Expr:
            if index in built:
                return built[index]
            op = _OPS[ops[index]]
            kids = children[index]
            if op == "leaf":
                e = self.leaves[kids[0]]
            elif op in E.UNARY_OPS:
                e = E.Unary(op, build(kids[0]))
            elif op == "cond":
                e = E.Cond(build(kids[0]), build(kids[1]), build(kids[2]))
            else:
                e = _binary_node(op, build(kids[0]), build(kids[1]))
            built[index] = e
            return e

        return tuple(None if index is None else build(index) for index in self.found)


def _pair_mask(left_ids: np.ndarray, right_ids: np.ndarray, pairing: str | None):
    """Which pairs of a block to keep (flattened row-major), or None for all."""
    if pairing is None:
        return None
    compare = {"upper": np.less_equal, "strict": np.less, "apart": np.not_equal}[pairing]
    return compare(left_ids[:, None], right_ids[None, :]).reshape(-1)


def _binary_node(op: str, left: E.Expr, right: E.Expr) -> E.Binary:
    """The node, written with a lone constant on the right (`x + 1`, `x > 0`) when that is
    the same value."""
    flipped = E.OPERATORS[op].flipped
    if isinstance(left, E.Const) and not isinstance(right, E.Const) and flipped is not None:
        return E.Binary(flipped, right, left)
    return E.Binary(op, left, right)


def _picker(ids: np.ndarray) -> Callable[[np.ndarray], tuple[np.ndarray, ...]]:
    """The children of a unary chunk's candidates: their operands' ids."""
    return lambda p: (ids[p],)


def _negated(source: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    return lambda p: -source[p]
