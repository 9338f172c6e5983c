"""SM2 / SM3 / SM4 national cryptography for the fiscal gateway.

A library: it imports nothing of the gateway's own packages, FastAPI or SQLAlchemy.
"""
