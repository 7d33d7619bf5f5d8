"""The picture of the hidden states: where the network keeps each extracted state.

Every traced hidden state after a step is a point: in its own coordinates for 2 hidden units,
against the first state variable for 1, and on its first two principal components for more.
Points are coloured by the extracted state (by category when there are few states, else by the
first variable's value). A lattice extraction has its basis drawn (h = origin + z·A, fitted to the
points by least squares), a small machine its transitions as arrows between the states' centres.

matplotlib is the optional extra `mipsdsl[viz]`; it is imported only here, with the Agg backend,
so that nothing else in mipsdsl needs it and no display is ever opened.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from mipsdsl.atomic import replacing
from mipsdsl.errors import MipsError
from mipsdsl.explain.graph import States

MAX_POINTS = 4000  # points drawn; more only hide each other
MAX_CATEGORIES = 20  # states coloured one colour each; more get a colour scale
MAX_ARROWS = 12  # machines up to this many states have their transitions drawn


def pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend; a MipsError naming the extra when it is missing."""
    try:
        import matplotlib
    except ImportError:
        raise MipsError(
            "mipsc explain draws with matplotlib, which is not installed: "
            "pip install 'mipsdsl[viz]'"
        ) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def draw(states: States, lattice: bool, title: str, path: Path) -> str:
    """Write the PNG to `path`; returns how the points were placed, for the summary."""
    plt = pyplot()
    pick = np.random.default_rng(0).permutation(len(states.hidden))[:MAX_POINTS]
    hidden, values, node = states.hidden[pick], states.values[pick], states.node[pick]
    place, axes, how = _projection(states.hidden, states.names)
    xy = place(hidden, values)
    figure, ax = plt.subplots(figsize=(7, 6))
    _scatter(plt, ax, xy, values, node, states)
    if lattice and states.names:
        _basis(ax, states, place)
    if len(states.graph.labels) <= MAX_ARROWS and (node >= 0).all():
        _transitions(ax, xy, node, states)
    ax.set_xlabel(axes[0])
    ax.set_ylabel(axes[1])
    ax.set_title(title)
    figure.tight_layout()
    with replacing(path, "wb") as handle:
        figure.savefig(handle, format="png", dpi=110)
    plt.close(figure)
    return how


def _projection(hidden: np.ndarray, names: tuple[str, ...]):
    """(place(h, z) -> (M, 2), axis labels, description): coordinates for the picture."""
    n = hidden.shape[1]
    if n == 1:
        name = names[0] if names else "state"

        def against_state(h, z):
            return np.column_stack([h[:, 0], z[:, 0] if z.shape[1] else np.zeros(len(h))])

        return against_state, ("h1", name), f"the hidden unit against {name}"
    if n == 2:
        return (lambda h, z: np.asarray(h, dtype=np.float64)), ("h1", "h2"), "the 2 hidden units"
    mean = hidden.mean(axis=0)
    _, singular, vt = np.linalg.svd(hidden - mean, full_matrices=False)
    share = singular**2 / max(float((singular**2).sum()), 1e-12)
    components = vt[:2]

    def projected(h, z):
        return (np.asarray(h, dtype=np.float64) - mean) @ components.T

    axes = (f"PC1 ({share[0]:.0%} of variance)", f"PC2 ({share[1]:.0%} of variance)")
    return projected, axes, f"the first 2 principal components of {n} hidden units"


def _scatter(plt, ax, xy, values, node, states: States) -> None:
    """Points coloured by category (machine state, else distinct values) or by the first
    variable's value on a colour scale."""
    graph = states.graph
    if graph.finite and len(graph.labels) <= MAX_CATEGORIES and (node >= 0).all():
        keys, labels = node, [label.replace("\n", ": ") for label in graph.labels]
    else:
        rows = [tuple(v) for v in values.tolist()]
        distinct = sorted(set(rows))
        if len(distinct) > MAX_CATEGORIES:
            scale = ax.scatter(xy[:, 0], xy[:, 1], c=values[:, 0], s=8, cmap="viridis")
            plt.colorbar(scale, ax=ax, label=states.names[0])
            return
        number = {v: i for i, v in enumerate(distinct)}
        keys = np.array([number[v] for v in rows], dtype=np.int64)
        labels = [
            ", ".join(f"{n}={x}" for n, x in zip(states.names, v, strict=True)) or "(no state)"
            for v in distinct
        ]
    colours = plt.get_cmap("tab20" if len(labels) > 10 else "tab10")
    for k, label in enumerate(labels):
        here = keys == k
        if here.any():
            ax.scatter(xy[here, 0], xy[here, 1], s=8, color=colours(k % colours.N), label=label)
    ax.legend(fontsize=7, markerscale=2, loc="best")


def _basis(ax, states: States, place) -> None:
    """The lattice basis: h ≈ origin + z·A fitted by least squares, each row of A an arrow
    from the origin, named by its variable."""
    z = states.values.astype(np.float64)
    design = np.column_stack([np.ones(len(z)), z])
    fit, *_ = np.linalg.lstsq(design, states.hidden.astype(np.float64), rcond=None)
    origin, basis = fit[0], fit[1:]
    k = len(states.names)
    start = place(origin[None], np.zeros((1, k)))[0]
    for i, name in enumerate(states.names):
        unit = np.eye(k)[i : i + 1]
        end = place((origin + basis[i])[None], unit)[0]
        ax.annotate(
            "",
            xy=end,
            xytext=start,
            arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 2},
        )
        ax.annotate(name, xy=end, fontsize=10, fontweight="bold")
    ax.plot(*start, marker="o", color="black")


def _transitions(ax, xy, node, states: States) -> None:
    """An arrow from each state's centre to its successor's, for every edge between states."""
    centres = {k: xy[node == k].mean(axis=0) for k in np.unique(node).tolist()}
    for edge in states.graph.edges:
        if edge.source == edge.target or edge.source not in centres:
            continue
        if edge.target not in centres:
            continue
        ax.annotate(
            "",
            xy=centres[edge.target],
            xytext=centres[edge.source],
            arrowprops={
                "arrowstyle": "->",
                "color": "0.4",
                "connectionstyle": "arc3,rad=0.2",
                "shrinkA": 6,
                "shrinkB": 6,
            },
        )
