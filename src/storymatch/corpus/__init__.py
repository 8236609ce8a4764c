"""storymatch.corpus."""
