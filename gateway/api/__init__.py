"""FastAPI application (FastAPI is imported only under gateway/api/)."""
