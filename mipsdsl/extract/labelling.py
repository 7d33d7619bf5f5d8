"""From a state machine's tables to formulas: label the states with integers, then regress.

A minimal machine's states are anonymous. Whether its tables become short formulas depends on the
integers the states are given (a mod-3 counter is `s = (s + x) % 3` only when its states are
numbered along the cycle) and on how the state is split into variables (a shift register of the
last inputs, or two smaller variables). Several labellings are tried, each table is handed to
the exact regression, and the labelling with the smallest formulas wins:

- the value an output takes on entering each state, when that identifies the state (`y = s`);
- breadth-first numbering, and every numbering when there are at most `PERMUTED_STATES` states;
- the last k inputs (k = 1..`MAX_REGISTER`), when they determine the outputs;
- a counter: each input symbol moves the label by a fixed step (+1, -1 or 0) wherever it can;
- the position beside an output's entry value, where the two tell the states apart (the
  position of the latest 1 is a register of the position);
- variables side by side, when the machine is a product of smaller ones (a count modulo 3
  beside whether the last input was 0; one flag per symbol seen): tried last.

Where the outputs over the state before the step and the input have no formula, they are
regressed over the state after it too (how many flags are set).

A network trained on length L keeps a counter only as far as L needs it: its machine's chain ends
in a state no formula continues (balanced parentheses: depth 5 and one more '(' go to the dead
state, as no prefix that deep can close within 10 inputs). When the counter's tables give no
formula, they are regressed again with the transitions of the states reached last left open (the
latest first), and a formula found that way is kept only if it agrees with the machine on every
input sequence up to the trained length: on the inputs the network was trained for it is the
network's machine, and beyond them it continues the counter rather than the cut-off.

When no labelling gives formulas, the machine itself becomes the program: a decision tree over the
state number and the inputs. That program is correct (it is the verified machine) but it is a
table, not a formula, and the result says so.

Each labelling, and the table, is a mechanism that can be switched off (`mechanisms`); the
winner's are recorded, with those its regression used.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from mipsdsl import expr as E
from mipsdsl.extract import ExtractionError, fresh, mechanisms
from mipsdsl.extract.assemble import Formulas, StateVariable
from mipsdsl.extract.enumerative import WORK_PER_SECOND, RegressionBudget, regress
from mipsdsl.extract.fsm import StateMachine, reachable
from mipsdsl.extract.membership import with_membership
from mipsdsl.extract.sampling import on_growing_sample
from mipsdsl.extract.tables import note_moduli, with_moduli

Regressor = Callable  # enumerative.regress or a backend with its contract

PERMUTED_STATES = 4  # up to this many states, every numbering is tried
FACTORED_STATES = (4, 16)  # machines this large are also tried as products
MAX_FACTORINGS = 4  # products of two tried, fewest blocks first
NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}
MAX_PARTITIONS = 64  # partitions with the substitution property collected at most
MAX_REGISTER = 3  # longest input history tried as state
MAX_REGISTER_STATES = 20_000  # (history, state) pairs explored when checking a register
MAX_COUNTER_SYMBOLS = 4  # input symbols up to which every counter step assignment is tried
EXTRAPOLATED_LAYERS = 3  # how many of the latest-reached layers of states may be left open
MAX_AGREEMENT_PAIRS = 100_000  # (machine state, label) pairs explored when checking agreement


@dataclass(frozen=True)
class Labelled:
    formulas: Formulas
    method: str  # how the state was labelled, e.g. "entry value of y", "last 2 inputs"
    symbolic: bool  # False: a table-driven program (decision tree over the state number)
    tried: tuple[str, ...]  # every labelling tried, with its outcome


def formulas_for(
    machine: StateMachine,
    inputs: Sequence[str],
    outputs: Sequence[str],
    seconds: float = 20.0,
    max_size: int = 9,
    regressor: Regressor = regress,
    length: int | None = None,
) -> Labelled:
    """The smallest formulas found for the machine within `seconds` (nominal seconds of search,
    see RegressionBudget), or its decision-tree table (ExtractionError when that is switched
    off). `length`: the longest input the network was trained on, beyond which a counter's
    formulas may continue its chain (None: never).

    `regressor` has the contract of `enumerative.regress` (the default)."""
    left = seconds
    best, tried = None, []
    regressor = with_membership(on_growing_sample(regressor))
    for needs, method, candidate in _candidates(machine, inputs, outputs, length):
        if left <= 0:
            tried.append(f"{method}: not tried (regression budget spent)")
            continue
        budget = RegressionBudget(max_size=max_size, seconds=min(left, seconds / 3))
        spent: list[float] = []

        def counted(*args, budget=budget, spent=spent, **kwargs):
            result = regressor(*args, budget=budget, **kwargs)
            spent.append(result.work / WORK_PER_SECOND if result.work else result.seconds)
            return result

        with mechanisms.recording() as used:
            formulas = candidate(counted)
        left -= sum(spent)
        if formulas is None:
            tried.append(f"{method}: no formulas within the budget")
            continue
        tried.append(f"{method}: formulas of {formulas.size()} nodes")
        if best is None or formulas.size() < best[1].size():
            best = (method, formulas, (*needs, *used))
    if best is not None:
        mechanisms.use(*best[2])
        return Labelled(best[1], best[0], True, tuple(tried))
    if not mechanisms.on("state-table"):
        raise ExtractionError("no labelling of the machine gives formulas within the budget")
    mechanisms.use("state-table")
    return Labelled(table_formulas(machine, inputs, outputs), "state table", False, tuple(tried))


# ---------------------------------------------------------------- candidates


def _candidates(machine, inputs, outputs, length):
    """(mechanisms, description, budget -> Formulas | None) for every labelling worth trying and
    not switched off, cheap first."""
    if machine.states == 1:
        yield (), "no state", lambda search: _single_variable(
            machine, inputs, outputs, None, search
        )
        return
    for k in range(1, MAX_REGISTER + 1) if mechanisms.on("register-labels") else ():
        table = _register_table(machine, k)
        if table is not None:
            for start in _register_starts(machine):
                description = f"the last {k} input{'s' if k > 1 else ''} (from {start})"
                needs = ("register-labels",) + (("register-start-below",) if start else ())
                yield needs, description, (
                    lambda search, t=table, k=k, start=start: _register(
                        machine, t, k, start, inputs, outputs, search
                    )
                )
            break
    labellings = {}
    for o, name in enumerate(outputs) if mechanisms.on("entry-labels") else ():
        entry = _entry_labels(machine, o)
        if entry is not None:
            labellings.setdefault(
                tuple(entry), ("entry-labels", f"the value of {name} on entering a state")
            )
    if mechanisms.on("breadth-first-labels"):
        labellings.setdefault(
            tuple(range(machine.states)), ("breadth-first-labels", "breadth-first state numbers")
        )
    if machine.states <= PERMUTED_STATES and mechanisms.on("permuted-labels"):
        for perm in itertools.permutations(range(machine.states)):
            labellings.setdefault(perm, ("permuted-labels", f"state numbers {perm}"))
    for labels, (mechanism, description) in labellings.items():
        labels = np.asarray(labels, dtype=np.int64)
        yield (mechanism,), description, (
            lambda search, labels=labels: _single_variable(machine, inputs, outputs, labels, search)
        )
    counter = _counter_labels(machine) if mechanisms.on("counter-labels") else None
    if counter is not None:  # continued even where its labels are another labelling's
        tried = tuple(counter[0]) in labellings
        yield from _counter_candidates(machine, inputs, outputs, *counter, length, tried)
    if mechanisms.on("position-labels"):
        yield from _position_candidates(machine, inputs, outputs, length)
    factorings = _factorings(machine) if mechanisms.on("side-by-side") else []
    for factors in factorings:  # last: every one-variable labelling goes first
        shape = " x ".join(str(max(labels) + 1) for labels in factors)
        count = NUMBER_WORDS.get(len(factors), str(len(factors)))
        yield ("side-by-side",), f"{count} variables side by side ({shape} values)", (
            lambda search, factors=factors: _state_variables(
                machine, inputs, outputs, factors, search
            )
        )


def _entry_labels(machine: StateMachine, o: int) -> list[int] | None:
    """Each state's label = output o on every transition into it, if that is one value per state
    and different states get different values; the initial state, if never re-entered, gets 0
    (or one below the smallest label when 0 is taken)."""
    entry: dict[int, set[int]] = {}
    for s in range(machine.states):
        for i in range(machine.next_state.shape[1]):
            entry.setdefault(int(machine.next_state[s, i]), set()).add(int(machine.output[s, i, o]))
    labels = {}
    for s, values in entry.items():
        if len(values) != 1:
            return None
        labels[s] = values.pop()
    if len(set(labels.values())) != len(labels):
        return None
    if machine.initial not in labels:
        used = set(labels.values())
        labels[machine.initial] = 0 if 0 not in used else min(used) - 1
    return [labels[s] for s in range(machine.states)]


def _single_variable(machine, inputs, outputs, labels, search, open_states=None):
    """One state variable `s` holding `labels[state]` (no state at all when labels is None);
    the transitions out of `open_states` (a mask over states) may go anywhere."""
    labellings = [] if labels is None else [labels]
    return _state_variables(machine, inputs, outputs, labellings, search, open_states)


def _state_variables(machine, inputs, outputs, labellings, search, open_states=None):
    """A state variable per labelling (`s`, `s_2`, ...), the k-th holding `labellings[k][state]`:
    every output and next label regressed over them and the inputs."""
    symbols = machine.symbols
    state_rows, symbol_rows = _rows(machine)
    taken = set(inputs) | set(outputs)
    names = [fresh("s", taken) for _ in labellings]
    columns = {name: labels[state_rows] for name, labels in zip(names, labellings, strict=True)}
    columns.update({name: symbols[symbol_rows, c] for c, name in enumerate(inputs)})
    targets = [machine.output[state_rows, symbol_rows, o] for o in range(len(outputs))]
    successors = machine.next_state[state_rows, symbol_rows]
    targets += [labels[successors] for labels in labellings]
    drawn = [_constants(machine, labels) for labels in labellings or [None]]
    values = set().union(*(values for values, _ in drawn))
    moduli = set().union(*(moduli for _, moduli in drawn))
    constants = with_moduli(values, moduli)
    if open_states is None:
        result = search(columns, targets, constants)
    else:
        closed = ~open_states[state_rows]
        result = search(columns, targets, constants, masks=[closed] * len(targets))
    found = list(result.expressions)
    read_new = False
    if open_states is None and None in found[: len(outputs)] and None not in found[len(outputs) :]:
        # the outputs over the state after the step (the number of flags set, where over the
        # flags before it and the input each flag's change is a term of its own)
        after = {name: labels[successors] for name, labels in zip(names, labellings, strict=True)}
        after.update({name: columns[name] for name in inputs})
        found[: len(outputs)] = search(after, targets[: len(outputs)], constants).expressions
        read_new = True
    if any(e is None for e in found):
        return None
    note_moduli(found, values, moduli)
    states = tuple(
        StateVariable(name, int(labels[machine.initial]), update)
        for name, labels, update in zip(names, labellings, found[len(outputs) :], strict=True)
    )
    outputs_found = tuple(zip(outputs, found[: len(outputs)], strict=True))
    return Formulas(tuple(inputs), states, outputs_found, outputs_read_new=read_new)


def _constants(machine: StateMachine, labels) -> tuple[set[int], set[int]]:
    """Constants the regression may use: table sizes and the outputs' and labels' extremes; and
    the moduli, one past the largest output and label (base-7 digits are `% 7`)."""
    values = {machine.states, len(machine.symbols)}
    top = int(machine.output.max())
    values |= {int(machine.output.min()), top}
    moduli = {top + 1}
    if labels is not None:
        values |= {int(labels.min()), int(labels.max())}
        moduli.add(int(labels.max()) + 1)
    return values, moduli


# ---------------------------------------------------------------- products


def _factorings(machine: StateMachine) -> list[list[np.ndarray]]:
    """The machine as smaller machines run side by side, each a list of labellings (one per
    variable): every pair of `_factor_pairs`, and before it the same pair with its larger
    partition split again while its quotient machine is itself a product (four flags, not one
    flag beside the other three numbered 0..7)."""
    found: dict[tuple, list[np.ndarray]] = {}
    for u, v in _factor_pairs(machine):
        for factors in ([u, *_refined(machine, v)], [u, v]):
            found.setdefault(tuple(sorted(tuple(labels) for labels in factors)), factors)
    return list(found.values())


def _factor_pairs(machine: StateMachine) -> list[tuple[np.ndarray, np.ndarray]]:
    """Pairs of partitions of the states with the substitution property (states in one block go
    to one block on every input) whose blocks together tell every state apart (Hartmanis and
    Stearns). Each partition labels the states by block number; fewest values first, at most
    `MAX_FACTORINGS` pairs."""
    n = machine.states
    if not FACTORED_STATES[0] <= n <= FACTORED_STATES[1]:
        return []
    partitions = _substitution_partitions(machine)
    pairs = [
        (np.asarray(u), np.asarray(v))
        for i, u in enumerate(partitions)
        for v in partitions[i + 1 :]
        if len(set(zip(u, v, strict=True))) == n
    ]
    pairs.sort(key=lambda pair: ((max(pair[0]) + 1) * (max(pair[1]) + 1), max(pair[0])))
    return pairs[:MAX_FACTORINGS]


def _refined(machine: StateMachine, labels: np.ndarray) -> list[np.ndarray]:
    """A partition with the substitution property as labellings of smaller variables that
    together tell its blocks apart: split by the first product of its quotient machine (the
    machine of its blocks) whose every pair of values is a block, recursively; `[labels]` where
    the quotient is no such product (two variables of 8 values each for 10 blocks are no
    smaller)."""
    blocks = int(labels.max()) + 1
    representative = np.zeros(blocks, dtype=np.int64)
    representative[labels] = np.arange(machine.states)
    quotient = StateMachine(
        machine.alphabets,
        int(labels[machine.initial]),
        labels[machine.next_state[representative]],
        np.zeros((blocks, machine.next_state.shape[1], 0), dtype=np.int64),  # no outputs
    )
    exact = [(u, v) for u, v in _factor_pairs(quotient) if (u.max() + 1) * (v.max() + 1) == blocks]
    if not exact:
        return [labels]
    u, v = exact[0]
    return [u[labels], *_refined(machine, v[labels])]


def _substitution_partitions(machine: StateMachine) -> list[tuple[int, ...]]:
    """Non-trivial partitions with the substitution property, up to `MAX_PARTITIONS`: the
    closures of each pair of states, and their joins with further pairs (a join of two such
    partitions has the property too)."""
    trivial = (0,) * machine.states
    pairs = [(p, q) for p in range(machine.states) for q in range(p)]
    found = {_closure(machine, [pair]) for pair in pairs}
    frontier = set(found)
    while frontier and len(found) < MAX_PARTITIONS:
        joined = {_closure(machine, _pairs(a) + [pair]) for a in frontier for pair in pairs}
        frontier = joined - found
        found |= frontier
    return sorted(found - {trivial}, key=lambda labels: (max(labels), labels))[:MAX_PARTITIONS]


def _pairs(labels: tuple[int, ...]) -> list[tuple[int, int]]:
    """Pairs of states that put together give the partition `labels`."""
    first: dict[int, int] = {}
    pairs = []
    for state, block in enumerate(labels):
        if block in first:
            pairs.append((first[block], state))
        first.setdefault(block, state)
    return pairs


def _closure(machine: StateMachine, together: list[tuple[int, int]]) -> tuple[int, ...]:
    """The finest partition with the substitution property that puts each pair in `together`
    in one block, as block numbers in order of first reach from the initial state."""
    parent = list(range(machine.states))

    def find(s: int) -> int:
        while parent[s] != s:
            parent[s] = parent[parent[s]]
            s = parent[s]
        return s

    pending = list(together)
    while pending:  # Hopcroft and Karp: a merged pair's successors are merged too
        x, y = pending.pop()
        a, b = find(x), find(y)
        if a == b:
            continue
        parent[a] = b
        for i in range(machine.next_state.shape[1]):
            pending.append((int(machine.next_state[x, i]), int(machine.next_state[y, i])))
    blocks: dict[int, int] = {}
    reached = [int(state) for state in reachable(machine)]
    for state in reached + [s for s in range(machine.states) if s not in reached]:
        blocks.setdefault(find(state), len(blocks))
    return tuple(blocks[find(s)] for s in range(machine.states))


# ---------------------------------------------------------------- counters


def _counter_labels(machine: StateMachine) -> tuple[np.ndarray, tuple[int, ...]] | None:
    """Labels that each input symbol moves by a fixed step (+1, -1 or 0) wherever it can, and
    those steps: spread breadth-first from the initial state (0), for every assignment of steps
    (up to `MAX_COUNTER_SYMBOLS` symbols); the distinct labelling that most transitions agree
    with, if any is, one without negative labels where that ties."""
    n_symbols = machine.next_state.shape[1]
    if n_symbols > MAX_COUNTER_SYMBOLS:
        return None
    best = None
    for steps in itertools.product((1, -1, 0), repeat=n_symbols):
        if not any(steps):
            continue
        labels = {machine.initial: 0}
        queue = [machine.initial]
        for state in queue:
            for i, step in enumerate(steps):
                successor = int(machine.next_state[state, i])
                if successor not in labels:
                    labels[successor] = labels[state] + step
                    queue.append(successor)
        if len(set(labels.values())) != machine.states:
            continue
        array = np.asarray([labels[s] for s in range(machine.states)], dtype=np.int64)
        agreeing = int((array[machine.next_state] == array[:, None] + np.asarray(steps)).sum())
        score = (agreeing, int(array.min()) >= 0)  # on a tie, a count up from 0
        if best is None or score > best[0]:
            best = (score, array, steps)
    return None if best is None else (best[1], best[2])


def _counter_candidates(machine, inputs, outputs, labels, steps, length, tried=False):
    """The counter labelling over every transition (unless `tried` already under another name),
    then with the latest-reached layers of states left open (fewest first), where the trained
    length is known: while the counter has no formulas, or where the latest layer is first
    reached at the last trained position, so that the machine's transitions out of it were
    never trained (a count since the last reset, which the network stops at the length). A
    generator read lazily: each candidate has run before the next one is asked for."""
    closed, continued = [], []  # the formulas each kind of candidate found so far

    def attempt(search):
        closed.append(_single_variable(machine, inputs, outputs, labels, search))
        return closed[-1]

    def attempt_continued(search, open_states):
        formulas = _continued(machine, inputs, outputs, labels, open_states, length, search)
        continued.append(formulas)
        return formulas

    if not tried:
        yield ("counter-labels",), f"a counter stepping {steps} on the input symbols", attempt
    if length is None or not mechanisms.on("counter-continuation"):
        return
    reach = _reach_times(machine)
    untrained = int(reach.max()) >= length - 1  # no trained input leaves the latest states
    for first in sorted(set(reach.tolist()) - {0}, reverse=True)[:EXTRAPOLATED_LAYERS]:
        if any(f is not None for f in continued):
            return
        if not untrained and (tried or any(f is not None for f in closed)):
            return
        description = (
            f"a counter stepping {steps} on the input symbols, continued past the states first "
            f"reached at step {first} (it agrees with the machine up to length {length})"
        )
        yield ("counter-labels", "counter-continuation"), description, (
            lambda search, open_states=reach >= first: attempt_continued(search, open_states)
        )


def _continued(machine, inputs, outputs, labels, open_states, length, search):
    """Counter formulas free on the transitions out of `open_states`, if they agree with the
    machine on every input sequence up to `length`."""
    formulas = _single_variable(machine, inputs, outputs, labels, search, open_states)
    if formulas is None or not _agrees_up_to(machine, formulas, length):
        return None
    return formulas


def _reach_times(machine: StateMachine) -> np.ndarray:
    """The fewest inputs that lead from the initial state to each state."""
    reach = np.full(machine.states, -1, dtype=np.int64)
    reach[machine.initial] = 0
    frontier = [machine.initial]
    while frontier:
        following = []
        for state in frontier:
            for successor in machine.next_state[state].tolist():
                if reach[successor] < 0:
                    reach[successor] = reach[state] + 1
                    following.append(successor)
        frontier = following
    return reach


def _agrees_up_to(machine: StateMachine, formulas: Formulas, length: int) -> bool:
    """Whether the formulas give the machine's outputs on every input sequence up to `length`:
    (machine state, variable values) tuples explored a step at a time."""
    symbols, variables = machine.symbols, formulas.states
    pairs = np.asarray([[machine.initial, *(v.initial for v in variables)]], dtype=np.int64)
    for _ in range(length):
        following = []
        for i in range(len(symbols)):
            env = {v.name: pairs[:, k + 1] for k, v in enumerate(variables)}
            env.update(
                {name: np.full(len(pairs), symbols[i, c]) for c, name in enumerate(formulas.inputs)}
            )
            try:
                values = [E.evaluate(v.update, env, (len(pairs),), 0) for v in variables]
                if formulas.outputs_read_new:
                    env.update({v.name: new for v, new in zip(variables, values, strict=True)})
                for o, (_, expression) in enumerate(formulas.outputs):
                    if (
                        E.evaluate(expression, env, (len(pairs),), 0)
                        != machine.output[pairs[:, 0], i, o]
                    ).any():
                        return False
            except E.EvaluationError:
                return False
            following.append(np.column_stack([machine.next_state[pairs[:, 0], i], *values]))
        pairs = np.unique(np.concatenate(following), axis=0)
        if len(pairs) > MAX_AGREEMENT_PAIRS:
            return False
    return True


# ---------------------------------------------------------------- positions


def _position_candidates(machine, inputs, outputs, length):
    """The position beside an output's entry value: one candidate per output whose entry
    values, with the position, tell apart the states reached at each position up to the trained
    length (and whose entry values alone do not tell the states apart: the entry labelling reads
    those)."""
    pairs = _positioned_states(machine, length)
    if pairs is None:
        return
    for o, name in enumerate(outputs):
        entry = _positioned_entry_values(machine, o, pairs, length)
        if entry is not None:
            yield ("position-labels",), f"the position beside the value of {name} on entry", (
                lambda search, entry=entry: _position_variables(
                    machine, inputs, outputs, pairs, entry, length, search
                )
            )


def _positioned_states(machine: StateMachine, length: int | None) -> np.ndarray | None:
    """Every (state, position) pair that some input reaches before the trained length ends, the
    position counting the inputs read (None without a length, or past MAX_AGREEMENT_PAIRS)."""
    if length is None or machine.states < 3:
        return None
    layer = np.asarray([machine.initial])
    pairs = [np.column_stack([layer, np.zeros(1, dtype=np.int64)])]
    for t in range(1, length):
        layer = np.unique(machine.next_state[layer])
        pairs.append(np.column_stack([layer, np.full(len(layer), t)]))
        if sum(map(len, pairs)) > MAX_AGREEMENT_PAIRS:
            return None
    return np.concatenate(pairs)


def _positioned_entry_values(machine, o, pairs, length) -> np.ndarray | None:
    """Output o's value on entering each state (0 for the initial state if never entered),
    from every transition but those at the last trained position, whose successors no output
    reads (the coarsest machine lumps them with any state); if it is one value per state, the
    state is a function of it and the position, and it alone does not tell the states apart."""
    entry = np.zeros(machine.states, dtype=np.int64)
    seen = np.zeros(machine.states, dtype=bool)
    for state in np.unique(pairs[pairs[:, 1] < length - 1, 0]):
        for i in range(machine.next_state.shape[1]):
            successor, value = int(machine.next_state[state, i]), int(machine.output[state, i, o])
            if seen[successor] and entry[successor] != value:
                return None
            entry[successor], seen[successor] = value, True
    if len(set(entry[seen].tolist())) == int(seen.sum()):
        return None
    if len({(int(entry[state]), int(t)) for state, t in pairs}) != len(pairs):
        return None  # two states of one position with one entry value
    return entry


def _position_variables(machine, inputs, outputs, pairs, entry, length, search):
    """State variables `t` (the position, `t + 1` at every step) and `s` (the entry value):
    the outputs and `s`'s update regressed over every reached (state, position) pair and input
    (with the built-in constants only), but those out of the initial state when it is never
    entered (its `s` is then the value the formulas agree with), and `s`'s update not at the
    last trained position (it leads anywhere). Kept if they agree with the machine on every input
    sequence up to the trained length: beyond it they continue the position."""
    n_symbols = machine.next_state.shape[1]
    states, positions = np.repeat(pairs[:, 0], n_symbols), np.repeat(pairs[:, 1], n_symbols)
    symbol_rows = np.tile(np.arange(n_symbols), len(pairs))
    successors = machine.next_state[states, symbol_rows]
    # entered as the entry values count it: not by the last trained position's transitions
    entered = bool((successors[positions < length - 1] == machine.initial).any())
    known = (states != machine.initial) | (positions > 0) | entered
    taken = set(inputs) | set(outputs)
    position = fresh("t", taken)
    value = fresh("s", taken | {position})
    columns = {position: positions, value: entry[states]}
    columns.update({name: machine.symbols[symbol_rows, c] for c, name in enumerate(inputs)})
    targets = [machine.output[states, symbol_rows, o] for o in range(len(outputs))]
    targets.append(entry[successors])
    masks = [known] * len(outputs) + [known & (positions < length - 1)]
    # no constants drawn from the trained range (its largest value, one past it): the values
    # are positions, and a bound the training put on them is what the formulas must not keep
    found = search(columns, targets, (), masks=masks).expressions
    if any(e is None for e in found):
        return None
    outputs_found = tuple(zip(outputs, found[: len(outputs)], strict=True))
    counted = StateVariable(position, 0, E.Binary("+", E.Var(position), E.Const(1)))
    initial = entry[machine.initial]
    starts = [initial] if entered else range(int(entry.min()) - 1, int(entry.max()) + 2)
    for start in starts:
        held = StateVariable(value, int(start), found[-1])
        formulas = Formulas(tuple(inputs), (counted, held), outputs_found)
        if _agrees_up_to(machine, formulas, length):
            return formulas
    return None


# ---------------------------------------------------------------- input history as state


_START = -1  # the symbol number standing for "before the first input"


def _register_table(machine: StateMachine, k: int) -> dict | None:
    """Outputs as a function of (the last k symbols, the current symbol), if they are one:
    explores every reachable (history, state) pair; None when some history is ambiguous or
    there are too many pairs."""
    n_symbols = machine.next_state.shape[1]
    start = ((_START,) * k, machine.initial)
    seen, queue = {start}, [start]
    table: dict = {}
    while queue:
        history, state = queue.pop()
        for i in range(n_symbols):
            out = tuple(int(v) for v in machine.output[state, i])
            if table.setdefault((history, i), out) != out:
                return None
            successor = ((i,) + history[:-1], int(machine.next_state[state, i]))
            if successor not in seen:
                if len(seen) >= MAX_REGISTER_STATES:
                    return None
                seen.add(successor)
                queue.append(successor)
    return table


def _register(machine, table: dict, k: int, start: int, inputs, outputs, search):
    """State variables `prev_<input>`, `prev2_<input>`... holding the last k inputs (`start`
    before the first input), shifted along at every step; outputs regressed over them."""
    symbols = machine.symbols
    taken = set(inputs) | set(outputs)
    lagged = [
        [fresh(f"prev{'' if j == 1 else j}_{name}", taken) for name in inputs]
        for j in range(1, k + 1)
    ]
    keys = sorted(table)
    columns = {}
    for j, names in enumerate(lagged):
        history = np.asarray([key[0][j] for key in keys])
        for c, name in enumerate(names):
            columns[name] = np.where(history == _START, start, symbols[history, c])
    current = np.asarray([key[1] for key in keys])
    columns.update({name: symbols[current, c] for c, name in enumerate(inputs)})
    targets = [np.asarray([table[key][o] for key in keys]) for o in range(len(outputs))]
    values, moduli = _constants(machine, None)
    result = search(columns, targets, with_moduli(values, moduli) + [start])
    if any(e is None for e in result.expressions):
        return None
    note_moduli(result.expressions, values | {start}, moduli)
    states = []
    for j, names in enumerate(lagged):
        sources = inputs if j == 0 else lagged[j - 1]
        states += [
            StateVariable(n, start, E.Var(src)) for n, src in zip(names, sources, strict=True)
        ]
    return Formulas(
        tuple(inputs), tuple(states), tuple(zip(outputs, result.expressions, strict=True))
    )


def _register_starts(machine: StateMachine) -> list[int]:
    """Values the history holds before the first input: 0, or one below every input value."""
    below = int(machine.symbols.min()) - 1
    if not (machine.symbols == 0).any() or not mechanisms.on("register-start-below"):
        return [0]
    return [0, below]


def _rows(machine: StateMachine) -> tuple[np.ndarray, np.ndarray]:
    """Every (state, symbol) pair as two row arrays."""
    n_states, n_symbols = machine.next_state.shape
    return np.repeat(np.arange(n_states), n_symbols), np.tile(np.arange(n_symbols), n_states)


# ---------------------------------------------------------------- the table itself


def table_formulas(machine: StateMachine, inputs, outputs) -> Formulas:
    """The machine as a program: state number `s`, next state and outputs as decision trees."""
    state_rows, symbol_rows = _rows(machine)
    state = fresh("s", set(inputs) | set(outputs))
    columns = [(state, state_rows)]
    columns += [(name, machine.symbols[symbol_rows, c]) for c, name in enumerate(inputs)]
    trees = [
        decision_tree(columns, machine.output[state_rows, symbol_rows, o])
        for o in range(len(outputs))
    ]
    update = decision_tree(columns, machine.next_state[state_rows, symbol_rows])
    return Formulas(
        tuple(inputs),
        (StateVariable(state, machine.initial, update),),
        tuple(zip(outputs, trees, strict=True)),
    )


def decision_tree(columns: list[tuple[str, np.ndarray]], target: np.ndarray) -> E.Expr:
    """An exact decision tree for `target` over the rows: split the first variable that still
    varies at its median value; identical branches are merged."""
    values = np.unique(target)
    if len(values) == 1:
        return E.Const(int(values[0]))
    for name, column in columns:
        distinct = np.unique(column)
        if len(distinct) > 1:
            split = int(distinct[(len(distinct) - 1) // 2])
            low = column <= split
            then = decision_tree([(n, c[low]) for n, c in columns], target[low])
            orelse = decision_tree([(n, c[~low]) for n, c in columns], target[~low])
            if then == orelse:
                return then
            return E.Cond(E.Binary("<=", E.Var(name), E.Const(split)), then, orelse)
    raise ValueError("the table gives two values for the same row")
