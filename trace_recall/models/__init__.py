from . import trace_recall_class
from . import trace_recall
from . import trace_recall_delivery
from . import trace_recall_stock
from . import trace_recall_partner
from . import trace_recall_export
from . import stock_lot
