"""Reliable delivery: the push relay over the transactional outbox (httpx is imported only here)."""
