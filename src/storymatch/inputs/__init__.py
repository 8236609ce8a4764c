"""storymatch.inputs."""
