"""storymatch.serving."""
