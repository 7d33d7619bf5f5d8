"""The phases of the enumerative search (`mipsdsl.extract.enumerative` runs them).

- `table`: the validated inputs (columns, targets, the rows each target cares about);
- `grammar`: the leaves and operators candidates are built from, and the value limit;
- `hashing`: value signatures, the linear hashes by which candidates are deduplicated;
- `targets`: testing new candidates against the unsolved targets;
- `candidates`: the kept candidates, grouped by size into the operands of larger sizes;
- `pairs` and `growth`: making one size's candidates from the smaller ones, chunk by chunk;
- `rebuild`: the winners' `Expr` trees.
"""
