from . import trace_recall_start
from . import trace_recall_close
