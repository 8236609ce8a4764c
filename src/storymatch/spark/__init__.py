"""storymatch.spark."""
