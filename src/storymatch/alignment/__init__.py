"""storymatch.alignment."""
