"""storymatch.evaluation."""
