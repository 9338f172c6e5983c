"""Rendering reconciliation reports: JSON (to and from a dict), CSV, XLSX and HTML, and the format registry.

``rows`` and ``cells`` build the table rows every format shares; ``formats`` maps a format name to its
renderer.
"""
