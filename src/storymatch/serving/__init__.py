"""storymatch over HTTP (FastAPI) and the side-by-side web page: `create_app(store_dir=None, token=None)`."""

from storymatch.serving.app import create_app

__all__ = ["create_app"]
