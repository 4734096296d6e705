"""Brand flows: declared in YAML, validated with file and line, compiled once per brand."""

from recovery.flows.compile import Flow, TriggerOption, check_state
from recovery.flows.guards import GUARDS, CaseFacts
from recovery.flows.loader import load_brands, load_flows, validate_flows

__all__ = ["GUARDS", "CaseFacts", "Flow", "TriggerOption", "check_state", "load_brands",
           "load_flows", "validate_flows"]
