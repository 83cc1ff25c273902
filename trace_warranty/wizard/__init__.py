from . import trace_warranty_check
