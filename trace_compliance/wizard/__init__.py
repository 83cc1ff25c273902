from . import trace_lot_status_change
from . import trace_genealogy_explore
from . import trace_genealogy_explore_line
from . import trace_signature_sign
from . import trace_certificate_reject
