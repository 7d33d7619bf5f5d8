"""Making the candidates of one size from the levels of the smaller sizes.

Every operator hands its candidates to a `Sink` a chunk at a time (about `chunk` array elements,
bounded memory that stays in cache), in the fixed enumeration order: leaves; then per size the
unary operators, the binary ones (in `BINARY` order, smaller left operands first), `if`.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from mipsdsl import expr as E
from mipsdsl.extract.search.candidates import Children, Level, Operand, Values
from mipsdsl.extract.search.grammar import BINARY, LIMIT
from mipsdsl.extract.search.hashing import U64, Signatures
from mipsdsl.extract.search.pairs import Pairing, binary_pairing, blocks, pair_mask
from mipsdsl.extract.search.table import INT

Block = tuple[int, int, int, int]  # rows i0:i1 of the left operands, j0:j1 of the right


class Sink(Protocol):
    """Where candidates go: `offer` a chunk (see `enumerative._Search.offer`); `tick` before
    computing each chunk, so that the budget can end the search."""

    def tick(self) -> None: ...

    def offer(
        self, op: str, sig: np.ndarray, valid: np.ndarray | None, children: Children, values: Values
    ) -> None: ...


class Growth:
    """The enumeration order, operator by operator, with the pairing and overflow rules."""

    def __init__(self, signatures: Signatures, chunk: int, sink: Sink):
        self.signatures = signatures
        self.rows = signatures.rows
        self.chunk = chunk
        self.sink = sink

    def leaves(self, columns: list[np.ndarray], constants: list[int]):
        """Size 1: the columns, then the constants."""
        values = np.stack(columns + [np.full(self.rows, c, dtype=INT) for c in constants])
        valid = (np.abs(values) < LIMIT).all(axis=1)
        self.sink.offer("leaf", self.signatures.of(values), valid, _leaf_ids, values.__getitem__)

    def of_size(self, levels: dict[int, Level], size: int):
        """Every expression of `size` nodes whose operands are in `levels`."""
        self._unary(levels[size - 1].every)
        for op in BINARY:
            for left_size in range(1, size - 1):
                self._binary(op, levels, left_size, size - 1 - left_size)
        for test_size in range(1, size - 2):
            for then_size in range(1, size - 1 - test_size):
                else_size = size - 1 - test_size - then_size
                self._cond(levels[test_size], levels[then_size], levels[else_size])

    def _unary(self, operand: Operand):
        step = max(1, self.chunk // self.rows)
        for op in E.UNARY_OPS:
            for start in range(0, len(operand), step):
                self.sink.tick()
                part = slice(start, start + step)
                ids, source = operand.ids[part], operand.rows(part)
                if op == "neg":  # h(-v) = -h(v): no row is touched
                    sig = -operand.sig[part]
                    self.sink.offer(op, sig, None, _picker(ids), _negated(source))
                    continue
                out = E.apply(op, source)
                self.sink.offer(op, self.signatures.of(out), None, _picker(ids), out.__getitem__)

    def _binary(self, op: str, levels: dict[int, Level], left_size: int, right_size: int):
        operator = E.OPERATORS[op]
        if operator.commutative and left_size > right_size:
            return
        left, right = levels[left_size], levels[right_size]
        if operator.on_truths:  # only the truth patterns matter
            lefts, rights = left.truths, right.truths
        elif operator.partial:
            lefts, rights = left.every, right.divisors
        else:
            lefts, rights = left.every, right.every
        pairing = binary_pairing(op, left_size, right_size)
        linear = op in ("+", "-")
        width = self.signatures.width if linear else self.rows
        for block in blocks(lefts.ids, rights.ids, width, pairing, self.chunk):
            self.sink.tick()
            i0, i1, j0, j1 = block
            valid = pair_mask(lefts.ids[i0:i1], rights.ids[j0:j1], pairing)
            if linear:
                self._linear_pairs(op, lefts, rights, block, valid)
            else:
                self._computed_pairs(op, lefts, rights, block, valid)

    def _computed_pairs(
        self, op: str, left: Operand, right: Operand, block: Block, valid: np.ndarray | None
    ):
        """Every operator but `+` and `-`: computed on the rows, then hashed."""
        i0, i1, j0, j1 = block
        # the table's own function: on truth patterns for logic, bool rows for truth values
        compute = E.OPERATORS[op].numpy
        out = compute(left.rows(slice(i0, i1))[:, None, :], right.rows(slice(j0, j1))[None])
        out = out.reshape(-1, self.rows)
        if op == "*":
            big = np.maximum(np.abs(left.lo[i0:i1]), np.abs(left.hi[i0:i1]))
            bound = big[:, None] * np.maximum(np.abs(right.lo[j0:j1]), np.abs(right.hi[j0:j1]))
            risky = np.flatnonzero(bound.reshape(-1) >= LIMIT)
            if risky.size:
                overflow = (np.abs(out[risky]) >= LIMIT).any(axis=1)
                valid = np.ones(len(out), bool) if valid is None else valid.copy()
                valid[risky[overflow]] = False
        sig = self.signatures.of(out)
        self.sink.offer(op, sig, valid, _pair_ids(left, right, block), out.__getitem__)

    def _linear_pairs(
        self, op: str, left: Operand, right: Operand, block: Block, valid: np.ndarray | None
    ):
        """`+` and `-`: hashes from the operands' hashes; rows only for new candidates."""
        i0, i1, j0, j1 = block
        width = j1 - j0
        sign = 1 if op == "+" else -1
        a_sig, b_sig = left.sig[i0:i1, None, :], right.sig[None, j0:j1, :]
        sig = (a_sig + b_sig if sign > 0 else a_sig - b_sig).reshape(-1, a_sig.shape[-1])
        b_lo, b_hi = (right.lo, right.hi) if sign > 0 else (-right.hi, -right.lo)
        lo = (left.lo[i0:i1, None] + b_lo[None, j0:j1]).reshape(-1)
        hi = (left.hi[i0:i1, None] + b_hi[None, j0:j1]).reshape(-1)

        def values(p: np.ndarray) -> np.ndarray:
            return left.rows(i0 + p // width) + sign * right.rows(j0 + p % width)

        risky = np.flatnonzero((lo <= -LIMIT) | (hi >= LIMIT))
        if risky.size:  # the bounds are loose: look at the rows of those few pairs
            overflow = (np.abs(values(risky)) >= LIMIT).any(axis=1)
            valid = np.ones(len(sig), bool) if valid is None else valid.copy()
            valid[risky[overflow]] = False
        self.sink.offer(op, sig, valid, _pair_ids(left, right, block), values)

    def _cond(self, test_level: Level, then_level: Level, else_level: Level):
        """`if t then a else b` for 0/1 tests t, by the hash identity in `hashing`."""
        tests, then, orelse = test_level.tests, then_level.every, else_level.every
        if not (len(tests) and len(then) and len(orelse)):
            return
        pairing: Pairing | None = "apart" if then_level is else_level else None
        weights, columns = self.signatures.weights, self.signatures.width
        per_test = len(then) * len(orelse) * columns
        # per test: hashing the branches costs (then + else) * rows, pairing them then * else
        step = max(1, self.chunk // max(per_test, (len(then) + len(orelse)) * self.rows))
        for t0 in range(0, len(tests), step):
            self.sink.tick()
            chosen = tests.rows(slice(t0, t0 + step)).astype(U64)[:, :, None]
            then_sig = then.source.view(U64) @ (weights * chosen)
            else_sig = orelse.source.view(U64) @ (weights * (U64(1) - chosen))
            if per_test <= self.chunk:
                whole = (0, len(then), 0, len(orelse))
                self._cond_block(tests, then, orelse, t0, then_sig, else_sig, pairing, whole)
                continue
            for offset in range(len(chosen)):
                for block in blocks(then.ids, orelse.ids, columns, pairing, self.chunk):
                    self.sink.tick()
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

    def _cond_block(
        self,
        tests: Operand,
        then: Operand,
        orelse: Operand,
        t0: int,
        then_sig: np.ndarray,
        else_sig: np.ndarray,
        pairing: Pairing | None,
        block: Block,
    ):
        """One chunk of conditionals: tests t0.. (one per row of then_sig), then/else block."""
        j0, j1, l0, l1 = block
        sig = then_sig[:, j0:j1, None, :] + else_sig[:, None, l0:l1, :]
        count, width_j, width_l = sig.shape[:3]
        sig = sig.reshape(-1, sig.shape[-1])
        valid = pair_mask(then.ids[j0:j1], orelse.ids[l0:l1], pairing)
        if valid is not None:
            valid = np.broadcast_to(valid, (count, width_j * width_l)).reshape(-1)

        def split(p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            t, rest = np.divmod(p, width_j * width_l)
            j, k = np.divmod(rest, width_l)
            return t0 + t, j0 + j, l0 + k

        def children(p: np.ndarray) -> tuple[np.ndarray, ...]:
            t, j, k = split(p)
            return tests.ids[t], then.ids[j], orelse.ids[k]

        def values(p: np.ndarray) -> np.ndarray:
            t, j, k = split(p)
            return np.where(tests.rows(t) != 0, then.rows(j), orelse.rows(k))

        self.sink.offer("cond", sig, valid, children, values)


def _leaf_ids(p: np.ndarray) -> tuple[np.ndarray, ...]:
    """A leaf's one 'operand' is its index among the leaves."""
    return (p,)


def _picker(ids: np.ndarray) -> Children:
    """The children of a unary chunk's candidates: their operands' ids."""
    return lambda p: (ids[p],)


def _negated(source: np.ndarray) -> Values:
    return lambda p: -source[p]


def _pair_ids(left: Operand, right: Operand, block: Block) -> Children:
    """The children of a block of pairs (flattened row-major): the two operands' ids."""
    i0, _, j0, j1 = block
    width = j1 - j0
    return lambda p: (left.ids[i0 + p // width], right.ids[j0 + p % width])
