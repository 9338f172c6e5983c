"""``mof``: the 一体化 finance-to-finance exchange (indicators, adjustments, receipts) as JSON and XML.

Column names are the standard's UPPER_SNAKE names; the containers are our convention (the official exchange
container was NOT FOUND). See :mod:`adapters.mof.tables` for the tables and value forms.
"""

from adapters.mof.json_format import MofJsonAdapter
from adapters.mof.xml_format import MofXmlAdapter

__all__ = ["MofJsonAdapter", "MofXmlAdapter"]
