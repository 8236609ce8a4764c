"""Comparison: two articles in; a verdict, seven scores, the evidence and the reused text out.

    compare(a, b, backend=None, scorer=None) -> Comparison      .to_dict() is the `compare --json` contract

The pipeline (pipeline.py): analyse each article -> choose the backend from both languages -> embed ->
align -> pair features -> scorer -> evidence (evidence.py).
"""

from storymatch.comparison.evidence import Evidence
from storymatch.comparison.pipeline import compare
from storymatch.comparison.result import Comparison

__all__ = ["Comparison", "Evidence", "compare"]
