"""Case builders and oracle adapters for the registry, one module per week or topic.

Each module builds the public cases (small, fixed, shown in feedback) and the
hidden cases (seeded random and edge cases, made at grading time) of its
lessons, and adapts `reference` functions into oracles with the learner
function's signature. `autograder.registry` names them in its rows.
"""
