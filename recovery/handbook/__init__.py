"""The living policy handbook: what a care manager reads of a brand's policy, beside each of its
scenarios and how it ran. Running the scenarios needs the `specs` extra (pytest, pytest-bdd)."""

SPECS_MISSING = ("the policy specs need pytest and pytest-bdd, which `recovery` installs as an "
                 "extra: pip install 'recovery[specs]'")
"""What to do where the scenarios cannot run."""
