"""``fiscalgw demo``: the gateway and simulated parties on 127.0.0.1 driving a realistic day (issue #7)."""
