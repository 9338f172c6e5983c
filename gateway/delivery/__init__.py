"""Reliable delivery: the push relay over the transactional outbox; pushes over kept-alive connections."""
