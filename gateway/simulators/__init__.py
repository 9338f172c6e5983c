"""Counterparty simulators (``fiscalgw simulate bank|pbc|finance``): real HTTP peers on 127.0.0.1 that take
the gateway's signed pushes and answer as that party would. Used by end-to-end tests and the demo."""
